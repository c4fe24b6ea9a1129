package workflows

// Change IDs of workflow.GetVersion calls in the project workflow. Every
// change to the project workflow's logic that could alter the commands a
// running history replays goes behind a new change ID here:
//
//	if workflow.GetVersion(ctx, changeX, workflow.DefaultVersion, 1) >= 1 {
//		// new behaviour
//	} else {
//		// old behaviour, kept until no history needs it
//	}
//
// and a golden history recorded before the change is added under
// workflows/testdata/ so a replay test catches incompatible edits.
const (
	// changeCalendarRecompute guards the recomputation of provisional
	// deadlines on SignalCalendarUpdated.
	changeCalendarRecompute = "calendar-recompute"
	// changeSignalsPumped makes the main loop take action signals with
	// ReceiveAsync instead of goroutines blocked in Receive, so a signal that
	// arrives in the workflow task before continue-as-new is applied to the
	// state carried over instead of being lost.
	changeSignalsPumped = "signals-pumped"
	// changeEndAtHandOver ends the run, instead of continuing as new, when
	// an action settled during the hand-over ended the project (a
	// termination signalled as the run continues as new). Before it, the
	// next run started with the ended state and completed at once.
	changeEndAtHandOver = "end-at-hand-over"
)
