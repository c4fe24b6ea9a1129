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

func testSLAPeriod(account, period, customer, service string, seq int64) SLAPeriodSnapshot {
	opens, closes := svcT0.AddDate(0, 1, 7), svcT0.AddDate(0, 3, 0)
	return SLAPeriodSnapshot{Account: account, Period: period, CustomerID: customer, Service: service, Status: "collecting",
		ClaimOpens: &opens, ClaimCloses: &closes,
		State: json.RawMessage(fmt.Sprintf(`{"account":%q,"period":%q,"seq":%d}`, account, period, seq)),
		Seq:   seq, StartedAt: svcT0, UpdatedAt: svcT0.Add(time.Duration(seq) * time.Minute)}
}

// computed returns the snapshot computed at the tier, claimed when claimed
// is set.
func computed(p SLAPeriodSnapshot, pct string, tier int, cents int64, claimed bool) SLAPeriodSnapshot {
	p.Status, p.AvailabilityPct, p.CompensationPct, p.CompensationCents = "computed", &pct, &tier, &cents
	if claimed {
		at := svcT0.AddDate(0, 1, 10)
		p.Status, p.ClaimedAt = "claim-open", &at
	}
	return p
}

// TestRecordSLAPeriod records an SLA period step by step: retries and late
// records change nothing, newer ones replace the state and the list
// columns, each event is stored and audited once in the customer's chain
// as sla-period.<event>, and each attention event queues one outbox entry
// per recipient under the subject "<account>/<period>".
func TestRecordSLAPeriod(t *testing.T) {
	ctx := context.Background()
	st := New(testenv.Get(t).Pool)
	customer := strings.TrimPrefix(testChain(t), "customer:")
	account, period := "ops@"+customer, "2026-01"
	started := testSLAPeriod(account, period, customer, "email", 1)
	outage := testSLAPeriod(account, period, customer, "email", 2)
	done := computed(testSLAPeriod(account, period, customer, "email", 3), "98.9976", 20, 2469, false)
	claimed := computed(testSLAPeriod(account, period, customer, "email", 4), "98.9976", 20, 2469, true)
	notify := []OutboxEntry{{EventSeq: 3, Kind: "sla-period-computed", Recipient: "customer"},
		{EventSeq: 3, Kind: "sla-period-computed", Recipient: "manager"}}
	steps := []struct {
		name    string
		snap    SLAPeriodSnapshot
		events  []Event
		outbox  []OutboxEntry
		wantSeq int64
	}{
		{"started", started, []Event{testWorkflowEvent(1, "sla-period-started")}, nil, 1},
		{"outage", outage, []Event{testWorkflowEvent(2, "outage-recorded")}, nil, 2},
		{"computed", done, []Event{testWorkflowEvent(3, "sla-period-computed")}, notify, 3},
		{"computed retried", done, []Event{testWorkflowEvent(3, "sla-period-computed")}, notify, 3},
		{"late, older record", outage, []Event{testWorkflowEvent(2, "outage-recorded")}, nil, 3},
		{"claim filed", claimed, []Event{testWorkflowEvent(4, "claim-filed")}, nil, 4},
		{"state only", claimed, nil, nil, 4},
	}
	for _, s := range steps {
		got, err := st.RecordSLAPeriod(ctx, s.snap, s.events, s.outbox)
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if got != s.wantSeq {
			t.Fatalf("%s: stored seq %d, want %d", s.name, got, s.wantSeq)
		}
	}

	cust, state, seq, err := st.SLAPeriodState(ctx, account, period)
	if err != nil || cust != customer || seq != 4 || !strings.Contains(string(state), `"seq": 4`) {
		t.Errorf("sla period state: customer %q seq %d state %s err %v", cust, seq, state, err)
	}
	list, err := st.ListSLAPeriods(ctx, SLAPeriodFilter{CustomerID: customer, Limit: 10})
	if err != nil || len(list) != 1 {
		t.Fatalf("sla periods of %s: %+v %v", customer, list, err)
	}
	if p := list[0]; p.Account != account || p.Period != period || p.Service != "email" || p.Status != "claim-open" ||
		p.AvailabilityPct == nil || *p.AvailabilityPct != "98.9976" || p.CompensationPct == nil || *p.CompensationPct != 20 ||
		p.CompensationCents == nil || *p.CompensationCents != 2469 || !p.Claimed || p.ClaimedAt == nil ||
		p.ClaimOpens == nil || !p.ClaimOpens.Equal(svcT0.AddDate(0, 1, 7)) || !p.UpdatedAt.Equal(svcT0.Add(4*time.Minute)) {
		t.Errorf("sla period row %+v", p)
	}

	evs, err := st.SLAPeriodEvents(ctx, account, period, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if types := eventTypes(evs, func(e SLAPeriodEvent) string { return e.Type }); !slices.Equal(types,
		[]string{"sla-period-started", "outage-recorded", "sla-period-computed", "claim-filed"}) ||
		evs[0].Account != account || evs[0].Period != period || evs[1].RequestID != "req-2" {
		t.Errorf("sla period events %+v", evs)
	}
	if page, err := st.SLAPeriodEvents(ctx, account, period, 2, 1); err != nil || len(page) != 1 || page[0].Seq != 3 {
		t.Errorf("sla period events after 2, limit 1: %+v %v", page, err)
	}

	recs, err := st.AuditRecords(ctx, CustomerChain(customer), 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, r := range recs {
		actions = append(actions, r.Action)
		var named struct {
			ServiceID string `json:"service_id"`
			SLAPeriod string `json:"sla_period"`
		}
		if err := json.Unmarshal(r.Payload, &named); err != nil || named.SLAPeriod != account+"/"+period || named.ServiceID != "" {
			t.Errorf("audit payload %s names %+v (%v), want sla_period %s/%s", r.Payload, named, err, account, period)
		}
	}
	if want := []string{"sla-period.sla-period-started", "sla-period.outage-recorded", "sla-period.sla-period-computed",
		"sla-period.claim-filed"}; !slices.Equal(actions, want) {
		t.Errorf("audit actions %v, want %v", actions, want)
	}
	if c := verifyChain(t, st, CustomerChain(customer)); !c.OK {
		t.Errorf("chain %+v", c)
	}
	got := outboxOf(t, st, SourceSLAPeriod, account+"/"+period)
	var recipients []string
	for _, o := range got {
		if o.EventSeq != 3 || o.Kind != "sla-period-computed" || o.Ticket != 0 || o.SLAPeriod != account+"/"+period || o.ServiceID != "" {
			t.Errorf("outbox entry %+v", o)
		}
		recipients = append(recipients, o.Recipient)
	}
	if !slices.Equal(recipients, []string{"customer", "manager"}) {
		t.Errorf("outbox recipients %v, want customer and manager once each", recipients)
	}

	if _, _, _, err := st.SLAPeriodState(ctx, account, "2025-12"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown period: %v, want ErrNotFound", err)
	}
}

// TestListSLAPeriods filters SLA periods by each column and pages through
// them by account and period.
func TestListSLAPeriods(t *testing.T) {
	ctx := context.Background()
	st := New(testenv.Get(t).Pool)
	customer := strings.TrimPrefix(testChain(t), "customer:")
	other := customer + "-other"
	a, b := "a@"+customer, "b@"+customer
	for _, p := range []SLAPeriodSnapshot{
		testSLAPeriod(a, "2026-01", customer, "email", 1),
		computed(testSLAPeriod(a, "2026-02", customer, "email", 1), "100.0000", 0, 0, false),
		testSLAPeriod(a, "2026-03", customer, "email", 1),
		testSLAPeriod(b, "2026-01", customer, "sendify", 1),
		testSLAPeriod("c@"+other, "2026-01", other, "email", 1),
	} {
		if _, err := st.RecordSLAPeriod(ctx, p, []Event{testWorkflowEvent(1, "sla-period-started")}, nil); err != nil {
			t.Fatal(err)
		}
	}
	keys := func(ps []SLAPeriodSummary) []string {
		var out []string
		for _, p := range ps {
			out = append(out, p.Account+"/"+p.Period)
		}
		return out
	}
	tests := []struct {
		name string
		f    SLAPeriodFilter
		want []string
	}{
		{"customer", SLAPeriodFilter{CustomerID: customer}, []string{a + "/2026-01", a + "/2026-02", a + "/2026-03", b + "/2026-01"}},
		{"other customer", SLAPeriodFilter{CustomerID: other}, []string{"c@" + other + "/2026-01"}},
		{"account", SLAPeriodFilter{Account: b}, []string{b + "/2026-01"}},
		{"service", SLAPeriodFilter{CustomerID: customer, Service: "sendify"}, []string{b + "/2026-01"}},
		{"status", SLAPeriodFilter{CustomerID: customer, Status: "computed"}, []string{a + "/2026-02"}},
		{"period", SLAPeriodFilter{CustomerID: customer, Period: "2026-01"}, []string{a + "/2026-01", b + "/2026-01"}},
		{"after a period of an account", SLAPeriodFilter{CustomerID: customer, After: SLAPeriodKey{a, "2026-02"}},
			[]string{a + "/2026-03", b + "/2026-01"}},
		{"after an account's last", SLAPeriodFilter{CustomerID: customer, After: SLAPeriodKey{a, "2026-03"}}, []string{b + "/2026-01"}},
		{"nothing", SLAPeriodFilter{CustomerID: customer, Status: "closed"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.f.Limit = 10
			got, err := st.ListSLAPeriods(ctx, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(keys(got), tc.want) {
				t.Errorf("got %v, want %v", keys(got), tc.want)
			}
		})
	}

	// Two at a time, each page after the last key of the one before.
	var pages [][]string
	f := SLAPeriodFilter{CustomerID: customer, Limit: 2}
	for {
		page, err := st.ListSLAPeriods(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		pages = append(pages, keys(page))
		f.After = page[len(page)-1].Key()
	}
	if want := [][]string{{a + "/2026-01", a + "/2026-02"}, {a + "/2026-03", b + "/2026-01"}}; !slices.EqualFunc(pages, want, slices.Equal) {
		t.Errorf("pages %v, want %v", pages, want)
	}
	if _, err := st.ListSLAPeriods(ctx, SLAPeriodFilter{CustomerID: customer}); err == nil {
		t.Error("a list without a limit was accepted")
	}
}

// TestSLAPeriodsMigrationDown takes a database through 00007 down and up
// again: the outbox loses its SLA period entries (and accepts none), keeps
// the others, and the SLA period tables go.
func TestSLAPeriodsMigrationDown(t *testing.T) {
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
	ev := []Event{testWorkflowEvent(1, "breach")}
	if _, err := st.RecordService(ctx, testService("s-down", "c", 1), ev, entry); err != nil {
		t.Fatal(err)
	}
	if _, err := st.RecordSLAPeriod(ctx, testSLAPeriod("a-down", "2026-01", "c", "email", 1), ev, entry); err != nil {
		t.Fatal(err)
	}
	if _, err := p.DownTo(ctx, 6); err != nil {
		t.Fatal(err)
	}
	var sources []string
	rows, err := pool.Query(ctx, `SELECT source FROM outbox ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		sources = append(sources, s)
	}
	if rows.Err() != nil || !slices.Equal(sources, []string{SourceService}) {
		t.Errorf("outbox after down: %v (%v)", sources, rows.Err())
	}
	if _, err := pool.Exec(ctx, `INSERT INTO outbox (source, subject_id, event_seq, kind, recipient) VALUES ('sla-period', 'x/2026-01', 1, 'k', 'r')`); err == nil {
		t.Error("the outbox took an sla-period entry after down")
	}
	var tables int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename IN ('sla_periods', 'sla_period_events')`).Scan(&tables); err != nil || tables != 0 {
		t.Errorf("%d sla period tables left after down (%v)", tables, err)
	}
	if _, err := p.Up(ctx); err != nil {
		t.Fatalf("up again: %v", err)
	}
	if _, err := st.RecordSLAPeriod(ctx, testSLAPeriod("a-down", "2026-01", "c", "email", 1), ev, entry); err != nil {
		t.Errorf("record after up again: %v", err)
	}
}
