package api

import (
	"cmp"
	"context"
	"net/http"
	"strconv"
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
	URI    string `json:"uri" validate:"required,docuri,max=2000"`
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
	cl := callerOf(c)
	in := workflows.ServiceInput{ServiceID: req.ServiceID, CustomerID: req.CustomerID, Plan: sp,
		StartedBy: cl.Actor, RequestID: cl.RequestID}
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
	if err != nil {
		h.fail(c, err)
		return
	}
	if res.Events == nil {
		res.Events = []workflows.Event{}
	}
	c.Header("Location", r.path+"/tickets/"+strconv.Itoa(res.Ticket))
	c.JSON(http.StatusCreated, res)
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

// submitObligation records a document the provider owes under the service's
// obligation key (manager).
func (h *handlers) submitObligation() gin.HandlerFunc {
	return action(h, serviceTarget, workflows.UpdateSubmitObligation, false, func(c *gin.Context, m workflows.ActionMeta, req submitObligationRequest) any {
		return workflows.SubmitObligation{ActionMeta: m, Obligation: c.Param("key"), Month: req.Month, Ticket: req.Ticket,
			Title: req.Title, URI: req.URI, SHA256: req.SHA256}
	})
}
