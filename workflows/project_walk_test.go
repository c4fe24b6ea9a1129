package workflows_test

import (
	"testing"
	"time"

	"github.com/sowflow/sowflow/calendar"
	"github.com/sowflow/sowflow/catalog"
	"github.com/sowflow/sowflow/workflows"
)

// walkSteps delivers a plan from start to end: in each phase every required
// deliverable is submitted (one round of recurring ones) and accepted, then
// the phase is advanced; the customer signs final acceptance when the plan
// has it.
func walkSteps(h *harness) []step {
	plan := h.in.Plan
	var steps []step
	for i, ph := range plan.Phases {
		for _, d := range ph.Deliverables {
			if !d.Required {
				continue
			}
			steps = append(steps,
				step{workflows.UpdateSubmitDeliverable, h.submission(d.Key)},
				step{workflows.UpdateDecideDeliverable, h.accept(d.Key)})
		}
		if i < len(plan.Phases)-1 {
			steps = append(steps, step{workflows.UpdateAdvancePhase, workflows.AdvancePhase{ActionMeta: h.meta(manager), From: ph.Key}})
		}
	}
	if plan.FinalAcceptance != "" {
		steps = append(steps, step{workflows.UpdateSignFinalAcceptance, workflows.SignFinalAcceptance{ActionMeta: h.meta(customer)}})
	}
	return steps
}

// TestWalkEveryPackage runs every project package of the catalog from start
// to final acceptance, or, for continuous packages without one, to the end
// of their validity.
func TestWalkEveryPackage(t *testing.T) {
	var codes []string // support plans and SLAs (issue 7) do not run as projects
	for _, p := range catalog.Default().Packages() {
		if p.Kind == catalog.KindProject {
			codes = append(codes, p.Code)
		}
	}
	if len(codes) != 14 {
		t.Fatalf("catalog holds %d project packages, want 14: %v", len(codes), codes)
	}
	validityEnd := deadline(t, t0, calendar.Months, 12)
	for _, code := range codes {
		t.Run(code, func(t *testing.T) {
			h := newHarness(t, code)
			steps := walkSteps(h)
			last := h.script(time.Hour, steps)
			h.run()
			h.checkUpdates()
			res := h.result()
			s := res.State

			wantEnd, wantReason := t0.Add(last), "final acceptance signed"
			if h.in.Plan.FinalAcceptance == "" {
				wantEnd, wantReason = validityEnd, "validity period ended"
			}
			if res.Status != workflows.StatusCompleted || !res.EndedAt.Equal(wantEnd) || res.Reason != wantReason {
				t.Errorf("ended %s at %s (%q), want completed at %s (%q)", res.Status, res.EndedAt, res.Reason, wantEnd, wantReason)
			}
			wantValidity := validityEnd
			if h.in.Plan.Validity.Duration == (calendar.Spec{}) {
				wantValidity = time.Time{} // no term (seeds 002 and 003)
			}
			if !s.Validity.End.At.Equal(wantValidity) {
				t.Errorf("validity ends %s, want %s", s.Validity.End.At, wantValidity)
			}
			for _, ph := range s.Phases {
				if ph.Status != workflows.PhaseCompleted {
					t.Errorf("phase %s is %s", ph.Key, ph.Status)
				}
			}
			for _, d := range s.Deliverables {
				if d.Required && d.Status != workflows.DeliverableAccepted {
					t.Errorf("deliverable %s is %s", d.Key, d.Status)
				}
			}
			for _, c := range s.Clocks {
				if c.MetBy != "" && c.Status != workflows.ClockMet {
					t.Errorf("clock %s is %s, want met by %s", c.Key, c.Status, c.MetBy)
				}
			}
			if h.in.Plan.FinalAcceptance != "" && s.FinalAcceptedBy == nil {
				t.Error("final acceptance not recorded")
			}
			decisions := 0
			for _, st := range steps {
				if st.name == workflows.UpdateDecideDeliverable {
					decisions++
				}
			}
			if got := len(h.rec.ofType(workflows.EventDeliverableAccepted)); got != decisions || got == 0 {
				t.Errorf("%d acceptances recorded, want %d", got, decisions)
			}
			h.checkRecords(s)
			evs := h.rec.events()
			if evs[0].Type != workflows.EventProjectStarted || evs[0].Actor != manager || evs[0].RequestID != "start-1" {
				t.Errorf("first event = %+v", evs[0])
			}
			if evs[len(evs)-1].Type != workflows.EventProjectCompleted {
				t.Errorf("last event = %+v", evs[len(evs)-1])
			}
		})
	}
}
