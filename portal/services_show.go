package portal

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/sowflow/sowflow/calendar"
	"github.com/sowflow/sowflow/store"
)

// The services pages: the list of services and SLA periods, a service with
// its tickets and quotas, a ticket, an SLA period.
const (
	pathServices = "/services"
	pathSLA      = "/sla"
)

// serviceReaders are the roles the API lets read services and SLA periods.
var serviceReaders = []store.Role{store.RoleManager, store.RoleCustomer, store.RoleAuditor}

func init() {
	addNav(navEntry{Order: 30, Path: pathServices, Key: "nav_services", Roles: serviceReaders})
}

// servicesPage is the data of GET /services.
type servicesPage struct {
	Services []serviceRow
	Periods  []slaRow
}

type serviceRow struct {
	ID, CustomerID, Package, Status, Year string
	OpenTickets, Opened, Breached         int
}

type slaRow struct {
	Account, Period, CustomerID, Service, Status string
	Availability, Compensation, ClaimWindow      string
	Claimed                                      bool
}

// showServices lists the services and SLA periods the person may see, as
// the API lists them (a customer's own only).
func (p *Portal) showServices(w http.ResponseWriter, r *request) {
	var services struct {
		Items []store.ServiceSummary `json:"items"`
	}
	if err := p.call(r, http.MethodGet, "/v1/services?limit=200", "", nil, &services); err != nil {
		p.apiFailed(w, r, "list services", err)
		return
	}
	var periods struct {
		Items []store.SLAPeriodSummary `json:"items"`
	}
	if err := p.call(r, http.MethodGet, "/v1/sla-periods?limit=200", "", nil, &periods); err != nil {
		p.apiFailed(w, r, "list sla periods", err)
		return
	}
	var page servicesPage
	for _, s := range services.Items {
		row := serviceRow{ID: s.ID, CustomerID: s.CustomerID, Package: s.PackageCode, Status: serviceStatusName(r.Lang, s.Status),
			OpenTickets: s.OpenTickets, Opened: s.TicketsOpened, Breached: s.TicketsBreached,
			Year: svcDate(r.Lang, s.YearStart) + " – " + svcDate(r.Lang, s.YearEnd.Add(-time.Nanosecond))}
		if pkg, ok := p.deps.Catalog.Package(s.PackageCode); ok {
			row.Package = pkg.Name
		}
		page.Services = append(page.Services, row)
	}
	for _, s := range periods.Items {
		row := slaRow{Account: s.Account, Period: s.Period, CustomerID: s.CustomerID, Service: s.Service,
			Status: slaStatusName(r.Lang, s.Status), Claimed: s.Claimed, Availability: msg(r.Lang, "svc_not_yet"), Compensation: msg(r.Lang, "svc_not_yet")}
		if s.AvailabilityPct != nil {
			row.Availability = *s.AvailabilityPct + "%"
		}
		if s.CompensationPct != nil {
			row.Compensation = strconv.Itoa(*s.CompensationPct) + "%"
		}
		if s.ClaimOpens != nil && s.ClaimCloses != nil {
			row.ClaimWindow = formatInstant(r.Lang, *s.ClaimOpens) + " – " + formatInstant(r.Lang, *s.ClaimCloses)
		}
		page.Periods = append(page.Periods, row)
	}
	v := p.newView(r, "services_title")
	v.Page = page
	p.render(w, r, http.StatusOK, "services", v)
}

// serviceStatusName is a service's status in lang.
func serviceStatusName(lang store.Language, status string) string {
	if s, ok := messages[lang]["service_status_"+status]; ok {
		return s
	}
	return status
}

// slaStatusName is an SLA period's status in lang.
func slaStatusName(lang store.Language, status string) string {
	if s, ok := messages[lang]["sla_status_"+status]; ok {
		return s
	}
	return status
}

// ticketStatusName is a ticket's status in lang.
func ticketStatusName(lang store.Language, status string) string {
	if s, ok := messages[lang]["ticket_status_"+status]; ok {
		return s
	}
	return status
}

// svcDate writes the CST date of t with its weekday.
func svcDate(lang store.Language, t time.Time) string {
	t = t.In(calendar.Zone())
	return fmt.Sprintf(msg(lang, "svc_date_format"), t.Year(), int(t.Month()), t.Day(), msg(lang, fmt.Sprintf("weekday_%d", int(t.Weekday()))))
}

// doneField is the query parameter a form's redirect names what was done
// with, for the page's notice.
const doneField = "done"

// svcNotice is the notice of the action named by the request's done
// parameter, or "".
func svcNotice(r *request) string {
	if s, ok := messages[r.Lang]["svc_done_"+r.URL.Query().Get(doneField)]; ok {
		return s
	}
	return ""
}
