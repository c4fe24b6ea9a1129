package workflows_test

import (
	"fmt"
	"testing"
	"time"

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
func runSLA(t *testing.T, h *svc, in workflows.SLAPeriodInput) workflows.SLAState {
	t.Helper()
	h.env.ExecuteWorkflow(workflows.SLAPeriodWorkflowName, in)
	if !h.env.IsWorkflowCompleted() {
		t.Fatal("SLA period did not complete")
	}
	if err := h.env.GetWorkflowError(); err != nil {
		t.Fatalf("SLA period failed: %v", err)
	}
	var s workflows.SLAState
	if err := h.env.GetWorkflowResult(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestSLAAvailabilityTiers puts September 2026 (30 days: 43,200 minutes,
// 8,640 five-minute intervals) exactly on each tier boundary and next to
// it, for Email (outage minutes) and Sendify (error rates). 99.90% of a
// month is not a whole number of minutes in any month, so Email's first
// boundary is checked on both sides.
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
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newSvc(t, sep)
			for i, m := range tc.outages {
				h.at(sep, sep.Add(time.Duration(i+1)*24*time.Hour+time.Hour), func() {
					h.update("", workflows.UpdateRecordOutage, workflows.RecordOutage{ActionMeta: h.meta(monitor),
						Start: sep.Add(time.Duration(i+1) * 24 * time.Hour), Minutes: m})
				})
			}
			if tc.intervals != nil {
				h.at(sep, cst(2026, 9, 29, 0, 0), func() {
					h.update("", workflows.UpdateRecordErrorIntervals, workflows.RecordErrorIntervals{ActionMeta: h.meta(monitor), Intervals: tc.intervals})
				})
			}
			s := runSLA(t, h, slaInput(tc.service, "2026-09"))
			h.ok()
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
			if r.TotalMinutes != 43200 {
				t.Errorf("total minutes %d", r.TotalMinutes)
			}
			ev := eventsOf(s.Events, workflows.EventSLAPeriodComputed)
			if len(ev) != 1 || !ev[0].At.Equal(cst(2026, 10, 1, 0, 0)) || ev[0].Attention != (tc.tier > 0) {
				t.Errorf("computed events %+v, want one at 2026-10-01T00:00+08:00", ev)
			}
		})
	}
}

// TestSLAClaimWindow files claims one minute before and after each end of
// the claim window of September 2026: it opens after the 5th working day of
// October (8, 9, the make-up Saturday 10, 12, 13 October: at 24:00 on the
// 13th) and closes two months after the period (24:00 on 30 November).
func TestSLAClaimWindow(t *testing.T) {
	sep := cst(2026, 9, 1, 0, 0)
	opens, closes := cst(2026, 10, 14, 0, 0), cst(2026, 12, 1, 0, 0)
	window := []string{"2026-09", "2026-10-14T00:00:00+08:00", "2026-12-01T00:00:00+08:00"}
	tests := []struct {
		name string
		at   time.Time
		ok   bool
		rule string
	}{
		{"a minute before it opens", opens.Add(-time.Minute), false, workflows.RuleClaimWindow},
		{"a minute after it opens", opens.Add(time.Minute), true, ""},
		{"a minute before it closes", closes.Add(-time.Minute), true, ""},
		{"a minute after it closes", closes.Add(time.Minute), false, workflows.RuleClaimWindow},
		{"during the period", cst(2026, 9, 15, 0, 0), false, workflows.RuleClaimWindow},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newSvc(t, sep)
			var claim, again, wrongCustomer, lateOutage *svcOutcome
			h.at(sep, cst(2026, 9, 10, 3, 0), func() {
				h.update("", workflows.UpdateRecordOutage, workflows.RecordOutage{ActionMeta: h.meta(monitor),
					Start: cst(2026, 9, 10, 2, 0), Minutes: 432})
			})
			h.at(sep, cst(2026, 10, 1, 0, 1), func() {
				lateOutage = h.update("", workflows.UpdateRecordOutage, workflows.RecordOutage{ActionMeta: h.meta(monitor),
					Start: cst(2026, 9, 30, 23, 0), Minutes: 10})
			})
			h.at(sep, tc.at, func() {
				wrongCustomer = h.update("", workflows.UpdateFileClaim, workflows.FileClaim{ActionMeta: h.meta(customer)})
				claim = h.update("", workflows.UpdateFileClaim, workflows.FileClaim{ActionMeta: h.meta(slaCustomer), Note: "432 minutes down"})
			})
			h.at(sep, tc.at.Add(time.Second), func() {
				again = h.update("", workflows.UpdateFileClaim, workflows.FileClaim{ActionMeta: h.meta(slaCustomer)})
			})
			s := runSLA(t, h, slaInput(workflows.SLAEmail, "2026-09"))
			h.ok(claim, again, wrongCustomer, lateOutage)
			mentions(t, refused(t, lateOutage, workflows.ErrorTypeRefused, workflows.RulePeriodClosed), "2026-09")
			refused(t, wrongCustomer, workflows.ErrorTypeForbidden, workflows.RuleCustomer)
			if !s.ClaimOpens.At.Equal(opens) || !s.ClaimCloses.Equal(closes) || s.ClaimOpens.Provisional {
				t.Fatalf("window %s to %s (provisional %v), want %s to %s", s.ClaimOpens.At, s.ClaimCloses, s.ClaimOpens.Provisional, opens, closes)
			}
			if tc.ok {
				if claim.err != nil || !claim.completed {
					t.Fatalf("claim refused: %v", claim.err)
				}
				if s.Claim == nil || !s.Claim.At.Equal(tc.at) || s.Claim.CompensationPct != 10 || s.Claim.CompensationCents != 1234 {
					t.Errorf("claim %+v", s.Claim)
				}
				refused(t, again, workflows.ErrorTypeRefused, workflows.RuleState)
				return
			}
			mentions(t, refused(t, claim, workflows.ErrorTypeRefused, tc.rule), window...)
			if s.Claim != nil {
				t.Errorf("claim recorded: %+v", s.Claim)
			}
		})
	}
	t.Run("nothing to claim", func(t *testing.T) {
		h := newSvc(t, sep)
		var claim *svcOutcome
		h.at(sep, opens.Add(time.Hour), func() {
			claim = h.update("", workflows.UpdateFileClaim, workflows.FileClaim{ActionMeta: h.meta(slaCustomer)})
		})
		s := runSLA(t, h, slaInput(workflows.SLAEmail, "2026-09"))
		h.ok(claim)
		mentions(t, refused(t, claim, workflows.ErrorTypeRefused, workflows.RuleCommitmentMet), "100.0000%")
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

// TestSLARecords checks the measurement rules: overlapping outages count
// once, excluded ones not at all, a record with a known start replaces it,
// and records that do not fit the period or the service are refused.
func TestSLARecords(t *testing.T) {
	feb := cst(2026, 2, 1, 0, 0) // 28 days: 40,320 minutes
	h := newSvc(t, feb)
	outage := func(start time.Time, minutes int, excluded string) *svcOutcome {
		return h.update("", workflows.UpdateRecordOutage, workflows.RecordOutage{ActionMeta: h.meta(monitor),
			Start: start, Minutes: minutes, Excluded: excluded})
	}
	var outside, zero, customerRec, intervals *svcOutcome
	h.at(feb, cst(2026, 2, 10, 0, 0), func() {
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
	h.ok(outside, zero, customerRec, intervals)
	refused(t, outside, workflows.ErrorTypeInvalid, workflows.RuleField)
	refused(t, zero, workflows.ErrorTypeInvalid, workflows.RuleField)
	refused(t, customerRec, workflows.ErrorTypeForbidden, workflows.RuleRole)
	refused(t, intervals, workflows.ErrorTypeInvalid, workflows.RuleServiceKind)
	if r := s.Result; r.UnavailableMinutes != 110 || r.TotalMinutes != 40320 || r.Availability != "4021/4032" {
		t.Errorf("result %+v, want 110 of 40320 minutes", r)
	}
	if len(s.Outages) != 4 {
		t.Errorf("%d outages recorded, want 4", len(s.Outages))
	}
	// February 2026: the 5th working day of March is Friday 6 March; claims
	// close at 24:00 on 30 April.
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
