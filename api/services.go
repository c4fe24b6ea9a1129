package api

import (
	"cmp"
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

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
	// Dates.ContractEnd, when given, ends the service year (the order's
	// cycle end) instead of 12 months after Start.
	Dates serviceDates `json:"dates"`
	// Options are the package's start options, as for projects (Remote
	// O&M needs users).
	Options catalog.Options `json:"options"`
	// ProjectID names the same customer's project the service belongs to
	// (Remote O&M's): each obligation submission is forwarded to the
	// project's deliverable of the same key (forwardSubmission).
	ProjectID string `json:"project_id" validate:"omitempty,identifier"`
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

// serviceDates are a service start's optional contract dates.
type serviceDates struct {
	ContractEnd string `json:"contract_end" validate:"omitempty,rfc3339"`
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
	sp, err := plan.Service(validInstant(req.Start), validInstant(req.Dates.ContractEnd))
	if errors.Is(err, catalog.ErrEndBeforeStart) {
		h.fail(c, startRefusal("service", &workflows.StartError{Field: "dates.contract_end", Rule: workflows.StartRuleInvalid,
			Message: "the contract end must be after the service's start date"}))
		return
	}
	if err != nil {
		// The start date is validated; what remains is the package's own
		// fit for the service workflow.
		writeProblem(c, Problem{Type: ProblemRuleViolated, Status: http.StatusUnprocessableEntity,
			Detail: "the package cannot run as a service", Errors: []FieldError{{Field: "package", Rule: "service-plan", Detail: err.Error()}}})
		return
	}
	cl := callerOf(c)
	in := workflows.ServiceInput{ServiceID: req.ServiceID, CustomerID: req.CustomerID, ProjectID: req.ProjectID, Plan: sp,
		StartedBy: cl.Actor, RequestID: cl.RequestID, ClientRequestID: cl.ClientRequestID}
	if req.ProjectID != "" {
		if err := h.checkServiceProject(c.Request.Context(), cl, in); err != nil {
			h.fail(c, err)
			return
		}
	}
	if err := workflows.ValidateService(in); err != nil {
		h.fail(c, startRefusal("service", err))
		return
	}
	r := serviceResource(req.ServiceID)
	r.owner.CustomerID = req.CustomerID
	run, err := h.startResource(c.Request.Context(), cl, r, workflows.ServiceWorkflowName, in,
		workflows.AttrCustomer.ValueSet(req.CustomerID),
		workflows.AttrPackage.ValueSet(req.Package))
	if err != nil {
		h.fail(c, err)
		return
	}
	out := startedService{ServiceID: req.ServiceID, WorkflowID: run.GetID(), RunID: run.GetRunID()}
	answerStarted(h, c, r, "start-service", &out, &out.State)
}

// serviceResource is the service id.
func serviceResource(id string) resource {
	return resource{kind: "service", ownerKind: "service", id: id, path: "/v1/services/" + id,
		workflowID: workflows.ServiceWorkflowID(id), stateQuery: workflows.QueryServiceState,
		owner: store.Owner{Kind: store.OwnerService, ID: id}}
}

// serviceTarget is the service of the path.
func serviceTarget(h *handlers, c *gin.Context) (resource, error) {
	id := c.Param("id")
	if !identifierPattern.MatchString(id) {
		return resource{}, notFound("service")
	}
	return serviceResource(id), nil
}

// ticketTarget is ticket n of the service of the path. Its owner is the
// service's; a ticket the read model does not hold (opened a moment ago)
// must be one the service has opened, which its workflow says (asked only
// once the caller may see the service).
func ticketTarget(h *handlers, c *gin.Context) (resource, error) {
	svc, err := serviceTarget(h, c)
	if err != nil {
		return svc, err
	}
	n, err := strconv.Atoi(c.Param("n"))
	if err != nil || n < 1 {
		return resource{}, notFound("ticket")
	}
	id := svc.id
	return resource{kind: "ticket", ownerKind: "service", id: id, n: n, path: svc.path + "/tickets/" + strconv.Itoa(n),
		workflowID: workflows.TicketWorkflowID(id, n), stateQuery: workflows.QueryTicketState,
		owner: svc.owner,
		exists: storedOrLive("ticket", func(ctx context.Context) error {
			_, _, _, err := h.deps.Store.TicketState(ctx, id, n)
			return err
		}, func(ctx context.Context, cl Caller) error {
			st, err := stateOf[workflows.ServiceState](ctx, h, svc)
			if err != nil {
				return h.workflowError(cl, "find ticket", "service", err)
			}
			if n > st.Tickets.Last {
				return notFound("ticket")
			}
			return nil
		})}, nil
}

// getService answers the service's whole current state, from its workflow.
func (h *handlers) getService(c *gin.Context) {
	getState[workflows.ServiceState](h, c, serviceTarget)
}

// getTicket answers the ticket's whole current state, from its workflow.
func (h *handlers) getTicket(c *gin.Context) {
	getState[workflows.TicketState](h, c, ticketTarget)
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
	r, ok := h.visible(c, serviceTarget)
	if !ok {
		return
	}
	f := store.TicketFilter{ServiceID: r.id, Status: q.Status, Severity: q.Severity, Limit: cmp.Or(q.Limit, defaultListLimit)}
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

// serviceEventPage is one page of GET /v1/services/{id}/events.
type serviceEventPage = eventsPage[store.ServiceEvent]

// serviceEvents pages through a service's recorded events by sequence
// number.
func (h *handlers) serviceEvents(c *gin.Context) {
	events(h, c, serviceTarget, func(ctx context.Context, r resource, after int64, limit int) ([]store.ServiceEvent, error) {
		return h.deps.Store.ServiceEvents(ctx, r.id, after, limit)
	}, func(e *store.ServiceEvent) (*time.Time, int64) { return &e.OccurredAt, e.Seq })
}

// ticketEventPage is one page of GET /v1/services/{id}/tickets/{n}/events.
type ticketEventPage = eventsPage[store.TicketEvent]

// ticketEvents pages through a ticket's recorded events by sequence number.
func (h *handlers) ticketEvents(c *gin.Context) {
	events(h, c, ticketTarget, func(ctx context.Context, r resource, after int64, limit int) ([]store.TicketEvent, error) {
		return h.deps.Store.TicketEvents(ctx, r.id, r.n, after, limit)
	}, func(e *store.TicketEvent) (*time.Time, int64) { return &e.OccurredAt, e.Seq })
}

// openTicket opens a ticket of the service of the path (201, Location of
// the ticket).
func (h *handlers) openTicket(c *gin.Context) {
	var req openTicketRequest
	if !bindJSON(c, &req) {
		return
	}
	r, err := serviceTarget(h, c)
	var res workflows.OpenTicketResult
	if err == nil {
		err = h.send(c.Request.Context(), callerOf(c), r, workflows.UpdateOpenTicket, func(m workflows.ActionMeta) any {
			return workflows.OpenTicket{ActionMeta: m, Severity: req.Severity, Title: req.Title, Description: req.Description}
		}, &res)
	}
	if err == nil {
		c.Header("Location", r.path+"/tickets/"+strconv.Itoa(res.Ticket))
	}
	h.answerAction(c, err, http.StatusCreated, &res.ActionResult, &res)
}

// ticketAction is one ticket action (see action).
func ticketAction[R any](h *handlers, update string, optionalBody bool, build func(m workflows.ActionMeta, req R) any) gin.HandlerFunc {
	return action(h, ticketTarget, update, optionalBody, func(_ *gin.Context, m workflows.ActionMeta, req R) any {
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
	return action(h, serviceTarget, workflows.UpdateUseQuota, true, func(c *gin.Context, m workflows.ActionMeta, req noteRequest) any {
		return workflows.UseQuota{ActionMeta: m, Quota: c.Param("key"), Note: req.Note}
	})
}

// checkServiceProject checks the project a service starts with
// (in.ProjectID): it exists, is the service's customer's, and its plan has
// a deliverable for each document the service owes, to which the service
// forwards their submissions. Anything else is 422 naming project_id.
func (h *handlers) checkServiceProject(ctx context.Context, cl Caller, in workflows.ServiceInput) error {
	refuse := func(rule, detail string) error {
		return Problem{Type: ProblemRuleViolated, Status: http.StatusUnprocessableEntity,
			Detail: "the service cannot belong to project " + in.ProjectID,
			Errors: []FieldError{{Field: "project_id", Rule: rule, Detail: detail}}}
	}
	owner, err := h.deps.Store.OwnerOf(ctx, store.OwnerProject, in.ProjectID, "")
	switch {
	case errors.Is(err, store.ErrNotFound):
		return refuse("exists", "is not a project")
	case err != nil:
		return failed("find project "+in.ProjectID, err)
	case owner.CustomerID != in.CustomerID:
		return refuse("same-customer", "is another customer's project")
	case len(in.Plan.Obligations) == 0:
		return refuse("deliverables", "the service owes no documents a project could take")
	}
	st, err := stateOf[workflows.ProjectState](ctx, h, projectResource(in.ProjectID))
	if err != nil {
		return h.workflowError(cl, "find project "+in.ProjectID, "project", err)
	}
	var missing []string
	for _, o := range in.Plan.Obligations {
		if !slices.ContainsFunc(st.Deliverables, func(d workflows.DeliverableState) bool { return d.Key == o.Key }) {
			missing = append(missing, o.Key)
		}
	}
	if len(missing) > 0 {
		return refuse("deliverables", "its package "+st.Package.Code+" has no deliverable "+strings.Join(missing, ", "))
	}
	return nil
}

// obligationResult answers POST /v1/services/{id}/obligations/{key}/submissions.
type obligationResult struct {
	workflows.ActionResult
	// ForwardedTo, for a service started with its project's project_id,
	// says what became of the submission forwarded to the project.
	ForwardedTo *forwardedSubmission `json:"forwarded_to,omitempty"`
}

// forwardedSubmission is an obligation submission forwarded to the
// project's deliverable of the same key.
type forwardedSubmission struct {
	ProjectID     string `json:"project_id"`
	DeliverableID string `json:"deliverable_id"`
	// Status is "submitted" when the project took the submission (the
	// customer's acceptance window is open there), "refused" when it did
	// not (Refusal says why: its phase has not come, its rounds are
	// delivered, it has ended).
	Status string `json:"status"`
	// Events are the events the project recorded.
	Events  []workflows.Event `json:"events,omitempty"`
	Refusal *Problem          `json:"refusal,omitempty"`
}

// Forwarded submission outcomes (forwardedSubmission.Status).
const (
	forwardSubmitted = "submitted"
	forwardRefused   = "refused"
)

// submitObligation records a document the provider owes under the service's
// obligation key (manager). A service started with the project_id of its
// project forwards the submission in the same request to the project's
// deliverable of the same key (forwardSubmission).
func (h *handlers) submitObligation() gin.HandlerFunc {
	return func(c *gin.Context) {
		var req submitObligationRequest
		if !bindJSON(c, &req) {
			return
		}
		r, err := serviceTarget(h, c)
		ctx, cl, key := c.Request.Context(), callerOf(c), c.Param("key")
		var res obligationResult
		if err == nil {
			err = h.send(ctx, cl, r, workflows.UpdateSubmitObligation, func(m workflows.ActionMeta) any {
				return workflows.SubmitObligation{ActionMeta: m, Obligation: key, Month: req.Month, Ticket: req.Ticket,
					Title: req.Title, URI: req.URI, SHA256: req.SHA256}
			}, &res.ActionResult)
		}
		if err == nil {
			res.ForwardedTo, err = h.forwardSubmission(ctx, cl, r, key, req)
		}
		h.answerAction(c, err, http.StatusOK, &res.ActionResult, &res)
	}
}

// forwardSubmission submits a document the service svc took under
// obligation key to the deliverable of the same key of the service's
// project, as the same caller and request; nil when the service belongs
// to no project. The project's refusal is part of the answer (the service
// has the document either way); an error reaching the project is the
// request's, so a retry forwards again. The update ID derives from the
// request's, so a retry (same Idempotency-Key) never submits twice.
func (h *handlers) forwardSubmission(ctx context.Context, cl Caller, svc resource, key string, req submitObligationRequest) (*forwardedSubmission, error) {
	st, err := stateOf[workflows.ServiceState](ctx, h, svc)
	if err != nil {
		return nil, h.workflowError(cl, "find the project of service "+svc.id, "service", err)
	}
	if st.ProjectID == "" {
		return nil, nil
	}
	out := &forwardedSubmission{ProjectID: st.ProjectID, DeliverableID: key, Status: forwardSubmitted}
	name := workflows.UpdateSubmitDeliverable
	arg := workflows.SubmitDeliverable{ActionMeta: cl.meta(), Deliverable: key, Title: req.Title, URI: req.URI, SHA256: req.SHA256}
	var res workflows.ActionResult
	err = h.update(ctx, cl, projectResource(st.ProjectID), name, name+"-"+cl.derive("forward", svc.path, key)[:24], arg, &res)
	var p Problem
	switch {
	case err == nil:
		out.Events = res.Events
	case errors.As(err, &p) && p.Status < http.StatusInternalServerError:
		p.Title = http.StatusText(p.Status)
		out.Status, out.Refusal = forwardRefused, &p
	default:
		return nil, err
	}
	return out, nil
}
