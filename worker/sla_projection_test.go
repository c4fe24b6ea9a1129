package worker_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/sowflow/sowflow/calendar"
	"github.com/sowflow/sowflow/store"
	"github.com/sowflow/sowflow/testenv"
	"github.com/sowflow/sowflow/worker"
	"github.com/sowflow/sowflow/workflows"
)

// TestSLAPeriodProjectionEndToEnd runs an Email SLA period of the month in
// progress on the in-process Temporal server with sowflow's real worker
// registration, projecting into this package's PostgreSQL database: as
// soon as an outage's update answers, the read model holds its events and
// the state the workflow's query returns, the list shows the period, and
// every event is in the customer's audit chain, which verifies.
func TestSLAPeriodProjectionEndToEnd(t *testing.T) {
	env := testenv.Get(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	suffix := randomSuffix(t)
	queue := "sla-projection-" + suffix
	w := env.Temporal.NewWorker(queue, func(r sdkworker.Registry) {
		worker.Register(r, worker.Deps{Store: store.New(env.Pool)})
	})
	t.Cleanup(w.Stop)
	c, st := env.Client(), store.New(env.Pool)

	cust := "sla-cust-" + suffix
	account := "ops@" + cust + ".example"
	period := time.Now().In(calendar.Zone()).Format("2006-01")
	start, _, err := workflows.ParseSLAPeriod(period)
	if err != nil {
		t.Fatal(err)
	}
	wf := workflows.SLAPeriodWorkflowID(account, period)
	if _, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: wf, TaskQueue: queue}, workflows.SLAPeriodWorkflowName,
		workflows.SLAPeriodInput{Account: account, CustomerID: cust, Service: workflows.SLAEmail, Period: period,
			MonthlyFeeCents: 10000, Currency: "USD", StartedBy: manager, RequestID: "start-" + suffix}); err != nil {
		t.Fatal(err)
	}
	monitor := workflows.Actor{Subject: "monitoring", Role: workflows.RoleSystem}
	var recorded workflows.ActionResult
	h, err := c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: wf, UpdateName: workflows.UpdateRecordOutage,
		Args: []any{workflows.RecordOutage{ActionMeta: workflows.ActionMeta{Actor: monitor, RequestID: "outage-" + suffix},
			Start: start.Add(time.Minute), Minutes: 30}},
		WaitForStage: client.WorkflowUpdateStageCompleted})
	if err == nil {
		err = h.Get(ctx, &recorded)
	}
	if err != nil {
		t.Fatalf("record outage: %v", err)
	}

	// The update answered: its events are in the read model already.
	customerID, raw, seq, err := st.SLAPeriodState(ctx, account, period)
	if err != nil {
		t.Fatal(err)
	}
	var stored workflows.SLAPeriodState
	if err := json.Unmarshal(raw, &stored); err != nil {
		t.Fatal(err)
	}
	if customerID != cust || seq < recorded.Seq || stored.Seq != seq || len(stored.Outages) != 1 || len(stored.Events) != 0 {
		t.Errorf("stored period: customer %s seq %d (update's %d), %d outages, %d events", customerID, seq, recorded.Seq,
			len(stored.Outages), len(stored.Events))
	}
	var queried workflows.SLAPeriodState
	v, err := c.QueryWorkflow(ctx, wf, "", workflows.QuerySLAPeriodState)
	if err == nil {
		err = v.Get(&queried)
	}
	if err != nil {
		t.Fatal(err)
	}
	events, err := st.SLAPeriodEvents(ctx, account, period, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var storedTypes, queriedTypes []string
	for _, e := range events {
		storedTypes = append(storedTypes, e.Type)
	}
	for _, e := range queried.Events {
		if e.Seq <= seq {
			queriedTypes = append(queriedTypes, string(e.Type))
		}
	}
	if want := []string{string(workflows.EventSLAPeriodStarted), string(workflows.EventOutageRecorded)}; !slices.Equal(storedTypes, want) ||
		!slices.Equal(queriedTypes, want) {
		t.Errorf("stored events %v, the workflow's %v, want %v", storedTypes, queriedTypes, want)
	}
	list, err := st.ListSLAPeriods(ctx, store.SLAPeriodFilter{CustomerID: cust, Limit: 10})
	if err != nil || len(list) != 1 || list[0].Account != account || list[0].Period != period || list[0].Service != "email" ||
		list[0].Status != string(workflows.SLACollecting) || list[0].ClaimOpens == nil || list[0].AvailabilityPct != nil {
		t.Errorf("sla periods of %s: %+v %v", cust, list, err)
	}

	recs, err := st.AuditRecords(ctx, store.CustomerChain(cust), 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, r := range recs {
		actions = append(actions, r.Action)
	}
	if want := []string{"sla-period.sla-period-started", "sla-period.outage-recorded"}; !slices.Equal(actions, want) {
		t.Errorf("audit chain %v, want %v", actions, want)
	}
	rep, err := st.VerifyAudit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if ch, ok := rep.Chain(store.CustomerChain(cust)); !ok || !ch.OK {
		t.Errorf("audit chain %+v", ch)
	}
	if err := c.TerminateWorkflow(ctx, wf, "", "test over"); err != nil {
		t.Error(err)
	}
}
