package portal

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/sowflow/sowflow/calendar"
	"github.com/sowflow/sowflow/store"
	"github.com/sowflow/sowflow/workflows"
)

// servicePage is the data of GET /services/{id}.
type servicePage struct {
	ID, CustomerID, Package, Status, Year, Month string
	Quotas                                       []svcQuotaRow
	Tickets                                      []ticketRow
	Severities                                   []severityOption
	// CanOpen is set for the roles that may open a ticket.
	CanOpen bool
	// Form is the open-ticket form as sent, with its problems, when it was
	// refused.
	Form ticketForm
}

type svcQuotaRow struct {
	Name, Period, Unit string
	Used, Limit, Left  int
}

type ticketRow struct {
	N                             int
	Title, Severity, Status, Path string
	Clock                         svcClock
}

type severityOption struct {
	Key, Name string
	Selected  bool
}

// ticketForm is the open-ticket form's values and field problems.
type ticketForm struct {
	Severity, Title, Description string
	TitleProblem                 string
}

// maxServiceTickets bounds the tickets listed on a service's page.
const maxServiceTickets = 200

// showService shows one service: its quotas in the current period and its
// tickets with their response clocks.
func (p *Portal) showService(w http.ResponseWriter, r *request) {
	p.renderService(w, r, http.StatusOK, ticketForm{})
}

func (p *Portal) renderService(w http.ResponseWriter, r *request, status int, form ticketForm) {
	id := r.PathValue("id")
	var st workflows.ServiceState
	if err := p.call(r, http.MethodGet, "/v1/services/"+id, "", nil, &st); err != nil {
		p.apiFailed(w, r, "read service", err)
		return
	}
	var list struct {
		Items []store.TicketSummary `json:"items"`
	}
	if err := p.call(r, http.MethodGet, "/v1/services/"+id+"/tickets?limit="+strconv.Itoa(maxServiceTickets), "", nil, &list); err != nil {
		p.apiFailed(w, r, "list tickets", err)
		return
	}
	now := p.deps.Now()
	page := servicePage{ID: st.ServiceID, CustomerID: st.CustomerID, Package: st.Package.Code, Status: serviceStatusName(r.Lang, string(st.Status)),
		Year: svcDate(r.Lang, st.Start) + " – " + svcDate(r.Lang, st.End.Add(-time.Nanosecond)), Form: form,
		CanOpen: r.Session.Person.Role == store.RoleCustomer || r.Session.Person.Role == store.RoleManager}
	if pkg, ok := p.deps.Catalog.Package(st.Package.Code); ok {
		page.Package = pkg.Name
	}
	if st.Month >= 1 && st.Month <= len(st.Periods) {
		page.Month = strconv.Itoa(st.Month) + " / " + strconv.Itoa(len(st.Periods))
	}
	for _, q := range st.Quotas {
		page.Quotas = append(page.Quotas, svcQuotaRow{Name: q.Name, Period: q.Label, Unit: q.Unit, Used: q.Used, Limit: q.Limit, Left: max(q.Limit-q.Used, 0)})
	}
	for _, s := range st.Tickets.Severities {
		name := s.Name
		if name == "" {
			name = s.Severity
		}
		page.Severities = append(page.Severities, severityOption{Key: s.Severity, Name: severityLabel(r.Lang, name, s.Action), Selected: s.Severity == form.Severity})
	}
	// Each ticket's clock is of its severity's kind (a business-hour clock
	// pauses outside its hours).
	specs := map[string]calendar.Spec{}
	for _, s := range st.Tickets.Severities {
		specs[s.Severity] = s.Target
	}
	latest := now
	for _, t := range list.Items {
		if t.ResponseDue != nil {
			latest = laterOf(latest, *t.ResponseDue)
		}
	}
	table, _, err := p.calendarDays(r, calendar.DateOf(now.In(calendar.Zone())), calendar.DateOf(latest.In(calendar.Zone())).AddDays(14))
	if err != nil {
		p.apiFailed(w, r, "read working days", err)
		return
	}
	for _, t := range list.Items {
		page.Tickets = append(page.Tickets, ticketRow{N: t.Number, Title: t.Title, Severity: t.Severity, Status: ticketStatusName(r.Lang, t.Status),
			Path: pathServices + "/" + id + "/tickets/" + strconv.Itoa(t.Number), Clock: summaryClock(r.Lang, t, specs[t.Severity], now, table)})
	}
	v := p.newView(r, "service_title")
	v.Title = msg(r.Lang, "service_title") + " " + st.ServiceID
	v.Notice = svcNotice(r)
	v.Page = page
	p.render(w, r, status, "service", v)
}

// summaryClock describes the response clock of a ticket of the read model.
func summaryClock(lang store.Language, t store.TicketSummary, spec calendar.Spec, now time.Time, table dayTable) svcClock {
	switch {
	case t.ResponseDue == nil:
		return svcClock{Due: msg(lang, "none")}
	case t.RespondedAt != nil || t.Breached:
		v := svcClock{Due: fmt.Sprintf(msg(lang, "svc_clock_due"), formatInstant(lang, *t.ResponseDue)), Overdue: t.Breached}
		at, key := *t.ResponseDue, "svc_clock_breached"
		if t.RespondedAt != nil {
			at = *t.RespondedAt
			if !t.Breached {
				key = "svc_clock_met"
			}
		}
		v.Stopped = fmt.Sprintf(msg(lang, key), formatInstant(lang, at))
		return v
	case t.Status == "closed" || t.Status == "resolved":
		return svcClock{Due: fmt.Sprintf(msg(lang, "svc_clock_due"), formatInstant(lang, *t.ResponseDue))}
	}
	return describeClock(lang, spec, *t.ResponseDue, now, table)
}

// severityLabel names a severity with what its clock awaits (a response,
// an escalation) in lang; an action without a message shows as recorded.
func severityLabel(lang store.Language, name, action string) string {
	if a, ok := messages[lang]["svc_action_"+action]; ok {
		action = a
	}
	return name + " · " + action
}
