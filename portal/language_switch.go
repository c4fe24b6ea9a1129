package portal

import (
	"net/http"
	"strings"
	"time"

	"github.com/sowflow/sowflow/store"
)

// switchLanguage answers the language switch: it remembers the choice in a
// cookie and, for a signed-in person, as their preferred language, then
// returns to the page it was made on.
func (p *Portal) switchLanguage(w http.ResponseWriter, r *request) {
	lang := store.Language(r.PostFormValue("lang"))
	if !lang.Valid() {
		p.renderError(w, r, http.StatusBadRequest, "error_bad_form")
		return
	}
	if r.Session != nil {
		if err := p.deps.Store.SetPersonLanguage(r.Context(), r.Session.Person.ID, lang, r.now); err != nil {
			p.internal(w, r, "set language", err)
			return
		}
	}
	p.setCookie(w, languageCookie, string(lang), 365*24*time.Hour)
	http.Redirect(w, r.Request, localPath(r.PostFormValue("next")), http.StatusSeeOther)
}

// localPath returns next when it is a path on this site, else the home page.
func localPath(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") || strings.ContainsAny(next, "\r\n") {
		return pathHome
	}
	return next
}
