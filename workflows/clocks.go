package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/sowflow/sowflow/calendar"
)

// deadlineActivityOptions are the local activity options for deadline
// computations: pure arithmetic that finishes in microseconds, so short
// timeouts, a few quick retries for worker hiccups and none for a request the
// calendar refuses.
var deadlineActivityOptions = workflow.LocalActivityOptions{
	ScheduleToCloseTimeout: 10 * time.Second,
	StartToCloseTimeout:    2 * time.Second,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval:        100 * time.Millisecond,
		BackoffCoefficient:     2,
		MaximumInterval:        2 * time.Second,
		MaximumAttempts:        5,
		NonRetryableErrorTypes: []string{calendar.InvalidSpecErrorType},
	},
}

// ComputeDeadline runs the clock spec from the instant from and returns the
// deadline, computed by the calendar.ComputeDeadlineActivity local activity
// (executed by name; the worker registers activities.Deadlines under it). The
// result — instant, provisional flag and calendar version — is recorded in
// history as the local activity's marker, so replays read it back instead of
// recomputing it (DESIGN.md rule 7). Callers pass from explicitly, typically
// workflow.Now(ctx) or the instant of the triggering event.
func ComputeDeadline(ctx workflow.Context, from time.Time, spec calendar.Spec) (calendar.Result, error) {
	ctx = workflow.WithLocalActivityOptions(ctx, deadlineActivityOptions)
	req := calendar.DeadlineRequest{From: from, Spec: spec}
	var res calendar.Result
	if err := workflow.ExecuteLocalActivity(ctx, calendar.ComputeDeadlineActivity, req).Get(ctx, &res); err != nil {
		return calendar.Result{}, fmt.Errorf("compute deadline (%s %d): %w", spec.Kind, spec.N, err)
	}
	res.Deadline = res.Deadline.In(calendar.Zone())
	return res, nil
}

// now is the workflow's clock in China Standard Time.
func now(ctx workflow.Context) time.Time { return workflow.Now(ctx).In(calendar.Zone()) }

// DeadlineState is a computed deadline as history recorded it: the calendar's
// result for Spec counted from From, plus any extension by customer delays.
type DeadlineState struct {
	// At is the effective deadline: Computed + ExtensionSeconds.
	At              time.Time     `json:"at"`
	Provisional     bool          `json:"provisional"`
	CalendarVersion string        `json:"calendar_version"`
	From            time.Time     `json:"from"`
	Spec            calendar.Spec `json:"spec"`
	// Computed is the calendar's deadline, before extensions.
	Computed time.Time `json:"computed"`
	// ExtensionSeconds is the total length of the customer delays that
	// extended this deadline.
	ExtensionSeconds int64 `json:"extension_seconds,omitempty"`
}

// IsZero reports whether the deadline has not been computed.
func (d DeadlineState) IsZero() bool { return d.At.IsZero() }

func newDeadline(from time.Time, spec calendar.Spec, res calendar.Result) DeadlineState {
	return DeadlineState{
		At:              res.Deadline,
		Provisional:     res.Provisional,
		CalendarVersion: res.CalendarVersion,
		From:            from,
		Spec:            spec,
		Computed:        res.Deadline,
	}
}

// extend moves the deadline later by d.
func (d *DeadlineState) extend(by time.Duration) {
	d.ExtensionSeconds += int64(by / time.Second)
	d.At = d.Computed.Add(time.Duration(d.ExtensionSeconds) * time.Second)
}

// recomputed replaces the calendar's result, keeping the extension.
func (d *DeadlineState) recomputed(res calendar.Result) {
	d.Computed = res.Deadline
	d.Provisional = res.Provisional
	d.CalendarVersion = res.CalendarVersion
	d.At = d.Computed.Add(time.Duration(d.ExtensionSeconds) * time.Second)
}
