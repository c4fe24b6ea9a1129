package workflows

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/sowflow/sowflow/calendar"
	"github.com/sowflow/sowflow/plan"
)

// SLAPeriodWorkflowName is the workflow type name of one monthly service
// period of a mail SLA (Enterprise Email or Sendify, seed 004).
const SLAPeriodWorkflowName = "SLAPeriod"

// SLAPeriodWorkflowID returns the workflow ID of an account's service period
// (period written YYYY-MM): "sla/<account>/<YYYY-MM>".
func SLAPeriodWorkflowID(account, period string) string { return "sla/" + account + "/" + period }

// QuerySLAPeriodState is the name of the query returning the SLAPeriodState.
const QuerySLAPeriodState = "sla-period-state"

// SLAService is the service an SLA period measures.
type SLAService string

// SLA services.
const (
	// SLAEmail measures outage minutes: availability = (total minutes −
	// unavailable minutes) / total minutes.
	SLAEmail SLAService = "email"
	// SLASendify measures 5-minute error rates: availability = 1 − (sum of
	// the 5-minute error rates / number of 5-minute intervals).
	SLASendify SLAService = "sendify"
)

// slaClaimOpensAfter is the claim window's opening rule: after the 5th
// working day of the month following the period.
const slaClaimOpensAfter = 5

// EventClaimWindowRecomputed is recorded when newer calendar data moved a
// provisional claim window or made it certain (SignalCalendarUpdated):
// the old and new opening and closing, the provisional flag, the calendar
// version, and whether the opening was kept because claims had opened.
const EventClaimWindowRecomputed EventType = "claim-window-recomputed"

// slaLateClaimGrace is how long a period workflow stays after its claim
// window closes, to refuse late claims with the window named; then it
// completes and the API answers from its result.
const slaLateClaimGrace = 30 * 24 * time.Hour

// maxErrorIntervals bounds the intervals of one RecordErrorIntervals
// message (a week of 5-minute intervals).
const maxErrorIntervals = 7 * 288

// SLAPeriodInput is the input of the SLA period workflow.
type SLAPeriodInput struct {
	// Account is the email account or DingStore account measured.
	Account    string     `json:"account"`
	CustomerID string     `json:"customer_id"`
	Service    SLAService `json:"service"`
	// Period is the calendar month in CST, YYYY-MM.
	Period string `json:"period"`
	// MonthlyFeeCents is the month's fee for the account (excluding fees
	// offset by vouchers), in hundredths of Currency.
	MonthlyFeeCents int64  `json:"monthly_fee_cents"`
	Currency        string `json:"currency,omitempty"`
	StartedBy       Actor  `json:"started_by"`
	RequestID       string `json:"request_id"`
	// ClientRequestID is the client's own X-Request-ID of the start.
	ClientRequestID string `json:"client_request_id,omitempty"`
}

// SLAPeriodStatus is where a period is.
type SLAPeriodStatus string

// SLA period statuses.
const (
	// SLACollecting: the month is running; outages and error intervals are
	// recorded.
	SLACollecting SLAPeriodStatus = "collecting"
	// SLAComputed: the month is over and computed; the claim window has not
	// opened.
	SLAComputed SLAPeriodStatus = "computed"
	// SLAClaimOpen: claims are accepted.
	SLAClaimOpen SLAPeriodStatus = "claim-open"
	// SLAClosed: the claim window has closed; late claims are refused until
	// the workflow completes.
	SLAClosed SLAPeriodStatus = "closed"
)

// Outage is a recorded Email unavailability: Minutes from Start. Outages
// that overlap count their common minutes once. An outage with Excluded set
// (one of the SLA's exclusions: notified maintenance, customer causes, force
// majeure...) is recorded but not counted.
type Outage struct {
	Start      time.Time `json:"start"`
	Minutes    int       `json:"minutes"`
	Excluded   string    `json:"excluded,omitempty"`
	Note       string    `json:"note,omitempty"`
	RecordedAt time.Time `json:"recorded_at"`
	RecordedBy Actor     `json:"recorded_by"`
	RequestID  string    `json:"request_id,omitempty"`
}

// ErrorInterval is one Sendify 5-minute interval with failures: Failed of
// Valid requests failed (error rate Failed/Valid). Start is on the 5-minute
// grid of the period. Intervals not recorded had no failures.
type ErrorInterval struct {
	Start  time.Time `json:"start"`
	Failed int64     `json:"failed"`
	Valid  int64     `json:"valid"`
}

// SLAComputation is a period's computed availability and compensation.
type SLAComputation struct {
	Service SLAService `json:"service"`
	// TotalMinutes is days × 1440; Intervals days × 288 (Sendify).
	TotalMinutes int64 `json:"total_minutes"`
	Intervals    int64 `json:"intervals,omitempty"`
	// UnavailableMinutes are the counted outage minutes (Email).
	UnavailableMinutes int64 `json:"unavailable_minutes"`
	// ErrorRateSum is the exact sum of the 5-minute error rates (Sendify),
	// as a fraction "num/den".
	ErrorRateSum string `json:"error_rate_sum,omitempty"`
	// Availability is the exact availability as a fraction "num/den";
	// AvailabilityPct the percentage with four decimals, rounded down (so
	// it never reads as a higher tier than it is).
	Availability    string `json:"availability"`
	AvailabilityPct string `json:"availability_pct"`
	// CommitmentMet is set at 99.90% or more.
	CommitmentMet bool `json:"commitment_met"`
	// CompensationPct is the voucher tier: 0, 10 (99.00% ≤ a < 99.90%), 20
	// (95.00% ≤ a < 99.00%) or 50 (a < 95.00%) percent of the monthly fee,
	// capped at 50%.
	CompensationPct   int   `json:"compensation_pct"`
	CompensationCents int64 `json:"compensation_cents"`
	// Method names the implementation that computed it.
	Method string `json:"method"`
}

// SLAClaim is a filed compensation claim.
type SLAClaim struct {
	At                time.Time `json:"at"`
	By                Actor     `json:"by"`
	RequestID         string    `json:"request_id,omitempty"`
	Note              string    `json:"note,omitempty"`
	CompensationPct   int       `json:"compensation_pct"`
	CompensationCents int64     `json:"compensation_cents"`
}

// SLAPeriodState is the whole state of an SLA period, as the "sla-period-state" query
// returns it and the workflow's result carries it.
type SLAPeriodState struct {
	Account         string          `json:"account"`
	CustomerID      string          `json:"customer_id"`
	Service         SLAService      `json:"service"`
	Period          string          `json:"period"`
	PeriodStart     time.Time       `json:"period_start"`
	PeriodEnd       time.Time       `json:"period_end"`
	Status          SLAPeriodStatus `json:"status"`
	MonthlyFeeCents int64           `json:"monthly_fee_cents"`
	Currency        string          `json:"currency,omitempty"`
	Outages         []Outage        `json:"outages"`
	// Intervals are the recorded error intervals, by start.
	Intervals []ErrorInterval `json:"intervals"`
	Result    *SLAComputation `json:"result,omitempty"`
	// ClaimOpens is when claims open: 24:00 of the 5th working day of the
	// next month. ClaimCloses is when they close.
	//
	// Both come from the claim-window local activity (sla.ClaimWindow).
	// ClaimOpens.Provisional and CalendarVersion describe the whole window:
	// when it is provisional it is recomputed at the period's end, and
	// whenever SignalCalendarUpdated reports newer calendar data before the
	// window closes. Until claims open, both instants may move; a new
	// opening already past opens claims at once. Once claims have opened,
	// the opening stays (claims filed stay filed) and only the closing
	// moves; a new closing already past closes the window at once.
	ClaimOpens  DeadlineState `json:"claim_opens"`
	ClaimCloses time.Time     `json:"claim_closes"`
	// EndsAt is when the workflow completes (slaLateClaimGrace after the
	// window closes; it follows ClaimCloses when the window is recomputed).
	EndsAt    time.Time `json:"ends_at"`
	Claim     *SLAClaim `json:"claim,omitempty"`
	Events    []Event   `json:"events"`
	Seq       int64     `json:"seq"`
	StartedAt time.Time `json:"started_at"`
	StartedBy Actor     `json:"started_by"`
}

// SLA period actions, as updates with validators and signals of the same
// names.

// UpdateRecordOutage and SignalRecordOutage are the names of RecordOutage.
const (
	UpdateRecordOutage = "record-outage"
	SignalRecordOutage = UpdateRecordOutage
)

// RecordOutage records an Email outage (manager, admin or system — a
// monitoring integration). An outage with the Start of a recorded one
// replaces it (a correction). It must lie inside the period and arrive
// before the period ends.
type RecordOutage struct {
	ActionMeta
	Start    time.Time `json:"start"`
	Minutes  int       `json:"minutes"`
	Excluded string    `json:"excluded,omitempty"`
	Note     string    `json:"note,omitempty"`
}

// UpdateRecordErrorIntervals and SignalRecordErrorIntervals are the names of
// RecordErrorIntervals.
const (
	UpdateRecordErrorIntervals = "record-error-intervals"
	SignalRecordErrorIntervals = UpdateRecordErrorIntervals
)

// RecordErrorIntervals records Sendify 5-minute intervals with failures
// (manager, admin or system), at most a week of them per message. An
// interval with the Start of a recorded one replaces it.
type RecordErrorIntervals struct {
	ActionMeta
	Intervals []ErrorInterval `json:"intervals"`
}

// UpdateFileClaim and SignalFileClaim are the names of FileClaim.
const (
	UpdateFileClaim = "file-claim"
	SignalFileClaim = UpdateFileClaim
)

// FileClaim files the compensation claim of the period (the account's
// customer). Refused outside the claim window (RuleClaimWindow, naming it),
// when the commitment was met (RuleCommitmentMet) and when already filed.
type FileClaim struct {
	ActionMeta
	Note string `json:"note,omitempty"`
}

// ParseSLAPeriod parses "YYYY-MM" and returns the month's bounds in CST.
func ParseSLAPeriod(period string) (start, end time.Time, err error) {
	t, err := time.ParseInLocation("2006-01", period, calendar.Zone())
	if err != nil || t.Format("2006-01") != period {
		return time.Time{}, time.Time{}, fmt.Errorf("period %q: want YYYY-MM", period)
	}
	return t, plan.AddMonthsCST(t, 1), nil
}

// ValidateSLAPeriod checks an SLA period input.
func ValidateSLAPeriod(in SLAPeriodInput) error {
	var errs []error
	add := func(field, rule, msg string) {
		errs = append(errs, &StartError{Field: field, Rule: rule, Message: msg})
	}
	if strings.TrimSpace(in.Account) == "" || strings.Contains(in.Account, "/") {
		add("account", StartRuleRequired, "account is required and must not contain '/'")
	}
	if strings.TrimSpace(in.CustomerID) == "" {
		add("customer_id", StartRuleRequired, "customer id is required")
	}
	if in.Service != SLAEmail && in.Service != SLASendify {
		add("service", StartRuleInvalid, fmt.Sprintf("unknown service %q (want email or sendify)", in.Service))
	}
	if _, _, err := ParseSLAPeriod(in.Period); err != nil {
		add("period", StartRuleInvalid, err.Error())
	}
	if in.MonthlyFeeCents < 0 {
		add("monthly_fee_cents", StartRuleInvalid, "monthly fee must not be negative")
	}
	return errors.Join(errs...)
}

// SLAPeriodWorkflow is one account's monthly SLA service period: it takes
// outages (Email) or error intervals (Sendify) while the month runs,
// computes availability and the compensation tier at 00:00 CST of the next
// month, keeps the claim window (after the 5th working day of the next
// month until 24:00 of the last day of the second month after the period,
// or of the next working day) and takes the claim. It
// completes slaLateClaimGrace after the window closes; its result is the
// SLAPeriodState.
//
// The period computes with package sla through two local activities whose
// results are recorded in history (DESIGN.md rule 7):
// SLAClaimWindowActivity at the start (again at the period's end when the
// window was provisional, and when SignalCalendarUpdated reports newer
// calendar data) and SLAComputeActivity at the period's end. It writes its
// state and new events to the read model through the
// RecordSLAPeriodActivity activity after every change, and an action's
// update answers only once its events are written.
func SLAPeriodWorkflow(ctx workflow.Context, in SLAPeriodInput) (SLAPeriodState, error) {
	if err := ValidateSLAPeriod(in); err != nil {
		return SLAPeriodState{}, temporal.NewNonRetryableApplicationError("invalid SLA period input: "+err.Error(), InvalidInputErrorType, err)
	}
	w := newSLAPeriod(ctx, in)
	if err := w.register(ctx); err != nil {
		return SLAPeriodState{}, err
	}
	if err := w.begin(ctx); err != nil {
		return SLAPeriodState{}, err
	}
	w.rt.ready = true
	return w.run(ctx)
}

// slaPeriod is the run of an SLA period workflow.
type slaPeriod struct {
	in  SLAPeriodInput
	s   SLAPeriodState
	ctx workflow.Context // the root context, for the clock in checks
	rt  *runtime
}

func newSLAPeriod(ctx workflow.Context, in SLAPeriodInput) *slaPeriod {
	start, end, _ := ParseSLAPeriod(in.Period)
	w := &slaPeriod{in: in, ctx: ctx}
	w.s = SLAPeriodState{Account: in.Account, CustomerID: in.CustomerID, Service: in.Service, Period: in.Period,
		PeriodStart: start, PeriodEnd: end, Status: SLACollecting, MonthlyFeeCents: in.MonthlyFeeCents,
		Currency: in.Currency, Outages: []Outage{}, Intervals: []ErrorInterval{}, Events: []Event{},
		StartedAt: now(ctx), StartedBy: in.StartedBy}
	w.rt = newRuntime(ctx, &w.s.Seq, &w.s.Events, 0)
	// A record carries the state without the event list and the Sendify
	// error intervals (up to 8,928 a month, which every write would carry
	// again; the workflow's state and result keep them).
	w.rt.project(RecordSLAPeriodActivity, func(events []Event) any {
		st := w.s
		st.Events = []Event{}
		st.Intervals = []ErrorInterval{}
		return SLAPeriodRecord{State: st, Events: events}
	})
	return w
}

func (w *slaPeriod) register(ctx workflow.Context) error {
	err := serve(ctx, QuerySLAPeriodState, &w.s,
		addAction(ctx, w.rt, UpdateRecordOutage, w.checkOutage, w.recordOutage),
		addAction(ctx, w.rt, UpdateRecordErrorIntervals, w.checkIntervals, w.recordIntervals),
		addAction(ctx, w.rt, UpdateFileClaim, w.checkClaim, w.fileClaim))
	addCheckedSignal(ctx, w.rt, SignalCalendarUpdated, w.checkCalendar, w.calendarUpdated)
	return err
}

// claimOpensRule is the claim window's opening as a deadline: the 5th
// working day strictly after the period's last day, at 24:00.
func (w *slaPeriod) claimOpensRule() (time.Time, calendar.Spec) {
	return w.s.PeriodEnd.Add(-time.Nanosecond), calendar.Spec{Kind: calendar.WorkingDays, N: slaClaimOpensAfter}
}

// computeClaimWindow sets ClaimOpens, ClaimCloses and EndsAt from package
// sla's window (claim-window local activity).
func (w *slaPeriod) computeClaimWindow(ctx workflow.Context) error {
	from, spec := w.claimOpensRule()
	win, err := computeSLAClaimWindow(ctx, w.s.Period)
	if err != nil {
		return err
	}
	w.s.ClaimOpens = newDeadline(from, spec, calendar.Result{Deadline: win.Opens, Provisional: win.Provisional,
		CalendarVersion: win.CalendarVersion})
	w.s.ClaimCloses = win.Closes
	w.s.EndsAt = w.s.ClaimCloses.Add(slaLateClaimGrace)
	return nil
}

func (w *slaPeriod) begin(ctx workflow.Context) error {
	if err := w.computeClaimWindow(ctx); err != nil {
		return err
	}
	w.rt.record(now(ctx), EventSLAPeriodStarted, ActionMeta{Actor: w.in.StartedBy, RequestID: w.in.RequestID, ClientRequestID: w.in.ClientRequestID}, map[string]any{
		"account": w.s.Account, "service": w.s.Service, "period": w.s.Period, "period_end": w.s.PeriodEnd,
		"claim_opens": w.s.ClaimOpens.At, "claim_closes": w.s.ClaimCloses, "provisional": w.s.ClaimOpens.Provisional,
	})
	return nil
}

// run moves the period through its instants: the period's end (compute),
// the claim window's opening and closing, and the workflow's end, writing
// the projection after every change.
func (w *slaPeriod) run(ctx workflow.Context) (SLAPeriodState, error) {
	if _, err := w.rt.loop(ctx, func() error { return w.advance(ctx) }, func() turn {
		return turn{end: !now(ctx).Before(w.s.EndsAt), next: w.nextInstant(), wake: true}
	}); err != nil {
		return SLAPeriodState{}, err
	}
	w.rt.settle(ctx)
	w.rt.record(now(ctx), EventSLAPeriodClosed, ActionMeta{Actor: SystemActor}, map[string]any{"period": w.s.Period})
	w.rt.proj.flush(ctx)
	return w.s, nil
}

// nextInstant is the next instant the period changes at.
func (w *slaPeriod) nextInstant() time.Time {
	switch w.s.Status {
	case SLACollecting:
		return w.s.PeriodEnd
	case SLAComputed:
		return w.s.ClaimOpens.At
	case SLAClaimOpen:
		return w.s.ClaimCloses
	}
	return w.s.EndsAt
}

// advance fires every change due now, in order, each recorded at its own
// instant.
func (w *slaPeriod) advance(ctx workflow.Context) error {
	sys := ActionMeta{Actor: SystemActor}
	if w.s.Status == SLACollecting && !now(ctx).Before(w.s.PeriodEnd) {
		if w.s.ClaimOpens.Provisional {
			if err := w.computeClaimWindow(ctx); err != nil {
				return err
			}
		}
		res, err := w.compute(ctx)
		if err != nil {
			return err
		}
		w.s.Result = &res
		w.s.Status = SLAComputed
		var notify []Role
		if res.CompensationPct > 0 {
			notify = []Role{RoleCustomer, RoleManager}
		}
		w.rt.record(w.s.PeriodEnd, EventSLAPeriodComputed, sys, map[string]any{"period": w.s.Period, "result": res,
			"claim_opens": w.s.ClaimOpens.At, "claim_closes": w.s.ClaimCloses}, notify...)
	}
	at := now(ctx)
	if w.s.Status == SLAComputed && !at.Before(w.s.ClaimOpens.At) {
		w.s.Status = SLAClaimOpen
		var notify []Role
		if w.s.Result.CompensationPct > 0 {
			notify = []Role{RoleCustomer}
		}
		w.rt.record(w.s.ClaimOpens.At, EventClaimWindowOpened, sys, map[string]any{"period": w.s.Period,
			"claim_closes": w.s.ClaimCloses, "compensation_pct": w.s.Result.CompensationPct}, notify...)
	}
	if w.s.Status == SLAClaimOpen && !at.Before(w.s.ClaimCloses) {
		w.s.Status = SLAClosed
		w.rt.record(w.s.ClaimCloses, EventClaimWindowClosed, sys, map[string]any{"period": w.s.Period, "claimed": w.s.Claim != nil})
	}
	return nil
}

// checkCalendar admits a calendar update for a window that newer data can
// still move: from an admin or the system, with the calendar version, for
// a period whose window is provisional and has not closed.
func (w *slaPeriod) checkCalendar(in CalendarUpdated) *Refusal {
	if in.Actor.Role != RoleAdmin && in.Actor.Role != RoleSystem {
		return forbidden(RuleRole, fmt.Sprintf("only an admin or the system may report calendar updates (actor %q is %q)", in.Actor.Subject, in.Actor.Role))
	}
	return first(
		func() *Refusal { return required("calendar_version", in.CalendarVersion) },
		func() *Refusal {
			switch {
			case w.s.Status == SLAClosed || !now(w.ctx).Before(w.s.ClaimCloses):
				return refused(RuleClaimWindow, "the window has closed: "+w.claimWindow())
			case !w.s.ClaimOpens.Provisional:
				return refused(RuleState, fmt.Sprintf("the claim window of period %s is not provisional (calendar %s)", w.s.Period, w.s.ClaimOpens.CalendarVersion))
			}
			return nil
		},
	)
}

// calendarUpdated handles SignalCalendarUpdated: a provisional window that
// has not closed is recomputed through the claim-window local activity
// and moved (moveClaimWindow); a signal checkCalendar refuses is recorded
// as ignored.
func (w *slaPeriod) calendarUpdated(ctx workflow.Context, in CalendarUpdated) (ActionResult, error) {
	win, err := computeSLAClaimWindow(ctx, w.s.Period)
	if err != nil {
		return ActionResult{}, err
	}
	// The window may have closed or been recomputed while the activity ran.
	if r := w.checkCalendar(in); r != nil {
		return ActionResult{}, r
	}
	w.moveClaimWindow(ctx, in, win)
	return ActionResult{Seq: w.s.Seq, Events: []Event{}}, nil
}

// moveClaimWindow puts a recomputed window in force. Until claims open,
// both instants follow it (an opening already past opens claims at once,
// in the main loop). Once claims have opened, the opening stays where it
// was, so that nothing done in the window is undone, and only the closing
// follows (a closing already past closes the window at once). EndsAt
// follows ClaimCloses. It records EventClaimWindowRecomputed when an
// instant or the provisional flag changed, and nothing otherwise.
func (w *slaPeriod) moveClaimWindow(ctx workflow.Context, in CalendarUpdated, win SLAClaimWindow) {
	old, oldCloses := w.s.ClaimOpens, w.s.ClaimCloses
	opens := win.Opens
	kept := w.s.Status == SLAClaimOpen && !opens.Equal(old.At)
	if w.s.Status == SLAClaimOpen {
		opens = old.At
	}
	if opens.Equal(old.At) && win.Closes.Equal(oldCloses) && win.Provisional == old.Provisional {
		return
	}
	from, spec := w.claimOpensRule()
	w.s.ClaimOpens = newDeadline(from, spec, calendar.Result{Deadline: opens, Provisional: win.Provisional, CalendarVersion: win.CalendarVersion})
	w.s.ClaimCloses = win.Closes
	w.s.EndsAt = w.s.ClaimCloses.Add(slaLateClaimGrace)
	w.rt.record(now(ctx), EventClaimWindowRecomputed, in.ActionMeta, map[string]any{"period": w.s.Period,
		"old_claim_opens": old.At, "old_claim_closes": oldCloses, "claim_opens": w.s.ClaimOpens.At, "claim_closes": w.s.ClaimCloses,
		"computed_claim_opens": win.Opens, "opens_kept": kept, "provisional": win.Provisional,
		"calendar_version": win.CalendarVersion})
}

// compute measures the period and computes its availability and
// compensation with package sla, through the compute local activity.
func (w *slaPeriod) compute(ctx workflow.Context) (SLAComputation, error) {
	days := int(w.s.PeriodEnd.Sub(w.s.PeriodStart) / (24 * time.Hour))
	return computeSLA(ctx, SLAComputeRequest{Service: w.s.Service, Days: days,
		UnavailableMinutes: unavailableMinutes(w.s.Outages), Intervals: slices.Clone(w.s.Intervals),
		MonthlyFeeCents: w.s.MonthlyFeeCents})
}

// ---- actions ----

// checkRecorder admits the provider's side: manager, admin or system.
func (w *slaPeriod) checkRecorder(a Actor) *Refusal {
	switch a.Role {
	case RoleManager, RoleAdmin, RoleSystem:
		return nil
	}
	return forbidden(RuleRole, fmt.Sprintf("only the manager, an admin or the system may record measurements (actor %q is %q)", a.Subject, a.Role))
}

func (w *slaPeriod) checkCollecting() *Refusal {
	if now(w.ctx).Before(w.s.PeriodEnd) {
		return nil
	}
	return refused(RulePeriodClosed, fmt.Sprintf("period %s ended at %s and is computed", w.s.Period, w.s.PeriodEnd.Format(time.RFC3339)))
}

func (w *slaPeriod) checkService(want SLAService, what string) *Refusal {
	if w.s.Service != want {
		return invalid(RuleServiceKind, "service", fmt.Sprintf("%s apply to %s, not %s", what, want, w.s.Service))
	}
	return nil
}

func (w *slaPeriod) checkOutage(in RecordOutage) *Refusal {
	return first(
		func() *Refusal { return w.checkRecorder(in.Actor) },
		func() *Refusal { return w.checkService(SLAEmail, "outages") },
		func() *Refusal {
			switch {
			case in.Start.IsZero():
				return invalid(RuleField, "start", "start is required")
			case in.Minutes < 1:
				return invalid(RuleField, "minutes", "minutes must be at least 1")
			case in.Start.Before(w.s.PeriodStart) || in.Start.Add(time.Duration(in.Minutes)*time.Minute).After(w.s.PeriodEnd):
				return invalid(RuleField, "start", fmt.Sprintf("the outage must lie within period %s (%s to %s)", w.s.Period,
					w.s.PeriodStart.Format(time.RFC3339), w.s.PeriodEnd.Format(time.RFC3339)))
			}
			return nil
		},
		w.checkCollecting,
	)
}

func (w *slaPeriod) recordOutage(ctx workflow.Context, in RecordOutage) (ActionResult, error) {
	at := now(ctx)
	o := Outage{Start: in.Start.In(calendar.Zone()), Minutes: in.Minutes, Excluded: in.Excluded, Note: in.Note,
		RecordedAt: at, RecordedBy: in.Actor, RequestID: in.RequestID}
	replaced := false
	for i := range w.s.Outages {
		if w.s.Outages[i].Start.Equal(o.Start) {
			w.s.Outages[i], replaced = o, true
		}
	}
	if !replaced {
		w.s.Outages = append(w.s.Outages, o)
		sort.SliceStable(w.s.Outages, func(i, j int) bool { return w.s.Outages[i].Start.Before(w.s.Outages[j].Start) })
	}
	e := w.rt.record(at, EventOutageRecorded, in.ActionMeta, map[string]any{"start": o.Start, "minutes": o.Minutes,
		"excluded": o.Excluded, "replaced": replaced, "unavailable_minutes": unavailableMinutes(w.s.Outages)})
	return ActionResult{Seq: w.s.Seq, Events: []Event{e}}, nil
}

func (w *slaPeriod) checkIntervals(in RecordErrorIntervals) *Refusal {
	return first(
		func() *Refusal { return w.checkRecorder(in.Actor) },
		func() *Refusal { return w.checkService(SLASendify, "error intervals") },
		func() *Refusal {
			if len(in.Intervals) == 0 || len(in.Intervals) > maxErrorIntervals {
				return invalid(RuleField, "intervals", fmt.Sprintf("between 1 and %d intervals are required", maxErrorIntervals))
			}
			seen := map[int64]bool{}
			for i, iv := range in.Intervals {
				f := fmt.Sprintf("intervals[%d]", i)
				off := iv.Start.Sub(w.s.PeriodStart)
				switch {
				case iv.Start.Before(w.s.PeriodStart) || !iv.Start.Before(w.s.PeriodEnd):
					return invalid(RuleField, f+".start", fmt.Sprintf("the interval must start within period %s", w.s.Period))
				case off%(5*time.Minute) != 0:
					return invalid(RuleField, f+".start", "the interval must start on the 5-minute grid (hh:00, hh:05, ...)")
				case iv.Valid < 1 || iv.Failed < 0 || iv.Failed > iv.Valid:
					return invalid(RuleField, f, "want 0 <= failed <= valid and valid >= 1")
				case seen[int64(off)]:
					return invalid(RuleField, f+".start", "the interval is given twice")
				}
				seen[int64(off)] = true
			}
			return nil
		},
		w.checkCollecting,
	)
}

func (w *slaPeriod) recordIntervals(ctx workflow.Context, in RecordErrorIntervals) (ActionResult, error) {
	at := now(ctx)
	byStart := make(map[int64]int, len(w.s.Intervals))
	for i, iv := range w.s.Intervals {
		byStart[iv.Start.UnixNano()] = i
	}
	replaced := 0
	for _, iv := range in.Intervals {
		iv.Start = iv.Start.In(calendar.Zone())
		if i, ok := byStart[iv.Start.UnixNano()]; ok {
			w.s.Intervals[i] = iv
			replaced++
			continue
		}
		byStart[iv.Start.UnixNano()] = len(w.s.Intervals)
		w.s.Intervals = append(w.s.Intervals, iv)
	}
	sort.SliceStable(w.s.Intervals, func(i, j int) bool { return w.s.Intervals[i].Start.Before(w.s.Intervals[j].Start) })
	e := w.rt.record(at, EventErrorIntervalsRecorded, in.ActionMeta, map[string]any{"intervals": len(in.Intervals),
		"replaced": replaced, "recorded": len(w.s.Intervals)})
	return ActionResult{Seq: w.s.Seq, Events: []Event{e}}, nil
}

// claimWindow names the window for refusals.
func (w *slaPeriod) claimWindow() string {
	if w.s.ClaimOpens.IsZero() || w.s.ClaimCloses.IsZero() {
		return fmt.Sprintf("the claim window of %s period %s is not computed yet", w.s.Service, w.s.Period)
	}
	return fmt.Sprintf("claims for %s period %s are accepted from %s until %s", w.s.Service, w.s.Period,
		w.s.ClaimOpens.At.Format(time.RFC3339), w.s.ClaimCloses.Format(time.RFC3339))
}

func (w *slaPeriod) checkClaim(in FileClaim) *Refusal {
	return first(
		func() *Refusal {
			if in.Actor.Role != RoleCustomer {
				return forbidden(RuleRole, fmt.Sprintf("only the customer may file a claim (actor %q is %q)", in.Actor.Subject, in.Actor.Role))
			}
			if in.Actor.CustomerID != w.s.CustomerID {
				return forbidden(RuleCustomer, fmt.Sprintf("account %s belongs to another customer", w.s.Account))
			}
			return nil
		},
		func() *Refusal {
			at := now(w.ctx)
			if w.s.ClaimOpens.IsZero() || at.Before(w.s.ClaimOpens.At) {
				return refused(RuleClaimWindow, "too early: "+w.claimWindow())
			}
			if !at.Before(w.s.ClaimCloses) {
				return refused(RuleClaimWindow, "too late: "+w.claimWindow())
			}
			return nil
		},
		func() *Refusal {
			switch {
			case w.s.Result == nil:
				return refused(RuleState, fmt.Sprintf("period %s is not computed yet", w.s.Period))
			case w.s.Result.CompensationPct == 0:
				return refused(RuleCommitmentMet, fmt.Sprintf("availability %s%% met the 99.90%% commitment in %s: no compensation is due",
					w.s.Result.AvailabilityPct, w.s.Period))
			case w.s.Claim != nil:
				return refused(RuleState, fmt.Sprintf("the claim for %s was filed at %s", w.s.Period, w.s.Claim.At.Format(time.RFC3339)))
			}
			return nil
		},
	)
}

func (w *slaPeriod) fileClaim(ctx workflow.Context, in FileClaim) (ActionResult, error) {
	at := now(ctx)
	w.s.Claim = &SLAClaim{At: at, By: in.Actor, RequestID: in.RequestID, Note: in.Note,
		CompensationPct: w.s.Result.CompensationPct, CompensationCents: w.s.Result.CompensationCents}
	e := w.rt.record(at, EventClaimFiled, in.ActionMeta, map[string]any{"period": w.s.Period,
		"compensation_pct": w.s.Claim.CompensationPct, "compensation_cents": w.s.Claim.CompensationCents}, RoleManager)
	return ActionResult{Seq: w.s.Seq, Events: []Event{e}}, nil
}

// unavailableMinutes is the union of the counted outages, in minutes.
func unavailableMinutes(outages []Outage) int64 {
	type span struct{ a, b int64 } // [a, b) in Unix nanoseconds
	var spans []span
	for _, o := range outages {
		if o.Excluded != "" {
			continue
		}
		a := o.Start.UnixNano()
		spans = append(spans, span{a, a + int64(o.Minutes)*int64(time.Minute)})
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].a < spans[j].a })
	var total, end int64
	started := false
	for _, s := range spans {
		if !started || s.a > end {
			total += s.b - s.a
			end, started = s.b, true
			continue
		}
		if s.b > end {
			total += s.b - end
			end = s.b
		}
	}
	return total / int64(time.Minute)
}
