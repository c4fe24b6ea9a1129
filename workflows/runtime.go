package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/sowflow/sowflow/calendar"
)

// The runtime every workflow of this package runs on: actions taken as
// updates and as signals (addAction, addSignal), events recorded in order
// (record, ignore) and written to the read model (projector), the one wake
// timer a run keeps armed for its next instant (sleep), the search
// attributes kept up to date, a run's history budget (overBudget), and the
// settling of handlers before a run ends or continues as new (settle).
//
// Every action has a check and an apply. The check is the update's
// validator and the signal's gate: it reads the state and never changes
// it. The apply waits until the run is ready (admit), does any blocking
// preparation (deadline computations), checks again (other handlers may
// have run meanwhile), changes the state and records events synchronously;
// an update then answers once the projection holds its events.

// ContinueAsNewHistoryLength is the default history budget of a run: a run
// continues as new once its history reaches this many events (by the real
// history length or by the run's own count, see overBudget), or when
// Temporal suggests it.
const ContinueAsNewHistoryLength = 2000

// continueAsNewHistorySize is the history size in bytes past which a run
// continues as new: projection records carry the whole state, so a large
// project's history grows by size before it does by length.
const continueAsNewHistorySize = 8 << 20

// History cost model. The test environment reports no history length, and a
// real server reports it only per workflow task, so each run also counts the
// events its own messages, timers, activities and local activities cause, as
// if each arrived in a workflow task of its own (an upper bound: a real
// server batches).
const (
	costWorkflowTask = 3                        // scheduled, started, completed
	costRunStart     = 1 + costWorkflowTask + 1 // started, first task, search attributes
	costUpdate       = costWorkflowTask + 2     // accepted, completed
	// A child (ticket, SLA period): initiated, started, the task that
	// wakes; and, should the child close while this run lasts, its
	// completion and its task (an abandoned child still reports to the run
	// that started it).
	costChildStart  = 2 + costWorkflowTask + 1 + costWorkflowTask
	costSignal      = 1 + costWorkflowTask
	costTimerStart  = 1
	costTimerFired  = 1 + costWorkflowTask
	costTimerCancel = 1
	costContinue    = 1
	// A local activity: its marker.
	costLocalActivity = 1
	// A search attribute upsert after the run's first.
	costSearchUpsert = 1
	// A projection record: the activity scheduled, started and completed,
	// and the task that takes its result.
	costRecord = 3 + costWorkflowTask
)

// recordActivityOptions are the options of the projection activities:
// retried without limit, because a workflow must not fail when the database
// is down; the actions waiting for the projection simply wait longer.
var recordActivityOptions = workflow.ActivityOptions{
	StartToCloseTimeout: 30 * time.Second,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval:    time.Second,
		BackoffCoefficient: 2,
		MaximumInterval:    time.Minute,
	},
}

// action is implemented by every action message (they embed ActionMeta).
type action interface{ Meta() ActionMeta }

// runtime is one run's share of the runtime: the signal pumps and the
// signals being handled (so a run can settle before it ends), the event
// log, the projection, the history count and the search attributes.
//
// Signals are received only by the workflow's main loop (pump), never by a
// goroutine blocked in Receive: a signal handed to a blocked receiver is
// invisible to ReceiveChannel.Len until that goroutine runs, so a run that
// checks for waiting signals before it continues as new could end with the
// signal received but not applied (seen on a real server when a signal
// arrives in the last workflow task). Buffered signals always show in Len.
type runtime struct {
	logger   log.Logger
	pumps    []signalPump
	inflight int
	// ready is set once the run's start is done; action handlers wait for
	// it (admit), and workflows without a start to wait for set it at once.
	ready bool
	// seq is the state's Seq, counted by record; events, when set, is the
	// state's event list, of which record keeps the last keep (all when
	// keep is 0).
	seq    *int64
	events *[]Event
	keep   int
	// spent counts the history events the run caused (see the cost model);
	// cost, when set, is told of each count as well.
	spent int
	cost  func(int)
	// proj, when set, is the workflow's projection: an update answers only
	// once the events recorded up to its end are written, and settle
	// writes what is pending.
	proj *projector
	// sa are the search attribute values last upserted.
	sa    searchValues
	saSet bool
}

// newRuntime starts a run's runtime: seq is the state's Seq, events its
// event list (nil: the state keeps none), of which the last keep are kept
// (0: all).
func newRuntime(ctx workflow.Context, seq *int64, events *[]Event, keep int) *runtime {
	return &runtime{logger: workflow.GetLogger(ctx), seq: seq, events: events, keep: keep, spent: costRunStart}
}

// charge counts n history events.
func (r *runtime) charge(n int) {
	r.spent += n
	if r.cost != nil {
		r.cost(n)
	}
}

// record appends an event; notify names who must be told (attention).
func (r *runtime) record(at time.Time, typ EventType, m ActionMeta, payload map[string]any, notify ...Role) Event {
	*r.seq++
	e := Event{Seq: *r.seq, Type: typ, Actor: m.Actor, RequestID: m.RequestID, ClientRequestID: m.ClientRequestID, At: at.In(calendar.Zone()),
		Payload: payload, Attention: len(notify) > 0, Notify: notify}
	if r.events != nil {
		*r.events = append(*r.events, e)
		if n := len(*r.events) - r.keep; r.keep > 0 && n > 0 {
			*r.events = append([]Event(nil), (*r.events)[n:]...)
		}
	}
	r.proj.add(e)
	return e
}

// ignore records an invalid signal.
func (r *runtime) ignore(ctx workflow.Context, name string, m ActionMeta, rf *Refusal) {
	r.record(now(ctx), EventSignalIgnored, m, map[string]any{
		"signal": name, "type": rf.Type, "rule": rf.Rule, "reason": rf.Message,
	})
}

// awaitReady blocks until the run's start is done.
func (r *runtime) awaitReady(ctx workflow.Context) error {
	return workflow.Await(ctx, func() bool { return r.ready })
}

// deadline runs ComputeDeadline, counting its marker.
func (r *runtime) deadline(ctx workflow.Context, from time.Time, spec calendar.Spec) (calendar.Result, error) {
	r.charge(costLocalActivity)
	return ComputeDeadline(ctx, from, spec)
}

// serve answers the state query with *state once the action registrations
// regs succeeded, and returns the first of their errors.
func serve[S any](ctx workflow.Context, query string, state *S, regs ...error) error {
	for _, err := range regs {
		if err != nil {
			return err
		}
	}
	if err := workflow.SetQueryHandler(ctx, query, func() (S, error) { return *state, nil }); err != nil {
		return fmt.Errorf("set query handler %s: %w", query, err)
	}
	return nil
}

// signalPump is one signal channel and how to start handling one signal of
// it.
type signalPump struct {
	ch workflow.ReceiveChannel
	// next receives one waiting signal, if any, and starts its handler.
	next func(ctx workflow.Context) bool
}

// addAction registers an action as an update validated by check, and as a
// signal (addCheckedSignal). An update is applied once the run is ready and
// check admits it again (the state may have changed since the validator
// ran); apply must check again after anything that blocks. With a
// projection, an update that applied answers once its events are written.
func addAction[T action, R any](ctx workflow.Context, r *runtime, name string, check func(T) *Refusal, apply func(workflow.Context, T) (R, error)) error {
	err := workflow.SetUpdateHandlerWithOptions(ctx, name,
		func(ctx workflow.Context, in T) (R, error) {
			r.charge(costUpdate)
			if err := admit(ctx, r, check, in); err != nil {
				var zero R
				return zero, err
			}
			res, err := apply(ctx, in)
			if err == nil {
				err = r.proj.await(ctx)
			}
			return res, err
		},
		workflow.UpdateHandlerOptions{Validator: func(_ workflow.Context, in T) error {
			if rf := check(in); rf != nil {
				return rf.applicationError()
			}
			return nil
		}})
	if err != nil {
		return fmt.Errorf("set update handler %s: %w", name, err)
	}
	addCheckedSignal(ctx, r, name, check, apply)
	return nil
}

// addCheckedSignal registers the signal name of an action: once the run is
// ready, validated by check, then applied; an invalid signal (or one apply
// refuses) is recorded as ignored.
func addCheckedSignal[T action, R any](ctx workflow.Context, r *runtime, name string, check func(T) *Refusal, apply func(workflow.Context, T) (R, error)) {
	addSignal(ctx, r, name, func(ctx workflow.Context, in T) {
		if err := r.awaitReady(ctx); err != nil {
			return
		}
		if rf := check(in); rf != nil {
			r.ignore(ctx, name, in.Meta(), rf)
			return
		}
		if _, err := apply(ctx, in); err != nil {
			rf, ok := AsRefusal(err)
			if !ok {
				rf = refused(RuleState, err.Error())
			}
			r.ignore(ctx, name, in.Meta(), rf)
		}
	})
}

// addSignal registers the signal name; pump hands each one to apply, in a
// goroutine of its own, in arrival order per signal name.
func addSignal[T any](ctx workflow.Context, r *runtime, name string, apply func(workflow.Context, T)) {
	ch := workflow.GetSignalChannel(ctx, name)
	r.pumps = append(r.pumps, signalPump{ch: ch, next: func(ctx workflow.Context) bool {
		var in T
		if !ch.ReceiveAsync(&in) {
			return false
		}
		r.charge(costSignal)
		r.inflight++
		workflow.Go(ctx, func(ctx workflow.Context) {
			defer func() { r.inflight-- }()
			apply(ctx, in)
		})
		return true
	}})
}

// admit is the start of an update's handler: it waits until the run is
// ready, then checks in again (check), since the state may have changed
// since the validator ran; a refusal is returned as its application error.
func admit[T any](ctx workflow.Context, r *runtime, check func(T) *Refusal, in T) error {
	if err := r.awaitReady(ctx); err != nil {
		return err
	}
	if rf := check(in); rf != nil {
		return rf.applicationError()
	}
	return nil
}

// first returns the first non-nil refusal.
func first(rs ...func() *Refusal) *Refusal {
	for _, r := range rs {
		if err := r(); err != nil {
			return err
		}
	}
	return nil
}

// pending reports whether a signal waits to be pumped.
func (r *runtime) pending() bool {
	for _, p := range r.pumps {
		if p.ch.Len() > 0 {
			return true
		}
	}
	return false
}

// pump starts the handling of every waiting signal. Main loops call it on
// each turn and wake up when pending.
func (r *runtime) pump(ctx workflow.Context) {
	for _, p := range r.pumps {
		for p.next(ctx) {
		}
	}
}

// quiet reports whether no handler runs and no signal waits.
func (r *runtime) quiet(ctx workflow.Context) bool {
	return workflow.AllHandlersFinished(ctx) && r.inflight == 0 && !r.pending()
}

// settle handles the waiting signals, writes the projection, and waits
// until every handler has finished and every event is written, so nothing
// is lost when a run ends or continues as new.
func (r *runtime) settle(ctx workflow.Context) {
	for {
		r.pump(ctx)
		r.proj.flush(ctx)
		if err := workflow.Await(ctx, func() bool { return r.pending() || r.quiet(ctx) || r.proj.dirty() }); err != nil {
			return
		}
		if r.quiet(ctx) && !r.proj.dirty() {
			return
		}
	}
}

// turn is what a main loop decides after writing the projection: the run
// ends, hands over to the next run (continue-as-new), or sleeps until next
// (no timer when wake is false) or the next change.
type turn struct {
	end, handOver bool
	next          time.Time
	wake          bool
}

// loop is a workflow's main loop. Each turn it pumps the waiting signals,
// lets act do what is due, writes the projection, and asks decide whether
// the run ends, hands over or sleeps (sleep). It reports whether the run
// hands over; the wake timer is canceled when it returns.
func (r *runtime) loop(ctx workflow.Context, act func() error, decide func() turn) (handOver bool, err error) {
	var wake wakeTimer
	defer r.stop(&wake)
	for {
		r.pump(ctx)
		if err := act(); err != nil {
			return false, err
		}
		r.proj.flush(ctx)
		t := decide()
		switch {
		case t.end:
			return false, nil
		case t.handOver:
			return true, nil
		}
		if err := r.sleep(ctx, &wake, t.next, t.wake); err != nil {
			return false, err
		}
	}
}

// wakeTimer is the one timer a run keeps armed: for the next instant it
// must act at. It is replaced (the old one canceled) only when that instant
// changes, so actions that leave it alone add no timers to history.
type wakeTimer struct {
	at     time.Time
	f      workflow.Future
	cancel workflow.CancelFunc
}

// sleep arms the wake timer for next (none when ok is false) and blocks
// until it fires, an event is recorded, a signal waits or the projection
// has events to write. It returns at once when next is already due.
func (r *runtime) sleep(ctx workflow.Context, w *wakeTimer, next time.Time, ok bool) error {
	if w.f != nil && (!ok || !w.at.Equal(next)) {
		r.stop(w)
	}
	if ok && w.f == nil {
		d := next.Sub(workflow.Now(ctx))
		if d <= 0 {
			return nil
		}
		tctx, cancel := workflow.WithCancel(ctx)
		w.at, w.f, w.cancel = next, workflow.NewTimer(tctx, d), cancel
		r.charge(costTimerStart)
	}
	seq := *r.seq
	err := workflow.Await(ctx, func() bool {
		return *r.seq != seq || (w.f != nil && w.f.IsReady()) || r.pending() || r.proj.dirty()
	})
	if w.f != nil && w.f.IsReady() {
		r.charge(costTimerFired)
		w.f = nil
	}
	return err
}

// stop cancels the wake timer, if armed.
func (r *runtime) stop(w *wakeTimer) {
	if w.f != nil {
		w.cancel()
		r.charge(costTimerCancel)
		w.f = nil
	}
}

// overBudget reports whether the run's history reached its budget (budget
// events; ContinueAsNewHistoryLength when 0): by the real history length,
// its size, or the run's own count; or whether Temporal suggests continuing
// as new.
func (r *runtime) overBudget(ctx workflow.Context, budget int) bool {
	if budget <= 0 {
		budget = ContinueAsNewHistoryLength
	}
	info := workflow.GetInfo(ctx)
	return info.GetContinueAsNewSuggested() || info.GetCurrentHistoryLength() >= budget ||
		info.GetCurrentHistorySize() >= continueAsNewHistorySize || r.spent >= budget
}

// searchValues are the search attribute values a workflow keeps; phase is
// the project's alone (empty for the others).
type searchValues struct {
	customer, pkg, phase, status string
	next                         time.Time
}

// upsertSearch upserts the search attributes that changed since the last
// upsert (all of them the first time).
func (r *runtime) upsertSearch(ctx workflow.Context, cur searchValues) {
	old, set := r.sa, r.saSet
	if set && cur.phase == old.phase && cur.status == old.status && cur.next.Equal(old.next) {
		return
	}
	ups := []temporal.SearchAttributeUpdate{}
	if !set {
		ups = append(ups, AttrCustomer.ValueSet(cur.customer), AttrPackage.ValueSet(cur.pkg))
	}
	if cur.phase != "" && (!set || cur.phase != old.phase) {
		ups = append(ups, AttrPhase.ValueSet(cur.phase))
	}
	if !set || cur.status != old.status {
		ups = append(ups, AttrStatus.ValueSet(cur.status))
	}
	if !set || !cur.next.Equal(old.next) {
		if cur.next.IsZero() {
			ups = append(ups, AttrNextDeadline.ValueUnset())
		} else {
			ups = append(ups, AttrNextDeadline.ValueSet(cur.next))
		}
	}
	if set {
		r.charge(costSearchUpsert) // the first one is in costRunStart
	}
	if err := workflow.UpsertTypedSearchAttributes(ctx, ups...); err != nil {
		r.logger.Warn("upsert search attributes", "Error", err)
		return
	}
	r.sa, r.saSet = cur, true
}

// RecordResult is the output of every projection activity.
type RecordResult struct {
	// Seq is the highest event sequence number the read model holds.
	Seq int64 `json:"seq"`
}

// projector writes a workflow's state and new events to the read model
// through its projection activity (idempotent by sequence number: events
// whose Seq is new are inserted, the stored state replaced only by one of
// a higher Seq, attention events put in the outbox once). A nil projector
// (a workflow that keeps no read model) does nothing.
type projector struct {
	activity string
	// input builds the activity's input: the state now, with the events.
	input func(events []Event) any
	r     *runtime
	// pending are the events not written yet; projected is the Seq of the
	// last one written.
	pending   []Event
	projected int64
}

// project makes the run write the read model through the activity, with the
// input input builds.
func (r *runtime) project(activity string, input func(events []Event) any) {
	r.proj = &projector{activity: activity, input: input, r: r, projected: *r.seq}
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
		p.r.charge(costRecord)
		var res RecordResult
		if err := workflow.ExecuteActivity(actx, p.activity, p.input(events)).Get(ctx, &res); err != nil {
			p.r.logger.Error("record projection", "Activity", p.activity, "Seq", events[len(events)-1].Seq, "Error", err)
			p.r.charge(costTimerStart + costTimerFired)
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
