package workflows_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/sowflow/sowflow/calendar"
	"github.com/sowflow/sowflow/plan"
	"github.com/sowflow/sowflow/workflows"
)

// ticketInput is ticket 1 of service s-1, opened by the customer at opened
// with the severity, reporting to nobody.
func ticketInput(targets []plan.ResponseTarget, severity string, opened time.Time) workflows.TicketInput {
	return workflows.TicketInput{
		ServiceID: "s-1", CustomerID: "cust-1", Ticket: 1, Severity: severity, Title: "database unreachable",
		OpenedAt: opened, OpenedBy: customer, RequestID: "open-1", Targets: targets,
	}
}

// runTicket runs a ticket opened at opened through script (callbacks at
// instants) and then resolves and closes it; it returns the final state.
func runTicket(t *testing.T, in workflows.TicketInput, script func(h *harness)) (*harness, workflows.TicketState) {
	t.Helper()
	h := newSvc(t, in.OpenedAt)
	script(h)
	h.env.ExecuteWorkflow(workflows.TicketWorkflowName, in)
	if !h.env.IsWorkflowCompleted() {
		t.Fatal("ticket did not complete")
	}
	if err := h.env.GetWorkflowError(); err != nil {
		t.Fatalf("ticket failed: %v", err)
	}
	var res workflows.TicketResult
	if err := h.env.GetWorkflowResult(&res); err != nil {
		t.Fatal(err)
	}
	return h, res.State
}

// closeAt resolves the ticket at when and has the customer confirm a minute
// later.
func closeAt(h *harness, start, when time.Time) {
	h.atInstant(start, when, func() {
		h.update("", workflows.UpdateResolveTicket, workflows.ResolveTicket{ActionMeta: h.meta(manager), Resolution: "fixed"})
	})
	h.atInstant(start, when.Add(time.Minute), func() {
		h.update("", workflows.UpdateConfirmClosure, workflows.ConfirmClosure{ActionMeta: h.meta(customer)})
	})
}

// TestTicketResponseTargets holds every severity of the Partner Growth Plan
// and of Remote O&M to its response target: a response one minute early is
// met, one at the deadline or one minute late is a breach recorded at the
// deadline, and the warning comes at 75% of the target.
func TestTicketResponseTargets(t *testing.T) {
	monday := cst(2026, 3, 2, 10, 0) // a working Monday, 10:00
	type targetSet struct {
		name    string
		targets []plan.ResponseTarget
	}
	plans := []targetSet{{"partner", partnerTargets()}, {"remote-om", remoteOMTargets()}}
	// want gives each severity's deadline and warning from monday 10:00.
	want := map[string]map[string][2]time.Time{
		"partner": {
			"critical": {monday.Add(15 * time.Minute), monday.Add(12 * time.Minute)}, // ceil(11.25) minutes
			"urgent":   {monday.Add(40 * time.Minute), monday.Add(30 * time.Minute)},
			"high":     {monday.Add(4 * time.Hour), monday.Add(3 * time.Hour)},
			"medium":   {monday.Add(8 * time.Hour), monday.Add(6 * time.Hour)},
			"low":      {monday.Add(18 * time.Hour), monday.Add(13*time.Hour + 30*time.Minute)},
		},
		"remote-om": {
			"critical": {monday.Add(60 * time.Minute), monday.Add(45 * time.Minute)},
			"routine":  {monday.Add(120 * time.Minute), monday.Add(90 * time.Minute)},
		},
	}
	for _, pl := range plans {
		for _, tg := range pl.targets {
			deadline, warning := want[pl.name][tg.Severity][0], want[pl.name][tg.Severity][1]
			for _, tc := range []struct {
				name    string
				respond time.Time
				met     bool
			}{
				{"one minute early", deadline.Add(-time.Minute), true},
				{"at the deadline", deadline, false},
				{"one minute late", deadline.Add(time.Minute), false},
			} {
				t.Run(fmt.Sprintf("%s/%s/%s", pl.name, tg.Severity, tc.name), func(t *testing.T) {
					in := ticketInput(pl.targets, tg.Severity, monday)
					var before workflows.TicketState
					h, s := runTicket(t, in, func(h *harness) {
						h.atInstant(monday, tc.respond.Add(-time.Second), func() { h.query("", workflows.QueryTicketState, &before) })
						h.atInstant(monday, tc.respond, func() {
							h.update("", workflows.UpdateRespondTicket, workflows.RespondTicket{ActionMeta: h.meta(manager), Note: "on it"})
						})
						closeAt(h, monday, tc.respond.Add(time.Hour))
					})
					h.checkUpdates()
					if !s.Clock.Deadline.At.Equal(deadline) || !s.Clock.Warning.At.Equal(warning) {
						t.Errorf("deadline %s warning %s, want %s and %s", s.Clock.Deadline.At, s.Clock.Warning.At, deadline, warning)
					}
					if late := tc.respond.After(deadline); before.SLA.Decided != late || before.SLA.Met {
						t.Errorf("a second before the response: %+v, want decided (breached) %v", before.SLA, late)
					}
					if !s.SLA.Decided || s.SLA.Met != tc.met || s.SLA.Severity != tg.Severity || !s.SLA.Deadline.Equal(deadline) {
						t.Errorf("sla = %+v, want met %v", s.SLA, tc.met)
					}
					if s.Response == nil || !s.Response.At.Equal(tc.respond) || s.Response.By != manager {
						t.Errorf("response = %+v", s.Response)
					}
					if want := int64(tc.respond.Sub(monday) / time.Second); s.ResponseSeconds != want {
						t.Errorf("response seconds %d, want %d", s.ResponseSeconds, want)
					}
					warn := eventsOf(s.Events, workflows.EventTicketWarning)
					if len(warn) != 1 || !warn[0].At.Equal(warning) || !slices.Contains(warn[0].Notify, workflows.RoleManager) {
						t.Errorf("warning events %+v, want one at %s", warn, warning)
					}
					breach := eventsOf(s.Events, workflows.EventTicketBreached)
					switch {
					case tc.met && len(breach) != 0:
						t.Errorf("breach recorded for a response in time: %+v", breach)
					case !tc.met && (len(breach) != 1 || !breach[0].At.Equal(deadline) || !s.Clock.BreachedAt.Equal(deadline)):
						t.Errorf("breach events %+v, want one at %s", breach, deadline)
					}
					if s.Status != workflows.TicketClosed || s.Closure == nil || s.Closure.By != customer || s.Resolution == nil {
						t.Errorf("status %s closure %+v resolution %+v", s.Status, s.Closure, s.Resolution)
					}
				})
			}
		}
	}
}

// TestTicketBusinessHoursAcrossHolidays runs the Remote O&M routine clock
// (120 business minutes, 09:00–17:00 on CN working days) across National
// Day 2026 and its make-up working Saturday, 10 October.
func TestTicketBusinessHoursAcrossHolidays(t *testing.T) {
	tests := []struct {
		name     string
		opened   time.Time
		deadline time.Time
		warning  time.Time
	}{
		// Wednesday 30 September, 16:30: 30 minutes that day, then 1–7
		// October are off; the clock resumes Thursday 8 October at 09:00.
		{"before national day", cst(2026, 9, 30, 16, 30), cst(2026, 10, 8, 10, 30), cst(2026, 10, 8, 10, 0)},
		// Friday 9 October, 16:00: 60 minutes that day, and Saturday
		// 10 October is a make-up working day.
		{"into the make-up saturday", cst(2026, 10, 9, 16, 0), cst(2026, 10, 10, 10, 0), cst(2026, 10, 10, 9, 30)},
		// Saturday 3 October (a holiday), evening: the clock starts at the
		// next opening, Thursday 8 October 09:00.
		{"opened on a holiday", cst(2026, 10, 3, 20, 0), cst(2026, 10, 8, 11, 0), cst(2026, 10, 8, 10, 30)},
		// Sunday 11 October: an ordinary weekend again.
		{"opened on the sunday after", cst(2026, 10, 11, 12, 0), cst(2026, 10, 12, 11, 0), cst(2026, 10, 12, 10, 30)},
	}
	for _, tc := range tests {
		for _, early := range []bool{true, false} {
			name := tc.name + "/late"
			respond := tc.deadline.Add(time.Minute)
			if early {
				name, respond = tc.name+"/early", tc.deadline.Add(-time.Minute)
			}
			t.Run(name, func(t *testing.T) {
				// The calendar agrees with the expectation.
				res, err := calendar.China().Deadline(tc.opened, businessMinutes(120))
				if err != nil || !res.Deadline.Equal(tc.deadline) {
					t.Fatalf("calendar deadline %s (%v), want %s", res.Deadline, err, tc.deadline)
				}
				h, s := runTicket(t, ticketInput(remoteOMTargets(), "routine", tc.opened), func(h *harness) {
					h.atInstant(tc.opened, respond, func() {
						h.update("", workflows.UpdateRespondTicket, workflows.RespondTicket{ActionMeta: h.meta(manager)})
					})
					closeAt(h, tc.opened, respond.Add(time.Hour))
				})
				h.checkUpdates()
				if !s.Clock.Deadline.At.Equal(tc.deadline) || !s.Clock.Warning.At.Equal(tc.warning) {
					t.Errorf("deadline %s warning %s, want %s and %s", s.Clock.Deadline.At, s.Clock.Warning.At, tc.deadline, tc.warning)
				}
				if s.Clock.Deadline.Spec != businessMinutes(120) || s.Clock.Warning.Spec != businessMinutes(90) {
					t.Errorf("specs %+v / %+v", s.Clock.Deadline.Spec, s.Clock.Warning.Spec)
				}
				if s.SLA.Met != early {
					t.Errorf("met = %v, want %v", s.SLA.Met, early)
				}
				if w := eventsOf(s.Events, workflows.EventTicketWarning); len(w) != 1 || !w[0].At.Equal(tc.warning) {
					t.Errorf("warnings %+v", w)
				}
			})
		}
	}
}

// TestTicketSeverityChange checks the documented rule: while undecided, a
// change restarts the clock from the change instant with the new target
// (OpenedAt kept); once decided, a change is recorded and the clock left
// alone. Customers may only raise a severity.
func TestTicketSeverityChange(t *testing.T) {
	opened := cst(2026, 3, 2, 10, 0)
	t.Run("raised by the customer restarts the clock", func(t *testing.T) {
		change := opened.Add(2 * time.Hour)
		var lower, same *outcome
		h, s := runTicket(t, ticketInput(partnerTargets(), "low", opened), func(h *harness) {
			h.atInstant(opened, change.Add(-time.Minute), func() {
				lower = h.update("", workflows.UpdateChangeSeverity, workflows.ChangeSeverity{ActionMeta: h.meta(customer), Severity: "low", Reason: "x"})
			})
			h.atInstant(opened, change, func() {
				h.update("", workflows.UpdateChangeSeverity, workflows.ChangeSeverity{ActionMeta: h.meta(customer),
					Severity: "critical", Reason: "production down now"})
			})
			h.atInstant(opened, change.Add(time.Minute), func() {
				same = h.update("", workflows.UpdateChangeSeverity, workflows.ChangeSeverity{ActionMeta: h.meta(customer),
					Severity: "medium", Reason: "not so bad"})
			})
			// 14 minutes after the change: within the critical target.
			h.atInstant(opened, change.Add(14*time.Minute), func() {
				h.update("", workflows.UpdateRespondTicket, workflows.RespondTicket{ActionMeta: h.meta(manager)})
			})
			closeAt(h, opened, change.Add(time.Hour))
		})
		h.checkUpdates(lower, same)
		refusal(t, lower, workflows.ErrorTypeRefused, workflows.RuleState)
		refusal(t, same, workflows.ErrorTypeForbidden, workflows.RuleSeverityDowngrade)
		if s.Severity != "critical" || s.OpenedSeverity != "low" || !s.OpenedAt.Equal(opened) {
			t.Errorf("severity %s (opened %s at %s)", s.Severity, s.OpenedSeverity, s.OpenedAt)
		}
		if !s.Clock.Start.Equal(change) || !s.Clock.Deadline.At.Equal(change.Add(15*time.Minute)) {
			t.Errorf("clock %+v, want restarted at %s", s.Clock, change)
		}
		if len(s.PastClocks) != 1 || !s.PastClocks[0].Deadline.At.Equal(opened.Add(18*time.Hour)) || !s.PastClocks[0].ReplacedAt.Equal(change) {
			t.Errorf("past clocks %+v", s.PastClocks)
		}
		if !s.SLA.Met || s.SLA.Severity != "critical" {
			t.Errorf("sla %+v", s.SLA)
		}
		if len(s.SeverityChanges) != 1 || !s.SeverityChanges[0].ClockRestarted || s.SeverityChanges[0].By != customer {
			t.Errorf("changes %+v", s.SeverityChanges)
		}
		// The low clock's warning (13.5 h) never fired; the critical one's
		// would have at 12 minutes.
		if w := eventsOf(s.Events, workflows.EventTicketWarning); len(w) != 1 || !w[0].At.Equal(change.Add(12*time.Minute)) {
			t.Errorf("warnings %+v", w)
		}
	})
	t.Run("lowered by the manager gives the longer target from the change", func(t *testing.T) {
		change := opened.Add(10 * time.Minute)
		h, s := runTicket(t, ticketInput(partnerTargets(), "critical", opened), func(h *harness) {
			h.atInstant(opened, change, func() {
				h.update("", workflows.UpdateChangeSeverity, workflows.ChangeSeverity{ActionMeta: h.meta(manager),
					Severity: "high", Reason: "a workaround restores production"})
			})
			h.atInstant(opened, change.Add(3*time.Hour), func() {
				h.update("", workflows.UpdateRespondTicket, workflows.RespondTicket{ActionMeta: h.meta(manager)})
			})
			closeAt(h, opened, change.Add(4*time.Hour))
		})
		h.checkUpdates()
		if !s.Clock.Deadline.At.Equal(change.Add(4*time.Hour)) || !s.SLA.Met || s.SLA.Severity != "high" {
			t.Errorf("clock %+v sla %+v", s.Clock.Deadline, s.SLA)
		}
		if n := len(eventsOf(s.Events, workflows.EventTicketBreached)); n != 0 {
			t.Errorf("%d breaches", n)
		}
	})
	t.Run("after a breach the outcome stays", func(t *testing.T) {
		change := opened.Add(20 * time.Minute) // critical breached at 15
		h, s := runTicket(t, ticketInput(partnerTargets(), "critical", opened), func(h *harness) {
			h.atInstant(opened, change, func() {
				h.update("", workflows.UpdateChangeSeverity, workflows.ChangeSeverity{ActionMeta: h.meta(manager),
					Severity: "low", Reason: "general question after all"})
			})
			h.atInstant(opened, change.Add(time.Minute), func() {
				h.update("", workflows.UpdateRespondTicket, workflows.RespondTicket{ActionMeta: h.meta(manager)})
			})
			closeAt(h, opened, change.Add(time.Hour))
		})
		h.checkUpdates()
		if !s.SLA.Decided || s.SLA.Met || s.SLA.Severity != "critical" || s.Severity != "low" {
			t.Errorf("sla %+v severity %s", s.SLA, s.Severity)
		}
		if len(s.SeverityChanges) != 1 || s.SeverityChanges[0].ClockRestarted || len(s.PastClocks) != 0 {
			t.Errorf("changes %+v past clocks %+v", s.SeverityChanges, s.PastClocks)
		}
	})
}

// TestTicketLifecycle checks who may do what, reopening, and the closure.
func TestTicketLifecycle(t *testing.T) {
	opened := cst(2026, 3, 2, 10, 0)
	var custRespond, otherConfirm, early, noReason *outcome
	h, s := runTicket(t, ticketInput(partnerTargets(), "medium", opened), func(h *harness) {
		h.atInstant(opened, opened.Add(time.Minute), func() {
			custRespond = h.update("", workflows.UpdateRespondTicket, workflows.RespondTicket{ActionMeta: h.meta(customer)})
			early = h.update("", workflows.UpdateConfirmClosure, workflows.ConfirmClosure{ActionMeta: h.meta(customer)})
		})
		// Resolving an open ticket is also its response.
		h.atInstant(opened, opened.Add(time.Hour), func() {
			h.update("", workflows.UpdateResolveTicket, workflows.ResolveTicket{ActionMeta: h.meta(manager), Resolution: "restarted the proxy"})
		})
		h.atInstant(opened, opened.Add(2*time.Hour), func() {
			otherConfirm = h.update("", workflows.UpdateConfirmClosure, workflows.ConfirmClosure{ActionMeta: h.meta(otherCustomer)})
			noReason = h.update("", workflows.UpdateReopenTicket, workflows.ReopenTicket{ActionMeta: h.meta(customer), Reason: " "})
			h.update("", workflows.UpdateReopenTicket, workflows.ReopenTicket{ActionMeta: h.meta(customer), Reason: "still failing"})
		})
		closeAt(h, opened, opened.Add(3*time.Hour))
	})
	h.checkUpdates(custRespond, otherConfirm, early, noReason)
	refusal(t, custRespond, workflows.ErrorTypeForbidden, workflows.RuleRole)
	refusal(t, otherConfirm, workflows.ErrorTypeForbidden, workflows.RuleCustomer)
	refusal(t, early, workflows.ErrorTypeRefused, workflows.RuleState)
	if r := refusal(t, noReason, workflows.ErrorTypeInvalid, workflows.RuleField); r != nil && r.Field != "reason" {
		t.Errorf("field %q", r.Field)
	}
	if s.Response == nil || !s.Response.At.Equal(opened.Add(time.Hour)) || !s.SLA.Met {
		t.Errorf("response %+v sla %+v", s.Response, s.SLA)
	}
	if len(s.Reopens) != 1 || s.Reopens[0].Note != "still failing" {
		t.Errorf("reopens %+v", s.Reopens)
	}
	if s.Status != workflows.TicketClosed || !s.Closure.At.Equal(opened.Add(3*time.Hour+time.Minute)) {
		t.Errorf("closure %+v", s.Closure)
	}
	var types []workflows.EventType
	for _, e := range s.Events {
		types = append(types, e.Type)
	}
	want := []workflows.EventType{workflows.EventTicketOpened, workflows.EventTicketResponded, workflows.EventTicketResolved,
		workflows.EventTicketReopened, workflows.EventTicketResolved, workflows.EventTicketClosed}
	if !slices.Equal(types, want) {
		t.Errorf("events %v, want %v", types, want)
	}
	for i, e := range s.Events {
		if e.Seq != int64(i+1) {
			t.Errorf("event %d has seq %d", i, e.Seq)
		}
	}
}
