package workflows_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/sowflow/sowflow/calendar"
	"github.com/sowflow/sowflow/catalog"
	"github.com/sowflow/sowflow/plan"
	"github.com/sowflow/sowflow/workflows"
)

func TestProjectWorkflowID(t *testing.T) {
	if got := workflows.ProjectWorkflowID("42"); got != "project/42" {
		t.Errorf("ProjectWorkflowID = %q", got)
	}
}

func TestRejectAndResubmit(t *testing.T) {
	const key = "organization-expansion-completion-report"
	h := newHarness(t, "dingtalk-enterprise-base")
	first := t0.Add(time.Hour)
	second := t0.Add(3 * 24 * time.Hour) // Thursday
	var noReason *outcome
	h.at(time.Hour, func() { h.must(workflows.UpdateSubmitDeliverable, h.submission(key)) })
	h.at(2*time.Hour, func() { noReason = h.update("", workflows.UpdateDecideDeliverable, h.reject(key, " ")) })
	h.at(3*time.Hour, func() { h.must(workflows.UpdateDecideDeliverable, h.reject(key, "certification screenshot missing")) })
	h.at(4*time.Hour, func() {
		d := deliverable(h.state(), key)
		if d.Status != workflows.DeliverableRejected || !d.Deadline.IsZero() {
			t.Errorf("after rejection: %s, deadline %s", d.Status, d.Deadline)
		}
	})
	h.at(second.Sub(t0), func() {
		sub := h.submission(key)
		sub.Title = key + " v2"
		h.must(workflows.UpdateSubmitDeliverable, sub)
	})
	h.at(second.Sub(t0)+time.Hour, func() {
		s := h.state()
		d := deliverable(s, key)
		rd := d.Rounds[0]
		if d.Status != workflows.DeliverableSubmitted || len(d.Rounds) != 1 || len(rd.Submissions) != 2 {
			t.Fatalf("after resubmission: %+v", d)
		}
		w1, w2 := rd.Submissions[0].Window, rd.Submissions[1].Window
		if want := deadline(t, first, calendar.WorkingDays, 5); !w1.Closes.At.Equal(want) {
			t.Errorf("first window closes %s, want %s", w1.Closes.At, want)
		}
		if want := deadline(t, second, calendar.WorkingDays, 5); !w2.Closes.At.Equal(want) || !d.Deadline.Equal(want) {
			t.Errorf("fresh window closes %s (deliverable deadline %s), want %s", w2.Closes.At, d.Deadline, want)
		}
		dec := rd.Submissions[0].Decision
		if dec == nil || dec.Outcome != workflows.OutcomeRejected || dec.Reason != "certification screenshot missing" || dec.By != customer {
			t.Errorf("first decision = %+v", dec)
		}
	})
	h.at(second.Sub(t0)+2*time.Hour, func() { h.must(workflows.UpdateDecideDeliverable, h.accept(key)) })
	h.at(second.Sub(t0)+3*time.Hour, func() { h.must(workflows.UpdateTerminate, h.terminate()) })
	h.run()
	h.checkUpdates(noReason)
	if r := refusal(t, noReason, workflows.ErrorTypeInvalid, workflows.RuleField); r != nil && r.Field != "reason" {
		t.Errorf("refusal field = %q, want reason", r.Field)
	}
	res := h.result()
	if d := deliverable(res.State, key); d.Status != workflows.DeliverableAccepted {
		t.Errorf("deliverable is %s", d.Status)
	}
	rej := onlyEvent(t, h.rec, workflows.EventDeliverableRejected)
	if rej.Payload["reason"] != "certification screenshot missing" || rej.Actor != customer {
		t.Errorf("rejection event = %+v", rej)
	}
	if n := len(h.rec.ofType(workflows.EventDeliverableSubmitted)); n != 2 {
		t.Errorf("%d submissions recorded, want 2", n)
	}
	if n := len(h.rec.ofType(workflows.EventCustomerReminded)); n != 0 {
		t.Errorf("%d reminders for windows that were answered", n)
	}
}

func TestDeemedAcceptanceAtWindowClose(t *testing.T) {
	const key = "kickoff-meeting-report"
	h := newHarness(t, "managed-services")
	submitted := t0.Add(time.Hour)
	closes := deadline(t, submitted, calendar.WorkingDays, 5)
	notice := deadline(t, submitted, calendar.WorkingDays, 4)
	if want := time.Date(2026, 3, 10, 0, 0, 0, 0, calendar.Zone()); !closes.Equal(want) {
		t.Fatalf("window closes %s, want %s", closes, want)
	}
	h.at(time.Hour, func() { h.must(workflows.UpdateSubmitDeliverable, h.submission(key)) })
	for _, before := range []time.Duration{time.Second, time.Millisecond} {
		h.at(closes.Add(-before).Sub(t0), func() {
			d := deliverable(h.state(), key)
			if d.Status != workflows.DeliverableSubmitted || !d.Rounds[0].DeemedAcceptedAt.IsZero() {
				t.Errorf("%s before the close: %s, deemed at %s", before, d.Status, d.Rounds[0].DeemedAcceptedAt)
			}
			if !d.Deadline.Equal(closes) {
				t.Errorf("deadline %s, want %s", d.Deadline, closes)
			}
		})
	}
	h.at(closes.Add(time.Second).Sub(t0), func() {
		s := h.state()
		d := deliverable(s, key)
		rd := d.Rounds[0]
		if d.Status != workflows.DeliverableAccepted || !rd.DeemedAcceptedAt.Equal(closes) || !rd.AcceptedAt.Equal(closes) {
			t.Errorf("after the close: %s, deemed at %s", d.Status, rd.DeemedAcceptedAt)
		}
		if dec := rd.Submissions[0].Decision; dec == nil || dec.Outcome != workflows.OutcomeDeemed || !dec.At.Equal(closes) {
			t.Errorf("decision = %+v", dec)
		}
		h.must(workflows.UpdateTerminate, h.terminate())
	})
	h.run()
	h.checkUpdates()
	ev := onlyEvent(t, h.rec, workflows.EventDeliverableDeemed)
	if !ev.At.Equal(closes) || !ev.Attention || ev.Actor != workflows.SystemActor || !slices.Contains(ev.Notify, workflows.RoleCustomer) {
		t.Errorf("deemed event = %+v, want at %s with attention", ev, closes)
	}
	if ev.At.Format(time.RFC3339) != "2026-03-10T00:00:00+08:00" {
		t.Errorf("deemed event at %s", ev.At.Format(time.RFC3339))
	}
	closing := onlyEvent(t, h.rec, workflows.EventWindowClosing)
	if !closing.At.Equal(notice) || !closing.Attention || !slices.Equal(closing.Notify, []workflows.Role{workflows.RoleCustomer}) {
		t.Errorf("window-closing event = %+v, want at %s", closing, notice)
	}
	if n := len(h.rec.ofType(workflows.EventCustomerReminded)); n != 0 {
		t.Errorf("a deemed deliverable was reminded %d times", n)
	}
}

func TestExplicitDeliverableGoesOverdue(t *testing.T) {
	const key = "organization-expansion-completion-report"
	h := newHarness(t, "dingtalk-enterprise-base")
	submitted := t0.Add(time.Hour)
	closes := deadline(t, submitted, calendar.WorkingDays, 5)
	h.at(time.Hour, func() { h.must(workflows.UpdateSubmitDeliverable, h.submission(key)) })
	h.at(closes.Add(-time.Second).Sub(t0), func() {
		if d := deliverable(h.state(), key); d.Overdue {
			t.Errorf("overdue a second before the close")
		}
	})
	h.at(closes.Add(time.Second).Sub(t0), func() {
		s := h.state()
		d := deliverable(s, key)
		if d.Status != workflows.DeliverableSubmitted || !d.Overdue || !d.Rounds[0].Overdue || s.Status != workflows.StatusActive {
			t.Errorf("after the close: %s overdue %v, project %s", d.Status, d.Overdue, s.Status)
		}
	})
	later := closes.Add(10 * 24 * time.Hour)
	h.at(later.Sub(t0), func() {
		if d := deliverable(h.state(), key); d.Status != workflows.DeliverableSubmitted || !d.Overdue {
			t.Errorf("ten days later: %s overdue %v; it should keep waiting", d.Status, d.Overdue)
		}
		h.must(workflows.UpdateDecideDeliverable, h.accept(key))
	})
	h.at(later.Add(time.Hour).Sub(t0), func() {
		d := deliverable(h.state(), key)
		if d.Status != workflows.DeliverableAccepted || d.Overdue {
			t.Errorf("after the late acceptance: %s overdue %v", d.Status, d.Overdue)
		}
		h.must(workflows.UpdateTerminate, h.terminate())
	})
	h.run()
	h.checkUpdates()
	remind := onlyEvent(t, h.rec, workflows.EventCustomerReminded)
	escalate := onlyEvent(t, h.rec, workflows.EventManagerEscalated)
	for _, tc := range []struct {
		e    workflows.Event
		role workflows.Role
	}{{remind, workflows.RoleCustomer}, {escalate, workflows.RoleManager}} {
		if !tc.e.At.Equal(closes) || !tc.e.Attention || !slices.Equal(tc.e.Notify, []workflows.Role{tc.role}) || tc.e.Payload["deliverable"] != key {
			t.Errorf("%s event = %+v, want at %s notifying %s", tc.e.Type, tc.e, closes, tc.role)
		}
	}
	if n := len(h.rec.ofType(workflows.EventDeliverableDeemed)); n != 0 {
		t.Errorf("an explicit deliverable was deemed accepted")
	}
	acc := onlyEvent(t, h.rec, workflows.EventDeliverableAccepted)
	if acc.Payload["overdue"] != true {
		t.Errorf("acceptance event does not record it was overdue: %+v", acc)
	}
}

func TestActivationClock(t *testing.T) {
	due := deadline(t, t0, calendar.NaturalDays, 90)
	warn := deadline(t, t0, calendar.NaturalDays, 75)
	if due.Format(time.RFC3339) != "2026-06-02T00:00:00+08:00" || warn.Format(time.RFC3339) != "2026-05-19T00:00:00+08:00" {
		t.Fatalf("activation deadline %s, warning %s", due, warn)
	}
	const day = 24 * time.Hour
	tests := []struct {
		name       string
		delay      [2]time.Duration // open and close offsets; zero: none
		submitAt   time.Duration    // activation letter submitted; zero: never
		wantWarn   time.Time
		wantBreach time.Time // zero: no breach
	}{
		{name: "warning at 75 days, breach at 90", wantWarn: warn, wantBreach: due},
		{name: "customer delay extends by its length", delay: [2]time.Duration{10 * day, 20*day + 3*time.Hour},
			wantWarn: warn.Add(10*day + 3*time.Hour), wantBreach: due.Add(10*day + 3*time.Hour)},
		{name: "met by the activation letter", submitAt: 80 * day, wantWarn: warn},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, "dingtalk-pro")
			h.at(time.Minute, func() {
				c := clock(h.state(), catalog.ClockActivation)
				if !c.Deadline.At.Equal(due) || c.Warning == nil || !c.Warning.At.Equal(warn) || c.Status != workflows.ClockRunning {
					t.Errorf("activation clock at start = %+v", c)
				}
			})
			if tc.delay[1] > 0 {
				h.at(tc.delay[0], func() {
					h.must(workflows.UpdateOpenDelay, workflows.OpenDelay{ActionMeta: h.meta(manager), Reason: "no VPN access", Prerequisite: "remote-access"})
				})
				h.at(tc.delay[0]+day, func() {
					s := h.state()
					if c := clock(s, catalog.ClockActivation); c.Status != workflows.ClockPaused || s.OpenDelays != 1 {
						t.Errorf("during the delay: clock %s, %d open delays", c.Status, s.OpenDelays)
					}
				})
				h.at(tc.delay[1], func() { h.must(workflows.UpdateCloseDelay, workflows.CloseDelay{ActionMeta: h.meta(manager)}) })
				h.at(due.Add(time.Second).Sub(t0), func() {
					if c := clock(h.state(), catalog.ClockActivation); c.Status != workflows.ClockRunning {
						t.Errorf("at the original deadline the clock is %s, want running", c.Status)
					}
				})
			}
			if tc.submitAt > 0 {
				steps := []step{{workflows.UpdateAdvancePhase, workflows.AdvancePhase{ActionMeta: h.meta(manager)}},
					{workflows.UpdateAdvancePhase, workflows.AdvancePhase{ActionMeta: h.meta(manager)}},
					{workflows.UpdateSubmitDeliverable, h.submission("service-activation-confirmation-letter")}}
				h.script(tc.submitAt, steps)
			}
			if !tc.wantBreach.IsZero() {
				h.at(tc.wantBreach.Add(-time.Second).Sub(t0), func() {
					if c := clock(h.state(), catalog.ClockActivation); c.Status == workflows.ClockBreached {
						t.Errorf("breached a second early")
					}
				})
				h.at(tc.wantBreach.Add(time.Second).Sub(t0), func() {
					s := h.state()
					if c := clock(s, catalog.ClockActivation); c.Status != workflows.ClockBreached || !c.BreachedAt.Equal(tc.wantBreach) || s.Status != workflows.StatusActive {
						t.Errorf("after the deadline: clock %s at %s, project %s", c.Status, c.BreachedAt, s.Status)
					}
				})
			}
			h.at(120*day, func() { h.must(workflows.UpdateTerminate, h.terminate()) })
			h.run()
			h.checkUpdates()
			res := h.result()
			c := clock(res.State, catalog.ClockActivation)
			w := onlyEvent(t, h.rec, workflows.EventClockWarning)
			if !w.At.Equal(tc.wantWarn) || !w.Attention || !c.WarnedAt.Equal(tc.wantWarn) {
				t.Errorf("warning event at %s (state %s), want %s", w.At, c.WarnedAt, tc.wantWarn)
			}
			breaches := h.rec.ofType(workflows.EventClockBreached)
			if tc.wantBreach.IsZero() {
				if len(breaches) != 0 || c.Status != workflows.ClockMet || !c.MetAt.Equal(t0.Add(tc.submitAt+2*time.Minute)) {
					t.Errorf("clock %s met at %s, %d breaches", c.Status, c.MetAt, len(breaches))
				}
				return
			}
			if len(breaches) != 1 || !breaches[0].At.Equal(tc.wantBreach) || !breaches[0].Attention || breaches[0].Payload["clock"] != catalog.ClockActivation {
				t.Fatalf("breach events = %+v, want one at %s", breaches, tc.wantBreach)
			}
			if tc.delay[1] > 0 {
				length := tc.delay[1] - tc.delay[0]
				if c.Deadline.ExtensionSeconds != int64(length/time.Second) || !c.Deadline.Computed.Equal(due) {
					t.Errorf("deadline %+v, want %s extended by %s", c.Deadline, due, length)
				}
				dl := res.State.Delays[0]
				if dl.Open() || dl.LengthSeconds != int64(length/time.Second) || dl.Prerequisite != "remote-access" {
					t.Errorf("delay = %+v", dl)
				}
				closed := onlyEvent(t, h.rec, workflows.EventDelayClosed)
				if closed.Payload["length_seconds"] != float64(length/time.Second) && closed.Payload["length_seconds"] != int64(length/time.Second) {
					t.Errorf("delay-closed payload = %v", closed.Payload)
				}
			}
		})
	}
}

func TestDelayDoesNotStopAcceptanceWindow(t *testing.T) {
	const key = "kickoff-meeting-report"
	h := newHarness(t, "managed-services")
	closes := deadline(t, t0.Add(time.Hour), calendar.WorkingDays, 5)
	h.at(time.Hour, func() { h.must(workflows.UpdateSubmitDeliverable, h.submission(key)) })
	h.at(2*time.Hour, func() {
		h.must(workflows.UpdateOpenDelay, workflows.OpenDelay{ActionMeta: h.meta(manager), Reason: "site not ready"})
	})
	h.at(30*24*time.Hour, func() { h.must(workflows.UpdateTerminate, h.terminate()) })
	h.run()
	h.checkUpdates()
	if ev := onlyEvent(t, h.rec, workflows.EventDeliverableDeemed); !ev.At.Equal(closes) {
		t.Errorf("deemed at %s during a customer delay, want %s", ev.At, closes)
	}
}

func TestQuotaExhaustion(t *testing.T) {
	tests := []struct {
		code, quota string
		use         func(h *harness) step
	}{
		{"dingtalk-app-customization", "ios-packaging-submissions", func(h *harness) step {
			return step{workflows.UpdateUseQuota, workflows.UseQuota{ActionMeta: h.meta(manager), Quota: "ios-packaging-submissions", Note: "UAD build"}}
		}},
		{"hybrid-base-annual-upgrade", "upgrades", func(h *harness) step {
			return step{workflows.UpdateSubmitDeliverable, h.submission("upgrade-plan")}
		}},
		{"hybrid-base-annual-upgrade", "upgrades", func(h *harness) step {
			return step{workflows.UpdateUseQuota, workflows.UseQuota{ActionMeta: h.meta(manager), Quota: "upgrades"}}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.code+" "+tc.use(&harness{in: workflows.ProjectInput{}}).name, func(t *testing.T) {
			h := newHarness(t, tc.code)
			var steps []step
			for range 4 {
				steps = append(steps, tc.use(h))
			}
			last := h.script(time.Hour, steps)
			var fifth *outcome
			h.at(last+time.Minute, func() {
				s := tc.use(h)
				fifth = h.update("", s.name, s.arg)
			})
			h.at(last+time.Hour, func() { h.must(workflows.UpdateTerminate, h.terminate()) })
			h.run()
			h.checkUpdates(fifth)
			if r := refusal(t, fifth, workflows.ErrorTypeRefused, workflows.RuleQuotaExhausted); r != nil && !strings.Contains(r.Message, "4 of 4") {
				t.Errorf("refusal message %q does not say 4 of 4", r.Message)
			}
			s := h.result().State
			q := quota(s, tc.quota)
			if q.Used != 4 || q.Limit != 4 || len(q.Uses) != 4 {
				t.Errorf("quota = %+v", q)
			}
			if tc.code == "hybrid-base-annual-upgrade" {
				for _, key := range []string{"upgrade-plan", "upgrade-log", "upgrade-acceptance"} {
					if n := len(deliverable(s, key).Rounds); n != 4 {
						t.Errorf("%s has %d rounds, want one per upgrade", key, n)
					}
				}
			}
			if n := len(h.rec.ofType(workflows.EventQuotaUsed)); n != 4 {
				t.Errorf("%d quota-used events, want 4", n)
			}
		})
	}
}

// TestValidityEnd runs projects to the end of their validity: seed 000's
// 12-month term, or the start's contract end (dates.contract_end), which
// also gives an end to Managed Services and Landing Zone, whose seeds state
// no term.
func TestValidityEnd(t *testing.T) {
	end := deadline(t, t0, calendar.Months, 12)
	if end.Format(time.RFC3339) != "2027-03-03T00:00:00+08:00" {
		t.Fatalf("validity end %s", end)
	}
	contractEnd := cst(2026, 9, 30, 18, 0)
	tests := []struct {
		code        string
		contractEnd time.Time
		end         time.Time
		status      workflows.ProjectStatus
		event       workflows.EventType
	}{
		{"dingtalk-enterprise-base", time.Time{}, end, workflows.StatusExpired, workflows.EventProjectExpired},
		{"dingtalk-enterprise-base", contractEnd, contractEnd, workflows.StatusExpired, workflows.EventProjectExpired},
		{"landing-zone-advanced", contractEnd, contractEnd, workflows.StatusExpired, workflows.EventProjectExpired},
		{"managed-services", contractEnd, contractEnd, workflows.StatusExpired, workflows.EventProjectExpired},
		{"dingtalk-hybrid-cloud-compliance", time.Time{}, end, workflows.StatusCompleted, workflows.EventProjectCompleted},
	}
	for _, tc := range tests {
		t.Run(tc.code+" "+tc.end.Format(time.DateOnly), func(t *testing.T) {
			in := projectInput(t, tc.code, startOptions(tc.code), t0)
			in.Dates.ContractEnd = tc.contractEnd
			h := newHarnessInput(t, in, t0)
			h.at(tc.end.Add(-time.Second).Sub(t0), func() {
				if s := h.state(); s.Status != workflows.StatusActive || !s.NextDeadline.Equal(tc.end) {
					t.Errorf("a second before the end: %s, next deadline %s", s.Status, s.NextDeadline)
				}
			})
			h.run()
			res := h.result()
			if res.Status != tc.status || !res.EndedAt.Equal(tc.end) || !res.State.Validity.End.At.Equal(tc.end) {
				t.Errorf("ended %s at %s (validity end %s), want %s at %s", res.Status, res.EndedAt, res.State.Validity.End.At, tc.status, tc.end)
			}
			if ev := onlyEvent(t, h.rec, tc.event); !ev.At.Equal(tc.end) {
				t.Errorf("%s at %s", tc.event, ev.At)
			}
			h.checkRecords(res.State)
		})
	}
}

// TestNoTermNoExpiry starts Managed Services and Landing Zone, whose seeds
// state no term, without a contract end: the state shows no validity end
// and no next deadline, and the project is still active two years on.
func TestNoTermNoExpiry(t *testing.T) {
	for _, code := range []string{"managed-services", "landing-zone-standard"} {
		t.Run(code, func(t *testing.T) {
			h := newHarness(t, code)
			h.at(2*366*24*time.Hour, func() {
				s := h.state()
				if s.Status != workflows.StatusActive || !s.Validity.End.IsZero() || !s.NextDeadline.IsZero() {
					t.Errorf("two years on: %s, validity end %+v, next deadline %s", s.Status, s.Validity.End, s.NextDeadline)
				}
				b, err := json.Marshal(s.Validity)
				if err != nil || strings.Contains(string(b), `"end"`) {
					t.Errorf("validity JSON %s (%v) names an end", b, err)
				}
				h.must(workflows.UpdateTerminate, h.terminate())
			})
			h.run()
			h.checkUpdates()
			if res := h.result(); res.Status != workflows.StatusTerminated {
				t.Errorf("ended %s", res.Status)
			}
		})
	}
}

// TestContractEndValidation refuses a contract end that is not after the
// date the validity starts on, naming dates.contract_end.
func TestContractEndValidation(t *testing.T) {
	for _, tc := range []struct {
		name string
		end  time.Time
		ok   bool
	}{
		{"after the start", t0.Add(time.Hour), true},
		{"at the start", t0, false},
		{"before the start", t0.Add(-24 * time.Hour), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := projectInput(t, "managed-services", catalog.Options{}, t0)
			in.Dates.ContractEnd = tc.end
			err := workflows.ValidateStart(in)
			var fields []string
			for _, se := range workflows.StartErrors(err) {
				fields = append(fields, se.Field)
			}
			if tc.ok != (err == nil) || !tc.ok && !slices.Equal(fields, []string{"dates.contract_end"}) {
				t.Errorf("error %v (fields %v), want ok %v", err, fields, tc.ok)
			}
		})
	}
}

func TestLandingZoneStartRefusals(t *testing.T) {
	c := catalog.Default()
	for _, tc := range []struct {
		name    string
		domains []string
	}{
		{"both domains", []string{catalog.DomainNetworkPlanning, catalog.DomainSecurityProtection}},
		{"neither domain", nil},
		{"only account management", []string{catalog.DomainAccountManagement}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.Plan("landing-zone-basic", catalog.Options{DesignDomains: tc.domains})
			oes := catalog.OptionErrors(err)
			if len(oes) != 1 || oes[0].Field != "options.design_domains" || oes[0].Rule != catalog.RuleExactlyOneOf {
				t.Fatalf("Plan error = %v, want one exactly-one-of error on options.design_domains", err)
			}
		})
	}

	day := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 15, 0, 0, 0, calendar.Zone()) }
	// Applied Wednesday 20 May 2026: the 15th working day after it is
	// Wednesday 10 June; a month after it is 20 June.
	tests := []struct {
		name               string
		application, order time.Time
		intensive          bool
		wantRule           string // "" when the start is allowed
		wantKey            string
	}{
		{"on the 15th working day", day(5, 20), day(6, 10), false, "", ""},
		{"on the 14th working day", day(5, 20), day(6, 9), false, workflows.StartRuleLeadTime, "application-lead-time"},
		{"applied the week before", day(6, 3), day(6, 10), false, workflows.StartRuleLeadTime, "application-lead-time"},
		{"resource-intensive needs a month", day(5, 20), day(6, 15), true, workflows.StartRuleLeadTime, "resource-intensive-lead-time"},
		{"resource-intensive a month ahead", day(5, 20), day(6, 20), true, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := projectInput(t, "landing-zone-basic", catalog.Options{DesignDomains: []string{catalog.DomainNetworkPlanning}, ResourceIntensive: tc.intensive}, t0)
			in.Dates.Application, in.Dates.Order = tc.application, tc.order
			if err := workflows.ValidateStart(in); err != nil {
				t.Fatalf("ValidateStart: %v", err)
			}
			err := workflows.CheckLeadTimes(in, calendar.China().Deadline)
			if tc.wantRule == "" {
				if err != nil {
					t.Errorf("CheckLeadTimes: %v", err)
				}
				return
			}
			ses := workflows.StartErrors(err)
			if len(ses) != 1 || ses[0].Rule != tc.wantRule || ses[0].Field != "dates.order" || !strings.Contains(ses[0].Message, tc.wantKey) {
				t.Errorf("CheckLeadTimes = %v, want one %s error naming %s", err, tc.wantRule, tc.wantKey)
			}
		})
	}
}

func TestValidateStart(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(*workflows.ProjectInput)
		fields []string
	}{
		{"valid", func(*workflows.ProjectInput) {}, nil},
		{"missing purchase date", func(in *workflows.ProjectInput) { in.Dates.Purchase = time.Time{} },
			[]string{"dates.purchase", "dates.purchase"}}, // validity and activation clock
		{"missing ids", func(in *workflows.ProjectInput) { in.ProjectID, in.CustomerID = "", "" }, []string{"project_id", "customer_id"}},
		{"slash in id", func(in *workflows.ProjectInput) { in.ProjectID = "a/b" }, []string{"project_id"}},
		{"customer starts", func(in *workflows.ProjectInput) { in.StartedBy = customer }, []string{"started_by.role"}},
		{"monthly quota", func(in *workflows.ProjectInput) {
			in.Plan.Quotas = append(in.Plan.Quotas, plan.Quota{Key: "q", Limit: 1, Period: "month"})
		}, []string{"plan.quotas[0].period"}},
		{"unknown final", func(in *workflows.ProjectInput) { in.Plan.FinalAcceptance = "nope" }, []string{"plan.final_acceptance"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := projectInput(t, "dingtalk-pro", catalog.Options{}, t0)
			tc.edit(&in)
			var fields []string
			for _, se := range workflows.StartErrors(workflows.ValidateStart(in)) {
				fields = append(fields, se.Field)
			}
			if !slices.Equal(fields, tc.fields) {
				t.Errorf("fields = %v, want %v", fields, tc.fields)
			}
		})
	}

	// The workflow refuses what ValidateStart refuses.
	in := projectInput(t, "dingtalk-pro", catalog.Options{}, t0)
	in.Dates.Purchase = time.Time{}
	h := newHarnessInput(t, in, t0)
	h.run()
	if err := h.env.GetWorkflowError(); err == nil || !strings.Contains(err.Error(), workflows.InvalidInputErrorType) {
		t.Errorf("workflow error = %v, want %s", err, workflows.InvalidInputErrorType)
	}
}

// TestInvalidUpdatesWriteNothing sends invalid updates, each of which the
// validator must reject without a trace in history or the projection.
func TestInvalidUpdatesWriteNothing(t *testing.T) {
	const doc = "system-deployment-documentation"
	h := newHarness(t, "hybrid-base-initial-deployment")
	sub := func(edit func(*workflows.SubmitDeliverable)) workflows.SubmitDeliverable {
		s := h.submission(doc)
		edit(&s)
		return s
	}
	type invalidCase struct {
		name       string
		update     string
		arg        any
		typ, rule  string
		field      string
		missing    []string
		thresholds []string
	}
	cases := []invalidCase{
		// roles
		{"customer submits", workflows.UpdateSubmitDeliverable, sub(func(s *workflows.SubmitDeliverable) { s.Actor = customer }), workflows.ErrorTypeForbidden, workflows.RuleRole, "", nil, nil},
		{"manager decides", workflows.UpdateDecideDeliverable, workflows.DecideDeliverable{ActionMeta: h.meta(manager), Deliverable: doc, Decision: workflows.DecisionAccept}, workflows.ErrorTypeForbidden, workflows.RuleRole, "", nil, nil},
		{"another customer decides", workflows.UpdateDecideDeliverable, workflows.DecideDeliverable{ActionMeta: h.meta(otherCustomer), Deliverable: doc, Decision: workflows.DecisionAccept}, workflows.ErrorTypeForbidden, workflows.RuleCustomer, "", nil, nil},
		{"auditor advances", workflows.UpdateAdvancePhase, workflows.AdvancePhase{ActionMeta: h.meta(auditor)}, workflows.ErrorTypeForbidden, workflows.RuleRole, "", nil, nil},
		{"customer terminates", workflows.UpdateTerminate, workflows.Terminate{ActionMeta: h.meta(customer), Reason: "x"}, workflows.ErrorTypeForbidden, workflows.RuleRole, "", nil, nil},
		{"manager signs final acceptance", workflows.UpdateSignFinalAcceptance, workflows.SignFinalAcceptance{ActionMeta: h.meta(manager)}, workflows.ErrorTypeForbidden, workflows.RuleRole, "", nil, nil},
		{"admin opens a delay", workflows.UpdateOpenDelay, workflows.OpenDelay{ActionMeta: h.meta(admin), Reason: "x"}, workflows.ErrorTypeForbidden, workflows.RuleRole, "", nil, nil},
		// malformed
		{"reject without reason", workflows.UpdateDecideDeliverable, h.reject(doc, ""), workflows.ErrorTypeInvalid, workflows.RuleField, "reason", nil, nil},
		{"unknown decision", workflows.UpdateDecideDeliverable, workflows.DecideDeliverable{ActionMeta: h.meta(customer), Deliverable: doc, Decision: "maybe"}, workflows.ErrorTypeInvalid, workflows.RuleField, "decision", nil, nil},
		{"unknown deliverable", workflows.UpdateDecideDeliverable, h.accept("nope"), workflows.ErrorTypeInvalid, workflows.RuleUnknown, "deliverable", nil, nil},
		{"bad digest", workflows.UpdateSubmitDeliverable, sub(func(s *workflows.SubmitDeliverable) { s.SHA256 = "abc" }), workflows.ErrorTypeInvalid, workflows.RuleField, "sha256", nil, nil},
		{"no title", workflows.UpdateSubmitDeliverable, sub(func(s *workflows.SubmitDeliverable) { s.Title = "" }), workflows.ErrorTypeInvalid, workflows.RuleField, "title", nil, nil},
		{"unknown quota", workflows.UpdateUseQuota, workflows.UseQuota{ActionMeta: h.meta(manager), Quota: "nope"}, workflows.ErrorTypeInvalid, workflows.RuleUnknown, "quota", nil, nil},
		{"terminate without reason", workflows.UpdateTerminate, workflows.Terminate{ActionMeta: h.meta(manager)}, workflows.ErrorTypeInvalid, workflows.RuleField, "reason", nil, nil},
		{"delay without reason", workflows.UpdateOpenDelay, workflows.OpenDelay{ActionMeta: h.meta(manager)}, workflows.ErrorTypeInvalid, workflows.RuleField, "reason", nil, nil},
		// state
		{"submitted twice", workflows.UpdateSubmitDeliverable, h.submission(doc), workflows.ErrorTypeRefused, workflows.RuleState, "", nil, nil},
		{"future phase", workflows.UpdateSubmitDeliverable, h.submission("om-handover-checklist"), workflows.ErrorTypeRefused, workflows.RulePhaseNotStarted, "", nil, nil},
		{"phase incomplete", workflows.UpdateAdvancePhase, workflows.AdvancePhase{ActionMeta: h.meta(manager)}, workflows.ErrorTypeRefused, workflows.RulePhaseIncomplete, "", []string{doc}, nil},
		{"stale phase", workflows.UpdateAdvancePhase, workflows.AdvancePhase{ActionMeta: h.meta(manager), From: "handover"}, workflows.ErrorTypeRefused, workflows.RulePhaseMoved, "", nil, nil},
		{"final acceptance too early", workflows.UpdateSignFinalAcceptance, workflows.SignFinalAcceptance{ActionMeta: h.meta(customer)}, workflows.ErrorTypeRefused, workflows.RulePhaseIncomplete, "", []string{doc, "uat-functional-test-report", "om-handover-checklist", "service-acceptance-confirmation"}, nil},
		{"no delay to close", workflows.UpdateCloseDelay, workflows.CloseDelay{ActionMeta: h.meta(manager)}, workflows.ErrorTypeRefused, workflows.RuleNoDelay, "", nil, nil},
		{"nothing submitted to decide", workflows.UpdateDecideDeliverable, h.accept("uat-functional-test-report"), workflows.ErrorTypeRefused, workflows.RuleState, "", nil, nil},
	}
	h.at(time.Hour, func() { h.must(workflows.UpdateSubmitDeliverable, h.submission(doc)) })
	var before workflows.ProjectState
	var beforeRecords int
	h.at(2*time.Hour, func() { before, beforeRecords = h.state(), h.rec.count() })
	outs := make([]*outcome, len(cases))
	for i, tc := range cases {
		h.at(3*time.Hour+time.Duration(i)*time.Minute, func() { outs[i] = h.update("", tc.update, tc.arg) })
	}
	h.at(5*time.Hour, func() {
		after := h.state()
		if after.Seq != before.Seq || h.rec.count() != beforeRecords {
			t.Errorf("invalid updates changed the project: seq %d → %d, records %d → %d", before.Seq, after.Seq, beforeRecords, h.rec.count())
		}
		h.must(workflows.UpdateTerminate, h.terminate())
	})
	h.run()
	h.checkUpdates(outs...)
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := refusal(t, outs[i], tc.typ, tc.rule)
			if r == nil {
				return
			}
			if r.Field != tc.field || !slices.Equal(r.Missing, tc.missing) || r.Message == "" {
				t.Errorf("refusal = %+v, want field %q missing %v", r, tc.field, tc.missing)
			}
		})
	}
	if n := len(h.rec.ofType(workflows.EventSignalIgnored)); n != 0 {
		t.Errorf("%d ignored signals recorded for rejected updates", n)
	}
}

func TestThresholdRefusalNamesThreshold(t *testing.T) {
	const doc = "system-deployment-documentation"
	tests := []struct {
		name       string
		measured   map[string]float64
		thresholds []string
		message    string
	}{
		{"below", map[string]float64{"deployment_validation_pass_rate": 99}, []string{"deployment_validation_pass_rate = 100 percent"},
			"deployment_validation_pass_rate = 99 misses threshold deployment_validation_pass_rate = 100 percent"},
		{"missing", nil, []string{"deployment_validation_pass_rate = 100 percent"},
			"measured value deployment_validation_pass_rate is required"},
		{"met", map[string]float64{"deployment_validation_pass_rate": 100}, nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, "hybrid-base-initial-deployment")
			var o *outcome
			h.at(time.Hour, func() {
				s := h.submission(doc)
				s.Measured = tc.measured
				o = h.update("", workflows.UpdateSubmitDeliverable, s)
			})
			h.at(2*time.Hour, func() { h.must(workflows.UpdateTerminate, h.terminate()) })
			h.run()
			if tc.thresholds == nil {
				h.checkUpdates()
				return
			}
			h.checkUpdates(o)
			r := refusal(t, o, workflows.ErrorTypeRefused, workflows.RuleThreshold)
			if r != nil && (!slices.Equal(r.Thresholds, tc.thresholds) || !strings.Contains(r.Message, tc.message)) {
				t.Errorf("refusal = %+v, want thresholds %v and message containing %q", r, tc.thresholds, tc.message)
			}
		})
	}

	// Several misses are all named.
	h := newHarness(t, "hybrid-base-initial-deployment")
	steps := []step{
		{workflows.UpdateSubmitDeliverable, h.submission(doc)},
		{workflows.UpdateDecideDeliverable, h.accept(doc)},
		{workflows.UpdateAdvancePhase, workflows.AdvancePhase{ActionMeta: h.meta(manager)}},
	}
	last := h.script(time.Hour, steps)
	var o *outcome
	h.at(last+time.Minute, func() {
		s := h.submission("uat-functional-test-report")
		s.Measured["uat_scenarios"] = 80
		s.Measured["critical_blocking_defects"] = 1
		o = h.update("", workflows.UpdateSubmitDeliverable, s)
	})
	h.at(last+time.Hour, func() { h.must(workflows.UpdateTerminate, h.terminate()) })
	h.run()
	h.checkUpdates(o)
	want := []string{"uat_scenarios >= 100 count", "critical_blocking_defects = 0 count"}
	if r := refusal(t, o, workflows.ErrorTypeRefused, workflows.RuleThreshold); r != nil && !slices.Equal(r.Thresholds, want) {
		t.Errorf("thresholds = %v, want %v", r.Thresholds, want)
	}
}

func TestSignals(t *testing.T) {
	const doc = "kickoff-meeting-report"
	h := newHarness(t, "managed-services")
	h.at(time.Hour, func() {
		bad := h.submission(doc)
		bad.Actor = customer
		h.env.SignalWorkflow(workflows.SignalSubmitDeliverable, bad)
	})
	h.at(2*time.Hour, func() { h.env.SignalWorkflow(workflows.SignalSubmitDeliverable, h.submission(doc)) })
	h.at(3*time.Hour, func() { h.env.SignalWorkflow(workflows.SignalDecideDeliverable, h.reject(doc, "")) })
	h.at(4*time.Hour, func() { h.env.SignalWorkflow(workflows.SignalDecideDeliverable, h.accept(doc)) })
	h.at(5*time.Hour, func() {
		h.env.SignalWorkflow(workflows.SignalTerminate, workflows.Terminate{ActionMeta: h.meta(manager), Reason: "compliance: unauthorised data migration requested"})
	})
	h.run()
	res := h.result()
	if res.Status != workflows.StatusTerminated || res.Reason != "compliance: unauthorised data migration requested" {
		t.Errorf("ended %s (%q)", res.Status, res.Reason)
	}
	ignored := h.rec.ofType(workflows.EventSignalIgnored)
	if len(ignored) != 2 {
		t.Fatalf("%d ignored signals, want 2: %+v", len(ignored), ignored)
	}
	for i, want := range []struct{ signal, rule string }{
		{workflows.SignalSubmitDeliverable, workflows.RuleRole},
		{workflows.SignalDecideDeliverable, workflows.RuleField},
	} {
		e := ignored[i]
		if e.Payload["signal"] != want.signal || e.Payload["rule"] != want.rule || e.Payload["reason"] == "" || e.RequestID == "" {
			t.Errorf("ignored event %d = %+v, want signal %s rule %s", i, e, want.signal, want.rule)
		}
	}
	if ignored[0].Actor != customer {
		t.Errorf("ignored signal actor = %+v", ignored[0].Actor)
	}
	if d := deliverable(res.State, doc); d.Status != workflows.DeliverableAccepted {
		t.Errorf("deliverable %s after signals", d.Status)
	}
	h.checkRecords(res.State)
}

func TestFinalAcceptanceRequirements(t *testing.T) {
	h := newHarness(t, "dingtalk-app-customization") // continuous, no final acceptance
	var o *outcome
	h.at(time.Hour, func() {
		o = h.update("", workflows.UpdateSignFinalAcceptance, workflows.SignFinalAcceptance{ActionMeta: h.meta(customer)})
	})
	h.at(2*time.Hour, func() { h.must(workflows.UpdateTerminate, h.terminate()) })
	h.run()
	h.checkUpdates(o)
	refusal(t, o, workflows.ErrorTypeRefused, workflows.RuleNoFinal)

	// Last phase reached but the final deliverable not accepted.
	h = newHarness(t, "landing-zone-standard")
	steps := walkSteps(h)
	steps = steps[:len(steps)-2] // leave out accepting the solution and signing
	last := h.script(time.Hour, steps)
	h.at(last+time.Minute, func() {
		o = h.update("", workflows.UpdateSignFinalAcceptance, workflows.SignFinalAcceptance{ActionMeta: h.meta(customer)})
	})
	h.at(last+time.Hour, func() { h.must(workflows.UpdateTerminate, h.terminate()) })
	h.run()
	h.checkUpdates(o)
	if r := refusal(t, o, workflows.ErrorTypeRefused, workflows.RulePhaseIncomplete); r != nil && !slices.Equal(r.Missing, []string{"it-governance-solution"}) {
		t.Errorf("missing = %v", r.Missing)
	}
	if s := h.result().State; s.Status != workflows.StatusTerminated || s.EndReason != "test over" {
		t.Errorf("ended %s (%q)", s.Status, s.EndReason)
	}
}

func TestContinueAsNewMidWindow(t *testing.T) {
	const key = "kickoff-meeting-report"
	in := projectInput(t, "managed-services", catalog.Options{}, t0)
	// The start costs 12 history events by the run's count (start, task,
	// validity deadline, record), the submission 14 more (update, window
	// deadlines, search attributes, record): continue as new after it.
	in.ContinueAsNewAfterEvents = 20
	submitted := t0.Add(time.Hour)
	closes := deadline(t, submitted, calendar.WorkingDays, 5)

	// Run 1: started, submission, then continue-as-new.
	h1 := newHarnessInput(t, in, t0)
	h1.at(time.Hour, func() { h1.must(workflows.UpdateSubmitDeliverable, h1.submission(key)) })
	h1.run()
	h1.checkUpdates()
	var can *workflow.ContinueAsNewError
	if err := h1.env.GetWorkflowError(); !errors.As(err, &can) {
		t.Fatalf("run 1 ended with %v: %v", err, errNotCAN)
	}
	if can.WorkflowType.Name != workflows.ProjectWorkflowName {
		t.Errorf("continues as %q", can.WorkflowType.Name)
	}
	var next workflows.ProjectInput
	if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &next); err != nil {
		t.Fatal(err)
	}
	if next.Resume == nil {
		t.Fatal("continue-as-new carries no state")
	}
	carried := deliverable(*next.Resume, key)
	if carried.Status != workflows.DeliverableSubmitted || !carried.Deadline.Equal(closes) {
		t.Fatalf("carried deliverable = %+v", carried)
	}
	if last := h1.rec.last(); last.Seq != next.Resume.Seq || h1.rec.ofType(workflows.EventContinuedAsNew) == nil {
		t.Errorf("run 1 projection ends at seq %d, carried state at %d", last.Seq, next.Resume.Seq)
	}

	// Run 2 starts where run 1 stopped and closes the window on time.
	next.ContinueAsNewAfterEvents = 0
	start2 := h1.env.Now()
	h2 := newHarnessInput(t, next, start2)
	h2.at(closes.Add(-time.Second).Sub(start2), func() {
		s := h2.state()
		if d := deliverable(s, key); d.Status != workflows.DeliverableSubmitted || s.Run != 2 {
			t.Errorf("a second before the close: %s, run %d", d.Status, s.Run)
		}
	})
	h2.at(closes.Add(time.Second).Sub(start2), func() {
		if d := deliverable(h2.state(), key); d.Status != workflows.DeliverableAccepted || !d.Rounds[0].DeemedAcceptedAt.Equal(closes) {
			t.Errorf("after the close: %s deemed at %s", d.Status, d.Rounds[0].DeemedAcceptedAt)
		}
		h2.must(workflows.UpdateTerminate, h2.terminate())
	})
	h2.run()
	h2.checkUpdates()
	res := h2.result()
	ev := onlyEvent(t, h2.rec, workflows.EventDeliverableDeemed)
	if !ev.At.Equal(closes) || ev.Seq <= next.Resume.Seq {
		t.Errorf("deemed event %+v, want at %s after seq %d", ev, closes, next.Resume.Seq)
	}
	if first := h2.rec.events()[0]; first.Seq != next.Resume.Seq+1 {
		t.Errorf("run 2 starts numbering at %d, want %d", first.Seq, next.Resume.Seq+1)
	}
	if res.State.Run != 2 || res.Status != workflows.StatusTerminated {
		t.Errorf("run %d status %s", res.State.Run, res.Status)
	}
}

func TestCalendarUpdateRecomputesProvisionalDeadlines(t *testing.T) {
	const key = "kickoff-meeting-report"
	start := time.Date(2026, 12, 28, 10, 0, 0, 0, calendar.Zone()) // Monday
	h := newHarnessInput(t, projectInput(t, "managed-services", catalog.Options{}, start), start)
	submitted := start.Add(time.Hour)
	provisional := deadline(t, submitted, calendar.WorkingDays, 5)
	if provisional.Format(time.RFC3339) != "2027-01-06T00:00:00+08:00" {
		t.Fatalf("provisional close %s", provisional)
	}
	// The 2027 data, as an admin might load it: 4 and 5 January are days
	// off, so the window closes two working days later.
	y2027 := calendar.YearFile{Year: 2027, Papers: []string{"test"}, Days: []calendar.Day{
		{Date: calendar.Date{Year: 2027, Month: 1, Day: 1}, Name: "New Year", Off: true},
		{Date: calendar.Date{Year: 2027, Month: 1, Day: 4}, Name: "Test", Off: true},
		{Date: calendar.Date{Year: 2027, Month: 1, Day: 5}, Name: "Test", Off: true},
		{Date: calendar.Date{Year: 2027, Month: 5, Day: 1}, Name: "Labour Day", Off: true},
		{Date: calendar.Date{Year: 2027, Month: 10, Day: 1}, Name: "National Day", Off: true},
		{Date: calendar.Date{Year: 2027, Month: 10, Day: 2}, Name: "National Day", Off: true},
		{Date: calendar.Date{Year: 2027, Month: 10, Day: 3}, Name: "National Day", Off: true},
	}}
	updated, err := calendar.China().With(y2027)
	if err != nil {
		t.Fatal(err)
	}
	final, err := updated.Deadline(submitted, calendar.Spec{Kind: calendar.WorkingDays, N: 5})
	if err != nil || final.Provisional || final.Deadline.Format(time.RFC3339) != "2027-01-08T00:00:00+08:00" {
		t.Fatalf("recomputed close %+v %v", final, err)
	}

	h.at(time.Hour, func() { h.must(workflows.UpdateSubmitDeliverable, h.submission(key)) })
	h.at(2*time.Hour, func() {
		d := deliverable(h.state(), key)
		if !d.Deadline.Equal(provisional) || !d.Provisional {
			t.Errorf("before the update: deadline %s provisional %v", d.Deadline, d.Provisional)
		}
		h.cal.Store(updated)
		h.env.SignalWorkflow(workflows.SignalCalendarUpdated, workflows.CalendarUpdated{ActionMeta: h.meta(admin), CalendarVersion: updated.Version()})
	})
	h.at(3*time.Hour, func() {
		s := h.state()
		d := deliverable(s, key)
		w := d.Rounds[0].Submissions[0].Window
		if !d.Deadline.Equal(final.Deadline) || d.Provisional || w.Closes.CalendarVersion != updated.Version() || s.CalendarVersion != updated.Version() {
			t.Errorf("after the update: deadline %s provisional %v version %s", d.Deadline, d.Provisional, w.Closes.CalendarVersion)
		}
	})
	h.at(final.Deadline.Add(time.Hour).Sub(start), func() { h.must(workflows.UpdateTerminate, h.terminate()) })
	h.run()
	h.checkUpdates()
	ev := onlyEvent(t, h.rec, workflows.EventCalendarUpdated)
	if rec, _ := ev.Payload["recomputed"].([]any); len(rec) != 2 { // window close and notice
		t.Errorf("calendar-updated event recomputed %v", ev.Payload["recomputed"])
	}
	if deemed := onlyEvent(t, h.rec, workflows.EventDeliverableDeemed); !deemed.At.Equal(final.Deadline) {
		t.Errorf("deemed at %s, want the recomputed close %s", deemed.At, final.Deadline)
	}

	// A customer cannot report calendar updates: the signal is ignored.
	h = newHarness(t, "managed-services")
	h.at(time.Hour, func() {
		h.env.SignalWorkflow(workflows.SignalCalendarUpdated, workflows.CalendarUpdated{ActionMeta: h.meta(customer), CalendarVersion: "x"})
	})
	h.at(2*time.Hour, func() { h.must(workflows.UpdateTerminate, h.terminate()) })
	h.run()
	h.checkUpdates()
	if ig := onlyEvent(t, h.rec, workflows.EventSignalIgnored); ig.Payload["signal"] != workflows.SignalCalendarUpdated {
		t.Errorf("ignored = %+v", ig)
	}
}

func TestProjectionFailureIsRetried(t *testing.T) {
	h := newHarness(t, "managed-services")
	failures := 1
	h.env.RegisterActivityWithOptions(func(ctx context.Context, in workflows.ProjectRecord) (workflows.RecordResult, error) {
		if failures > 0 {
			failures--
			return workflows.RecordResult{}, temporal.NewNonRetryableApplicationError("database gone", "Test", nil)
		}
		return h.rec.record(ctx, in)
	}, activity.RegisterOptions{Name: workflows.RecordProjectActivity})
	h.at(time.Hour, func() { h.must(workflows.UpdateTerminate, h.terminate()) })
	h.run()
	h.checkUpdates()
	res := h.result()
	if failures != 0 {
		t.Fatal("the failing projection was not called")
	}
	evs := h.rec.events()
	if len(evs) != 2 || evs[0].Type != workflows.EventProjectStarted || evs[1].Type != workflows.EventProjectTerminated {
		t.Errorf("projected events = %+v", evs)
	}
	h.checkRecords(res.State)
}

func TestCancelEndsTheWorkflow(t *testing.T) {
	h := newHarness(t, "dingtalk-pro")
	h.at(time.Hour, func() {
		// To the activation phase, whose letter is then submitted.
		h.must(workflows.UpdateAdvancePhase, workflows.AdvancePhase{ActionMeta: h.meta(manager)})
		h.must(workflows.UpdateAdvancePhase, workflows.AdvancePhase{ActionMeta: h.meta(manager)})
		h.must(workflows.UpdateSubmitDeliverable, h.submission("service-activation-confirmation-letter"))
	})
	h.at(2*time.Hour, h.env.CancelWorkflow)
	h.run()
	var canceled *temporal.CanceledError
	if err := h.env.GetWorkflowError(); !errors.As(err, &canceled) {
		t.Errorf("workflow error = %v, want canceled", err)
	}
}

func TestSearchAttributes(t *testing.T) {
	h := newHarness(t, "managed-services")
	var mu sync.Mutex
	var phases, statuses []string
	var next []time.Time
	h.env.OnUpsertTypedSearchAttributes(mock.Anything).Run(func(args mock.Arguments) {
		sa := args.Get(0).(temporal.SearchAttributes)
		mu.Lock()
		defer mu.Unlock()
		if v, ok := sa.GetKeyword(workflows.AttrPhase); ok {
			phases = append(phases, v)
		}
		if v, ok := sa.GetKeyword(workflows.AttrStatus); ok {
			statuses = append(statuses, v)
		}
		if v, ok := sa.GetTime(workflows.AttrNextDeadline); ok {
			next = append(next, v)
		}
		if v, ok := sa.GetKeyword(workflows.AttrCustomer); ok && v != "cust-1" {
			t.Errorf("customer = %q", v)
		}
	}).Return(nil)
	steps := []step{
		{workflows.UpdateSubmitDeliverable, h.submission("kickoff-meeting-report")},
		{workflows.UpdateDecideDeliverable, h.accept("kickoff-meeting-report")},
		{workflows.UpdateAdvancePhase, workflows.AdvancePhase{ActionMeta: h.meta(manager)}},
		{workflows.UpdateTerminate, h.terminate()},
	}
	h.script(time.Hour, steps)
	h.run()
	h.checkUpdates()
	// Managed Services has no term: the next deadline is the window's,
	// unset again once the kickoff report is accepted.
	window := deadline(t, t0.Add(time.Hour), calendar.WorkingDays, 5)
	if !slices.Equal(phases, []string{"kickoff", "implementation-solution"}) ||
		!slices.Equal(statuses, []string{"active", "terminated"}) ||
		len(next) != 1 || !next[0].Equal(window) {
		t.Errorf("upserted phases %v, statuses %v, next deadlines %v", phases, statuses, next)
	}
}
