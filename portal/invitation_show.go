package portal

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/sowflow/sowflow/store"
)

// invitationPage is the set-a-password form's data.
type invitationPage struct {
	// Welcome greets the person; empty when the link cannot be used.
	Welcome string
	Rule    string
	Action  string
}

func (p *Portal) showInvitation(w http.ResponseWriter, r *request) {
	person, ok := p.invitation(w, r)
	if !ok {
		return
	}
	v := p.newView(r, "invitation_title")
	v.Page = p.invitationPage(r, person)
	p.render(w, r, http.StatusOK, "invitation", v)
}

// invitation resolves the link's token, or answers the page saying why the
// link cannot be used (410 Gone).
func (p *Portal) invitation(w http.ResponseWriter, r *request) (store.Person, bool) {
	person, err := p.deps.Store.InvitationPerson(r.Context(), r.PathValue("token"), r.now)
	var key string
	switch {
	case errors.Is(err, store.ErrInvitationExpired):
		key = "invitation_expired"
	case errors.Is(err, store.ErrInvitationInvalid):
		key = "invitation_invalid"
	case err != nil:
		p.internal(w, r, "look up invitation", err)
		return store.Person{}, false
	default:
		// The invited person's language, unless they switched.
		if _, err := r.Cookie(languageCookie); err != nil {
			r.Lang = person.Language
		}
		return person, true
	}
	v := p.newView(r, "invitation_title")
	v.Error = msg(r.Lang, key)
	v.Page = invitationPage{}
	p.render(w, r, http.StatusGone, "invitation", v)
	return store.Person{}, false
}

func (p *Portal) invitationPage(r *request, person store.Person) invitationPage {
	return invitationPage{
		Welcome: fmt.Sprintf(msg(r.Lang, "invitation_welcome"), person.Name, person.Email),
		Rule:    fmt.Sprintf(msg(r.Lang, "password_rule"), store.MinPasswordLength),
		Action:  r.URL.Path,
	}
}
