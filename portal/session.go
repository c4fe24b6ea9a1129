package portal

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"time"

	"github.com/sowflow/sowflow/store"
)

// Cookie names. The session cookie holds the session ID; the pre-session
// cookie binds the CSRF token of the forms shown before sign-in (sign-in,
// invitation, language) to this browser.
const (
	sessionCookie    = "sowflow_session"
	preSessionCookie = "sowflow_csrf"
	languageCookie   = "sowflow_lang"
	csrfField        = "csrf"
	maxFormBytes     = 64 << 10
)

// request is one portal request: who is signed in (Session nil when no one
// is), the language to answer in, and the CSRF token of its forms.
type request struct {
	*http.Request
	Session *store.Session
	// sessionID is the session cookie's value when Session is set.
	sessionID string
	Lang      store.Language
	CSRF      string
	now       time.Time
	// names caches the display names of people the page names (person ID
	// to name; "" when the ID names nobody).
	names map[string]string
}

type handler func(w http.ResponseWriter, r *request)

// page wraps a GET handler: it loads the session, picks the language,
// and, when signedIn, sends anonymous visitors to the sign-in page.
func (p *Portal) page(h handler, signedIn bool) http.HandlerFunc {
	return func(w http.ResponseWriter, hr *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		r, ok := p.load(w, hr)
		if !ok {
			return
		}
		if signedIn && r.Session == nil {
			http.Redirect(w, hr, pathSignIn, http.StatusSeeOther)
			return
		}
		h(w, r)
	}
}

// form wraps a POST handler like page and refuses the request with 403
// unless it carries the CSRF token of its session (or, before sign-in, of
// its pre-session cookie).
func (p *Portal) form(h handler, signedIn bool) http.HandlerFunc {
	return func(w http.ResponseWriter, hr *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		hr.Body = http.MaxBytesReader(w, hr.Body, maxFormBytes)
		// Parsed before load, whose request (a copy with the actor on its
		// context) must see the form.
		parseErr := hr.ParseForm()
		r, ok := p.load(w, hr)
		if !ok {
			return
		}
		if parseErr != nil {
			p.renderError(w, r, http.StatusBadRequest, "error_bad_form")
			return
		}
		sent := r.PostFormValue(csrfField)
		if sent == "" || r.CSRF == "" || subtle.ConstantTimeCompare([]byte(sent), []byte(r.CSRF)) != 1 {
			p.renderError(w, r, http.StatusForbidden, "error_csrf")
			return
		}
		if signedIn && r.Session == nil {
			http.Redirect(w, hr, pathSignIn, http.StatusSeeOther)
			return
		}
		h(w, r)
	}
}

// load resolves the session cookie and the language, and makes sure a
// visitor without a session has a pre-session CSRF cookie.
func (p *Portal) load(w http.ResponseWriter, hr *http.Request) (*request, bool) {
	r := &request{Request: hr, now: p.deps.Now()}
	if c, err := hr.Cookie(sessionCookie); err == nil && c.Value != "" {
		sess, err := p.deps.Store.Session(hr.Context(), c.Value, r.now)
		switch {
		case errors.Is(err, store.ErrNoSession):
			p.clearCookie(w, sessionCookie)
		case err != nil:
			r.Lang = negotiateLanguage(hr)
			p.internal(w, r, "load session", err)
			return nil, false
		default:
			r.Session, r.sessionID, r.CSRF = &sess, c.Value, sess.CSRFToken
		}
	}
	if r.Session == nil {
		if c, err := hr.Cookie(preSessionCookie); err == nil && len(c.Value) == tokenLength {
			r.CSRF = c.Value
		} else if hr.Method == http.MethodGet {
			r.CSRF = newToken()
			p.setCookie(w, preSessionCookie, r.CSRF, 0)
		}
	}
	r.Lang = negotiateLanguage(hr)
	if r.Session != nil {
		r.Lang = r.Session.Person.Language
		// Audit records written while serving the request name the person.
		r.Request = hr.WithContext(store.WithActor(hr.Context(), store.Actor{Subject: r.Session.Person.Subject(), Role: string(r.Session.Person.Role)}))
	}
	return r, true
}

// startSession signs a person in: it makes a session, sets its cookie and
// drops the pre-session cookie.
func (p *Portal) startSession(w http.ResponseWriter, r *request, person store.Person) error {
	id, sess, err := p.deps.Store.CreateSession(r.Context(), store.NewSessionRequest{
		PersonID: person.ID, Address: clientAddress(r.Request, p.deps.TrustedProxies), UserAgent: r.UserAgent(),
	}, r.now)
	if err != nil {
		return err
	}
	p.setCookie(w, sessionCookie, id, store.SessionLifetime)
	p.clearCookie(w, preSessionCookie)
	r.Session, r.sessionID, r.CSRF, r.Lang = &sess, id, sess.CSRFToken, sess.Person.Language
	return nil
}

func (p *Portal) setCookie(w http.ResponseWriter, name, value string, maxAge time.Duration) {
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: value, Path: "/", MaxAge: int(maxAge.Seconds()),
		HttpOnly: true, Secure: p.secure, SameSite: http.SameSiteLaxMode,
	})
}

func (p *Portal) clearCookie(w http.ResponseWriter, name string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: p.secure, SameSite: http.SameSiteLaxMode})
}

// tokenLength is the length of newToken's tokens.
const tokenLength = 43

// newToken returns 256 random bits, base64url-encoded.
func newToken() string {
	var b [32]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b[:])
}
