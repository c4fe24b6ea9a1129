package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/sowflow/sowflow/calendar"
	"github.com/sowflow/sowflow/plan"
)

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
	p.rt.ready = true
	return p.run(ctx)
}

// project is one run of the lifecycle.
type project struct {
	in   ProjectInput // Resume cleared
	plan *plan.Plan
	s    ProjectState
	rt   *runtime
}

// newProject builds the run's state: the carried-over state on
// continue-as-new, otherwise the plan's initial state (deadlines are
// computed by begin).
func newProject(ctx workflow.Context, in ProjectInput) *project {
	p := &project{}
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
	p.rt = newRuntime(ctx, &p.s.Seq, nil, 0)
	p.rt.project(RecordProjectActivity, func(events []Event) any { return ProjectRecord{State: p.s, Events: events} })
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
			Version: pl.PackageVersion, Digest: pl.PackageDigest,
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
			if d.Recurrence == plan.RecurOnce {
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
	switch end := p.in.Dates.ContractEnd; {
	case !end.IsZero():
		// The contract's own end: an instant given, not computed.
		end = end.In(calendar.Zone())
		v.End = DeadlineState{At: end, From: v.Start, Computed: end}
	case p.plan.Validity.Duration != (calendar.Spec{}):
		res, err := p.rt.deadline(ctx, v.Start, p.plan.Validity.Duration)
		if err != nil {
			return fmt.Errorf("validity of %s: %w", p.plan.PackageCode, err)
		}
		v.End = newDeadline(v.Start, p.plan.Validity.Duration, res)
		p.s.CalendarVersion = res.CalendarVersion
	}
	clocks := make([]any, 0, len(p.plan.Clocks))
	for i, pc := range p.plan.Clocks {
		c := &p.s.Clocks[i]
		res, err := p.rt.deadline(ctx, c.Start, pc.Duration)
		if err != nil {
			return fmt.Errorf("clock %s: %w", pc.Key, err)
		}
		c.Deadline = newDeadline(c.Start, pc.Duration, res)
		if pc.Warning != nil {
			res, err := p.rt.deadline(ctx, c.Start, *pc.Warning)
			if err != nil {
				return fmt.Errorf("clock %s warning: %w", pc.Key, err)
			}
			w := newDeadline(c.Start, *pc.Warning, res)
			c.Warning = &w
		}
		clocks = append(clocks, map[string]any{"clock": c.Key, "deadline": c.Deadline.At, "provisional": c.Deadline.Provisional})
	}
	p.derive()
	payload := map[string]any{
		"package":         p.plan.PackageCode,
		"catalog_version": p.plan.CatalogVersion,
		"catalog_digest":  p.plan.CatalogDigest,
		"validity_start":  v.Start,
		"clocks":          clocks,
	}
	if !v.End.IsZero() {
		payload["validity_end"] = v.End.At
	}
	p.rt.record(now(ctx), EventProjectStarted, ActionMeta{Actor: p.in.StartedBy, RequestID: p.in.RequestID, ClientRequestID: p.in.ClientRequestID}, payload)
	return nil
}

// register installs the state query, the action updates and signals, and the
// calendar signal.
func (p *project) register(ctx workflow.Context) error {
	err := serve(ctx, QueryProjectState, &p.s,
		addAction(ctx, p.rt, UpdateSubmitDeliverable, p.checkSubmit, p.submit),
		addAction(ctx, p.rt, UpdateDecideDeliverable, p.checkDecide, p.decide),
		addAction(ctx, p.rt, UpdateAdvancePhase, p.checkAdvance, p.advance),
		addAction(ctx, p.rt, UpdateOpenDelay, p.checkOpenDelay, p.openDelay),
		addAction(ctx, p.rt, UpdateCloseDelay, p.checkCloseDelay, p.closeDelay),
		addAction(ctx, p.rt, UpdateUseQuota, p.checkUseQuota, p.useQuota),
		addAction(ctx, p.rt, UpdateSignFinalAcceptance, p.checkSign, p.sign),
		addAction(ctx, p.rt, UpdateTerminate, p.checkTerminate, p.terminate))
	addCheckedSignal(ctx, p.rt, SignalCalendarUpdated, p.checkCalendar, p.calendarUpdated)
	return err
}

// run is the main loop: fire what is due, write the projection, and sleep
// until the next deadline or the next change.
func (p *project) run(ctx workflow.Context) (ProjectResult, error) {
	handOver, err := p.rt.loop(ctx, func() error {
		p.fireDue(now(ctx))
		p.rt.upsertSearch(ctx, searchValues{customer: p.s.CustomerID, pkg: p.s.Package.Code,
			phase: p.s.Phase, status: string(p.s.Status), next: p.s.NextDeadline})
		return nil
	}, func() turn {
		next, ok := p.nextWake()
		return turn{end: p.s.Status != StatusActive, handOver: p.rt.overBudget(ctx, p.in.ContinueAsNewAfterEvents), next: next, wake: ok}
	})
	switch {
	case err != nil:
		return ProjectResult{}, err
	case handOver:
		return p.continueAsNew(ctx)
	}
	p.rt.settle(ctx)
	return p.result(), nil
}

// continueAsNew records the hand-over, lets handlers finish, and continues
// as new with the state; the next run re-arms its timer from the stored
// deadline instants.
func (p *project) continueAsNew(ctx workflow.Context) (ProjectResult, error) {
	info := workflow.GetInfo(ctx)
	p.rt.record(now(ctx), EventContinuedAsNew, ActionMeta{Actor: SystemActor}, map[string]any{
		"run": p.s.Run, "history_length": info.GetCurrentHistoryLength(),
	})
	p.rt.settle(ctx)
	// An action settled during the hand-over may have ended the project (a
	// termination): then this run ends it rather than start one more.
	if p.s.Status != StatusActive {
		return p.result(), nil
	}
	p.rt.charge(costContinue)
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
