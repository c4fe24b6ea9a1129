package load

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/sowflow/sowflow/calendar"
	"github.com/sowflow/sowflow/catalog"
	"github.com/sowflow/sowflow/plan"
	"github.com/sowflow/sowflow/workflows"
)

// Scenario names one kind of unit of work in the mix.
type Scenario string

// The scenarios of the mix.
const (
	// ScenarioProject runs a project of ProjectPackages through its whole
	// lifecycle: start; per phase, submit and accept each required
	// deliverable, then advance; in the last phase the first deliverable is
	// rejected and resubmitted before it is accepted, and the customer
	// signs final acceptance.
	ScenarioProject Scenario = "project"
	// ScenarioService starts a partner support service and runs tickets
	// through open, respond, resolve and close.
	ScenarioService Scenario = "service"
	// ScenarioSLA starts a mail-SLA month for a fresh account and records
	// outages in it.
	ScenarioSLA Scenario = "sla"
	// ScenarioHold starts a project and submits its first deliverable, then
	// leaves it: a live project with a running acceptance window, as a
	// worker's memory holds it.
	ScenarioHold Scenario = "hold"
)

// ProjectPackages are the project packages the project scenario takes
// turns with: packages whose deliverables are each owed once and need no
// measured values.
var ProjectPackages = []string{"managed-services", "dingtalk-enterprise-base"}

// servicePackage is the support plan of the service scenario.
const servicePackage = "partner-elite"

// ticketsPerService and outagesPerPeriod size the service and SLA scenarios.
const (
	ticketsPerService = 2
	outagesPerPeriod  = 2
)

// docSHA256 is the checksum every submitted document claims.
const docSHA256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

// unit is one running scenario: its driver, where it records what happened
// and the names it makes.
type unit struct {
	d        Driver
	rec      *recorder
	customer string
	id       string
	observe  func(action string, ok bool)
}

// do performs c and records it; it reports whether c succeeded.
func (u *unit) do(ctx context.Context, c call) (outcome, bool) {
	out := u.d.do(ctx, c)
	u.rec.add(c, out)
	if u.observe != nil {
		u.observe(c.action, out.err == "")
	}
	return out, out.err == ""
}

// run runs scenario s as unit u; it stops at the first failed action (the
// failure is in the report).
func (u *unit) run(ctx context.Context, s Scenario, n int) {
	switch s {
	case ScenarioProject:
		u.project(ctx, ProjectPackages[n%len(ProjectPackages)], false)
	case ScenarioHold:
		u.project(ctx, ProjectPackages[0], true)
	case ScenarioService:
		u.service(ctx)
	case ScenarioSLA:
		u.slaPeriod(ctx)
	}
}

// now is the instant the mix's dates are taken from, in CST.
func now() time.Time { return time.Now().In(calendar.Zone()) }

func (u *unit) project(ctx context.Context, pkg string, hold bool) {
	p, err := catalog.Default().Plan(pkg, catalog.Options{})
	if err != nil {
		u.rec.add(call{action: "project.start"}, outcome{err: "catalog " + pkg})
		return
	}
	wp := p.Workflow()
	id := u.id
	ref := Ref{Kind: "project", Path: "/v1/projects/" + id, WorkflowID: workflows.ProjectWorkflowID(id), ID: id}
	t := now()
	dates := map[string]string{}
	in := workflows.ProjectInput{ProjectID: id, CustomerID: u.customer, Plan: wp,
		Dates: workflows.ContractDates{Purchase: t, Payment: t, ContractSigning: t, ContractEffective: t, Order: t, Application: t.AddDate(0, -2, 0)}}
	for k, v := range map[string]time.Time{"purchase": t, "payment": t, "contract_signing": t, "contract_effective": t, "order": t, "application": t.AddDate(0, -2, 0)} {
		dates[k] = v.Format(time.RFC3339)
	}
	start := call{action: "project.start", as: Manager, ref: ref, path: "/v1/projects",
		body:       map[string]any{"project_id": id, "customer_id": u.customer, "package": pkg, "dates": dates},
		startEvent: workflows.EventProjectStarted,
		start: &startCall{workflow: workflows.ProjectWorkflowName,
			attrs: map[string]string{workflows.AttrCustomer.GetName(): u.customer, workflows.AttrPackage.GetName(): pkg,
				workflows.AttrStatus.GetName(): string(workflows.StatusActive)},
			input: func(a workflows.Actor, requestID string) any {
				in := in
				in.StartedBy, in.RequestID = a, requestID
				return in
			}},
	}
	if _, ok := u.do(ctx, start); !ok {
		return
	}
	last := len(wp.Phases) - 1
	for i, ph := range wp.Phases {
		owed := owedOnce(ph)
		for j, key := range owed {
			if !u.submit(ctx, ref, key, 1) {
				return
			}
			if hold {
				return
			}
			if i == last && j == 0 {
				if !u.decide(ctx, ref, key, workflows.DecisionReject) || !u.submit(ctx, ref, key, 2) ||
					!u.decide(ctx, ref, key, workflows.DecisionAccept) {
					return
				}
				continue
			}
			if !u.decide(ctx, ref, key, workflows.DecisionAccept) {
				return
			}
		}
		if i < last {
			from := ph.Key
			if _, ok := u.do(ctx, call{action: "phase.advance", as: Manager, ref: ref, path: ref.Path + "/phases/" + from + "/advance",
				update: workflows.UpdateAdvancePhase,
				arg:    func(m workflows.ActionMeta) any { return workflows.AdvancePhase{ActionMeta: m, From: from} }}); !ok {
				return
			}
		}
	}
	u.do(ctx, call{action: "project.final-acceptance", as: Customer, ref: ref, path: ref.Path + "/final-acceptance",
		update: workflows.UpdateSignFinalAcceptance,
		arg:    func(m workflows.ActionMeta) any { return workflows.SignFinalAcceptance{ActionMeta: m} }})
}

// owedOnce lists the phase's required deliverables owed once.
func owedOnce(ph plan.Phase) []string {
	var keys []string
	for _, d := range ph.Deliverables {
		if d.Required && d.Recurrence == plan.RecurOnce {
			keys = append(keys, d.Key)
		}
	}
	return keys
}

func (u *unit) submit(ctx context.Context, ref Ref, key string, round int) bool {
	title, uri := "Load "+key, "https://docs.example.com/"+u.id+"/"+key+"-"+strconv.Itoa(round)+".pdf"
	_, ok := u.do(ctx, call{action: "deliverable.submit", as: Manager, ref: ref, path: ref.Path + "/deliverables/" + key + "/submissions",
		body:   map[string]any{"title": title, "uri": uri, "sha256": docSHA256},
		update: workflows.UpdateSubmitDeliverable,
		arg: func(m workflows.ActionMeta) any {
			return workflows.SubmitDeliverable{ActionMeta: m, Deliverable: key, Title: title, URI: uri, SHA256: docSHA256}
		}})
	return ok
}

func (u *unit) decide(ctx context.Context, ref Ref, key string, d workflows.Decision) bool {
	body := map[string]any{"decision": string(d)}
	reason := ""
	if d == workflows.DecisionReject {
		reason = "section 3 lacks the SLA figures"
		body["reason"] = reason
	}
	_, ok := u.do(ctx, call{action: "deliverable." + string(d), as: Customer, ref: ref, path: ref.Path + "/deliverables/" + key + "/decision",
		body: body, update: workflows.UpdateDecideDeliverable,
		arg: func(m workflows.ActionMeta) any {
			return workflows.DecideDeliverable{ActionMeta: m, Deliverable: key, Decision: d, Reason: reason}
		}})
	return ok
}

func (u *unit) service(ctx context.Context) {
	id := u.id
	ref := Ref{Kind: "service", Path: "/v1/services/" + id, WorkflowID: workflows.ServiceWorkflowID(id), ID: id}
	t := now()
	p, err := catalog.Default().Plan(servicePackage, catalog.Options{})
	var sp plan.ServicePlan
	if err == nil {
		sp, err = p.Service(t.Truncate(time.Second), time.Time{})
	}
	if err != nil {
		u.rec.add(call{action: "service.start"}, outcome{err: "catalog " + servicePackage})
		return
	}
	start := call{action: "service.start", as: Manager, ref: ref, path: "/v1/services",
		body:       map[string]any{"service_id": id, "customer_id": u.customer, "package": servicePackage, "start": t.Format(time.RFC3339)},
		startEvent: workflows.EventServiceStarted,
		start: &startCall{workflow: workflows.ServiceWorkflowName,
			attrs: map[string]string{workflows.AttrCustomer.GetName(): u.customer, workflows.AttrPackage.GetName(): servicePackage},
			input: func(a workflows.Actor, requestID string) any {
				return workflows.ServiceInput{ServiceID: id, CustomerID: u.customer, Plan: sp, StartedBy: a, RequestID: requestID}
			}},
	}
	if _, ok := u.do(ctx, start); !ok {
		return
	}
	for i := range ticketsPerService {
		title := fmt.Sprintf("Load ticket %d of %s", i+1, id)
		out, ok := u.do(ctx, call{action: "ticket.open", as: Customer, ref: ref, path: ref.Path + "/tickets",
			body:   map[string]any{"severity": "medium", "title": title},
			update: workflows.UpdateOpenTicket,
			arg: func(m workflows.ActionMeta) any {
				return workflows.OpenTicket{ActionMeta: m, Severity: "medium", Title: title}
			}})
		if !ok {
			return
		}
		n := out.ticket
		tref := Ref{Kind: "ticket", Path: ref.Path + "/tickets/" + strconv.Itoa(n), WorkflowID: workflows.TicketWorkflowID(id, n), ID: id, Ticket: n}
		steps := []call{
			{action: "ticket.respond", as: Manager, ref: tref, path: tref.Path + "/response", update: workflows.UpdateRespondTicket,
				arg: func(m workflows.ActionMeta) any { return workflows.RespondTicket{ActionMeta: m} }},
			{action: "ticket.resolve", as: Manager, ref: tref, path: tref.Path + "/resolution", body: map[string]any{"resolution": "restarted the service"},
				update: workflows.UpdateResolveTicket,
				arg: func(m workflows.ActionMeta) any {
					return workflows.ResolveTicket{ActionMeta: m, Resolution: "restarted the service"}
				}},
			{action: "ticket.close", as: Customer, ref: tref, path: tref.Path + "/closure", update: workflows.UpdateConfirmClosure,
				arg: func(m workflows.ActionMeta) any { return workflows.ConfirmClosure{ActionMeta: m} }},
		}
		for _, c := range steps {
			if _, ok := u.do(ctx, c); !ok {
				return
			}
		}
	}
}

func (u *unit) slaPeriod(ctx context.Context) {
	t := now()
	periodStart := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, calendar.Zone())
	period := periodStart.Format("2006-01")
	account := u.id + "@load.example"
	ref := Ref{Kind: "sla-period", Path: "/v1/sla-periods/" + account + "/" + period,
		WorkflowID: workflows.SLAPeriodWorkflowID(account, period), ID: account, Period: period}
	const fee = 120000
	start := call{action: "sla.start", as: Manager, ref: ref, path: "/v1/sla-periods",
		body: map[string]any{"account": account, "customer_id": u.customer, "service": "email", "period": period,
			"monthly_fee_cents": fee, "currency": "CNY"},
		startEvent: workflows.EventSLAPeriodStarted,
		start: &startCall{workflow: workflows.SLAPeriodWorkflowName,
			attrs: map[string]string{workflows.AttrCustomer.GetName(): u.customer},
			input: func(a workflows.Actor, requestID string) any {
				return workflows.SLAPeriodInput{Account: account, CustomerID: u.customer, Service: workflows.SLAEmail, Period: period,
					MonthlyFeeCents: fee, Currency: "CNY", StartedBy: a, RequestID: requestID}
			}},
	}
	if _, ok := u.do(ctx, start); !ok {
		return
	}
	for i := range outagesPerPeriod {
		at := periodStart.Add(time.Duration(2+3*i) * time.Hour)
		_, ok := u.do(ctx, call{action: "sla.outage", as: Manager, ref: ref, path: ref.Path + "/outages",
			body: map[string]any{"start": at.Format(time.RFC3339), "minutes": 15, "note": "IMAP front-end down"}, update: workflows.UpdateRecordOutage,
			arg: func(m workflows.ActionMeta) any {
				return workflows.RecordOutage{ActionMeta: m, Start: at, Minutes: 15, Note: "IMAP front-end down"}
			}})
		if !ok {
			return
		}
	}
}
