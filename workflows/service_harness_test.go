package workflows_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/sowflow/sowflow/activities"
	"github.com/sowflow/sowflow/calendar"
	"github.com/sowflow/sowflow/workflows"
)

// cst builds an instant in China Standard Time.
func cst(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, calendar.Zone())
}

var hours9to17 = calendar.Hours{Open: 9 * time.Hour, Close: 17 * time.Hour}

func minutes(n int) calendar.Spec { return calendar.Spec{Kind: calendar.Minutes, N: n} }

func businessMinutes(n int) calendar.Spec {
	return calendar.Spec{Kind: calendar.BusinessMinutes, N: n, Hours: hours9to17}
}

// partnerTargets are the Partner Growth Plan response targets (seed 001),
// 7x24.
func partnerTargets() []workflows.ResponseTarget {
	return []workflows.ResponseTarget{
		{Severity: "critical", Name: "Critical", Action: "response", Target: minutes(15)},
		{Severity: "urgent", Name: "Urgent", Action: "response", Target: minutes(40)},
		{Severity: "high", Name: "High", Action: "response", Target: minutes(4 * 60)},
		{Severity: "medium", Name: "Medium", Action: "response", Target: minutes(8 * 60)},
		{Severity: "low", Name: "Low", Action: "response", Target: minutes(18 * 60)},
	}
}

// remoteOMTargets are the Remote O&M targets (seed 000): routine issues in
// 120 business minutes (5x8, 09:00–17:00 CST), critical failures in 60
// minutes 7x24.
func remoteOMTargets() []workflows.ResponseTarget {
	return []workflows.ResponseTarget{
		{Severity: "critical", Name: "Critical failure", Action: "response", Target: minutes(60)},
		{Severity: "routine", Name: "Routine issue", Action: "response", Target: businessMinutes(120)},
	}
}

// partnerElitePlan is a Partner Growth Plan Elite-like plan for the year
// from start.
func partnerElitePlan(start time.Time, months int) workflows.ServicePlan {
	return workflows.ServicePlan{
		PackageCode: "partner-elite", PackageName: "Partner Growth Plan Elite", CatalogVersion: "test",
		Start: start, End: start.AddDate(0, months, 0),
		ResponseTargets: partnerTargets(),
		Quotas: []workflows.ServiceQuota{
			{Key: "health-check", Name: "Cloud Resource Health check based on Advisor", Limit: 1, Period: workflows.PeriodMonth, Unit: "health check"},
			{Key: "critical-time-guarantee", Name: "Critical Time Guarantee", Limit: 2, Period: workflows.PeriodYear, Unit: "guarantee"},
			{Key: "migration-consulting", Name: "Cloud Migration Consulting Service", Limit: 2, Period: workflows.PeriodYear},
			{Key: "landing-zone-design", Name: "Landing Zone General Design", Limit: 1, Period: workflows.PeriodQuarter},
		},
		Obligations: []workflows.ServiceObligation{
			{Key: "usage-report", Name: "Product usage report", Cadence: workflows.CadenceMonthly},
			{Key: "service-summary-report", Name: "Service Summary Report", Cadence: workflows.CadenceYearly},
		},
	}
}

// remoteOMPlan is a Hybrid Base Remote O&M-like plan for the year from start.
func remoteOMPlan(start time.Time) workflows.ServicePlan {
	return workflows.ServicePlan{
		PackageCode: "hybrid-base-remote-om", PackageName: "DingTalk Hybrid Base Remote O&M Support", CatalogVersion: "test",
		Start: start, End: start.AddDate(1, 0, 0),
		ResponseTargets: remoteOMTargets(),
		Obligations: []workflows.ServiceObligation{
			{Key: "monthly-operations-report", Name: "Monthly Operations Report", Cadence: workflows.CadenceMonthly},
			{Key: "post-incident-analysis-report", Name: "Post-Incident Analysis Report", Cadence: workflows.CadencePerIncident,
				Severities: []string{"critical"}},
			{Key: "annual-service-summary-report", Name: "Annual Service Summary Report", Cadence: workflows.CadenceYearly},
		},
	}
}

// serviceDriver is the root workflow of service tests: it runs the service
// as a child, because the test environment restarts a child that continues
// as new (a root workflow that does simply ends the test).
func serviceDriver(ctx workflow.Context, in workflows.ServiceInput) (workflows.ServiceResult, error) {
	ctx = workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
		WorkflowID:        workflows.ServiceWorkflowID(in.ServiceID),
		ParentClosePolicy: enums.PARENT_CLOSE_POLICY_ABANDON,
	})
	var res workflows.ServiceResult
	err := workflow.ExecuteChildWorkflow(ctx, workflows.ServiceWorkflowName, in).Get(ctx, &res)
	return res, err
}

const serviceDriverName = "ServiceDriver"

// svc runs service, ticket and SLA period workflows in the time-skipping
// test environment with the real deadline activity.
type svc struct {
	t     testing.TB
	env   *testsuite.TestWorkflowEnvironment
	start time.Time
	mu    sync.Mutex
	req   int
	all   []*svcOutcome
	// agenda are the callbacks planned with plan, in time order.
	agenda []planned
	// proj is the fake projection of services, tickets and SLA periods.
	proj *projections
}

type planned struct {
	when time.Time
	fn   func()
}

func newSvc(t testing.TB, start time.Time) *svc {
	t.Helper()
	var suite testsuite.WorkflowTestSuite
	// Warnings and errors only: a simulated year logs every timer and task.
	suite.SetLogger(log.NewStructuredLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))))
	h := &svc{t: t, env: suite.NewTestWorkflowEnvironment(), start: start}
	deadlines := &activities.Deadlines{}
	h.env.RegisterActivityWithOptions(deadlines.ComputeDeadline, activity.RegisterOptions{Name: calendar.ComputeDeadlineActivity})
	slaActs := &activities.SLA{}
	h.env.RegisterActivityWithOptions(slaActs.ClaimWindow, activity.RegisterOptions{Name: workflows.SLAClaimWindowActivity})
	h.env.RegisterActivityWithOptions(slaActs.Compute, activity.RegisterOptions{Name: workflows.SLAComputeActivity})
	h.env.RegisterWorkflowWithOptions(workflows.ServiceWorkflow, workflow.RegisterOptions{Name: workflows.ServiceWorkflowName})
	h.env.RegisterWorkflowWithOptions(workflows.TicketWorkflow, workflow.RegisterOptions{Name: workflows.TicketWorkflowName})
	h.env.RegisterWorkflowWithOptions(workflows.SLAPeriodWorkflow, workflow.RegisterOptions{Name: workflows.SLAPeriodWorkflowName})
	h.env.RegisterWorkflowWithOptions(serviceDriver, workflow.RegisterOptions{Name: serviceDriverName})
	h.proj = &projections{}
	h.env.RegisterActivityWithOptions(h.proj.recordService, activity.RegisterOptions{Name: workflows.RecordServiceActivity})
	h.env.RegisterActivityWithOptions(h.proj.recordTicket, activity.RegisterOptions{Name: workflows.RecordTicketActivity})
	h.env.RegisterActivityWithOptions(h.proj.recordSLAPeriod, activity.RegisterOptions{Name: workflows.RecordSLAPeriodActivity})
	h.env.SetStartTime(start)
	h.env.SetTestTimeout(5 * time.Minute)
	return h
}

// meta returns action metadata with a fresh request ID.
func (h *svc) meta(a workflows.Actor) workflows.ActionMeta {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.req++
	return workflows.ActionMeta{Actor: a, RequestID: fmt.Sprintf("req-%d", h.req)}
}

// svcOutcome is what became of an update.
type svcOutcome struct {
	wf, name  string
	at        time.Time
	accepted  bool
	rejected  bool
	completed bool
	err       error
	value     any
}

func (o *svcOutcome) String() string {
	return fmt.Sprintf("%s on %s at %s", o.name, o.wf, o.at.Format(time.RFC3339))
}

// at runs fn when the workflow clock reaches the instant (callbacks
// registered before the run; instants relative to the start time).
func (h *svc) at(start, when time.Time, fn func()) {
	h.env.RegisterDelayedCallback(fn, when.Sub(start))
}

// plan runs fn when the workflow clock reaches when. Unlike at, it keeps
// one callback registered at a time (the test environment's callback queue
// is bounded), so a test may plan thousands; startAgenda arms the first.
func (h *svc) plan(when time.Time, fn func()) {
	h.agenda = append(h.agenda, planned{when: when, fn: fn})
}

// startAgenda sorts the agenda and registers its first callback; each one
// runs what is due and registers the next.
func (h *svc) startAgenda() {
	slices.SortStableFunc(h.agenda, func(a, b planned) int { return a.when.Compare(b.when) })
	var next func()
	i := 0
	next = func() {
		now := h.env.Now()
		for i < len(h.agenda) && !h.agenda[i].when.After(now) {
			h.agenda[i].fn()
			i++
		}
		if i < len(h.agenda) {
			h.env.RegisterDelayedCallback(next, h.agenda[i].when.Sub(now))
		}
	}
	if len(h.agenda) > 0 {
		h.env.RegisterDelayedCallback(next, h.agenda[0].when.Sub(h.start))
	}
}

// update sends an update to the workflow ID ("" for the root workflow).
func (h *svc) update(wf, name string, arg any) *svcOutcome {
	h.mu.Lock()
	h.req++
	id := fmt.Sprintf("update-%d", h.req)
	o := &svcOutcome{wf: wf, name: name, at: h.env.Now()}
	h.all = append(h.all, o)
	h.mu.Unlock()
	cb := &testsuite.TestUpdateCallback{
		OnAccept: func() { o.accepted = true },
		OnReject: func(err error) { o.rejected, o.err = true, err },
		OnComplete: func(v any, err error) {
			o.completed, o.err, o.value = true, err, v
		},
	}
	if wf == "" {
		h.env.UpdateWorkflow(name, id, cb, arg)
		return o
	}
	if err := h.env.UpdateWorkflowByID(wf, name, id, cb, arg); err != nil {
		o.rejected, o.err = true, err
	}
	return o
}

// query runs a query on the workflow ID ("" for the root) into out.
func (h *svc) query(wf, name string, out any) {
	h.t.Helper()
	var err error
	if wf == "" {
		v, qerr := h.env.QueryWorkflow(name)
		if err = qerr; err == nil {
			err = v.Get(out)
		}
	} else {
		v, qerr := h.env.QueryWorkflowByID(wf, name)
		if err = qerr; err == nil {
			err = v.Get(out)
		}
	}
	if err != nil {
		h.t.Errorf("query %s %s: %v", wf, name, err)
	}
}

// ok fails the test for every update that was not accepted and completed
// without error, except those listed.
func (h *svc) ok(except ...*svcOutcome) {
	h.t.Helper()
	h.mu.Lock()
	defer h.mu.Unlock()
	bad := 0
	for _, o := range h.all {
		if slices.Contains(except, o) {
			continue
		}
		if !o.accepted || !o.completed || o.err != nil {
			if bad++; bad <= 10 {
				h.t.Errorf("update %s: accepted %v completed %v error %v", o, o.accepted, o.completed, o.err)
			}
		}
	}
	if bad > 10 {
		h.t.Errorf("... %d failed updates in all", bad)
	}
}

// refused asserts that o was rejected by its validator with the type and
// rule, and returns the refusal.
func refused(t testing.TB, o *svcOutcome, typ, rule string) *workflows.Refusal {
	t.Helper()
	if !o.rejected || o.accepted {
		t.Errorf("update %s: rejected %v accepted %v (error %v); want a rejection", o, o.rejected, o.accepted, o.err)
		return nil
	}
	r, ok := workflows.AsRefusal(o.err)
	if !ok {
		t.Errorf("update %s: rejection %v is not a refusal", o, o.err)
		return nil
	}
	if r.Type != typ || r.Rule != rule {
		t.Errorf("update %s: refusal %s/%s %q, want %s/%s", o, r.Type, r.Rule, r.Message, typ, rule)
	}
	return r
}

// mentions fails unless the refusal's message contains every part.
func mentions(t testing.TB, r *workflows.Refusal, parts ...string) {
	t.Helper()
	if r == nil {
		return
	}
	for _, p := range parts {
		if !strings.Contains(r.Message, p) {
			t.Errorf("refusal %q does not mention %q", r.Message, p)
		}
	}
}

// eventsOf returns the events of the type.
func eventsOf(evs []workflows.Event, typ workflows.EventType) []workflows.Event {
	var out []workflows.Event
	for _, e := range evs {
		if e.Type == typ {
			out = append(out, e)
		}
	}
	return out
}

func sha(c byte) string { return strings.Repeat(string([]byte{c, c}), 32) }

// projections is the fake RecordService, RecordTicket and RecordSLAPeriod
// activities of the service tests: it keeps every record, by service, by
// ticket and by SLA period (workflow ID).
type projections struct {
	mu       sync.Mutex
	services map[string][]workflows.ServiceRecord
	tickets  map[ticketKey][]workflows.TicketRecord
	periods  map[string][]workflows.SLAPeriodRecord
}

type ticketKey struct {
	service string
	n       int
}

func (p *projections) recordService(_ context.Context, in workflows.ServiceRecord) (workflows.RecordResult, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.services == nil {
		p.services = map[string][]workflows.ServiceRecord{}
	}
	p.services[in.State.ServiceID] = append(p.services[in.State.ServiceID], in)
	return workflows.RecordResult{Seq: in.State.Seq}, nil
}

func (p *projections) recordTicket(_ context.Context, in workflows.TicketRecord) (workflows.RecordResult, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tickets == nil {
		p.tickets = map[ticketKey][]workflows.TicketRecord{}
	}
	k := ticketKey{in.State.ServiceID, in.State.Ticket}
	p.tickets[k] = append(p.tickets[k], in)
	return workflows.RecordResult{Seq: in.State.Seq}, nil
}

func (p *projections) recordSLAPeriod(_ context.Context, in workflows.SLAPeriodRecord) (workflows.RecordResult, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.periods == nil {
		p.periods = map[string][]workflows.SLAPeriodRecord{}
	}
	id := workflows.SLAPeriodWorkflowID(in.State.Account, in.State.Period)
	p.periods[id] = append(p.periods[id], in)
	return workflows.RecordResult{Seq: in.State.Seq}, nil
}

// slaPeriod returns the records of an account's SLA period, oldest first.
func (p *projections) slaPeriod(account, period string) []workflows.SLAPeriodRecord {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.periods[workflows.SLAPeriodWorkflowID(account, period)])
}

// service returns the records of a service, oldest first.
func (p *projections) service(id string) []workflows.ServiceRecord {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.services[id])
}

// ticket returns the records of ticket n of a service, oldest first.
func (p *projections) ticket(service string, n int) []workflows.TicketRecord {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.tickets[ticketKey{service, n}])
}

// ticketCount returns how many tickets were recorded.
func (p *projections) ticketCount() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.tickets)
}

// projectedOnce fails the test unless the records hold every event from
// first to the last state's Seq exactly once, in order, each written with
// a state at least as new as itself, and the states never go back.
func projectedOnce(t testing.TB, what string, first int64, states []int64, events [][]workflows.Event) []workflows.Event {
	t.Helper()
	var all []workflows.Event
	next, last := first, int64(0)
	for i, evs := range events {
		if states[i] < last {
			t.Errorf("%s: record %d has state %d after state %d", what, i, states[i], last)
		}
		last = states[i]
		for _, e := range evs {
			if e.Seq != next {
				t.Errorf("%s: record %d holds event %d (%s), want %d", what, i, e.Seq, e.Type, next)
			}
			if e.Seq > states[i] {
				t.Errorf("%s: event %d written with state %d", what, e.Seq, states[i])
			}
			next = e.Seq + 1
			all = append(all, e)
		}
	}
	if len(states) == 0 || next != last+1 {
		t.Errorf("%s: events written up to %d, last state %d", what, next-1, last)
	}
	return all
}
