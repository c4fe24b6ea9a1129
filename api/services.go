package api

import (
	"cmp"
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/sowflow/sowflow/catalog"
	"github.com/sowflow/sowflow/store"
	"github.com/sowflow/sowflow/workflows"
)

// Continuous services (support plans, and continuous packages with ticket
// response targets): a Service workflow per service with a Ticket child
// workflow per ticket, both projected to the read model (services, tickets
// and their events). Lists and events are read from the read model; GET of
// one service or ticket asks its workflow, the up-to-the-second view.
// Object-level authorization reads the customer from the read model and
// asks the workflow only for an object not projected yet.

// startServiceRequest is the body of POST /v1/services.
type startServiceRequest struct {
	ServiceID  string `json:"service_id" validate:"required,identifier"`
	CustomerID string `json:"customer_id" validate:"required,identifier"`
	Package    string `json:"package" validate:"required,packagecode"`
	// Start is the contract date: the service year starts at 00:00 CST of
	// its CST date.
	Start string `json:"start" validate:"required,rfc3339"`
	// Options are the package's start options, as for projects (Remote
	// O&M needs users).
	Options catalog.Options `json:"options"`
}

// startedService answers POST /v1/services.
type startedService struct {
	ServiceID  string                  `json:"service_id"`
	WorkflowID string                  `json:"workflow_id"`
	RunID      string                  `json:"run_id"`
	State      *workflows.ServiceState `json:"state,omitempty"`
}

type openTicketRequest struct {
	Severity    string `json:"severity" validate:"required,max=64"`
	Title       string `json:"title" validate:"required,max=500"`
	Description string `json:"description" validate:"omitempty,max=5000"`
}

type resolveTicketRequest struct {
	Resolution string `json:"resolution" validate:"required,max=2000"`
}

type changeSeverityRequest struct {
	Severity string `json:"severity" validate:"required,max=64"`
	Reason   string `json:"reason" validate:"required,max=2000"`
}

type reopenTicketRequest struct {
	Reason string `json:"reason" validate:"required,max=2000"`
}

// submitObligationRequest is the body of POST
// /v1/services/{id}/obligations/{key}/submissions.
type submitObligationRequest struct {
	Title  string `json:"title" validate:"required,max=500"`
	URI    string `json:"uri" validate:"required,uri,max=2000"`
	SHA256 string `json:"sha256" validate:"required,sha256hex"`
	// Month is the service month (1-based) covered; 0 is the month in
	// progress.
	Month int `json:"month" validate:"omitempty,min=1"`
	// Ticket is the incident a per-incident obligation's submission covers.
	Ticket int `json:"ticket" validate:"omitempty,min=1"`
}

// startService resolves a package with response targets (a support plan, or
// a continuous project package such as Remote O&M) into the service's plan
// and starts its Service workflow with ID service/<id>.
func (h *handlers) startService(c *gin.Context) {
	var req startServiceRequest
	if !bindJSON(c, &req) {
		return
	}
	plan, ok := h.resolvePlan(c, req.Package, req.Options)
	if !ok {
		return
	}
	if len(plan.Package.ResponseTargets) == 0 {
		detail := "package " + req.Package + " (a " + string(plan.Package.Kind) + ") states no ticket response targets"
		if plan.Package.Kind == catalog.KindSLA {
			detail += "; its monthly periods start with POST /v1/sla-periods"
		}
		writeProblem(c, Problem{Type: ProblemRuleViolated, Status: http.StatusUnprocessableEntity,
			Detail: "only packages with ticket response targets run as services",
			Errors: []FieldError{{Field: "package", Rule: "kind", Detail: detail}}})
		return
	}
	sp, err := plan.Service(validInstant(req.Start))
	if err != nil {
		// The start date is validated; what remains is the package's own
		// fit for the service workflow.
		writeProblem(c, Problem{Type: ProblemRuleViolated, Status: http.StatusUnprocessableEntity,
			Detail: "the package cannot run as a service", Errors: []FieldError{{Field: "package", Rule: "service-plan", Detail: err.Error()}}})
		return
	}
	in := workflows.ServiceInput{ServiceID: req.ServiceID, CustomerID: req.CustomerID, Plan: sp,
		StartedBy: actor(c), RequestID: c.GetString(requestIDKey)}
	if err := workflows.ValidateService(in); err != nil {
		h.startRefused(c, "service", err)
		return
	}
	run, ok := h.startOnce(c, "service", "/v1/services/"+req.ServiceID, workflows.ServiceWorkflowID(req.ServiceID), workflows.ServiceWorkflowName, in,
		workflows.AttrCustomer.ValueSet(req.CustomerID),
		workflows.AttrPackage.ValueSet(req.Package))
	if !ok {
		return
	}
	h.metrics.action("start-service", "ok")
	out := startedService{ServiceID: req.ServiceID, WorkflowID: run.GetID(), RunID: run.GetRunID()}
	if st, err := h.queryService(c.Request.Context(), req.ServiceID); err == nil {
		out.State = &st
	}
	c.Header("Location", "/v1/services/"+req.ServiceID)
	c.JSON(http.StatusCreated, out)
}

func (h *handlers) queryService(ctx context.Context, id string) (workflows.ServiceState, error) {
	return queryWorkflow[workflows.ServiceState](ctx, h, workflows.ServiceWorkflowID(id), workflows.QueryServiceState)
}

// serviceProblem is workflowProblem with the not-found answers of services
// and tickets: a missing workflow is 404 naming what, a completed one (a
// closed ticket, an ended service) is 409 rule ended.
func (h *handlers) serviceProblem(c *gin.Context, op, what string, err error) {
	var notFound *serviceerror.NotFound
	if _, refused := workflows.AsRefusal(err); !refused && errors.As(err, &notFound) {
		if strings.Contains(notFound.Error(), "already completed") {
			writeProblem(c, Problem{Type: ProblemRefused, Status: http.StatusConflict, Rule: workflows.RuleEnded, Detail: what + " has ended; it takes no more actions"})
			return
		}
		writeProblem(c, Problem{Type: ProblemNotFound, Status: http.StatusNotFound, Detail: "no such " + what})
		return
	}
	h.workflowProblem(c, op, err)
}

func serviceNotFound(c *gin.Context) {
	writeProblem(c, Problem{Type: ProblemNotFound, Status: http.StatusNotFound, Detail: "no such service"})
}

func ticketNotFound(c *gin.Context) {
	writeProblem(c, Problem{Type: ProblemNotFound, Status: http.StatusNotFound, Detail: "no such ticket"})
}

// visibleService authorizes a read of the service of the path (see
// visibleOwner) and returns its ID; it returns false when it answered.
func (h *handlers) visibleService(c *gin.Context) (string, bool) {
	id := c.Param("id")
	if !identifierPattern.MatchString(id) {
		serviceNotFound(c)
		return "", false
	}
	ok := h.visibleOwner(c, "service", serviceNotFound,
		func(ctx context.Context) (string, error) {
			customer, _, _, err := h.deps.Store.ServiceState(ctx, id)
			return customer, err
		},
		func(ctx context.Context) (string, error) {
			st, err := h.queryService(ctx, id)
			return st.CustomerID, err
		},
		func(c *gin.Context, err error) { h.serviceProblem(c, "find service", "service", err) })
	return id, ok
}

// visibleTicket authorizes a read of ticket n of the service of the path
// and returns the service's ID and n; it returns false when it answered. A
// ticket in the read model carries its customer; one not in it (opened a
// moment ago, or before tickets were projected) must be one the service
// has opened, which its workflow says.
func (h *handlers) visibleTicket(c *gin.Context) (string, int, bool) {
	id := c.Param("id")
	n, err := strconv.Atoi(c.Param("n"))
	if !identifierPattern.MatchString(id) {
		serviceNotFound(c)
		return "", 0, false
	}
	if err != nil || n < 1 {
		ticketNotFound(c)
		return "", 0, false
	}
	customer, _, _, err := h.deps.Store.TicketState(c.Request.Context(), id, n)
	switch {
	case errors.Is(err, store.ErrNotFound):
		if _, ok := h.visibleService(c); !ok {
			return "", 0, false
		}
		st, err := h.queryService(c.Request.Context(), id)
		if err != nil {
			h.serviceProblem(c, "find ticket", "service", err)
			return "", 0, false
		}
		if n > st.Tickets.Last {
			ticketNotFound(c)
			return "", 0, false
		}
	case err != nil:
		h.internal(c, "find ticket", err)
		return "", 0, false
	default:
		if p := principal(c); p.Role == store.RoleCustomer && p.CustomerID != customer {
			serviceNotFound(c)
			return "", 0, false
		}
	}
	return id, n, true
}

// getService answers the service's whole current state, from its workflow.
func (h *handlers) getService(c *gin.Context) {
	id, ok := h.visibleService(c)
	if !ok {
		return
	}
	st, err := h.queryService(c.Request.Context(), id)
	if err != nil {
		h.serviceProblem(c, "query service", "service", err)
		return
	}
	c.JSON(http.StatusOK, st)
}

// getTicket answers the ticket's whole current state, from its workflow.
func (h *handlers) getTicket(c *gin.Context) {
	id, n, ok := h.visibleTicket(c)
	if !ok {
		return
	}
	ts, err := queryWorkflow[workflows.TicketState](c.Request.Context(), h, workflows.TicketWorkflowID(id, n), workflows.QueryTicketState)
	if err != nil {
		h.serviceProblem(c, "query ticket", "ticket", err)
		return
	}
	c.JSON(http.StatusOK, ts)
}

// serviceListQuery is the query of GET /v1/services.
type serviceListQuery struct {
	CustomerID string `form:"customer" validate:"omitempty,identifier"`
	Package    string `form:"package" validate:"omitempty,packagecode"`
	Status     string `form:"status" validate:"omitempty,oneof=pending active closing completed"`
	Limit      int    `form:"limit" validate:"omitempty,min=1,max=200"`
	Cursor     string `form:"cursor" validate:"omitempty,max=200"`
}

// servicePage is one page of GET /v1/services.
type servicePage = listPage[store.ServiceSummary]

// listServices filters the services of the read model; customers see only
// their own.
func (h *handlers) listServices(c *gin.Context) {
	var q serviceListQuery
	if !bindQuery(c, &q) {
		return
	}
	f := store.ServiceFilter{PackageCode: q.Package, Status: q.Status, Limit: cmp.Or(q.Limit, defaultListLimit)}
	customer, none := scopeToCustomer(c, q.CustomerID)
	if none {
		c.JSON(http.StatusOK, newListPage[store.ServiceSummary](nil, f.Limit, nil))
		return
	}
	f.CustomerID = customer
	var ok bool
	if f.After, ok = decodeCursor(c, q.Cursor); !ok {
		return
	}
	items, err := h.deps.Store.ListServices(c.Request.Context(), f)
	if err != nil {
		h.internal(c, "list services", err)
		return
	}
	for i := range items {
		it := &items[i]
		it.YearStart, it.YearEnd, it.StartedAt, it.UpdatedAt = cst(it.YearStart), cst(it.YearEnd), cst(it.StartedAt), cst(it.UpdatedAt)
		it.NextBoundary = cstPtr(it.NextBoundary)
	}
	c.JSON(http.StatusOK, newListPage(items, f.Limit, func(s store.ServiceSummary) string { return s.ID }))
}

// serviceEvents pages through a service's recorded events by sequence
// number.
func (h *handlers) serviceEvents(c *gin.Context) {
	var q eventsQuery
	if !bindQuery(c, &q) {
		return
	}
	id, ok := h.visibleService(c)
	if !ok {
		return
	}
	limit := cmp.Or(q.Limit, defaultEventsLimit)
	items, err := h.deps.Store.ServiceEvents(c.Request.Context(), id, q.After, limit)
	if err != nil {
		h.internal(c, "list service events", err)
		return
	}
	answerEvents(c, items, limit, func(e *store.ServiceEvent) (*time.Time, int64) { return &e.OccurredAt, e.Seq })
}

// serviceEventPage is one page of GET /v1/services/{id}/events.
type serviceEventPage = eventsPage[store.ServiceEvent]

// ticketListQuery is the query of GET /v1/services/{id}/tickets.
type ticketListQuery struct {
	Status   string `form:"status" validate:"omitempty,oneof=open responded resolved closed"`
	Severity string `form:"severity" validate:"omitempty,max=64"`
	Breached string `form:"breached" validate:"omitempty,oneof=true false"`
	Limit    int    `form:"limit" validate:"omitempty,min=1,max=200"`
	Cursor   string `form:"cursor" validate:"omitempty,max=200"`
}

// ticketPage is one page of GET /v1/services/{id}/tickets.
type ticketPage = listPage[store.TicketSummary]

// listTickets filters the tickets of one service in the read model.
func (h *handlers) listTickets(c *gin.Context) {
	var q ticketListQuery
	if !bindQuery(c, &q) {
		return
	}
	id, ok := h.visibleService(c)
	if !ok {
		return
	}
	f := store.TicketFilter{ServiceID: id, Status: q.Status, Severity: q.Severity, Limit: cmp.Or(q.Limit, defaultListLimit)}
	if q.Breached != "" {
		b := q.Breached == "true"
		f.Breached = &b
	}
	if q.Cursor != "" {
		after, ok := decodeCursor(c, q.Cursor)
		if !ok {
			return
		}
		if f.After, _ = strconv.Atoi(after); f.After < 1 {
			badCursor(c)
			return
		}
	}
	items, err := h.deps.Store.ListTickets(c.Request.Context(), f)
	if err != nil {
		h.internal(c, "list tickets", err)
		return
	}
	for i := range items {
		it := &items[i]
		it.OpenedAt, it.UpdatedAt = cst(it.OpenedAt), cst(it.UpdatedAt)
		it.ResponseDue, it.RespondedAt = cstPtr(it.ResponseDue), cstPtr(it.RespondedAt)
	}
	c.JSON(http.StatusOK, newListPage(items, f.Limit, func(t store.TicketSummary) string { return strconv.Itoa(t.Number) }))
}

// ticketEventPage is one page of GET /v1/services/{id}/tickets/{n}/events.
type ticketEventPage = eventsPage[store.TicketEvent]

// ticketEvents pages through a ticket's recorded events by sequence number.
func (h *handlers) ticketEvents(c *gin.Context) {
	var q eventsQuery
	if !bindQuery(c, &q) {
		return
	}
	id, n, ok := h.visibleTicket(c)
	if !ok {
		return
	}
	limit := cmp.Or(q.Limit, defaultEventsLimit)
	items, err := h.deps.Store.TicketEvents(c.Request.Context(), id, n, q.After, limit)
	if err != nil {
		h.internal(c, "list ticket events", err)
		return
	}
	answerEvents(c, items, limit, func(e *store.TicketEvent) (*time.Time, int64) { return &e.OccurredAt, e.Seq })
}

// update sends one action as an Update to workflowID, waits for it to
// complete and decodes its result into res; false when it answered an
// error.
func (h *handlers) update(c *gin.Context, workflowID, what, name string, arg, res any) bool {
	handle, err := h.deps.Temporal.UpdateWorkflow(c.Request.Context(), client.UpdateWorkflowOptions{
		UpdateID:     updateID(c, name),
		WorkflowID:   workflowID,
		UpdateName:   name,
		Args:         []any{arg},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err == nil {
		err = handle.Get(c.Request.Context(), res)
	}
	if err != nil {
		outcome := "error"
		if r, ok := workflows.AsRefusal(err); ok {
			outcome = r.Type
		}
		h.metrics.action(name, outcome)
		h.serviceProblem(c, name, what, err)
		return false
	}
	h.metrics.action(name, "ok")
	return true
}

func (h *handlers) openTicket(c *gin.Context) {
	var req openTicketRequest
	if !bindJSON(c, &req) {
		return
	}
	id, ok := h.visibleService(c)
	if !ok {
		return
	}
	var res workflows.OpenTicketResult
	arg := workflows.OpenTicket{ActionMeta: meta(c), Severity: req.Severity, Title: req.Title, Description: req.Description}
	if !h.update(c, workflows.ServiceWorkflowID(id), "service", workflows.UpdateOpenTicket, arg, &res) {
		return
	}
	if res.Events == nil {
		res.Events = []workflows.Event{}
	}
	c.Header("Location", "/v1/services/"+id+"/tickets/"+strconv.Itoa(res.Ticket))
	c.JSON(http.StatusCreated, res)
}

// actionTarget finds the workflow an action goes to and names it for
// problems ("service", "ticket 3"); it answers (404 for another customer's
// object) and returns false when there is none.
type actionTarget func(h *handlers, c *gin.Context) (workflowID, what string, ok bool)

// workflowAction is one action on a continuous-service workflow (a service,
// a ticket, an SLA period): bind and validate the body R, find the target,
// send build's argument as the update and answer its ActionResult.
func workflowAction[R any](h *handlers, target actionTarget, update string, optionalBody bool, build func(c *gin.Context, m workflows.ActionMeta, req R) any) gin.HandlerFunc {
	bind := bindJSON
	if optionalBody {
		bind = bindOptionalJSON
	}
	return func(c *gin.Context) {
		var req R
		if !bind(c, &req) {
			return
		}
		id, what, ok := target(h, c)
		if !ok {
			return
		}
		var res workflows.ActionResult
		if !h.update(c, id, what, update, build(c, meta(c), req), &res) {
			return
		}
		if res.Events == nil {
			res.Events = []workflows.Event{}
		}
		c.JSON(http.StatusOK, res)
	}
}

// serviceTarget is the actionTarget of service actions.
func serviceTarget(h *handlers, c *gin.Context) (string, string, bool) {
	id, ok := h.visibleService(c)
	return workflows.ServiceWorkflowID(id), "service", ok
}

// ticketTarget is the actionTarget of ticket actions: the service's ticket n.
func ticketTarget(h *handlers, c *gin.Context) (string, string, bool) {
	id, n, ok := h.visibleTicket(c)
	return workflows.TicketWorkflowID(id, n), "ticket " + strconv.Itoa(n), ok
}

// ticketAction is one ticket action (see workflowAction).
func ticketAction[R any](h *handlers, update string, optionalBody bool, build func(m workflows.ActionMeta, req R) any) gin.HandlerFunc {
	return workflowAction(h, ticketTarget, update, optionalBody, func(_ *gin.Context, m workflows.ActionMeta, req R) any {
		return build(m, req)
	})
}

func (h *handlers) respondTicket() gin.HandlerFunc {
	return ticketAction(h, workflows.UpdateRespondTicket, true, func(m workflows.ActionMeta, req noteRequest) any {
		return workflows.RespondTicket{ActionMeta: m, Note: req.Note}
	})
}

func (h *handlers) resolveTicket() gin.HandlerFunc {
	return ticketAction(h, workflows.UpdateResolveTicket, false, func(m workflows.ActionMeta, req resolveTicketRequest) any {
		return workflows.ResolveTicket{ActionMeta: m, Resolution: req.Resolution}
	})
}

func (h *handlers) confirmClosure() gin.HandlerFunc {
	return ticketAction(h, workflows.UpdateConfirmClosure, true, func(m workflows.ActionMeta, req noteRequest) any {
		return workflows.ConfirmClosure{ActionMeta: m, Note: req.Note}
	})
}

func (h *handlers) changeSeverity() gin.HandlerFunc {
	return ticketAction(h, workflows.UpdateChangeSeverity, false, func(m workflows.ActionMeta, req changeSeverityRequest) any {
		return workflows.ChangeSeverity{ActionMeta: m, Severity: req.Severity, Reason: req.Reason}
	})
}

func (h *handlers) reopenTicket() gin.HandlerFunc {
	return ticketAction(h, workflows.UpdateReopenTicket, false, func(m workflows.ActionMeta, req reopenTicketRequest) any {
		return workflows.ReopenTicket{ActionMeta: m, Reason: req.Reason}
	})
}

// useServiceQuota records one use of a service quota (manager); the use past
// the period's limit is refused with 409 quota-exhausted.
func (h *handlers) useServiceQuota() gin.HandlerFunc {
	return workflowAction(h, serviceTarget, workflows.UpdateUseQuota, true, func(c *gin.Context, m workflows.ActionMeta, req noteRequest) any {
		return workflows.UseQuota{ActionMeta: m, Quota: c.Param("key"), Note: req.Note}
	})
}

// submitObligation records a document the provider owes under the service's
// obligation key (manager).
func (h *handlers) submitObligation() gin.HandlerFunc {
	return workflowAction(h, serviceTarget, workflows.UpdateSubmitObligation, false, func(c *gin.Context, m workflows.ActionMeta, req submitObligationRequest) any {
		return workflows.SubmitObligation{ActionMeta: m, Obligation: c.Param("key"), Month: req.Month, Ticket: req.Ticket,
			Title: req.Title, URI: req.URI, SHA256: req.SHA256}
	})
}
