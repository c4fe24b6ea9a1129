package portal

import (
	"fmt"
	"net/http"

	"github.com/sowflow/sowflow/store"
)

// homeProjectLimit bounds the project list of the home page.
const homeProjectLimit = 200

// homePage is the signed-in start page's data.
type homePage struct {
	Intro string
	// NoAccess is set for roles that do not read projects (admin).
	NoAccess bool
	Projects []homeProject
	// Inbox is the customer's "awaiting your decision" list (inbox_show.go);
	// nil for other roles.
	Inbox *inbox
}

type homeProject struct {
	ID, CustomerID, Package, Phase, Status string
	// Path is the project's page.
	Path         string
	NextDeadline string
	Overdue      bool
}

// showHome lists the person's projects through the API, so they are
// scoped as the API scopes them: a customer sees only their customer's
// projects; managers and auditors see every project; admins none.
func (p *Portal) showHome(w http.ResponseWriter, r *request) {
	person := r.Session.Person
	v := p.newView(r, "home_title")
	page := homePage{Intro: msg(r.Lang, "home_intro")}
	switch person.Role {
	case store.RoleAdmin:
		page.NoAccess = true
	default:
		if person.Role == store.RoleCustomer {
			page.Intro = fmt.Sprintf(msg(r.Lang, "home_intro_customer"), person.CustomerID)
			page.Inbox = p.homeInbox(r)
		}
		var list projectList
		if err := p.call(r, http.MethodGet, fmt.Sprintf("/v1/projects?limit=%d", homeProjectLimit), "", nil, &list); err != nil {
			p.apiFailed(w, r, "list projects", err)
			return
		}
		items := list.Items
		for _, it := range items {
			hp := homeProject{ID: it.ID, CustomerID: it.CustomerID, Package: it.PackageCode, Phase: it.Phase,
				Status: statusName(r.Lang, it.Status), Path: projectPath(it.ID), Overdue: it.Overdue, NextDeadline: msg(r.Lang, "none")}
			if pkg, ok := p.deps.Catalog.Package(it.PackageCode); ok {
				hp.Package = pkg.Name
				for _, ph := range pkg.Phases {
					if ph.Key == it.Phase {
						hp.Phase = ph.Name
					}
				}
			}
			if it.NextDeadline != nil {
				hp.NextDeadline = formatInstant(r.Lang, *it.NextDeadline)
			}
			page.Projects = append(page.Projects, hp)
		}
	}
	v.Notice = doneNotice(r)
	v.Page = page
	p.render(w, r, http.StatusOK, "home", v)
}

// statusName is a project status in lang, or as stored when the catalog
// has no word for it.
func statusName(lang store.Language, status string) string {
	if s, ok := messages[lang]["status_"+status]; ok {
		return s
	}
	return status
}
