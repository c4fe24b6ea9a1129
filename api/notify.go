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
// calendar-updated signal to every active project with provisional pending
// deadlines (the read model's query), so that each recomputes them with the
// new data. Projects that ended meanwhile are skipped.
func ProjectCalendarNotifier(tc client.Client, st *store.Store) CalendarNotifier {
	return func(ctx context.Context, calendarVersion string) (int, error) {
		ids, err := st.ProjectsWithProvisionalDeadlines(ctx)
		if err != nil {
			return 0, err
		}
		signal := workflows.CalendarUpdated{
			ActionMeta:      workflows.ActionMeta{Actor: workflows.SystemActor, RequestID: "calendar:" + calendarVersion},
			CalendarVersion: calendarVersion,
		}
		var errs []error
		told := 0
		for _, id := range ids {
			err := tc.SignalWorkflow(ctx, workflows.ProjectWorkflowID(id), "", workflows.SignalCalendarUpdated, signal)
			var notFound *serviceerror.NotFound
			switch {
			case err == nil:
				told++
			case errors.As(err, &notFound):
			default:
				errs = append(errs, fmt.Errorf("signal project %s: %w", id, err))
			}
		}
		return told, errors.Join(errs...)
	}
}
