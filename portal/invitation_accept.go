package portal

import (
	"fmt"
	"net/http"
	"unicode/utf8"

	"github.com/sowflow/sowflow/store"
)

func (p *Portal) acceptInvitation(w http.ResponseWriter, r *request) {
	person, ok := p.invitation(w, r)
	if !ok {
		return
	}
	password := r.PostFormValue("password")
	problem := newPasswordProblem(r.Lang, password, r.PostFormValue("confirm"))
	if problem == "" {
		var err error
		person, err = p.deps.Store.AcceptInvitation(r.Context(), r.PathValue("token"), password, r.now)
		if err != nil {
			p.internal(w, r, "accept invitation", err)
			return
		}
		if err := p.startSession(w, r, person); err != nil {
			p.internal(w, r, "start session", err)
			return
		}
		http.Redirect(w, r.Request, pathHome, http.StatusSeeOther)
		return
	}
	v := p.newView(r, "invitation_title")
	v.Error = problem
	v.Page = p.invitationPage(r, person)
	p.render(w, r, http.StatusUnprocessableEntity, "invitation", v)
}

// newPasswordProblem says in lang what is wrong with a new password and its
// repetition; "" when nothing is.
func newPasswordProblem(lang store.Language, password, confirm string) string {
	switch n := utf8.RuneCountInString(password); {
	case n < store.MinPasswordLength:
		return fmt.Sprintf(msg(lang, "password_too_short"), store.MinPasswordLength)
	case n > store.MaxPasswordLength:
		return fmt.Sprintf(msg(lang, "password_too_long"), store.MaxPasswordLength)
	case password != confirm:
		return msg(lang, "password_mismatch")
	}
	return ""
}
