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
// activity's completion are handled in one workflow task. Before the
// signals-pumped change, the signal was handed to the listener goroutine
// blocked in Receive (Len stays 0, inflight stays 0 until it runs), settle
// found the run quiet, and the run continued as new with the acceptance lost.
// Since the change the signal stays buffered until the main loop pumps it,
// so it is applied once, written, and carried into the next run.
func TestSignalAtContinueAsNewIsCarried(t *testing.T) {
	t.Run("pumped", func(t *testing.T) {
		next, rec := runSignalAtContinueAsNew(t, false)
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
			s := h2.query()
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

	// The same schedule on histories from before the change (GetVersion
	// answers DefaultVersion) still loses the signal: this is what shows the
	// test reproduces the race rather than passing by timing.
	t.Run("default version loses it", func(t *testing.T) {
		next, rec := runSignalAtContinueAsNew(t, true)
		if next.Resume == nil {
			t.Fatal("continue-as-new carries no state")
		}
		if d := deliverable(*next.Resume, raceDeliverable); d.Status != workflows.DeliverableSubmitted {
			t.Errorf("carried deliverable is %s: the old listeners no longer lose the signal, so this test no longer reproduces the race", d.Status)
		}
		if n := len(rec.ofType(workflows.EventDeliverableAccepted)); n != 0 {
			t.Errorf("%d acceptances recorded", n)
		}
	})
}

const raceDeliverable = "kickoff-meeting-report"

// runSignalAtContinueAsNew runs one project run that continues as new after
// the submission, with the customer's acceptance signalled while the
// continued-as-new event is being written. oldVersion makes the
// signals-pumped GetVersion answer DefaultVersion.
func runSignalAtContinueAsNew(t *testing.T, oldVersion bool) (workflows.ProjectInput, *recorder) {
	t.Helper()
	env, rec := runAtHandOver(t, func(h *harness) (string, any) {
		return workflows.SignalDecideDeliverable, h.accept(raceDeliverable)
	}, func(env *testsuite.TestWorkflowEnvironment) {
		if oldVersion {
			env.OnGetVersion("signals-pumped", workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
		}
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
// continued-as-new event is being written; setup adjusts the environment
// (GetVersion answers) before the run.
func runAtHandOver(t *testing.T, signal func(h *harness) (string, any), setup func(env *testsuite.TestWorkflowEnvironment)) (*testsuite.TestWorkflowEnvironment, *recorder) {
	t.Helper()
	in := projectInput(t, "managed-services", catalog.Options{}, t0)
	in.ContinueAsNewAfterEvents = 2 // started, submitted, then continue as new

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
	setup(env)

	h.at(time.Hour, func() { h.must(workflows.UpdateSubmitDeliverable, h.submission(raceDeliverable)) })
	h.run()
	h.checkUpdates()
	if !signalled.Load() {
		t.Fatal("the continued-as-new event was never written")
	}
	return env, rec
}

// TestTerminateAtContinueAsNewEndsTheRun signals a termination while the run
// hands over: since the end-at-hand-over change the run ends terminated
// instead of continuing as new into a run that ends at once; histories from
// before it (GetVersion answers DefaultVersion) still continue as new.
func TestTerminateAtContinueAsNewEndsTheRun(t *testing.T) {
	terminate := func(h *harness) (string, any) { return workflows.SignalTerminate, h.terminate() }
	for _, tc := range []struct {
		name    string
		version workflow.Version
		ends    bool
	}{
		{"ends the run", 1, true},
		{"default version continues as new", workflow.DefaultVersion, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env, rec := runAtHandOver(t, terminate, func(env *testsuite.TestWorkflowEnvironment) {
				env.OnGetVersion("end-at-hand-over", workflow.DefaultVersion, 1).Return(tc.version)
			})
			onlyEvent(t, rec, workflows.EventProjectTerminated)
			err := env.GetWorkflowError()
			var can *workflow.ContinueAsNewError
			if !tc.ends {
				if !errors.As(err, &can) {
					t.Fatalf("run ended with %v: %v", err, errNotCAN)
				}
				return
			}
			if err != nil {
				t.Fatalf("run ended with %v, want the terminated result", err)
			}
			var res workflows.ProjectResult
			if err := env.GetWorkflowResult(&res); err != nil {
				t.Fatal(err)
			}
			if res.Status != workflows.StatusTerminated || res.State.Run != 1 || rec.last().Seq != res.Seq {
				t.Errorf("result %s in run %d at seq %d, projection at %d", res.Status, res.State.Run, res.Seq, rec.last().Seq)
			}
		})
	}
}
