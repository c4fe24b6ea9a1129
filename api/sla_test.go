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

// slaReady waits until the SLA period's workflow has begun: its claim window
// is computed and its status follows the clock. It long-polls the
// workflow's history for the first timer (the next instant the period
// changes at) or the workflow's completion.
func slaReady(t *testing.T, f *fixture, account, period string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	it := f.temporal.GetWorkflowHistory(ctx, workflows.SLAPeriodWorkflowID(account, period), "", true, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			t.Fatalf("history of %s %s: %v", account, period, err)
		}
		switch e.GetEventType() {
		case enumspb.EVENT_TYPE_TIMER_STARTED, enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED:
			return
		}
	}
	t.Fatalf("the history of %s %s ended before the period began", account, period)
}

// slaStart starts an SLA period as the manager and waits until it has begun.
func slaStart(t *testing.T, f *fixture, account, service, period string) string {
	t.Helper()
	rec := f.as(t, store.RoleManager).post("/v1/sla-periods", map[string]any{"account": account, "customer_id": "acme",
		"service": service, "period": period, "monthly_fee_cents": 100_00, "currency": "CNY"})
	wantStatus(t, rec, http.StatusCreated)
	slaReady(t, f, account, period)
	return "/v1/sla-periods/" + account + "/" + period
}

func getSLAState(t *testing.T, c caller, path string) workflows.SLAPeriodState {
	t.Helper()
	var st workflows.SLAPeriodState
	rec := c.get(path)
	wantStatus(t, rec, http.StatusOK)
	decode(t, rec, &st)
	return st
}

// TestSLAPeriodThroughAPI runs mail-SLA periods through the API against the
// real Temporal server: the current month's email period collects outages
// (and refuses what does not belong to it), a Sendify period takes error
// intervals, and the claim is refused before its window with the window
// named. Claim windows themselves are computed and tested in workflows/.
func TestSLAPeriodThroughAPI(t *testing.T) {
	f := newFixture(t)
	mgr, cust, aud := f.as(t, store.RoleManager), f.as(t, store.RoleCustomer), f.as(t, store.RoleAuditor)
	other := f.asToken(t, f.customerToken(t, "globex"))
	now := time.Now().In(calendar.Zone())
	period := now.Format("2006-01")
	periodStart, periodEnd, err := workflows.ParseSLAPeriod(period)
	if err != nil {
		t.Fatal(err)
	}
	stamp := now.UnixNano()
	account := fmt.Sprintf("postmaster+%d@acme.example", stamp)
	sendify := fmt.Sprintf("dingstore-%d", stamp)
	base := "/v1/sla-periods/" + account + "/" + period
	start := map[string]any{"account": account, "customer_id": "acme", "service": "email", "period": period,
		"monthly_fee_cents": 1200_00, "currency": "CNY"}
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

	// The start: validation, idempotent replay, once per account and month.
	runAPICases(t, []apiCase{
		{name: "no account", as: mgr, path: "/v1/sla-periods", body: startWith("account", nil), want: http.StatusBadRequest, field: "account", fieldRule: "required"},
		{name: "account with a slash", as: mgr, path: "/v1/sla-periods", body: startWith("account", "a/b"), want: http.StatusBadRequest, field: "account", fieldRule: "slaaccount"},
		{name: "unknown service", as: mgr, path: "/v1/sla-periods", body: startWith("service", "fax"), want: http.StatusBadRequest, field: "service", fieldRule: "oneof"},
		{name: "month 13", as: mgr, path: "/v1/sla-periods", body: startWith("period", "2026-13"), want: http.StatusBadRequest, field: "period", fieldRule: "yearmonth"},
		{name: "a date, not a month", as: mgr, path: "/v1/sla-periods", body: startWith("period", "2026-11-01"), want: http.StatusBadRequest, field: "period", fieldRule: "max"},
		{name: "no fee", as: mgr, path: "/v1/sla-periods", body: startWith("monthly_fee_cents", 0), want: http.StatusBadRequest, field: "monthly_fee_cents", fieldRule: "required"},
		{name: "negative fee", as: mgr, path: "/v1/sla-periods", body: startWith("monthly_fee_cents", -1), want: http.StatusBadRequest, field: "monthly_fee_cents", fieldRule: "min"},
		{name: "lower-case currency", as: mgr, path: "/v1/sla-periods", body: startWith("currency", "cny"), want: http.StatusBadRequest, field: "currency", fieldRule: "currency"},
		{name: "bad customer", as: mgr, path: "/v1/sla-periods", body: startWith("customer_id", "acme corp"), want: http.StatusBadRequest, field: "customer_id", fieldRule: "identifier"},
		{name: "the customer", as: cust, path: "/v1/sla-periods", body: start, want: http.StatusForbidden},
		{name: "the auditor", as: aud, path: "/v1/sla-periods", body: start, want: http.StatusForbidden},
	})

	key := fmt.Sprintf("sla-start-%d", stamp)
	rec := mgr.postKey("/v1/sla-periods", key, start)
	wantStatus(t, rec, http.StatusCreated)
	first := rec.Body.String()
	var started startedSLAPeriod
	decode(t, rec, &started)
	if started.WorkflowID != workflows.SLAPeriodWorkflowID(account, period) || started.Account != account || started.Period != period ||
		rec.Header().Get("Location") != base {
		t.Fatalf("started %+v, Location %q", started, rec.Header().Get("Location"))
	}
	rec = mgr.postKey("/v1/sla-periods", key, start)
	wantStatus(t, rec, http.StatusCreated)
	if rec.Header().Get("Idempotent-Replayed") != "true" || rec.Body.String() != first || rec.Header().Get("Location") != base {
		t.Errorf("replayed start: %v %s", rec.Header(), rec.Body)
	}
	rec = mgr.postKey("/v1/sla-periods", key, startWith("monthly_fee_cents", 1))
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	if p := problemOf(t, rec); p.Type != ProblemIdempotencyMismatch {
		t.Errorf("key reused for another start: %s", rec.Body)
	}
	rec = mgr.post("/v1/sla-periods", start)
	wantStatus(t, rec, http.StatusConflict)
	if p := problemOf(t, rec); p.Type != ProblemExists || rec.Header().Get("Location") != base {
		t.Errorf("second start: %s, Location %q", rec.Body, rec.Header().Get("Location"))
	}
	slaReady(t, f, account, period)
	sbase := slaStart(t, f, sendify, "sendify", period)

	// An account name is one customer's account of one service: the
	// period's IDs hold no service or customer.
	next := periodStart.AddDate(0, 1, 0).Format("2006-01")
	nextWith := func(k, v string) map[string]any {
		out := startWith("period", next)
		out[k] = v
		return out
	}
	runAPICases(t, []apiCase{
		{name: "the account as sendify", as: mgr, path: "/v1/sla-periods", body: nextWith("service", "sendify"),
			want: http.StatusConflict, rule: "account-taken", field: "account", fieldRule: "account-taken"},
		{name: "the account for another customer", as: mgr, path: "/v1/sla-periods", body: nextWith("customer_id", "globex"),
			want: http.StatusConflict, rule: "account-taken", field: "account", fieldRule: "account-taken"},
		{name: "an SLA account of it for another customer", as: mgr, path: "/v1/sla-accounts",
			body: map[string]any{"account": account, "customer_id": "globex", "service": "email", "monthly_fee_cents": 100, "first_period": next},
			want: http.StatusConflict, rule: "account-taken", field: "account", fieldRule: "account-taken"},
	})

	// Reading: the customer sees its own period, another customer sees none.
	st := getSLAState(t, cust, base)
	switch {
	case st.Status != workflows.SLACollecting || st.Service != workflows.SLAEmail || st.CustomerID != "acme" || st.MonthlyFeeCents != 1200_00:
		t.Errorf("state %s %s %s fee %d", st.Status, st.Service, st.CustomerID, st.MonthlyFeeCents)
	case !st.PeriodStart.Equal(periodStart) || !st.PeriodEnd.Equal(periodEnd) || !st.ClaimOpens.At.After(periodEnd) || !st.ClaimCloses.After(st.ClaimOpens.At):
		t.Errorf("period %s to %s, claims from %s until %s", st.PeriodStart, st.PeriodEnd, st.ClaimOpens.At, st.ClaimCloses)
	case st.StartedBy.Role != workflows.RoleManager || len(st.Events) == 0:
		t.Errorf("started by %+v, events %+v", st.StartedBy, st.Events)
	}
	getSLAState(t, aud, base)
	for _, path := range []string{base, "/v1/sla-periods/" + account + "/2026-13", "/v1/sla-periods/no-such-account/" + period, "/v1/sla-periods/a%20b/" + period} {
		if rec := other.get(path); rec.Code != http.StatusNotFound {
			t.Errorf("other customer GET %s: %d %s", path, rec.Code, rec.Body)
		}
	}
	wantStatus(t, mgr.get("/v1/sla-periods/no-such-account/"+period), http.StatusNotFound)

	// Measurements.
	at := func(d time.Duration) string { return periodStart.Add(d).Format(time.RFC3339) }
	outage := map[string]any{"start": at(10 * time.Hour), "minutes": 30, "note": "IMAP front-end down"}
	intervals := func(ivs ...map[string]any) map[string]any { return map[string]any{"intervals": ivs} }
	tooMany := make([]map[string]any, 7*288+1)
	for i := range tooMany {
		tooMany[i] = map[string]any{"start": at(time.Duration(i) * 5 * time.Minute), "failed": 0, "valid": 1}
	}
	runAPICases(t, []apiCase{
		{name: "an outage", as: mgr, path: base + "/outages", body: outage, want: http.StatusOK},
		{name: "an excluded outage", as: mgr, path: base + "/outages",
			body: map[string]any{"start": at(20 * time.Hour), "minutes": 120, "excluded": "notified maintenance"}, want: http.StatusOK},
		{name: "no minutes", as: mgr, path: base + "/outages", body: map[string]any{"start": at(0)}, want: http.StatusBadRequest, field: "minutes", fieldRule: "required"},
		{name: "a start that is no instant", as: mgr, path: base + "/outages", body: map[string]any{"start": "yesterday", "minutes": 5},
			want: http.StatusBadRequest, field: "start", fieldRule: "rfc3339"},
		{name: "an outage before the period", as: mgr, path: base + "/outages", body: map[string]any{"start": periodStart.Add(-time.Hour).Format(time.RFC3339), "minutes": 5},
			want: http.StatusBadRequest, field: "start", fieldRule: workflows.RuleField},
		{name: "an outage past the period's end", as: mgr, path: base + "/outages", body: map[string]any{"start": periodEnd.Add(-time.Minute).Format(time.RFC3339), "minutes": 5},
			want: http.StatusBadRequest, field: "start", fieldRule: workflows.RuleField},
		{name: "an unknown field", as: mgr, path: base + "/outages", body: map[string]any{"start": at(0), "minutes": 5, "reason": "x"},
			want: http.StatusBadRequest, field: "reason", fieldRule: "unknown"},
		{name: "a NUL in a note", as: mgr, path: base + "/outages", body: map[string]any{"start": at(0), "minutes": 5, "note": "power\x00cut"},
			want: http.StatusBadRequest, field: "note", fieldRule: "no_nul"},
		{name: "a NUL in an interval's start", as: mgr, path: base + "/error-intervals",
			body: map[string]any{"intervals": []any{map[string]any{"start": "\x00", "failed": 0, "valid": 1}}},
			want: http.StatusBadRequest, field: "intervals[0].start", fieldRule: "no_nul"},
		{name: "an outage by the customer", as: cust, path: base + "/outages", body: outage, want: http.StatusForbidden},
		{name: "an outage on a Sendify period", as: mgr, path: sbase + "/outages", body: outage,
			want: http.StatusBadRequest, rule: workflows.RuleServiceKind, field: "service", fieldRule: workflows.RuleServiceKind},
		{name: "error intervals on an email period", as: mgr, path: base + "/error-intervals", body: intervals(map[string]any{"start": at(0), "failed": 1, "valid": 100}),
			want: http.StatusBadRequest, rule: workflows.RuleServiceKind, field: "service", fieldRule: workflows.RuleServiceKind},
		{name: "error intervals", as: mgr, path: sbase + "/error-intervals",
			body: intervals(map[string]any{"start": at(0), "failed": 1, "valid": 100}, map[string]any{"start": at(5 * time.Minute), "failed": 4, "valid": 100}), want: http.StatusOK},
		{name: "an interval off the grid", as: mgr, path: sbase + "/error-intervals", body: intervals(map[string]any{"start": at(time.Minute), "failed": 1, "valid": 100}),
			want: http.StatusBadRequest, field: "intervals[0].start", fieldRule: workflows.RuleField},
		{name: "more failed than valid", as: mgr, path: sbase + "/error-intervals", body: intervals(map[string]any{"start": at(0), "failed": 2, "valid": 1}),
			want: http.StatusBadRequest, field: "intervals[0]", fieldRule: workflows.RuleField},
		{name: "no valid requests", as: mgr, path: sbase + "/error-intervals", body: intervals(map[string]any{"start": at(0), "failed": 0}),
			want: http.StatusBadRequest, field: "intervals[0].valid", fieldRule: "required"},
		{name: "no intervals", as: mgr, path: sbase + "/error-intervals", body: map[string]any{"intervals": []any{}}, want: http.StatusBadRequest, field: "intervals", fieldRule: "min"},
		{name: "more than a week of intervals", as: mgr, path: sbase + "/error-intervals", body: intervals(tooMany...),
			want: http.StatusBadRequest, field: "intervals", fieldRule: "max"},
		{name: "another customer's period", as: other, path: base + "/claim", body: nil, want: http.StatusNotFound},
		{name: "a claim by the manager", as: mgr, path: base + "/claim", body: nil, want: http.StatusForbidden},
		{name: "a claim before the window", as: cust, path: base + "/claim", body: map[string]any{"note": "the outage of the 1st"},
			want: http.StatusConflict, rule: workflows.RuleClaimWindow},
	})

	// The refusal names the window.
	rec = cust.post(base+"/claim", nil)
	wantStatus(t, rec, http.StatusConflict)
	p := problemOf(t, rec)
	window := fmt.Sprintf("claims for email period %s are accepted from %s until %s", period,
		st.ClaimOpens.At.Format(time.RFC3339), st.ClaimCloses.Format(time.RFC3339))
	if p.Type != ProblemRefused || p.Rule != workflows.RuleClaimWindow || !strings.Contains(p.Detail, window) {
		t.Errorf("early claim: %s, want the detail to name %q", rec.Body, window)
	}

	// An outage replayed with its key takes effect once.
	okey := fmt.Sprintf("sla-outage-%d", stamp)
	correction := map[string]any{"start": at(10 * time.Hour), "minutes": 35, "note": "corrected"}
	first = mgr.postKey(base+"/outages", okey, correction).Body.String()
	rec = mgr.postKey(base+"/outages", okey, correction)
	wantStatus(t, rec, http.StatusOK)
	if rec.Header().Get("Idempotent-Replayed") != "true" || rec.Body.String() != first {
		t.Errorf("replayed outage: %v %s", rec.Header(), rec.Body)
	}

	st = getSLAState(t, mgr, base)
	if len(st.Outages) != 2 || st.Outages[0].Minutes != 35 || st.Outages[0].Note != "corrected" || st.Outages[1].Excluded == "" || st.Claim != nil {
		t.Errorf("outages %+v, claim %+v", st.Outages, st.Claim)
	}
	var recorded int
	for _, e := range st.Events {
		if e.Type == workflows.EventOutageRecorded {
			recorded++
		}
	}
	if recorded != 3 {
		t.Errorf("%d outage events, want 3 (two outages and one correction)", recorded)
	}
	sst := getSLAState(t, cust, sbase)
	if len(sst.Intervals) != 2 || sst.Intervals[1].Failed != 4 || len(sst.Outages) != 0 {
		t.Errorf("Sendify intervals %+v outages %+v", sst.Intervals, sst.Outages)
	}
}

// TestSLAPeriodPastThroughAPI: periods whose months are over. Two months
// back the claim window is open and the month, with nothing recorded, met
// the commitment; a period whose window closed long ago has completed and
// answers from the workflow's result, refusing every action.
func TestSLAPeriodPastThroughAPI(t *testing.T) {
	f := newFixture(t)
	mgr, cust := f.as(t, store.RoleManager), f.as(t, store.RoleCustomer)
	now := time.Now().In(calendar.Zone())
	stamp := now.UnixNano()

	// Two months back: the window runs from after the 5th working day of
	// last month until the end of this one.
	y, m, _ := now.Date()
	open := time.Date(y, m-2, 1, 0, 0, 0, 0, calendar.Zone()).Format("2006-01")
	account := fmt.Sprintf("ops-%d@acme.example", stamp)
	base := slaStart(t, f, account, "email", open)
	st := getSLAState(t, cust, base)
	if st.Status != workflows.SLAClaimOpen || st.Result == nil || !st.Result.CommitmentMet || st.Result.AvailabilityPct != "100.0000" {
		t.Fatalf("period %s: status %s result %+v", open, st.Status, st.Result)
	}
	runAPICases(t, []apiCase{
		{name: "an outage after the period", as: mgr, path: base + "/outages", body: map[string]any{"start": st.PeriodStart.Format(time.RFC3339), "minutes": 5},
			want: http.StatusConflict, rule: workflows.RulePeriodClosed},
		{name: "a claim for a month that met the commitment", as: cust, path: base + "/claim", body: nil,
			want: http.StatusConflict, rule: workflows.RuleCommitmentMet},
	})

	// January 2024: its workflow completes as soon as it has begun.
	const past = "2024-01"
	account = fmt.Sprintf("ops-%d-old@acme.example", stamp)
	base = slaStart(t, f, account, "email", past)
	if err := f.temporal.GetWorkflow(context.Background(), workflows.SLAPeriodWorkflowID(account, past), "").Get(context.Background(), nil); err != nil {
		t.Fatalf("the %s period did not complete: %v", past, err)
	}
	st = getSLAState(t, cust, base)
	if st.Status != workflows.SLAClosed || st.Result == nil || len(st.Events) == 0 || st.Events[len(st.Events)-1].Type != workflows.EventSLAPeriodClosed {
		t.Errorf("completed period: status %s result %+v events %+v", st.Status, st.Result, st.Events)
	}
	wantStatus(t, f.asToken(t, f.customerToken(t, "globex")).get(base), http.StatusNotFound)
	runAPICases(t, []apiCase{
		{name: "an outage for a completed period", as: mgr, path: base + "/outages", body: map[string]any{"start": st.PeriodStart.Format(time.RFC3339), "minutes": 5},
			want: http.StatusConflict, rule: workflows.RuleEnded},
		{name: "a claim for a completed period", as: cust, path: base + "/claim", body: nil, want: http.StatusConflict, rule: workflows.RuleEnded},
		{name: "the completed period again", as: mgr, path: "/v1/sla-periods", body: map[string]any{"account": account, "customer_id": "acme",
			"service": "email", "period": past, "monthly_fee_cents": 1}, want: http.StatusConflict},
	})
}

// TestOpenAPISLASchemasMatchGoTypes holds the SLA period schemas against
// their Go types, as TestOpenAPISchemasMatchGoTypes does for the others.
func TestOpenAPISLASchemasMatchGoTypes(t *testing.T) {
	doc := oasLoad(t)
	const s = "#/components/schemas/"
	tests := []struct {
		pointer string
		goType  any
		kind    oasSchemaKind
	}{
		{s + "StartSLAPeriodRequest", startSLAPeriodRequest{}, oasRequestSchema},
		{s + "RecordOutageRequest", recordOutageRequest{}, oasRequestSchema},
		{s + "RecordErrorIntervalsRequest", recordErrorIntervalsRequest{}, oasRequestSchema},
		{s + "ErrorIntervalRequest", errorIntervalRequest{}, oasRequestSchema},
		{s + "StartedSLAPeriod", startedSLAPeriod{}, oasResponseSchema},
		{s + "SLAState", workflows.SLAPeriodState{}, oasResponseSchema},
		{s + "Outage", workflows.Outage{}, oasResponseSchema},
		{s + "ErrorInterval", workflows.ErrorInterval{}, oasResponseSchema},
		{s + "SLAComputation", workflows.SLAComputation{}, oasResponseSchema},
		{s + "SLAClaim", workflows.SLAClaim{}, oasResponseSchema},
		{s + "SLAPeriodListItem", store.SLAPeriodSummary{}, oasResponseSchema},
		{s + "SLAPeriodPage", slaPeriodPage{}, oasResponseSchema},
		{s + "SLAPeriodEvent", store.SLAPeriodEvent{}, oasResponseSchema},
		{s + "SLAPeriodEventPage", slaPeriodEventPage{}, oasResponseSchema},
	}
	for _, tt := range tests {
		t.Run(strings.TrimPrefix(tt.pointer, s), func(t *testing.T) {
			doc.checkSchema(t, tt.pointer, tt.goType, tt.kind)
		})
	}
}
