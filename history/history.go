// Package history reads a project's Temporal event history for auditors:
// it fetches every run of a project's workflow across continue-as-new,
// exports the runs in Temporal's JSON history format, decodes them into a
// readable timeline, reconstructs the project's state as of an instant from
// the recorded projection inputs, and replays histories against the current
// workflow code to prove that they still replay.
//
// Formats. A single history is Temporal's JSON history (the protojson of
// history.v1.History, as `temporal workflow show --output json` writes it
// and client.HistoryFromJSON reads it): {"events": [...]}. An export of a
// whole project is
//
//	{"workflow_id": "project/<id>", "runs": [{"run_id": "...", "history": {"events": [...]}}, ...]}
//
// with the runs oldest first. Read accepts either, optionally gzip'd.
package history

import (
	"context"
	"errors"
	"fmt"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
)

// MaxRuns bounds the continue-as-new chain Fetch follows, so a corrupt chain
// cannot loop forever.
const MaxRuns = 10000

// Run is one run of a workflow: its run ID and its whole event history.
type Run struct {
	RunID   string
	History *historypb.History
}

// HistoryGetter is the part of client.Client that Fetch uses.
type HistoryGetter interface {
	GetWorkflowHistory(ctx context.Context, workflowID string, runID string, isLongPoll bool, filterType enumspb.HistoryEventFilterType) client.HistoryEventIterator
}

// ErrEmptyHistory is returned for a run whose history holds no events.
var ErrEmptyHistory = errors.New("empty history")

// Fetch returns every run of the workflow, oldest first: it finds the first
// run of the continue-as-new chain from the current run's start event, then
// follows each run's WorkflowExecutionContinuedAsNew event to the next run
// until a run that did not continue as new (the current one). A missing
// workflow is reported with the client's error (a *serviceerror.NotFound).
func Fetch(ctx context.Context, c HistoryGetter, workflowID string) ([]Run, error) {
	first, err := firstRunID(ctx, c, workflowID)
	if err != nil {
		return nil, err
	}
	var runs []Run
	runID := first
	for {
		if len(runs) >= MaxRuns {
			return nil, fmt.Errorf("workflow %s: more than %d runs", workflowID, MaxRuns)
		}
		h, err := fetchRun(ctx, c, workflowID, runID)
		if err != nil {
			return nil, err
		}
		runs = append(runs, Run{RunID: runID, History: h})
		next := h.Events[len(h.Events)-1].GetWorkflowExecutionContinuedAsNewEventAttributes().GetNewExecutionRunId()
		if next == "" {
			return runs, nil
		}
		runID = next
	}
}

// firstRunID reads the first run ID of the chain from the current run's
// start event; when the server does not record it, it walks the chain back.
func firstRunID(ctx context.Context, c HistoryGetter, workflowID string) (string, error) {
	runID := ""
	for range MaxRuns {
		start, err := startEvent(ctx, c, workflowID, runID)
		if err != nil {
			return "", err
		}
		attrs := start.GetWorkflowExecutionStartedEventAttributes()
		if id := attrs.GetFirstExecutionRunId(); id != "" {
			return id, nil
		}
		prev := attrs.GetContinuedExecutionRunId()
		if prev == "" {
			if runID == "" {
				runID = attrs.GetOriginalExecutionRunId()
			}
			if runID == "" {
				return "", fmt.Errorf("workflow %s: the start event names no run ID", workflowID)
			}
			return runID, nil
		}
		runID = prev
	}
	return "", fmt.Errorf("workflow %s: more than %d runs", workflowID, MaxRuns)
}

func startEvent(ctx context.Context, c HistoryGetter, workflowID, runID string) (*historypb.HistoryEvent, error) {
	it := c.GetWorkflowHistory(ctx, workflowID, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	if !it.HasNext() {
		return nil, fmt.Errorf("workflow %s run %q: %w", workflowID, runID, ErrEmptyHistory)
	}
	e, err := it.Next()
	if err != nil {
		return nil, fmt.Errorf("workflow %s run %q: get history: %w", workflowID, runID, err)
	}
	if e.GetEventType() != enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED {
		return nil, fmt.Errorf("workflow %s run %q: first event is %s, not WorkflowExecutionStarted", workflowID, runID, e.GetEventType())
	}
	return e, nil
}

func fetchRun(ctx context.Context, c HistoryGetter, workflowID, runID string) (*historypb.History, error) {
	it := c.GetWorkflowHistory(ctx, workflowID, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	h := &historypb.History{}
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			return nil, fmt.Errorf("workflow %s run %s: get history: %w", workflowID, runID, err)
		}
		h.Events = append(h.Events, e)
	}
	if len(h.Events) == 0 {
		return nil, fmt.Errorf("workflow %s run %s: %w", workflowID, runID, ErrEmptyHistory)
	}
	return h, nil
}

// RunIDOf returns the run ID a history's start event records (the run's own
// ID unless the workflow was reset), or "".
func RunIDOf(h *historypb.History) string {
	if len(h.GetEvents()) == 0 {
		return ""
	}
	return h.Events[0].GetWorkflowExecutionStartedEventAttributes().GetOriginalExecutionRunId()
}
