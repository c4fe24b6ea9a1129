package api

import (
	"cmp"
	"context"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/sowflow/sowflow/store"
	"github.com/sowflow/sowflow/workflows"
)

// Mail-SLA service periods (seed 004): an SLAPeriod workflow per account and
// calendar month, with ID sla/<account>/<YYYY-MM>, projected to the read
// model (sla_periods and their events) as services are. Lists and events are
// read from the read model; GET of one period asks its workflow (or reads
// its result), which alone holds the intervals and recent events.
// Object-level authorization reads the customer from the read model and
// asks the workflow only for a period not projected yet.

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
	Account    string                    `json:"account"`
	Period     string                    `json:"period"`
	WorkflowID string                    `json:"workflow_id"`
	RunID      string                    `json:"run_id"`
	State      *workflows.SLAPeriodState `json:"state,omitempty"`
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

// slaPeriodResource is the period of account's month. Its owner is the
// account name's; a month the read model does not hold (started a moment
// ago) must be one whose workflow exists.
func (h *handlers) slaPeriodResource(account, period string) resource {
	r := resource{kind: "SLA period", ownerKind: "SLA period", id: account, period: period, path: slaPeriodPath(account, period),
		workflowID: workflows.SLAPeriodWorkflowID(account, period), stateQuery: workflows.QuerySLAPeriodState, final: true,
		owner: store.Owner{Kind: store.OwnerSLAAccount, ID: account}}
	r.exists = storedOrLive("SLA period", func(ctx context.Context) error {
		_, _, _, err := h.deps.Store.SLAPeriodState(ctx, account, period)
		return err
	}, func(ctx context.Context, cl Caller) error {
		if _, err := stateOf[workflows.SLAPeriodState](ctx, h, r); err != nil {
			return h.workflowError(cl, "find SLA period", "SLA period", err)
		}
		return nil
	})
	return r
}

// slaPeriodTarget is the period of the path's account and month.
func slaPeriodTarget(h *handlers, c *gin.Context) (resource, error) {
	account, period := c.Param("account"), c.Param("period")
	if _, _, err := workflows.ParseSLAPeriod(period); err != nil || !slaAccountPattern.MatchString(account) {
		return resource{}, notFound("SLA period")
	}
	return h.slaPeriodResource(account, period), nil
}

// startSLAPeriod starts the SLAPeriod workflow of one account's month. An
// account's month starts once: a second start (while the period runs or
// after it ended) is 409 already-exists with Location naming the first.
func (h *handlers) startSLAPeriod(c *gin.Context) {
	var req startSLAPeriodRequest
	if !bindJSON(c, &req) {
		return
	}
	cl := callerOf(c)
	in := workflows.SLAPeriodInput{Account: req.Account, CustomerID: req.CustomerID, Service: workflows.SLAService(req.Service),
		Period: req.Period, MonthlyFeeCents: req.MonthlyFeeCents, Currency: req.Currency,
		StartedBy: cl.Actor, RequestID: cl.RequestID, ClientRequestID: cl.ClientRequestID}
	if err := workflows.ValidateSLAPeriod(in); err != nil {
		h.fail(c, startRefusal("service period", err))
		return
	}
	r := h.slaPeriodResource(req.Account, req.Period)
	r.owner.CustomerID, r.owner.Service = req.CustomerID, req.Service
	run, err := h.startResource(c.Request.Context(), cl, r, workflows.SLAPeriodWorkflowName, in,
		workflows.AttrCustomer.ValueSet(req.CustomerID))
	if err != nil {
		h.fail(c, err)
		return
	}
	out := startedSLAPeriod{Account: req.Account, Period: req.Period, WorkflowID: run.GetID(), RunID: run.GetRunID()}
	answerStarted(h, c, r, "start-sla-period", &out, &out.State)
}

// accountTaken is the 409 (rule account-taken) of a start of an SLA
// account or period whose account name another customer or service owns:
// period and account workflow IDs name the account alone, so one account
// name is one customer's account of one service.
func accountTaken(claim, owner store.Owner) Problem {
	detail := "account " + claim.ID + " belongs to another customer"
	if owner.CustomerID == claim.CustomerID {
		detail = "account " + claim.ID + " is this customer's " + owner.Service + " account"
	}
	return Problem{Type: ProblemRefused, Status: http.StatusConflict, Rule: "account-taken",
		Detail: detail + "; an account name serves one customer's one service (use another name)",
		Errors: []FieldError{{Field: "account", Rule: "account-taken", Detail: detail}}}
}

// getSLAPeriod answers the period's whole state from its workflow: the
// read model's copy has neither its events nor its Sendify intervals.
func (h *handlers) getSLAPeriod(c *gin.Context) {
	getState[workflows.SLAPeriodState](h, c, slaPeriodTarget)
}

// slaPeriodListQuery is the query of GET /v1/sla-periods.
type slaPeriodListQuery struct {
	CustomerID string `form:"customer" validate:"omitempty,identifier"`
	Account    string `form:"account" validate:"omitempty,max=128"`
	Service    string `form:"service" validate:"omitempty,oneof=email sendify"`
	Status     string `form:"status" validate:"omitempty,oneof=collecting computed claim-open closed"`
	Period     string `form:"period" validate:"omitempty,max=7"`
	Limit      int    `form:"limit" validate:"omitempty,min=1,max=200"`
	Cursor     string `form:"cursor" validate:"omitempty,max=200"`
}

// check holds what the validator's tags cannot say: the shapes of the
// account and the month, as for the start.
func (q slaPeriodListQuery) check() []FieldError {
	var errs []FieldError
	if q.Account != "" && !slaAccountPattern.MatchString(q.Account) {
		errs = append(errs, FieldError{Field: "account", Rule: "slaaccount", Detail: slaAccountDetail})
	}
	if q.Period != "" {
		if _, _, err := workflows.ParseSLAPeriod(q.Period); err != nil {
			errs = append(errs, FieldError{Field: "period", Rule: "yearmonth", Detail: "must be a calendar month such as 2026-11"})
		}
	}
	return errs
}

// slaPeriodPage is one page of GET /v1/sla-periods.
type slaPeriodPage = listPage[store.SLAPeriodSummary]

// slaPeriodCursorKey is the key a list cursor carries: "<account>/<period>"
// (an account holds no '/').
func slaPeriodCursorKey(p store.SLAPeriodSummary) string {
	k := p.Key()
	return k.Account + "/" + k.Period
}

// decodeSLAPeriodCursor returns the period key of a cursor from
// slaPeriodCursorKey (zero for no cursor); it answers 400 and returns false
// for one it did not give out.
func decodeSLAPeriodCursor(c *gin.Context, cursor string) (store.SLAPeriodKey, bool) {
	if cursor == "" {
		return store.SLAPeriodKey{}, true
	}
	raw, ok := decodeCursor(c, cursor)
	if !ok {
		return store.SLAPeriodKey{}, false
	}
	account, period, found := strings.Cut(raw, "/")
	if _, _, err := workflows.ParseSLAPeriod(period); !found || err != nil || !slaAccountPattern.MatchString(account) {
		badCursor(c)
		return store.SLAPeriodKey{}, false
	}
	return store.SLAPeriodKey{Account: account, Period: period}, true
}

// listSLAPeriods filters the SLA periods of the read model, in order of
// account, then month; customers see only their own.
func (h *handlers) listSLAPeriods(c *gin.Context) {
	var q slaPeriodListQuery
	if !bindQuery(c, &q) {
		return
	}
	f := store.SLAPeriodFilter{Account: q.Account, Service: q.Service, Status: q.Status, Period: q.Period,
		Limit: cmp.Or(q.Limit, defaultListLimit)}
	customer, none := scopeToCustomer(c, q.CustomerID)
	if none {
		c.JSON(http.StatusOK, newListPage[store.SLAPeriodSummary](nil, f.Limit, nil))
		return
	}
	f.CustomerID = customer
	var ok bool
	if f.After, ok = decodeSLAPeriodCursor(c, q.Cursor); !ok {
		return
	}
	items, err := h.deps.Store.ListSLAPeriods(c.Request.Context(), f)
	if err != nil {
		h.internal(c, "list SLA periods", err)
		return
	}
	for i := range items {
		it := &items[i]
		it.StartedAt, it.UpdatedAt = cst(it.StartedAt), cst(it.UpdatedAt)
		it.ClaimOpens, it.ClaimCloses, it.ClaimedAt = cstPtr(it.ClaimOpens), cstPtr(it.ClaimCloses), cstPtr(it.ClaimedAt)
	}
	c.JSON(http.StatusOK, newListPage(items, f.Limit, slaPeriodCursorKey))
}

// slaPeriodEventPage is one page of GET
// /v1/sla-periods/{account}/{period}/events.
type slaPeriodEventPage = eventsPage[store.SLAPeriodEvent]

// slaPeriodEvents pages through an SLA period's recorded events by sequence
// number.
func (h *handlers) slaPeriodEvents(c *gin.Context) {
	events(h, c, slaPeriodTarget, func(ctx context.Context, r resource, after int64, limit int) ([]store.SLAPeriodEvent, error) {
		return h.deps.Store.SLAPeriodEvents(ctx, r.id, r.period, after, limit)
	}, func(e *store.SLAPeriodEvent) (*time.Time, int64) { return &e.OccurredAt, e.Seq })
}

// slaAction is one SLA period action (see action).
func slaAction[R any](h *handlers, update string, optionalBody bool, build func(m workflows.ActionMeta, req R) any) gin.HandlerFunc {
	return action(h, slaPeriodTarget, update, optionalBody, func(_ *gin.Context, m workflows.ActionMeta, req R) any {
		return build(m, req)
	})
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
