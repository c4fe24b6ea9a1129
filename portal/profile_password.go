package portal

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/sowflow/sowflow/store"
)

// changePassword sets a new password for a person who gives their current
// one. Wrong current passwords count towards sign-in throttling. Every
// session of the person ends; this browser gets a new one.
func (p *Portal) changePassword(w http.ResponseWriter, r *request) {
	person := r.Session.Person
	accountKey, addressKey := throttleKeys(r, person.Email)
	refusal, retryAfter, err := p.throttled(r, accountKey, addressKey)
	if err != nil {
		p.internal(w, r, "count sign-in failures", err)
		return
	}
	if refusal != "" {
		w.Header().Set("Retry-After", fmt.Sprint(retryAfter))
		p.renderProfile(w, r, http.StatusTooManyRequests, profilePage{PasswordProblem: refusal})
		return
	}
	password := r.PostFormValue("password")
	_, err = p.deps.Store.CheckCredentials(r.Context(), person.Email, r.PostFormValue("current"))
	switch {
	case errors.Is(err, store.ErrBadCredentials):
		if err := p.deps.Store.RecordSignInFailure(r.Context(), []string{accountKey, addressKey}, r.now); err != nil {
			p.internal(w, r, "record sign-in failure", err)
			return
		}
		p.renderProfile(w, r, http.StatusUnprocessableEntity, profilePage{PasswordProblem: msg(r.Lang, "problem_current_password")})
		return
	case err != nil:
		p.internal(w, r, "check password", err)
		return
	}
	if problem := newPasswordProblem(r.Lang, password, r.PostFormValue("confirm")); problem != "" {
		p.renderProfile(w, r, http.StatusUnprocessableEntity, profilePage{PasswordProblem: problem})
		return
	}
	if err := p.deps.Store.SetPassword(r.Context(), person.ID, password, r.now); err != nil {
		p.internal(w, r, "set password", err)
		return
	}
	if err := p.startSession(w, r, person); err != nil {
		p.internal(w, r, "start session", err)
		return
	}
	http.Redirect(w, r.Request, pathProfile+"?password=changed", http.StatusSeeOther)
}
