package history

import (
	"fmt"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/converter"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"

	"github.com/sowflow/sowflow/workflows"
)

// Replayer replays histories against workflow code with the SDK's
// WorkflowReplayer. The zero value replays against the current workflows
// (every sowflow workflow, each history by its workflow type) with the
// default data converter.
type Replayer struct {
	// Register registers the workflow code to replay against; nil registers
	// every sowflow workflow (workflows.RegisterWorkflows). Tests
	// register modified code under the same name to show that a change is
	// incompatible.
	Register func(r worker.WorkflowRegistry)
	// DataConverter decodes payloads; nil means the default one. It must be
	// the converter (and codec) the workers use.
	DataConverter converter.DataConverter
	// Logger receives the SDK's logs; nil discards them.
	Logger sdklog.Logger
	// NoLocate skips locating the diverging event (Result.EventID), which
	// takes a few more replays of prefixes of a failing history.
	NoLocate bool
}

// Result is how one run replayed.
type Result struct {
	// Name is what the run was read from: a file name, with the run's
	// position for a file of several runs.
	Name string `json:"name,omitempty"`
	// Run is the run's position among the runs replayed together, from 1.
	Run   int    `json:"run,omitempty"`
	RunID string `json:"run_id,omitempty"`
	// Events is the number of events replayed.
	Events int `json:"events"`
	// OK is set when the run replays cleanly against the current code.
	OK bool `json:"ok"`
	// EventID is the event at which the replay diverges: the one the SDK's
	// error names by ID, else the one found by replaying prefixes of the
	// history (see Replayer.Replay). Zero when OK.
	EventID int64 `json:"event_id,omitempty"`
	// EventType is that event's type.
	EventType string `json:"event_type,omitempty"`
	// Error is the replay error (the SDK's non-determinism message).
	Error string `json:"error,omitempty"`
	// Duration is how long the replay took (without locating the event).
	Duration time.Duration `json:"-"`
}

func (r *Replayer) newReplayer() (worker.WorkflowReplayer, error) {
	wr, err := worker.NewWorkflowReplayerWithOptions(worker.WorkflowReplayerOptions{DataConverter: r.DataConverter})
	if err != nil {
		return nil, fmt.Errorf("new replayer: %w", err)
	}
	if r.Register != nil {
		r.Register(wr)
	} else {
		workflows.RegisterWorkflows(wr)
	}
	return wr, nil
}

func (r *Replayer) logger() sdklog.Logger {
	if r.Logger != nil {
		return r.Logger
	}
	return sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler))
}

// replay replays h once.
func (r *Replayer) replay(h *historypb.History) (err error) {
	wr, err := r.newReplayer()
	if err != nil {
		return err
	}
	defer func() {
		// The replayer turns workflow panics into errors; this guards
		// against a panic of the SDK itself on a malformed history.
		if p := recover(); p != nil {
			err = fmt.Errorf("replay panicked: %v", p)
		}
	}()
	return wr.ReplayWorkflowHistory(r.logger(), h)
}

// Replay replays one run and reports whether it replays cleanly. When it does
// not, it locates the diverging event (unless NoLocate): the event the SDK's
// error names by ID (an activity's or timer's ID is the ID of the event that
// scheduled it), else, by a binary search over prefixes of the history, the
// first workflow task whose replay fails and, among the events recorded
// since the task before it, the one whose type the error names or the first
// command the task recorded.
func (r *Replayer) Replay(run Run) Result {
	h := run.History
	res := Result{RunID: run.RunID, Events: len(h.GetEvents())}
	start := time.Now()
	err := r.replay(h)
	res.Duration = time.Since(start)
	if err == nil {
		res.OK = true
		return res
	}
	res.Error = strings.TrimSpace(err.Error())
	if !r.NoLocate {
		if e := r.locate(h, err); e != nil {
			res.EventID, res.EventType = e.GetEventId(), e.GetEventType().String()
		}
	}
	return res
}

// ReplayAll replays every run, in order, numbering them from 1.
func (r *Replayer) ReplayAll(runs []Run) []Result {
	out := make([]Result, 0, len(runs))
	for i, run := range runs {
		res := r.Replay(run)
		res.Run = i + 1
		out = append(out, res)
	}
	return out
}

// eventIDPattern finds event IDs in the SDK's non-determinism messages.
var eventIDPattern = regexp.MustCompile(`(?:[Ss]cheduled?EventI[Dd]|EventId|ActivityId|TimerId|event position)[:=]?\s*(\d+)\b`)

// locate returns the event at which h diverges with failure (see Replay);
// nil for an empty history. A prefix of a history replays only when it ends
// at a WorkflowTaskStarted event (the replayer then runs that task's code
// with no recorded commands to compare), so the search is over those cut
// points.
func (r *Replayer) locate(h *historypb.History, failure error) *historypb.HistoryEvent {
	events := h.GetEvents()
	if len(events) == 0 {
		return nil
	}
	msg := failure.Error()
	for _, m := range eventIDPattern.FindAllStringSubmatch(msg, -1) {
		id, err := strconv.ParseInt(m[1], 10, 64)
		if err != nil {
			continue
		}
		for _, e := range events {
			if e.GetEventId() == id {
				return e
			}
		}
	}
	var cuts []int // prefix lengths that may replay
	for i, e := range events {
		if e.GetEventType() == enumspb.EVENT_TYPE_WORKFLOW_TASK_STARTED {
			cuts = append(cuts, i+1)
		}
	}
	if len(cuts) == 0 || cuts[len(cuts)-1] != len(events) {
		cuts = append(cuts, len(events)) // known to fail
	}
	fails := func(j int) bool {
		if j == len(cuts)-1 {
			return true
		}
		return r.replay(&historypb.History{Events: events[:cuts[j]]}) != nil
	}
	// The first failing cut: fails(hi) holds, and every cut before lo passes.
	lo, hi := 0, len(cuts)-1
	for lo < hi {
		mid := lo + (hi-lo)/2
		if fails(mid) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	from := 0
	if hi > 0 {
		from = cuts[hi-1]
	}
	group := events[from:cuts[hi]]
	for _, e := range group {
		if strings.Contains(msg, " "+e.GetEventType().String()+": ") {
			return e
		}
	}
	for i, e := range group {
		if e.GetEventType() == enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED && i+1 < len(group) {
			return group[i+1]
		}
	}
	return group[len(group)-1]
}
