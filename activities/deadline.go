package activities

import (
	"context"
	"errors"
	"fmt"

	"go.temporal.io/sdk/temporal"

	"github.com/sowflow/sowflow/calendar"
)

// Deadlines computes contract deadlines (DESIGN.md rule 7). Register its
// ComputeDeadline method under the name calendar.ComputeDeadlineActivity;
// workflows run it as a local activity by that name, so the computed instant,
// provisional flag and calendar version are recorded in history and a replay
// never recomputes them from the data compiled into the binary.
type Deadlines struct {
	// Calendar returns the calendar in force. It is called once per
	// computation, so a calendar reloaded at run time (an admin upload of a
	// newer year) is used from the next computation on. Nil, or a nil result,
	// means calendar.China().
	Calendar func() *calendar.Calendar
}

// ComputeDeadline runs the clock in.Spec from in.From on the current
// calendar. An invalid request fails with a non-retryable application error
// of type calendar.InvalidSpecErrorType whose detail is the invalid field's
// name (kind, n, hours or from).
func (d *Deadlines) ComputeDeadline(_ context.Context, in calendar.DeadlineRequest) (calendar.Result, error) {
	cal := d.current()
	res, err := cal.Deadline(in.From, in.Spec)
	if err != nil {
		var fe *calendar.FieldError
		if errors.As(err, &fe) {
			return calendar.Result{}, temporal.NewNonRetryableApplicationError(
				"compute deadline: "+fe.Error(), calendar.InvalidSpecErrorType, nil, fe.Field)
		}
		return calendar.Result{}, fmt.Errorf("compute deadline: %w", err)
	}
	return res, nil
}

func (d *Deadlines) current() *calendar.Calendar {
	if d.Calendar != nil {
		if c := d.Calendar(); c != nil {
			return c
		}
	}
	return calendar.China()
}
