package workflows_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/sowflow/sowflow/activities"
	"github.com/sowflow/sowflow/calendar"
	"github.com/sowflow/sowflow/catalog"
	"github.com/sowflow/sowflow/plan"
	"github.com/sowflow/sowflow/workflows"
)

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

// harness runs one project workflow in the time-skipping test environment,
// with the real deadline activity and a recording projection.
type harness struct {
	t   *testing.T
	env *testsuite.TestWorkflowEnvironment
	rec *recorder
	in  workflows.ProjectInput
	cal atomic.Pointer[calendar.Calendar]
	req atomic.Int64

	mu       sync.Mutex
	outcomes []*outcome
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

func newHarness(t *testing.T, code string) *harness {
	t.Helper()
	return newHarnessInput(t, projectInput(t, code, startOptions(code), t0), t0)
}

func newHarnessInput(t *testing.T, in workflows.ProjectInput, start time.Time) *harness {
	t.Helper()
	var suite testsuite.WorkflowTestSuite
	h := &harness{t: t, env: suite.NewTestWorkflowEnvironment(), rec: &recorder{}, in: in}
	h.cal.Store(calendar.China())
	deadlines := &activities.Deadlines{Calendar: func() *calendar.Calendar { return h.cal.Load() }}
	h.env.RegisterActivityWithOptions(deadlines.ComputeDeadline, activity.RegisterOptions{Name: calendar.ComputeDeadlineActivity})
	h.env.RegisterActivityWithOptions(h.rec.record, activity.RegisterOptions{Name: workflows.RecordProjectActivity})
	h.env.RegisterWorkflowWithOptions(workflows.ProjectWorkflow, workflow.RegisterOptions{Name: workflows.ProjectWorkflowName})
	h.env.SetStartTime(start)
	return h
}

// meta returns the action metadata of actor with a fresh request ID.
func (h *harness) meta(a workflows.Actor) workflows.ActionMeta {
	return workflows.ActionMeta{Actor: a, RequestID: fmt.Sprintf("req-%d", h.req.Add(1))}
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

// outcome is what became of an update.
type outcome struct {
	name      string
	at        time.Time
	accepted  bool
	rejected  bool
	completed bool
	err       error
	result    workflows.ActionResult
}

// at runs fn when the workflow clock reaches start+d.
func (h *harness) at(d time.Duration, fn func()) { h.env.RegisterDelayedCallback(fn, d) }

// update sends an update now; the outcome fills in as it runs.
func (h *harness) update(name string, arg any) *outcome {
	o := &outcome{name: name, at: h.env.Now()}
	h.mu.Lock()
	h.outcomes = append(h.outcomes, o)
	h.mu.Unlock()
	h.env.UpdateWorkflow(name, "", &testsuite.TestUpdateCallback{
		OnAccept: func() { o.accepted = true },
		OnReject: func(err error) { o.rejected, o.err = true, err },
		OnComplete: func(v any, err error) {
			o.completed, o.err = true, err
			if r, ok := v.(workflows.ActionResult); ok {
				o.result = r
			}
		},
	}, arg)
	return o
}

// must sends an update that must be accepted and succeed (checkUpdates
// checks it).
func (h *harness) must(name string, arg any) { h.update(name, arg) }

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

// query returns the workflow's state.
func (h *harness) query() workflows.ProjectState {
	h.t.Helper()
	v, err := h.env.QueryWorkflow(workflows.QueryProjectState)
	if err != nil {
		h.t.Errorf("query %s: %v", workflows.QueryProjectState, err)
		return workflows.ProjectState{}
	}
	var s workflows.ProjectState
	if err := v.Get(&s); err != nil {
		h.t.Errorf("decode state: %v", err)
	}
	return s
}

// run executes the workflow to its end.
func (h *harness) run() {
	h.t.Helper()
	h.env.ExecuteWorkflow(workflows.ProjectWorkflowName, h.in)
	if !h.env.IsWorkflowCompleted() {
		h.t.Fatal("workflow did not complete")
	}
}

// checkUpdates fails the test for every update that was not accepted and
// completed without error, except those listed as refused.
func (h *harness) checkUpdates(refused ...*outcome) {
	h.t.Helper()
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, o := range h.outcomes {
		if slices.Contains(refused, o) {
			continue
		}
		if !o.accepted || !o.completed || o.err != nil {
			h.t.Errorf("update %s at %s: accepted %v completed %v error %v", o.name, o.at.Format(time.RFC3339), o.accepted, o.completed, o.err)
		}
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

// refusal asserts that o was rejected by the validator with the type and rule.
func refusal(t *testing.T, o *outcome, typ, rule string) *workflows.Refusal {
	t.Helper()
	if !o.rejected || o.accepted {
		t.Errorf("update %s: rejected %v accepted %v (error %v); want a rejection", o.name, o.rejected, o.accepted, o.err)
		return nil
	}
	r, ok := workflows.AsRefusal(o.err)
	if !ok {
		t.Errorf("update %s: rejection %v is not a refusal", o.name, o.err)
		return nil
	}
	if r.Type != typ || r.Rule != rule {
		t.Errorf("update %s: refusal %s/%s %q, want %s/%s", o.name, r.Type, r.Rule, r.Message, typ, rule)
	}
	return r
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
