package workflows_test

import (
	"fmt"
	"log/slog"
	"os"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/sowflow/sowflow/activities"
	"github.com/sowflow/sowflow/calendar"
	"github.com/sowflow/sowflow/sla"
	"github.com/sowflow/sowflow/workflows"
)

var (
	slaCustomer = workflows.Actor{Subject: "it@mail-cust.example", Role: workflows.RoleCustomer, CustomerID: "mail-cust"}
	monitor     = workflows.Actor{Subject: "monitoring", Role: workflows.RoleSystem}
)

func slaInput(service workflows.SLAService, period string) workflows.SLAPeriodInput {
	return workflows.SLAPeriodInput{Account: "ops@mail-cust.example", CustomerID: "mail-cust", Service: service,
		Period: period, MonthlyFeeCents: 12345, Currency: "USD", StartedBy: manager, RequestID: "start-sla"}
}

// runSLA runs an SLA period workflow started at start to its end.
func runSLA(t *testing.T, h *harness, in workflows.SLAPeriodInput) workflows.SLAPeriodState {
	t.Helper()
	h.env.ExecuteWorkflow(workflows.SLAPeriodWorkflowName, in)
	if !h.env.IsWorkflowCompleted() {
		t.Fatal("SLA period did not complete")
	}
	if err := h.env.GetWorkflowError(); err != nil {
		t.Fatalf("SLA period failed: %v", err)
	}
	var s workflows.SLAPeriodState
	if err := h.env.GetWorkflowResult(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestSLAAvailabilityTiers puts September 2026 (30 days: 43,200 minutes,
// 8,640 five-minute intervals) exactly on each tier boundary and next to
// it, for Email (outage minutes) and Sendify (error rates).
// 99.90% of a month is not a whole number of minutes in any month, so
// Email's first boundary is checked on both sides.
func TestSLAAvailabilityTiers(t *testing.T) {
	sep := cst(2026, 9, 1, 0, 0)
	// full returns n intervals at 100% errors (one per 5 minutes from
	// September 1st) and, when rate is not 0/0, one more at that rate.
	full := func(n int, failed, valid int64) []workflows.ErrorInterval {
		var out []workflows.ErrorInterval
		for i := 0; i < n; i++ {
			out = append(out, workflows.ErrorInterval{Start: sep.Add(time.Duration(i) * 5 * time.Minute), Failed: 7, Valid: 7})
		}
		if valid > 0 {
			out = append(out, workflows.ErrorInterval{Start: sep.Add(time.Duration(n) * 5 * time.Minute), Failed: failed, Valid: valid})
		}
		return out
	}
	tests := []struct {
		name      string
		service   workflows.SLAService
		outages   []int // minutes, one outage each, a day apart
		intervals []workflows.ErrorInterval
		pct       string
		tier      int
	}{
		{"email no outage", workflows.SLAEmail, nil, nil, "100.0000", 0},
		{"email 43 minutes: just above 99.90%", workflows.SLAEmail, []int{43}, nil, "99.9004", 0},
		{"email 44 minutes: just below 99.90%", workflows.SLAEmail, []int{40, 4}, nil, "99.8981", 10},
		{"email 432 minutes: exactly 99.00%", workflows.SLAEmail, []int{432}, nil, "99.0000", 10},
		{"email 433 minutes: below 99.00%", workflows.SLAEmail, []int{400, 33}, nil, "98.9976", 20},
		{"email 2160 minutes: exactly 95.00%", workflows.SLAEmail, []int{1000, 1160}, nil, "95.0000", 20},
		{"email 2161 minutes: below 95.00%", workflows.SLAEmail, []int{2161}, nil, "94.9976", 50},
		// Sendify: availability = 1 - sum(rates)/8640.
		{"sendify exactly 99.90%", workflows.SLASendify, nil, full(8, 64, 100), "99.9000", 0},
		{"sendify just below 99.90%", workflows.SLASendify, nil, full(8, 641, 1000), "99.8999", 10},
		{"sendify exactly 99.00%", workflows.SLASendify, nil, full(86, 2, 5), "99.0000", 10},
		{"sendify just below 99.00%", workflows.SLASendify, nil, full(86, 400001, 1000000), "98.9999", 20},
		{"sendify exactly 95.00%", workflows.SLASendify, nil, full(432, 0, 0), "95.0000", 20},
		{"sendify just below 95.00%", workflows.SLASendify, nil, full(432, 1, 1000000), "94.9999", 50},
	}
	for _, path := range []struct{ method string }{{"sla-v1"}} {
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				h := newSvc(t, sep)
				for i, m := range tc.outages {
					h.atInstant(sep, sep.Add(time.Duration(i+1)*24*time.Hour+time.Hour), func() {
						h.update("", workflows.UpdateRecordOutage, workflows.RecordOutage{ActionMeta: h.meta(monitor),
							Start: sep.Add(time.Duration(i+1) * 24 * time.Hour), Minutes: m})
					})
				}
				if tc.intervals != nil {
					h.atInstant(sep, cst(2026, 9, 29, 0, 0), func() {
						h.update("", workflows.UpdateRecordErrorIntervals, workflows.RecordErrorIntervals{ActionMeta: h.meta(monitor), Intervals: tc.intervals})
					})
				}
				s := runSLA(t, h, slaInput(tc.service, "2026-09"))
				h.checkUpdates()
				r := s.Result
				if r == nil {
					t.Fatal("no result")
				}
				if r.AvailabilityPct != tc.pct || r.CompensationPct != tc.tier || r.CommitmentMet != (tc.tier == 0) {
					t.Errorf("availability %s%% (%s) tier %d, want %s%% tier %d", r.AvailabilityPct, r.Availability, r.CompensationPct, tc.pct, tc.tier)
				}
				if want := int64(12345) * int64(tc.tier) / 100; r.CompensationCents != want {
					t.Errorf("compensation %d cents, want %d", r.CompensationCents, want)
				}
				if r.TotalMinutes != 43200 || r.Method != path.method {
					t.Errorf("total minutes %d, method %s (want %s)", r.TotalMinutes, r.Method, path.method)
				}
				ev := eventsOf(s.Events, workflows.EventSLAPeriodComputed)
				if len(ev) != 1 || !ev[0].At.Equal(cst(2026, 10, 1, 0, 0)) || ev[0].Attention != (tc.tier > 0) {
					t.Errorf("computed events %+v, want one at 2026-10-01T00:00+08:00", ev)
				}
			})
		}
	}
}

// TestSLAClaimWindow files claims one minute before the claim window opens,
// as it opens, one minute before it closes and as it closes, for periods
// whose windows show package sla's rule (DESIGN.md rule 4 and Civil Code
// art. 203): claims open after the 5th working day of the next month and
// close two months after the period's last day, or after the next working
// day when that day is not one. The workflow's window must be
// sla.ClaimWindow's for the same period.
func TestSLAClaimWindow(t *testing.T) {
	periods := []struct {
		name          string
		period        string
		opens, closes time.Time
		legacyCloses  time.Time // plan.AddMonthsCST(period end, 2), for contrast
		outageDay     time.Time
	}{
		// The 5th working day of October 2026 is the 13th (8, 9, the
		// make-up Saturday 10, 12, 13); 30 November is a Monday.
		{"september", "2026-09", cst(2026, 10, 14, 0, 0), cst(2026, 12, 1, 0, 0), cst(2026, 12, 1, 0, 0), cst(2026, 9, 10, 2, 0)},
		// Claims close at the end of the second month after: 30 April.
		{"february", "2026-02", cst(2026, 3, 7, 0, 0), cst(2026, 5, 1, 0, 0), cst(2026, 5, 1, 0, 0), cst(2026, 2, 10, 2, 0)},
		// 31 August + 2 months is Saturday 31 October: extended to Monday
		// 2 November.
		{"august, extended past a weekend", "2026-08", cst(2026, 9, 8, 0, 0), cst(2026, 11, 3, 0, 0), cst(2026, 11, 1, 0, 0), cst(2026, 8, 10, 2, 0)},
		// 31 March + 2 months is 31 May 2025, the Dragon Boat holiday (31
		// May - 2 June): extended to Tuesday 3 June.
		{"march 2025, extended past a holiday", "2025-03", cst(2025, 4, 9, 0, 0), cst(2025, 6, 4, 0, 0), cst(2025, 6, 1, 0, 0), cst(2025, 3, 10, 2, 0)},
	}
	claims := []struct {
		name string
		at   func(opens, closes time.Time) time.Time
		ok   bool
	}{
		{"a minute before it opens", func(o, _ time.Time) time.Time { return o.Add(-time.Minute) }, false},
		{"as it opens", func(o, _ time.Time) time.Time { return o }, true},
		{"a minute before it closes", func(_, c time.Time) time.Time { return c.Add(-time.Minute) }, true},
		{"as it closes", func(_, c time.Time) time.Time { return c }, false},
	}
	for _, p := range periods {
		pp, err := sla.ParsePeriod(p.period)
		if err != nil {
			t.Fatal(err)
		}
		want, err := sla.ClaimWindow(pp, calendar.China())
		if err != nil {
			t.Fatal(err)
		}
		if !want.Opens.Equal(p.opens) || !want.Closes.Equal(p.closes) || want.Provisional {
			t.Fatalf("%s: sla.ClaimWindow = %s to %s (provisional %v), the test expects %s to %s", p.period,
				want.Opens, want.Closes, want.Provisional, p.opens, p.closes)
		}
		start := pp.Start()
		window := []string{p.period, p.opens.Format(time.RFC3339), p.closes.Format(time.RFC3339)}
		for _, c := range claims {
			t.Run(p.name+"/"+c.name, func(t *testing.T) {
				at := c.at(p.opens, p.closes)
				h := newSvc(t, start)
				var claim, again, wrongCustomer, lateOutage *outcome
				h.atInstant(start, p.outageDay.Add(time.Hour), func() {
					h.update("", workflows.UpdateRecordOutage, workflows.RecordOutage{ActionMeta: h.meta(monitor),
						Start: p.outageDay, Minutes: 432})
				})
				h.atInstant(start, pp.End().Add(time.Minute), func() {
					lateOutage = h.update("", workflows.UpdateRecordOutage, workflows.RecordOutage{ActionMeta: h.meta(monitor),
						Start: pp.End().Add(-time.Hour), Minutes: 10})
				})
				h.atInstant(start, at, func() {
					wrongCustomer = h.update("", workflows.UpdateFileClaim, workflows.FileClaim{ActionMeta: h.meta(customer)})
					claim = h.update("", workflows.UpdateFileClaim, workflows.FileClaim{ActionMeta: h.meta(slaCustomer), Note: "432 minutes down"})
				})
				h.atInstant(start, at.Add(time.Second), func() {
					again = h.update("", workflows.UpdateFileClaim, workflows.FileClaim{ActionMeta: h.meta(slaCustomer)})
				})
				s := runSLA(t, h, slaInput(workflows.SLAEmail, p.period))
				h.checkUpdates(claim, again, wrongCustomer, lateOutage)
				mentions(t, refusal(t, lateOutage, workflows.ErrorTypeRefused, workflows.RulePeriodClosed), p.period)
				refusal(t, wrongCustomer, workflows.ErrorTypeForbidden, workflows.RuleCustomer)
				if !s.ClaimOpens.At.Equal(want.Opens) || !s.ClaimCloses.Equal(want.Closes) ||
					s.ClaimOpens.Provisional != want.Provisional || s.ClaimOpens.CalendarVersion != want.CalendarVersion {
					t.Fatalf("window %s to %s (provisional %v, calendar %s), want sla.ClaimWindow's %s to %s (%s)",
						s.ClaimOpens.At, s.ClaimCloses, s.ClaimOpens.Provisional, s.ClaimOpens.CalendarVersion, want.Opens, want.Closes, want.CalendarVersion)
				}
				if !s.EndsAt.Equal(want.Closes.Add(30 * 24 * time.Hour)) {
					t.Errorf("ends at %s, want 30 days after %s", s.EndsAt, want.Closes)
				}
				if ev := eventsOf(s.Events, workflows.EventClaimWindowOpened); len(ev) != 1 || !ev[0].At.Equal(p.opens) {
					t.Errorf("window opened events %+v, want one at %s", ev, p.opens)
				}
				if ev := eventsOf(s.Events, workflows.EventClaimWindowClosed); len(ev) != 1 || !ev[0].At.Equal(p.closes) {
					t.Errorf("window closed events %+v, want one at %s", ev, p.closes)
				}
				if s.Result == nil || s.Result.CompensationPct == 0 || s.Result.Method != "sla-v1" {
					t.Fatalf("result %+v, want a compensation computed by sla-v1", s.Result)
				}
				if c.ok {
					if claim.err != nil || !claim.completed {
						t.Fatalf("claim refused: %v", claim.err)
					}
					if s.Claim == nil || !s.Claim.At.Equal(at) || s.Claim.CompensationPct != s.Result.CompensationPct ||
						s.Claim.CompensationCents != s.Result.CompensationCents {
						t.Errorf("claim %+v, result %+v", s.Claim, s.Result)
					}
					refusal(t, again, workflows.ErrorTypeRefused, workflows.RuleState)
					return
				}
				mentions(t, refusal(t, claim, workflows.ErrorTypeRefused, workflows.RuleClaimWindow), window...)
				if s.Claim != nil {
					t.Errorf("claim recorded: %+v", s.Claim)
				}
			})
		}
	}
	sep := cst(2026, 9, 1, 0, 0)
	t.Run("during the period", func(t *testing.T) {
		h := newSvc(t, sep)
		var claim *outcome
		h.atInstant(sep, cst(2026, 9, 15, 0, 0), func() {
			claim = h.update("", workflows.UpdateFileClaim, workflows.FileClaim{ActionMeta: h.meta(slaCustomer)})
		})
		runSLA(t, h, slaInput(workflows.SLAEmail, "2026-09"))
		h.checkUpdates(claim)
		mentions(t, refusal(t, claim, workflows.ErrorTypeRefused, workflows.RuleClaimWindow),
			"too early", "2026-10-14T00:00:00+08:00", "2026-12-01T00:00:00+08:00")
	})
	t.Run("nothing to claim", func(t *testing.T) {
		h := newSvc(t, sep)
		var claim *outcome
		h.atInstant(sep, cst(2026, 10, 14, 1, 0), func() {
			claim = h.update("", workflows.UpdateFileClaim, workflows.FileClaim{ActionMeta: h.meta(slaCustomer)})
		})
		s := runSLA(t, h, slaInput(workflows.SLAEmail, "2026-09"))
		h.checkUpdates(claim)
		mentions(t, refusal(t, claim, workflows.ErrorTypeRefused, workflows.RuleCommitmentMet), "100.0000%")
		var types []workflows.EventType
		for _, e := range s.Events {
			types = append(types, e.Type)
		}
		want := fmt.Sprint([]workflows.EventType{workflows.EventSLAPeriodStarted, workflows.EventSLAPeriodComputed,
			workflows.EventClaimWindowOpened, workflows.EventClaimWindowClosed, workflows.EventSLAPeriodClosed})
		if fmt.Sprint(types) != want {
			t.Errorf("events %v, want %s", types, want)
		}
	})
}

// year2027 is a hypothetical 2027 notice in which Sunday 31 January 2027
// is a make-up working day.
const year2027 = `{"year":2027,"days":[
{"name":"元旦","date":"2027-01-01","isOffDay":true},
{"name":"春节","date":"2027-01-31","isOffDay":false},
{"name":"劳动节","date":"2027-05-01","isOffDay":true},
{"name":"国庆节","date":"2027-10-01","isOffDay":true},
{"name":"国庆节","date":"2027-10-02","isOffDay":true},
{"name":"国庆节","date":"2027-10-03","isOffDay":true}]}`

// TestSLAProvisionalWindow runs November 2026, whose claims close at the
// end of January 2027: on Sunday 31 January, past the embedded data, so the
// window is provisional (extended to Monday 1 February, as Monday-Friday
// without the notice). When the 2027 notice is loaded during the month, the
// window is recomputed at the period's end: 31 January is a make-up working
// day, so claims close at 24:00 that day and the workflow's end follows.
func TestSLAProvisionalWindow(t *testing.T) {
	f2027, err := calendar.Parse([]byte(year2027))
	if err != nil {
		t.Fatal(err)
	}
	with2027, err := calendar.China().With(f2027)
	if err != nil {
		t.Fatal(err)
	}
	nov := cst(2026, 11, 1, 0, 0)
	provisionalCloses := cst(2027, 2, 2, 0, 0)
	tests := []struct {
		name        string
		load        bool
		closes      time.Time
		provisional bool
		version     string
	}{
		{"notice loaded during the period", true, cst(2027, 2, 1, 0, 0), false, with2027.Version()},
		{"no notice", false, provisionalCloses, true, calendar.China().Version()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var current atomic.Pointer[calendar.Calendar]
			current.Store(calendar.China())
			var suite testsuite.WorkflowTestSuite
			suite.SetLogger(log.NewStructuredLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))))
			env := suite.NewTestWorkflowEnvironment()
			deadlines := &activities.Deadlines{Calendar: current.Load}
			slaActs := &activities.SLA{Calendar: current.Load}
			env.RegisterActivityWithOptions(deadlines.ComputeDeadline, activity.RegisterOptions{Name: calendar.ComputeDeadlineActivity})
			env.RegisterActivityWithOptions(slaActs.ClaimWindow, activity.RegisterOptions{Name: workflows.SLAClaimWindowActivity})
			env.RegisterActivityWithOptions(slaActs.Compute, activity.RegisterOptions{Name: workflows.SLAComputeActivity})
			env.RegisterActivityWithOptions((&projections{}).recordSLAPeriod, activity.RegisterOptions{Name: workflows.RecordSLAPeriodActivity})
			env.RegisterWorkflowWithOptions(workflows.SLAPeriodWorkflow, workflow.RegisterOptions{Name: workflows.SLAPeriodWorkflowName})
			env.SetStartTime(nov)
			var during workflows.SLAPeriodState
			env.RegisterDelayedCallback(func() {
				v, err := env.QueryWorkflow(workflows.QuerySLAPeriodState)
				if err == nil {
					err = v.Get(&during)
				}
				if err != nil {
					t.Errorf("query: %v", err)
				}
				if tc.load {
					current.Store(with2027)
				}
			}, 20*24*time.Hour)
			env.ExecuteWorkflow(workflows.SLAPeriodWorkflowName, slaInput(workflows.SLAEmail, "2026-11"))
			if !env.IsWorkflowCompleted() || env.GetWorkflowError() != nil {
				t.Fatalf("completed %v, error %v", env.IsWorkflowCompleted(), env.GetWorkflowError())
			}
			var s workflows.SLAPeriodState
			if err := env.GetWorkflowResult(&s); err != nil {
				t.Fatal(err)
			}
			opens := cst(2026, 12, 8, 0, 0)
			if !during.ClaimCloses.Equal(provisionalCloses) || !during.ClaimOpens.Provisional || !during.ClaimOpens.At.Equal(opens) {
				t.Errorf("during the period: window %s to %s provisional %v, want %s to %s provisional",
					during.ClaimOpens.At, during.ClaimCloses, during.ClaimOpens.Provisional, opens, provisionalCloses)
			}
			if !s.ClaimOpens.At.Equal(opens) || !s.ClaimCloses.Equal(tc.closes) || s.ClaimOpens.Provisional != tc.provisional ||
				s.ClaimOpens.CalendarVersion != tc.version {
				t.Errorf("window %s to %s provisional %v calendar %s, want %s to %s provisional %v calendar %s",
					s.ClaimOpens.At, s.ClaimCloses, s.ClaimOpens.Provisional, s.ClaimOpens.CalendarVersion, opens, tc.closes, tc.provisional, tc.version)
			}
			if !s.EndsAt.Equal(tc.closes.Add(30 * 24 * time.Hour)) {
				t.Errorf("ends at %s, want 30 days after %s", s.EndsAt, tc.closes)
			}
			if ev := eventsOf(s.Events, workflows.EventClaimWindowClosed); len(ev) != 1 || !ev[0].At.Equal(tc.closes) {
				t.Errorf("window closed events %+v, want one at %s", ev, tc.closes)
			}
			ev := eventsOf(s.Events, workflows.EventSLAPeriodComputed)
			if len(ev) != 1 || ev[0].Payload["claim_closes"] != tc.closes.Format(time.RFC3339) {
				t.Errorf("computed events %+v, want claims closing at %s", ev, tc.closes.Format(time.RFC3339))
			}
		})
	}
}

// TestSLARecords checks the measurement rules: overlapping outages count
// once, excluded ones not at all, a record with a known start replaces it,
// and records that do not fit the period or the service are refused.
func TestSLARecords(t *testing.T) {
	feb := cst(2026, 2, 1, 0, 0) // 28 days: 40,320 minutes
	h := newSvc(t, feb)
	outage := func(start time.Time, minutes int, excluded string) *outcome {
		return h.update("", workflows.UpdateRecordOutage, workflows.RecordOutage{ActionMeta: h.meta(monitor),
			Start: start, Minutes: minutes, Excluded: excluded})
	}
	var outside, zero, customerRec, intervals *outcome
	h.atInstant(feb, cst(2026, 2, 10, 0, 0), func() {
		outage(cst(2026, 2, 3, 10, 0), 60, "")                      // 10:00-11:00
		outage(cst(2026, 2, 3, 10, 30), 60, "")                     // 10:30-11:30: 30 more
		outage(cst(2026, 2, 4, 10, 0), 500, "notified maintenance") // not counted
		outage(cst(2026, 2, 5, 10, 0), 10, "")
		outage(cst(2026, 2, 5, 10, 0), 20, "") // a correction: 20, not 10 + 20
		outside = outage(cst(2026, 2, 28, 23, 50), 11, "")
		zero = outage(cst(2026, 2, 6, 0, 0), 0, "")
		customerRec = h.update("", workflows.UpdateRecordOutage, workflows.RecordOutage{ActionMeta: h.meta(slaCustomer),
			Start: cst(2026, 2, 6, 0, 0), Minutes: 5})
		intervals = h.update("", workflows.UpdateRecordErrorIntervals, workflows.RecordErrorIntervals{ActionMeta: h.meta(monitor),
			Intervals: []workflows.ErrorInterval{{Start: cst(2026, 2, 6, 0, 0), Failed: 1, Valid: 2}}})
	})
	s := runSLA(t, h, slaInput(workflows.SLAEmail, "2026-02"))
	h.checkUpdates(outside, zero, customerRec, intervals)
	refusal(t, outside, workflows.ErrorTypeInvalid, workflows.RuleField)
	refusal(t, zero, workflows.ErrorTypeInvalid, workflows.RuleField)
	refusal(t, customerRec, workflows.ErrorTypeForbidden, workflows.RuleRole)
	refusal(t, intervals, workflows.ErrorTypeInvalid, workflows.RuleServiceKind)
	if r := s.Result; r.UnavailableMinutes != 110 || r.TotalMinutes != 40320 || r.Availability != "4021/4032" {
		t.Errorf("result %+v, want 110 of 40320 minutes", r)
	}
	if len(s.Outages) != 4 {
		t.Errorf("%d outages recorded, want 4", len(s.Outages))
	}
	// February 2026: the 5th working day of March is Friday 6 March; claims
	// close at the end of April, at 24:00 on 30 April.
	if s.ClaimOpens.At.Format(time.RFC3339) != "2026-03-07T00:00:00+08:00" || s.ClaimCloses.Format(time.RFC3339) != "2026-05-01T00:00:00+08:00" {
		t.Errorf("window %s to %s", s.ClaimOpens.At, s.ClaimCloses)
	}
}

func TestValidateSLAPeriod(t *testing.T) {
	if err := workflows.ValidateSLAPeriod(slaInput(workflows.SLASendify, "2026-12")); err != nil {
		t.Fatalf("valid input refused: %v", err)
	}
	for _, in := range []workflows.SLAPeriodInput{
		slaInput("fax", "2026-09"),
		slaInput(workflows.SLAEmail, "2026-9"),
		slaInput(workflows.SLAEmail, "2026-13"),
		{Service: workflows.SLAEmail, Period: "2026-09", CustomerID: "c"},
	} {
		if err := workflows.ValidateSLAPeriod(in); err == nil {
			t.Errorf("%+v accepted", in)
		}
	}
}

// TestSLAPeriodProjection runs February 2026 periods (Email and Sendify)
// with a measurement, an ignored signal, the computation (compensation
// due) and a claim, to the workflow's end. Since the sla-period-projection
// change the projection must see every event once, in order, each with a
// state at least as new and without the event list, the last record the
// final state, and every update must answer only once its events are
// written.
func TestSLAPeriodProjection(t *testing.T) {
	feb := cst(2026, 2, 1, 0, 0) // 28 days: 40,320 minutes, 8,064 intervals
	tests := []struct {
		name    string
		service workflows.SLAService
		measure func(h *harness) (string, any)
	}{
		{"email", workflows.SLAEmail, func(h *harness) (string, any) {
			return workflows.UpdateRecordOutage, workflows.RecordOutage{ActionMeta: h.meta(monitor), Start: cst(2026, 2, 3, 10, 0), Minutes: 60}
		}},
		{"sendify", workflows.SLASendify, func(h *harness) (string, any) {
			var ivs []workflows.ErrorInterval
			for i := range 10 {
				ivs = append(ivs, workflows.ErrorInterval{Start: cst(2026, 2, 3, 10, 0).Add(time.Duration(i) * 5 * time.Minute), Failed: 7, Valid: 7})
			}
			return workflows.UpdateRecordErrorIntervals, workflows.RecordErrorIntervals{ActionMeta: h.meta(monitor), Intervals: ivs}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newSvc(t, feb)
			in := slaInput(tc.service, "2026-02")
			written := func(seq int64) bool {
				for _, r := range h.proj.slaPeriod(in.Account, in.Period) {
					for _, e := range r.Events {
						if e.Seq == seq {
							return true
						}
					}
				}
				return false
			}
			var answered, late []string
			update := func(name string, arg any) {
				cb := &testsuite.TestUpdateCallback{
					OnAccept: func() {},
					OnReject: func(err error) { t.Errorf("update %s rejected: %v", name, err) },
					OnComplete: func(v any, err error) {
						r, ok := v.(workflows.ActionResult)
						if err != nil || !ok || r.Seq == 0 {
							t.Errorf("update %s: %v (result %+v)", name, err, v)
							return
						}
						answered = append(answered, name)
						if !written(r.Seq) {
							late = append(late, fmt.Sprintf("%s (event %d)", name, r.Seq))
						}
					},
				}
				h.env.UpdateWorkflow(name, name, cb, arg)
			}
			h.atInstant(feb, cst(2026, 2, 10, 0, 0), func() { update(tc.measure(h)) })
			h.atInstant(feb, cst(2026, 2, 11, 0, 0), func() {
				// A customer may not record measurements: ignored.
				h.env.SignalWorkflow(workflows.SignalRecordOutage, workflows.RecordOutage{ActionMeta: h.meta(slaCustomer),
					Start: cst(2026, 2, 4, 10, 0), Minutes: 5})
			})
			h.atInstant(feb, cst(2026, 3, 9, 10, 0), func() {
				update(workflows.UpdateFileClaim, workflows.FileClaim{ActionMeta: h.meta(slaCustomer), Note: "down"})
			})
			s := runSLA(t, h, in)
			measured, _ := tc.measure(h)
			if want := []string{measured, workflows.UpdateFileClaim}; !slices.Equal(answered, want) {
				t.Errorf("answered %v, want %v", answered, want)
			}
			if s.Claim == nil || s.Result == nil || s.Result.CompensationPct == 0 || len(eventsOf(s.Events, workflows.EventSignalIgnored)) != 1 {
				t.Fatalf("claim %+v, result %+v, events %v: want a claimed compensation and an ignored signal", s.Claim, s.Result, types(s.Events))
			}
			recs := h.proj.slaPeriod(in.Account, in.Period)
			if len(recs) == 0 {
				t.Fatal("the period was never recorded")
			}
			if len(late) > 0 {
				t.Errorf("updates answered before their events were written: %v", late)
			}
			var states []int64
			var events [][]workflows.Event
			for i, r := range recs {
				states = append(states, r.State.Seq)
				events = append(events, r.Events)
				if len(r.State.Events) != 0 {
					t.Errorf("record %d carries %d events", i, len(r.State.Events))
				}
			}
			all := projectedOnce(t, "sla period "+in.Period, 1, states, events)
			if !sameEvents(all, s.Events) {
				t.Errorf("written %v, state has %v", types(all), types(s.Events))
			}
			if last := recs[len(recs)-1].State; last.Seq != s.Seq || last.Status != workflows.SLAClosed || last.Claim == nil {
				t.Errorf("last record: seq %d status %s claim %+v; final state seq %d", last.Seq, last.Status, last.Claim, s.Seq)
			}
		})
	}
}

// TestSLACalendarRecompute sends SignalCalendarUpdated to November 2026,
// whose provisional window closes on Monday 1 February 2027 (24:00) until
// the hypothetical 2027 notice, in which Sunday 31 January is a make-up
// working day, is loaded: then claims close at 24:00 on 31 January. The
// notice is put in force just before the signal. A provisional window
// moves (before the period ends, or after claims opened: the opening
// stays) and the workflow ends 30 days after the new closing; a closing
// already past closes the window at once; a window that is not
// provisional, or a signal from a manager, changes nothing and is
// recorded as ignored.
func TestSLACalendarRecompute(t *testing.T) {
	f2027, err := calendar.Parse([]byte(year2027))
	if err != nil {
		t.Fatal(err)
	}
	with2027, err := calendar.China().With(f2027)
	if err != nil {
		t.Fatal(err)
	}
	provisionalCloses, closes := cst(2027, 2, 2, 0, 0), cst(2027, 2, 1, 0, 0)
	tests := []struct {
		name        string
		period      string
		signalAt    time.Time
		by          workflows.Actor
		wantOpens   time.Time
		wantCloses  time.Time
		provisional bool
		recomputed  bool // an EventClaimWindowRecomputed is recorded
		ignored     bool // the signal is recorded as ignored
	}{
		{"while collecting", "2026-11", cst(2026, 11, 20, 0, 0), workflows.SystemActor, cst(2026, 12, 8, 0, 0), closes, false, true, false},
		{"claims open", "2026-11", cst(2026, 12, 20, 0, 0), admin, cst(2026, 12, 8, 0, 0), closes, false, true, false},
		{"new closing already past", "2026-11", cst(2027, 2, 1, 12, 0), workflows.SystemActor, cst(2026, 12, 8, 0, 0), closes, false, true, false},
		{"from a manager", "2026-11", cst(2026, 12, 20, 0, 0), manager, cst(2026, 12, 8, 0, 0), provisionalCloses, true, false, true},
		{"not provisional", "2026-08", cst(2026, 9, 20, 0, 0), workflows.SystemActor, cst(2026, 9, 8, 0, 0), cst(2026, 11, 3, 0, 0), false, false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var current atomic.Pointer[calendar.Calendar]
			current.Store(calendar.China())
			var suite testsuite.WorkflowTestSuite
			suite.SetLogger(log.NewStructuredLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))))
			env := suite.NewTestWorkflowEnvironment()
			slaActs := &activities.SLA{Calendar: current.Load}
			env.RegisterActivityWithOptions(slaActs.ClaimWindow, activity.RegisterOptions{Name: workflows.SLAClaimWindowActivity})
			env.RegisterActivityWithOptions(slaActs.Compute, activity.RegisterOptions{Name: workflows.SLAComputeActivity})
			env.RegisterActivityWithOptions((&projections{}).recordSLAPeriod, activity.RegisterOptions{Name: workflows.RecordSLAPeriodActivity})
			env.RegisterWorkflowWithOptions(workflows.SLAPeriodWorkflow, workflow.RegisterOptions{Name: workflows.SLAPeriodWorkflowName})
			start, _, err := workflows.ParseSLAPeriod(tc.period)
			if err != nil {
				t.Fatal(err)
			}
			env.SetStartTime(start)
			var before workflows.SLAPeriodState
			env.RegisterDelayedCallback(func() {
				v, err := env.QueryWorkflow(workflows.QuerySLAPeriodState)
				if err == nil {
					err = v.Get(&before)
				}
				if err != nil {
					t.Errorf("query: %v", err)
				}
				current.Store(with2027)
				env.SignalWorkflow(workflows.SignalCalendarUpdated, workflows.CalendarUpdated{
					ActionMeta: workflows.ActionMeta{Actor: tc.by, RequestID: "calendar:" + with2027.Version()}, CalendarVersion: with2027.Version()})
			}, tc.signalAt.Sub(start))
			env.ExecuteWorkflow(workflows.SLAPeriodWorkflowName, slaInput(workflows.SLAEmail, tc.period))
			if !env.IsWorkflowCompleted() || env.GetWorkflowError() != nil {
				t.Fatalf("completed %v, error %v", env.IsWorkflowCompleted(), env.GetWorkflowError())
			}
			var s workflows.SLAPeriodState
			if err := env.GetWorkflowResult(&s); err != nil {
				t.Fatal(err)
			}
			if !s.ClaimOpens.At.Equal(tc.wantOpens) || !s.ClaimCloses.Equal(tc.wantCloses) || s.ClaimOpens.Provisional != tc.provisional {
				t.Errorf("window %s to %s provisional %v, want %s to %s provisional %v",
					s.ClaimOpens.At, s.ClaimCloses, s.ClaimOpens.Provisional, tc.wantOpens, tc.wantCloses, tc.provisional)
			}
			if !s.EndsAt.Equal(tc.wantCloses.Add(30 * 24 * time.Hour)) {
				t.Errorf("ends at %s, want 30 days after %s", s.EndsAt, tc.wantCloses)
			}
			if ev := eventsOf(s.Events, workflows.EventClaimWindowClosed); len(ev) != 1 || !ev[0].At.Equal(tc.wantCloses) {
				t.Errorf("window closed events %+v, want one at %s", ev, tc.wantCloses)
			}
			if ev := eventsOf(s.Events, workflows.EventSLAPeriodClosed); len(ev) != 1 || !ev[0].At.Equal(s.EndsAt) {
				t.Errorf("period closed events %+v, want one at %s", ev, s.EndsAt)
			}
			rec := eventsOf(s.Events, workflows.EventClaimWindowRecomputed)
			if !tc.recomputed {
				if len(rec) != 0 || !before.ClaimCloses.Equal(s.ClaimCloses) || !before.ClaimOpens.At.Equal(s.ClaimOpens.At) {
					t.Errorf("recomputed events %+v, window before %s to %s: want no change", rec, before.ClaimOpens.At, before.ClaimCloses)
				}
			} else {
				if !before.ClaimOpens.Provisional || !before.ClaimCloses.Equal(provisionalCloses) {
					t.Errorf("before the signal: window closing %s provisional %v, want %s provisional", before.ClaimCloses,
						before.ClaimOpens.Provisional, provisionalCloses)
				}
				if len(rec) != 1 || !rec[0].At.Equal(tc.signalAt) || rec[0].Payload["old_claim_closes"] != provisionalCloses.Format(time.RFC3339) ||
					rec[0].Payload["claim_closes"] != tc.wantCloses.Format(time.RFC3339) || rec[0].Payload["provisional"] != false ||
					rec[0].Payload["calendar_version"] != with2027.Version() || s.ClaimOpens.CalendarVersion != with2027.Version() {
					t.Errorf("recomputed events %+v, want one at %s moving the closing to %s (calendar %s)", rec, tc.signalAt, tc.wantCloses, with2027.Version())
				}
			}
			if ig := eventsOf(s.Events, workflows.EventSignalIgnored); (len(ig) == 1) != tc.ignored || len(ig) > 1 {
				t.Errorf("ignored signals %+v, want ignored %v", ig, tc.ignored)
			}
		})
	}
}
