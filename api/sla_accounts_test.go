package api

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"

	"github.com/sowflow/sowflow/calendar"
	"github.com/sowflow/sowflow/store"
	"github.com/sowflow/sowflow/workflows"
)

// awaitFirstRunPeriod long-polls the history of an account's run until the
// run has started its period child (or found it running) and continued as
// new; it fails the test if the run ended otherwise.
func awaitFirstRunPeriod(t *testing.T, f *fixture, account, runID string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	it := f.temporal.GetWorkflowHistory(ctx, workflows.SLAAccountWorkflowID(account), runID, true, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			t.Fatalf("history of account %s: %v", account, err)
		}
		switch e.GetEventType() {
		case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW:
			return
		case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED, enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED,
			enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED:
			t.Fatalf("account %s: run %s ended with %s", account, runID, e.GetEventType())
		}
	}
	t.Fatalf("the history of account %s ended before its first period started", account)
}

func getSLAAccountState(t *testing.T, c caller, path string) workflows.SLAAccountState {
	t.Helper()
	var st workflows.SLAAccountState
	rec := c.get(path)
	wantStatus(t, rec, http.StatusOK)
	decode(t, rec, &st)
	return st
}

// TestSLAAccountThroughAPI starts an SLA account for the current month
// against the real Temporal server: the account starts the month's period
// at once (GET /v1/sla-periods answers for it), takes a fee change for the
// next month, refuses what it must, and stops.
func TestSLAAccountThroughAPI(t *testing.T) {
	f := newFixture(t)
	mgr, cust, aud := f.as(t, store.RoleManager), f.as(t, store.RoleCustomer), f.as(t, store.RoleAuditor)
	other := f.asToken(t, f.customerToken(t, "globex"))
	now := time.Now().In(calendar.Zone())
	period := now.Format("2006-01")
	periodStart, _, err := workflows.ParseSLAPeriod(period)
	if err != nil {
		t.Fatal(err)
	}
	nextPeriod := periodStart.AddDate(0, 1, 0).Format("2006-01")
	stamp := now.UnixNano()
	account := fmt.Sprintf("acct+%d@acme.example", stamp)
	base := "/v1/sla-accounts/" + account
	start := map[string]any{"account": account, "customer_id": "acme", "service": "email", "monthly_fee_cents": 1500_00,
		"currency": "CNY", "first_period": period}
	startWith := func(k string, v any) map[string]any {
		out := map[string]any{}
		for key, val := range start {
			out[key] = val
		}
		if v == nil {
			delete(out, k)
		} else {
			out[k] = v
		}
		return out
	}

	runAPICases(t, []apiCase{
		{name: "no account", as: mgr, path: "/v1/sla-accounts", body: startWith("account", nil), want: http.StatusBadRequest, field: "account", fieldRule: "required"},
		{name: "account with a slash", as: mgr, path: "/v1/sla-accounts", body: startWith("account", "a/b"), want: http.StatusBadRequest, field: "account", fieldRule: "slaaccount"},
		{name: "unknown service", as: mgr, path: "/v1/sla-accounts", body: startWith("service", "fax"), want: http.StatusBadRequest, field: "service", fieldRule: "oneof"},
		{name: "month 13", as: mgr, path: "/v1/sla-accounts", body: startWith("first_period", "2026-13"), want: http.StatusBadRequest, field: "first_period", fieldRule: "yearmonth"},
		{name: "bad last month", as: mgr, path: "/v1/sla-accounts", body: startWith("last_period", "2026-00"), want: http.StatusBadRequest, field: "last_period", fieldRule: "yearmonth"},
		{name: "last before first", as: mgr, path: "/v1/sla-accounts", body: startWith("last_period", periodStart.AddDate(0, -1, 0).Format("2006-01")),
			want: http.StatusUnprocessableEntity, field: "last_period", fieldRule: workflows.StartRuleInvalid},
		{name: "first month past its claims", as: mgr, path: "/v1/sla-accounts", body: startWith("first_period", periodStart.AddDate(0, -3, 0).Format("2006-01")),
			want: http.StatusUnprocessableEntity, field: "first_period", fieldRule: "claimable"},
		{name: "no fee", as: mgr, path: "/v1/sla-accounts", body: startWith("monthly_fee_cents", 0), want: http.StatusBadRequest, field: "monthly_fee_cents", fieldRule: "required"},
		{name: "lower-case currency", as: mgr, path: "/v1/sla-accounts", body: startWith("currency", "cny"), want: http.StatusBadRequest, field: "currency", fieldRule: "currency"},
		{name: "the customer", as: cust, path: "/v1/sla-accounts", body: start, want: http.StatusForbidden},
	})

	key := fmt.Sprintf("sla-account-%d", stamp)
	rec := mgr.postKey("/v1/sla-accounts", key, start)
	wantStatus(t, rec, http.StatusCreated)
	var started startedSLAAccount
	decode(t, rec, &started)
	if started.WorkflowID != workflows.SLAAccountWorkflowID(account) || started.Account != account || rec.Header().Get("Location") != base {
		t.Fatalf("started %+v, Location %q", started, rec.Header().Get("Location"))
	}
	first := rec.Body.String()
	rec = mgr.postKey("/v1/sla-accounts", key, start)
	wantStatus(t, rec, http.StatusCreated)
	if rec.Header().Get("Idempotent-Replayed") != "true" || rec.Body.String() != first {
		t.Errorf("replayed start: %v %s", rec.Header(), rec.Body)
	}
	rec = mgr.post("/v1/sla-accounts", start)
	wantStatus(t, rec, http.StatusConflict)
	if p := problemOf(t, rec); p.Type != ProblemExists || rec.Header().Get("Location") != base {
		t.Errorf("second start: %s, Location %q", rec.Body, rec.Header().Get("Location"))
	}

	// The month has begun: its period starts at once, then the run
	// continues as new to wait for next month.
	awaitFirstRunPeriod(t, f, account, started.RunID)
	slaReady(t, f, account, period)
	ps := getSLAState(t, mgr, "/v1/sla-periods/"+account+"/"+period)
	if ps.MonthlyFeeCents != 1500_00 || ps.CustomerID != "acme" || ps.StartedBy.Role != workflows.RoleSystem {
		t.Errorf("period state: fee %d, customer %s, started by %+v", ps.MonthlyFeeCents, ps.CustomerID, ps.StartedBy)
	}
	st := getSLAAccountState(t, cust, base)
	if st.Status != workflows.SLAAccountActive || st.PeriodsStarted != 1 || st.NextPeriod != nextPeriod || st.Run != 2 ||
		len(st.Periods) != 1 || st.Periods[0].WorkflowID != workflows.SLAPeriodWorkflowID(account, period) {
		t.Errorf("account state: status %s, %d started, next %s, run %d, periods %+v", st.Status, st.PeriodsStarted, st.NextPeriod, st.Run, st.Periods)
	}
	getSLAAccountState(t, aud, base)
	for _, path := range []string{base, "/v1/sla-accounts/no-such-account", "/v1/sla-accounts/a%20b"} {
		if rec := other.get(path); rec.Code != http.StatusNotFound {
			t.Errorf("other customer GET %s: %d %s", path, rec.Code, rec.Body)
		}
	}
	wantStatus(t, mgr.get("/v1/sla-accounts/no-such-account"), http.StatusNotFound)

	// Actions.
	runAPICases(t, []apiCase{
		{name: "fee by the customer", as: cust, path: base + "/fee", body: map[string]any{"monthly_fee_cents": 1}, want: http.StatusForbidden},
		{name: "no fee", as: mgr, path: base + "/fee", body: map[string]any{"note": "x"}, want: http.StatusBadRequest, field: "monthly_fee_cents", fieldRule: "required"},
		{name: "fee of no such account", as: mgr, path: "/v1/sla-accounts/no-such-account/fee", body: map[string]any{"monthly_fee_cents": 1}, want: http.StatusNotFound},
		{name: "fee change", as: mgr, path: base + "/fee", body: map[string]any{"monthly_fee_cents": 1800_00, "note": "new tariff"}, want: http.StatusOK},
	})
	st = getSLAAccountState(t, mgr, base)
	if fc := latestEvent(st.Events, workflows.EventSLAAccountFeeChanged); st.MonthlyFeeCents != 1800_00 || fc == nil || fc.Payload["applies_from"] != nextPeriod {
		t.Errorf("after the fee change: fee %d, event %+v", st.MonthlyFeeCents, fc)
	}
	if ps := getSLAState(t, mgr, "/v1/sla-periods/"+account+"/"+period); ps.MonthlyFeeCents != 1500_00 {
		t.Errorf("the running period's fee changed to %d", ps.MonthlyFeeCents)
	}

	runAPICases(t, []apiCase{
		{name: "stop by the customer", as: cust, path: base + "/stop", body: nil, want: http.StatusForbidden},
		{name: "stop", as: mgr, path: base + "/stop", body: map[string]any{"reason": "contract ended"}, want: http.StatusOK},
		{name: "stop again", as: mgr, path: base + "/stop", body: nil, want: http.StatusConflict, rule: workflows.RuleEnded},
	})
	st = getSLAAccountState(t, cust, base)
	if st.Status != workflows.SLAAccountStopped || st.Stop == nil || st.Stop.Reason != "contract ended" || st.NextPeriod != "" {
		t.Errorf("stopped account: status %s, stop %+v, next %q", st.Status, st.Stop, st.NextPeriod)
	}
	// The running period is not affected.
	if ps := getSLAState(t, mgr, "/v1/sla-periods/"+account+"/"+period); ps.Status != workflows.SLACollecting {
		t.Errorf("period after the stop: %s", ps.Status)
	}
}

// latestEvent returns the last event of the type, or nil.
func latestEvent(evs []workflows.Event, typ workflows.EventType) *workflows.Event {
	for i := len(evs) - 1; i >= 0; i-- {
		if evs[i].Type == typ {
			return &evs[i]
		}
	}
	return nil
}

// TestOpenAPISLAAccountSchemasMatchGoTypes holds the SLA account schemas
// against the Go types the handlers bind and answer.
func TestOpenAPISLAAccountSchemasMatchGoTypes(t *testing.T) {
	doc := oasLoad(t)
	const s = "#/components/schemas/"
	tests := []struct {
		pointer string
		goType  any
		kind    oasSchemaKind
	}{
		{s + "StartSLAAccountRequest", startSLAAccountRequest{}, oasRequestSchema},
		{s + "ChangeSLAFeeRequest", changeSLAFeeRequest{}, oasRequestSchema},
		{s + "StopSLAAccountRequest", stopSLAAccountRequest{}, oasRequestSchema},
		{s + "StartedSLAAccount", startedSLAAccount{}, oasResponseSchema},
		{s + "SLAAccountState", workflows.SLAAccountState{}, oasResponseSchema},
		{s + "SLAAccountPeriod", workflows.SLAAccountPeriod{}, oasResponseSchema},
		{s + "SLAAccountStop", workflows.SLAAccountStop{}, oasResponseSchema},
	}
	for _, tt := range tests {
		t.Run(strings.TrimPrefix(tt.pointer, s), func(t *testing.T) {
			doc.checkSchema(t, tt.pointer, tt.goType, tt.kind)
		})
	}
}

// TestOldestClaimablePeriod checks the earliest first month an account may
// start with, across a year boundary, on the CST calendar.
func TestOldestClaimablePeriod(t *testing.T) {
	for _, tt := range []struct {
		now  string
		want string
	}{
		{"2026-11-23T12:00:00+08:00", "2026-09"},
		{"2027-02-01T00:00:00+08:00", "2026-12"},
		{"2027-01-31T16:30:00Z", "2026-12"}, // 00:30 CST on 1 February
		{"2027-01-31T15:59:00Z", "2026-11"}, // 23:59 CST on 31 January
	} {
		now, err := time.Parse(time.RFC3339, tt.now)
		if err != nil {
			t.Fatal(err)
		}
		if got := oldestClaimablePeriod(now); got != tt.want {
			t.Errorf("oldestClaimablePeriod(%s) = %s, want %s", tt.now, got, tt.want)
		}
	}
}
