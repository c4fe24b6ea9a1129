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

// TicketWorkflowName is the workflow type name of a support ticket, started
// by the service workflow as a child with ID TicketWorkflowID.
const TicketWorkflowName = "Ticket"

// QueryTicketState is the name of the query returning the TicketState.
const QueryTicketState = "ticket-state"

// RecordTicketActivity is the name of the ticket projection activity, the
// ticket's RecordServiceActivity: it writes a TicketRecord.
const RecordTicketActivity = "RecordTicket"

// TicketRecord is the input of RecordTicketActivity: the ticket's state
// after the events (its Events left empty, as ServiceRecord's RecentEvents
// is) and the events recorded since the previous record, in order. It
// carries the ticket alone, never its service: a year has thousands.
type TicketRecord struct {
	State  TicketState `json:"state"`
	Events []Event     `json:"events"`
}

// TicketStatus is where a ticket is: open → responded → resolved → closed;
// resolved → responded again when the customer reopens it.
type TicketStatus string

// Ticket statuses.
const (
	TicketOpen      TicketStatus = "open"
	TicketResponded TicketStatus = "responded"
	TicketResolved  TicketStatus = "resolved"
	TicketClosed    TicketStatus = "closed"
)

// TicketSLA is the outcome of a ticket's response clock.
type TicketSLA struct {
	// Decided is set once the ticket was responded to or its clock ran
	// out, whichever came first.
	Decided bool `json:"decided"`
	// Met is set when the response came strictly before the deadline (the
	// contracts say "< 15 mins"): a response at the deadline instant, or
	// after it, is a breach.
	Met bool `json:"met"`
	// Severity is the severity whose clock decided the outcome; the ticket
	// counts under it in the annual summary.
	Severity  string    `json:"severity,omitempty"`
	Deadline  time.Time `json:"deadline,omitzero"`
	DecidedAt time.Time `json:"decided_at,omitzero"`
}

// TicketInput is the input of the ticket workflow.
type TicketInput struct {
	ServiceID string `json:"service_id"`
	// ServiceWorkflowID is where the ticket reports (SignalTicketReport);
	// empty for a ticket that reports to nobody.
	ServiceWorkflowID string `json:"service_workflow_id,omitempty"`
	CustomerID        string `json:"customer_id"`
	Ticket            int    `json:"ticket"`
	Severity          string `json:"severity"`
	Title             string `json:"title"`
	Description       string `json:"description,omitempty"`
	// OpenedAt starts the response clock.
	OpenedAt  time.Time `json:"opened_at"`
	OpenedBy  Actor     `json:"opened_by"`
	RequestID string    `json:"request_id,omitempty"`
	// Targets are the plan's response targets, most severe first; a
	// severity change picks the new clock from them.
	Targets []plan.ResponseTarget `json:"targets"`
}

// TicketResult is the output of the ticket workflow, once closed.
type TicketResult struct {
	State TicketState `json:"state"`
}

// TicketClock is one response clock of a ticket: started at opening, and
// again at each severity change while no response has been given.
type TicketClock struct {
	Severity string        `json:"severity"`
	Action   string        `json:"action"`
	Start    time.Time     `json:"start"`
	Deadline DeadlineState `json:"deadline"`
	// Warning is at 75% of the target: ceil(0.75 × N) minutes of the same
	// kind (business minutes for a business-hour clock), counted from Start.
	Warning    DeadlineState `json:"warning"`
	WarnedAt   time.Time     `json:"warned_at,omitzero"`
	BreachedAt time.Time     `json:"breached_at,omitzero"`
	// ReplacedAt is set when a severity change replaced the clock.
	ReplacedAt time.Time `json:"replaced_at,omitzero"`
}

// TicketAction records who did something to a ticket, and when.
type TicketAction struct {
	At        time.Time `json:"at"`
	By        Actor     `json:"by"`
	RequestID string    `json:"request_id,omitempty"`
	Note      string    `json:"note,omitempty"`
}

// SeverityChange is one change of a ticket's severity.
type SeverityChange struct {
	From      string    `json:"from"`
	To        string    `json:"to"`
	At        time.Time `json:"at"`
	By        Actor     `json:"by"`
	RequestID string    `json:"request_id,omitempty"`
	Reason    string    `json:"reason"`
	// ClockRestarted is set when the change restarted the response clock.
	ClockRestarted bool `json:"clock_restarted"`
}

// TicketState is the whole state of a ticket, as the "ticket-state" query
// returns it.
type TicketState struct {
	ServiceID   string `json:"service_id"`
	CustomerID  string `json:"customer_id"`
	Ticket      int    `json:"ticket"`
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
	// Severity is the current severity; OpenedSeverity the first one.
	Severity       string       `json:"severity"`
	OpenedSeverity string       `json:"opened_severity"`
	Status         TicketStatus `json:"status"`
	// OpenedAt is kept through severity changes, for reporting.
	OpenedAt      time.Time `json:"opened_at"`
	OpenedBy      Actor     `json:"opened_by"`
	OpenRequestID string    `json:"open_request_id,omitempty"`
	// Clock is the response clock in force; PastClocks those severity
	// changes replaced.
	Clock      TicketClock   `json:"clock"`
	PastClocks []TicketClock `json:"past_clocks"`
	SLA        TicketSLA     `json:"sla"`
	Response   *TicketAction `json:"response,omitempty"`
	// ResponseSeconds is the time from opening to the response.
	ResponseSeconds int64            `json:"response_seconds,omitempty"`
	Resolution      *TicketAction    `json:"resolution,omitempty"`
	Closure         *TicketAction    `json:"closure,omitempty"`
	Reopens         []TicketAction   `json:"reopens"`
	SeverityChanges []SeverityChange `json:"severity_changes"`
	Events          []Event          `json:"events"`
	Seq             int64            `json:"seq"`
}

// Ticket actions, as updates with validators and signals of the same names.

// UpdateRespondTicket and SignalRespondTicket are the names of RespondTicket.
const (
	UpdateRespondTicket = "respond-ticket"
	SignalRespondTicket = UpdateRespondTicket
)

// RespondTicket records the provider's response (manager); it stops the
// response clock, met when strictly before the deadline.
type RespondTicket struct {
	ActionMeta
	Note string `json:"note,omitempty"`
}

// UpdateResolveTicket and SignalResolveTicket are the names of ResolveTicket.
const (
	UpdateResolveTicket = "resolve-ticket"
	SignalResolveTicket = UpdateResolveTicket
)

// ResolveTicket records the resolution (manager); the customer then
// confirms closure or reopens. Resolving a ticket not yet responded to also
// records the response, at the same instant.
type ResolveTicket struct {
	ActionMeta
	Resolution string `json:"resolution"`
}

// UpdateConfirmClosure and SignalConfirmClosure are the names of
// ConfirmClosure.
const (
	UpdateConfirmClosure = "confirm-closure"
	SignalConfirmClosure = UpdateConfirmClosure
)

// ConfirmClosure is the customer's confirmation that a resolved ticket is
// closed (the ticket's customer); the ticket workflow then completes.
type ConfirmClosure struct {
	ActionMeta
	Note string `json:"note,omitempty"`
}

// UpdateReopenTicket and SignalReopenTicket are the names of ReopenTicket.
const (
	UpdateReopenTicket = "reopen-ticket"
	SignalReopenTicket = UpdateReopenTicket
)

// ReopenTicket sends a resolved ticket back to the provider (the ticket's
// customer, reason required).
type ReopenTicket struct {
	ActionMeta
	Reason string `json:"reason"`
}

// UpdateChangeSeverity and SignalChangeSeverity are the names of
// ChangeSeverity.
const (
	UpdateChangeSeverity = "change-severity"
	SignalChangeSeverity = UpdateChangeSeverity
)

// ChangeSeverity changes a ticket's severity (reason required). The manager
// may raise or lower it; the customer may only raise it.
//
// The rule: while the response clock is undecided (no response yet, no
// breach), the change replaces the clock with the new severity's target,
// counted from the change instant; the old clock is kept in PastClocks, and
// the ticket's OpenedAt stays for reporting. Once the clock is decided the
// change is recorded and the clock left alone: the outcome counts under the
// severity that decided it.
type ChangeSeverity struct {
	ActionMeta
	Severity string `json:"severity"`
	Reason   string `json:"reason"`
}

// TicketWorkflow is one support ticket: its response clock with a warning at
// 75% and a breach at 100% (each a timer), the response, resolution and
// customer-confirmed closure with actor and time, severity changes, and a
// report to its service at each change the annual summary needs. Deadlines
// come from the calendar.ComputeDeadlineActivity local activity. After
// every change the ticket writes its state and new events through the
// RecordTicketActivity activity, and an action's update returns only once
// its events are written. The ticket
// completes when closed.
func TicketWorkflow(ctx workflow.Context, in TicketInput) (TicketResult, error) {
	if err := ValidateTicket(in); err != nil {
		return TicketResult{}, temporal.NewNonRetryableApplicationError("invalid ticket input: "+err.Error(), InvalidInputErrorType, err)
	}
	t := newTicket(ctx, in)
	if err := t.register(ctx); err != nil {
		return TicketResult{}, err
	}
	clock, err := t.startClock(ctx, t.s.OpenedAt, in.Severity)
	if err != nil {
		return TicketResult{}, err
	}
	t.s.Clock = clock
	t.rt.record(t.s.OpenedAt, EventTicketOpened, ActionMeta{Actor: in.OpenedBy, RequestID: in.RequestID}, map[string]any{
		"ticket": in.Ticket, "severity": in.Severity, "title": in.Title,
		"deadline": clock.Deadline.At, "warning": clock.Warning.At, "provisional": clock.Deadline.Provisional,
	})
	t.rt.ready = true
	return t.run(ctx)
}

// ValidateTicket checks a ticket input.
func ValidateTicket(in TicketInput) error {
	var errs []error
	req := func(field, v string) {
		if strings.TrimSpace(v) == "" {
			errs = append(errs, &StartError{Field: field, Rule: StartRuleRequired, Message: field + " is required"})
		}
	}
	req("service_id", in.ServiceID)
	req("customer_id", in.CustomerID)
	req("title", in.Title)
	if in.Ticket <= 0 {
		errs = append(errs, &StartError{Field: "ticket", Rule: StartRuleInvalid, Message: "ticket number must be positive"})
	}
	if in.OpenedAt.IsZero() {
		errs = append(errs, &StartError{Field: "opened_at", Rule: StartRuleRequired, Message: "opened_at is required"})
	}
	targets := plan.ServicePlan{ResponseTargets: in.Targets}
	if _, rank := targets.Target(in.Severity); rank < 0 {
		errs = append(errs, &StartError{Field: "severity", Rule: StartRuleInvalid, Message: fmt.Sprintf("severity %q has no response target", in.Severity)})
	}
	for i, tg := range in.Targets {
		if tg.Target.Kind != calendar.Minutes && tg.Target.Kind != calendar.BusinessMinutes {
			errs = append(errs, &StartError{Field: fmt.Sprintf("targets[%d].target.kind", i), Rule: StartRuleUnsupported,
				Message: fmt.Sprintf("a response target counts minutes or business_minutes, not %q", tg.Target.Kind)})
		}
	}
	return errors.Join(errs...)
}

// ticket is a run of the ticket workflow.
type ticket struct {
	in   TicketInput
	s    TicketState
	plan plan.ServicePlan // the targets, for lookups
	rt   *runtime
	// last is the last report sent.
	last *TicketReport
}

func newTicket(ctx workflow.Context, in TicketInput) *ticket {
	t := &ticket{in: in, plan: plan.ServicePlan{ResponseTargets: in.Targets}}
	// The service lists a ticket when it opens it: the first report is due
	// at the first change.
	t.last = &TicketReport{Severity: in.Severity, Status: TicketOpen}
	t.s = TicketState{
		ServiceID: in.ServiceID, CustomerID: in.CustomerID, Ticket: in.Ticket, Title: in.Title, Description: in.Description,
		Severity: in.Severity, OpenedSeverity: in.Severity, Status: TicketOpen,
		OpenedAt: in.OpenedAt.In(calendar.Zone()), OpenedBy: in.OpenedBy, OpenRequestID: in.RequestID,
		PastClocks: []TicketClock{}, Reopens: []TicketAction{}, SeverityChanges: []SeverityChange{}, Events: []Event{},
	}
	t.rt = newRuntime(ctx, &t.s.Seq, &t.s.Events, 0)
	t.rt.project(RecordTicketActivity, func(events []Event) any {
		st := t.s
		st.Events = []Event{}
		return TicketRecord{State: st, Events: events}
	})
	return t
}

func (t *ticket) register(ctx workflow.Context) error {
	return serve(ctx, QueryTicketState, &t.s,
		addAction(ctx, t.rt, UpdateRespondTicket, t.checkRespond, t.respond),
		addAction(ctx, t.rt, UpdateResolveTicket, t.checkResolve, t.resolve),
		addAction(ctx, t.rt, UpdateConfirmClosure, t.checkConfirm, t.confirm),
		addAction(ctx, t.rt, UpdateReopenTicket, t.checkReopen, t.reopen),
		addAction(ctx, t.rt, UpdateChangeSeverity, t.checkChangeSeverity, t.changeSeverity))
}

// warningSpec is the 75% warning clock of a target: ceil(0.75 × N) minutes
// of the same kind and hours. For a business-hour clock that is 75% of the
// business minutes (90 of 120, 45 of 60), not of the wall-clock span, which
// may cross nights and holidays. Clocks count whole minutes, so a 15-minute
// target warns at 12 minutes.
func warningSpec(target calendar.Spec) calendar.Spec {
	w := target
	w.N = (3*target.N + 3) / 4
	return w
}

// startClock computes the response clock of the severity from at.
func (t *ticket) startClock(ctx workflow.Context, at time.Time, severity string) (TicketClock, error) {
	tg, rank := t.plan.Target(severity)
	if rank < 0 {
		return TicketClock{}, fmt.Errorf("severity %q has no response target", severity)
	}
	res, err := t.rt.deadline(ctx, at, tg.Target)
	if err != nil {
		return TicketClock{}, fmt.Errorf("response clock %s: %w", severity, err)
	}
	ws := warningSpec(tg.Target)
	wres, err := t.rt.deadline(ctx, at, ws)
	if err != nil {
		return TicketClock{}, fmt.Errorf("response clock %s warning: %w", severity, err)
	}
	return TicketClock{Severity: severity, Action: tg.Action, Start: at.In(calendar.Zone()),
		Deadline: newDeadline(at, tg.Target, res), Warning: newDeadline(at, ws, wres)}, nil
}

// since returns the result of an action that recorded the events after seq.
func (t *ticket) since(seq int64) ActionResult {
	res := ActionResult{Seq: t.s.Seq, Events: []Event{}}
	for _, e := range t.s.Events {
		if e.Seq > seq {
			res.Events = append(res.Events, e)
		}
	}
	return res
}

// run fires the clock's warning and breach on time, reports changes to the
// service, writes the projection, and ends once the ticket is closed.
func (t *ticket) run(ctx workflow.Context) (TicketResult, error) {
	if _, err := t.rt.loop(ctx, func() error {
		t.fireDue(now(ctx))
		t.report(ctx)
		return nil
	}, func() turn {
		next, ok := t.nextWake()
		return turn{end: t.s.Status == TicketClosed, next: next, wake: ok}
	}); err != nil {
		return TicketResult{}, err
	}
	t.rt.settle(ctx)
	t.report(ctx)
	t.rt.proj.flush(ctx) // a report the service could not take is recorded
	return TicketResult{State: t.s}, nil
}

// nextWake is the next instant of the undecided clock: its warning, then
// its deadline.
func (t *ticket) nextWake() (time.Time, bool) {
	c := &t.s.Clock
	switch {
	case t.s.SLA.Decided:
		return time.Time{}, false
	case c.WarnedAt.IsZero() && c.Warning.At.Before(c.Deadline.At):
		return c.Warning.At, true
	}
	return c.Deadline.At, true
}

// fireDue records the warning and the breach due at or before at, each at
// its own instant.
func (t *ticket) fireDue(at time.Time) {
	c := &t.s.Clock
	if t.s.SLA.Decided {
		return
	}
	sys := ActionMeta{Actor: SystemActor}
	if c.WarnedAt.IsZero() && c.Warning.At.Before(c.Deadline.At) && !at.Before(c.Warning.At) {
		c.WarnedAt = c.Warning.At
		t.rt.record(c.Warning.At, EventTicketWarning, sys, map[string]any{"ticket": t.s.Ticket, "severity": c.Severity,
			"deadline": c.Deadline.At}, RoleManager)
	}
	if !at.Before(c.Deadline.At) {
		c.BreachedAt = c.Deadline.At
		t.s.SLA = TicketSLA{Decided: true, Met: false, Severity: c.Severity, Deadline: c.Deadline.At, DecidedAt: c.Deadline.At}
		t.rt.record(c.Deadline.At, EventTicketBreached, sys, map[string]any{"ticket": t.s.Ticket, "severity": c.Severity,
			"action": c.Action, "target": c.Deadline.Spec, "deadline": c.Deadline.At}, RoleManager)
	}
}

// report sends the service a report when something it needs changed. A
// service that has already ended cannot take it; that is recorded and the
// ticket goes on.
func (t *ticket) report(ctx workflow.Context) {
	if t.in.ServiceWorkflowID == "" {
		return
	}
	rep := TicketReport{ServiceID: t.s.ServiceID, Ticket: t.s.Ticket, Severity: t.s.Severity, Status: t.s.Status,
		SLA: t.s.SLA, ResponseSeconds: t.s.ResponseSeconds}
	if t.s.Response != nil {
		rep.RespondedAt = t.s.Response.At
	}
	if t.s.Closure != nil {
		rep.ClosedAt = t.s.Closure.At
	}
	if t.last != nil && t.last.Severity == rep.Severity && t.last.Status == rep.Status &&
		t.last.SLA.Decided == rep.SLA.Decided && t.last.RespondedAt.Equal(rep.RespondedAt) {
		return
	}
	t.last = &rep
	err := workflow.SignalExternalWorkflow(ctx, t.in.ServiceWorkflowID, "", SignalTicketReport, rep).Get(ctx, nil)
	if err != nil {
		t.rt.logger.Warn("report ticket to service", "Service", t.in.ServiceWorkflowID, "Ticket", t.s.Ticket, "Error", err)
		t.rt.record(now(ctx), EventTicketReportError, ActionMeta{Actor: SystemActor}, map[string]any{
			"service_workflow_id": t.in.ServiceWorkflowID, "status": rep.Status, "error": err.Error()})
	}
}

// ---- actions ----

func (t *ticket) checkActor(a Actor, want Role, what string) *Refusal {
	if a.Role != want {
		return forbidden(RuleRole, fmt.Sprintf("only the %s may %s (actor %q is %q)", want, what, a.Subject, a.Role))
	}
	if want == RoleCustomer && a.CustomerID != t.s.CustomerID {
		return forbidden(RuleCustomer, fmt.Sprintf("ticket %d belongs to another customer", t.s.Ticket))
	}
	return nil
}

func (t *ticket) checkStatus(what string, allowed ...TicketStatus) *Refusal {
	for _, s := range allowed {
		if t.s.Status == s {
			return nil
		}
	}
	if t.s.Status == TicketClosed {
		return refused(RuleEnded, fmt.Sprintf("ticket %d is closed", t.s.Ticket))
	}
	return refused(RuleState, fmt.Sprintf("ticket %d is %s: cannot %s", t.s.Ticket, t.s.Status, what))
}

// respondAt records the response at instant at and decides the clock if
// it is still running.
func (t *ticket) respondAt(at time.Time, m ActionMeta, note string) {
	t.fireDue(at)
	t.s.Response = &TicketAction{At: at, By: m.Actor, RequestID: m.RequestID, Note: note}
	t.s.ResponseSeconds = int64(at.Sub(t.s.OpenedAt) / time.Second)
	t.s.Status = TicketResponded
	c := &t.s.Clock
	if !t.s.SLA.Decided {
		t.s.SLA = TicketSLA{Decided: true, Met: at.Before(c.Deadline.At), Severity: c.Severity, Deadline: c.Deadline.At, DecidedAt: at}
	}
	t.rt.record(at, EventTicketResponded, m, map[string]any{"ticket": t.s.Ticket, "severity": t.s.Severity,
		"sla_severity": t.s.SLA.Severity, "deadline": t.s.SLA.Deadline, "met": t.s.SLA.Met,
		"response_seconds": t.s.ResponseSeconds, "note": note})
}

func (t *ticket) checkRespond(in RespondTicket) *Refusal {
	return first(
		func() *Refusal { return t.checkActor(in.Actor, RoleManager, "respond to tickets") },
		func() *Refusal { return t.checkStatus("respond", TicketOpen) },
	)
}

func (t *ticket) respond(ctx workflow.Context, in RespondTicket) (ActionResult, error) {
	seq := t.s.Seq
	t.respondAt(now(ctx), in.ActionMeta, in.Note)
	return t.since(seq), nil
}

func (t *ticket) checkResolve(in ResolveTicket) *Refusal {
	return first(
		func() *Refusal { return t.checkActor(in.Actor, RoleManager, "resolve tickets") },
		func() *Refusal { return required("resolution", in.Resolution) },
		func() *Refusal { return t.checkStatus("resolve", TicketOpen, TicketResponded) },
	)
}

func (t *ticket) resolve(ctx workflow.Context, in ResolveTicket) (ActionResult, error) {
	seq := t.s.Seq
	at := now(ctx)
	if t.s.Status == TicketOpen {
		t.respondAt(at, in.ActionMeta, "resolved")
	}
	t.s.Resolution = &TicketAction{At: at, By: in.Actor, RequestID: in.RequestID, Note: in.Resolution}
	t.s.Status = TicketResolved
	t.rt.record(at, EventTicketResolved, in.ActionMeta, map[string]any{"ticket": t.s.Ticket, "resolution": in.Resolution}, RoleCustomer)
	return t.since(seq), nil
}

func (t *ticket) checkConfirm(in ConfirmClosure) *Refusal {
	return first(
		func() *Refusal { return t.checkActor(in.Actor, RoleCustomer, "confirm closure") },
		func() *Refusal { return t.checkStatus("confirm closure (it must be resolved first)", TicketResolved) },
	)
}

func (t *ticket) confirm(ctx workflow.Context, in ConfirmClosure) (ActionResult, error) {
	seq := t.s.Seq
	at := now(ctx)
	t.s.Closure = &TicketAction{At: at, By: in.Actor, RequestID: in.RequestID, Note: in.Note}
	t.s.Status = TicketClosed
	t.rt.record(at, EventTicketClosed, in.ActionMeta, map[string]any{"ticket": t.s.Ticket, "note": in.Note,
		"open_seconds": int64(at.Sub(t.s.OpenedAt) / time.Second)})
	return t.since(seq), nil
}

func (t *ticket) checkReopen(in ReopenTicket) *Refusal {
	return first(
		func() *Refusal { return t.checkActor(in.Actor, RoleCustomer, "reopen tickets") },
		func() *Refusal { return required("reason", in.Reason) },
		func() *Refusal { return t.checkStatus("reopen (only a resolved ticket can be)", TicketResolved) },
	)
}

func (t *ticket) reopen(ctx workflow.Context, in ReopenTicket) (ActionResult, error) {
	seq := t.s.Seq
	at := now(ctx)
	t.s.Reopens = append(t.s.Reopens, TicketAction{At: at, By: in.Actor, RequestID: in.RequestID, Note: in.Reason})
	t.s.Resolution = nil
	t.s.Status = TicketResponded
	t.rt.record(at, EventTicketReopened, in.ActionMeta, map[string]any{"ticket": t.s.Ticket, "reason": in.Reason}, RoleManager)
	return t.since(seq), nil
}

func (t *ticket) checkChangeSeverity(in ChangeSeverity) *Refusal {
	return first(
		func() *Refusal {
			if in.Actor.Role == RoleCustomer {
				return t.checkActor(in.Actor, RoleCustomer, "change severity")
			}
			return t.checkActor(in.Actor, RoleManager, "change severity")
		},
		func() *Refusal { return required("severity", in.Severity) },
		func() *Refusal { return required("reason", in.Reason) },
		func() *Refusal {
			_, to := t.plan.Target(in.Severity)
			_, from := t.plan.Target(t.s.Severity)
			switch {
			case to < 0:
				return invalid(RuleUnknown, "severity", fmt.Sprintf("no severity %q (severities: %v)", in.Severity, t.plan.Severities()))
			case to == from:
				return refused(RuleState, fmt.Sprintf("ticket %d is already %s", t.s.Ticket, in.Severity))
			case to > from && in.Actor.Role == RoleCustomer:
				return forbidden(RuleSeverityDowngrade, fmt.Sprintf("only the manager may lower a severity (%s to %s)", t.s.Severity, in.Severity))
			}
			return nil
		},
		func() *Refusal { return t.checkStatus("change severity", TicketOpen, TicketResponded, TicketResolved) },
	)
}

func (t *ticket) changeSeverity(ctx workflow.Context, in ChangeSeverity) (ActionResult, error) {
	seq := t.s.Seq
	at := now(ctx)
	t.fireDue(at)
	var clock TicketClock
	restart := !t.s.SLA.Decided
	if restart {
		c, err := t.startClock(ctx, at, in.Severity)
		if err != nil {
			return ActionResult{}, err
		}
		clock = c
		// Other handlers ran while the clock was computed.
		if r := t.checkChangeSeverity(in); r != nil {
			return ActionResult{}, r.applicationError()
		}
		t.fireDue(now(ctx))
		restart = !t.s.SLA.Decided
	}
	ch := SeverityChange{From: t.s.Severity, To: in.Severity, At: at, By: in.Actor, RequestID: in.RequestID,
		Reason: in.Reason, ClockRestarted: restart}
	t.s.SeverityChanges = append(t.s.SeverityChanges, ch)
	t.s.Severity = in.Severity
	payload := map[string]any{"ticket": t.s.Ticket, "from": ch.From, "to": ch.To, "reason": in.Reason, "clock_restarted": restart}
	if restart {
		old := t.s.Clock
		old.ReplacedAt = at
		t.s.PastClocks = append(t.s.PastClocks, old)
		t.s.Clock = clock
		payload["deadline"] = clock.Deadline.At
		payload["warning"] = clock.Warning.At
	}
	t.rt.record(at, EventSeverityChanged, in.ActionMeta, payload, RoleManager)
	return t.since(seq), nil
}
