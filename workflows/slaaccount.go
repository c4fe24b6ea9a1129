package workflows

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/sowflow/sowflow/plan"
)

// SLAAccountWorkflowName is the workflow type name of a mail SLA account
// (seed 004): the parent that starts each month's SLAPeriod workflow.
const SLAAccountWorkflowName = "SLAAccount"

// SLAAccountWorkflowID returns the workflow ID of an SLA account:
// "sla-account/<account>".
func SLAAccountWorkflowID(account string) string { return "sla-account/" + account }

// QuerySLAAccountState is the name of the query returning the
// SLAAccountState.
const QuerySLAAccountState = "sla-account-state"

// maxSLAAccountEvents and maxSLAAccountPeriods bound what the account's
// state keeps (it travels through every continue-as-new): the latest events
// and the latest periods started. Older ones are in the earlier runs'
// histories and in the periods' own workflows.
const (
	maxSLAAccountEvents  = 50
	maxSLAAccountPeriods = 6
)

// SLAAccountInput is the input of the SLA account workflow.
type SLAAccountInput struct {
	// Account is the email account or DingStore account measured.
	Account    string     `json:"account"`
	CustomerID string     `json:"customer_id"`
	Service    SLAService `json:"service"`
	// MonthlyFeeCents is the monthly fee of the periods, in hundredths of
	// Currency (at least 1).
	MonthlyFeeCents int64  `json:"monthly_fee_cents"`
	Currency        string `json:"currency,omitempty"`
	// FirstPeriod is the first month (YYYY-MM, CST) the account starts a
	// period for; LastPeriod, when set, the last one.
	FirstPeriod string `json:"first_period"`
	LastPeriod  string `json:"last_period,omitempty"`
	StartedBy   Actor  `json:"started_by"`
	RequestID   string `json:"request_id"`
	// ClientRequestID is the client's own X-Request-ID of the start.
	ClientRequestID string `json:"client_request_id,omitempty"`
	// Resume is the state carried over by continue-as-new; nil on the first
	// run.
	Resume *SLAAccountState `json:"resume,omitempty"`
}

// SLAAccountStatus is where an account is.
type SLAAccountStatus string

// SLA account statuses.
const (
	// SLAAccountActive: the account starts a period at each month's start.
	SLAAccountActive SLAAccountStatus = "active"
	// SLAAccountStopped: stopped by the manager; no further periods start.
	SLAAccountStopped SLAAccountStatus = "stopped"
	// SLAAccountCompleted: the last period has started.
	SLAAccountCompleted SLAAccountStatus = "completed"
)

// SLAAccountPeriod is a period the account started (or found running and
// took over).
type SLAAccountPeriod struct {
	Period     string `json:"period"`
	WorkflowID string `json:"workflow_id"`
	// MonthlyFeeCents is the fee the account started it with (0 when taken
	// over: the running period keeps its own).
	MonthlyFeeCents int64     `json:"monthly_fee_cents"`
	At              time.Time `json:"at"`
	// TakenOver is set when the period was already started (through POST
	// /v1/sla-periods): the account did not start it again.
	TakenOver bool `json:"taken_over,omitempty"`
}

// SLAAccountStop is who stopped the account, and when.
type SLAAccountStop struct {
	At        time.Time `json:"at"`
	By        Actor     `json:"by"`
	RequestID string    `json:"request_id,omitempty"`
	Reason    string    `json:"reason,omitempty"`
}

// SLAAccountState is the state of an SLA account, as the
// "sla-account-state" query returns it, continue-as-new carries it and the
// workflow's result holds it. It stays small: Events and Periods keep only
// the latest ones.
type SLAAccountState struct {
	Account    string     `json:"account"`
	CustomerID string     `json:"customer_id"`
	Service    SLAService `json:"service"`
	// MonthlyFeeCents is the fee of the next period to start.
	MonthlyFeeCents int64            `json:"monthly_fee_cents"`
	Currency        string           `json:"currency,omitempty"`
	FirstPeriod     string           `json:"first_period"`
	LastPeriod      string           `json:"last_period,omitempty"`
	Status          SLAAccountStatus `json:"status"`
	// NextPeriod is the next period to start and NextStart its start
	// (00:00 CST of its first day); empty once no period follows.
	NextPeriod string    `json:"next_period,omitempty"`
	NextStart  time.Time `json:"next_start,omitzero"`
	// PeriodsStarted counts the periods started or taken over; Periods are
	// the latest of them (at most maxSLAAccountPeriods), oldest first.
	PeriodsStarted int                `json:"periods_started"`
	Periods        []SLAAccountPeriod `json:"periods"`
	Stop           *SLAAccountStop    `json:"stop,omitempty"`
	// Events are the latest events (at most maxSLAAccountEvents); Seq
	// counts all of them, across runs.
	Events    []Event   `json:"events"`
	Seq       int64     `json:"seq"`
	Run       int       `json:"run"`
	StartedAt time.Time `json:"started_at"`
	StartedBy Actor     `json:"started_by"`
	RequestID string    `json:"request_id,omitempty"`
}

// Event types of SLA accounts (with EventSignalIgnored and
// EventContinuedAsNew).
const (
	EventSLAAccountStarted EventType = "account-started"
	// EventSLAAccountPeriodStarted: the account started a month's SLAPeriod
	// (payload: period, workflow_id, monthly_fee_cents).
	EventSLAAccountPeriodStarted EventType = "period-started"
	// EventSLAAccountPeriodRunning: the month's SLAPeriod was already started
	// (through POST /v1/sla-periods); the account took it over.
	EventSLAAccountPeriodRunning EventType = "period-already-running"
	EventSLAAccountFeeChanged    EventType = "fee-changed"
	EventSLAAccountStopped       EventType = "account-stopped"
	// EventSLAAccountCompleted: the last period has started.
	EventSLAAccountCompleted EventType = "account-completed"
)

// SLA account actions, as updates with validators and signals of the same
// names.

// UpdateChangeSLAFee and SignalChangeSLAFee are the names of ChangeSLAFee.
const (
	UpdateChangeSLAFee = "change-fee"
	SignalChangeSLAFee = UpdateChangeSLAFee
)

// ChangeSLAFee changes the monthly fee (manager or admin) from the next
// period not yet started; running periods keep theirs.
type ChangeSLAFee struct {
	ActionMeta
	MonthlyFeeCents int64  `json:"monthly_fee_cents"`
	Note            string `json:"note,omitempty"`
}

// UpdateStopSLAAccount and SignalStopSLAAccount are the names of
// StopSLAAccount.
const (
	UpdateStopSLAAccount = "stop"
	SignalStopSLAAccount = UpdateStopSLAAccount
)

// StopSLAAccount stops the account (manager or admin): no further period
// starts; the running ones are not affected. The workflow then completes.
type StopSLAAccount struct {
	ActionMeta
	Reason string `json:"reason,omitempty"`
}

// ValidateSLAAccount checks an SLA account input before its first run: the
// SLA period's checks (on the first period), a fee of at least one cent,
// a last period not before the first and a starting role.
func ValidateSLAAccount(in SLAAccountInput) error {
	var errs []error
	add := func(field, rule, msg string) {
		errs = append(errs, &StartError{Field: field, Rule: rule, Message: msg})
	}
	for _, e := range StartErrors(ValidateSLAPeriod(SLAPeriodInput{Account: in.Account, CustomerID: in.CustomerID,
		Service: in.Service, Period: in.FirstPeriod, MonthlyFeeCents: in.MonthlyFeeCents, Currency: in.Currency})) {
		switch e.Field {
		case "period":
			add("first_period", e.Rule, e.Message)
		case "monthly_fee_cents": // checked below
		default:
			errs = append(errs, e)
		}
	}
	if in.MonthlyFeeCents < 1 {
		add("monthly_fee_cents", StartRuleInvalid, "monthly fee must be at least 1 cent")
	}
	if in.LastPeriod != "" {
		if _, _, err := ParseSLAPeriod(in.LastPeriod); err != nil {
			add("last_period", StartRuleInvalid, err.Error())
		} else if in.LastPeriod < in.FirstPeriod {
			add("last_period", StartRuleInvalid, fmt.Sprintf("last period %s is before the first period %s", in.LastPeriod, in.FirstPeriod))
		}
	}
	switch in.StartedBy.Role {
	case RoleManager, RoleAdmin, RoleSystem:
	default:
		add("started_by.role", StartRuleInvalid, fmt.Sprintf("an SLA account is started by a manager, admin or system, not %q", in.StartedBy.Role))
	}
	return errors.Join(errs...)
}

// SLAAccountWorkflow is an account's mail SLA: at 00:00 CST of each month's
// first day, from FirstPeriod (at once when that month has begun) to
// LastPeriod or until stopped, it starts the month's SLAPeriodWorkflow as a
// child with ID SLAPeriodWorkflowID. Children are started with
// ParentClosePolicy ABANDON, since a period lives about three months past
// its start, well past the run that started it, and with
// WorkflowIDReusePolicy REJECT_DUPLICATE: a period already started (through
// POST /v1/sla-periods, or earlier) is recorded as taken over, not started
// twice.
//
// Each run starts one period and continues as new with the state; the run
// after the last period (or a stop) completes with the state as its result.
// A fee change applies from the next period not yet started.
func SLAAccountWorkflow(ctx workflow.Context, in SLAAccountInput) (SLAAccountState, error) {
	if in.Resume == nil {
		if err := ValidateSLAAccount(in); err != nil {
			return SLAAccountState{}, temporal.NewNonRetryableApplicationError("invalid SLA account input: "+err.Error(), InvalidInputErrorType, err)
		}
	}
	w := newSLAAccount(ctx, in)
	if err := w.register(ctx); err != nil {
		return SLAAccountState{}, err
	}
	return w.run(ctx)
}

// slaAccount is one run of an SLA account workflow.
type slaAccount struct {
	in  SLAAccountInput // Resume cleared
	s   SLAAccountState
	ctx workflow.Context
	rt  *runtime
}

func newSLAAccount(ctx workflow.Context, in SLAAccountInput) *slaAccount {
	w := &slaAccount{ctx: ctx}
	w.rt = newRuntime(ctx, &w.s.Seq, &w.s.Events, maxSLAAccountEvents)
	w.rt.ready = true
	if in.Resume != nil {
		w.s = *in.Resume
		w.s.Run++
		in.Resume = nil
		w.in = in
		return w
	}
	w.in = in
	start, _, _ := ParseSLAPeriod(in.FirstPeriod)
	w.s = SLAAccountState{Account: in.Account, CustomerID: in.CustomerID, Service: in.Service,
		MonthlyFeeCents: in.MonthlyFeeCents, Currency: in.Currency, FirstPeriod: in.FirstPeriod, LastPeriod: in.LastPeriod,
		Status: SLAAccountActive, NextPeriod: in.FirstPeriod, NextStart: start, Periods: []SLAAccountPeriod{},
		Events: []Event{}, Run: 1, StartedAt: now(ctx), StartedBy: in.StartedBy, RequestID: in.RequestID}
	w.rt.record(now(ctx), EventSLAAccountStarted, ActionMeta{Actor: in.StartedBy, RequestID: in.RequestID, ClientRequestID: in.ClientRequestID}, map[string]any{
		"account": in.Account, "customer_id": in.CustomerID, "service": in.Service, "monthly_fee_cents": in.MonthlyFeeCents,
		"currency": in.Currency, "first_period": in.FirstPeriod, "last_period": in.LastPeriod,
	})
	return w
}

func (w *slaAccount) register(ctx workflow.Context) error {
	return serve(ctx, QuerySLAAccountState, &w.s,
		addAction(ctx, w.rt, UpdateChangeSLAFee, w.checkChangeFee, w.changeFee),
		addAction(ctx, w.rt, UpdateStopSLAAccount, w.checkStop, w.stop))
}

// run waits for the next period's start and starts it, then continues as
// new; it completes once no period follows or the account is stopped.
func (w *slaAccount) run(ctx workflow.Context) (SLAAccountState, error) {
	started := false
	handOver, err := w.rt.loop(ctx, func() error {
		if w.s.Status != SLAAccountActive || now(ctx).Before(w.s.NextStart) {
			return nil
		}
		started = true
		return w.startPeriod(ctx)
	}, func() turn {
		return turn{end: w.s.Status != SLAAccountActive, handOver: started, next: w.s.NextStart, wake: true}
	})
	if err != nil {
		return SLAAccountState{}, err
	}
	// Let handlers and queued signals finish first: a stop among them
	// completes the account instead of handing over.
	w.rt.settle(ctx)
	if handOver && w.s.Status == SLAAccountActive {
		return SLAAccountState{}, w.continueAsNew(ctx)
	}
	return w.s, nil
}

// startPeriod starts the period due (or takes over the one already
// started), moves NextPeriod on before it blocks (so a fee change or a stop
// while the child starts applies to the periods after it), and completes
// the account after the last period.
func (w *slaAccount) startPeriod(ctx workflow.Context) error {
	period := w.s.NextPeriod
	id := SLAPeriodWorkflowID(w.s.Account, period)
	fee := w.s.MonthlyFeeCents
	next := plan.AddMonthsCST(w.s.NextStart, 1)
	if np := next.Format("2006-01"); w.s.LastPeriod == "" || np <= w.s.LastPeriod {
		w.s.NextPeriod, w.s.NextStart = np, next
	} else {
		w.s.NextPeriod, w.s.NextStart = "", time.Time{}
	}
	pin := SLAPeriodInput{Account: w.s.Account, CustomerID: w.s.CustomerID, Service: w.s.Service, Period: period,
		MonthlyFeeCents: fee, Currency: w.s.Currency, StartedBy: SystemActor, RequestID: SLAAccountWorkflowID(w.s.Account) + "/" + period}
	opts := workflow.ChildWorkflowOptions{
		WorkflowID:            id,
		ParentClosePolicy:     enums.PARENT_CLOSE_POLICY_ABANDON,
		WorkflowIDReusePolicy: enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		// The period carries the customer search attribute, as a period
		// the API starts does.
		TypedSearchAttributes: temporal.NewSearchAttributes(AttrCustomer.ValueSet(w.s.CustomerID)),
	}
	cctx := workflow.WithChildOptions(ctx, opts)
	f := workflow.ExecuteChildWorkflow(cctx, SLAPeriodWorkflowName, pin)
	// Wait until the child has started: an abandoned child whose start is
	// still pending when the run continues as new might never start.
	var exec workflow.Execution
	err := f.GetChildWorkflowExecution().Get(ctx, &exec)
	at := now(ctx)
	sys := ActionMeta{Actor: SystemActor, RequestID: pin.RequestID}
	p := SLAAccountPeriod{Period: period, WorkflowID: id, MonthlyFeeCents: fee, At: at}
	switch {
	case temporal.IsWorkflowExecutionAlreadyStartedError(err):
		p.MonthlyFeeCents, p.TakenOver = 0, true
		w.rt.record(at, EventSLAAccountPeriodRunning, sys, map[string]any{"period": period, "workflow_id": id})
	case err != nil:
		return fmt.Errorf("start SLA period %s: %w", id, err)
	default:
		w.rt.record(at, EventSLAAccountPeriodStarted, sys, map[string]any{"period": period, "workflow_id": id,
			"run_id": exec.RunID, "monthly_fee_cents": fee})
	}
	w.s.PeriodsStarted++
	w.s.Periods = append(w.s.Periods, p)
	if n := len(w.s.Periods); n > maxSLAAccountPeriods {
		w.s.Periods = slices.Clone(w.s.Periods[n-maxSLAAccountPeriods:])
	}
	if w.s.NextPeriod == "" && w.s.Status == SLAAccountActive {
		w.s.Status = SLAAccountCompleted
		w.rt.record(at, EventSLAAccountCompleted, ActionMeta{Actor: SystemActor}, map[string]any{
			"last_period": period, "periods_started": w.s.PeriodsStarted})
	}
	return nil
}

// continueAsNew records the hand-over and continues as new with the state
// (the caller has settled the handlers; nothing blocks in between).
func (w *slaAccount) continueAsNew(ctx workflow.Context) error {
	w.rt.record(now(ctx), EventContinuedAsNew, ActionMeta{Actor: SystemActor}, map[string]any{
		"run": w.s.Run, "next_period": w.s.NextPeriod, "next_start": w.s.NextStart})
	next := w.in
	st := w.s
	next.Resume = &st
	return workflow.NewContinueAsNewError(ctx, SLAAccountWorkflowName, next)
}

// ---- actions ----

func (w *slaAccount) checkManager(a Actor, what string) *Refusal {
	switch a.Role {
	case RoleManager, RoleAdmin:
		return nil
	}
	return forbidden(RuleRole, fmt.Sprintf("only the manager or an admin may %s (actor %q is %q)", what, a.Subject, a.Role))
}

func (w *slaAccount) checkActive() *Refusal {
	switch w.s.Status {
	case SLAAccountStopped:
		return refused(RuleEnded, fmt.Sprintf("SLA account %s was stopped at %s", w.s.Account, w.s.Stop.At.Format(time.RFC3339)))
	case SLAAccountCompleted:
		return refused(RuleEnded, fmt.Sprintf("SLA account %s has started its last period %s", w.s.Account, w.s.LastPeriod))
	}
	if w.s.NextPeriod == "" { // the last period is starting
		return refused(RuleEnded, fmt.Sprintf("SLA account %s is starting its last period %s", w.s.Account, w.s.LastPeriod))
	}
	return nil
}

func (w *slaAccount) checkChangeFee(in ChangeSLAFee) *Refusal {
	return first(
		func() *Refusal { return w.checkManager(in.Actor, "change the fee") },
		func() *Refusal {
			if in.MonthlyFeeCents < 1 {
				return invalid(RuleField, "monthly_fee_cents", "monthly fee must be at least 1 cent")
			}
			return nil
		},
		w.checkActive,
	)
}

func (w *slaAccount) changeFee(ctx workflow.Context, in ChangeSLAFee) (ActionResult, error) {
	from := w.s.MonthlyFeeCents
	w.s.MonthlyFeeCents = in.MonthlyFeeCents
	e := w.rt.record(now(ctx), EventSLAAccountFeeChanged, in.ActionMeta, map[string]any{"from_cents": from,
		"to_cents": in.MonthlyFeeCents, "applies_from": w.s.NextPeriod, "note": in.Note})
	return ActionResult{Seq: w.s.Seq, Events: []Event{e}}, nil
}

func (w *slaAccount) checkStop(in StopSLAAccount) *Refusal {
	return first(
		func() *Refusal { return w.checkManager(in.Actor, "stop the account") },
		w.checkActive,
	)
}

func (w *slaAccount) stop(ctx workflow.Context, in StopSLAAccount) (ActionResult, error) {
	at := now(ctx)
	w.s.Status = SLAAccountStopped
	w.s.Stop = &SLAAccountStop{At: at, By: in.Actor, RequestID: in.RequestID, Reason: strings.TrimSpace(in.Reason)}
	e := w.rt.record(at, EventSLAAccountStopped, in.ActionMeta, map[string]any{"reason": w.s.Stop.Reason,
		"not_started": w.s.NextPeriod, "periods_started": w.s.PeriodsStarted})
	w.s.NextPeriod, w.s.NextStart = "", time.Time{}
	return ActionResult{Seq: w.s.Seq, Events: []Event{e}}, nil
}
