package workflows

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/sowflow/sowflow/calendar"
	"github.com/sowflow/sowflow/plan"
)

// serviceClosingGrace is how long a service waits after its year ends for
// the open tickets' response outcomes before it summarises the year anyway
// (counting them undecided). Response clocks are hours long, but a
// business-hour clock started before a long holiday runs for days.
const serviceClosingGrace = 30 * 24 * time.Hour

// ServiceWorkflow runs the service year of a continuous support plan: tickets
// with response clocks (each a TicketWorkflow child), quotas per period and
// periodic obligations, and at the end the annual service summary. Register
// it under ServiceWorkflowName and start it with ID ServiceWorkflowID.
//
// Actions arrive as updates with validators or as signals of the same
// names: OpenTicket and UseQuota (the manager or the service's customer:
// customers ask for their entitlements themselves), SubmitObligation (the
// manager). Tickets report with SignalTicketReport; QueryServiceState
// returns the ServiceState. After every change the workflow writes the
// state and the new events through the RecordServiceActivity activity, and
// an action's update returns only once its events are written.
//
// A run lasts at most one service month: at each month boundary the run
// closes the periods that end there (quota usage resets, obligations owed
// are checked) and continues as new with the state; it also continues as
// new early when its history reaches its budget. Tickets are children
// started with ParentClosePolicy ABANDON, because a request-cancel or
// terminate policy would end every open ticket at each continue-as-new (the
// policy applies whenever a run closes); they report to the service's
// workflow ID without a run ID, which reaches whichever run is current.
func ServiceWorkflow(ctx workflow.Context, in ServiceInput) (ServiceResult, error) {
	if in.Resume == nil {
		if err := ValidateService(in); err != nil {
			return ServiceResult{}, temporal.NewNonRetryableApplicationError("invalid service input: "+err.Error(), InvalidInputErrorType, err)
		}
	}
	w := newService(ctx, in)
	if err := w.register(ctx); err != nil {
		return ServiceResult{}, err
	}
	if in.Resume == nil {
		w.begin(ctx)
	}
	w.rt.ready = true
	return w.run(ctx)
}

// ValidateService checks a service input before its first run.
func ValidateService(in ServiceInput) error {
	var errs []error
	if in.ServiceID == "" {
		errs = append(errs, &StartError{Field: "service_id", Rule: StartRuleRequired, Message: "service id is required"})
	}
	if in.CustomerID == "" {
		errs = append(errs, &StartError{Field: "customer_id", Rule: StartRuleRequired, Message: "customer id is required"})
	}
	if strings.ContainsAny(in.ProjectID, " \t\r\n/") {
		errs = append(errs, &StartError{Field: "project_id", Rule: StartRuleInvalid, Message: "project id must not contain spaces or slashes"})
	}
	if err := in.Plan.Validate(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// service is one run of a service workflow.
type service struct {
	in   ServiceInput // Resume cleared
	plan *plan.ServicePlan
	s    ServiceState
	ctx  workflow.Context // the root context, for the clock in validators
	rt   *runtime
	// crossed is set when this run closed a month.
	crossed bool
}

func newService(ctx workflow.Context, in ServiceInput) *service {
	w := &service{ctx: ctx}
	if in.Resume != nil {
		w.s = *in.Resume
		w.s.Run++
	}
	in.Resume = nil
	w.in = in
	w.plan = &w.in.Plan
	at := now(ctx)
	if w.s.Run == 0 {
		w.s = initialServiceState(in, at)
	}
	w.s.Runs = append(w.s.Runs, RunStats{Run: w.s.Run, Month: w.s.Month, StartedAt: at, Events: costRunStart})
	w.rt = newRuntime(ctx, &w.s.Seq, &w.s.RecentEvents, maxServiceEvents)
	w.rt.cost = func(n int) { w.s.Runs[len(w.s.Runs)-1].Events += n }
	// A projection record carries the state without its recent events and
	// without the obligations' submissions (see projectedServiceState).
	w.rt.project(RecordServiceActivity, func(events []Event) any {
		return ServiceRecord{State: projectedServiceState(w.s), Events: events}
	})
	return w
}

func initialServiceState(in ServiceInput, at time.Time) ServiceState {
	pl := &in.Plan
	periods := plan.ServicePeriods(pl.Start, pl.End)
	s := ServiceState{
		ServiceID:  in.ServiceID,
		CustomerID: in.CustomerID,
		ProjectID:  in.ProjectID,
		Package: PackageRef{Code: pl.PackageCode, Name: pl.PackageName,
			CatalogVersion: pl.CatalogVersion, CatalogDigest: pl.CatalogDigest,
			Version: pl.PackageVersion, Digest: pl.PackageDigest},
		Status:         ServicePending,
		Start:          pl.Start.In(calendar.Zone()),
		End:            pl.End.In(calendar.Zone()),
		Periods:        periods,
		Quotas:         make([]ServiceQuotaState, 0, len(pl.Quotas)),
		Obligations:    make([]ObligationState, 0, len(pl.Obligations)),
		RecentEvents:   []Event{},
		StartedAt:      at,
		StartedBy:      in.StartedBy,
		StartRequestID: in.RequestID,
		Run:            1,
	}
	for _, q := range pl.Quotas {
		qs := ServiceQuotaState{Key: q.Key, Name: q.Name, Limit: q.Limit, Period: q.Period, Unit: q.Unit,
			Uses: []QuotaUse{}, Past: []QuotaPeriodUse{}}
		setQuotaPeriod(&qs, periods, 0)
		s.Quotas = append(s.Quotas, qs)
	}
	for _, o := range pl.Obligations {
		ob := ObligationState{Key: o.Key, Name: o.Name, Cadence: o.Cadence, Submissions: []ObligationSubmission{}}
		if u := o.Cadence.Unit(); u != "" {
			for m := 0; m < len(periods); {
				first, last := periodSpan(u, m, len(periods))
				ob.Periods = append(ob.Periods, ObligationPeriod{Label: periodLabel(u, periods, m),
					FirstMonth: first + 1, LastMonth: last + 1, End: periods[last].End, Due: o.Due()})
				m = last + 1
			}
		} else {
			ob.Periods = []ObligationPeriod{{Label: periodLabel(plan.PeriodYear, periods, 0), FirstMonth: 1,
				LastMonth: len(periods), End: s.End}}
			ob.Tickets = []int{}
		}
		s.Obligations = append(s.Obligations, ob)
	}
	s.Tickets = TicketsState{Open: []ServiceTicket{}, Severities: make([]SeverityStats, 0, len(pl.ResponseTargets))}
	for _, t := range pl.ResponseTargets {
		s.Tickets.Severities = append(s.Tickets.Severities, SeverityStats{Severity: t.Severity, Name: t.Name,
			Action: t.Action, Target: t.Target})
	}
	return s
}

// setQuotaPeriod points the quota at the period containing month m.
func setQuotaPeriod(q *ServiceQuotaState, periods []plan.ServicePeriod, m int) {
	first, last := periodSpan(q.Period, m, len(periods))
	q.Label = periodLabel(q.Period, periods, m)
	q.PeriodStart, q.PeriodEnd = periods[first].Start, periods[last].End
}

// begin records the start of the service.
func (w *service) begin(ctx workflow.Context) {
	w.rt.record(now(ctx), EventServiceStarted, ActionMeta{Actor: w.in.StartedBy, RequestID: w.in.RequestID, ClientRequestID: w.in.ClientRequestID}, map[string]any{
		"package":         w.plan.PackageCode,
		"catalog_version": w.plan.CatalogVersion,
		"start":           w.s.Start,
		"end":             w.s.End,
		"months":          len(w.s.Periods),
	})
}

// projectedServiceState is the state a projection record carries: the
// state without its recent events and without the obligations'
// submissions. Both are in the record's events (obligation-submitted), and
// the submissions of a busy year's per-incident reports would otherwise be
// most of every record (about 26 KB of 38 KB by the year's end at 600
// tickets), written again with each change.
func projectedServiceState(s ServiceState) ServiceState {
	s.RecentEvents = []Event{}
	obligations := make([]ObligationState, len(s.Obligations))
	for i, o := range s.Obligations {
		o.Submissions = []ObligationSubmission{}
		obligations[i] = o
	}
	s.Obligations = obligations
	return s
}

// register installs the query, the action updates and signals, and the
// ticket report signal.
func (w *service) register(ctx workflow.Context) error {
	err := serve(ctx, QueryServiceState, &w.s,
		addAction(ctx, w.rt, UpdateOpenTicket, w.checkOpenTicket, w.openTicket),
		addAction(ctx, w.rt, UpdateUseQuota, w.checkUseQuota, w.useQuota),
		addAction(ctx, w.rt, UpdateSubmitObligation, w.checkSubmitObligation, w.submitObligation))
	addSignal(ctx, w.rt, SignalTicketReport, w.applyReport)
	return err
}

// run is the main loop: cross the boundaries that are due, write the
// projection, continue as new after a month boundary or when the history
// budget is spent, and sleep until the next boundary or change.
func (w *service) run(ctx workflow.Context) (ServiceResult, error) {
	handOver, err := w.rt.loop(ctx, func() error {
		w.advance(now(ctx))
		if w.s.Status == ServiceClosing && (w.ticketsDecided() || !now(ctx).Before(w.closingDeadline())) {
			w.finish(now(ctx))
		}
		w.rt.upsertSearch(ctx, searchValues{customer: w.s.CustomerID, pkg: w.s.Package.Code,
			status: string(w.s.Status), next: w.s.NextBoundary})
		return nil
	}, func() turn {
		return turn{end: w.s.Status == ServiceCompleted, handOver: w.crossed || w.rt.overBudget(ctx, w.in.ContinueAsNewAfterEvents),
			next: w.nextWake(), wake: true}
	})
	switch {
	case err != nil:
		return ServiceResult{}, err
	case handOver:
		reason := "history"
		if w.crossed {
			reason = "period"
		}
		return ServiceResult{}, w.continueAsNew(ctx, reason)
	}
	w.rt.settle(ctx)
	w.endRun(ctx, "completed")
	return ServiceResult{ServiceID: w.s.ServiceID, Status: w.s.Status, EndedAt: w.s.EndedAt, Summary: w.s.Summary, State: w.s}, nil
}

// nextWake is the instant the loop must next look at the clock.
func (w *service) nextWake() time.Time {
	switch w.s.Status {
	case ServicePending:
		return w.s.Start
	case ServiceActive:
		return w.s.Periods[w.s.Month].End
	}
	return w.closingDeadline()
}

func (w *service) closingDeadline() time.Time { return w.s.End.Add(serviceClosingGrace) }

// endRun closes the run's statistics.
func (w *service) endRun(ctx workflow.Context, reason string) {
	r := &w.s.Runs[len(w.s.Runs)-1]
	r.EndedAt, r.Reason = now(ctx), reason
	r.HistoryLength = workflow.GetInfo(ctx).GetCurrentHistoryLength()
}

// continueAsNew records the hand-over, lets handlers and queued signals
// finish, and continues as new with the state.
func (w *service) continueAsNew(ctx workflow.Context, reason string) error {
	payload := map[string]any{
		"run": w.s.Run, "month": w.s.Month + 1, "reason": reason, "events": w.s.Runs[len(w.s.Runs)-1].Events,
	}
	w.rt.record(now(ctx), EventContinuedAsNew, ActionMeta{Actor: SystemActor}, payload)
	w.rt.settle(ctx)
	w.rt.charge(costContinue)
	w.endRun(ctx, reason)
	next := w.in
	st := w.s
	next.Resume = &st
	return workflow.NewContinueAsNewError(ctx, ServiceWorkflowName, next)
}

// advance moves the service through every boundary due at t: the start of
// the year, then each month end (closing the periods that end there), then
// the end of the year.
func (w *service) advance(t time.Time) {
	sys := ActionMeta{Actor: SystemActor}
	if w.s.Status == ServicePending {
		if t.Before(w.s.Start) {
			w.s.NextBoundary = w.s.Start
			return
		}
		w.s.Status = ServiceActive
		w.rt.record(w.s.Start, EventServiceYearStarted, sys, map[string]any{"start": w.s.Start, "end": w.s.End})
	}
	for w.s.Status == ServiceActive && !t.Before(w.s.Periods[w.s.Month].End) {
		w.closeMonth(w.s.Month)
		w.s.Month++
		w.crossed = true
		if w.s.Month == len(w.s.Periods) {
			w.s.Status = ServiceClosing
			w.rt.record(w.s.End, EventServiceYearEnded, sys, map[string]any{"end": w.s.End,
				"open_tickets": len(w.s.Tickets.Open), "summary_by": w.closingDeadline()})
		}
	}
	w.s.NextBoundary = time.Time{}
	if w.s.Status == ServiceActive {
		w.s.NextBoundary = w.s.Periods[w.s.Month].End
	}
}

// closeMonth ends month m: the quota periods and obligation periods that end
// with it.
func (w *service) closeMonth(m int) {
	sys := ActionMeta{Actor: SystemActor}
	end := w.s.Periods[m].End
	n := len(w.s.Periods)
	var resets []string
	for i := range w.s.Quotas {
		q := &w.s.Quotas[i]
		if _, last := periodSpan(q.Period, m, n); last != m {
			continue
		}
		q.Past = append(q.Past, QuotaPeriodUse{Label: q.Label, Used: q.Used, Limit: q.Limit})
		resets = append(resets, q.Key)
		q.Used, q.Uses = 0, []QuotaUse{}
		if m+1 < n {
			setQuotaPeriod(q, w.s.Periods, m+1)
		}
	}
	for i := range w.s.Obligations {
		o := &w.s.Obligations[i]
		for j := range o.Periods {
			p := &o.Periods[j]
			if p.Ended || p.LastMonth != m+1 {
				continue
			}
			p.Ended = true
			if p.Submitted < p.Due {
				w.rt.record(end, EventObligationShort, sys, map[string]any{"obligation": o.Key, "period": p.Label,
					"due": p.Due, "submitted": p.Submitted}, RoleManager)
			}
		}
	}
	w.rt.record(end, EventPeriodEnded, sys, map[string]any{"month": m + 1, "start": w.s.Periods[m].Start, "end": end,
		"quota_resets": resets})
}

// ticketsDecided reports whether every open ticket's response outcome is
// known.
func (w *service) ticketsDecided() bool {
	for _, t := range w.s.Tickets.Open {
		if !t.SLA.Decided {
			return false
		}
	}
	return true
}

// finish makes the annual summary and completes the service.
func (w *service) finish(at time.Time) {
	sum := w.summary(at)
	w.s.Summary = &sum
	sys := ActionMeta{Actor: SystemActor}
	w.rt.record(at, EventServiceSummary, sys, map[string]any{"summary": sum}, RoleManager, RoleCustomer)
	w.s.Status, w.s.EndedAt = ServiceCompleted, at
	w.rt.record(at, EventServiceCompleted, sys, map[string]any{"tickets": sum.TicketsOpened, "undecided": sum.Undecided})
}

// summary builds the annual service summary from the recorded outcomes.
func (w *service) summary(at time.Time) ServiceSummary {
	sum := ServiceSummary{Start: w.s.Start, End: w.s.End, GeneratedAt: at,
		TicketsOpened: w.s.Tickets.Opened, TicketsClosed: w.s.Tickets.Closed,
		Quotas: append([]ServiceQuotaState(nil), w.s.Quotas...)}
	tot := &sum.Totals
	tot.CommittedPct = "100.00"
	for _, st := range w.s.Tickets.Severities {
		target := st.Target
		ss := SeveritySummary{Severity: st.Severity, Name: st.Name, Action: st.Action, Target: &target,
			CommittedPct: "100.00", Opened: st.Opened, Tickets: st.Met + st.Breached, Met: st.Met, Breached: st.Breached,
			Responded: st.Responded, MaxResponseSeconds: st.MaxResponseSeconds}
		ss.AchievementPct = percent(int64(st.Met), int64(ss.Tickets))
		if st.Responded > 0 {
			ss.MeanResponseSeconds = st.ResponseSeconds / int64(st.Responded)
		}
		sum.Severities = append(sum.Severities, ss)
		tot.Opened += st.Opened
		tot.Tickets += ss.Tickets
		tot.Met += st.Met
		tot.Breached += st.Breached
		tot.Responded += st.Responded
		tot.MaxResponseSeconds = max(tot.MaxResponseSeconds, st.MaxResponseSeconds)
	}
	var respSum int64
	for _, st := range w.s.Tickets.Severities {
		respSum += st.ResponseSeconds
	}
	if tot.Responded > 0 {
		tot.MeanResponseSeconds = respSum / int64(tot.Responded)
	}
	tot.AchievementPct = percent(int64(tot.Met), int64(tot.Tickets))
	for _, t := range w.s.Tickets.Open {
		if !t.SLA.Decided {
			sum.Undecided++
		}
	}
	for _, o := range w.s.Obligations {
		osum := ObligationSummary{Key: o.Key, Name: o.Name, Cadence: o.Cadence, Met: true,
			Periods: append([]ObligationPeriod(nil), o.Periods...)}
		for _, p := range o.Periods {
			osum.Due += p.Due
			osum.Submitted += p.Submitted
			if p.Submitted < p.Due {
				osum.Met = false
			}
		}
		sum.Obligations = append(sum.Obligations, osum)
	}
	return sum
}

// percent writes num/den as a percentage with two decimals, rounded down;
// "" when den is 0.
func percent(num, den int64) string {
	if den <= 0 {
		return ""
	}
	bp := num * 10000 / den // hundredths of a percent
	return fmt.Sprintf("%d.%02d", bp/100, bp%100)
}
