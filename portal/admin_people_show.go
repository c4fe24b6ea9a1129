package portal

import (
	"net/http"

	"github.com/sowflow/sowflow/store"
)

// adminPeoplePage is the people page's data: everyone, and the create form
// (its values and per-field problems after a refused submission).
type adminPeoplePage struct {
	People []adminPerson
	Form   personForm
	// Link is an invitation link just made, shown once.
	Link       string
	LinkFor    string
	LinkExpiry string
	Roles      []roleOption
}

type adminPerson struct {
	store.Person
	RoleName, Status string
}

type roleOption struct {
	Value, Name string
}

// personForm is the create form's values and problems by field.
type personForm struct {
	Email, Name, Role, Customer, Language string
	Problems                              map[string]string
}

// adminOnly answers 403 to anyone but an admin and reports whether r may go on.
func (p *Portal) adminOnly(w http.ResponseWriter, r *request) bool {
	if r.Session.Person.Role != store.RoleAdmin {
		p.renderError(w, r, http.StatusForbidden, "error_forbidden")
		return false
	}
	return true
}

func (p *Portal) showAdminPeople(w http.ResponseWriter, r *request) {
	if !p.adminOnly(w, r) {
		return
	}
	p.renderAdminPeople(w, r, http.StatusOK, adminPeoplePage{Form: personForm{Language: string(store.LanguageChinese)}})
}

// renderAdminPeople lists everyone under page's form and link.
func (p *Portal) renderAdminPeople(w http.ResponseWriter, r *request, status int, page adminPeoplePage) {
	people, err := p.deps.Store.ListPeople(r.Context())
	if err != nil {
		p.internal(w, r, "list people", err)
		return
	}
	for _, q := range people {
		status := "status_person_active"
		switch {
		case q.Disabled:
			status = "status_person_disabled"
		case !q.HasPassword:
			status = "status_person_invited"
		}
		page.People = append(page.People, adminPerson{Person: q, RoleName: msg(r.Lang, "role_"+string(q.Role)), Status: msg(r.Lang, status)})
	}
	for _, role := range store.Roles() {
		page.Roles = append(page.Roles, roleOption{Value: string(role), Name: msg(r.Lang, "role_"+string(role))})
	}
	v := p.newView(r, "people_title")
	v.Page = page
	p.render(w, r, status, "admin_people", v)
}
