package workflows_test

import (
	"context"
	"errors"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/sowflow/sowflow/activities"
	"github.com/sowflow/sowflow/calendar"
	"github.com/sowflow/sowflow/catalog"
	"github.com/sowflow/sowflow/workflows"
)

// TestSignalAtContinueAsNewIsCarried reproduces a signal arriving in the last
// workflow task of a run: the customer's acceptance is signalled while the
// projection writes the continued-as-new event, so the signal and that
// activity's completion are handled in one workflow task. A signal handed
// to a goroutine blocked in Receive would be invisible (Len stays 0) until
// that goroutine runs, so settle could find the run quiet and continue as
// new with the acceptance lost; the signal stays buffered until the main
// loop pumps it, so it is applied once, written, and carried into the next
// run.
func TestSignalAtContinueAsNewIsCarried(t *testing.T) {
	t.Run("pumped", func(t *testing.T) {
		next, rec := runSignalAtContinueAsNew(t)
		if next.Resume == nil {
			t.Fatal("continue-as-new carries no state")
		}
		if d := deliverable(*next.Resume, raceDeliverable); d.Status != workflows.DeliverableAccepted {
			t.Fatalf("carried deliverable is %s, want %s: the signal at the hand-over was lost", d.Status, workflows.DeliverableAccepted)
		}
		accepted := onlyEvent(t, rec, workflows.EventDeliverableAccepted)
		if ign := rec.ofType(workflows.EventSignalIgnored); len(ign) != 0 {
			t.Errorf("signals ignored: %v", ign)
		}
		if last := rec.last(); last.Seq != next.Resume.Seq || accepted.Seq > last.Seq {
			t.Errorf("projection ends at seq %d, carried state at %d, acceptance at %d", last.Seq, next.Resume.Seq, accepted.Seq)
		}

		// The next run starts from the carried state, accepted once.
		next.ContinueAsNewAfterEvents = 0
		h2 := newHarnessInput(t, next, t0.Add(2*time.Hour))
		h2.at(time.Minute, func() {
			s := h2.state()
			if d := deliverable(s, raceDeliverable); d.Status != workflows.DeliverableAccepted || s.Run != 2 {
				t.Errorf("run %d: deliverable %s", s.Run, d.Status)
			}
			h2.must(workflows.UpdateTerminate, h2.terminate())
		})
		h2.run()
		h2.checkUpdates()
		if n := len(h2.rec.ofType(workflows.EventDeliverableAccepted)); n != 0 {
			t.Errorf("run 2 records %d more acceptances", n)
		}
		if res := h2.result(); res.State.Run != 2 || deliverable(res.State, raceDeliverable).Status != workflows.DeliverableAccepted {
			t.Errorf("run 2 ended in run %d with %s", res.State.Run, deliverable(res.State, raceDeliverable).Status)
		}
	})

}

const raceDeliverable = "kickoff-meeting-report"

// runSignalAtContinueAsNew runs one project run that continues as new after
// the submission, with the customer's acceptance signalled while the
// continued-as-new event is being written.
func runSignalAtContinueAsNew(t *testing.T) (workflows.ProjectInput, *recorder) {
	t.Helper()
	env, rec := runAtHandOver(t, func(h *harness) (string, any) {
		return workflows.SignalDecideDeliverable, h.accept(raceDeliverable)
	})
	var can *workflow.ContinueAsNewError
	if err := env.GetWorkflowError(); !errors.As(err, &can) {
		t.Fatalf("run 1 ended with %v: %v", err, errNotCAN)
	}
	var next workflows.ProjectInput
	if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &next); err != nil {
		t.Fatal(err)
	}
	return next, rec
}

// runAtHandOver runs one project run that continues as new after the
// submission, with the signal that signal names sent while the
// continued-as-new event is being written.
func runAtHandOver(t *testing.T, signal func(h *harness) (string, any)) (*testsuite.TestWorkflowEnvironment, *recorder) {
	t.Helper()
	in := projectInput(t, "managed-services", catalog.Options{}, t0)
	in.ContinueAsNewAfterEvents = 20 // started (12 history events), submitted (14 more), then continue as new

	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	rec := &recorder{}
	h := &harness{t: t, env: env, rec: rec, in: in}
	deadlines := &activities.Deadlines{Calendar: calendar.China}
	env.RegisterActivityWithOptions(deadlines.ComputeDeadline, activity.RegisterOptions{Name: calendar.ComputeDeadlineActivity})

	var signalled atomic.Bool
	name, arg := signal(h)
	record := func(ctx context.Context, r workflows.ProjectRecord) (workflows.RecordResult, error) {
		if slices.ContainsFunc(r.Events, func(e workflows.Event) bool { return e.Type == workflows.EventContinuedAsNew }) &&
			signalled.CompareAndSwap(false, true) {
			// Queued before this activity's completion and without a
			// workflow task of its own: the workflow sees the signal in the
			// task that completes the hand-over's projection.
			env.SignalWorkflowSkippingWorkflowTask(name, arg)
		}
		return rec.record(ctx, r)
	}
	env.RegisterActivityWithOptions(record, activity.RegisterOptions{Name: workflows.RecordProjectActivity})
	env.RegisterWorkflowWithOptions(workflows.ProjectWorkflow, workflow.RegisterOptions{Name: workflows.ProjectWorkflowName})
	env.SetStartTime(t0)

	h.at(time.Hour, func() { h.must(workflows.UpdateSubmitDeliverable, h.submission(raceDeliverable)) })
	h.run()
	h.checkUpdates()
	if !signalled.Load() {
		t.Fatal("the continued-as-new event was never written")
	}
	return env, rec
}

// TestTerminateAtContinueAsNewEndsTheRun signals a termination while the run
// hands over: the run ends terminated instead of continuing as new into a
// run that ends at once.
func TestTerminateAtContinueAsNewEndsTheRun(t *testing.T) {
	env, rec := runAtHandOver(t, func(h *harness) (string, any) { return workflows.SignalTerminate, h.terminate() })
	onlyEvent(t, rec, workflows.EventProjectTerminated)
	if err := env.GetWorkflowError(); err != nil {
		t.Fatalf("run ended with %v, want the terminated result", err)
	}
	var res workflows.ProjectResult
	if err := env.GetWorkflowResult(&res); err != nil {
		t.Fatal(err)
	}
	if res.Status != workflows.StatusTerminated || res.State.Run != 1 || rec.last().Seq != res.Seq {
		t.Errorf("result %s in run %d at seq %d, projection at %d", res.Status, res.State.Run, res.Seq, rec.last().Seq)
	}
}
