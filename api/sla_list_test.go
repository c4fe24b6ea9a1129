package api

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sowflow/sowflow/calendar"
	"github.com/sowflow/sowflow/store"
	"github.com/sowflow/sowflow/testenv"
	"github.com/sowflow/sowflow/workflows"
)

// TestSLAPeriodListQueryStatuses holds the status rule of GET
// /v1/sla-periods against the workflow's statuses.
func TestSLAPeriodListQueryStatuses(t *testing.T) {
	for _, s := range []workflows.SLAPeriodStatus{workflows.SLACollecting, workflows.SLAComputed, workflows.SLAClaimOpen, workflows.SLAClosed} {
		if err := validate.Struct(slaPeriodListQuery{Status: string(s)}); err != nil {
			t.Errorf("status %s refused: %v", s, err)
		}
	}
	if err := validate.Struct(slaPeriodListQuery{Status: "paused"}); err == nil {
		t.Error("status paused accepted")
	}
}

// slaKeys lists the periods' "<account>/<period>" keys, in order.
func slaKeys(items []store.SLAPeriodSummary) []string {
	out := make([]string, 0, len(items))
	for _, p := range items {
		out = append(out, p.Account+"/"+p.Period)
	}
	return out
}

// TestSLAPeriodListsThroughAPI reads SLA periods and their events from the
// read model through the API: list filters and customer scoping, the 404 of
// another customer's period, query validation, cursor pagination, event
// pages, and authorization of a period the read model does not hold.
func TestSLAPeriodListsThroughAPI(t *testing.T) {
	f := newFixture(t)
	mgr, aud := f.as(t, store.RoleManager), f.as(t, store.RoleAuditor)
	stamp := time.Now().UnixNano()
	// Customers and accounts of their own, so that the lists hold only
	// this test's periods. The accounts sort in the order 1, 2, 3.
	c1, c2 := fmt.Sprintf("spl1-%d", stamp), fmt.Sprintf("spl2-%d", stamp)
	cust1, cust2 := f.asToken(t, f.customerToken(t, c1)), f.asToken(t, f.customerToken(t, c2))
	acc1 := fmt.Sprintf("spl-%d-1@c1.example", stamp)
	acc2 := fmt.Sprintf("spl-%d-2-dingstore", stamp)
	acc3 := fmt.Sprintf("spl-%d-3@c2.example", stamp)
	now := time.Now().In(calendar.Zone())
	y, m, _ := now.Date()
	cur := now.Format("2006-01")
	// Two months back the month is computed and its claim window open.
	back := time.Date(y, m-2, 1, 0, 0, 0, 0, calendar.Zone()).Format("2006-01")
	for _, p := range []struct{ account, customer, service, period string }{
		{acc1, c1, "email", back}, {acc1, c1, "email", cur}, {acc2, c1, "sendify", cur}, {acc3, c2, "email", cur},
	} {
		wantStatus(t, mgr.post("/v1/sla-periods", map[string]any{"account": p.account, "customer_id": p.customer,
			"service": p.service, "period": p.period, "monthly_fee_cents": 500_00, "currency": "CNY"}), http.StatusCreated)
	}
	k1b, k1, k2, k3 := acc1+"/"+back, acc1+"/"+cur, acc2+"/"+cur, acc3+"/"+cur
	base1, base3 := slaPeriodPath(acc1, cur), slaPeriodPath(acc3, cur)

	// No action was taken on these periods: their rows are written by their
	// workflows' first tasks, and the past month's computation by a later
	// one. Wait until the read model has them all.
	ctx := context.Background()
	waitFor(t, "the SLA periods projected", func() bool {
		a, err1 := f.store.ListSLAPeriods(ctx, store.SLAPeriodFilter{CustomerID: c1, Limit: 10})
		b, err2 := f.store.ListSLAPeriods(ctx, store.SLAPeriodFilter{CustomerID: c2, Limit: 10})
		return err1 == nil && err2 == nil && len(a) == 3 && len(b) == 1 && a[0].Status == string(workflows.SLAClaimOpen)
	})

	// An action's events are in the read model once the action answers.
	curStart, _, err := workflows.ParseSLAPeriod(cur)
	if err != nil {
		t.Fatal(err)
	}
	wantStatus(t, mgr.post(base1+"/outages", map[string]any{"start": curStart.Format(time.RFC3339),
		"minutes": 1, "note": "IMAP front-end down"}), http.StatusOK)
	events, err := f.store.SLAPeriodEvents(ctx, acc1, cur, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(events, func(e store.SLAPeriodEvent) bool { return e.Type == string(workflows.EventOutageRecorded) }) {
		t.Fatalf("the outage's event is not in the read model once recorded: %+v", events)
	}

	t.Run("periods", func(t *testing.T) {
		tests := []struct {
			name  string
			as    caller
			query string
			want  []string
		}{
			{"manager, a customer", mgr, "customer=" + c1, []string{k1b, k1, k2}},
			{"manager, a customer and service", mgr, "customer=" + c1 + "&service=sendify", []string{k2}},
			{"manager, claim open", mgr, "customer=" + c1 + "&status=claim-open", []string{k1b}},
			{"manager, collecting", mgr, "customer=" + c1 + "&status=collecting", []string{k1, k2}},
			{"manager, none closed", mgr, "customer=" + c1 + "&status=closed", nil},
			{"manager, an account", mgr, "account=" + acc1, []string{k1b, k1}},
			{"manager, an account's month", mgr, "account=" + acc1 + "&period=" + cur, []string{k1}},
			{"auditor, another customer", aud, "customer=" + c2, []string{k3}},
			{"auditor, an account", aud, "account=" + acc3, []string{k3}},
			{"customer, its own", cust1, "", []string{k1b, k1, k2}},
			{"customer, its own by month", cust1, "period=" + back, []string{k1b}},
			{"customer, naming itself", cust1, "customer=" + c1, []string{k1b, k1, k2}},
			{"customer, naming another", cust1, "customer=" + c2, nil},
			{"customer, another's account", cust1, "account=" + acc3, nil},
			{"the other customer", cust2, "", []string{k3}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				tt.as.t = t
				items, _ := pageAll[store.SLAPeriodSummary](tt.as, "/v1/sla-periods", tt.query, "limit=50")
				if got := slaKeys(items); !slices.Equal(got, tt.want) {
					t.Errorf("periods %v, want %v", got, tt.want)
				}
			})
		}
	})

	t.Run("period rows", func(t *testing.T) {
		items, pages := pageAll[store.SLAPeriodSummary](mgr, "/v1/sla-periods", "customer="+c1, "limit=1")
		if got := slaKeys(items); pages != 4 || !slices.Equal(got, []string{k1b, k1, k2}) {
			t.Fatalf("limit=1: %v in %d pages, want 3 in 4 (the last one empty)", got, pages)
		}
		past, running := items[0], items[1]
		switch {
		case past.CustomerID != c1 || past.Service != "email" || past.Status != string(workflows.SLAClaimOpen) || past.Claimed:
			t.Errorf("past row %+v", past)
		case past.AvailabilityPct == nil || *past.AvailabilityPct != "100.0000" || past.ClaimOpens == nil || past.ClaimCloses == nil:
			t.Errorf("past row: availability %v, claims from %v until %v", past.AvailabilityPct, past.ClaimOpens, past.ClaimCloses)
		case running.Status != string(workflows.SLACollecting) || running.AvailabilityPct != nil || running.CompensationCents != nil:
			t.Errorf("running row %+v", running)
		}
		if _, off := running.StartedAt.Zone(); off != 8*3600 {
			t.Errorf("started_at %v is not in CST", running.StartedAt)
		}
		if _, off := past.ClaimOpens.Zone(); off != 8*3600 {
			t.Errorf("claim_opens %v is not in CST", past.ClaimOpens)
		}
	})

	t.Run("another customer's period", func(t *testing.T) {
		for _, path := range []string{base1, base1 + "/events", slaPeriodPath(acc1, back) + "/events"} {
			rec := cust2.get(path)
			wantStatus(t, rec, http.StatusNotFound)
			if p := problemOf(t, rec); p.Type != ProblemNotFound {
				t.Errorf("GET %s: %s", path, rec.Body)
			}
			wantStatus(t, cust1.get(path), http.StatusOK)
		}
		wantStatus(t, cust1.get(base3+"/events"), http.StatusNotFound)
		wantStatus(t, mgr.get(slaPeriodPath("no-such-account", cur)+"/events"), http.StatusNotFound)
		wantStatus(t, mgr.get(slaPeriodPath(acc1, "2026-13")+"/events"), http.StatusNotFound)
	})

	t.Run("bad query", func(t *testing.T) {
		cursor := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
		tests := []struct {
			name, path, field, rule string
		}{
			{"unknown status", "/v1/sla-periods?status=paused", "status", "oneof"},
			{"unknown service", "/v1/sla-periods?service=fax", "service", "oneof"},
			{"customer_id is a body field", "/v1/sla-periods?customer_id=acme", "customer_id", "unknown"},
			{"bad customer", "/v1/sla-periods?customer=a%20b", "customer", "identifier"},
			{"account with a slash", "/v1/sla-periods?account=a%2Fb", "account", "slaaccount"},
			{"account too long", "/v1/sla-periods?account=" + strings.Repeat("a", 129), "account", "max"},
			{"month 13", "/v1/sla-periods?period=2026-13", "period", "yearmonth"},
			{"a date, not a month", "/v1/sla-periods?period=2026-11-01", "period", "max"},
			{"negative limit", "/v1/sla-periods?limit=-1", "limit", "min"},
			{"limit too large", "/v1/sla-periods?limit=201", "limit", "max"},
			{"cursor not base64", "/v1/sla-periods?cursor=%21%21", "cursor", "cursor"},
			{"cursor without a month", "/v1/sla-periods?cursor=" + cursor("seven"), "cursor", "cursor"},
			{"cursor with a bad month", "/v1/sla-periods?cursor=" + cursor(acc1+"/2026-13"), "cursor", "cursor"},
			{"events after", base1 + "/events?after=-1", "after", "min"},
			{"events limit", base1 + "/events?limit=501", "limit", "max"},
			{"events unknown", base1 + "/events?cursor=x", "cursor", "unknown"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				rec := mgr.get(tt.path)
				wantStatus(t, rec, http.StatusBadRequest)
				if got, ok := problemFields(problemOf(t, rec))[tt.field]; !ok || got != tt.rule {
					t.Errorf("field %s rule %q (named: %v), want %q: %s", tt.field, got, ok, tt.rule, rec.Body)
				}
			})
		}
	})

	t.Run("events", func(t *testing.T) {
		got := eventsAll[store.SLAPeriodEvent](cust1, base1+"/events", 1)
		var types []string
		for i, e := range got {
			if e.Seq != int64(i+1) || e.Account != acc1 || e.Period != cur {
				t.Errorf("event %d: seq %d period %s/%s", i, e.Seq, e.Account, e.Period)
			}
			if _, off := e.OccurredAt.Zone(); off != 8*3600 {
				t.Errorf("event %d occurred_at %v is not in CST", i, e.OccurredAt)
			}
			types = append(types, e.Type)
		}
		for _, want := range []workflows.EventType{workflows.EventSLAPeriodStarted, workflows.EventOutageRecorded} {
			if !slices.Contains(types, string(want)) {
				t.Errorf("events %v lack %s", types, want)
			}
		}
		past := eventsAll[store.SLAPeriodEvent](aud, slaPeriodPath(acc1, back)+"/events", 50)
		if !slices.ContainsFunc(past, func(e store.SLAPeriodEvent) bool { return e.Type == string(workflows.EventSLAPeriodComputed) }) {
			t.Errorf("the past period's events lack %s: %+v", workflows.EventSLAPeriodComputed, past)
		}
		rec := mgr.get(base1 + "/events?after=1000000")
		wantStatus(t, rec, http.StatusOK)
		if rec.Body.String() != `{"items":[]}` {
			t.Errorf("events past the last: %s", rec.Body)
		}
	})

	// A period without a read-model row (started a moment ago, or before
	// periods were projected) is authorized by its workflow: drop the rows
	// of acc2's period to see it.
	t.Run("not in the read model", func(t *testing.T) {
		pool := testenv.Get(t).Pool
		for _, sql := range []string{
			"DELETE FROM sla_period_events WHERE account = $1 AND period = $2",
			"DELETE FROM sla_periods WHERE account = $1 AND period = $2",
		} {
			if _, err := pool.Exec(ctx, sql, acc2, cur); err != nil {
				t.Fatal(err)
			}
		}
		if _, _, _, err := f.store.SLAPeriodState(ctx, acc2, cur); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("period row still there: %v", err)
		}
		base2 := slaPeriodPath(acc2, cur)
		tests := []struct {
			name string
			as   caller
			path string
			want int
		}{
			{"period, its customer", cust1, base2, http.StatusOK},
			{"events, its customer", cust1, base2 + "/events", http.StatusOK},
			{"events, the auditor", aud, base2 + "/events", http.StatusOK},
			{"period, another customer", cust2, base2, http.StatusNotFound},
			{"events, another customer", cust2, base2 + "/events", http.StatusNotFound},
			{"a month never started", cust1, slaPeriodPath(acc2, back) + "/events", http.StatusNotFound},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				wantStatus(t, tt.as.get(tt.path), tt.want)
			})
		}
		st := getSLAState(t, cust1, base2)
		if st.Account != acc2 || st.CustomerID != c1 || st.Service != workflows.SLASendify || st.Intervals == nil {
			t.Errorf("state from the workflow: %+v", st)
		}
	})
}
