package portal

import "net/http"

// changePassword sets a new password for a person who gives their current
// one. Wrong current passwords count towards sign-in throttling. Every
// session of the person ends; this browser gets a new one.
func (p *Portal) changePassword(w http.ResponseWriter, r *request) {
	person := r.Session.Person
	_, check, err := p.checkPassword(w, r, person.Email, r.PostFormValue("current"))
	switch {
	case err != nil:
		p.internal(w, r, "check password", err)
		return
	case check.throttled != "":
		p.renderProfile(w, r, http.StatusTooManyRequests, profilePage{PasswordProblem: check.throttled})
		return
	case check.wrong:
		p.renderProfile(w, r, http.StatusUnprocessableEntity, profilePage{PasswordProblem: msg(r.Lang, "problem_current_password")})
		return
	}
	password := r.PostFormValue("password")
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
