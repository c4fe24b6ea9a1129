package api

import (
	"context"
	"net/http"
	"regexp"
	"time"

	"github.com/gin-gonic/gin"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/sowflow/sowflow/store"
	"github.com/sowflow/sowflow/workflows"
)

// Mail-SLA service periods (seed 004): an SLAPeriod workflow per account and
// calendar month, with ID sla/<account>/<YYYY-MM>. Like services, periods
// have no read-model table yet: object-level authorization asks the period
// for its customer.

// slaAccountPattern is what an SLA account looks like in a request and a
// path: an email address or a DingStore account name. It is part of the
// workflow ID and the URL, so it holds no '/' and no spaces.
var slaAccountPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}$`)

// slaAccountDetail explains slaAccountPattern in words.
const slaAccountDetail = "must be 1 to 128 letters, digits, '.', '_', '@', '+' or '-', starting with a letter or digit"

// currencyPattern is an ISO 4217 currency code.
var currencyPattern = regexp.MustCompile(`^[A-Z]{3}$`)

// startSLAPeriodRequest is the body of POST /v1/sla-periods.
type startSLAPeriodRequest struct {
	Account    string `json:"account" validate:"required,max=128"`
	CustomerID string `json:"customer_id" validate:"required,identifier"`
	Service    string `json:"service" validate:"required,oneof=email sendify"`
	// Period is the calendar month in CST, YYYY-MM.
	Period string `json:"period" validate:"required,max=7"`
	// MonthlyFeeCents is the account's fee for the month, in hundredths of
	// Currency; compensation is a share of it. The SLA does not apply to
	// free services, so it is at least 1.
	MonthlyFeeCents int64  `json:"monthly_fee_cents" validate:"required,min=1"`
	Currency        string `json:"currency" validate:"omitempty,max=3"`
}

// check holds what the validator's tags cannot say: the shapes of the
// account, the period and the currency.
func (r startSLAPeriodRequest) check() []FieldError {
	var errs []FieldError
	if !slaAccountPattern.MatchString(r.Account) {
		errs = append(errs, FieldError{Field: "account", Rule: "slaaccount", Detail: slaAccountDetail})
	}
	if _, _, err := workflows.ParseSLAPeriod(r.Period); err != nil {
		errs = append(errs, FieldError{Field: "period", Rule: "yearmonth", Detail: "must be a calendar month such as 2026-11"})
	}
	if r.Currency != "" && !currencyPattern.MatchString(r.Currency) {
		errs = append(errs, FieldError{Field: "currency", Rule: "currency", Detail: "must be an ISO 4217 code such as CNY or USD"})
	}
	return errs
}

// startedSLAPeriod answers POST /v1/sla-periods.
type startedSLAPeriod struct {
	Account    string              `json:"account"`
	Period     string              `json:"period"`
	WorkflowID string              `json:"workflow_id"`
	RunID      string              `json:"run_id"`
	State      *workflows.SLAState `json:"state,omitempty"`
}

// recordOutageRequest is the body of POST .../outages.
type recordOutageRequest struct {
	Start string `json:"start" validate:"required,rfc3339"`
	// Minutes is at most a 31-day month of minutes.
	Minutes  int    `json:"minutes" validate:"required,min=1,max=44640"`
	Excluded string `json:"excluded" validate:"omitempty,max=200"`
	Note     string `json:"note" validate:"omitempty,max=2000"`
}

// errorIntervalRequest is one Sendify 5-minute interval with failures.
type errorIntervalRequest struct {
	Start string `json:"start" validate:"required,rfc3339"`
	// Failed is at most Valid; the workflow checks it.
	Failed int64 `json:"failed" validate:"min=0"`
	Valid  int64 `json:"valid" validate:"required,min=1"`
}

// recordErrorIntervalsRequest is the body of POST .../error-intervals: at
// most a week of 5-minute intervals (7 × 288 = 2016), the workflow's own
// limit.
type recordErrorIntervalsRequest struct {
	Intervals []errorIntervalRequest `json:"intervals" validate:"required,min=1,max=2016,dive"`
}

func slaPeriodPath(account, period string) string {
	return "/v1/sla-periods/" + account + "/" + period
}

// startSLAPeriod starts the SLAPeriod workflow of one account's month. An
// account's month starts once: a second start (while the period runs or
// after it ended) is 409 already-exists with Location naming the first.
func (h *handlers) startSLAPeriod(c *gin.Context) {
	var req startSLAPeriodRequest
	if !bindJSON(c, &req) {
		return
	}
	if errs := req.check(); len(errs) > 0 {
		invalid(c, "some fields are invalid", errs...)
		return
	}
	in := workflows.SLAPeriodInput{Account: req.Account, CustomerID: req.CustomerID, Service: workflows.SLAService(req.Service),
		Period: req.Period, MonthlyFeeCents: req.MonthlyFeeCents, Currency: req.Currency,
		StartedBy: actor(c), RequestID: c.GetString(requestIDKey)}
	if err := workflows.ValidateSLAPeriod(in); err != nil {
		h.startRefused(c, "service period", err)
		return
	}
	location := slaPeriodPath(req.Account, req.Period)
	run, ok := h.startOnce(c, "service period", location, workflows.SLAPeriodWorkflowID(req.Account, req.Period), workflows.SLAPeriodWorkflowName, in,
		workflows.AttrCustomer.ValueSet(req.CustomerID))
	if !ok {
		return
	}
	h.metrics.action("start-sla-period", "ok")
	out := startedSLAPeriod{Account: req.Account, Period: req.Period, WorkflowID: run.GetID(), RunID: run.GetRunID()}
	// As for projects, the first state is a convenience.
	if st, err := h.slaState(c.Request.Context(), req.Account, req.Period); err == nil {
		out.State = &st
	}
	c.Header("Location", location)
	c.JSON(http.StatusCreated, out)
}

// slaState reads a period's state: from its query while the workflow runs,
// from its result once it has completed (a completed period answers without
// a worker replaying its history). A period that ended otherwise (terminated,
// failed) is queried, which replays it.
func (h *handlers) slaState(ctx context.Context, account, period string) (workflows.SLAState, error) {
	var st workflows.SLAState
	id := workflows.SLAPeriodWorkflowID(account, period)
	resp, err := h.deps.Temporal.QueryWorkflowWithOptions(ctx, &client.QueryWorkflowWithOptionsRequest{
		WorkflowID: id, QueryType: workflows.QuerySLAState, QueryRejectCondition: enumspb.QUERY_REJECT_CONDITION_NOT_OPEN})
	switch {
	case err != nil:
		return st, err
	case resp.QueryRejected == nil:
		return st, resp.QueryResult.Get(&st)
	case resp.QueryRejected.GetStatus() == enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED:
		return st, h.deps.Temporal.GetWorkflow(ctx, id, "").Get(ctx, &st)
	}
	v, err := h.deps.Temporal.QueryWorkflow(ctx, id, "", workflows.QuerySLAState)
	if err == nil {
		err = v.Get(&st)
	}
	return st, err
}

func slaPeriodNotFound(c *gin.Context) {
	writeProblem(c, Problem{Type: ProblemNotFound, Status: http.StatusNotFound, Detail: "no such SLA period"})
}

// visibleSLAPeriod reads the period of the path's account and month and
// answers 404 (not 403) when a customer asks about another customer's
// period. It returns false when it answered.
func (h *handlers) visibleSLAPeriod(c *gin.Context) (workflows.SLAState, bool) {
	account, period := c.Param("account"), c.Param("period")
	if _, _, err := workflows.ParseSLAPeriod(period); err != nil || !slaAccountPattern.MatchString(account) {
		slaPeriodNotFound(c)
		return workflows.SLAState{}, false
	}
	st, err := h.slaState(c.Request.Context(), account, period)
	if err != nil {
		h.serviceProblem(c, "find SLA period", "SLA period", err)
		return st, false
	}
	if p := principal(c); p.Role == store.RoleCustomer && p.CustomerID != st.CustomerID {
		slaPeriodNotFound(c)
		return st, false
	}
	return st, true
}

// getSLAPeriod answers the period's whole state.
func (h *handlers) getSLAPeriod(c *gin.Context) {
	st, ok := h.visibleSLAPeriod(c)
	if !ok {
		return
	}
	c.JSON(http.StatusOK, st)
}

// slaPeriodTarget is the actionTarget of SLA period actions.
func slaPeriodTarget(h *handlers, c *gin.Context) (string, string, bool) {
	st, ok := h.visibleSLAPeriod(c)
	return workflows.SLAPeriodWorkflowID(st.Account, st.Period), "SLA period", ok
}

// slaAction is one SLA period action: bind and validate the body, find the
// period (404 for another customer's), send the update to its workflow.
func slaAction[R any](h *handlers, update string, optionalBody bool, build func(m workflows.ActionMeta, req R) any) gin.HandlerFunc {
	return workflowAction(h, slaPeriodTarget, update, optionalBody, func(_ *gin.Context, m workflows.ActionMeta, req R) any {
		return build(m, req)
	})
}

// validInstant is the instant s, which the rfc3339 rule has validated.
func validInstant(s string) time.Time {
	t, _ := time.Parse(time.RFC3339, s)
	return t
}

func (h *handlers) recordOutage() gin.HandlerFunc {
	return slaAction(h, workflows.UpdateRecordOutage, false, func(m workflows.ActionMeta, req recordOutageRequest) any {
		return workflows.RecordOutage{ActionMeta: m, Start: validInstant(req.Start), Minutes: req.Minutes, Excluded: req.Excluded, Note: req.Note}
	})
}

func (h *handlers) recordErrorIntervals() gin.HandlerFunc {
	return slaAction(h, workflows.UpdateRecordErrorIntervals, false, func(m workflows.ActionMeta, req recordErrorIntervalsRequest) any {
		ivs := make([]workflows.ErrorInterval, len(req.Intervals))
		for i, iv := range req.Intervals {
			ivs[i] = workflows.ErrorInterval{Start: validInstant(iv.Start), Failed: iv.Failed, Valid: iv.Valid}
		}
		return workflows.RecordErrorIntervals{ActionMeta: m, Intervals: ivs}
	})
}

func (h *handlers) fileClaim() gin.HandlerFunc {
	return slaAction(h, workflows.UpdateFileClaim, true, func(m workflows.ActionMeta, req noteRequest) any {
		return workflows.FileClaim{ActionMeta: m, Note: req.Note}
	})
}
