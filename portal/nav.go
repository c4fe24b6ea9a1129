package portal

import (
	"slices"
	"strings"

	"github.com/sowflow/sowflow/store"
)

// navEntry is one link of the navigation: the page at Path, named by the
// message Key, shown to Roles (every role when empty), placed by Order.
// Badge, when set, returns a count shown beside the link (0 shows none).
type navEntry struct {
	Order int
	Path  string
	Key   string
	Roles []store.Role
	Badge func(p *Portal, r *request) int
}

// navLink is a navigation link as a page shows it.
type navLink struct {
	Path, Label string
	Current     bool
	Badge       int
}

// navEntries is the navigation; each page's file adds its own link with
// addNav.
var navEntries []navEntry

// addNav adds a link to the navigation.
func addNav(e navEntry) {
	navEntries = append(navEntries, e)
	slices.SortStableFunc(navEntries, func(a, b navEntry) int { return a.Order - b.Order })
}

func init() {
	addNav(navEntry{Order: 10, Path: pathHome, Key: "nav_projects"})
	addNav(navEntry{Order: 80, Path: pathAdminPeople, Key: "nav_people", Roles: []store.Role{store.RoleAdmin}})
	addNav(navEntry{Order: 90, Path: pathProfile, Key: "nav_profile"})
}

// navFor is the navigation of the signed-in person of r: the current page
// (or the section it is in) marked.
func (p *Portal) navFor(r *request) []navLink {
	role := r.Session.Person.Role
	var out []navLink
	for _, e := range navEntries {
		if len(e.Roles) > 0 && !slices.Contains(e.Roles, role) {
			continue
		}
		l := navLink{Path: e.Path, Label: msg(r.Lang, e.Key),
			Current: r.URL.Path == e.Path || (e.Path != pathHome && strings.HasPrefix(r.URL.Path, e.Path+"/"))}
		if e.Badge != nil {
			l.Badge = e.Badge(p, r)
		}
		out = append(out, l)
	}
	return out
}
