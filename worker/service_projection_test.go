package worker_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/sowflow/sowflow/calendar"
	"github.com/sowflow/sowflow/catalog"
	"github.com/sowflow/sowflow/store"
	"github.com/sowflow/sowflow/testenv"
	"github.com/sowflow/sowflow/worker"
	"github.com/sowflow/sowflow/workflows"
)

// TestServiceProjectionEndToEnd runs a partner support service and one
// ticket on the in-process Temporal server with sowflow's real worker
// registration, projecting into this package's PostgreSQL database: as soon
// as an update answers, the read model holds its events and the state the
// workflow's query returns, the list shows the service, and every event is
// in the customer's audit chain.
func TestServiceProjectionEndToEnd(t *testing.T) {
	env := testenv.Get(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	suffix := randomSuffix(t)
	queue := "service-projection-" + suffix
	w := env.Temporal.NewWorker(queue, func(r sdkworker.Registry) {
		worker.Register(r, worker.Deps{Store: store.New(env.Pool)})
	})
	t.Cleanup(w.Stop)
	c, st := env.Client(), store.New(env.Pool)

	plan, err := catalog.Default().Plan("partner-elite", catalog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	sp, err := plan.Service(time.Now().In(calendar.Zone()), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	cust := "svc-cust-" + suffix
	buyer := workflows.Actor{Subject: "buyer@" + cust, Role: workflows.RoleCustomer, CustomerID: cust}
	id := "svc-" + suffix
	wf := workflows.ServiceWorkflowID(id)
	if _, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: wf, TaskQueue: queue}, workflows.ServiceWorkflowName,
		workflows.ServiceInput{ServiceID: id, CustomerID: cust, Plan: sp, StartedBy: manager, RequestID: "start-" + suffix}); err != nil {
		t.Fatal(err)
	}
	update := func(wf, name string, arg, out any) {
		t.Helper()
		h, err := c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: wf, UpdateName: name, Args: []any{arg},
			WaitForStage: client.WorkflowUpdateStageCompleted})
		if err == nil {
			err = h.Get(ctx, out)
		}
		if err != nil {
			t.Fatalf("update %s on %s: %v", name, wf, err)
		}
	}
	var opened workflows.OpenTicketResult
	update(wf, workflows.UpdateOpenTicket, workflows.OpenTicket{ActionMeta: workflows.ActionMeta{Actor: buyer, RequestID: "open-" + suffix},
		Severity: "critical", Title: "console down"}, &opened)

	// The update answered: its events are in the read model already.
	customerID, raw, seq, err := st.ServiceState(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	var stored workflows.ServiceState
	if err := json.Unmarshal(raw, &stored); err != nil {
		t.Fatal(err)
	}
	if customerID != cust || seq < opened.Seq || stored.Seq != seq || len(stored.Tickets.Open) != 1 || len(stored.RecentEvents) != 0 {
		t.Errorf("stored service: customer %s seq %d (update's %d), open tickets %d, %d recent events", customerID, seq, opened.Seq,
			len(stored.Tickets.Open), len(stored.RecentEvents))
	}
	var queried workflows.ServiceState
	v, err := c.QueryWorkflow(ctx, wf, "", workflows.QueryServiceState)
	if err == nil {
		err = v.Get(&queried)
	}
	if err != nil {
		t.Fatal(err)
	}
	events, err := st.ServiceEvents(ctx, id, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var storedTypes, queriedTypes []string
	for _, e := range events {
		if e.Seq <= seq { // a ticket report may have been written since
			storedTypes = append(storedTypes, e.Type)
		}
	}
	for _, e := range queried.RecentEvents {
		if e.Seq <= seq {
			queriedTypes = append(queriedTypes, string(e.Type))
		}
	}
	if !slices.Equal(storedTypes, queriedTypes) || !slices.Contains(storedTypes, string(workflows.EventTicketOpened)) {
		t.Errorf("stored events %v, the workflow's %v", storedTypes, queriedTypes)
	}
	list, err := st.ListServices(ctx, store.ServiceFilter{CustomerID: cust, Limit: 10})
	if err != nil || len(list) != 1 || list[0].ID != id || list[0].PackageCode != "partner-elite" || list[0].Status != "active" ||
		list[0].OpenTickets != 1 {
		t.Errorf("services of %s: %+v %v", cust, list, err)
	}

	var responded workflows.ActionResult
	update(opened.WorkflowID, workflows.UpdateRespondTicket, workflows.RespondTicket{ActionMeta: workflows.ActionMeta{Actor: manager,
		RequestID: "respond-" + suffix}}, &responded)
	customerID, raw, seq, err = st.TicketState(ctx, id, opened.Ticket)
	if err != nil {
		t.Fatal(err)
	}
	var ticket workflows.TicketState
	if err := json.Unmarshal(raw, &ticket); err != nil {
		t.Fatal(err)
	}
	if customerID != cust || seq != responded.Seq || ticket.Status != workflows.TicketResponded || !ticket.SLA.Met {
		t.Errorf("stored ticket: customer %s seq %d (update's %d) status %s sla %+v", customerID, seq, responded.Seq, ticket.Status, ticket.SLA)
	}
	tickets, err := st.ListTickets(ctx, store.TicketFilter{ServiceID: id, Limit: 10})
	if err != nil || len(tickets) != 1 || tickets[0].RespondedAt == nil || tickets[0].Breached {
		t.Errorf("tickets: %+v %v", tickets, err)
	}
	tevents, err := st.TicketEvents(ctx, id, opened.Ticket, 0, 100)
	if err != nil || len(tevents) != int(responded.Seq) || tevents[len(tevents)-1].Type != string(workflows.EventTicketResponded) {
		t.Errorf("ticket events %+v %v", tevents, err)
	}

	// Both in the customer's audit chain, which verifies.
	recs, err := st.AuditRecords(ctx, store.CustomerChain(cust), 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, r := range recs {
		actions = append(actions, r.Action)
	}
	for _, want := range []string{"service.service-started", "service.ticket-opened", "ticket.ticket-opened", "ticket.ticket-responded"} {
		if !slices.Contains(actions, want) {
			t.Errorf("no %s in the audit chain: %v", want, actions)
		}
	}
	rep, err := st.VerifyAudit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if ch, ok := rep.Chain(store.CustomerChain(cust)); !ok || !ch.OK {
		t.Errorf("audit chain %+v", ch)
	}
	if err := c.TerminateWorkflow(ctx, opened.WorkflowID, "", "test over"); err != nil && !strings.Contains(err.Error(), "completed") {
		t.Error(err)
	}
	if err := c.TerminateWorkflow(ctx, wf, "", "test over"); err != nil {
		t.Error(err)
	}
}
