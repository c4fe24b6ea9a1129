package workflows_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sowflow/sowflow/calendar"
	"github.com/sowflow/sowflow/plan"
	"github.com/sowflow/sowflow/workflows"
)

func serviceInput(id string, sp plan.ServicePlan) workflows.ServiceInput {
	return workflows.ServiceInput{ServiceID: id, CustomerID: "cust-1", Plan: sp, StartedBy: manager, RequestID: "start-1"}
}

// runService runs the service under the driver to its end and returns the
// result.
func runService(t *testing.T, h *harness, in workflows.ServiceInput) workflows.ServiceResult {
	t.Helper()
	h.env.ExecuteWorkflow(serviceDriverName, in)
	if !h.env.IsWorkflowCompleted() {
		t.Fatal("service did not complete")
	}
	if err := h.env.GetWorkflowError(); err != nil {
		t.Fatalf("service failed: %v", err)
	}
	var res workflows.ServiceResult
	if err := h.env.GetWorkflowResult(&res); err != nil {
		t.Fatal(err)
	}
	return res
}

func TestServiceWorkflowIDs(t *testing.T) {
	if got := workflows.ServiceWorkflowID("s-1"); got != "service/s-1" {
		t.Errorf("ServiceWorkflowID = %q", got)
	}
	if got := workflows.TicketWorkflowID("s-1", 7); got != "service/s-1/ticket/7" {
		t.Errorf("TicketWorkflowID = %q", got)
	}
	if got := workflows.SLAPeriodWorkflowID("ops@cust.example", "2026-09"); got != "sla/ops@cust.example/2026-09" {
		t.Errorf("SLAPeriodWorkflowID = %q", got)
	}
}

func TestValidateService(t *testing.T) {
	start := cst(2026, 1, 1, 0, 0)
	ok := serviceInput("s-1", partnerElitePlan(start, 12))
	if err := workflows.ValidateService(ok); err != nil {
		t.Fatalf("valid input refused: %v", err)
	}
	tests := []struct {
		name  string
		edit  func(*workflows.ServiceInput)
		field string
	}{
		{"no id", func(in *workflows.ServiceInput) { in.ServiceID = "" }, "service_id"},
		{"no targets", func(in *workflows.ServiceInput) { in.Plan.ResponseTargets = nil }, "plan.response_targets"},
		{"working-day target", func(in *workflows.ServiceInput) {
			in.Plan.ResponseTargets[0].Target.Kind = "working_days"
		}, "plan.response_targets[0].target.kind"},
		{"business minutes without hours", func(in *workflows.ServiceInput) {
			in.Plan.ResponseTargets[0].Target = calendar.Spec{Kind: calendar.BusinessMinutes, N: 60}
		}, "plan.response_targets[0].target"},
		{"duplicate severity", func(in *workflows.ServiceInput) { in.Plan.ResponseTargets[1].Severity = "critical" }, "plan.response_targets[1].severity"},
		{"ends before it starts", func(in *workflows.ServiceInput) { in.Plan.End = in.Plan.Start }, "plan.end"},
		{"unknown quota period", func(in *workflows.ServiceInput) { in.Plan.Quotas[0].Period = "week" }, "plan.quotas[0].period"},
		{"unknown cadence", func(in *workflows.ServiceInput) { in.Plan.Obligations[0].Cadence = "daily" }, "plan.obligations[0].cadence"},
		{"project id with a slash", func(in *workflows.ServiceInput) { in.ProjectID = "p/1" }, "project_id"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := serviceInput("s-1", partnerElitePlan(start, 12))
			tc.edit(&in)
			err := workflows.ValidateService(in)
			var fields []string
			for _, se := range workflows.StartErrors(err) {
				fields = append(fields, se.Field)
			}
			if !strings.Contains(strings.Join(fields, ","), tc.field) {
				t.Errorf("errors %v (fields %v), want field %s", err, fields, tc.field)
			}
		})
	}
}

// TestServiceQuotasPerPeriod uses quotas of a partner-elite-like plan:
// monthly health checks, a quarterly design and yearly guarantees. The use
// past a period's limit is refused naming the period; the count resets at
// the period boundary, computed from the plan; every month boundary is a
// continue-as-new.
func TestServiceQuotasPerPeriod(t *testing.T) {
	start := cst(2026, 1, 1, 0, 0)
	h := newSvc(t, start.Add(-time.Hour))
	wf := workflows.ServiceWorkflowID("s-q")
	use := func(key string) *outcome {
		return h.update(wf, workflows.UpdateUseQuota, workflows.UseQuota{ActionMeta: h.meta(customer), Quota: key})
	}
	var before, jan2, janEnd, feb1, febDesign, apr1, ctg3, unknown, other, auditorUse *outcome
	h.atInstant(start.Add(-time.Hour), start.Add(-time.Minute), func() { before = use("health-check") })
	h.atInstant(start.Add(-time.Hour), cst(2026, 1, 5, 10, 0), func() {
		use("health-check")
		use("critical-time-guarantee")
		use("landing-zone-design")
		unknown = use("no-such-quota")
		other = h.update(wf, workflows.UpdateUseQuota, workflows.UseQuota{ActionMeta: h.meta(otherCustomer), Quota: "health-check"})
		auditorUse = h.update(wf, workflows.UpdateUseQuota, workflows.UseQuota{ActionMeta: h.meta(auditor), Quota: "health-check"})
	})
	h.atInstant(start.Add(-time.Hour), cst(2026, 1, 20, 10, 0), func() { jan2 = use("health-check") })
	// One minute before the month ends: still January's quota.
	h.atInstant(start.Add(-time.Hour), cst(2026, 1, 31, 23, 59), func() { janEnd = use("health-check") })
	// One minute after: February's.
	h.atInstant(start.Add(-time.Hour), cst(2026, 2, 1, 0, 1), func() {
		feb1 = use("health-check")
		febDesign = use("landing-zone-design") // same quarter as January
		use("critical-time-guarantee")
	})
	h.atInstant(start.Add(-time.Hour), cst(2026, 4, 1, 0, 1), func() {
		apr1 = use("landing-zone-design") // a new quarter
		ctg3 = use("critical-time-guarantee")
	})
	var mid workflows.ServiceState
	h.atInstant(start.Add(-time.Hour), cst(2026, 4, 2, 0, 0), func() { h.query(wf, workflows.QueryServiceState, &mid) })
	res := runService(t, h, serviceInput("s-q", partnerElitePlan(start, 6)))
	h.checkUpdates(before, jan2, janEnd, febDesign, ctg3, unknown, other, auditorUse)
	mentions(t, refusal(t, before, workflows.ErrorTypeRefused, workflows.RuleNotStarted), "2026-01-01T00:00:00+08:00")
	mentions(t, refusal(t, jan2, workflows.ErrorTypeRefused, workflows.RuleQuotaExhausted),
		"health-check", "month 1 (2026-01-01 to 2026-01-31)", "1 of 1", "resets at 2026-02-01T00:00:00+08:00")
	refusal(t, janEnd, workflows.ErrorTypeRefused, workflows.RuleQuotaExhausted)
	if feb1.err != nil || !feb1.completed {
		t.Errorf("February's first health check: %v", feb1.err)
	}
	mentions(t, refusal(t, febDesign, workflows.ErrorTypeRefused, workflows.RuleQuotaExhausted),
		"quarter 1 (2026-01-01 to 2026-03-31)", "resets at 2026-04-01T00:00:00+08:00")
	if apr1.err != nil || !apr1.completed {
		t.Errorf("April's design: %v", apr1.err)
	}
	mentions(t, refusal(t, ctg3, workflows.ErrorTypeRefused, workflows.RuleQuotaExhausted),
		"critical-time-guarantee", "service year (2026-01-01 to 2026-06-30)", "2 of 2", "does not reset")
	refusal(t, unknown, workflows.ErrorTypeInvalid, workflows.RuleUnknown)
	refusal(t, other, workflows.ErrorTypeForbidden, workflows.RuleCustomer)
	refusal(t, auditorUse, workflows.ErrorTypeForbidden, workflows.RuleRole)

	hc := mid.Quotas[0]
	if hc.Key != "health-check" || hc.Label != "month 4 (2026-04-01 to 2026-04-30)" || hc.Used != 0 || len(hc.Past) != 3 ||
		hc.Past[0].Used != 1 || hc.Past[1].Used != 1 || hc.Past[2].Used != 0 {
		t.Errorf("health checks in April: %+v", hc)
	}
	if mid.Run != 4 || mid.Month != 3 {
		t.Errorf("in April: run %d month index %d; want run 4 (one per month)", mid.Run, mid.Month)
	}
	s := res.State
	if res.Status != workflows.ServiceCompleted || s.Run != 6 || len(s.Runs) != 6 {
		t.Fatalf("status %s, run %d, %d runs", res.Status, s.Run, len(s.Runs))
	}
	for _, r := range s.Runs[:5] {
		if r.Reason != "period" {
			t.Errorf("run %d ended for %q", r.Run, r.Reason)
		}
	}
	sum := res.Summary
	if sum == nil {
		t.Fatal("no summary")
	}
	for _, q := range sum.Quotas {
		if q.Key == "critical-time-guarantee" && (len(q.Past) != 1 || q.Past[0].Used != 2) {
			t.Errorf("guarantees: %+v", q)
		}
	}
}

// TestServiceYearEnd runs a one-month service whose last ticket is still
// waiting for its response when the year ends: the service refuses new
// tickets and quota uses, takes a late report, waits for the response
// outcome, then summarises; the ticket, closed after the service completed,
// records that its report could not be delivered and completes.
func TestServiceYearEnd(t *testing.T) {
	start := cst(2026, 1, 1, 0, 0)
	h := newSvc(t, start)
	const id = "s-end"
	wf := workflows.ServiceWorkflowID(id)
	ticket := workflows.TicketWorkflowID(id, 1)
	opened := cst(2026, 1, 31, 20, 0) // low: 18 h, due 1 February 14:00
	var lateOpen, lateQuota *outcome
	var closing workflows.ServiceState
	h.atInstant(start, opened, func() {
		h.update(wf, workflows.UpdateOpenTicket, workflows.OpenTicket{ActionMeta: h.meta(customer), Severity: "low", Title: "question"})
	})
	h.atInstant(start, cst(2026, 2, 1, 0, 30), func() {
		lateOpen = h.update(wf, workflows.UpdateOpenTicket, workflows.OpenTicket{ActionMeta: h.meta(customer), Severity: "low", Title: "too late"})
		lateQuota = h.update(wf, workflows.UpdateUseQuota, workflows.UseQuota{ActionMeta: h.meta(manager), Quota: "health-check"})
		h.query(wf, workflows.QueryServiceState, &closing)
	})
	h.atInstant(start, cst(2026, 2, 1, 9, 0), func() {
		h.update(wf, workflows.UpdateSubmitObligation, workflows.SubmitObligation{ActionMeta: h.meta(manager), Obligation: "usage-report",
			Month: 1, Title: "January usage", URI: "https://docs.example/jan", SHA256: sha('e')})
	})
	responded := cst(2026, 2, 1, 10, 0)
	h.atInstant(start, responded, func() {
		h.update(ticket, workflows.UpdateRespondTicket, workflows.RespondTicket{ActionMeta: h.meta(manager)})
	})
	h.atInstant(start, cst(2026, 2, 1, 11, 0), func() {
		h.update(ticket, workflows.UpdateResolveTicket, workflows.ResolveTicket{ActionMeta: h.meta(manager), Resolution: "answered"})
	})
	h.atInstant(start, cst(2026, 2, 1, 12, 0), func() {
		h.update(ticket, workflows.UpdateConfirmClosure, workflows.ConfirmClosure{ActionMeta: h.meta(customer)})
	})
	in := serviceInput(id, partnerElitePlan(start, 1))
	in.ProjectID = "p-end"
	res := runService(t, h, in)
	h.checkUpdates(lateOpen, lateQuota)
	mentions(t, refusal(t, lateOpen, workflows.ErrorTypeRefused, workflows.RuleEnded), "2026-02-01T00:00:00+08:00")
	refusal(t, lateQuota, workflows.ErrorTypeRefused, workflows.RuleEnded)
	if closing.Status != workflows.ServiceClosing || len(closing.Tickets.Open) != 1 {
		t.Errorf("after the year: %s with %d open tickets", closing.Status, len(closing.Tickets.Open))
	}
	s := res.State
	if s.ProjectID != in.ProjectID {
		t.Errorf("project id %q carried through %d runs, want %q", s.ProjectID, s.Run, in.ProjectID)
	}
	if res.Status != workflows.ServiceCompleted || !res.EndedAt.Equal(responded) || s.Run != 2 || s.Runs[0].Reason != "period" {
		t.Errorf("ended %s at %s after %d runs (%+v)", res.Status, res.EndedAt, s.Run, s.Runs)
	}
	sum := res.Summary
	if sum == nil || sum.Undecided != 0 || sum.Totals.Met != 1 || sum.Totals.AchievementPct != "100.00" || sum.TicketsClosed != 0 {
		t.Fatalf("summary %+v", sum)
	}
	for _, o := range sum.Obligations {
		if o.Key == "usage-report" && (!o.Met || o.Periods[0].Submitted != 1) {
			t.Errorf("usage report: %+v", o)
		}
	}
	var types []workflows.EventType
	for _, e := range s.RecentEvents {
		types = append(types, e.Type)
	}
	for _, want := range []workflows.EventType{workflows.EventObligationShort, workflows.EventServiceYearEnded, workflows.EventServiceSummary, workflows.EventServiceCompleted} {
		if !slices.Contains(types, want) {
			t.Errorf("no %s event in %v", want, types)
		}
	}
	// (GetWorkflowResultByID returns the root's result in SDK v1.50; the
	// query still answers after completion.)
	var ts workflows.TicketState
	h.query(ticket, workflows.QueryTicketState, &ts)
	if err := h.env.GetWorkflowErrorByID(ticket); err != nil || ts.Status != workflows.TicketClosed ||
		len(eventsOf(ts.Events, workflows.EventTicketReportError)) == 0 {
		t.Errorf("ticket %s (error %v), events %+v", ts.Status, err, ts.Events)
	}
}
