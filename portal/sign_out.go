package portal

import (
	"fmt"
	"net/http"
)

func (p *Portal) signOut(w http.ResponseWriter, r *request) {
	if err := p.deps.Store.RevokeSession(r.Context(), r.sessionID, r.now); err != nil {
		p.internal(w, r, "sign out", err)
		return
	}
	p.clearCookie(w, sessionCookie)
	http.Redirect(w, r.Request, pathSignIn, http.StatusSeeOther)
}

func (p *Portal) signOutEverywhere(w http.ResponseWriter, r *request) {
	n, err := p.deps.Store.RevokePersonSessions(r.Context(), r.Session.Person.ID, r.now)
	if err != nil {
		p.internal(w, r, "sign out everywhere", err)
		return
	}
	p.clearCookie(w, sessionCookie)
	http.Redirect(w, r.Request, fmt.Sprintf("%s?ended=%d", pathSignIn, n), http.StatusSeeOther)
}
