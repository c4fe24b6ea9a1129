package worker_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/sowflow/sowflow/calendar"
	"github.com/sowflow/sowflow/catalog"
	"github.com/sowflow/sowflow/plan"
	"github.com/sowflow/sowflow/store"
	"github.com/sowflow/sowflow/testenv"
	"github.com/sowflow/sowflow/worker"
	"github.com/sowflow/sowflow/workflows"
)

const landingZoneAdvanced = "landing-zone-advanced"

var (
	manager       = workflows.Actor{Subject: "dm@provider.example", Role: workflows.RoleManager}
	customer      = workflows.Actor{Subject: "buyer@lz-cust.example", Role: workflows.RoleCustomer, CustomerID: "lz-cust"}
	otherCustomer = workflows.Actor{Subject: "buyer@other.example", Role: workflows.RoleCustomer, CustomerID: "other-cust"}
)

// TestLandingZoneAdvancedEndToEnd runs one Landing Zone Advanced project on
// the in-process Temporal server with sowflow's real worker registration
// (deadline activity on the embedded calendar, projection into this
// package's PostgreSQL database), from start through investigation, design,
// technical validation and implementation to the customer's final
// acceptance, with one rejection and resubmission. After every step the
// workflow's state query and the read model must agree exactly; refused
// actions must change neither, nor the workflow's history.
func TestLandingZoneAdvancedEndToEnd(t *testing.T) {
	env := testenv.Get(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	suffix := randomSuffix(t)
	queue := "worker-test-" + suffix
	w := env.Temporal.NewWorker(queue, func(r sdkworker.Registry) {
		worker.Register(r, worker.Deps{Store: store.New(env.Pool)})
	})
	t.Cleanup(w.Stop)

	e := &e2e{
		t: t, ctx: ctx, c: env.Client(), st: store.New(env.Pool), env: env,
		projectID: "lz-adv-" + suffix,
	}
	e.wfID = workflows.ProjectWorkflowID(e.projectID)

	plan, err := catalog.Default().Plan(landingZoneAdvanced, catalog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().In(calendar.Zone())
	in := workflows.ProjectInput{
		ProjectID:  e.projectID,
		CustomerID: customer.CustomerID,
		Plan:       plan.Workflow(),
		Dates: workflows.ContractDates{
			Purchase: now, Payment: now, ContractSigning: now, ContractEffective: now,
			Application: now.AddDate(0, -2, 0), Order: now,
		},
		StartedBy: manager,
		RequestID: "start-" + suffix,
	}
	if err := workflows.ValidateStart(in); err != nil {
		t.Fatalf("start input refused: %v", err)
	}
	if err := workflows.CheckLeadTimes(in, calendar.China().Deadline); err != nil {
		t.Fatalf("lead times refused: %v", err)
	}
	wantPhases := []string{"investigation", "design", "technical-validation", "implementation"}
	if got := phaseKeys(in.Plan); !slices.Equal(got, wantPhases) {
		t.Fatalf("%s phases = %v, want %v", landingZoneAdvanced, got, wantPhases)
	}

	// ---- start ----
	startOpts := client.StartWorkflowOptions{
		ID: e.wfID, TaskQueue: queue,
		WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
	}
	run, err := e.c.ExecuteWorkflow(ctx, startOpts, workflows.ProjectWorkflowName, in)
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	e.runID = run.GetRunID()
	// No update to wait on yet: wait for the start's projection activity to
	// complete in the workflow's history.
	e.awaitFirstProjection()
	s := e.check("start")
	if s.Seq != 1 || s.Status != workflows.StatusActive || s.Phase != "investigation" || s.Package.Code != landingZoneAdvanced {
		t.Fatalf("after start: seq %d status %s phase %s package %s", s.Seq, s.Status, s.Phase, s.Package.Code)
	}
	// Landing Zone states no term: no end without a contract end.
	if !s.Validity.EndsOnFinalAcceptance || !s.Validity.Start.Equal(now) || !s.Validity.End.IsZero() {
		t.Errorf("validity %+v, want no end, from %s, ending on final acceptance", s.Validity, now)
	}
	if len(s.Clocks) != 0 || len(s.Quotas) != 0 {
		t.Errorf("clocks %v quotas %v, want none", s.Clocks, s.Quotas)
	}
	e.expectEvent(1, workflows.EventProjectStarted, manager, in.RequestID)

	// Starting the same project again finds the same workflow and changes
	// nothing.
	before := e.snapshot()
	again, err := e.c.ExecuteWorkflow(ctx, startOpts, workflows.ProjectWorkflowName, in)
	if err != nil {
		t.Fatalf("second start: %v", err)
	}
	if again.GetRunID() != e.runID {
		t.Errorf("second start ran %s, want the first run %s", again.GetRunID(), e.runID)
	}
	e.unchanged("second start", before)

	// ---- investigation ----
	e.refuse("customer advances", workflows.UpdateAdvancePhase,
		workflows.AdvancePhase{ActionMeta: e.meta(customer)}, workflows.ErrorTypeForbidden, workflows.RuleRole)
	r := e.refuse("advance with nothing accepted", workflows.UpdateAdvancePhase,
		workflows.AdvancePhase{ActionMeta: e.meta(manager), From: "investigation"}, workflows.ErrorTypeRefused, workflows.RulePhaseIncomplete)
	if r != nil && !slices.Equal(r.Missing, []string{"investigation-report"}) {
		t.Errorf("missing = %v, want [investigation-report]", r.Missing)
	}
	e.refuse("submit the final deliverable early", workflows.UpdateSubmitDeliverable,
		e.submission("it-governance-solution", 1), workflows.ErrorTypeRefused, workflows.RulePhaseNotStarted)
	e.refuse("accept before submission", workflows.UpdateDecideDeliverable,
		e.decide(customer, "investigation-report", workflows.DecisionAccept, ""), workflows.ErrorTypeRefused, workflows.RuleState)
	e.refuse("submit without a digest", workflows.UpdateSubmitDeliverable,
		workflows.SubmitDeliverable{ActionMeta: e.meta(manager), Deliverable: "investigation-report", Title: "t", URI: "https://docs.example/x", SHA256: "abc"},
		workflows.ErrorTypeInvalid, workflows.RuleField)

	sub1 := e.submission("investigation-report", 1)
	res := e.update("submit investigation report", workflows.UpdateSubmitDeliverable, sub1, workflows.EventDeliverableSubmitted)
	s = e.check("submit investigation report")
	d := deliverable(t, s, "investigation-report")
	if d.Status != workflows.DeliverableSubmitted || len(d.Rounds) != 1 || len(d.Rounds[0].Submissions) != 1 {
		t.Fatalf("investigation report after submission: %+v", d)
	}
	win1 := d.Rounds[0].Submissions[0].Window.Closes
	e.checkWindow("first submission", d.Rounds[0].Submissions[0])
	if !d.Deadline.Equal(win1.At) || !s.NextDeadline.Equal(win1.At) {
		t.Errorf("deliverable deadline %s, next deadline %s, want the window's close %s", d.Deadline, s.NextDeadline, win1.At)
	}
	if res.Events[0].Payload["sha256"] != sub1.SHA256 {
		t.Errorf("submission event payload %v", res.Events[0].Payload)
	}

	e.refuse("another customer rejects", workflows.UpdateDecideDeliverable,
		e.decide(otherCustomer, "investigation-report", workflows.DecisionReject, "not ours"), workflows.ErrorTypeForbidden, workflows.RuleCustomer)
	r = e.refuse("reject without a reason", workflows.UpdateDecideDeliverable,
		e.decide(customer, "investigation-report", workflows.DecisionReject, ""), workflows.ErrorTypeInvalid, workflows.RuleField)
	if r != nil && r.Field != "reason" {
		t.Errorf("refused field %q, want reason", r.Field)
	}
	e.refuse("the manager accepts", workflows.UpdateDecideDeliverable,
		e.decide(manager, "investigation-report", workflows.DecisionAccept, ""), workflows.ErrorTypeForbidden, workflows.RuleRole)
	e.refuse("resubmit while awaiting a decision", workflows.UpdateSubmitDeliverable,
		e.submission("investigation-report", 2), workflows.ErrorTypeRefused, workflows.RuleState)

	const reason = "the network inventory is missing"
	e.update("reject investigation report", workflows.UpdateDecideDeliverable,
		e.decide(customer, "investigation-report", workflows.DecisionReject, reason), workflows.EventDeliverableRejected)
	s = e.check("reject investigation report")
	d = deliverable(t, s, "investigation-report")
	if dec := d.Rounds[0].Submissions[0].Decision; d.Status != workflows.DeliverableRejected || dec == nil ||
		dec.Outcome != workflows.OutcomeRejected || dec.Reason != reason || dec.By != customer {
		t.Errorf("after rejection: status %s decision %+v", d.Status, dec)
	}
	if !d.Deadline.IsZero() || !s.NextDeadline.Equal(s.Validity.End.At) {
		t.Errorf("after rejection: deliverable deadline %s, next deadline %s, want none and the validity end %s", d.Deadline, s.NextDeadline, s.Validity.End.At)
	}
	e.refuse("advance with the report rejected", workflows.UpdateAdvancePhase,
		workflows.AdvancePhase{ActionMeta: e.meta(manager)}, workflows.ErrorTypeRefused, workflows.RulePhaseIncomplete)

	sub2 := e.submission("investigation-report", 2)
	e.update("resubmit investigation report", workflows.UpdateSubmitDeliverable, sub2, workflows.EventDeliverableSubmitted)
	s = e.check("resubmit investigation report")
	d = deliverable(t, s, "investigation-report")
	if d.Status != workflows.DeliverableSubmitted || len(d.Rounds) != 1 || len(d.Rounds[0].Submissions) != 2 {
		t.Fatalf("after resubmission: %+v", d)
	}
	second := d.Rounds[0].Submissions[1]
	e.checkWindow("resubmission", second)
	if second.N != 2 || second.URI != sub2.URI || second.Window.Closes.At.Before(win1.At) || second.Decision != nil {
		t.Errorf("resubmission %+v, want submission 2 with a fresh window (first closed %s)", second, win1.At)
	}
	if !d.Deadline.Equal(second.Window.Closes.At) {
		t.Errorf("deliverable deadline %s, want the fresh window's %s", d.Deadline, second.Window.Closes.At)
	}

	e.update("accept investigation report", workflows.UpdateDecideDeliverable,
		e.decide(customer, "investigation-report", workflows.DecisionAccept, ""), workflows.EventDeliverableAccepted)
	s = e.check("accept investigation report")
	if d = deliverable(t, s, "investigation-report"); d.Status != workflows.DeliverableAccepted || d.Rounds[0].AcceptedAt.IsZero() {
		t.Errorf("after acceptance: %+v", d)
	}
	e.refuse("sign final acceptance in investigation", workflows.UpdateSignFinalAcceptance,
		workflows.SignFinalAcceptance{ActionMeta: e.meta(customer)}, workflows.ErrorTypeRefused, workflows.RulePhaseIncomplete)

	// ---- design, technical validation (no deliverables of their own) ----
	for i, from := range wantPhases[:3] {
		to := wantPhases[i+1]
		res := e.update("advance from "+from, workflows.UpdateAdvancePhase,
			workflows.AdvancePhase{ActionMeta: e.meta(manager), From: from}, workflows.EventPhaseAdvanced)
		if p := res.Events[0].Payload; p["from"] != from || p["to"] != to {
			t.Errorf("phase event payload %v, want %s → %s", p, from, to)
		}
		s = e.check("advance from " + from)
		if s.Phase != to || s.PhaseIndex != i+1 || s.Phases[i].Status != workflows.PhaseCompleted || s.Phases[i+1].Status != workflows.PhaseActive {
			t.Fatalf("after advancing from %s: phase %s (%d), phases %+v", from, s.Phase, s.PhaseIndex, s.Phases)
		}
		if i == 0 {
			e.refuse("advance from a stale phase", workflows.UpdateAdvancePhase,
				workflows.AdvancePhase{ActionMeta: e.meta(manager), From: from}, workflows.ErrorTypeRefused, workflows.RulePhaseMoved)
		}
	}

	// ---- implementation and final acceptance ----
	e.refuse("sign before the solution is accepted", workflows.UpdateSignFinalAcceptance,
		workflows.SignFinalAcceptance{ActionMeta: e.meta(customer)}, workflows.ErrorTypeRefused, workflows.RulePhaseIncomplete)
	e.update("submit the solution", workflows.UpdateSubmitDeliverable,
		e.submission("it-governance-solution", 1), workflows.EventDeliverableSubmitted)
	s = e.check("submit the solution")
	e.checkWindow("solution", deliverable(t, s, "it-governance-solution").Rounds[0].Submissions[0])
	r = e.refuse("sign with the solution awaiting a decision", workflows.UpdateSignFinalAcceptance,
		workflows.SignFinalAcceptance{ActionMeta: e.meta(customer)}, workflows.ErrorTypeRefused, workflows.RulePhaseIncomplete)
	if r != nil && !slices.Equal(r.Missing, []string{"it-governance-solution"}) {
		t.Errorf("missing = %v, want [it-governance-solution]", r.Missing)
	}
	e.refuse("advance past the last phase", workflows.UpdateAdvancePhase,
		workflows.AdvancePhase{ActionMeta: e.meta(manager)}, workflows.ErrorTypeRefused, workflows.RuleLastPhase)
	e.update("accept the solution", workflows.UpdateDecideDeliverable,
		e.decide(customer, "it-governance-solution", workflows.DecisionAccept, ""), workflows.EventDeliverableAccepted)
	e.check("accept the solution")

	e.update("sign final acceptance", workflows.UpdateSignFinalAcceptance,
		workflows.SignFinalAcceptance{ActionMeta: e.meta(customer), Note: "signed by the customer's representative"},
		workflows.EventFinalAcceptanceSigned, workflows.EventProjectCompleted)

	var result workflows.ProjectResult
	if err := run.Get(ctx, &result); err != nil {
		t.Fatalf("workflow result: %v", err)
	}
	s = e.check("final acceptance")
	if result.Status != workflows.StatusCompleted || result.Reason != "final acceptance signed" || result.Seq != s.Seq || !result.EndedAt.Equal(s.EndedAt) {
		t.Errorf("result %s %q seq %d ended %s; state seq %d ended %s", result.Status, result.Reason, result.Seq, result.EndedAt, s.Seq, s.EndedAt)
	}
	if a, b := canonical(t, result.State), canonical(t, s); a != b {
		t.Errorf("result state differs from the query:\n%s", diff(b, a))
	}
	if s.Status != workflows.StatusCompleted || s.FinalAcceptedBy == nil || *s.FinalAcceptedBy != customer ||
		!s.FinalAcceptedAt.Equal(s.EndedAt) || !s.NextDeadline.IsZero() {
		t.Errorf("final state: status %s accepted by %v at %s, ended %s, next deadline %s",
			s.Status, s.FinalAcceptedBy, s.FinalAcceptedAt, s.EndedAt, s.NextDeadline)
	}
	for _, ph := range s.Phases {
		if ph.Status != workflows.PhaseCompleted {
			t.Errorf("phase %s is %s", ph.Key, ph.Status)
		}
	}
	desc, err := e.c.DescribeWorkflow(ctx, e.wfID, e.runID)
	if err != nil {
		t.Fatal(err)
	}
	if desc.Status != enums.WORKFLOW_EXECUTION_STATUS_COMPLETED {
		t.Errorf("workflow status %s, want completed", desc.Status)
	}

	// The whole story, in order, with no gaps.
	wantTypes := []workflows.EventType{
		workflows.EventProjectStarted,
		workflows.EventDeliverableSubmitted, workflows.EventDeliverableRejected,
		workflows.EventDeliverableSubmitted, workflows.EventDeliverableAccepted,
		workflows.EventPhaseAdvanced, workflows.EventPhaseAdvanced, workflows.EventPhaseAdvanced,
		workflows.EventDeliverableSubmitted, workflows.EventDeliverableAccepted,
		workflows.EventFinalAcceptanceSigned, workflows.EventProjectCompleted,
	}
	var gotTypes []workflows.EventType
	for _, ev := range e.events() {
		gotTypes = append(gotTypes, workflows.EventType(ev.Type))
	}
	if !slices.Equal(gotTypes, wantTypes) {
		t.Errorf("events %v, want %v", gotTypes, wantTypes)
	}
	outbox, err := e.st.PendingOutbox(ctx, 1000)
	if err != nil {
		t.Fatal(err)
	}
	// Nothing needed anyone's attention (no window closed, nothing
	// overdue): the only notices are those of progress, one per event that
	// tells a person (activities/notices.go).
	wantNotices := map[string]int{
		"deliverable-submitted/customer": 3,
		"deliverable-rejected/manager":   1,
		"phase-advanced/customer":        3,
	}
	gotNotices := map[string]int{}
	for _, o := range outbox {
		if o.ProjectID == e.projectID {
			gotNotices[o.Kind+"/"+string(o.Recipient)]++
		}
	}
	if !maps.Equal(gotNotices, wantNotices) {
		t.Errorf("notifications %v, want %v", gotNotices, wantNotices)
	}
}

// e2e drives one project through the SDK client and checks it against the
// read model.
type e2e struct {
	t         *testing.T
	ctx       context.Context
	c         client.Client
	st        *store.Store
	env       *testenv.Env
	projectID string
	wfID      string
	runID     string
	n         int
}

func randomSuffix(t *testing.T) string {
	t.Helper()
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b[:])
}

func phaseKeys(p plan.Plan) []string {
	var out []string
	for _, ph := range p.Phases {
		out = append(out, ph.Key)
	}
	return out
}

func (e *e2e) meta(a workflows.Actor) workflows.ActionMeta {
	e.n++
	return workflows.ActionMeta{Actor: a, RequestID: fmt.Sprintf("%s-req-%d", e.projectID, e.n)}
}

func (e *e2e) submission(key string, n int) workflows.SubmitDeliverable {
	return workflows.SubmitDeliverable{
		ActionMeta: e.meta(manager), Deliverable: key,
		Title: fmt.Sprintf("%s v%d", key, n), URI: fmt.Sprintf("https://docs.example/%s/v%d.docx", key, n),
		SHA256: strings.Repeat(fmt.Sprintf("%02x", n), 32),
	}
}

func (e *e2e) decide(a workflows.Actor, key string, d workflows.Decision, reason string) workflows.DecideDeliverable {
	return workflows.DecideDeliverable{ActionMeta: e.meta(a), Deliverable: key, Decision: d, Reason: reason}
}

// send runs an update to completion and returns its result or error.
func (e *e2e) send(name string, arg any) (workflows.ActionResult, error) {
	e.n++
	h, err := e.c.UpdateWorkflow(e.ctx, client.UpdateWorkflowOptions{
		WorkflowID: e.wfID, UpdateName: name, UpdateID: fmt.Sprintf("%s-update-%d", e.projectID, e.n),
		Args: []any{arg}, WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	var res workflows.ActionResult
	if err == nil {
		err = h.Get(e.ctx, &res)
	}
	return res, err
}

// update runs an update that must succeed recording exactly the event types
// given; its events must be in the read model as the result reports them.
func (e *e2e) update(step, name string, arg any, want ...workflows.EventType) workflows.ActionResult {
	e.t.Helper()
	meta := arg.(interface{ Meta() workflows.ActionMeta }).Meta()
	res, err := e.send(name, arg)
	if err != nil {
		e.t.Fatalf("%s: update %s: %v", step, name, err)
	}
	var types []workflows.EventType
	for _, ev := range res.Events {
		types = append(types, ev.Type)
	}
	if !slices.Equal(types, want) {
		e.t.Fatalf("%s: events %v, want %v", step, types, want)
	}
	if last := res.Events[len(res.Events)-1].Seq; res.Seq != last {
		e.t.Errorf("%s: result seq %d, last event %d", step, res.Seq, last)
	}
	// The update returned, so its events are already stored.
	stored := map[int64]store.ProjectEvent{}
	for _, ev := range e.events() {
		stored[ev.Seq] = ev
	}
	for _, ev := range res.Events {
		got, ok := stored[ev.Seq]
		if !ok {
			e.t.Errorf("%s: event %d (%s) not in the read model when the update returned", step, ev.Seq, ev.Type)
			continue
		}
		if ev.Actor != meta.Actor || ev.RequestID != meta.RequestID {
			e.t.Errorf("%s: event %d by %+v request %q, want %+v %q", step, ev.Seq, ev.Actor, ev.RequestID, meta.Actor, meta.RequestID)
		}
		e.sameEvent(step, ev, got)
	}
	return res
}

// sameEvent compares an event as the workflow reported it with its row.
func (e *e2e) sameEvent(step string, want workflows.Event, got store.ProjectEvent) {
	e.t.Helper()
	if got.ProjectID != e.projectID || got.Type != string(want.Type) || got.ActorSubject != want.Actor.Subject ||
		got.ActorRole != string(want.Actor.Role) || got.RequestID != want.RequestID {
		e.t.Errorf("%s: stored event %+v, workflow reported %+v", step, got, want)
	}
	// timestamptz keeps microseconds; the workflow's clock may have more.
	if d := got.OccurredAt.Sub(want.At); math.Abs(float64(d)) >= float64(time.Microsecond) {
		e.t.Errorf("%s: event %d stored at %s, recorded at %s", step, want.Seq, got.OccurredAt, want.At)
	}
	var gotPayload, wantPayload any
	wantJSON, err := json.Marshal(want.Payload)
	if err != nil {
		e.t.Fatal(err)
	}
	if want.Payload == nil {
		wantJSON = []byte("{}")
	}
	if err := json.Unmarshal(wantJSON, &wantPayload); err != nil {
		e.t.Fatal(err)
	}
	if err := json.Unmarshal(got.Payload, &gotPayload); err != nil {
		e.t.Fatalf("%s: stored payload of event %d: %v", step, want.Seq, err)
	}
	if !reflect.DeepEqual(gotPayload, wantPayload) {
		e.t.Errorf("%s: event %d payload stored %s, recorded %s", step, want.Seq, got.Payload, wantJSON)
	}
}

// expectEvent checks the stored event seq.
func (e *e2e) expectEvent(seq int64, typ workflows.EventType, a workflows.Actor, requestID string) {
	e.t.Helper()
	evs := e.events()
	if int64(len(evs)) < seq {
		e.t.Fatalf("no event %d", seq)
	}
	ev := evs[seq-1]
	if ev.Type != string(typ) || ev.ActorSubject != a.Subject || ev.ActorRole != string(a.Role) || ev.RequestID != requestID {
		e.t.Errorf("event %d = %+v, want %s by %s (%s)", seq, ev, typ, a.Subject, requestID)
	}
}

// refuse sends an update that must be refused with the type and rule, and
// checks that it changed nothing: not the state, not the read model, not the
// workflow's history.
func (e *e2e) refuse(step, name string, arg any, typ, rule string) *workflows.Refusal {
	e.t.Helper()
	before := e.snapshot()
	res, err := e.send(name, arg)
	if err == nil {
		e.t.Fatalf("%s: update %s succeeded (seq %d), want refusal %s/%s", step, name, res.Seq, typ, rule)
	}
	r, ok := workflows.AsRefusal(err)
	if !ok {
		e.t.Fatalf("%s: update %s: %v is not a refusal", step, name, err)
	}
	if r.Type != typ || r.Rule != rule || r.Message == "" {
		e.t.Errorf("%s: refusal %s/%s %q, want %s/%s", step, r.Type, r.Rule, r.Message, typ, rule)
	}
	e.unchanged(step, before)
	return r
}

// snapshot is what a refused action must leave alone.
type snapshot struct {
	query, stored string
	seq           int64
	events        int
	history       int
}

func (e *e2e) snapshot() snapshot {
	e.t.Helper()
	stored, seq := e.stored()
	return snapshot{
		query: canonical(e.t, e.query()), stored: canonical(e.t, stored), seq: seq,
		events: len(e.events()), history: e.historyLength(),
	}
}

func (e *e2e) unchanged(step string, before snapshot) {
	e.t.Helper()
	after := e.snapshot()
	if after.query != before.query {
		e.t.Errorf("%s changed the workflow state:\n%s", step, diff(before.query, after.query))
	}
	if after.stored != before.stored || after.seq != before.seq || after.events != before.events {
		e.t.Errorf("%s changed the read model (seq %d → %d, events %d → %d):\n%s", step,
			before.seq, after.seq, before.events, after.events, diff(before.stored, after.stored))
	}
	if after.history != before.history {
		e.t.Errorf("%s wrote to history: %d → %d events", step, before.history, after.history)
	}
	e.check(step)
}

func (e *e2e) historyLength() int {
	e.t.Helper()
	desc, err := e.c.DescribeWorkflow(e.ctx, e.wfID, e.runID)
	if err != nil {
		e.t.Fatalf("describe %s: %v", e.wfID, err)
	}
	return desc.HistoryLength
}

// awaitFirstProjection follows the workflow's history until the projection
// activity scheduled at start has completed.
func (e *e2e) awaitFirstProjection() {
	e.t.Helper()
	it := e.c.GetWorkflowHistory(e.ctx, e.wfID, e.runID, true, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	scheduled := map[int64]string{}
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			e.t.Fatalf("history of %s: %v", e.wfID, err)
		}
		switch ev.GetEventType() {
		case enums.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
			scheduled[ev.GetEventId()] = ev.GetActivityTaskScheduledEventAttributes().GetActivityType().GetName()
		case enums.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
			if scheduled[ev.GetActivityTaskCompletedEventAttributes().GetScheduledEventId()] == workflows.RecordProjectActivity {
				return
			}
		case enums.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED, enums.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED,
			enums.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED, enums.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT:
			e.t.Fatalf("workflow closed (%s) before its first projection", ev.GetEventType())
		}
	}
	e.t.Fatal("history ended before the first projection")
}

func (e *e2e) query() workflows.ProjectState {
	e.t.Helper()
	v, err := e.c.QueryWorkflow(e.ctx, e.wfID, e.runID, workflows.QueryProjectState)
	if err != nil {
		e.t.Fatalf("query %s: %v", workflows.QueryProjectState, err)
	}
	var s workflows.ProjectState
	if err := v.Get(&s); err != nil {
		e.t.Fatalf("decode queried state: %v", err)
	}
	return s
}

// stored returns the read model's state and its seq column.
func (e *e2e) stored() (workflows.ProjectState, int64) {
	e.t.Helper()
	customerID, raw, seq, err := e.st.ProjectState(e.ctx, e.projectID)
	if err != nil {
		e.t.Fatalf("read model: %v", err)
	}
	var s workflows.ProjectState
	if err := json.Unmarshal(raw, &s); err != nil {
		e.t.Fatalf("decode stored state: %v", err)
	}
	if customerID != s.CustomerID {
		e.t.Errorf("stored customer %q, state's %q", customerID, s.CustomerID)
	}
	return s, seq
}

func (e *e2e) events() []store.ProjectEvent {
	e.t.Helper()
	evs, err := e.st.ProjectEvents(e.ctx, e.projectID, 0, 10000)
	if err != nil {
		e.t.Fatal(err)
	}
	return evs
}

// row is the projects row's filter columns.
type row struct {
	status, phase string
	nextDeadline  *time.Time
	overdue       bool
	seq           int64
}

func (e *e2e) row() row {
	e.t.Helper()
	var r row
	err := e.env.Pool.QueryRow(e.ctx, `SELECT status, phase, next_deadline, overdue, state_seq FROM projects WHERE id = $1`, e.projectID).
		Scan(&r.status, &r.phase, &r.nextDeadline, &r.overdue, &r.seq)
	if err != nil {
		e.t.Fatalf("projects row: %v", err)
	}
	return r
}

// check compares the workflow's state query with the read model: the stored
// state (after a JSON round trip of both), its seq, the events 1..Seq without
// gaps, the row's filter columns and the workflow's search attributes. It
// returns the queried state.
func (e *e2e) check(step string) workflows.ProjectState {
	e.t.Helper()
	q := e.query()
	stored, seq := e.stored()
	if a, b := canonical(e.t, q), canonical(e.t, stored); a != b {
		e.t.Fatalf("%s: read model differs from the query (- query, + stored):\n%s", step, diff(a, b))
	}
	if seq != q.Seq || stored.Seq != q.Seq {
		e.t.Fatalf("%s: stored seq %d (state %d), query seq %d", step, seq, stored.Seq, q.Seq)
	}
	evs := e.events()
	if int64(len(evs)) != q.Seq {
		e.t.Errorf("%s: %d events stored, want %d", step, len(evs), q.Seq)
	}
	for i, ev := range evs {
		if ev.Seq != int64(i+1) {
			e.t.Fatalf("%s: event %d has seq %d: gap or disorder", step, i+1, ev.Seq)
		}
	}

	r := e.row()
	overdue := false
	for _, d := range q.Deliverables {
		overdue = overdue || d.Overdue
	}
	nextOK := (r.nextDeadline == nil) == q.NextDeadline.IsZero() && (r.nextDeadline == nil || r.nextDeadline.Equal(q.NextDeadline))
	if r.status != string(q.Status) || r.phase != q.Phase || r.seq != q.Seq || r.overdue != overdue || !nextOK {
		e.t.Errorf("%s: projects row %+v (next deadline %v), state status %s phase %s seq %d next deadline %s",
			step, r, r.nextDeadline, q.Status, q.Phase, q.Seq, q.NextDeadline)
	}

	desc, err := e.c.DescribeWorkflow(e.ctx, e.wfID, e.runID)
	if err != nil {
		e.t.Fatalf("describe %s: %v", e.wfID, err)
	}
	sa := desc.TypedSearchAttributes
	keyword := func(k interface {
		GetName() string
	}, got string, ok bool, want string) {
		if !ok || got != want {
			e.t.Errorf("%s: search attribute %s = %q (set %v), want %q", step, k.GetName(), got, ok, want)
		}
	}
	v, ok := sa.GetKeyword(workflows.AttrCustomer)
	keyword(workflows.AttrCustomer, v, ok, q.CustomerID)
	v, ok = sa.GetKeyword(workflows.AttrPackage)
	keyword(workflows.AttrPackage, v, ok, q.Package.Code)
	v, ok = sa.GetKeyword(workflows.AttrPhase)
	keyword(workflows.AttrPhase, v, ok, q.Phase)
	v, ok = sa.GetKeyword(workflows.AttrStatus)
	keyword(workflows.AttrStatus, v, ok, string(q.Status))
	next, ok := sa.GetTime(workflows.AttrNextDeadline)
	if ok != !q.NextDeadline.IsZero() || (ok && !next.Equal(q.NextDeadline)) {
		e.t.Errorf("%s: search attribute %s = %s (set %v), want %s", step, workflows.AttrNextDeadline.GetName(), next, ok, q.NextDeadline)
	}
	return q
}

// checkWindow checks a submission's acceptance window against the embedded
// calendar: 5 working days from the submission.
func (e *e2e) checkWindow(step string, sub workflows.Submission) {
	e.t.Helper()
	want, err := calendar.China().Deadline(sub.SubmittedAt, calendar.Spec{Kind: calendar.WorkingDays, N: 5})
	if err != nil {
		e.t.Fatal(err)
	}
	if c := sub.Window.Closes; !c.At.Equal(want.Deadline) || c.Provisional != want.Provisional || !c.From.Equal(sub.SubmittedAt) {
		e.t.Errorf("%s: window closes %s (provisional %v, from %s), want %s (provisional %v)",
			step, c.At, c.Provisional, c.From, want.Deadline, want.Provisional)
	}
}

func deliverable(t *testing.T, s workflows.ProjectState, key string) workflows.DeliverableState {
	t.Helper()
	for _, d := range s.Deliverables {
		if d.Key == key {
			return d
		}
	}
	t.Fatalf("no deliverable %s", key)
	return workflows.DeliverableState{}
}

// canonical renders a state as indented JSON in struct field order (the
// stored JSONB reorders keys; decoding into ProjectState restores them).
func canonical(t *testing.T, s workflows.ProjectState) string {
	t.Helper()
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// diff is a line diff of a and b (longest common subsequence), each change
// after the line before it for context.
func diff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	lcs := make([][]int, len(al)+1) // lcs[i][j]: of al[i:] and bl[j:]
	for i := range lcs {
		lcs[i] = make([]int, len(bl)+1)
	}
	for i := len(al) - 1; i >= 0; i-- {
		for j := len(bl) - 1; j >= 0; j-- {
			if al[i] == bl[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out bytes.Buffer
	context := -1 // the last equal line of a not yet printed
	change := func(sign, line string) {
		if context >= 0 {
			fmt.Fprintf(&out, "  %s\n", al[context])
			context = -1
		}
		fmt.Fprintf(&out, "%s %s\n", sign, line)
	}
	for i, j := 0, 0; (i < len(al) || j < len(bl)) && out.Len() < 4000; {
		switch {
		case i < len(al) && j < len(bl) && al[i] == bl[j]:
			context = i
			i, j = i+1, j+1
		case i < len(al) && (j == len(bl) || lcs[i+1][j] >= lcs[i][j+1]):
			change("-", al[i])
			i++
		default:
			change("+", bl[j])
			j++
		}
	}
	return out.String()
}

// TestTuningOptions holds each SOWFLOW_WORKER_* setting to the SDK option it
// sizes.
func TestTuningOptions(t *testing.T) {
	tests := []struct {
		name string
		in   worker.Tuning
		want sdkworker.Options
	}{
		{"zero keeps the SDK's defaults", worker.Tuning{}, sdkworker.Options{}},
		{"every setting", worker.Tuning{CacheSize: 500, MaxWorkflowTasks: 64, MaxActivities: 32, MaxLocalActivities: 16, WorkflowPollers: 8, ActivityPollers: 4},
			sdkworker.Options{MaxConcurrentWorkflowTaskExecutionSize: 64, MaxConcurrentActivityExecutionSize: 32,
				MaxConcurrentLocalActivityExecutionSize: 16, MaxConcurrentWorkflowTaskPollers: 8, MaxConcurrentActivityTaskPollers: 4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.in.Options(); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Options() = %+v, want %+v", got, tt.want)
			}
		})
	}
}
