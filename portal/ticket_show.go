package portal

import (
	"net/http"
	"strconv"

	"github.com/sowflow/sowflow/calendar"
	"github.com/sowflow/sowflow/store"
	"github.com/sowflow/sowflow/workflows"
)

// ticketPage is the data of GET /services/{id}/tickets/{n}.
type ticketPage struct {
	ServiceID, ServicePath, Path       string
	N                                  int
	Title, Description, Severity       string
	Status, Opened, OpenedBy, Response string
	Resolution, Closure                string
	Clock                              svcClock
	Severities                         []severityOption
	Reopens                            []string
	Changes                            []string
	Events                             []ticketEventRow
	// The actions the person may take now.
	CanRespond, CanResolve, CanClose, CanReopen, CanChangeSeverity bool
}

type ticketEventRow struct {
	At, Type, By string
}

// showTicket shows one ticket: its response clock, what was done and the
// actions the person may take.
func (p *Portal) showTicket(w http.ResponseWriter, r *request) {
	id, n := r.PathValue("id"), r.PathValue("n")
	var st workflows.TicketState
	if err := p.call(r, http.MethodGet, "/v1/services/"+id+"/tickets/"+n, "", nil, &st); err != nil {
		p.apiFailed(w, r, "read ticket", err)
		return
	}
	var svc workflows.ServiceState
	if err := p.call(r, http.MethodGet, "/v1/services/"+id, "", nil, &svc); err != nil {
		p.apiFailed(w, r, "read service", err)
		return
	}
	now := p.deps.Now()
	end := now
	if !st.Clock.Deadline.IsZero() {
		end = laterOf(now, st.Clock.Deadline.At)
	}
	table, _, err := p.calendarDays(r, calendar.DateOf(now.In(calendar.Zone())), calendar.DateOf(end.In(calendar.Zone())).AddDays(14))
	if err != nil {
		p.apiFailed(w, r, "read working days", err)
		return
	}
	role := r.Session.Person.Role
	page := ticketPage{ServiceID: id, ServicePath: pathServices + "/" + id, N: st.Ticket, Title: st.Title, Description: st.Description,
		Severity: st.Severity, Status: ticketStatusName(r.Lang, string(st.Status)),
		Opened: formatInstant(r.Lang, st.OpenedAt), OpenedBy: p.actor(r, st.OpenedBy.Subject, string(st.OpenedBy.Role)),
		Clock: ticketClock(r.Lang, st.Clock, st.SLA, now, table)}
	page.Path = page.ServicePath + "/tickets/" + strconv.Itoa(st.Ticket)
	if st.Response != nil {
		page.Response = p.ticketActionLine(r, *st.Response)
	}
	if st.Resolution != nil {
		page.Resolution = p.ticketActionLine(r, *st.Resolution)
	}
	if st.Closure != nil {
		page.Closure = p.ticketActionLine(r, *st.Closure)
	}
	for _, a := range st.Reopens {
		page.Reopens = append(page.Reopens, p.ticketActionLine(r, a))
	}
	for _, c := range st.SeverityChanges {
		page.Changes = append(page.Changes, formatInstant(r.Lang, c.At)+" · "+c.From+" → "+c.To+" · "+p.actor(r, c.By.Subject, string(c.By.Role))+": "+c.Reason)
	}
	for i := len(st.Events) - 1; i >= 0; i-- {
		e := st.Events[i]
		page.Events = append(page.Events, ticketEventRow{At: formatInstant(r.Lang, e.At), Type: svcEventName(r.Lang, string(e.Type)), By: p.actor(r, e.Actor.Subject, string(e.Actor.Role))})
	}
	for _, s := range svc.Tickets.Severities {
		name := s.Name
		if name == "" {
			name = s.Severity
		}
		page.Severities = append(page.Severities, severityOption{Key: s.Severity, Name: severityLabel(r.Lang, name, s.Action), Selected: s.Severity == st.Severity})
		if s.Severity == st.Severity {
			page.Severity = name
		}
	}
	open := st.Status == workflows.TicketOpen || st.Status == workflows.TicketResponded
	page.CanRespond = role == store.RoleManager && st.Status == workflows.TicketOpen
	page.CanResolve = role == store.RoleManager && open
	page.CanClose = role == store.RoleCustomer && st.Status == workflows.TicketResolved
	page.CanReopen = role == store.RoleCustomer && st.Status == workflows.TicketResolved
	page.CanChangeSeverity = (role == store.RoleManager || role == store.RoleCustomer) && open
	v := p.newView(r, "ticket_title")
	v.Title = msg(r.Lang, "ticket_title") + " #" + strconv.Itoa(st.Ticket)
	v.Notice = svcNotice(r)
	v.Page = page
	p.render(w, r, http.StatusOK, "ticket", v)
}

// ticketActionLine describes who did something to a ticket, when, with the note.
func (p *Portal) ticketActionLine(r *request, a workflows.TicketAction) string {
	s := formatInstant(r.Lang, a.At) + " · " + p.actor(r, a.By.Subject, string(a.By.Role))
	if a.Note != "" {
		s += ": " + a.Note
	}
	return s
}

// svcEventName is an event type in lang, or as recorded.
func svcEventName(lang store.Language, typ string) string {
	if s, ok := messages[lang]["svc_event_"+typ]; ok {
		return s
	}
	return typ
}
