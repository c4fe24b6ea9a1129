package workflows

// changeIDs lists the change IDs of every workflow.GetVersion call in this
// package. Version 1.0.0 is the baseline: nothing ran in production before
// it, so it has no version branches and the list is empty.
//
// The rule: from the baseline on, every change to workflow logic that could
// alter the commands a running history replays (a new or removed activity,
// timer, child, signal sent, search attribute upsert, or a change in their
// order or inputs) goes behind a new change ID,
//
//	if workflow.GetVersion(ctx, "short-change-name", workflow.DefaultVersion, 1) >= 1 {
//		// new behaviour
//	} else {
//		// old behaviour, kept while a history may need it
//	}
//
// listed here, with golden histories recorded on both sides of it (before:
// recorded by the code before the change; after: by the code with it) under
// testdata/ and named in the replay test's table. TestVersionGate fails when
// a listed change has no golden history on either side, and when a golden
// file is missing or no replay test names it.
//
// The retirement rule: a change ID (its GetVersion call, its old branch and
// its "before" goldens) is removed only when no history that needs it can
// still exist: no open run of the workflow started before the change was
// deployed (a run continued as new counts from its own start), and the
// namespace's retention period has passed since the last such run closed,
// so that no stored history a replay or an audit export may read still
// holds the old commands.
var changeIDs = []string{}

// ChangeIDs returns the change IDs of the workflow.GetVersion calls in force,
// in the order they were introduced.
func ChangeIDs() []string { return append([]string(nil), changeIDs...) }
