package api

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"path"
	"regexp"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/sowflow/sowflow/calendar"
	"github.com/sowflow/sowflow/catalog"
	"github.com/sowflow/sowflow/codec"
	"github.com/sowflow/sowflow/store"
	"github.com/sowflow/sowflow/workflows"
)

// identifierPattern is what project and customer IDs look like: they appear
// in workflow IDs, URLs and audit records.
var identifierPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

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
}

func (d contractDates) parse() workflows.ContractDates {
	at := func(s string) time.Time {
		t, _ := time.Parse(time.RFC3339, s) // validated by the rfc3339 rule
		return t
	}
	return workflows.ContractDates{Purchase: at(d.Purchase), Payment: at(d.Payment), ContractEffective: at(d.ContractEffective),
		ContractSigning: at(d.ContractSigning), Application: at(d.Application), Order: at(d.Order)}
}

// startedProject answers POST /v1/projects.
type startedProject struct {
	ProjectID  string                  `json:"project_id"`
	WorkflowID string                  `json:"workflow_id"`
	RunID      string                  `json:"run_id"`
	State      *workflows.ProjectState `json:"state,omitempty"`
}

// actor is the principal as the workflow records it.
func actor(c *gin.Context) workflows.Actor {
	p := principal(c)
	return workflows.Actor{Subject: p.Subject(), Role: workflows.Role(p.Role), CustomerID: p.CustomerID}
}

// meta is the actor and request ID every action carries into history.
func meta(c *gin.Context) workflows.ActionMeta {
	return workflows.ActionMeta{Actor: actor(c), RequestID: c.GetString(requestIDKey)}
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
	in := workflows.ProjectInput{
		ProjectID: req.ProjectID, CustomerID: req.CustomerID, Plan: plan.Workflow(), Dates: req.Dates.parse(),
		StartedBy: actor(c), RequestID: c.GetString(requestIDKey),
	}
	if err := errors.Join(workflows.ValidateStart(in), workflows.CheckLeadTimes(in, h.deps.Calendars.Current().Deadline)); err != nil {
		h.startRefused(c, "project", err)
		return
	}
	run, ok := h.startOnce(c, "project", "/v1/projects/"+req.ProjectID, workflows.ProjectWorkflowID(req.ProjectID), workflows.ProjectWorkflowName, in,
		workflows.AttrCustomer.ValueSet(req.CustomerID),
		workflows.AttrPackage.ValueSet(req.Package),
		workflows.AttrStatus.ValueSet(string(workflows.StatusActive)))
	if !ok {
		return
	}
	h.metrics.action("start", "ok")
	out := startedProject{ProjectID: req.ProjectID, WorkflowID: run.GetID(), RunID: run.GetRunID()}
	// The first state is a convenience: a project that started is answered 201
	// even when the state cannot be read at once.
	if st, err := h.queryState(c.Request.Context(), req.ProjectID); err == nil {
		out.State = &st
	}
	c.Header("Location", "/v1/projects/"+req.ProjectID)
	c.JSON(http.StatusCreated, out)
}

// resolvePlan resolves a package of the catalog with the start options:
// an unknown package is 400, options that break the package's rules are 422
// naming each. It returns false when it answered.
func (h *handlers) resolvePlan(c *gin.Context, code string, opts catalog.Options) (catalog.Plan, bool) {
	plan, err := h.deps.Catalog.Plan(code, opts)
	if errors.Is(err, catalog.ErrUnknownPackage) {
		invalid(c, "the package is not in the catalog", FieldError{Field: "package", Rule: "packagecode", Detail: "is not a package of catalog " + h.deps.Catalog.Version + " (GET /v1/catalog lists them)"})
		return plan, false
	}
	if err != nil {
		if p, ok := optionsProblem(err, "the start options break the package's rules"); ok {
			writeProblem(c, p)
			return plan, false
		}
		h.internal(c, "resolve plan", err)
		return plan, false
	}
	return plan, true
}

// optionsProblem is the 422 answer, with detail, naming each option err
// says breaks the package's rules; false when err holds no
// *catalog.OptionError.
func optionsProblem(err error, detail string) (Problem, bool) {
	oerrs := catalog.OptionErrors(err)
	if len(oerrs) == 0 {
		return Problem{}, false
	}
	p := Problem{Type: ProblemRuleViolated, Status: http.StatusUnprocessableEntity, Detail: detail}
	for _, oe := range oerrs {
		// oe.Field is already the request field ("options.<name>", "users").
		p.Errors = append(p.Errors, FieldError{Field: oe.Field, Rule: oe.Rule, Detail: oe.Message})
	}
	return p, true
}

// startRefused answers 422 naming each start rule err breaks (its
// *workflows.StartError values); an err with none is an internal error.
func (h *handlers) startRefused(c *gin.Context, what string, err error) {
	serrs := workflows.StartErrors(err)
	if len(serrs) == 0 {
		h.internal(c, "validate "+what+" start", err)
		return
	}
	p := Problem{Type: ProblemRuleViolated, Status: http.StatusUnprocessableEntity, Detail: "the " + what + " cannot start under its contract's rules"}
	for _, se := range serrs {
		p.Errors = append(p.Errors, FieldError{Field: se.Field, Rule: se.Rule, Detail: se.Message})
	}
	writeProblem(c, p)
}

// startMemo is the memo field of a started workflow that names the request
// that started it (startFingerprint), so a retry of that request can be told
// from a second start.
const startMemo = "sowflow-start"

// startFingerprint identifies the idempotent request being served: its
// token, Idempotency-Key and request hash. It is empty outside the
// idempotency middleware.
func startFingerprint(c *gin.Context) string {
	key, hash := c.GetString(idempotencyCtxKey), c.GetString(idempotencyHashKey)
	if key == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(principal(c).TokenID + "\n" + key + "\n" + hash))
	return hex.EncodeToString(sum[:])
}

// startOnce starts a workflow whose ID may be used only once: an ID already
// taken (running or ended) answers 409 pointing at location. A retry of the
// request that did start it (same token, Idempotency-Key and body, whose
// first answer was lost before the key's record was stored) is not a second
// start: it gets the workflow's run, so the retry answers like the first
// request would have. It returns false when it answered.
func (h *handlers) startOnce(c *gin.Context, what, location, workflowID, workflowName string, input any, attrs ...temporal.SearchAttributeUpdate) (client.WorkflowRun, bool) {
	fingerprint := startFingerprint(c)
	opts := client.StartWorkflowOptions{
		ID:                                       workflowID,
		TaskQueue:                                h.deps.TaskQueue,
		WorkflowIDReusePolicy:                    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowIDConflictPolicy:                 enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
		WorkflowExecutionErrorWhenAlreadyStarted: true,
		TypedSearchAttributes:                    temporal.NewSearchAttributes(attrs...),
	}
	if fingerprint != "" {
		opts.Memo = map[string]any{startMemo: fingerprint}
	}
	run, err := h.deps.Temporal.ExecuteWorkflow(c.Request.Context(), opts, workflowName, input)
	if err != nil {
		var exists *serviceerror.WorkflowExecutionAlreadyStarted
		if errors.As(err, &exists) {
			if run, ok := h.startedBy(c.Request.Context(), workflowID, fingerprint); ok {
				return run, true
			}
			c.Header("Location", location)
			writeProblem(c, Problem{Type: ProblemExists, Status: http.StatusConflict,
				Detail: what + " " + path.Base(location) + " already exists; a " + what + " starts once"})
			return nil, false
		}
		h.workflowProblem(c, "start "+what, err)
		return nil, false
	}
	return run, true
}

// startedBy returns the first run of workflowID when the request with
// fingerprint started it. Any error reading the memo counts as "not by this
// request": the caller then answers 409, as for a second start.
func (h *handlers) startedBy(ctx context.Context, workflowID, fingerprint string) (client.WorkflowRun, bool) {
	if fingerprint == "" {
		return nil, false
	}
	desc, err := h.deps.Temporal.DescribeWorkflowExecution(ctx, workflowID, "")
	if err != nil {
		return nil, false
	}
	info := desc.GetWorkflowExecutionInfo()
	field := info.GetMemo().GetFields()[startMemo]
	var got string
	if field == nil || codec.DataConverter(h.deps.Codec).FromPayload(field, &got) != nil || got != fingerprint {
		return nil, false
	}
	first := info.GetFirstRunId()
	if first == "" {
		first = info.GetExecution().GetRunId()
	}
	return h.deps.Temporal.GetWorkflow(ctx, workflowID, first), true
}

func (h *handlers) queryState(ctx context.Context, projectID string) (workflows.ProjectState, error) {
	return queryWorkflow[workflows.ProjectState](ctx, h, workflows.ProjectWorkflowID(projectID), workflows.QueryState)
}

// queryWorkflow asks the latest run of workflow id for its query answer,
// decoded as T.
func queryWorkflow[T any](ctx context.Context, h *handlers, id, query string) (T, error) {
	var out T
	v, err := h.deps.Temporal.QueryWorkflow(ctx, id, "", query)
	if err == nil {
		err = v.Get(&out)
	}
	return out, err
}

// visibleProject loads the project's customer and answers 404 (not 403) when
// a customer asks about another customer's project, so project IDs of other
// customers cannot be probed. It returns false when it answered.
func (h *handlers) visibleProject(c *gin.Context) (string, bool) {
	id := c.Param("id")
	notFound := func(c *gin.Context) {
		writeProblem(c, Problem{Type: ProblemNotFound, Status: http.StatusNotFound, Detail: "no such project"})
	}
	if !identifierPattern.MatchString(id) {
		notFound(c)
		return "", false
	}
	ok := h.visibleOwner(c, "project", notFound,
		func(ctx context.Context) (string, error) {
			customer, _, _, err := h.deps.Store.ProjectState(ctx, id)
			return customer, err
		},
		func(ctx context.Context) (string, error) {
			st, err := h.queryState(ctx, id)
			return st.CustomerID, err
		},
		func(c *gin.Context, err error) { h.workflowProblem(c, "find project", err) })
	return id, ok
}

// visibleOwner authorizes a read of one object (a project, a service, a
// ticket): it reads the object's customer from the read model (stored) and,
// only when the read model has no row for it (started a moment ago and not
// projected yet, or from before its projection), from its workflow (live),
// whose errors liveProblem answers. A customer asking about another
// customer's object gets notFound (404, not 403), so IDs of other customers
// cannot be probed. It returns false when it answered.
func (h *handlers) visibleOwner(c *gin.Context, what string, notFound func(*gin.Context),
	stored, live func(context.Context) (string, error), liveProblem func(*gin.Context, error)) bool {
	ctx := c.Request.Context()
	customer, err := stored(ctx)
	if errors.Is(err, store.ErrNotFound) {
		var qerr error
		if customer, qerr = live(ctx); qerr != nil {
			liveProblem(c, qerr)
			return false
		}
		err = nil
	}
	if err != nil {
		h.internal(c, "find "+what, err)
		return false
	}
	if p := principal(c); p.Role == store.RoleCustomer && p.CustomerID != customer {
		notFound(c)
		return false
	}
	return true
}

// getProject answers the project's whole current state, from the workflow.
func (h *handlers) getProject(c *gin.Context) {
	id, ok := h.visibleProject(c)
	if !ok {
		return
	}
	if h.projectAsOf(c, id) {
		return
	}
	st, err := h.queryState(c.Request.Context(), id)
	if err != nil {
		h.workflowProblem(c, "query project", err)
		return
	}
	c.JSON(http.StatusOK, st)
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
}

// projectPage is one page of GET /v1/projects.
type projectPage = listPage[store.ProjectSummary]

// listPage is one page of a list read from the read model: the items in key
// order and, after a full page, the cursor of the next one.
type listPage[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// defaultListLimit is the page size of a list whose limit is not given.
const defaultListLimit = 50

// newListPage is the page of items read with page size limit; a full page
// carries the cursor after its last item, whose key is key.
func newListPage[T any](items []T, limit int, key func(T) string) listPage[T] {
	page := listPage[T]{Items: items}
	if page.Items == nil {
		page.Items = []T{}
	}
	if len(items) > 0 && len(items) == limit {
		page.NextCursor = base64.RawURLEncoding.EncodeToString([]byte(key(items[len(items)-1])))
	}
	return page
}

// badCursor answers 400 naming the cursor parameter.
func badCursor(c *gin.Context) {
	invalid(c, "the cursor is not one this API gave out", FieldError{Field: "cursor", Rule: "cursor", Detail: "pass next_cursor from the previous page unchanged"})
}

// decodeCursor returns the key a cursor from newListPage carries ("" for
// no cursor); it answers 400 and returns false for one it did not give out.
func decodeCursor(c *gin.Context, cursor string) (string, bool) {
	after, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		badCursor(c)
		return "", false
	}
	return string(after), true
}

// scopeToCustomer applies a customer principal's scope to a list's customer
// filter: staff lists what they asked for; a customer lists its own, and a
// filter naming another customer selects nothing (none is true).
func scopeToCustomer(c *gin.Context, asked string) (customer string, none bool) {
	p := principal(c)
	if p.Role != store.RoleCustomer {
		return asked, false
	}
	return p.CustomerID, asked != "" && asked != p.CustomerID
}

// listProjects filters the read model; customers see only their own.
func (h *handlers) listProjects(c *gin.Context) {
	var q listQuery
	if !bindQuery(c, &q) {
		return
	}
	f := store.ProjectFilter{PackageCode: q.Package, Status: q.Status, Phase: q.Phase, Limit: cmp.Or(q.Limit, defaultListLimit)}
	customer, none := scopeToCustomer(c, q.Customer)
	if none {
		c.JSON(http.StatusOK, newListPage[store.ProjectSummary](nil, f.Limit, nil))
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
	for i := range items {
		it := &items[i]
		it.StartedAt, it.UpdatedAt = cst(it.StartedAt), cst(it.UpdatedAt)
		it.NextDeadline = cstPtr(it.NextDeadline)
	}
	c.JSON(http.StatusOK, newListPage(items, f.Limit, func(p store.ProjectSummary) string { return p.ID }))
}

type eventsQuery struct {
	After int64 `form:"after" validate:"omitempty,min=0"`
	Limit int   `form:"limit" validate:"omitempty,min=1,max=500"`
}

// defaultEventsLimit is the page size of an events list whose limit is not
// given.
const defaultEventsLimit = 100

// eventPage is one page of GET /v1/projects/{id}/events.
type eventPage = eventsPage[store.ProjectEvent]

// eventsPage is one page of recorded events in sequence order and, after a
// full page, the sequence number to read on from.
type eventsPage[T any] struct {
	Items     []T   `json:"items"`
	NextAfter int64 `json:"next_after,omitempty"`
}

// answerEvents answers one page of events read with page size limit; stamp
// gives an event's instant (presented in CST) and sequence number.
func answerEvents[T any](c *gin.Context, items []T, limit int, stamp func(*T) (*time.Time, int64)) {
	page := eventsPage[T]{Items: items}
	if page.Items == nil {
		page.Items = []T{}
	}
	var seq int64
	for i := range page.Items {
		var at *time.Time
		at, seq = stamp(&page.Items[i])
		*at = cst(*at)
	}
	if len(items) > 0 && len(items) == limit {
		page.NextAfter = seq
	}
	c.JSON(http.StatusOK, page)
}

// projectEvents pages through a project's recorded events by sequence number.
func (h *handlers) projectEvents(c *gin.Context) {
	var q eventsQuery
	if !bindQuery(c, &q) {
		return
	}
	id, ok := h.visibleProject(c)
	if !ok {
		return
	}
	limit := cmp.Or(q.Limit, defaultEventsLimit)
	items, err := h.deps.Store.ProjectEvents(c.Request.Context(), id, q.After, limit)
	if err != nil {
		h.internal(c, "list events", err)
		return
	}
	answerEvents(c, items, limit, func(e *store.ProjectEvent) (*time.Time, int64) { return &e.OccurredAt, e.Seq })
}

// updateID derives the Temporal update ID from the caller and its
// Idempotency-Key, so a retry whose first answer was lost is the same update
// to Temporal too and takes effect once.
func updateID(c *gin.Context, name string) string {
	sum := sha256.Sum256([]byte(principal(c).TokenID + "\x00" + c.GetString(idempotencyCtxKey) + "\x00" + name + "\x00" + c.Request.URL.Path))
	return name + "-" + hex.EncodeToString(sum[:12])
}

// act sends one action to the project's workflow as an Update, waits for it
// to complete and answers its result.
func (h *handlers) act(c *gin.Context, id, name string, arg any) {
	handle, err := h.deps.Temporal.UpdateWorkflow(c.Request.Context(), client.UpdateWorkflowOptions{
		UpdateID:     updateID(c, name),
		WorkflowID:   workflows.ProjectWorkflowID(id),
		UpdateName:   name,
		Args:         []any{arg},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	var res workflows.ActionResult
	if err == nil {
		err = handle.Get(c.Request.Context(), &res)
	}
	if err != nil {
		outcome := "error"
		if r, ok := workflows.AsRefusal(err); ok {
			outcome = r.Type
		}
		h.metrics.action(name, outcome)
		h.workflowProblem(c, name, err)
		return
	}
	h.metrics.action(name, "ok")
	if res.Events == nil {
		res.Events = []workflows.Event{}
	}
	c.JSON(http.StatusOK, res)
}

type submitRequest struct {
	Title    string             `json:"title" validate:"required,max=500"`
	URI      string             `json:"uri" validate:"required,uri,max=2000"`
	SHA256   string             `json:"sha256" validate:"required,sha256hex"`
	Measured map[string]float64 `json:"measured" validate:"omitempty,max=50,dive,keys,required,max=64,endkeys"`
	Round    int                `json:"round" validate:"omitempty,min=1"`
}

// projectAction is one lifecycle action: the update it sends, whether its
// body may be empty, and how the bound body R becomes the update's argument.
// Every action binds and validates its body first, then finds the project
// (404 for another customer's), then sends the update.
func projectAction[R any](h *handlers, update string, optionalBody bool, build func(c *gin.Context, m workflows.ActionMeta, req R) any) gin.HandlerFunc {
	bind := bindJSON
	if optionalBody {
		bind = bindOptionalJSON
	}
	return func(c *gin.Context) {
		var req R
		if !bind(c, &req) {
			return
		}
		id, ok := h.visibleProject(c)
		if !ok {
			return
		}
		h.act(c, id, update, build(c, meta(c), req))
	}
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

type noteRequest struct {
	Note string `json:"note" validate:"omitempty,max=2000"`
}

type emptyRequest struct{}

type terminateRequest struct {
	Reason string `json:"reason" validate:"required,max=2000"`
}

// cst presents an instant in China Standard Time, as every API answer does.
func cst(t time.Time) time.Time { return t.In(calendar.Zone()) }

// cstPtr is cst for an optional instant.
func cstPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	v := cst(*t)
	return &v
}

// bindOptionalJSON is bindJSON for actions whose body may be empty.
func bindOptionalJSON(c *gin.Context, dst any) bool {
	if c.Request.ContentLength == 0 {
		return checkStruct(c, dst)
	}
	return bindJSON(c, dst)
}

// catalogList and catalogPackage describe the packages; catalogQuote prices one.
func (h *handlers) catalogList(c *gin.Context) {
	c.JSON(http.StatusOK, h.deps.Catalog)
}

func (h *handlers) catalogPackage(c *gin.Context) {
	p, ok := h.deps.Catalog.Package(c.Param("code"))
	if !ok {
		writeProblem(c, Problem{Type: ProblemNotFound, Status: http.StatusNotFound, Detail: "no package " + strconv.Quote(c.Param("code")) + " in the catalog"})
		return
	}
	c.JSON(http.StatusOK, p)
}

type quoteQuery struct {
	Users int `form:"users" validate:"omitempty,min=1,max=100000000"`
}

func (h *handlers) catalogQuote(c *gin.Context) {
	var q quoteQuery
	if !bindQuery(c, &q) {
		return
	}
	if _, ok := h.deps.Catalog.Package(c.Param("code")); !ok {
		writeProblem(c, Problem{Type: ProblemNotFound, Status: http.StatusNotFound, Detail: "no package " + strconv.Quote(c.Param("code")) + " in the catalog"})
		return
	}
	quote, err := h.deps.Catalog.Quote(c.Param("code"), catalog.QuoteRequest{Users: q.Users})
	if err != nil {
		if errors.Is(err, catalog.ErrNoListPrice) {
			writeProblem(c, Problem{Type: ProblemRuleViolated, Status: http.StatusUnprocessableEntity, Detail: err.Error(), Rule: "no-list-price"})
			return
		}
		if p, ok := optionsProblem(err, "the quote parameters do not fit the package"); ok {
			writeProblem(c, p)
			return
		}
		invalid(c, "the quote cannot be made", FieldError{Field: "users", Rule: "quote", Detail: err.Error()})
		return
	}
	c.JSON(http.StatusOK, quote)
}
