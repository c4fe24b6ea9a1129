package portal

import (
	"cmp"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/sowflow/sowflow/calendar"
	"github.com/sowflow/sowflow/catalog"
	"github.com/sowflow/sowflow/store"
	"github.com/sowflow/sowflow/workflows"
)

// The delivery manager's dashboard: across the projects the manager may
// see, what needs attention — overdue deliverables, acceptance windows
// closing within windowHorizon working days, contract clocks (activation
// deadlines) warned or breached, tickets breached or about to be, and
// deadlines computed on a provisional calendar. Everything is read through
// the API (projects, their states, services, tickets) as the manager.

func init() {
	addNav(navEntry{Order: 15, Path: pathDashboard, Key: "mgr_nav_dashboard", Roles: []store.Role{store.RoleManager}})
	addNav(navEntry{Order: 16, Path: pathNewProject, Key: "mgr_nav_new_project", Roles: []store.Role{store.RoleManager}})
}

// windowHorizon is how many working days ahead the dashboard looks for
// closing acceptance windows.
const windowHorizon = 5

// dashboardProjectLimit bounds the projects (and services) the dashboard
// reads.
const dashboardProjectLimit = 200

// ticketWarning is how long before its response is due an unanswered
// ticket is shown as warned.
const ticketWarning = time.Hour

// dashboardPage is the data of dashboard.html.
type dashboardPage struct {
	Customer, Package, Status string
	Packages                  []optionChoice
	Statuses                  []optionChoice
	Overdue                   []dashboardItem
	Closing                   []dashboardItem
	Clocks                    []dashboardItem
	Tickets                   []dashboardItem
	Provisional               []dashboardItem
	// Sections are the lists above in the page's order.
	Sections []dashboardSection
	Projects int
	// Unread are the projects listed without a state.
	Unread []string
	// Truncated is set when more projects match than the dashboard reads.
	Truncated bool
}

// dashboardSection is one list of the dashboard.
type dashboardSection struct {
	ID, Title, Col, Hint string
	Items                []dashboardItem
}

// dashboardItem is one row: what, on which project, when.
type dashboardItem struct {
	Project, ProjectPath, What, Link, When, Left string
	at                                           time.Time
}

// projectList is a page of GET /v1/projects; with include=state each item
// carries its state.
type projectList struct {
	Items      []projectListItem `json:"items"`
	NextCursor string            `json:"next_cursor"`
}

// projectListItem is one project of a projectList.
type projectListItem struct {
	store.ProjectSummary
	State *workflows.ProjectState `json:"state"`
}

type serviceList struct {
	Items []store.ServiceSummary `json:"items"`
}

type ticketList struct {
	Items []store.TicketSummary `json:"items"`
}

func (p *Portal) showDashboard(w http.ResponseWriter, r *request) {
	if !p.onlyManagers(w, r) {
		return
	}
	q := r.URL.Query()
	page := dashboardPage{Customer: q.Get("customer"), Package: q.Get("package"), Status: q.Get("status")}
	if !q.Has("status") {
		page.Status = string(workflows.StatusActive)
	}
	for _, s := range []string{"", "active", "completed", "expired", "terminated"} {
		label := msg(r.Lang, "mgr_any_status")
		if s != "" {
			label = statusName(r.Lang, s)
		}
		page.Statuses = append(page.Statuses, optionChoice{Value: s, Label: label, Checked: s == page.Status})
	}
	var cat catalog.Catalog
	if err := p.call(r, http.MethodGet, "/v1/catalog", "", nil, &cat); err != nil {
		p.apiFailed(w, r, "read catalog", err)
		return
	}
	page.Packages = append(page.Packages, optionChoice{Label: msg(r.Lang, "mgr_any_package"), Checked: page.Package == ""})
	for _, pkg := range cat.Packages() {
		if pkg.Kind == catalog.KindProject {
			page.Packages = append(page.Packages, optionChoice{Value: pkg.Code, Label: pkg.Name, Checked: pkg.Code == page.Package})
		}
	}

	// One read of the read model for every project's state, not a
	// workflow query each.
	filter := url.Values{"limit": {strconv.Itoa(dashboardProjectLimit)}, "include": {"state"}}
	for k, v := range map[string]string{"customer": page.Customer, "package": page.Package, "status": page.Status} {
		if v != "" {
			filter.Set(k, v)
		}
	}
	var list projectList
	if err := p.call(r, http.MethodGet, "/v1/projects?"+filter.Encode(), "", nil, &list); err != nil {
		p.apiFailed(w, r, "list projects", err)
		return
	}
	page.Projects, page.Truncated = len(list.Items), list.NextCursor != ""
	for _, it := range list.Items {
		if it.State == nil {
			page.Unread = append(page.Unread, it.ID)
			continue
		}
		page.addProject(r, *it.State)
	}
	if page.Package == "" {
		if err := p.addTickets(r, &page); err != nil {
			p.apiFailed(w, r, "list tickets", err)
			return
		}
	}
	for _, items := range []*[]dashboardItem{&page.Overdue, &page.Closing, &page.Clocks, &page.Tickets, &page.Provisional} {
		slices.SortStableFunc(*items, func(a, b dashboardItem) int { return a.at.Compare(b.at) })
	}
	for _, s := range []struct {
		id, col string
		items   []dashboardItem
	}{{"overdue", "mgr_deliverable", page.Overdue}, {"closing", "mgr_deliverable", page.Closing}, {"clocks", "mgr_clock", page.Clocks},
		{"tickets", "mgr_ticket", page.Tickets}, {"provisional", "mgr_deadline", page.Provisional}} {
		sec := dashboardSection{ID: s.id, Title: msg(r.Lang, "mgr_"+s.id+"_title"), Col: msg(r.Lang, s.col), Items: s.items}
		if hint, ok := messages[r.Lang]["mgr_"+s.id+"_hint"]; ok {
			sec.Hint = hint
		}
		page.Sections = append(page.Sections, sec)
	}
	v := p.newView(r, "mgr_dashboard_title")
	v.Page = page
	p.render(w, r, http.StatusOK, "dashboard", v)
}

// addProject adds what needs attention on the project st.
func (page *dashboardPage) addProject(r *request, st workflows.ProjectState) {
	now := r.now
	item := func(what, link string, at time.Time) dashboardItem {
		return dashboardItem{Project: st.ProjectID, ProjectPath: projectPath(st.ProjectID), What: what, Link: link,
			When: formatInstant(r.Lang, at), Left: workingDaysLeft(r.Lang, now, at), at: at}
	}
	for _, d := range st.Deliverables {
		link := projectPath(st.ProjectID) + "/deliverables/" + url.PathEscape(d.Key)
		if d.Overdue || (!d.Deadline.IsZero() && d.Deadline.Before(now) && d.Status != workflows.DeliverableAccepted) {
			page.Overdue = append(page.Overdue, item(d.Name, link, d.Deadline))
		}
		if d.Provisional && !d.Deadline.IsZero() {
			page.Provisional = append(page.Provisional, item(d.Name, link, d.Deadline))
		}
		for _, round := range d.Rounds {
			for _, s := range round.Submissions {
				closes := s.Window.Closes.At
				if s.Decision != nil || s.Window.Closed || closes.IsZero() || !closes.After(now) {
					continue
				}
				if workingDaysBetween(now, closes) <= windowHorizon {
					page.Closing = append(page.Closing, item(d.Name+" · "+s.Title, link, closes))
				}
			}
		}
	}
	for _, c := range st.Clocks {
		if c.Status == workflows.ClockMet {
			continue
		}
		warned := !c.WarnedAt.IsZero() || (c.Warning != nil && !c.Warning.At.After(now))
		if c.Status == workflows.ClockBreached || warned {
			it := item(c.Name, projectPath(st.ProjectID), c.Deadline.At)
			if c.Status == workflows.ClockBreached {
				it.Left = msg(r.Lang, "mgr_breached")
			}
			page.Clocks = append(page.Clocks, it)
		}
		if c.Deadline.Provisional {
			page.Provisional = append(page.Provisional, item(c.Name, projectPath(st.ProjectID), c.Deadline.At))
		}
	}
	if st.Validity.End.Provisional {
		page.Provisional = append(page.Provisional, item(msg(r.Lang, "mgr_validity_end"), projectPath(st.ProjectID), st.Validity.End.At))
	}
}

// addTickets adds the tickets breached or close to breaching of the
// services of the dashboard's customer (every customer when none).
func (p *Portal) addTickets(r *request, page *dashboardPage) error {
	filter := url.Values{"limit": {strconv.Itoa(dashboardProjectLimit)}}
	if page.Customer != "" {
		filter.Set("customer", page.Customer)
	}
	var services serviceList
	if err := p.call(r, http.MethodGet, "/v1/services?"+filter.Encode(), "", nil, &services); err != nil {
		return err
	}
	for _, s := range services.Items {
		if s.OpenTickets == 0 && s.TicketsBreached == 0 {
			continue
		}
		var tickets ticketList
		if err := p.call(r, http.MethodGet, "/v1/services/"+url.PathEscape(s.ID)+"/tickets?limit=200", "", nil, &tickets); err != nil {
			return err
		}
		for _, t := range tickets.Items {
			if t.Status == string(workflows.TicketClosed) {
				continue
			}
			due := cmp.Or(derefTime(t.ResponseDue), t.OpenedAt)
			warned := t.RespondedAt == nil && t.ResponseDue != nil && t.ResponseDue.Sub(r.now) < ticketWarning
			if !t.Breached && !warned {
				continue
			}
			it := dashboardItem{Project: s.ID, ProjectPath: "/services/" + url.PathEscape(s.ID),
				What: "#" + strconv.Itoa(t.Number) + " " + t.Title + " (" + t.Severity + ")",
				Link: "/services/" + url.PathEscape(s.ID) + "/tickets/" + strconv.Itoa(t.Number),
				When: formatInstant(r.Lang, due), Left: msg(r.Lang, "mgr_ticket_warned"), at: due}
			if t.Breached {
				it.Left = msg(r.Lang, "mgr_breached")
			}
			page.Tickets = append(page.Tickets, it)
		}
	}
	return nil
}

func derefTime(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}

// workingDaysBetween counts the China working days after now's day up to
// the day of t (a deadline at 24:00 counts its own day).
func workingDaysBetween(now, t time.Time) int {
	cal := calendar.China()
	from := calendar.DateOf(now)
	to := calendar.DateOf(t.Add(-time.Nanosecond))
	n := 0
	for d := from.AddDays(1); !d.After(to); d = d.AddDays(1) {
		if working, _ := cal.WorkingDay(d); working {
			n++
		}
	}
	return n
}
