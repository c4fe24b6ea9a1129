//go:build golden

// Golden histories of the service, ticket and SLA period workflows, recorded
// on the in-process Temporal server (go test -tags golden -run
// TestRecordGoldenService -count=1 ./workflows/) and replayed by
// TestReplayServiceHistories. The recording also holds the service's own
// history count (RunStats.Events, what its continue-as-new budget uses)
// against the real history length of each run.

package workflows_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/sowflow/sowflow/activities"
	"github.com/sowflow/sowflow/calendar"
	"github.com/sowflow/sowflow/sla"
	"github.com/sowflow/sowflow/testenv"
	"github.com/sowflow/sowflow/workflows"
)

const svcGoldenQueue = "golden-service"

var (
	svcGoldenOnce    sync.Once
	svcGoldenClient  client.Client
	svcGoldenWritten = &svcGoldenRecords{events: map[string][]int64{}}
)

// svcGoldenRecords is the golden worker's projection of services, tickets
// and SLA periods: it acknowledges every record and keeps the sequence numbers of
// the events written, by workflow ID, for the recordings to check.
type svcGoldenRecords struct {
	mu     sync.Mutex
	events map[string][]int64
}

func (r *svcGoldenRecords) add(ctx context.Context, events []workflows.Event, seq int64) (workflows.RecordResult, error) {
	id := activity.GetInfo(ctx).WorkflowExecution.ID
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range events {
		r.events[id] = append(r.events[id], e.Seq)
	}
	return workflows.RecordResult{Seq: seq}, nil
}

func (r *svcGoldenRecords) service(ctx context.Context, in workflows.ServiceRecord) (workflows.RecordResult, error) {
	return r.add(ctx, in.Events, in.State.Seq)
}

func (r *svcGoldenRecords) ticket(ctx context.Context, in workflows.TicketRecord) (workflows.RecordResult, error) {
	return r.add(ctx, in.Events, in.State.Seq)
}

func (r *svcGoldenRecords) slaPeriod(ctx context.Context, in workflows.SLAPeriodRecord) (workflows.RecordResult, error) {
	return r.add(ctx, in.Events, in.State.Seq)
}

// check fails the test unless the events 1 to seq of the workflow were
// written once each, in order (waiting a little for the last ones).
func (r *svcGoldenRecords) check(t *testing.T, wf string, seq int64) {
	t.Helper()
	want := make([]int64, seq)
	for i := range want {
		want[i] = int64(i + 1)
	}
	var got []int64
	for try := 0; try < 100; try++ {
		r.mu.Lock()
		got = slices.Clone(r.events[wf])
		r.mu.Unlock()
		if len(got) >= len(want) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !slices.Equal(got, want) {
		t.Errorf("%s: events written %v, want 1 to %d once each, in order", wf, got, seq)
	}
}

// svcGoldenWorker starts the worker for the service workflows once.
func svcGoldenWorker(t *testing.T) client.Client {
	t.Helper()
	svcGoldenOnce.Do(func() {
		c := testenv.Get(t).Client()
		w := sdkworker.New(c, svcGoldenQueue, sdkworker.Options{})
		w.RegisterActivityWithOptions((&activities.Deadlines{}).ComputeDeadline, activity.RegisterOptions{Name: calendar.ComputeDeadlineActivity})
		slaActs := &activities.SLA{}
		w.RegisterActivityWithOptions(slaActs.ClaimWindow, activity.RegisterOptions{Name: workflows.SLAClaimWindowActivity})
		w.RegisterActivityWithOptions(slaActs.Compute, activity.RegisterOptions{Name: workflows.SLAComputeActivity})
		w.RegisterWorkflowWithOptions(workflows.ServiceWorkflow, workflow.RegisterOptions{Name: workflows.ServiceWorkflowName})
		w.RegisterWorkflowWithOptions(workflows.TicketWorkflow, workflow.RegisterOptions{Name: workflows.TicketWorkflowName})
		w.RegisterWorkflowWithOptions(workflows.SLAPeriodWorkflow, workflow.RegisterOptions{Name: workflows.SLAPeriodWorkflowName})
		w.RegisterWorkflowWithOptions(workflows.SLAAccountWorkflow, workflow.RegisterOptions{Name: workflows.SLAAccountWorkflowName})
		w.RegisterActivityWithOptions(svcGoldenWritten.service, activity.RegisterOptions{Name: workflows.RecordServiceActivity})
		w.RegisterActivityWithOptions(svcGoldenWritten.ticket, activity.RegisterOptions{Name: workflows.RecordTicketActivity})
		w.RegisterActivityWithOptions(svcGoldenWritten.slaPeriod, activity.RegisterOptions{Name: workflows.RecordSLAPeriodActivity})
		if err := w.Start(); err != nil {
			t.Fatal(err)
		}
		svcGoldenClient = c
	})
	if svcGoldenClient == nil {
		t.Fatal("service golden worker did not start")
	}
	return svcGoldenClient
}

type svcGolden struct {
	t *testing.T
	c client.Client
	n int
}

func (g *svcGolden) meta(a workflows.Actor) workflows.ActionMeta {
	g.n++
	return workflows.ActionMeta{Actor: a, RequestID: fmt.Sprintf("golden-svc-%d", g.n)}
}

// update runs an update to completion; a refusal is returned, other errors
// fail the test.
func (g *svcGolden) update(wf, name string, arg, out any) *workflows.Refusal {
	g.t.Helper()
	g.n++
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	h, err := g.c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: wf, UpdateName: name,
		UpdateID: fmt.Sprintf("golden-svc-update-%d", g.n), Args: []any{arg}, WaitForStage: client.WorkflowUpdateStageCompleted})
	if err == nil {
		err = h.Get(ctx, out)
	}
	if err == nil {
		return nil
	}
	if r, ok := workflows.AsRefusal(err); ok {
		return r
	}
	g.t.Fatalf("update %s on %s: %v", name, wf, err)
	return nil
}

func (g *svcGolden) must(wf, name string, arg any) {
	g.t.Helper()
	var out any
	if r := g.update(wf, name, arg, &out); r != nil {
		g.t.Fatalf("update %s on %s refused: %s", name, wf, r.Message)
	}
}

func (g *svcGolden) query(wf, name string, out any) {
	g.t.Helper()
	v, err := g.c.QueryWorkflow(context.Background(), wf, "", name)
	if err == nil {
		err = v.Get(out)
	}
	if err != nil {
		g.t.Fatalf("query %s on %s: %v", name, wf, err)
	}
}

// runs returns the histories of every run of the workflow, oldest first.
func (g *svcGolden) runs(wf string) []*historypb.History {
	g.t.Helper()
	var out []*historypb.History
	runID := ""
	// Walk back from the current run to the first.
	for {
		h := g.history(wf, runID)
		out = append([]*historypb.History{h}, out...)
		start := h.Events[0].GetWorkflowExecutionStartedEventAttributes()
		if start.GetContinuedExecutionRunId() == "" {
			return out
		}
		runID = start.GetContinuedExecutionRunId()
	}
}

func (g *svcGolden) history(wf, runID string) *historypb.History {
	g.t.Helper()
	it := g.c.GetWorkflowHistory(context.Background(), wf, runID, false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	h := &historypb.History{}
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			g.t.Fatal(err)
		}
		h.Events = append(h.Events, e)
	}
	if len(h.Events) == 0 {
		g.t.Fatalf("%s %s: empty history", wf, runID)
	}
	return h
}

func (g *svcGolden) save(name string, h *historypb.History) {
	g.t.Helper()
	b, err := protojson.MarshalOptions{Indent: " "}.Marshal(h)
	if err != nil {
		g.t.Fatal(err)
	}
	writeGolden(g.t, name, b)
	g.t.Logf("testdata/%s: %d events", name, len(h.Events))
}

// awaitState polls the query until ok.
func (g *svcGolden) awaitState(wf, query string, out any, ok func() bool) {
	g.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		g.query(wf, query, out)
		if ok() {
			return
		}
		if time.Now().After(deadline) {
			g.t.Fatalf("%s: condition not reached: %+v", wf, out)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestRecordGoldenService runs a partner service on the real server:
// tickets (children) opened, answered, resolved and closed, quota uses and
// a refusal, obligations, a severity change, and a continue-as-new for the
// history budget; then it checks the service's own history count against
// the real history lengths and saves the histories.
func TestRecordGoldenService(t *testing.T) {
	c := svcGoldenWorker(t)
	g := &svcGolden{t: t, c: c}
	const id = "golden-partner"
	wf := workflows.ServiceWorkflowID(id)
	start := time.Now().In(calendar.Zone()).Add(-time.Hour).Truncate(time.Second)
	in := serviceInput(id, partnerElitePlan(start, 12))
	in.ContinueAsNewAfterEvents = 120
	if _, err := c.ExecuteWorkflow(context.Background(), client.StartWorkflowOptions{ID: wf, TaskQueue: svcGoldenQueue,
		WorkflowIDReusePolicy: enums.WORKFLOW_ID_REUSE_POLICY_TERMINATE_IF_RUNNING}, workflows.ServiceWorkflowName, in); err != nil {
		t.Fatal(err)
	}
	var s workflows.ServiceState
	g.awaitState(wf, workflows.QueryServiceState, &s, func() bool { return s.Status == workflows.ServiceActive })

	g.must(wf, workflows.UpdateUseQuota, workflows.UseQuota{ActionMeta: g.meta(customer), Quota: "health-check"})
	if r := g.update(wf, workflows.UpdateUseQuota, workflows.UseQuota{ActionMeta: g.meta(customer), Quota: "health-check"}, new(any)); r == nil || r.Rule != workflows.RuleQuotaExhausted {
		t.Fatalf("second health check: %+v", r)
	}
	g.must(wf, workflows.UpdateSubmitObligation, workflows.SubmitObligation{ActionMeta: g.meta(manager), Obligation: "usage-report",
		Title: "usage", URI: "https://docs.example/u", SHA256: sha('d')})
	severities := []string{"critical", "urgent", "high", "medium", "low"}
	const tickets = 12
	for i := 0; i < tickets; i++ {
		var res workflows.OpenTicketResult
		if r := g.update(wf, workflows.UpdateOpenTicket, workflows.OpenTicket{ActionMeta: g.meta(customer),
			Severity: severities[i%len(severities)], Title: fmt.Sprintf("ticket %d", i+1)}, &res); r != nil {
			t.Fatalf("open ticket: %s", r.Message)
		}
		tw := res.WorkflowID
		if i == 0 {
			g.must(tw, workflows.UpdateChangeSeverity, workflows.ChangeSeverity{ActionMeta: g.meta(manager), Severity: "urgent", Reason: "workaround"})
		}
		g.must(tw, workflows.UpdateRespondTicket, workflows.RespondTicket{ActionMeta: g.meta(manager)})
		g.must(tw, workflows.UpdateResolveTicket, workflows.ResolveTicket{ActionMeta: g.meta(manager), Resolution: "done"})
		if i == 1 {
			g.must(tw, workflows.UpdateReopenTicket, workflows.ReopenTicket{ActionMeta: g.meta(customer), Reason: "again"})
			g.must(tw, workflows.UpdateResolveTicket, workflows.ResolveTicket{ActionMeta: g.meta(manager), Resolution: "done now"})
		}
		g.must(tw, workflows.UpdateConfirmClosure, workflows.ConfirmClosure{ActionMeta: g.meta(customer)})
		if i == 0 {
			var ts workflows.TicketState
			g.awaitState(tw, workflows.QueryTicketState, &ts, func() bool { return true })
		}
	}
	for try := 0; s.Tickets.Closed != tickets; try++ {
		if try == 200 {
			for _, e := range s.RecentEvents {
				t.Logf("%d %s %v", e.Seq, e.Type, e.Payload)
			}
			t.Fatalf("tickets: %+v (run %d)", s.Tickets, s.Run)
		}
		time.Sleep(50 * time.Millisecond)
		g.query(wf, workflows.QueryServiceState, &s)
	}
	if s.Run < 2 {
		t.Fatalf("the service did not continue as new (run %d)", s.Run)
	}

	// The service's own count against the real history of each run (the
	// last report may still cause a continue-as-new: wait until the state
	// and the server agree).
	var runs []*historypb.History
	for try := 0; ; try++ {
		runs = g.runs(wf)
		g.query(wf, workflows.QueryServiceState, &s)
		if len(runs) == s.Run {
			break
		}
		if try == 100 {
			t.Fatalf("%d runs on the server, state says %d", len(runs), s.Run)
		}
		time.Sleep(50 * time.Millisecond)
	}
	for i, h := range runs {
		est := s.Runs[i].Events
		real := len(h.Events)
		t.Logf("run %d: %d events in history, %d counted by the run (%s)", i+1, real, est, s.Runs[i].Reason)
		if i < len(runs)-1 && est < real {
			t.Errorf("run %d counted %d events but has %d: the count must not be below the history", i+1, est, real)
		}
		name := "service-partner.json.gz"
		if i > 0 {
			name = fmt.Sprintf("service-partner-run%d.json.gz", i+1)
		}
		g.save(name, h)
	}
	// Every event of the service (across its runs) and of its tickets was
	// written once, in order.
	svcGoldenWritten.check(t, wf, s.Seq)
	for n := 1; n <= tickets; n++ {
		var ts workflows.TicketState
		g.query(workflows.TicketWorkflowID(id, n), workflows.QueryTicketState, &ts)
		svcGoldenWritten.check(t, workflows.TicketWorkflowID(id, n), ts.Seq)
	}
	g.save("ticket-partner-1.json.gz", g.history(workflows.TicketWorkflowID(id, 1), ""))
	g.save("ticket-partner-2.json.gz", g.history(workflows.TicketWorkflowID(id, 2), ""))
	if err := c.TerminateWorkflow(context.Background(), wf, "", "golden recorded"); err != nil {
		t.Fatal(err)
	}
}

// TestRecordGoldenSLAPeriod records SLA periods computing with package sla
// and projecting (every event written once, in order):
//
//   - sla-email.json.gz: Email, the month in progress: the claim-window local
//     activity, outages, a correction, an error interval refused for the
//     wrong service, a claim refused before the window;
//   - sla-sendify.json.gz: Sendify, the month before: started after its end,
//     so it computes at once (claim-window and compute local activities),
//     refuses late error intervals and a claim (no compensation is due, or
//     the window is not open yet).
func TestRecordGoldenSLAPeriod(t *testing.T) {
	c := svcGoldenWorker(t)
	g := &svcGolden{t: t, c: c}
	now := time.Now().In(calendar.Zone())

	// Email, the month in progress.
	period := now.Format("2006-01")
	in := slaInput(workflows.SLAEmail, period)
	in.Account = "golden@mail-cust.example"
	wf := g.startSLA(in)
	ps, _, err := workflows.ParseSLAPeriod(period)
	if err != nil {
		t.Fatal(err)
	}
	g.must(wf, workflows.UpdateRecordOutage, workflows.RecordOutage{ActionMeta: g.meta(monitor), Start: ps.Add(time.Hour), Minutes: 30})
	g.must(wf, workflows.UpdateRecordOutage, workflows.RecordOutage{ActionMeta: g.meta(monitor), Start: ps.Add(time.Hour), Minutes: 45})
	if r := g.update(wf, workflows.UpdateRecordErrorIntervals, workflows.RecordErrorIntervals{ActionMeta: g.meta(monitor),
		Intervals: []workflows.ErrorInterval{{Start: ps, Failed: 1, Valid: 2}}}, new(any)); r == nil || r.Rule != workflows.RuleServiceKind {
		t.Fatalf("error interval on email: %+v", r)
	}
	if r := g.update(wf, workflows.UpdateFileClaim, workflows.FileClaim{ActionMeta: g.meta(slaCustomer)}, new(any)); r == nil || r.Rule != workflows.RuleClaimWindow {
		t.Fatalf("early claim: %+v", r)
	}
	var s workflows.SLAPeriodState
	g.awaitState(wf, workflows.QuerySLAPeriodState, &s, func() bool { return len(s.Outages) == 1 })
	g.checkSLAWindow(s)
	svcGoldenWritten.check(t, wf, s.Seq)
	g.save("sla-email.json.gz", g.history(wf, ""))
	if err := c.TerminateWorkflow(context.Background(), wf, "", "golden recorded"); err != nil {
		t.Fatal(err)
	}

	// Sendify, the month before: computed as it starts.
	first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, calendar.Zone())
	period = first.AddDate(0, 0, -1).Format("2006-01")
	in = slaInput(workflows.SLASendify, period)
	in.Account = "golden-sendify@mail-cust.example"
	wf = g.startSLA(in)
	s = workflows.SLAPeriodState{}
	g.awaitState(wf, workflows.QuerySLAPeriodState, &s, func() bool { return s.Result != nil })
	if s.Result.Method != "sla-v1" || s.Result.Availability != "1/1" || s.Result.Intervals == 0 {
		t.Fatalf("sendify result %+v", s.Result)
	}
	ps, _, err = workflows.ParseSLAPeriod(period)
	if err != nil {
		t.Fatal(err)
	}
	if r := g.update(wf, workflows.UpdateRecordErrorIntervals, workflows.RecordErrorIntervals{ActionMeta: g.meta(monitor),
		Intervals: []workflows.ErrorInterval{{Start: ps, Failed: 1, Valid: 2}}}, new(any)); r == nil || r.Rule != workflows.RulePeriodClosed {
		t.Fatalf("late error interval: %+v", r)
	}
	if r := g.update(wf, workflows.UpdateFileClaim, workflows.FileClaim{ActionMeta: g.meta(slaCustomer)}, new(any)); r == nil ||
		(r.Rule != workflows.RuleCommitmentMet && r.Rule != workflows.RuleClaimWindow) {
		t.Fatalf("claim without compensation: %+v", r)
	}
	g.query(wf, workflows.QuerySLAPeriodState, &s)
	g.checkSLAWindow(s)
	svcGoldenWritten.check(t, wf, s.Seq)
	g.save("sla-sendify.json.gz", g.history(wf, ""))
	if err := c.TerminateWorkflow(context.Background(), wf, "", "golden recorded"); err != nil {
		t.Fatal(err)
	}
}

// startSLA starts an SLA period workflow on the golden queue.
func (g *svcGolden) startSLA(in workflows.SLAPeriodInput) string {
	g.t.Helper()
	wf := workflows.SLAPeriodWorkflowID(in.Account, in.Period)
	if _, err := g.c.ExecuteWorkflow(context.Background(), client.StartWorkflowOptions{ID: wf, TaskQueue: svcGoldenQueue,
		WorkflowIDReusePolicy: enums.WORKFLOW_ID_REUSE_POLICY_TERMINATE_IF_RUNNING}, workflows.SLAPeriodWorkflowName, in); err != nil {
		g.t.Fatal(err)
	}
	return wf
}

// checkSLAWindow fails unless the period's claim window is package sla's.
func (g *svcGolden) checkSLAWindow(s workflows.SLAPeriodState) {
	g.t.Helper()
	p, err := sla.ParsePeriod(s.Period)
	if err != nil {
		g.t.Fatal(err)
	}
	want, err := sla.ClaimWindow(p, calendar.China())
	if err != nil {
		g.t.Fatal(err)
	}
	if !s.ClaimOpens.At.Equal(want.Opens) || !s.ClaimCloses.Equal(want.Closes) || s.ClaimOpens.Provisional != want.Provisional {
		g.t.Fatalf("%s: window %s to %s (provisional %v), want sla.ClaimWindow's %s to %s (provisional %v)", s.Period,
			s.ClaimOpens.At, s.ClaimCloses, s.ClaimOpens.Provisional, want.Opens, want.Closes, want.Provisional)
	}
}
