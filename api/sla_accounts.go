package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/sowflow/sowflow/calendar"
	"github.com/sowflow/sowflow/store"
	"github.com/sowflow/sowflow/workflows"
)

// Mail-SLA accounts (seed 004): an SLAAccount workflow per account, with ID
// sla-account/<account>, starts each month's SLAPeriod workflow as a child
// at 00:00 CST of the month's first day. Accounts are not projected: GET
// and the object-level check ask the workflow (or read its result once it
// has completed).

// startSLAAccountRequest is the body of POST /v1/sla-accounts.
type startSLAAccountRequest struct {
	Account    string `json:"account" validate:"required,max=128"`
	CustomerID string `json:"customer_id" validate:"required,identifier"`
	Service    string `json:"service" validate:"required,oneof=email sendify"`
	// MonthlyFeeCents is the monthly fee, in hundredths of Currency, of
	// every period until changed.
	MonthlyFeeCents int64  `json:"monthly_fee_cents" validate:"required,min=1"`
	Currency        string `json:"currency" validate:"omitempty,max=3"`
	// FirstPeriod is the first month (CST, YYYY-MM); a month already begun
	// starts its period at once. LastPeriod, when set, is the last month.
	FirstPeriod string `json:"first_period" validate:"required,max=7"`
	LastPeriod  string `json:"last_period" validate:"omitempty,max=7"`
}

// check holds what the validator's tags cannot say, with the SLA period
// start's checks of the account, the month and the currency.
func (r startSLAAccountRequest) check() []FieldError {
	var errs []FieldError
	for _, fe := range (startSLAPeriodRequest{Account: r.Account, Period: r.FirstPeriod, Currency: r.Currency}).check() {
		if fe.Field == "period" {
			fe.Field = "first_period"
		}
		errs = append(errs, fe)
	}
	if r.LastPeriod != "" {
		for _, fe := range (startSLAPeriodRequest{Account: r.Account, Period: r.LastPeriod}).check() {
			if fe.Field == "period" {
				fe.Field = "last_period"
				errs = append(errs, fe)
			}
		}
	}
	return errs
}

// startedSLAAccount answers POST /v1/sla-accounts.
type startedSLAAccount struct {
	Account    string                     `json:"account"`
	WorkflowID string                     `json:"workflow_id"`
	RunID      string                     `json:"run_id"`
	State      *workflows.SLAAccountState `json:"state,omitempty"`
}

// changeSLAFeeRequest is the body of POST /v1/sla-accounts/{account}/fee.
type changeSLAFeeRequest struct {
	MonthlyFeeCents int64  `json:"monthly_fee_cents" validate:"required,min=1"`
	Note            string `json:"note" validate:"omitempty,max=2000"`
}

// stopSLAAccountRequest is the (optional) body of POST
// /v1/sla-accounts/{account}/stop.
type stopSLAAccountRequest struct {
	Reason string `json:"reason" validate:"omitempty,max=2000"`
}

func slaAccountPath(account string) string { return "/v1/sla-accounts/" + account }

// slaAccountResource is the SLA account.
func slaAccountResource(account string) resource {
	return resource{kind: "SLA account", ownerKind: "SLA account", id: account, path: slaAccountPath(account),
		workflowID: workflows.SLAAccountWorkflowID(account), stateQuery: workflows.QuerySLAAccountState, final: true,
		owner: store.Owner{Kind: store.OwnerSLAAccount, ID: account}}
}

// slaAccountTarget is the SLA account of the path.
func slaAccountTarget(h *handlers, c *gin.Context) (resource, error) {
	account := c.Param("account")
	if !slaAccountPattern.MatchString(account) {
		return resource{}, notFound("SLA account")
	}
	return slaAccountResource(account), nil
}

// startSLAAccount starts an account's SLAAccount workflow. An account starts
// once: a second start is 409 already-exists with Location naming it.
func (h *handlers) startSLAAccount(c *gin.Context) {
	var req startSLAAccountRequest
	if !bindJSON(c, &req) {
		return
	}
	cl := callerOf(c)
	in := workflows.SLAAccountInput{Account: req.Account, CustomerID: req.CustomerID, Service: workflows.SLAService(req.Service),
		MonthlyFeeCents: req.MonthlyFeeCents, Currency: req.Currency, FirstPeriod: req.FirstPeriod, LastPeriod: req.LastPeriod,
		StartedBy: cl.Actor, RequestID: cl.RequestID, ClientRequestID: cl.ClientRequestID}
	if err := workflows.ValidateSLAAccount(in); err != nil {
		h.fail(c, startRefusal("SLA account", err))
		return
	}
	if oldest := oldestClaimablePeriod(time.Now()); req.FirstPeriod < oldest {
		writeProblem(c, Problem{Type: ProblemRuleViolated, Status: http.StatusUnprocessableEntity,
			Detail: "the SLA account cannot start under its contract's rules",
			Errors: []FieldError{{Field: "first_period", Rule: "claimable", Detail: "must be " + oldest +
				" or later: claims for earlier months closed at the end of the second month after them, so their periods would only be computed, never claimed"}}})
		return
	}
	r := slaAccountResource(req.Account)
	r.owner.CustomerID, r.owner.Service = req.CustomerID, req.Service
	run, err := h.startResource(c.Request.Context(), cl, r, workflows.SLAAccountWorkflowName, in,
		workflows.AttrCustomer.ValueSet(req.CustomerID))
	if err != nil {
		h.fail(c, err)
		return
	}
	out := startedSLAAccount{Account: req.Account, WorkflowID: run.GetID(), RunID: run.GetRunID()}
	answerStarted(h, c, r, "start-sla-account", &out, &out.State)
}

// getSLAAccount answers the account's state.
func (h *handlers) getSLAAccount(c *gin.Context) {
	getState[workflows.SLAAccountState](h, c, slaAccountTarget)
}

func (h *handlers) changeSLAFee() gin.HandlerFunc {
	return action(h, slaAccountTarget, workflows.UpdateChangeSLAFee, false, func(_ *gin.Context, m workflows.ActionMeta, req changeSLAFeeRequest) any {
		return workflows.ChangeSLAFee{ActionMeta: m, MonthlyFeeCents: req.MonthlyFeeCents, Note: req.Note}
	})
}

func (h *handlers) stopSLAAccount() gin.HandlerFunc {
	return action(h, slaAccountTarget, workflows.UpdateStopSLAAccount, true, func(_ *gin.Context, m workflows.ActionMeta, req stopSLAAccountRequest) any {
		return workflows.StopSLAAccount{ActionMeta: m, Reason: req.Reason}
	})
}

// oldestClaimablePeriod is the earliest month (YYYY-MM) whose claim window
// is surely open at now: claims close at the end of the second month after
// the month (or the next working day), so
// the month two before now's CST month closes at the end of this one (or
// later, past a holiday), while the month three before closed at the end of
// the last one or within this one's first days. An account starting
// earlier would start periods whose claims have closed, for nothing.
func oldestClaimablePeriod(now time.Time) string {
	y, m, _ := now.In(calendar.Zone()).Date()
	return time.Date(y, m-2, 1, 0, 0, 0, 0, calendar.Zone()).Format("2006-01")
}
