package portal

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"time"

	"github.com/sowflow/sowflow/calendar"
	"github.com/sowflow/sowflow/store"
)

//go:embed templates/*.html templates/partials/*.html
var templateFS embed.FS

//go:embed assets
var assetFS embed.FS

// pages are the parsed page templates by name (their file name without
// .html), each parsed with layout.html and the shared blocks in
// templates/partials.
type pages map[string]*template.Template

func parsePages() (pages, error) {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("list templates: %w", err)
	}
	out := pages{}
	for _, n := range names {
		base := path.Base(n)
		if base == "layout.html" {
			continue
		}
		t, err := template.New("layout.html").Funcs(templateFuncs).ParseFS(templateFS, "templates/layout.html", "templates/partials/*.html", n)
		if err != nil {
			return nil, fmt.Errorf("parse template %s: %w", base, err)
		}
		out[base[:len(base)-len(".html")]] = t
	}
	return out, nil
}

// templateFuncs are the functions every template may call: formKey gives
// each form a fresh one-time key (see api_call.go); part hands a shared
// block the page's messages with its own data.
var templateFuncs = template.FuncMap{"formKey": formKey, "part": part}

// partArgs is what a shared block in templates/partials gets: the
// messages (.L) and its data (.D).
type partArgs struct {
	L map[string]string
	D any
}

// part pairs the messages with a shared block's data, as
// {{template "name" (part $.L .Data)}}.
func part(l map[string]string, d any) partArgs { return partArgs{L: l, D: d} }

// view is what every page template gets: the messages in the request's
// language (.L.key), the CSRF token of its forms, who is signed in, and the
// page's own data.
type view struct {
	L      map[string]string
	Lang   store.Language
	CSRF   string
	Person *store.Person
	Role   string
	// Path is the current page, where the language switch returns to.
	Path  string
	Title string
	// Styles are the style sheets every page links (assets/*.css).
	Styles []string
	// Nav is the navigation of the signed-in person's role.
	Nav    []navLink
	Notice string
	Error  string
	Page   any
}

func (p *Portal) newView(r *request, titleKey string) *view {
	v := &view{L: messages[r.Lang], Lang: r.Lang, CSRF: r.CSRF, Path: r.URL.Path, Title: msg(r.Lang, titleKey), Styles: styleSheets}
	if r.Session != nil {
		v.Person = &r.Session.Person
		v.Role = msg(r.Lang, "role_"+string(r.Session.Person.Role))
		v.Nav = p.navFor(r)
	}
	return v
}

// styleSheets are the embedded style sheets, each page's own file beside
// portal.css, in name order (portal.css first).
var styleSheets = func() []string {
	names, _ := fs.Glob(assetFS, "assets/*.css")
	out := []string{"portal.css"}
	for _, n := range names {
		if b := path.Base(n); b != "portal.css" {
			out = append(out, b)
		}
	}
	return out
}()

// render writes the page template name with v and status.
func (p *Portal) render(w http.ResponseWriter, r *request, status int, name string, v *view) {
	t, ok := p.pages[name]
	if !ok {
		p.internal(w, r, "render", fmt.Errorf("no template %s", name))
		return
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, v); err != nil {
		p.deps.Logger.Error("render page", "page", name, "error", err.Error())
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Language", string(r.Lang))
	w.Header().Set("Vary", "Cookie, Accept-Language")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// renderError writes the error page with the message key.
func (p *Portal) renderError(w http.ResponseWriter, r *request, status int, key string) {
	v := p.newView(r, "error_title")
	v.Error = msg(r.Lang, key)
	p.render(w, r, status, "error", v)
}

// internal logs err once (never a form's values) and answers 503 when
// PostgreSQL is unreachable, else 500.
func (p *Portal) internal(w http.ResponseWriter, r *request, op string, err error) {
	if store.Unavailable(err) {
		p.deps.Logger.Warn("portal: "+op, "path", r.URL.Path, "error", err.Error())
		w.Header().Set("Retry-After", "5")
		p.renderError(w, r, http.StatusServiceUnavailable, "error_unavailable")
		return
	}
	p.deps.Logger.Error("portal: "+op, "path", r.URL.Path, "error", err.Error())
	p.renderError(w, r, http.StatusInternalServerError, "error_internal")
}

func (p *Portal) notFound(w http.ResponseWriter, r *request) {
	p.renderError(w, r, http.StatusNotFound, "error_not_found")
}

// formatInstant writes t in China Standard Time with its weekday, in lang.
// A contract period ends at 24:00 of its last day, which the API gives as
// 00:00 of the next: it is shown as 24:00 of the last day.
func formatInstant(lang store.Language, t time.Time) string {
	t = t.In(calendar.Zone())
	clock := t.Format("15:04")
	if clock == "00:00" {
		t, clock = t.AddDate(0, 0, -1), "24:00"
	}
	return fmt.Sprintf(msg(lang, "date_format"), t.Year(), t.Month().String()[:3], t.Day(),
		msg(lang, fmt.Sprintf("weekday_%d", int(t.Weekday()))), clock, int(t.Month()))
}

func serveAsset(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	b, err := assetFS.ReadFile("assets/" + name)
	if errors.Is(err, fs.ErrNotExist) || err != nil {
		http.NotFound(w, r)
		return
	}
	switch path.Ext(name) {
	case ".css":
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
	case ".js":
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	case ".svg":
		w.Header().Set("Content-Type", "image/svg+xml")
	}
	w.Header().Set("Cache-Control", "public, max-age=3600")
	_, _ = w.Write(b)
}
