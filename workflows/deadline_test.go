package workflows

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/sowflow/sowflow/calendar"
)

// deadlineTestWorkflow is the smallest caller of the helper. A zero from
// starts the clock at the workflow's current time.
func deadlineTestWorkflow(ctx workflow.Context, from time.Time, spec calendar.Spec) (calendar.Result, error) {
	if from.IsZero() {
		from = workflow.Now(ctx)
	}
	return ComputeDeadline(ctx, from, spec)
}

// stubDeadlines stands in for activities.Deadlines (workflows must not import
// activities): it computes on the embedded calendar, records how it was run,
// and can fail the first attempts to exercise the retry policy.
type stubDeadlines struct {
	failures int // attempts that fail with a retryable error

	mu    sync.Mutex
	calls []activity.Info
}

func (s *stubDeadlines) compute(ctx context.Context, in calendar.DeadlineRequest) (calendar.Result, error) {
	s.mu.Lock()
	s.calls = append(s.calls, activity.GetInfo(ctx))
	n := len(s.calls)
	s.mu.Unlock()
	if n <= s.failures {
		return calendar.Result{}, errors.New("worker hiccup")
	}
	res, err := calendar.China().Deadline(in.From, in.Spec)
	if err != nil {
		return calendar.Result{}, temporal.NewNonRetryableApplicationError(err.Error(), calendar.InvalidSpecErrorType, nil)
	}
	return res, nil
}

func TestComputeDeadline(t *testing.T) {
	hours := calendar.Hours{Open: 9 * time.Hour, Close: 17 * time.Hour}
	tests := []struct {
		name        string
		start       string // workflow start time; "" keeps the test clock
		from        string // "" uses workflow.Now
		spec        calendar.Spec
		failures    int
		want        string
		provisional bool
		wantErr     bool
		wantCalls   int
	}{
		{name: "working days from workflow.Now", start: "2026-09-29T10:00:00+08:00", spec: calendar.Spec{Kind: calendar.WorkingDays, N: 5},
			want: "2026-10-13T00:00:00+08:00", wantCalls: 1},
		{name: "start in UTC, late at night", start: "2026-09-29T17:30:00Z", spec: calendar.Spec{Kind: calendar.WorkingDays, N: 5},
			want: "2026-10-14T00:00:00+08:00", wantCalls: 1},
		{name: "business minutes", start: "2026-09-30T16:00:00+08:00", spec: calendar.Spec{Kind: calendar.BusinessMinutes, N: 120, Hours: hours},
			want: "2026-10-08T10:00:00+08:00", wantCalls: 1},
		{name: "provisional", start: "2026-12-28T10:00:00+08:00", spec: calendar.Spec{Kind: calendar.WorkingDays, N: 5},
			want: "2027-01-06T00:00:00+08:00", provisional: true, wantCalls: 1},
		// The test environment checks local activity retry deadlines against
		// the wall clock, so this case keeps the test clock at the real time
		// and passes the start instant explicitly.
		{name: "retried after transient failures", from: "2026-09-29T10:00:00+08:00", spec: calendar.Spec{Kind: calendar.Months, N: 1},
			failures: 2, want: "2026-10-30T00:00:00+08:00", wantCalls: 3},
		{name: "invalid spec is not retried", start: "2026-09-29T10:00:00+08:00", spec: calendar.Spec{Kind: calendar.WorkingDays, N: -1},
			wantErr: true, wantCalls: 1},
	}
	parse := func(s string) time.Time {
		t.Helper()
		if s == "" {
			return time.Time{}
		}
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var suite testsuite.WorkflowTestSuite
			env := suite.NewTestWorkflowEnvironment()
			stub := &stubDeadlines{failures: tc.failures}
			env.RegisterActivityWithOptions(stub.compute, activity.RegisterOptions{Name: calendar.ComputeDeadlineActivity})
			env.RegisterWorkflow(deadlineTestWorkflow)
			if tc.start != "" {
				env.SetStartTime(parse(tc.start))
			}

			env.ExecuteWorkflow(deadlineTestWorkflow, parse(tc.from), tc.spec)

			if !env.IsWorkflowCompleted() {
				t.Fatal("workflow did not complete")
			}
			if len(stub.calls) != tc.wantCalls {
				t.Errorf("activity ran %d times, want %d", len(stub.calls), tc.wantCalls)
			}
			for _, info := range stub.calls {
				if !info.IsLocalActivity || info.ActivityType.Name != calendar.ComputeDeadlineActivity {
					t.Errorf("ran as %q, local %v; want local activity %q", info.ActivityType.Name, info.IsLocalActivity, calendar.ComputeDeadlineActivity)
				}
			}
			if tc.wantErr {
				if err := env.GetWorkflowError(); !hasApplicationErrorType(err, calendar.InvalidSpecErrorType) {
					t.Fatalf("workflow error = %v, want one of type %s", err, calendar.InvalidSpecErrorType)
				}
				return
			}
			if err := env.GetWorkflowError(); err != nil {
				t.Fatalf("workflow error: %v", err)
			}
			var res calendar.Result
			if err := env.GetWorkflowResult(&res); err != nil {
				t.Fatal(err)
			}
			if got := res.Deadline.Format(time.RFC3339); got != tc.want || res.Provisional != tc.provisional || res.CalendarVersion != calendar.China().Version() {
				t.Errorf("result %s %v %q, want %s %v %q", got, res.Provisional, res.CalendarVersion, tc.want, tc.provisional, calendar.China().Version())
			}
		})
	}
}

// hasApplicationErrorType reports whether err's chain holds an application
// error of the given type (the workflow boundary wraps the helper's error in
// one of its own, so errors.As alone finds the outer one).
func hasApplicationErrorType(err error, typ string) bool {
	for err != nil {
		var appErr *temporal.ApplicationError
		if !errors.As(err, &appErr) {
			return false
		}
		if appErr.Type() == typ {
			return true
		}
		err = appErr.Unwrap()
	}
	return false
}
