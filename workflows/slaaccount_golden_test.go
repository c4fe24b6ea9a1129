//go:build golden

package workflows_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/sowflow/sowflow/calendar"
	"github.com/sowflow/sowflow/workflows"
)

// TestRecordGoldenSLAAccount records an SLA account on the real server
// (go test -tags golden -run '^TestRecordGoldenSLAAccount$' -count=1
// ./workflows/), replayed by TestReplayServiceHistories:
//
//   - sla-account.json.gz: the first run, from the month before: that month's
//     period was already started (as through POST /v1/sla-periods) and is
//     taken over; the run continues as new;
//   - sla-account-run2.json.gz: the month in progress, begun: its period starts
//     as a child at once; the run continues as new;
//   - sla-account-run3.json.gz: waiting for next month: a fee change, a
//     refused one, a customer's stop signal ignored, the manager's stop, and
//     the completion.
func TestRecordGoldenSLAAccount(t *testing.T) {
	c := svcGoldenWorker(t)
	g := &svcGolden{t: t, c: c}
	now := time.Now().In(calendar.Zone())
	first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, calendar.Zone())
	prev, cur := first.AddDate(0, 0, -1).Format("2006-01"), now.Format("2006-01")
	account := "golden-account@mail-cust.example"

	existing := slaInput(workflows.SLAEmail, prev)
	existing.Account = account
	prevWF := g.startSLA(existing)

	in := slaAccountInput(prev, "")
	in.Account = account
	wf := workflows.SLAAccountWorkflowID(account)
	if _, err := c.ExecuteWorkflow(context.Background(), client.StartWorkflowOptions{ID: wf, TaskQueue: svcGoldenQueue,
		WorkflowIDReusePolicy: enums.WORKFLOW_ID_REUSE_POLICY_TERMINATE_IF_RUNNING}, workflows.SLAAccountWorkflowName, in); err != nil {
		t.Fatal(err)
	}
	var s workflows.SLAAccountState
	g.awaitState(wf, workflows.QuerySLAAccountState, &s, func() bool { return s.Run == 3 })
	if s.PeriodsStarted != 2 || !s.Periods[0].TakenOver || s.Periods[1].TakenOver || s.Periods[1].Period != cur {
		t.Fatalf("periods %+v", s.Periods)
	}

	g.must(wf, workflows.UpdateChangeSLAFee, workflows.ChangeSLAFee{ActionMeta: g.meta(manager), MonthlyFeeCents: 23456, Note: "new tariff"})
	if r := g.update(wf, workflows.UpdateChangeSLAFee, workflows.ChangeSLAFee{ActionMeta: g.meta(manager)}, new(any)); r == nil || r.Field != "monthly_fee_cents" {
		t.Fatalf("fee 0: %+v", r)
	}
	if err := c.SignalWorkflow(context.Background(), wf, "", workflows.SignalStopSLAAccount, workflows.StopSLAAccount{ActionMeta: g.meta(slaCustomer)}); err != nil {
		t.Fatal(err)
	}
	g.awaitState(wf, workflows.QuerySLAAccountState, &s, func() bool {
		return len(eventsOf(s.Events, workflows.EventSignalIgnored)) == 1
	})
	g.must(wf, workflows.UpdateStopSLAAccount, workflows.StopSLAAccount{ActionMeta: g.meta(manager), Reason: "golden recorded"})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := c.GetWorkflow(ctx, wf, "").Get(ctx, &s); err != nil {
		t.Fatal(err)
	}
	if s.Status != workflows.SLAAccountStopped || s.MonthlyFeeCents != 23456 || s.Run != 3 {
		t.Fatalf("final state: status %s, fee %d, run %d", s.Status, s.MonthlyFeeCents, s.Run)
	}
	runs := g.runs(wf)
	if len(runs) != 3 {
		t.Fatalf("%d runs, want 3", len(runs))
	}
	for i, name := range []string{"sla-account.json.gz", "sla-account-run2.json.gz", "sla-account-run3.json.gz"} {
		g.save(name, runs[i])
	}
	for _, id := range []string{prevWF, workflows.SLAPeriodWorkflowID(account, cur)} {
		if err := c.TerminateWorkflow(context.Background(), id, "", "golden recorded"); err != nil {
			t.Error(fmt.Errorf("terminate %s: %w", id, err))
		}
	}
}
