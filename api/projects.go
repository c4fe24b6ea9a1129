package api

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/sowflow/sowflow/catalog"
	"github.com/sowflow/sowflow/plan"
	"github.com/sowflow/sowflow/store"
	"github.com/sowflow/sowflow/workflows"
)

// startProjectRequest is the body of POST /v1/projects.
type startProjectRequest struct {
	ProjectID  string          `json:"project_id" validate:"required,identifier"`
	CustomerID string          `json:"customer_id" validate:"required,identifier"`
	Package    string          `json:"package" validate:"required,packagecode"`
	Dates      contractDates   `json:"dates"`
	Options    catalog.Options `json:"options"`
}

type contractDates struct {
	Purchase          string `json:"purchase" validate:"omitempty,rfc3339"`
	Payment           string `json:"payment" validate:"omitempty,rfc3339"`
	ContractEffective string `json:"contract_effective" validate:"omitempty,rfc3339"`
	ContractSigning   string `json:"contract_signing" validate:"omitempty,rfc3339"`
	Application       string `json:"application" validate:"omitempty,rfc3339"`
	Order             string `json:"order" validate:"omitempty,rfc3339"`
	// ContractEnd, when given, ends the contract: the project expires then.
	ContractEnd string `json:"contract_end" validate:"omitempty,rfc3339"`
}

func (d contractDates) parse() workflows.ContractDates {
	at := func(s string) time.Time {
		t, _ := time.Parse(time.RFC3339, s) // validated by the rfc3339 rule
		return t
	}
	return workflows.ContractDates{Purchase: at(d.Purchase), Payment: at(d.Payment), ContractEffective: at(d.ContractEffective),
		ContractSigning: at(d.ContractSigning), Application: at(d.Application), Order: at(d.Order),
		ContractEnd: at(d.ContractEnd)}
}

// startedProject answers POST /v1/projects.
type startedProject struct {
	ProjectID  string                  `json:"project_id"`
	WorkflowID string                  `json:"workflow_id"`
	RunID      string                  `json:"run_id"`
	State      *workflows.ProjectState `json:"state,omitempty"`
}

// projectResource is the project id.
func projectResource(id string) resource {
	return resource{kind: "project", ownerKind: "project", id: id, path: "/v1/projects/" + id,
		workflowID: workflows.ProjectWorkflowID(id), stateQuery: workflows.QueryProjectState,
		owner: store.Owner{Kind: store.OwnerProject, ID: id}}
}

// projectTarget is the project of the path.
func projectTarget(h *handlers, c *gin.Context) (resource, error) {
	id := c.Param("id")
	if !identifierPattern.MatchString(id) {
		return resource{}, notFound("project")
	}
	return projectResource(id), nil
}

// startProject resolves the package into a plan, checks every contract rule
// that must hold before a workflow exists, and starts the project workflow.
func (h *handlers) startProject(c *gin.Context) {
	var req startProjectRequest
	if !bindJSON(c, &req) {
		return
	}
	plan, ok := h.resolvePlan(c, req.Package, req.Options)
	if !ok {
		return
	}
	cl := callerOf(c)
	in := workflows.ProjectInput{
		ProjectID: req.ProjectID, CustomerID: req.CustomerID, Plan: plan.Workflow(), Dates: req.Dates.parse(),
		StartedBy: cl.Actor, RequestID: cl.RequestID, ClientRequestID: cl.ClientRequestID,
	}
	if err := errors.Join(workflows.ValidateStart(in), workflows.CheckLeadTimes(in, h.deps.Calendars.Current().Deadline)); err != nil {
		h.fail(c, startRefusal("project", err))
		return
	}
	r := projectResource(req.ProjectID)
	r.owner.CustomerID = req.CustomerID
	r.leadDates = leadDates(in)
	run, err := h.startResource(c.Request.Context(), cl, r, workflows.ProjectWorkflowName, in,
		workflows.AttrCustomer.ValueSet(req.CustomerID),
		workflows.AttrPackage.ValueSet(req.Package),
		workflows.AttrStatus.ValueSet(string(workflows.StatusActive)))
	if err != nil {
		h.fail(c, err)
		return
	}
	out := startedProject{ProjectID: req.ProjectID, WorkflowID: run.GetID(), RunID: run.GetRunID()}
	answerStarted(h, c, r, "start", &out, &out.State)
}

// leadDates are the contract dates the project's lead times join (both
// ends of each), with the contract text of every lead time that joins
// each, in the plan's order.
func leadDates(in workflows.ProjectInput) []store.LeadDate {
	var out []store.LeadDate
	for _, lt := range in.Plan.LeadTimes {
		for _, e := range []plan.Event{lt.From, lt.Before} {
			at := in.Dates.At(e)
			if at.IsZero() {
				continue
			}
			i := slices.IndexFunc(out, func(d store.LeadDate) bool { return d.Event == string(e) })
			if i < 0 {
				out = append(out, store.LeadDate{Event: string(e), At: at})
				i = len(out) - 1
			}
			if !slices.Contains(out[i].Texts, lt.Text) {
				out[i].Texts = append(out[i].Texts, lt.Text)
			}
		}
	}
	return out
}

// leadDatesPage is the answer of GET /v1/projects/{id}/lead-dates.
type leadDatesPage struct {
	Items []store.LeadDate `json:"items"`
}

// projectLeadDates answers the contract dates the project's lead times
// join, as its start gave them, in time order (China Standard Time).
func (h *handlers) projectLeadDates(c *gin.Context) {
	r, ok := h.visible(c, projectTarget)
	if !ok {
		return
	}
	items, err := h.deps.Store.LeadDatesOf(c.Request.Context(), r.id)
	if err != nil {
		h.internal(c, "lead dates of project "+r.id, err)
		return
	}
	page := leadDatesPage{Items: make([]store.LeadDate, 0, len(items))}
	for _, d := range items {
		d.At = cst(d.At)
		page.Items = append(page.Items, d)
	}
	c.JSON(http.StatusOK, page)
}

// visibleProject finds the project of the path for the request's caller
// (404, not 403, for another customer's, so project IDs of other customers
// cannot be probed) and returns its ID; it returns false when it answered.
func (h *handlers) visibleProject(c *gin.Context) (string, bool) {
	r, ok := h.visible(c, projectTarget)
	return r.id, ok
}

// getProject answers the project's whole current state, from the workflow,
// or as of an instant (projectAsOf).
func (h *handlers) getProject(c *gin.Context) {
	r, ok := h.visible(c, projectTarget)
	if !ok || h.projectAsOf(c, r.id) {
		return
	}
	var st workflows.ProjectState
	err := h.readFound(c.Request.Context(), callerOf(c), r, &st)
	answerState(h, c, err, st)
}

type listQuery struct {
	Customer       string `form:"customer" validate:"omitempty,identifier"`
	Package        string `form:"package" validate:"omitempty,packagecode"`
	Status         string `form:"status" validate:"omitempty,oneof=active completed expired terminated"`
	Phase          string `form:"phase" validate:"omitempty,max=64"`
	Overdue        string `form:"overdue" validate:"omitempty,oneof=true false"`
	DeadlineBefore string `form:"deadline_before" validate:"omitempty,rfc3339"`
	DeadlineAfter  string `form:"deadline_after" validate:"omitempty,rfc3339"`
	Limit          int    `form:"limit" validate:"omitempty,min=1,max=200"`
	Cursor         string `form:"cursor" validate:"omitempty,max=200"`
	// Include=state adds each project's state as the read model last
	// recorded it.
	Include string `form:"include" validate:"omitempty,oneof=state"`
}

// projectListItem is one project of GET /v1/projects: its summary and,
// with include=state, its state as the read model last recorded it (the
// state GET /v1/projects/{id} answers as of the project's last recorded
// event).
type projectListItem struct {
	store.ProjectSummary
	State json.RawMessage `json:"state,omitempty"`
}

// projectPage is one page of GET /v1/projects.
type projectPage = listPage[projectListItem]

// listProjects filters the read model; customers see only their own.
func (h *handlers) listProjects(c *gin.Context) {
	var q listQuery
	if !bindQuery(c, &q) {
		return
	}
	f := store.ProjectFilter{PackageCode: q.Package, Status: q.Status, Phase: q.Phase, Limit: cmp.Or(q.Limit, defaultListLimit)}
	customer, none := scopeToCustomer(c, q.Customer)
	if none {
		c.JSON(http.StatusOK, newListPage[projectListItem](nil, f.Limit, nil))
		return
	}
	f.CustomerID = customer
	if q.Overdue != "" {
		b := q.Overdue == "true"
		f.Overdue = &b
	}
	for _, d := range []struct {
		raw string
		dst **time.Time
	}{{q.DeadlineBefore, &f.DeadlineBefore}, {q.DeadlineAfter, &f.DeadlineAfter}} {
		if d.raw != "" {
			t, _ := time.Parse(time.RFC3339, d.raw)
			*d.dst = &t
		}
	}
	var ok bool
	if f.After, ok = decodeCursor(c, q.Cursor); !ok {
		return
	}
	items, err := h.deps.Store.ListProjects(c.Request.Context(), f)
	if err != nil {
		h.internal(c, "list projects", err)
		return
	}
	var states map[string]json.RawMessage
	if q.Include == "state" {
		ids := make([]string, len(items))
		for i, it := range items {
			ids[i] = it.ID
		}
		if states, err = h.deps.Store.ProjectStates(c.Request.Context(), ids); err != nil {
			h.internal(c, "list project states", err)
			return
		}
	}
	out := make([]projectListItem, len(items))
	for i, it := range items {
		it.StartedAt, it.UpdatedAt = cst(it.StartedAt), cst(it.UpdatedAt)
		it.NextDeadline = cstPtr(it.NextDeadline)
		out[i] = projectListItem{ProjectSummary: it, State: states[it.ID]}
	}
	c.JSON(http.StatusOK, newListPage(out, f.Limit, func(p projectListItem) string { return p.ID }))
}

// eventPage is one page of GET /v1/projects/{id}/events.
type eventPage = eventsPage[store.ProjectEvent]

// projectEvents pages through a project's recorded events by sequence number.
func (h *handlers) projectEvents(c *gin.Context) {
	events(h, c, projectTarget, func(ctx context.Context, r resource, after int64, limit int) ([]store.ProjectEvent, error) {
		return h.deps.Store.ProjectEvents(ctx, r.id, after, limit)
	}, func(e *store.ProjectEvent) (*time.Time, int64) { return &e.OccurredAt, e.Seq })
}

type submitRequest struct {
	Title    string             `json:"title" validate:"required,max=500"`
	URI      string             `json:"uri" validate:"required,uri,max=2000"`
	SHA256   string             `json:"sha256" validate:"required,sha256hex"`
	Measured map[string]float64 `json:"measured" validate:"omitempty,max=50,dive,keys,required,max=64,endkeys"`
	Round    int                `json:"round" validate:"omitempty,min=1"`
}

// projectAction is one lifecycle action on the project of the path (see
// action).
func projectAction[R any](h *handlers, update string, optionalBody bool, build func(c *gin.Context, m workflows.ActionMeta, req R) any) gin.HandlerFunc {
	return action(h, projectTarget, update, optionalBody, build)
}

func (h *handlers) submitDeliverable() gin.HandlerFunc {
	return projectAction(h, workflows.UpdateSubmitDeliverable, false, func(c *gin.Context, m workflows.ActionMeta, req submitRequest) any {
		return workflows.SubmitDeliverable{ActionMeta: m, Deliverable: c.Param("key"),
			Round: req.Round, Title: req.Title, URI: req.URI, SHA256: req.SHA256, Measured: req.Measured}
	})
}

func (h *handlers) decideDeliverable() gin.HandlerFunc {
	return projectAction(h, workflows.UpdateDecideDeliverable, false, func(c *gin.Context, m workflows.ActionMeta, req decisionRequest) any {
		return workflows.DecideDeliverable{ActionMeta: m, Deliverable: c.Param("key"),
			Round: req.Round, Decision: workflows.Decision(req.Decision), Reason: req.Reason}
	})
}

func (h *handlers) advancePhase() gin.HandlerFunc {
	return projectAction(h, workflows.UpdateAdvancePhase, true, func(c *gin.Context, m workflows.ActionMeta, _ emptyRequest) any {
		return workflows.AdvancePhase{ActionMeta: m, From: c.Param("key")}
	})
}

func (h *handlers) openDelay() gin.HandlerFunc {
	return projectAction(h, workflows.UpdateOpenDelay, false, func(_ *gin.Context, m workflows.ActionMeta, req openDelayRequest) any {
		return workflows.OpenDelay{ActionMeta: m, Reason: req.Reason, Prerequisite: req.Prerequisite}
	})
}

func (h *handlers) closeDelay() gin.HandlerFunc {
	return projectAction(h, workflows.UpdateCloseDelay, true, func(_ *gin.Context, m workflows.ActionMeta, req noteRequest) any {
		return workflows.CloseDelay{ActionMeta: m, Note: req.Note}
	})
}

func (h *handlers) useQuota() gin.HandlerFunc {
	return projectAction(h, workflows.UpdateUseQuota, true, func(c *gin.Context, m workflows.ActionMeta, req noteRequest) any {
		return workflows.UseQuota{ActionMeta: m, Quota: c.Param("key"), Note: req.Note}
	})
}

func (h *handlers) signFinalAcceptance() gin.HandlerFunc {
	return projectAction(h, workflows.UpdateSignFinalAcceptance, true, func(_ *gin.Context, m workflows.ActionMeta, req noteRequest) any {
		return workflows.SignFinalAcceptance{ActionMeta: m, Note: req.Note}
	})
}

func (h *handlers) terminate() gin.HandlerFunc {
	return projectAction(h, workflows.UpdateTerminate, false, func(_ *gin.Context, m workflows.ActionMeta, req terminateRequest) any {
		return workflows.Terminate{ActionMeta: m, Reason: req.Reason}
	})
}

// The bodies of the lifecycle actions.

type decisionRequest struct {
	Decision string `json:"decision" validate:"required,oneof=accept reject"`
	Reason   string `json:"reason" validate:"required_if=Decision reject,max=2000"`
	Round    int    `json:"round" validate:"omitempty,min=1"`
}

type openDelayRequest struct {
	Reason       string `json:"reason" validate:"required,max=2000"`
	Prerequisite string `json:"prerequisite" validate:"omitempty,max=64"`
}

type terminateRequest struct {
	Reason string `json:"reason" validate:"required,max=2000"`
}
