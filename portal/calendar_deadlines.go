package portal

import (
	"fmt"
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

// calendarListLimit is how many projects, services, tickets and SLA periods
// the calendar reads of each kind (the API's largest page).
const calendarListLimit = 200

// calDeadline is one deadline of the person as the calendar shows it.
type calDeadline struct {
	// Kind is the deadline's kind (window, activation, lead, validity,
	// claim, response): its CSS class and the word for it.
	Kind string
	// What is the kind in words; Name what it is the deadline of.
	What, Name string
	// Path is the portal page of what it is the deadline of.
	Path string
	// At is the instant in words; Day the CST date it falls on (a period
	// ending at 24:00 falls on the day it ends).
	At          string
	Day         calendar.Date
	instant     time.Time
	Provisional bool
}

// hasLeadTimes says whether the package's contract has lead times, whose
// dates GET /v1/projects/{id}/lead-dates answers.
func hasLeadTimes(cat *catalog.Catalog, code string) bool {
	pkg, ok := cat.Package(code)
	return ok && slices.ContainsFunc(pkg.Prerequisites, func(pr catalog.Prerequisite) bool { return pr.LeadTime != nil })
}

// calendarDeadlines reads the signed-in person's pending deadlines from from
// to to (inclusive) through the API, which scopes every list and state
// read to what the person may see (the projects' states come with their
// list, from the read model): acceptance windows awaiting a decision,
// running contract clocks (activation, lead times), the validity's end,
// the contract dates lead times join,
// SLA claim windows not yet claimed and, for managers, tickets' response
// due. A read that fails leaves its deadlines out and sets partial.
func (p *Portal) calendarDeadlines(r *request, from, to calendar.Date) (out []calDeadline, partial bool) {
	lang := r.Lang
	add := func(d calDeadline, at time.Time) {
		d.Day = lastDay(at)
		if d.Day.Before(from) || d.Day.After(to) {
			return
		}
		d.instant, d.At = at, formatInstant(lang, at)
		d.What = msg(lang, "cal_kind_"+d.Kind)
		out = append(out, d)
	}
	failed := func(op string, err error) {
		partial = true
		p.deps.Logger.Warn("portal calendar: "+op, "error", err.Error())
	}

	var projects projectList
	if err := p.call(r, http.MethodGet, "/v1/projects?status=active&include=state&limit="+strconv.Itoa(calendarListLimit), "", nil, &projects); err != nil {
		failed("list projects", err)
	}
	for _, ps := range projects.Items {
		if ps.State == nil {
			failed("list project states", fmt.Errorf("project %s listed without its state", ps.ID))
			continue
		}
		st := *ps.State
		name := ps.ID
		if pkg, ok := p.deps.Catalog.Package(ps.PackageCode); ok {
			name = ps.ID + " · " + pkg.Name
		}
		for _, d := range st.Deliverables {
			for _, rd := range d.Rounds {
				for _, s := range rd.Submissions {
					if s.Decision != nil || s.Window.Closed || s.Window.Closes.At.IsZero() {
						continue
					}
					add(calDeadline{Kind: "window", Name: d.Name + " · " + ps.ID, Path: deliverablePath(ps.ID, d.Key),
						Provisional: s.Window.Closes.Provisional}, s.Window.Closes.At)
				}
			}
		}
		for _, c := range st.Clocks {
			if c.Status != workflows.ClockRunning && c.Status != workflows.ClockPaused || c.Deadline.At.IsZero() {
				continue
			}
			kind := "lead"
			if c.Key == "activation" {
				kind = "activation"
			}
			add(calDeadline{Kind: kind, Name: c.Name + " · " + name, Path: projectPath(ps.ID), Provisional: c.Deadline.Provisional}, c.Deadline.At)
		}
		if end := st.Validity.End; !end.At.IsZero() {
			add(calDeadline{Kind: "validity", Name: name, Path: projectPath(ps.ID), Provisional: end.Provisional}, end.At)
		}
		if !hasLeadTimes(p.deps.Catalog, ps.PackageCode) {
			continue
		}
		dates, err := p.leadDates(r, ps.ID)
		if err != nil {
			failed("read lead dates", err)
			continue
		}
		for _, d := range dates {
			add(calDeadline{Kind: "lead_date", Name: word(lang, "pc_event_date_", d.Event) + " · " + name, Path: projectPath(ps.ID)}, d.At)
		}
	}

	var periods struct {
		Items []store.SLAPeriodSummary `json:"items"`
	}
	if err := p.call(r, http.MethodGet, "/v1/sla-periods?limit="+strconv.Itoa(calendarListLimit), "", nil, &periods); err != nil {
		failed("list sla periods", err)
	}
	for _, s := range periods.Items {
		if s.Claimed || s.ClaimCloses == nil || s.Status == "closed" {
			continue
		}
		add(calDeadline{Kind: "claim", Name: s.Account + " · " + s.Period,
			Path: pathSLA + "/" + url.PathEscape(s.Account) + "/" + url.PathEscape(s.Period)}, *s.ClaimCloses)
	}

	if r.Session.Person.Role == store.RoleManager {
		var services struct {
			Items []store.ServiceSummary `json:"items"`
		}
		if err := p.call(r, http.MethodGet, "/v1/services?status=active&limit="+strconv.Itoa(calendarListLimit), "", nil, &services); err != nil {
			failed("list services", err)
		}
		for _, sv := range services.Items {
			if sv.OpenTickets == 0 {
				continue
			}
			var tickets struct {
				Items []store.TicketSummary `json:"items"`
			}
			path := fmt.Sprintf("/v1/services/%s/tickets?status=open&limit=%d", url.PathEscape(sv.ID), calendarListLimit)
			if err := p.call(r, http.MethodGet, path, "", nil, &tickets); err != nil {
				failed("list tickets", err)
				continue
			}
			for _, t := range tickets.Items {
				if t.ResponseDue == nil || t.RespondedAt != nil {
					continue
				}
				add(calDeadline{Kind: "response", Name: fmt.Sprintf("#%d %s · %s", t.Number, t.Title, sv.ID),
					Path: fmt.Sprintf("%s/%s/tickets/%d", pathServices, url.PathEscape(sv.ID), t.Number)}, *t.ResponseDue)
			}
		}
	}
	slices.SortStableFunc(out, func(a, b calDeadline) int { return a.instant.Compare(b.instant) })
	return out, partial
}
