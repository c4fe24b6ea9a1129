package history

import (
	"errors"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"

	"github.com/sowflow/sowflow/calendar"
	"github.com/sowflow/sowflow/workflows"
)

// ErrNotStarted is returned by StateAt for an instant before the project's
// first recorded event.
var ErrNotStarted = errors.New("the project had not started at that instant")

// Snapshot is a project's state as of an instant.
type Snapshot struct {
	// State is the state the workflow recorded with its last event at or
	// before the instant.
	State workflows.ProjectState `json:"state"`
	// AsOf is the instant asked about; RecordedAt is when Temporal recorded
	// the projection that carried State (its ActivityTaskScheduled event).
	AsOf       time.Time `json:"as_of"`
	RecordedAt time.Time `json:"recorded_at"`
	// LastEventAt is the time of the last project event State includes.
	LastEventAt time.Time `json:"last_event_at"`
	// Run and EventID locate the projection in the history.
	Run     int   `json:"run"`
	EventID int64 `json:"event_id"`
}

// StateAt reconstructs the project's state as of at with the default data
// converter (see Decoder.StateAt).
func StateAt(runs []Run, at time.Time) (Snapshot, error) { return (&Decoder{}).StateAt(runs, at) }

// StateAt reconstructs the project's state as of at from its recorded
// events. After every change the workflow hands its whole state and the new
// events to the RecordProject activity, so each ActivityTaskScheduled event
// of it holds an exact state. StateAt returns the state of the longest run
// of those records, in history order, whose events all happened at or
// before at: the state after every event up to at, except that events a
// single record carries together (for example deadlines that fired while
// the worker was away) are taken together or not at all. Event times are
// the contract's instants (a window that closes at 24:00 deems acceptance at
// that instant), not when the workflow noticed. It returns ErrNotStarted when
// at is before the first recorded event.
func (d *Decoder) StateAt(runs []Run, at time.Time) (Snapshot, error) {
	type candidate struct {
		run   int
		event int64
		when  time.Time
		last  time.Time
	}
	var best *candidate
scan:
	for i, r := range runs {
		for _, e := range r.History.GetEvents() {
			if e.GetEventType() != enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED {
				continue
			}
			a := e.GetActivityTaskScheduledEventAttributes()
			if a.GetActivityType().GetName() != workflows.RecordProjectActivity {
				continue
			}
			var rec struct {
				Events []struct {
					At time.Time `json:"at"`
				} `json:"events"`
			}
			if err := d.decode(a.GetInput(), &rec); err != nil {
				return Snapshot{}, fmt.Errorf("run %d event %d: %w", i+1, e.GetEventId(), err)
			}
			var last time.Time
			for _, ev := range rec.Events {
				if ev.At.After(at) {
					break scan
				}
				if ev.At.After(last) {
					last = ev.At
				}
			}
			best = &candidate{run: i + 1, event: e.GetEventId(), when: e.GetEventTime().AsTime(), last: last}
		}
	}
	if best == nil {
		return Snapshot{}, ErrNotStarted
	}
	var rec workflows.ProjectRecord
	for _, e := range runs[best.run-1].History.GetEvents() {
		if e.GetEventId() == best.event {
			if err := d.decode(e.GetActivityTaskScheduledEventAttributes().GetInput(), &rec); err != nil {
				return Snapshot{}, fmt.Errorf("run %d event %d: %w", best.run, best.event, err)
			}
			break
		}
	}
	z := calendar.Zone()
	return Snapshot{
		State: rec.State, AsOf: at.In(z), RecordedAt: best.when.In(z), LastEventAt: best.last.In(z),
		Run: best.run, EventID: best.event,
	}, nil
}
