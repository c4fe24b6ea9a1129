package workflows_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/sowflow/sowflow/activities"
	"github.com/sowflow/sowflow/calendar"
	"github.com/sowflow/sowflow/catalog"
	"github.com/sowflow/sowflow/plan"
	"github.com/sowflow/sowflow/workflows"
)

// The one test harness of the workflows: the time-skipping test
// environment with every workflow and activity registered (the real
// deadline and SLA activities, recording projections), and the updates
// sent, each with its outcome.

// t0 is when test projects start and every contract date falls: a Monday
// morning inside the embedded calendar data.
var t0 = time.Date(2026, 3, 2, 10, 0, 0, 0, calendar.Zone())

var (
	manager       = workflows.Actor{Subject: "dm@provider.example", Role: workflows.RoleManager}
	customer      = workflows.Actor{Subject: "buyer@cust-1.example", Role: workflows.RoleCustomer, CustomerID: "cust-1"}
	otherCustomer = workflows.Actor{Subject: "buyer@cust-2.example", Role: workflows.RoleCustomer, CustomerID: "cust-2"}
	auditor       = workflows.Actor{Subject: "audit@provider.example", Role: workflows.RoleAuditor}
	admin         = workflows.Actor{Subject: "admin@provider.example", Role: workflows.RoleAdmin}
)

// startOptions are valid start options for every package that takes any.
func startOptions(code string) catalog.Options {
	switch code {
	case "landing-zone-basic":
		return catalog.Options{DesignDomains: []string{catalog.DomainSecurityProtection}}
	case "dingtalk-app-customization":
		return catalog.Options{IOSDistribution: catalog.IOSDistributionUAD}
	case "hybrid-base-remote-om":
		return catalog.Options{Users: 12000}
	}
	return catalog.Options{}
}

// deadline computes a deadline on the embedded calendar, for expectations.
func deadline(t *testing.T, from time.Time, kind calendar.Kind, n int) time.Time {
	t.Helper()
	res, err := calendar.China().Deadline(from, calendar.Spec{Kind: kind, N: n})
	if err != nil {
		t.Fatal(err)
	}
	return res.Deadline
}

// recorder is the fake RecordProject activity: it keeps every record.
type recorder struct {
	mu      sync.Mutex
	records []workflows.ProjectRecord
}

func (r *recorder) record(_ context.Context, in workflows.ProjectRecord) (workflows.RecordResult, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.records = append(r.records, in)
	return workflows.RecordResult{Seq: in.State.Seq}, nil
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.records)
}

// events returns every recorded event in order.
func (r *recorder) events() []workflows.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []workflows.Event
	for _, rec := range r.records {
		out = append(out, rec.Events...)
	}
	return out
}

func (r *recorder) ofType(typ workflows.EventType) []workflows.Event {
	var out []workflows.Event
	for _, e := range r.events() {
		if e.Type == typ {
			out = append(out, e)
		}
	}
	return out
}

func (r *recorder) last() workflows.ProjectState {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.records) == 0 {
		return workflows.ProjectState{}
	}
	return r.records[len(r.records)-1].State
}

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
func partnerTargets() []plan.ResponseTarget {
	return []plan.ResponseTarget{
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
func remoteOMTargets() []plan.ResponseTarget {
	return []plan.ResponseTarget{
		{Severity: "critical", Name: "Critical failure", Action: "response", Target: minutes(60)},
		{Severity: "routine", Name: "Routine issue", Action: "response", Target: businessMinutes(120)},
	}
}

// partnerElitePlan is a Partner Growth Plan Elite-like plan for the year
// from start.
func partnerElitePlan(start time.Time, months int) plan.ServicePlan {
	return plan.ServicePlan{
		PackageCode: "partner-elite", PackageName: "Partner Growth Plan Elite", CatalogVersion: "test",
		Start: start, End: start.AddDate(0, months, 0),
		ResponseTargets: partnerTargets(),
		Quotas: []plan.ServiceQuota{
			{Key: "health-check", Name: "Cloud Resource Health check based on Advisor", Limit: 1, Period: plan.PeriodMonth, Unit: "health check"},
			{Key: "critical-time-guarantee", Name: "Critical Time Guarantee", Limit: 2, Period: plan.PeriodYear, Unit: "guarantee"},
			{Key: "migration-consulting", Name: "Cloud Migration Consulting Service", Limit: 2, Period: plan.PeriodYear},
			{Key: "landing-zone-design", Name: "Landing Zone General Design", Limit: 1, Period: plan.PeriodQuarter},
		},
		Obligations: []plan.ServiceObligation{
			{Key: "usage-report", Name: "Product usage report", Cadence: plan.CadenceMonthly},
			{Key: "service-summary-report", Name: "Service Summary Report", Cadence: plan.CadenceYearly},
		},
	}
}

// remoteOMPlan is a Hybrid Base Remote O&M-like plan for the year from start.
func remoteOMPlan(start time.Time) plan.ServicePlan {
	return plan.ServicePlan{
		PackageCode: "hybrid-base-remote-om", PackageName: "DingTalk Hybrid Base Remote O&M Support", CatalogVersion: "test",
		Start: start, End: start.AddDate(1, 0, 0),
		ResponseTargets: remoteOMTargets(),
		Obligations: []plan.ServiceObligation{
			{Key: "monthly-operations-report", Name: "Monthly Operations Report", Cadence: plan.CadenceMonthly},
			{Key: "post-incident-analysis-report", Name: "Post-Incident Analysis Report", Cadence: plan.CadencePerIncident,
				Severities: []string{"critical"}},
			{Key: "annual-service-summary-report", Name: "Annual Service Summary Report", Cadence: plan.CadenceYearly},
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

// harness runs workflows in the time-skipping test environment: a project
// (run, with the input in), or services, tickets and SLA periods (through
// their own run helpers).
type harness struct {
	t     testing.TB
	env   *testsuite.TestWorkflowEnvironment
	start time.Time
	// cal is the calendar in force for the deadline activity.
	cal atomic.Pointer[calendar.Calendar]
	// rec is the projection of the project; proj that of services,
	// tickets and SLA periods.
	rec  *recorder
	proj *projections
	// in is the project's input (run).
	in workflows.ProjectInput

	mu       sync.Mutex
	req      int
	outcomes []*outcome
	// agenda are the callbacks planned with plan, in time order.
	agenda []planned
}

type planned struct {
	when time.Time
	fn   func()
}

// newEnvHarness builds the environment starting at start.
func newEnvHarness(t testing.TB, start time.Time) *harness {
	t.Helper()
	var suite testsuite.WorkflowTestSuite
	// Warnings and errors only: a simulated year logs every timer and task.
	suite.SetLogger(log.NewStructuredLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))))
	h := &harness{t: t, env: suite.NewTestWorkflowEnvironment(), start: start, rec: &recorder{}, proj: &projections{}}
	h.cal.Store(calendar.China())
	current := func() *calendar.Calendar { return h.cal.Load() }
	deadlines := &activities.Deadlines{Calendar: current}
	h.env.RegisterActivityWithOptions(deadlines.ComputeDeadline, activity.RegisterOptions{Name: calendar.ComputeDeadlineActivity})
	slaActs := &activities.SLA{Calendar: current}
	h.env.RegisterActivityWithOptions(slaActs.ClaimWindow, activity.RegisterOptions{Name: workflows.SLAClaimWindowActivity})
	h.env.RegisterActivityWithOptions(slaActs.Compute, activity.RegisterOptions{Name: workflows.SLAComputeActivity})
	h.env.RegisterActivityWithOptions(h.rec.record, activity.RegisterOptions{Name: workflows.RecordProjectActivity})
	h.env.RegisterActivityWithOptions(h.proj.recordService, activity.RegisterOptions{Name: workflows.RecordServiceActivity})
	h.env.RegisterActivityWithOptions(h.proj.recordTicket, activity.RegisterOptions{Name: workflows.RecordTicketActivity})
	h.env.RegisterActivityWithOptions(h.proj.recordSLAPeriod, activity.RegisterOptions{Name: workflows.RecordSLAPeriodActivity})
	h.env.RegisterWorkflowWithOptions(workflows.ProjectWorkflow, workflow.RegisterOptions{Name: workflows.ProjectWorkflowName})
	h.env.RegisterWorkflowWithOptions(workflows.ServiceWorkflow, workflow.RegisterOptions{Name: workflows.ServiceWorkflowName})
	h.env.RegisterWorkflowWithOptions(workflows.TicketWorkflow, workflow.RegisterOptions{Name: workflows.TicketWorkflowName})
	h.env.RegisterWorkflowWithOptions(workflows.SLAPeriodWorkflow, workflow.RegisterOptions{Name: workflows.SLAPeriodWorkflowName})
	h.env.RegisterWorkflowWithOptions(serviceDriver, workflow.RegisterOptions{Name: serviceDriverName})
	h.env.SetStartTime(start)
	h.env.SetTestTimeout(5 * time.Minute)
	return h
}

// newHarness is a project of the package started at t0.
func newHarness(t *testing.T, code string) *harness {
	t.Helper()
	return newHarnessInput(t, projectInput(t, code, startOptions(code), t0), t0)
}

// newHarnessInput is the project of the input, started at start.
func newHarnessInput(t *testing.T, in workflows.ProjectInput, start time.Time) *harness {
	t.Helper()
	h := newEnvHarness(t, start)
	h.in = in
	return h
}

// newSvc is the environment for services, tickets and SLA periods from
// start.
func newSvc(t testing.TB, start time.Time) *harness { return newEnvHarness(t, start) }

// meta returns action metadata with a fresh request ID.
func (h *harness) meta(a workflows.Actor) workflows.ActionMeta {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.req++
	return workflows.ActionMeta{Actor: a, RequestID: fmt.Sprintf("req-%d", h.req)}
}

// outcome is what became of an update.
type outcome struct {
	wf, name  string
	at        time.Time
	accepted  bool
	rejected  bool
	completed bool
	err       error
	value     any
	result    workflows.ActionResult
}

func (o *outcome) String() string {
	return fmt.Sprintf("%s on %q at %s", o.name, o.wf, o.at.Format(time.RFC3339))
}

// at runs fn when the workflow clock reaches start+d.
func (h *harness) at(d time.Duration, fn func()) { h.env.RegisterDelayedCallback(fn, d) }

// atInstant runs fn when the workflow clock reaches when (start is the
// environment's start; callbacks registered before the run).
func (h *harness) atInstant(start, when time.Time, fn func()) {
	h.env.RegisterDelayedCallback(fn, when.Sub(start))
}

// plan runs fn when the workflow clock reaches when. Unlike atInstant, it
// keeps one callback registered at a time (the test environment's callback
// queue is bounded), so a test may plan thousands; startAgenda arms the
// first.
func (h *harness) plan(when time.Time, fn func()) {
	h.agenda = append(h.agenda, planned{when: when, fn: fn})
}

// startAgenda sorts the agenda and registers its first callback; each one
// runs what is due and registers the next.
func (h *harness) startAgenda() {
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

// send sends an update to the workflow ID ("" for the root workflow); the
// outcome fills in as it runs. must makes a refusal or failure fail the
// test as it happens.
func (h *harness) send(wf, name string, arg any, must bool) *outcome {
	h.mu.Lock()
	h.req++
	id := fmt.Sprintf("update-%d", h.req)
	o := &outcome{wf: wf, name: name, at: h.env.Now()}
	h.outcomes = append(h.outcomes, o)
	h.mu.Unlock()
	cb := &testsuite.TestUpdateCallback{
		OnAccept: func() { o.accepted = true },
		OnReject: func(err error) {
			o.rejected, o.err = true, err
			if must {
				h.t.Errorf("update %s was rejected: %v", o, err)
			}
		},
		OnComplete: func(v any, err error) {
			o.completed, o.err, o.value = true, err, v
			if r, ok := v.(workflows.ActionResult); ok {
				o.result = r
			}
			if must && err != nil {
				h.t.Errorf("update %s failed: %v", o, err)
			}
		},
	}
	if wf == "" {
		h.env.UpdateWorkflow(name, id, cb, arg)
		return o
	}
	if err := h.env.UpdateWorkflowByID(wf, name, id, cb, arg); err != nil {
		o.rejected, o.err = true, err
		if must {
			h.t.Errorf("update %s: %v", o, err)
		}
	}
	return o
}

// update sends an update to the workflow ID ("" for the root workflow).
func (h *harness) update(wf, name string, arg any) *outcome { return h.send(wf, name, arg, false) }

// must sends an update to the root workflow that must be accepted and
// succeed: a rejection or failure fails the test when it happens.
func (h *harness) must(name string, arg any) *outcome { return h.send("", name, arg, true) }

// query runs a query on the workflow ID ("" for the root) into out.
func (h *harness) query(wf, name string, out any) {
	h.t.Helper()
	var v interface{ Get(any) error }
	var err error
	if wf == "" {
		v, err = h.env.QueryWorkflow(name)
	} else {
		v, err = h.env.QueryWorkflowByID(wf, name)
	}
	if err == nil {
		err = v.Get(out)
	}
	if err != nil {
		h.t.Errorf("query %s %s: %v", wf, name, err)
	}
}

// state returns the project's state.
func (h *harness) state() workflows.ProjectState {
	h.t.Helper()
	var s workflows.ProjectState
	h.query("", workflows.QueryProjectState, &s)
	return s
}

// checkUpdates fails the test for every update that was not accepted and
// completed without error, except those listed.
func (h *harness) checkUpdates(except ...*outcome) {
	h.t.Helper()
	h.mu.Lock()
	defer h.mu.Unlock()
	bad := 0
	for _, o := range h.outcomes {
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

// refusal asserts that o was rejected by its validator with the type and
// rule, and returns the refusal.
func refusal(t testing.TB, o *outcome, typ, rule string) *workflows.Refusal {
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

func projectInput(t *testing.T, code string, opts catalog.Options, at time.Time) workflows.ProjectInput {
	t.Helper()
	plan, err := catalog.Default().Plan(code, opts)
	if err != nil {
		t.Fatal(err)
	}
	return workflows.ProjectInput{
		ProjectID:  "p-1",
		CustomerID: "cust-1",
		Plan:       plan.Workflow(),
		Dates: workflows.ContractDates{Purchase: at, Payment: at, ContractEffective: at, ContractSigning: at,
			Application: at.AddDate(0, -2, 0), Order: at},
		StartedBy: manager,
		RequestID: "start-1",
	}
}

// passing returns a measured value that meets the threshold.
func passing(th plan.Threshold) float64 {
	switch th.Comparison {
	case plan.MoreThan:
		return th.Value + 1
	case plan.LessThan:
		return th.Value - 1
	}
	return th.Value
}

// submission is a valid submission of the deliverable by the manager, with
// measured values meeting its thresholds.
func (h *harness) submission(key string) workflows.SubmitDeliverable {
	m := map[string]float64{}
	for _, th := range h.in.Plan.Thresholds {
		if th.Deliverable == key {
			m[th.Metric] = passing(th)
		}
	}
	return workflows.SubmitDeliverable{
		ActionMeta: h.meta(manager), Deliverable: key,
		Title: key + " v1", URI: "https://docs.example/" + key, SHA256: strings.Repeat("ab", 32), Measured: m,
	}
}

func (h *harness) accept(key string) workflows.DecideDeliverable {
	return workflows.DecideDeliverable{ActionMeta: h.meta(customer), Deliverable: key, Decision: workflows.DecisionAccept}
}

func (h *harness) reject(key, reason string) workflows.DecideDeliverable {
	return workflows.DecideDeliverable{ActionMeta: h.meta(customer), Deliverable: key, Decision: workflows.DecisionReject, Reason: reason}
}

func (h *harness) terminate() workflows.Terminate {
	return workflows.Terminate{ActionMeta: h.meta(manager), Reason: "test over"}
}

// step is one update of a script.
type step struct {
	name string
	arg  any
}

// script sends the steps one minute apart from start+from, each expected to
// succeed; it returns the offset of the last step.
func (h *harness) script(from time.Duration, steps []step) time.Duration {
	d := from
	for i, s := range steps {
		d = from + time.Duration(i)*time.Minute
		h.at(d, func() { h.must(s.name, s.arg) })
	}
	return d
}

// run executes the workflow to its end.
func (h *harness) run() {
	h.t.Helper()
	h.env.ExecuteWorkflow(workflows.ProjectWorkflowName, h.in)
	if !h.env.IsWorkflowCompleted() {
		h.t.Fatal("workflow did not complete")
	}
}

// result returns the workflow's result; the workflow must have succeeded.
func (h *harness) result() workflows.ProjectResult {
	h.t.Helper()
	if err := h.env.GetWorkflowError(); err != nil {
		h.t.Fatalf("workflow error: %v", err)
	}
	var res workflows.ProjectResult
	if err := h.env.GetWorkflowResult(&res); err != nil {
		h.t.Fatal(err)
	}
	return res
}

// checkRecords checks the projection saw every event once, in order, and
// ended with the final state.
func (h *harness) checkRecords(final workflows.ProjectState) {
	h.t.Helper()
	evs := h.rec.events()
	for i, e := range evs {
		if e.Seq != final.Seq-int64(len(evs))+int64(i)+1 {
			h.t.Fatalf("event %d has seq %d; events are not contiguous: %v", i, e.Seq, evs)
		}
	}
	if last := h.rec.last(); last.Seq != final.Seq || last.Status != final.Status {
		h.t.Errorf("projection ends at seq %d status %s, workflow at %d %s", last.Seq, last.Status, final.Seq, final.Status)
	}
}

func deliverable(s workflows.ProjectState, key string) workflows.DeliverableState {
	for _, d := range s.Deliverables {
		if d.Key == key {
			return d
		}
	}
	return workflows.DeliverableState{}
}

func clock(s workflows.ProjectState, key string) workflows.ClockState {
	for _, c := range s.Clocks {
		if c.Key == key {
			return c
		}
	}
	return workflows.ClockState{}
}

func quota(s workflows.ProjectState, key string) workflows.QuotaState {
	for _, q := range s.Quotas {
		if q.Key == key {
			return q
		}
	}
	return workflows.QuotaState{}
}

// onlyEvent returns the one event of the type.
func onlyEvent(t *testing.T, r *recorder, typ workflows.EventType) workflows.Event {
	t.Helper()
	evs := r.ofType(typ)
	if len(evs) != 1 {
		t.Fatalf("%d %s events, want 1: %v", len(evs), typ, evs)
	}
	return evs[0]
}

// errNotCAN reports a run that should have continued as new.
var errNotCAN = errors.New("workflow did not continue as new")

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
