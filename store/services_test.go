package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"

	"github.com/sowflow/sowflow/testenv"
)

var svcT0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func testService(id, customer string, seq int64) ServiceSnapshot {
	next := svcT0.AddDate(0, 1, 0)
	return ServiceSnapshot{ID: id, CustomerID: customer, PackageCode: "partner-elite", CatalogVersion: "test",
		Status: "active", YearStart: svcT0, YearEnd: svcT0.AddDate(1, 0, 0), NextBoundary: &next,
		State: json.RawMessage(fmt.Sprintf(`{"service_id":%q,"seq":%d}`, id, seq)), Seq: seq,
		StartedAt: svcT0, UpdatedAt: svcT0.Add(time.Duration(seq) * time.Minute)}
}

func testTicket(serviceID, customer string, n int, seq int64) TicketSnapshot {
	due := svcT0.Add(15 * time.Minute)
	return TicketSnapshot{ServiceID: serviceID, Number: n, CustomerID: customer, Severity: "critical", Status: "open",
		Title: fmt.Sprintf("ticket %d", n), OpenedAt: svcT0, ResponseDue: &due,
		State: json.RawMessage(fmt.Sprintf(`{"ticket":%d,"seq":%d}`, n, seq)), Seq: seq, UpdatedAt: svcT0.Add(time.Duration(seq) * time.Minute)}
}

func testWorkflowEvent(seq int64, typ string) Event {
	return Event{Seq: seq, Type: typ, ActorSubject: "token:mgr", ActorRole: "manager", RequestID: fmt.Sprintf("req-%d", seq),
		OccurredAt: svcT0.Add(time.Duration(seq) * time.Second), Payload: json.RawMessage(fmt.Sprintf(`{"n":%d}`, seq))}
}

// outboxOf returns the pending outbox entries of one source and subject.
func outboxOf(t *testing.T, st *Store, source, id string) []OutboxEntry {
	t.Helper()
	all, err := st.PendingOutbox(context.Background(), 10000)
	if err != nil {
		t.Fatal(err)
	}
	var out []OutboxEntry
	for _, o := range all {
		if o.Source == source && (o.ProjectID == id || o.ServiceID == id || o.SLAPeriod == id) {
			out = append(out, o)
		}
	}
	return out
}

// TestRecordServiceAndTicket records a service and one of its tickets step
// by step: retries and late records change nothing, newer ones replace the
// state, each event is stored and audited once in the customer's chain, and
// each attention event queues one outbox entry per recipient.
func TestRecordServiceAndTicket(t *testing.T) {
	ctx := context.Background()
	st := New(testenv.Get(t).Pool)
	customer := strings.TrimPrefix(testChain(t), "customer:")
	id := "s-rec-" + customer
	warn := []OutboxEntry{{EventSeq: 2, Kind: "ticket-warning", Recipient: "manager"}}
	type step struct {
		name    string
		record  func() (int64, error)
		wantSeq int64
	}
	svc := func(seq int64, events []Event, outbox []OutboxEntry) func() (int64, error) {
		return func() (int64, error) { return st.RecordService(ctx, testService(id, customer, seq), events, outbox) }
	}
	tkt := func(seq int64, events []Event, outbox []OutboxEntry) func() (int64, error) {
		return func() (int64, error) { return st.RecordTicket(ctx, testTicket(id, customer, 1, seq), events, outbox) }
	}
	steps := []step{
		// The ticket's first record may commit before its service's.
		{"ticket before its service", tkt(1, []Event{testWorkflowEvent(1, "ticket-opened")}, nil), 1},
		{"service started", svc(2, []Event{testWorkflowEvent(1, "service-started"), testWorkflowEvent(2, "ticket-opened")}, nil), 2},
		{"service retried", svc(2, []Event{testWorkflowEvent(1, "service-started"), testWorkflowEvent(2, "ticket-opened")}, nil), 2},
		{"ticket warning", tkt(2, []Event{testWorkflowEvent(2, "ticket-warning")}, warn), 2},
		{"ticket warning retried", tkt(2, []Event{testWorkflowEvent(2, "ticket-warning")}, warn), 2},
		{"late, older ticket record", tkt(1, []Event{testWorkflowEvent(1, "ticket-opened")}, nil), 2},
		{"service quota use", svc(3, []Event{testWorkflowEvent(3, "quota-used")}, nil), 3},
		{"late, older service record", svc(1, []Event{testWorkflowEvent(1, "service-started")}, nil), 3},
		{"service state only", svc(3, nil, nil), 3},
	}
	for _, s := range steps {
		got, err := s.record()
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if got != s.wantSeq {
			t.Fatalf("%s: stored seq %d, want %d", s.name, got, s.wantSeq)
		}
	}

	cust, state, seq, err := st.ServiceState(ctx, id)
	if err != nil || cust != customer || seq != 3 || !strings.Contains(string(state), `"seq": 3`) {
		t.Errorf("service state: customer %q seq %d state %s err %v", cust, seq, state, err)
	}
	cust, state, seq, err = st.TicketState(ctx, id, 1)
	if err != nil || cust != customer || seq != 2 || !strings.Contains(string(state), `"seq": 2`) {
		t.Errorf("ticket state: customer %q seq %d state %s err %v", cust, seq, state, err)
	}
	sevs, err := st.ServiceEvents(ctx, id, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if types := eventTypes(sevs, func(e ServiceEvent) string { return e.Type }); !slices.Equal(types, []string{"service-started", "ticket-opened", "quota-used"}) ||
		sevs[0].ServiceID != id || sevs[1].RequestID != "req-2" {
		t.Errorf("service events %+v", sevs)
	}
	if page, err := st.ServiceEvents(ctx, id, 1, 1); err != nil || len(page) != 1 || page[0].Seq != 2 {
		t.Errorf("service events after 1, limit 1: %+v %v", page, err)
	}
	tevs, err := st.TicketEvents(ctx, id, 1, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if types := eventTypes(tevs, func(e TicketEvent) string { return e.Type }); !slices.Equal(types, []string{"ticket-opened", "ticket-warning"}) ||
		tevs[1].ServiceID != id || tevs[1].Ticket != 1 {
		t.Errorf("ticket events %+v", tevs)
	}

	// Five distinct events, five audit records, in the order they were
	// written, naming the service (and ticket).
	recs, err := st.AuditRecords(ctx, CustomerChain(customer), 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		action string
		ticket int
		seq    int64
	}{
		{"ticket.ticket-opened", 1, 1}, {"service.service-started", 0, 1}, {"service.ticket-opened", 0, 2},
		{"ticket.ticket-warning", 1, 2}, {"service.quota-used", 0, 3},
	}
	if len(recs) != len(want) {
		t.Fatalf("%d audit records, want %d: %+v", len(recs), len(want), recs)
	}
	for i, r := range recs {
		var p struct {
			ServiceID string          `json:"service_id"`
			Ticket    int             `json:"ticket"`
			EventSeq  int64           `json:"event_seq"`
			Event     json.RawMessage `json:"event"`
		}
		if err := json.Unmarshal(r.Payload, &p); err != nil {
			t.Fatal(err)
		}
		w := want[i]
		if r.Action != w.action || r.ProjectID != "" || p.ServiceID != id || p.Ticket != w.ticket || p.EventSeq != w.seq ||
			string(p.Event) != fmt.Sprintf(`{"n": %d}`, w.seq) || r.ActorRole != "manager" {
			t.Errorf("audit record %d: %s project %q payload %s, want %s of ticket %d seq %d", i, r.Action, r.ProjectID, r.Payload, w.action, w.ticket, w.seq)
		}
	}
	if c := verifyChain(t, st, CustomerChain(customer)); !c.OK {
		t.Errorf("chain %+v", c)
	}
	if got := outboxOf(t, st, SourceTicket, id); len(got) != 1 || got[0].Ticket != 1 || got[0].ServiceID != id || got[0].ProjectID != "" ||
		got[0].EventSeq != 2 || got[0].Recipient != "manager" {
		t.Errorf("ticket outbox %+v, want one entry", got)
	}
}

func eventTypes[E any](events []E, typ func(E) string) []string {
	var out []string
	for _, e := range events {
		out = append(out, typ(e))
	}
	return out
}

// TestOutboxSourcesAreApart queues the same event number, kind and
// recipient for a project, a service and a ticket with one ID: three
// entries, each returned with its own subject.
func TestOutboxSourcesAreApart(t *testing.T) {
	ctx := context.Background()
	st := New(testenv.Get(t).Pool)
	customer := strings.TrimPrefix(testChain(t), "customer:")
	id := "shared-" + customer
	entry := []OutboxEntry{{EventSeq: 1, Kind: "breach", Recipient: "manager", Payload: json.RawMessage(`{"x":1}`)}}
	ev := []Event{testWorkflowEvent(1, "breach")}
	if _, err := st.RecordProject(ctx, testSnapshot(id, customer, 1), []ProjectEvent{testEvent(1)}, entry); err != nil {
		t.Fatal(err)
	}
	if _, err := st.RecordService(ctx, testService(id, customer, 1), ev, entry); err != nil {
		t.Fatal(err)
	}
	for range 2 { // a retry queues nothing more
		if _, err := st.RecordTicket(ctx, testTicket(id, customer, 4, 1), ev, entry); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		source           string
		project, service string
		ticket           int
	}{
		{SourceProject, id, "", 0},
		{SourceService, "", id, 0},
		{SourceTicket, "", id, 4},
	}
	for _, tc := range tests {
		got := outboxOf(t, st, tc.source, id)
		if len(got) != 1 || got[0].ProjectID != tc.project || got[0].ServiceID != tc.service || got[0].Ticket != tc.ticket ||
			string(got[0].Payload) != `{"x": 1}` {
			t.Errorf("%s outbox %+v", tc.source, got)
		}
	}
}

func TestServiceAndTicketNotFound(t *testing.T) {
	ctx := context.Background()
	st := New(testenv.Get(t).Pool)
	if _, _, _, err := st.ServiceState(ctx, "no-such-service"); !errors.Is(err, ErrNotFound) {
		t.Errorf("service: %v, want ErrNotFound", err)
	}
	if _, _, _, err := st.TicketState(ctx, "no-such-service", 1); !errors.Is(err, ErrNotFound) {
		t.Errorf("ticket: %v, want ErrNotFound", err)
	}
}

// TestListServices filters by customer, package and status and pages
// through the result by ID.
func TestListServices(t *testing.T) {
	ctx := context.Background()
	st := New(testenv.Get(t).Pool)
	tag := strings.TrimPrefix(testChain(t), "customer:")
	cust := func(n int) string { return fmt.Sprintf("%s-c%d", tag, n) }
	rows := []struct {
		id, customer, pkg, status string
	}{
		{"a", cust(1), "partner-elite", "active"},
		{"b", cust(1), "partner-selected", "completed"},
		{"c", cust(2), "partner-elite", "active"},
		{"d", cust(1), "partner-elite", "pending"},
		{"e", cust(1), "partner-elite", "active"},
	}
	for i, r := range rows {
		sv := testService(tag+"-"+r.id, r.customer, int64(i+1))
		sv.PackageCode, sv.Status, sv.OpenTickets = r.pkg, r.status, i
		if r.status == "completed" {
			sv.NextBoundary = nil
		}
		if _, err := st.RecordService(ctx, sv, nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	ids := func(items []ServiceSummary) []string {
		var out []string
		for _, it := range items {
			out = append(out, strings.TrimPrefix(it.ID, tag+"-"))
		}
		return out
	}
	tests := []struct {
		name string
		f    ServiceFilter
		want []string
	}{
		{"customer", ServiceFilter{CustomerID: cust(1), Limit: 10}, []string{"a", "b", "d", "e"}},
		{"customer and package", ServiceFilter{CustomerID: cust(1), PackageCode: "partner-elite", Limit: 10}, []string{"a", "d", "e"}},
		{"customer and status", ServiceFilter{CustomerID: cust(1), Status: "active", Limit: 10}, []string{"a", "e"}},
		{"other customer", ServiceFilter{CustomerID: cust(2), Limit: 10}, []string{"c"}},
		{"after a cursor", ServiceFilter{CustomerID: cust(1), After: tag + "-b", Limit: 10}, []string{"d", "e"}},
		{"one page", ServiceFilter{CustomerID: cust(1), Limit: 2}, []string{"a", "b"}},
		{"nobody", ServiceFilter{CustomerID: tag + "-nobody", Limit: 10}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := st.ListServices(ctx, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(ids(got), tc.want) {
				t.Errorf("ids %v, want %v", ids(got), tc.want)
			}
		})
	}
	// Every page of two, walked with the last ID as the cursor.
	var walked []string
	f := ServiceFilter{CustomerID: cust(1), Limit: 2}
	for {
		page, err := st.ListServices(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		walked = append(walked, ids(page)...)
		if len(page) < f.Limit {
			break
		}
		f.After = page[len(page)-1].ID
	}
	if !slices.Equal(walked, []string{"a", "b", "d", "e"}) {
		t.Errorf("walked %v", walked)
	}
	got, err := st.ListServices(ctx, ServiceFilter{CustomerID: cust(1), Status: "completed", Limit: 1})
	if err != nil || len(got) != 1 {
		t.Fatalf("completed: %+v %v", got, err)
	}
	if s := got[0]; s.PackageCode != "partner-selected" || s.NextBoundary != nil || s.OpenTickets != 1 || !s.YearStart.Equal(svcT0) ||
		!s.StartedAt.Equal(svcT0) || !s.UpdatedAt.Equal(svcT0.Add(2*time.Minute)) {
		t.Errorf("summary %+v", s)
	}
	if _, err := st.ListServices(ctx, ServiceFilter{}); err == nil {
		t.Error("a list without a limit was accepted")
	}
}

// TestListTickets filters the tickets of one service by status, severity
// and breach, and pages through them by number.
func TestListTickets(t *testing.T) {
	ctx := context.Background()
	st := New(testenv.Get(t).Pool)
	customer := strings.TrimPrefix(testChain(t), "customer:")
	id := "s-tickets-" + customer
	other := "s-other-" + customer
	rows := []struct {
		service  string
		n        int
		severity string
		status   string
		breached bool
	}{
		{id, 1, "critical", "closed", true},
		{id, 2, "low", "open", false},
		{id, 3, "critical", "responded", false},
		{id, 4, "low", "open", true},
		{other, 1, "low", "open", false},
	}
	for _, r := range rows {
		tk := testTicket(r.service, customer, r.n, 1)
		tk.Severity, tk.Status, tk.Breached = r.severity, r.status, r.breached
		if r.status != "open" {
			at := svcT0.Add(time.Hour)
			tk.RespondedAt = &at
		}
		if _, err := st.RecordTicket(ctx, tk, nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	yes, no := true, false
	tests := []struct {
		name string
		f    TicketFilter
		want []int
	}{
		{"all", TicketFilter{ServiceID: id, Limit: 10}, []int{1, 2, 3, 4}},
		{"open", TicketFilter{ServiceID: id, Status: "open", Limit: 10}, []int{2, 4}},
		{"critical", TicketFilter{ServiceID: id, Severity: "critical", Limit: 10}, []int{1, 3}},
		{"breached", TicketFilter{ServiceID: id, Breached: &yes, Limit: 10}, []int{1, 4}},
		{"not breached", TicketFilter{ServiceID: id, Breached: &no, Limit: 10}, []int{2, 3}},
		{"after 2", TicketFilter{ServiceID: id, After: 2, Limit: 10}, []int{3, 4}},
		{"first page", TicketFilter{ServiceID: id, Limit: 3}, []int{1, 2, 3}},
		{"other service", TicketFilter{ServiceID: other, Limit: 10}, []int{1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := st.ListTickets(ctx, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			var ns []int
			for _, tk := range got {
				if tk.ServiceID != tc.f.ServiceID || tk.CustomerID != customer {
					t.Errorf("ticket %+v", tk)
				}
				ns = append(ns, tk.Number)
			}
			if !slices.Equal(ns, tc.want) {
				t.Errorf("tickets %v, want %v", ns, tc.want)
			}
		})
	}
	for _, f := range []TicketFilter{{Limit: 10}, {ServiceID: id}} {
		if _, err := st.ListTickets(ctx, f); err == nil {
			t.Errorf("filter %+v accepted", f)
		}
	}
}

// TestServicesMigrationDown takes a database through 00006 down and up
// again: the outbox keeps its project entries and gets its project-only
// shape back, and the service tables go.
func TestServicesMigrationDown(t *testing.T) {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, testenv.EmptyDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	db := stdlib.OpenDBFromPool(pool)
	defer db.Close()
	p, err := goose.NewProvider(goose.DialectPostgres, db, os.DirFS("../schema/migrations"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Up(ctx); err != nil {
		t.Fatal(err)
	}
	st := New(pool)
	entry := []OutboxEntry{{EventSeq: 1, Kind: "breach", Recipient: "manager"}}
	if _, err := st.RecordProject(ctx, testSnapshot("p-down", "c", 1), []ProjectEvent{testEvent(1)}, entry); err != nil {
		t.Fatal(err)
	}
	if _, err := st.RecordService(ctx, testService("s-down", "c", 1), []Event{testWorkflowEvent(1, "breach")}, entry); err != nil {
		t.Fatal(err)
	}
	if _, err := p.DownTo(ctx, 5); err != nil {
		t.Fatal(err)
	}
	var ids []string
	rows, err := pool.Query(ctx, `SELECT project_id FROM outbox ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if rows.Err() != nil || !slices.Equal(ids, []string{"p-down"}) {
		t.Errorf("outbox after down: %v (%v)", ids, rows.Err())
	}
	var tables int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename IN ('services', 'service_events', 'tickets', 'ticket_events')`).Scan(&tables); err != nil || tables != 0 {
		t.Errorf("%d service tables left after down (%v)", tables, err)
	}
	if _, err := p.Up(ctx); err != nil {
		t.Fatalf("up again: %v", err)
	}
	if got := outboxOf(t, st, SourceProject, "p-down"); len(got) != 1 {
		t.Errorf("project outbox after up again: %+v", got)
	}
}
