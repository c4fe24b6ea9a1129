package api

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/sowflow/sowflow/catalog"
	"github.com/sowflow/sowflow/store"
	"github.com/sowflow/sowflow/workflows"
)

// Continuous services (support plans, and continuous packages with ticket
// response targets): a Service workflow per service with a Ticket child
// workflow per ticket. Services have no read-model table yet, so
// object-level authorization asks the service workflow for its customer.

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
	plan, err := h.deps.Catalog.Plan(req.Package, req.Options)
	if errors.Is(err, catalog.ErrUnknownPackage) {
		invalid(c, "the package is not in the catalog", FieldError{Field: "package", Rule: "packagecode", Detail: "is not a package of catalog " + h.deps.Catalog.Version + " (GET /v1/catalog lists them)"})
		return
	}
	if err != nil {
		if p, ok := optionsProblem(err); ok {
			writeProblem(c, p)
			return
		}
		h.internal(c, "resolve plan", err)
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

// optionsProblem is the 422 answer naming each start option err says breaks
// the package's rules; false when err holds no *catalog.OptionError.
func optionsProblem(err error) (Problem, bool) {
	oerrs := catalog.OptionErrors(err)
	if len(oerrs) == 0 {
		return Problem{}, false
	}
	p := Problem{Type: ProblemRuleViolated, Status: http.StatusUnprocessableEntity, Detail: "the start options break the package's rules"}
	for _, oe := range oerrs {
		// oe.Field is already the request field, "options.<name>".
		p.Errors = append(p.Errors, FieldError{Field: oe.Field, Rule: oe.Rule, Detail: oe.Message})
	}
	return p, true
}

func (h *handlers) queryService(ctx context.Context, id string) (workflows.ServiceState, error) {
	var st workflows.ServiceState
	v, err := h.deps.Temporal.QueryWorkflow(ctx, workflows.ServiceWorkflowID(id), "", workflows.QueryServiceState)
	if err == nil {
		err = v.Get(&st)
	}
	return st, err
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

// visibleService reads the service's state and answers 404 (not 403) when a
// customer asks about another customer's service. It returns false when it
// answered.
func (h *handlers) visibleService(c *gin.Context) (workflows.ServiceState, bool) {
	id := c.Param("id")
	if !identifierPattern.MatchString(id) {
		serviceNotFound(c)
		return workflows.ServiceState{}, false
	}
	st, err := h.queryService(c.Request.Context(), id)
	if err != nil {
		h.serviceProblem(c, "find service", "service", err)
		return st, false
	}
	if p := principal(c); p.Role == store.RoleCustomer && p.CustomerID != st.CustomerID {
		serviceNotFound(c)
		return st, false
	}
	return st, true
}

// visibleTicket is visibleService and the ticket number n of the path, which
// must name a ticket the service has opened.
func (h *handlers) visibleTicket(c *gin.Context) (workflows.ServiceState, int, bool) {
	st, ok := h.visibleService(c)
	if !ok {
		return st, 0, false
	}
	n, err := strconv.Atoi(c.Param("n"))
	if err != nil || n < 1 || n > st.Tickets.Last {
		writeProblem(c, Problem{Type: ProblemNotFound, Status: http.StatusNotFound, Detail: "no such ticket"})
		return st, 0, false
	}
	return st, n, true
}

func (h *handlers) getService(c *gin.Context) {
	st, ok := h.visibleService(c)
	if !ok {
		return
	}
	c.JSON(http.StatusOK, st)
}

func (h *handlers) getTicket(c *gin.Context) {
	st, n, ok := h.visibleTicket(c)
	if !ok {
		return
	}
	v, err := h.deps.Temporal.QueryWorkflow(c.Request.Context(), workflows.TicketWorkflowID(st.ServiceID, n), "", workflows.QueryTicketState)
	var ts workflows.TicketState
	if err == nil {
		err = v.Get(&ts)
	}
	if err != nil {
		h.serviceProblem(c, "query ticket", "ticket", err)
		return
	}
	c.JSON(http.StatusOK, ts)
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
	st, ok := h.visibleService(c)
	if !ok {
		return
	}
	var res workflows.OpenTicketResult
	arg := workflows.OpenTicket{ActionMeta: meta(c), Severity: req.Severity, Title: req.Title, Description: req.Description}
	if !h.update(c, workflows.ServiceWorkflowID(st.ServiceID), "service", workflows.UpdateOpenTicket, arg, &res) {
		return
	}
	if res.Events == nil {
		res.Events = []workflows.Event{}
	}
	c.Header("Location", "/v1/services/"+st.ServiceID+"/tickets/"+strconv.Itoa(res.Ticket))
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
	st, ok := h.visibleService(c)
	return workflows.ServiceWorkflowID(st.ServiceID), "service", ok
}

// ticketTarget is the actionTarget of ticket actions: the service's ticket n.
func ticketTarget(h *handlers, c *gin.Context) (string, string, bool) {
	st, n, ok := h.visibleTicket(c)
	return workflows.TicketWorkflowID(st.ServiceID, n), "ticket " + strconv.Itoa(n), ok
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
