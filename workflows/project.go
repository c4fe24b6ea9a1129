package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/sowflow/sowflow/calendar"
)

// ContinueAsNewHistoryLength is the history length past which a project run
// continues as new (it also does when Temporal suggests it).
const ContinueAsNewHistoryLength = 2000

// continueAsNewHistorySize is the history size in bytes past which a run
// continues as new: projection records carry the whole state, so a large
// project's history grows by size before it does by length.
const continueAsNewHistorySize = 8 << 20

// recordActivityOptions are the options of the projection activity: retried
// without limit, because a project must not fail when the database is down;
// the actions waiting for the projection simply wait longer.
var recordActivityOptions = workflow.ActivityOptions{
	StartToCloseTimeout: 30 * time.Second,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval:    time.Second,
		BackoffCoefficient: 2,
		MaximumInterval:    time.Minute,
	},
}

// ProjectWorkflow is the project lifecycle: one workflow type that interprets
// any plan from start to final acceptance (or expiry, completion or
// termination) with every clock the contract starts. Register it under
// ProjectWorkflowName and start it with ID ProjectWorkflowID(project ID).
//
// Actions arrive as updates (with validators) or signals of the same names;
// the state query QueryProjectState returns the whole ProjectState. After every
// change the workflow writes the state and the new events through the
// RecordProjectActivity activity, and an action's update returns only once
// its events are written. Deadlines are computed by the
// calendar.ComputeDeadlineActivity local activity and kept as instants; a
// single timer is armed for the earliest one.
func ProjectWorkflow(ctx workflow.Context, in ProjectInput) (ProjectResult, error) {
	if in.Resume == nil {
		if err := ValidateStart(in); err != nil {
			return ProjectResult{}, temporal.NewNonRetryableApplicationError("invalid project input: "+err.Error(), InvalidInputErrorType, err)
		}
	}
	p := newProject(ctx, in)
	if err := p.register(ctx); err != nil {
		return ProjectResult{}, err
	}
	if in.Resume == nil {
		if err := p.begin(ctx); err != nil {
			return ProjectResult{}, err
		}
	}
	p.ready = true
	return p.run(ctx)
}

// project is one run of the lifecycle.
type project struct {
	in     ProjectInput // Resume cleared
	plan   *Plan
	s      ProjectState
	logger log.Logger

	// ready is set once the start deadlines are computed; action handlers
	// wait for it.
	ready bool
	// pending are the events not yet written by the projection;
	// projected is the Seq the projection holds.
	pending   []Event
	projected int64
	// runStart is Seq when this run began.
	runStart int64
	// signals are the action signal channels; inflight counts signals
	// being handled; pumps start the handling of one waiting signal of
	// each channel.
	signals  []workflow.ReceiveChannel
	inflight int
	pumps    []func(ctx workflow.Context) bool
	// sa are the search attribute values last upserted.
	sa    searchValues
	saSet bool
}

// newProject builds the run's state: the carried-over state on
// continue-as-new, otherwise the plan's initial state (deadlines are
// computed by begin).
func newProject(ctx workflow.Context, in ProjectInput) *project {
	p := &project{logger: workflow.GetLogger(ctx)}
	if in.Resume != nil {
		p.s = *in.Resume
		p.s.Run++
	}
	in.Resume = nil
	p.in = in
	p.plan = &p.in.Plan
	if p.s.Run == 0 {
		p.s = initialState(in, workflow.Now(ctx))
	}
	p.projected = p.s.Seq
	p.runStart = p.s.Seq
	return p
}

func initialState(in ProjectInput, now time.Time) ProjectState {
	now = now.In(calendar.Zone())
	pl := &in.Plan
	s := ProjectState{
		ProjectID:  in.ProjectID,
		CustomerID: in.CustomerID,
		Package: PackageRef{
			Code: pl.PackageCode, Name: pl.PackageName,
			CatalogVersion: pl.CatalogVersion, CatalogDigest: pl.CatalogDigest,
		},
		Status:       StatusActive,
		Phases:       make([]PhaseState, 0, len(pl.Phases)),
		Deliverables: []DeliverableState{},
		Validity: ValidityState{
			Type:                  pl.Validity.Type,
			StartsOn:              pl.Validity.StartsOn,
			Start:                 in.Dates.At(pl.Validity.StartsOn).In(calendar.Zone()),
			EndsOnFinalAcceptance: pl.Validity.EndsOnFinalAcceptance,
		},
		Clocks:         []ClockState{},
		Quotas:         []QuotaState{},
		Delays:         []Delay{},
		StartedAt:      now,
		StartedBy:      in.StartedBy,
		StartRequestID: in.RequestID,
		Run:            1,
	}
	for i, ph := range pl.Phases {
		ps := PhaseState{Key: ph.Key, Name: ph.Name, Status: PhasePending}
		if i == 0 {
			ps.Status, ps.StartedAt = PhaseActive, now
		}
		s.Phases = append(s.Phases, ps)
		for _, d := range ph.Deliverables {
			ds := DeliverableState{
				Key: d.Key, Name: d.Name, Phase: ph.Key, Acceptance: d.Acceptance,
				Required: d.Required, Final: d.Final, Recurrence: d.Recurrence,
				Rounds: []RoundState{},
			}
			if d.Recurrence == RecurOnce {
				ds.Rounds = append(ds.Rounds, RoundState{Round: 1, Status: DeliverablePending, OpenedAt: now, Submissions: []Submission{}})
			}
			s.Deliverables = append(s.Deliverables, ds)
		}
	}
	for _, q := range pl.Quotas {
		s.Quotas = append(s.Quotas, QuotaState{Key: q.Key, Name: q.Name, Limit: q.Limit, Period: q.Period,
			Unit: q.Unit, Deliverable: q.Deliverable, Uses: []QuotaUse{}})
	}
	for _, c := range pl.Clocks {
		s.Clocks = append(s.Clocks, ClockState{Key: c.Key, Name: c.Name, Party: c.Party, StartsOn: c.StartsOn,
			Start: in.Dates.At(c.StartsOn).In(calendar.Zone()), MetBy: c.MetBy, Status: ClockRunning})
	}
	if len(s.Phases) > 0 {
		s.Phase = s.Phases[0].Key
	}
	return s
}

// begin computes the start deadlines (validity end, clocks and their
// warnings) and records the project-started event.
func (p *project) begin(ctx workflow.Context) error {
	v := &p.s.Validity
	res, err := ComputeDeadline(ctx, v.Start, p.plan.Validity.Duration)
	if err != nil {
		return fmt.Errorf("validity of %s: %w", p.plan.PackageCode, err)
	}
	v.End = newDeadline(v.Start, p.plan.Validity.Duration, res)
	p.s.CalendarVersion = res.CalendarVersion
	clocks := make([]any, 0, len(p.plan.Clocks))
	for i, pc := range p.plan.Clocks {
		c := &p.s.Clocks[i]
		res, err := ComputeDeadline(ctx, c.Start, pc.Duration)
		if err != nil {
			return fmt.Errorf("clock %s: %w", pc.Key, err)
		}
		c.Deadline = newDeadline(c.Start, pc.Duration, res)
		if pc.Warning != nil {
			res, err := ComputeDeadline(ctx, c.Start, *pc.Warning)
			if err != nil {
				return fmt.Errorf("clock %s warning: %w", pc.Key, err)
			}
			w := newDeadline(c.Start, *pc.Warning, res)
			c.Warning = &w
		}
		clocks = append(clocks, map[string]any{"clock": c.Key, "deadline": c.Deadline.At, "provisional": c.Deadline.Provisional})
	}
	p.derive()
	p.record(workflow.Now(ctx), EventProjectStarted, ActionMeta{Actor: p.in.StartedBy, RequestID: p.in.RequestID}, map[string]any{
		"package":         p.plan.PackageCode,
		"catalog_version": p.plan.CatalogVersion,
		"catalog_digest":  p.plan.CatalogDigest,
		"validity_start":  v.Start,
		"validity_end":    v.End.At,
		"clocks":          clocks,
	})
	return nil
}

// register installs the state query, the action updates and signals, and the
// calendar signal.
func (p *project) register(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, QueryProjectState, func() (ProjectState, error) { return p.s, nil }); err != nil {
		return fmt.Errorf("set query handler %s: %w", QueryProjectState, err)
	}
	regs := []error{
		handle(p, ctx, UpdateSubmitDeliverable, p.checkSubmit, p.submit),
		handle(p, ctx, UpdateDecideDeliverable, p.checkDecide, p.decide),
		handle(p, ctx, UpdateAdvancePhase, p.checkAdvance, p.advance),
		handle(p, ctx, UpdateOpenDelay, p.checkOpenDelay, p.openDelay),
		handle(p, ctx, UpdateCloseDelay, p.checkCloseDelay, p.closeDelay),
		handle(p, ctx, UpdateUseQuota, p.checkUseQuota, p.useQuota),
		handle(p, ctx, UpdateSignFinalAcceptance, p.checkSign, p.sign),
		handle(p, ctx, UpdateTerminate, p.checkTerminate, p.terminate),
	}
	for _, err := range regs {
		if err != nil {
			return err
		}
	}
	listen(p, ctx, SignalCalendarUpdated, p.checkCalendar, p.calendarUpdated)
	return nil
}

// action is implemented by every action message (they embed ActionMeta).
type action interface{ Meta() ActionMeta }

// handle registers an action as an update validated by check, and listens for
// it as a signal.
func handle[T action](p *project, ctx workflow.Context, name string, check func(T) *Refusal, apply func(workflow.Context, T) (ActionResult, error)) error {
	err := workflow.SetUpdateHandlerWithOptions(ctx, name,
		func(ctx workflow.Context, in T) (ActionResult, error) { return apply(ctx, in) },
		workflow.UpdateHandlerOptions{Validator: func(_ workflow.Context, in T) error {
			if r := check(in); r != nil {
				return r.applicationError()
			}
			return nil
		}})
	if err != nil {
		return fmt.Errorf("set update handler %s: %w", name, err)
	}
	listen(p, ctx, name, check, apply)
	return nil
}

// listen handles the signal name: validated by check, then applied; an
// invalid signal (or one that apply refuses) is recorded as ignored. The
// signals stay buffered in their channels (where Len sees them) until the
// main loop pumps them, and each is applied in a goroutine of its own
// counted by inflight from the moment it is received.
func listen[T action](p *project, ctx workflow.Context, name string, check func(T) *Refusal, apply func(workflow.Context, T) (ActionResult, error)) {
	ch := workflow.GetSignalChannel(ctx, name)
	p.signals = append(p.signals, ch)
	handleSignal := func(ctx workflow.Context, in T) {
		if r := check(in); r != nil {
			p.ignore(ctx, name, in.Meta(), r)
		} else if _, err := apply(ctx, in); err != nil {
			r, ok := AsRefusal(err)
			if !ok {
				r = refused(RuleState, err.Error())
			}
			p.ignore(ctx, name, in.Meta(), r)
		}
	}
	p.pumps = append(p.pumps, func(ctx workflow.Context) bool {
		var in T
		if !ch.ReceiveAsync(&in) {
			return false
		}
		p.inflight++
		workflow.Go(ctx, func(ctx workflow.Context) {
			defer func() { p.inflight-- }()
			handleSignal(ctx, in)
		})
		return true
	})
}

// pump starts the handling of every waiting signal, in arrival order per
// signal name.
func (p *project) pump(ctx workflow.Context) {
	for _, next := range p.pumps {
		for next(ctx) {
		}
	}
}

// signalWaiting reports whether a signal waits to be pumped.
func (p *project) signalWaiting() bool {
	for _, ch := range p.signals {
		if ch.Len() > 0 {
			return true
		}
	}
	return false
}

// ignore records an invalid signal.
func (p *project) ignore(ctx workflow.Context, name string, m ActionMeta, r *Refusal) {
	p.record(workflow.Now(ctx), EventSignalIgnored, m, map[string]any{
		"signal": name, "type": r.Type, "rule": r.Rule, "reason": r.Message,
	})
}

// record appends an event; notify names who must be told (attention).
func (p *project) record(at time.Time, typ EventType, m ActionMeta, payload map[string]any, notify ...Role) Event {
	p.s.Seq++
	e := Event{
		Seq: p.s.Seq, Type: typ, Actor: m.Actor, RequestID: m.RequestID, At: at.In(calendar.Zone()),
		Payload: payload, Attention: len(notify) > 0, Notify: notify,
	}
	p.pending = append(p.pending, e)
	return e
}

// wakeTimer is the one timer a run keeps armed: for the earliest deadline
// still to fire. It is replaced only when that instant changes, so actions
// that leave the next deadline alone add no timers to history.
type wakeTimer struct {
	at     time.Time
	f      workflow.Future
	cancel workflow.CancelFunc
}

// run is the main loop: fire what is due, write the projection, and sleep
// until the next deadline or the next change.
func (p *project) run(ctx workflow.Context) (ProjectResult, error) {
	var wake *wakeTimer
	stop := func() {
		if wake != nil {
			wake.cancel()
			wake = nil
		}
	}
	for {
		p.pump(ctx)
		p.fireDue(workflow.Now(ctx))
		p.flush(ctx)
		if p.s.Status != StatusActive {
			break
		}
		if p.shouldContinueAsNew(ctx) {
			stop()
			return p.continueAsNew(ctx)
		}
		next, ok := p.nextWake()
		if wake != nil && (!ok || !wake.at.Equal(next)) {
			stop()
		}
		if ok && wake == nil {
			d := next.Sub(workflow.Now(ctx))
			if d <= 0 {
				continue
			}
			tctx, cancel := workflow.WithCancel(ctx)
			wake = &wakeTimer{at: next, f: workflow.NewTimer(tctx, d), cancel: cancel}
		}
		seq := p.s.Seq
		if err := workflow.Await(ctx, func() bool {
			return p.s.Seq != seq || (wake != nil && wake.f.IsReady()) || p.signalWaiting()
		}); err != nil {
			return ProjectResult{}, err
		}
		if wake != nil && wake.f.IsReady() {
			wake = nil
		}
	}
	stop()
	p.settle(ctx)
	return p.result(), nil
}

// settle lets running handlers and queued signals finish and writes their
// events, so nothing is lost when the run ends or continues as new.
func (p *project) settle(ctx workflow.Context) {
	quiet := func() bool {
		if !workflow.AllHandlersFinished(ctx) || p.inflight > 0 {
			return false
		}
		for _, ch := range p.signals {
			if ch.Len() > 0 {
				return false
			}
		}
		return true
	}
	for {
		p.pump(ctx)
		p.flush(ctx)
		if err := workflow.Await(ctx, func() bool { return p.s.Seq != p.projected || p.signalWaiting() || quiet() }); err != nil {
			return // canceled: nothing more can be written
		}
		if p.s.Seq == p.projected && quiet() {
			return
		}
	}
}

// flush writes the pending events and the state to the projection and
// updates the search attributes.
func (p *project) flush(ctx workflow.Context) {
	p.upsertSearchAttributes(ctx)
	actx := workflow.WithActivityOptions(ctx, recordActivityOptions)
	for len(p.pending) > 0 {
		events := p.pending
		rec := ProjectRecord{State: p.s, Events: events}
		var res RecordResult
		if err := workflow.ExecuteActivity(actx, RecordProjectActivity, rec).Get(ctx, &res); err != nil {
			// The activity retries without limit, so this is a
			// non-retryable failure or a cancellation. Keep the events and
			// try again later; give up only when the workflow is canceled.
			p.logger.Error("record project", "ProjectID", p.s.ProjectID, "Seq", rec.State.Seq, "Error", err)
			if ctx.Err() != nil || workflow.Sleep(ctx, time.Minute) != nil {
				return
			}
			continue
		}
		p.projected = events[len(events)-1].Seq
		p.pending = p.pending[len(events):]
	}
}

// awaitProjected blocks until the projection holds event seq.
func (p *project) awaitProjected(ctx workflow.Context, seq int64) error {
	return workflow.Await(ctx, func() bool { return p.projected >= seq })
}

func (p *project) shouldContinueAsNew(ctx workflow.Context) bool {
	if n := p.in.ContinueAsNewAfterEvents; n > 0 && p.s.Seq-p.runStart >= int64(n) {
		return true
	}
	info := workflow.GetInfo(ctx)
	return info.GetContinueAsNewSuggested() ||
		info.GetCurrentHistoryLength() >= ContinueAsNewHistoryLength ||
		info.GetCurrentHistorySize() >= continueAsNewHistorySize
}

// continueAsNew records the hand-over, lets handlers finish, and continues
// as new with the state; the next run re-arms its timers from the stored
// deadline instants.
func (p *project) continueAsNew(ctx workflow.Context) (ProjectResult, error) {
	info := workflow.GetInfo(ctx)
	p.record(workflow.Now(ctx), EventContinuedAsNew, ActionMeta{Actor: SystemActor}, map[string]any{
		"run": p.s.Run, "history_length": info.GetCurrentHistoryLength(),
	})
	p.settle(ctx)
	// An action settled during the hand-over may have ended the project (a
	// termination): then this run ends it rather than start one more.
	if p.s.Status != StatusActive {
		return p.result(), nil
	}
	next := p.in
	st := p.s
	next.Resume = &st
	return ProjectResult{}, workflow.NewContinueAsNewError(ctx, ProjectWorkflowName, next)
}

// result is the workflow's result for the project as it stands.
func (p *project) result() ProjectResult {
	return ProjectResult{
		ProjectID: p.s.ProjectID, Status: p.s.Status, EndedAt: p.s.EndedAt, Reason: p.s.EndReason,
		Seq: p.s.Seq, State: p.s,
	}
}

// searchValues are the project's search attribute values.
type searchValues struct {
	phase, status string
	next          time.Time
}

func (p *project) upsertSearchAttributes(ctx workflow.Context) {
	cur := searchValues{phase: p.s.Phase, status: string(p.s.Status), next: p.s.NextDeadline}
	if p.saSet && cur.phase == p.sa.phase && cur.status == p.sa.status && cur.next.Equal(p.sa.next) {
		return
	}
	ups := []temporal.SearchAttributeUpdate{}
	if !p.saSet {
		ups = append(ups, AttrCustomer.ValueSet(p.s.CustomerID), AttrPackage.ValueSet(p.s.Package.Code))
	}
	if !p.saSet || cur.phase != p.sa.phase {
		ups = append(ups, AttrPhase.ValueSet(cur.phase))
	}
	if !p.saSet || cur.status != p.sa.status {
		ups = append(ups, AttrStatus.ValueSet(cur.status))
	}
	if !p.saSet || !cur.next.Equal(p.sa.next) {
		if cur.next.IsZero() {
			ups = append(ups, AttrNextDeadline.ValueUnset())
		} else {
			ups = append(ups, AttrNextDeadline.ValueSet(cur.next))
		}
	}
	if err := workflow.UpsertTypedSearchAttributes(ctx, ups...); err != nil {
		p.logger.Warn("upsert search attributes", "ProjectID", p.s.ProjectID, "Error", err)
		return
	}
	p.sa, p.saSet = cur, true
}
