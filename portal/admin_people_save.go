package portal

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/sowflow/sowflow/store"
)

// createPerson answers the people page's create form: the new person and
// their one-time invitation link, shown once, or the form again with each
// field's problem.
func (p *Portal) createPerson(w http.ResponseWriter, r *request) {
	if !p.adminOnly(w, r) {
		return
	}
	form := personForm{
		Email: strings.TrimSpace(r.PostFormValue("email")), Name: strings.TrimSpace(r.PostFormValue("name")),
		Role: r.PostFormValue("role"), Customer: strings.TrimSpace(r.PostFormValue("customer")), Language: r.PostFormValue("language"),
	}
	spec := store.PersonSpec{Email: form.Email, Name: form.Name, Role: store.Role(form.Role), Language: store.Language(form.Language)}
	if spec.Role == store.RoleCustomer {
		spec.CustomerID = form.Customer
	}
	err := spec.Validate()
	var person store.Person
	if err == nil {
		person, err = p.deps.Store.CreatePerson(r.Context(), spec)
	}
	if err != nil {
		problems, ok := fieldProblems(r.Lang, err)
		if !ok {
			p.internal(w, r, "create person", err)
			return
		}
		form.Problems = problems
		p.renderAdminPeople(w, r, http.StatusUnprocessableEntity, adminPeoplePage{Form: form})
		return
	}
	p.inviteAndShow(w, r, person, func() (string, error) {
		token, _, err := p.deps.Store.CreateInvitation(r.Context(), person.ID, r.now)
		return token, err
	}, http.StatusCreated)
}

// changePerson answers a person's disable, enable and reset buttons.
func (p *Portal) changePerson(action string) handler {
	return func(w http.ResponseWriter, r *request) {
		if !p.adminOnly(w, r) {
			return
		}
		person, err := p.deps.Store.FindPerson(r.Context(), r.PathValue("id"))
		if errors.Is(err, store.ErrNotFound) || err == nil && person.ID != r.PathValue("id") {
			p.notFound(w, r)
			return
		}
		if err != nil {
			p.internal(w, r, "find person", err)
			return
		}
		if action == "reset" {
			p.inviteAndShow(w, r, person, func() (string, error) {
				token, _, err := p.deps.Store.ResetPerson(r.Context(), person.ID, r.now)
				return token, err
			}, http.StatusOK)
			return
		}
		if _, err := p.deps.Store.SetPersonDisabled(r.Context(), person.ID, action == "disable", r.now); err != nil {
			p.internal(w, r, action+" person", err)
			return
		}
		http.Redirect(w, r.Request, pathAdminPeople, http.StatusSeeOther)
	}
}

// inviteAndShow makes an invitation with invite and shows the people page
// with its link.
func (p *Portal) inviteAndShow(w http.ResponseWriter, r *request, person store.Person, invite func() (string, error), status int) {
	token, err := invite()
	if err != nil {
		p.internal(w, r, "invite person", err)
		return
	}
	p.renderAdminPeople(w, r, status, adminPeoplePage{
		Form:       personForm{Language: string(store.LanguageChinese)},
		Link:       InvitationURL(p.deps.PublicURL, token),
		LinkFor:    fmt.Sprintf(msg(r.Lang, "invitation_link_for"), person.Name, person.Email),
		LinkExpiry: fmt.Sprintf(msg(r.Lang, "invitation_link_expiry"), formatInstant(r.Lang, r.now.Add(store.InvitationLifetime))),
	})
}

// fieldProblems turns the store's validation errors ("field: rule", one a
// line) and ErrEmailTaken into a message per form field in lang; ok is
// false for any other error.
func fieldProblems(lang store.Language, err error) (map[string]string, bool) {
	if errors.Is(err, store.ErrEmailTaken) {
		return map[string]string{"email": msg(lang, "problem_email_taken")}, true
	}
	out := map[string]string{}
	for _, line := range strings.Split(err.Error(), "\n") {
		field, _, found := strings.Cut(line, ":")
		switch field {
		case "email", "name", "role", "customer", "language":
		default:
			found = false
		}
		if !found {
			return nil, false
		}
		out[field] = msg(lang, "problem_"+field)
	}
	return out, true
}
