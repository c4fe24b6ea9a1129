package workflows_test

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/sowflow/sowflow/workflows"
)

const slaAccountName = "acct@mail-cust.example"

// slaAccountDriverName is the root workflow of the SLA account tests: it
// runs the account as a child (the test environment restarts a child that
// continues as new), after starting the periods in Existing as POST
// /v1/sla-periods would.
const slaAccountDriverName = "SLAAccountDriver"

type slaAccountDriverInput struct {
	Account  workflows.SLAAccountInput
	Existing []workflows.SLAPeriodInput
}

func slaAccountDriver(ctx workflow.Context, in slaAccountDriverInput) (workflows.SLAAccountState, error) {
	for _, p := range in.Existing {
		cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
			WorkflowID: workflows.SLAPeriodWorkflowID(p.Account, p.Period), ParentClosePolicy: enums.PARENT_CLOSE_POLICY_ABANDON})
		if err := workflow.ExecuteChildWorkflow(cctx, workflows.SLAPeriodWorkflowName, p).GetChildWorkflowExecution().Get(ctx, nil); err != nil {
			return workflows.SLAAccountState{}, err
		}
	}
	cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
		WorkflowID: workflows.SLAAccountWorkflowID(in.Account.Account), ParentClosePolicy: enums.PARENT_CLOSE_POLICY_ABANDON})
	var res workflows.SLAAccountState
	err := workflow.ExecuteChildWorkflow(cctx, workflows.SLAAccountWorkflowName, in.Account).Get(ctx, &res)
	return res, err
}

// childStart is one workflow start seen by the test environment.
type childStart struct {
	typ, id string
	at      time.Time
	period  workflows.SLAPeriodInput // SLAPeriod starts
	// customer is the child's SowCustomer search attribute.
	customer string
}

// slaAccountEnv is the harness with the SLA account workflow, its
// driver and a record of every child (and continued run) started.
type slaAccountEnv struct {
	*harness
	mu     sync.Mutex
	starts []childStart
}

func newSLAAccountEnv(t *testing.T, start time.Time) *slaAccountEnv {
	h := &slaAccountEnv{harness: newSvc(t, start)}
	h.env.RegisterWorkflowWithOptions(workflows.SLAAccountWorkflow, workflow.RegisterOptions{Name: workflows.SLAAccountWorkflowName})
	h.env.RegisterWorkflowWithOptions(slaAccountDriver, workflow.RegisterOptions{Name: slaAccountDriverName})
	h.env.SetOnChildWorkflowStartedListener(func(info *workflow.Info, ctx workflow.Context, args converter.EncodedValues) {
		cs := childStart{typ: info.WorkflowType.Name, id: info.WorkflowExecution.ID, at: workflow.Now(ctx)}
		cs.customer, _ = workflow.GetTypedSearchAttributes(ctx).GetKeyword(workflows.AttrCustomer)
		if cs.typ == workflows.SLAPeriodWorkflowName {
			if err := args.Get(&cs.period); err != nil {
				t.Errorf("SLA period input: %v", err)
			}
		}
		h.mu.Lock()
		defer h.mu.Unlock()
		h.starts = append(h.starts, cs)
	})
	return h
}

// startsOf returns the starts of the workflow type, in order.
func (h *slaAccountEnv) startsOf(typ string) []childStart {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []childStart
	for _, s := range h.starts {
		if s.typ == typ {
			out = append(out, s)
		}
	}
	return out
}

// run runs the driver to its end and returns the account's final state.
func (h *slaAccountEnv) run(in slaAccountDriverInput) workflows.SLAAccountState {
	h.t.Helper()
	h.env.ExecuteWorkflow(slaAccountDriverName, in)
	if !h.env.IsWorkflowCompleted() {
		h.t.Fatal("SLA account did not complete")
	}
	if err := h.env.GetWorkflowError(); err != nil {
		h.t.Fatalf("SLA account failed: %v", err)
	}
	var s workflows.SLAAccountState
	if err := h.env.GetWorkflowResult(&s); err != nil {
		h.t.Fatal(err)
	}
	return s
}

func slaAccountInput(first, last string) workflows.SLAAccountInput {
	return workflows.SLAAccountInput{Account: slaAccountName, CustomerID: "mail-cust", Service: workflows.SLAEmail,
		MonthlyFeeCents: 12345, Currency: "USD", FirstPeriod: first, LastPeriod: last, StartedBy: manager, RequestID: "start-account"}
}

// wantPeriod is a period the account must have started.
type wantPeriod struct {
	period string
	at     time.Time
	fee    int64
}

// TestSLAAccountPeriods runs accounts over months: each month's SLAPeriod
// starts as a child at 00:00 CST of its first day (at once for a first
// period already begun), with the account's input and the fee in force,
// and the account continues as new after each month.
func TestSLAAccountPeriods(t *testing.T) {
	start := cst(2026, 11, 20, 10, 0)
	tests := []struct {
		name        string
		first, last string
		// actions run at instants (after the start).
		actions    func(h *slaAccountEnv)
		want       []wantPeriod
		status     workflows.SLAAccountStatus
		runs       int
		feeChanged int
	}{
		{
			name: "three months", first: "2026-11", last: "2027-01",
			want: []wantPeriod{
				{"2026-11", start, 12345},
				{"2026-12", cst(2026, 12, 1, 0, 0), 12345},
				{"2027-01", cst(2027, 1, 1, 0, 0), 12345},
			},
			status: workflows.SLAAccountCompleted, runs: 3,
		},
		{
			name: "first period ahead", first: "2026-12", last: "2026-12",
			want:   []wantPeriod{{"2026-12", cst(2026, 12, 1, 0, 0), 12345}},
			status: workflows.SLAAccountCompleted, runs: 1,
		},
		{
			name: "fee change from the next month", first: "2026-11", last: "2027-01",
			actions: func(h *slaAccountEnv) {
				h.atInstant(start, cst(2026, 11, 25, 9, 0), func() {
					h.update(workflows.SLAAccountWorkflowID(slaAccountName), workflows.UpdateChangeSLAFee,
						workflows.ChangeSLAFee{ActionMeta: h.meta(manager), MonthlyFeeCents: 20000})
				})
			},
			want: []wantPeriod{
				{"2026-11", start, 12345},
				{"2026-12", cst(2026, 12, 1, 0, 0), 20000},
				{"2027-01", cst(2027, 1, 1, 0, 0), 20000},
			},
			status: workflows.SLAAccountCompleted, runs: 3, feeChanged: 1,
		},
		{
			name: "stop", first: "2026-11",
			actions: func(h *slaAccountEnv) {
				h.atInstant(start, cst(2026, 12, 10, 9, 0), func() {
					h.update(workflows.SLAAccountWorkflowID(slaAccountName), workflows.UpdateStopSLAAccount,
						workflows.StopSLAAccount{ActionMeta: h.meta(manager), Reason: "contract ended"})
				})
			},
			want: []wantPeriod{
				{"2026-11", start, 12345},
				{"2026-12", cst(2026, 12, 1, 0, 0), 12345},
			},
			status: workflows.SLAAccountStopped, runs: 3,
		},
		{
			name: "stop by signal", first: "2026-11",
			actions: func(h *slaAccountEnv) {
				h.atInstant(start, cst(2026, 11, 21, 9, 0), func() {
					// A customer's stop is ignored; the manager's applies.
					for _, a := range []workflows.Actor{slaCustomer, manager} {
						if err := h.env.SignalWorkflowByID(workflows.SLAAccountWorkflowID(slaAccountName), workflows.SignalStopSLAAccount,
							workflows.StopSLAAccount{ActionMeta: h.meta(a)}); err != nil {
							h.t.Errorf("signal stop: %v", err)
						}
					}
				})
			},
			want:   []wantPeriod{{"2026-11", start, 12345}},
			status: workflows.SLAAccountStopped, runs: 2,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newSLAAccountEnv(t, start)
			if tc.actions != nil {
				tc.actions(h)
			}
			s := h.run(slaAccountDriverInput{Account: slaAccountInput(tc.first, tc.last)})
			h.checkUpdates()

			got := h.startsOf(workflows.SLAPeriodWorkflowName)
			if len(got) != len(tc.want) {
				t.Fatalf("%d periods started, want %d: %+v", len(got), len(tc.want), got)
			}
			for i, w := range tc.want {
				g := got[i]
				wantIn := workflows.SLAPeriodInput{Account: slaAccountName, CustomerID: "mail-cust", Service: workflows.SLAEmail,
					Period: w.period, MonthlyFeeCents: w.fee, Currency: "USD", StartedBy: workflows.SystemActor,
					RequestID: workflows.SLAAccountWorkflowID(slaAccountName) + "/" + w.period}
				if g.id != workflows.SLAPeriodWorkflowID(slaAccountName, w.period) || !g.at.Equal(w.at) || g.period != wantIn {
					t.Errorf("period %d: %s at %s with %+v; want %s at %s with %+v", i, g.id, g.at, g.period,
						workflows.SLAPeriodWorkflowID(slaAccountName, w.period), w.at, wantIn)
				}
				if g.customer != "mail-cust" {
					t.Errorf("period %s started with customer attribute %q", w.period, g.customer)
				}
				if recs := h.proj.slaPeriod(slaAccountName, w.period); len(recs) == 0 || recs[len(recs)-1].State.Status != workflows.SLAClosed {
					t.Errorf("period %s did not run to its end (%d records)", w.period, len(recs))
				}
			}
			if runs := len(h.startsOf(workflows.SLAAccountWorkflowName)); runs != tc.runs || s.Run != tc.runs {
				t.Errorf("%d account runs (state run %d), want %d", runs, s.Run, tc.runs)
			}
			if n := len(eventsOf(s.Events, workflows.EventContinuedAsNew)); n != tc.runs-1 {
				t.Errorf("%d continued-as-new events, want %d", n, tc.runs-1)
			}
			if s.Status != tc.status || s.PeriodsStarted != len(tc.want) || len(s.Periods) != len(tc.want) {
				t.Errorf("status %s, %d periods started (%d listed); want %s, %d", s.Status, s.PeriodsStarted, len(s.Periods), tc.status, len(tc.want))
			}
			started := eventsOf(s.Events, workflows.EventSLAAccountPeriodStarted)
			for i, e := range started {
				if i < len(tc.want) && (e.Payload["period"] != tc.want[i].period ||
					e.Payload["workflow_id"] != workflows.SLAPeriodWorkflowID(slaAccountName, tc.want[i].period)) {
					t.Errorf("period-started %d: %v", i, e.Payload)
				}
			}
			if len(started) != len(tc.want) || len(eventsOf(s.Events, workflows.EventSLAAccountStarted)) != 1 {
				t.Errorf("events %v", eventTypes(s.Events))
			}
			if fc := eventsOf(s.Events, workflows.EventSLAAccountFeeChanged); len(fc) != tc.feeChanged {
				t.Errorf("%d fee-changed events, want %d", len(fc), tc.feeChanged)
			} else if len(fc) == 1 && fc[0].Payload["applies_from"] != "2026-12" {
				t.Errorf("fee change applies from %v, want 2026-12", fc[0].Payload["applies_from"])
			}
			switch tc.status {
			case workflows.SLAAccountStopped:
				if s.Stop == nil || len(eventsOf(s.Events, workflows.EventSLAAccountStopped)) != 1 || s.NextPeriod != "" {
					t.Errorf("stopped account: stop %+v, next %q, events %v", s.Stop, s.NextPeriod, eventTypes(s.Events))
				}
			case workflows.SLAAccountCompleted:
				if len(eventsOf(s.Events, workflows.EventSLAAccountCompleted)) != 1 {
					t.Errorf("completed account: events %v", eventTypes(s.Events))
				}
			}
			if tc.name == "stop by signal" {
				if ig := eventsOf(s.Events, workflows.EventSignalIgnored); len(ig) != 1 || ig[0].Payload["rule"] != workflows.RuleRole {
					t.Errorf("ignored signals %+v", ig)
				}
			}
		})
	}
}

func eventTypes(evs []workflows.Event) []workflows.EventType {
	var out []workflows.EventType
	for _, e := range evs {
		out = append(out, e.Type)
	}
	return out
}

// TestSLAAccountTakesOver starts the month's period as POST
// /v1/sla-periods does, then the account: the account records it as
// already running and does not start it again.
func TestSLAAccountTakesOver(t *testing.T) {
	start := cst(2026, 11, 20, 10, 0)
	h := newSLAAccountEnv(t, start)
	existing := slaInput(workflows.SLAEmail, "2026-11")
	existing.Account, existing.MonthlyFeeCents = slaAccountName, 999
	s := h.run(slaAccountDriverInput{Account: slaAccountInput("2026-11", "2026-12"), Existing: []workflows.SLAPeriodInput{existing}})

	got := h.startsOf(workflows.SLAPeriodWorkflowName)
	if len(got) != 2 || got[0].period != existing || got[1].period.Period != "2026-12" || !got[1].at.Equal(cst(2026, 12, 1, 0, 0)) {
		t.Fatalf("period starts %+v; want the existing one, then 2026-12 at its start", got)
	}
	running := eventsOf(s.Events, workflows.EventSLAAccountPeriodRunning)
	if len(running) != 1 || running[0].Payload["period"] != "2026-11" ||
		running[0].Payload["workflow_id"] != workflows.SLAPeriodWorkflowID(slaAccountName, "2026-11") {
		t.Errorf("period-already-running events %+v", running)
	}
	if len(s.Periods) != 2 || !s.Periods[0].TakenOver || s.Periods[1].TakenOver || s.Status != workflows.SLAAccountCompleted || s.Run != 2 {
		t.Errorf("state: periods %+v, status %s, run %d", s.Periods, s.Status, s.Run)
	}
	// The period keeps its own fee.
	if recs := h.proj.slaPeriod(slaAccountName, "2026-11"); len(recs) == 0 || recs[0].State.MonthlyFeeCents != 999 {
		t.Errorf("taken-over period records %d", len(recs))
	}
}

// TestSLAAccountRefusals holds the actions' validators: an invalid update
// is rejected naming the rule (and field).
func TestSLAAccountRefusals(t *testing.T) {
	start := cst(2026, 11, 20, 10, 0)
	h := newSLAAccountEnv(t, start)
	wf := workflows.SLAAccountWorkflowID(slaAccountName)
	type result struct {
		o     *outcome
		typ   string
		rule  string
		field string
	}
	var results []result
	expect := func(at time.Time, name string, arg any, typ, rule, field string) {
		h.atInstant(start, at, func() { results = append(results, result{h.update(wf, name, arg), typ, rule, field}) })
	}
	at := cst(2026, 11, 21, 9, 0)
	expect(at, workflows.UpdateChangeSLAFee, workflows.ChangeSLAFee{ActionMeta: h.meta(slaCustomer), MonthlyFeeCents: 1},
		workflows.ErrorTypeForbidden, workflows.RuleRole, "")
	expect(at, workflows.UpdateChangeSLAFee, workflows.ChangeSLAFee{ActionMeta: h.meta(manager), MonthlyFeeCents: 0},
		workflows.ErrorTypeInvalid, workflows.RuleField, "monthly_fee_cents")
	expect(at, workflows.UpdateStopSLAAccount, workflows.StopSLAAccount{ActionMeta: h.meta(auditorActor())},
		workflows.ErrorTypeForbidden, workflows.RuleRole, "")
	var stop *outcome
	h.atInstant(start, cst(2026, 11, 22, 9, 0), func() {
		stop = h.update(wf, workflows.UpdateStopSLAAccount, workflows.StopSLAAccount{ActionMeta: h.meta(manager)})
	})
	s := h.run(slaAccountDriverInput{Account: slaAccountInput("2026-11", "")})
	exceptions := []*outcome{}
	for _, r := range results {
		exceptions = append(exceptions, r.o)
	}
	h.checkUpdates(exceptions...)
	if stop == nil || len(results) != 3 {
		t.Fatalf("stop %v, %d refusals", stop, len(results))
	}
	for _, r := range results {
		if got := refusal(t, r.o, r.typ, r.rule); got != nil && got.Field != r.field {
			t.Errorf("%s: field %q, want %q", r.o, got.Field, r.field)
		}
	}
	if s.Status != workflows.SLAAccountStopped || s.MonthlyFeeCents != 12345 || len(eventsOf(s.Events, workflows.EventSLAAccountFeeChanged)) != 0 {
		t.Errorf("state after refusals: status %s, fee %d, events %v", s.Status, s.MonthlyFeeCents, eventTypes(s.Events))
	}
}

func auditorActor() workflows.Actor {
	return workflows.Actor{Subject: "audit@provider.example", Role: workflows.RoleAuditor}
}

// TestValidateSLAAccount refuses bad inputs naming the field, before the
// first run and as the workflow's failure.
func TestValidateSLAAccount(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*workflows.SLAAccountInput)
		field  string
	}{
		{"valid", func(*workflows.SLAAccountInput) {}, ""},
		{"account", func(in *workflows.SLAAccountInput) { in.Account = "a/b" }, "account"},
		{"customer", func(in *workflows.SLAAccountInput) { in.CustomerID = " " }, "customer_id"},
		{"service", func(in *workflows.SLAAccountInput) { in.Service = "fax" }, "service"},
		{"first period", func(in *workflows.SLAAccountInput) { in.FirstPeriod = "2026-13" }, "first_period"},
		{"last period", func(in *workflows.SLAAccountInput) { in.LastPeriod = "2026-1" }, "last_period"},
		{"last before first", func(in *workflows.SLAAccountInput) { in.LastPeriod = "2026-10" }, "last_period"},
		{"fee zero", func(in *workflows.SLAAccountInput) { in.MonthlyFeeCents = 0 }, "monthly_fee_cents"},
		{"fee negative", func(in *workflows.SLAAccountInput) { in.MonthlyFeeCents = -1 }, "monthly_fee_cents"},
		{"customer starts", func(in *workflows.SLAAccountInput) { in.StartedBy = slaCustomer }, "started_by.role"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := slaAccountInput("2026-11", "2027-10")
			tc.mutate(&in)
			errs := workflows.StartErrors(workflows.ValidateSLAAccount(in))
			if tc.field == "" {
				if len(errs) != 0 {
					t.Fatalf("valid input refused: %v", errs)
				}
				return
			}
			if len(errs) != 1 || errs[0].Field != tc.field {
				t.Fatalf("errors %v, want one naming %s", errs, tc.field)
			}
		})
	}

	h := newSLAAccountEnv(t, cst(2026, 11, 20, 10, 0))
	in := slaAccountInput("2026-11", "")
	in.MonthlyFeeCents = 0
	h.env.ExecuteWorkflow(workflows.SLAAccountWorkflowName, in)
	err := h.env.GetWorkflowError()
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) || appErr.Type() != workflows.InvalidInputErrorType || !strings.Contains(err.Error(), "monthly_fee_cents") {
		t.Fatalf("workflow error %v, want %s naming monthly_fee_cents", err, workflows.InvalidInputErrorType)
	}
	if n := len(h.startsOf(workflows.SLAPeriodWorkflowName)); n != 0 {
		t.Errorf("%d periods started", n)
	}
}
