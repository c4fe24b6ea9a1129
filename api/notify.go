package api

import (
	"context"
	"errors"
	"fmt"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/sowflow/sowflow/store"
	"github.com/sowflow/sowflow/workflows"
)

// ProjectCalendarNotifier returns the CalendarNotifier that sends the
// calendar-updated signal to every workflow whose contract clocks were
// computed past the calendar data, as the read model lists them: active
// projects with provisional pending deadlines, and SLA periods whose claim
// window is provisional and not closed. Each recomputes them with the new
// data. Workflows that ended meanwhile are skipped; the count is of
// projects and SLA periods told.
func ProjectCalendarNotifier(tc client.Client, st *store.Store) CalendarNotifier {
	return calendarNotifier(st, func(ctx context.Context, workflowID string, signal workflows.CalendarUpdated) error {
		return tc.SignalWorkflow(ctx, workflowID, "", workflows.SignalCalendarUpdated, signal)
	})
}

// signalFunc sends the calendar-updated signal to one workflow.
type signalFunc func(ctx context.Context, workflowID string, signal workflows.CalendarUpdated) error

// calendarNotifier lists the projects and SLA periods to tell and tells
// each through send; a workflow not found is skipped, other errors are
// joined.
func calendarNotifier(st *store.Store, send signalFunc) CalendarNotifier {
	return func(ctx context.Context, calendarVersion string) (int, error) {
		ids, err := st.ProjectsWithProvisionalDeadlines(ctx)
		if err != nil {
			return 0, err
		}
		periods, err := st.SLAPeriodsWithProvisionalWindow(ctx)
		if err != nil {
			return 0, err
		}
		type target struct{ what, workflowID string }
		targets := make([]target, 0, len(ids)+len(periods))
		for _, id := range ids {
			targets = append(targets, target{"project " + id, workflows.ProjectWorkflowID(id)})
		}
		for _, p := range periods {
			targets = append(targets, target{"sla period " + p.Account + "/" + p.Period, workflows.SLAPeriodWorkflowID(p.Account, p.Period)})
		}
		signal := workflows.CalendarUpdated{
			ActionMeta:      workflows.ActionMeta{Actor: workflows.SystemActor, RequestID: "calendar:" + calendarVersion},
			CalendarVersion: calendarVersion,
		}
		var errs []error
		told := 0
		for _, t := range targets {
			err := send(ctx, t.workflowID, signal)
			var notFound *serviceerror.NotFound
			switch {
			case err == nil:
				told++
			case errors.As(err, &notFound):
			default:
				errs = append(errs, fmt.Errorf("signal %s: %w", t.what, err))
			}
		}
		return told, errors.Join(errs...)
	}
}
