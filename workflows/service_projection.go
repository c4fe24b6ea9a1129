package workflows

import (
	"time"

	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/workflow"
)

// RecordServiceActivity is the name of the service projection activity: a
// regular activity (not local) that writes a ServiceRecord to the read
// model, with the contract of RecordProjectActivity (idempotent by sequence
// number; attention events go to the outbox once). Its result is a
// RecordResult.
const RecordServiceActivity = "RecordService"

// RecordTicketActivity is the name of the ticket projection activity, the
// ticket's RecordServiceActivity: it writes a TicketRecord.
const RecordTicketActivity = "RecordTicket"

// ServiceRecord is the input of RecordServiceActivity: the state after the
// events, and the events recorded since the previous record, in order. The
// state's RecentEvents is left empty: the read model keeps every event, and
// a record carrying the last hundred each time would bloat the history.
type ServiceRecord struct {
	State  ServiceState `json:"state"`
	Events []Event      `json:"events"`
}

// TicketRecord is the input of RecordTicketActivity: the ticket's state
// after the events (its Events left empty, as ServiceRecord's RecentEvents
// is) and the events recorded since the previous record, in order. It
// carries the ticket alone, never its service: a year has thousands.
type TicketRecord struct {
	State  TicketState `json:"state"`
	Events []Event     `json:"events"`
}

// projector writes a workflow's state and new events to the read model
// through its projection activity. A nil projector (a run replaying a
// history from before its workflow projected) does nothing.
type projector struct {
	activity string
	// input builds the activity's input: the state now, with the events.
	input func(events []Event) any
	// cost, when set, counts history events (see the service's cost model).
	cost   func(int)
	logger log.Logger
	// pending are the events not written yet; projected is the Seq of the
	// last one written.
	pending   []Event
	projected int64
}

// add queues an event for the next write.
func (p *projector) add(e Event) {
	if p != nil {
		p.pending = append(p.pending, e)
	}
}

// dirty reports whether events wait to be written.
func (p *projector) dirty() bool { return p != nil && len(p.pending) > 0 }

// flush writes the pending events, and those recorded while it writes,
// with the state. The activity retries without limit, so a failure is a
// non-retryable error or a cancellation: the events are kept and written
// again a minute later; flush gives up only when the workflow is canceled.
func (p *projector) flush(ctx workflow.Context) {
	if p == nil {
		return
	}
	actx := workflow.WithActivityOptions(ctx, recordActivityOptions)
	for len(p.pending) > 0 {
		events := p.pending
		if p.cost != nil {
			p.cost(costRecord)
		}
		var res RecordResult
		if err := workflow.ExecuteActivity(actx, p.activity, p.input(events)).Get(ctx, &res); err != nil {
			p.logger.Error("record projection", "Activity", p.activity, "Seq", events[len(events)-1].Seq, "Error", err)
			if p.cost != nil {
				p.cost(costTimerStart + costTimerFired)
			}
			if ctx.Err() != nil || workflow.Sleep(ctx, time.Minute) != nil {
				return
			}
			continue
		}
		p.projected = events[len(events)-1].Seq
		p.pending = p.pending[len(events):]
	}
}

// await blocks until every event recorded so far is written.
func (p *projector) await(ctx workflow.Context) error {
	if p == nil || len(p.pending) == 0 {
		return nil
	}
	seq := p.pending[len(p.pending)-1].Seq
	return workflow.Await(ctx, func() bool { return p.projected >= seq })
}
