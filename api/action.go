package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"path"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/sowflow/sowflow/codec"
	"github.com/sowflow/sowflow/store"
	"github.com/sowflow/sowflow/workflows"
)

// The action path: the one way any caller (the HTTP API here, the portal
// next) performs an action on a resource (a project, a service, a ticket,
// an SLA period or account). Each of its three operations takes the
// Caller and the resource and nothing of the HTTP request:
//
//   - start starts the resource's workflow once (startResource);
//   - send finds the resource (404 for another customer's), sends one
//     Update to its workflow with the caller's actor and request ID and an
//     update ID derived from its Idempotency-Key, counts the outcome and
//     returns the result (send);
//   - read finds the resource and reads its workflow's state (read).
//
// Each returns an error that is either a Problem (the answer, already
// shaped and, where it must be, logged) or an internal error wrapped with
// the operation's name (opError), which the edge logs once and answers 500
// or 503. The HTTP edge (edge.go) turns a request into a Caller and a
// resource and the outcome into an answer.

// Caller is who performs an action and through which request.
type Caller struct {
	// Actor is recorded in history with every action: an API token's
	// "token:<id>", or a person's "user:<id>" in the portal, with the role
	// and, for customers, the customer.
	Actor workflows.Actor
	// RequestID is the request the action is recorded under.
	RequestID string
	// ClientRequestID is the client's own X-Request-ID, audited beside
	// RequestID; "" when it sent none.
	ClientRequestID string
	// IdempotencyKey is the key the action is retried with. With the
	// actor's subject it derives the action's Temporal update ID (and a
	// start's fingerprint), so a retry whose first answer was lost takes
	// effect once. Empty outside a mutating request.
	IdempotencyKey string
	// RequestHash identifies what was asked under the key (hex); a key
	// reused for something else is refused before the action path.
	RequestHash string
}

// meta is the actor and request ID every action carries into history.
func (cl Caller) meta() workflows.ActionMeta {
	return workflows.ActionMeta{Actor: cl.Actor, RequestID: cl.RequestID, ClientRequestID: cl.ClientRequestID}
}

// derive names something the caller's request does, the same for every
// retry of that request: a digest of the actor, the Idempotency-Key, the
// request hash and parts.
func (cl Caller) derive(parts ...string) string {
	h := sha256.New()
	for _, p := range append([]string{cl.Actor.Subject, cl.IdempotencyKey, cl.RequestHash}, parts...) {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// opError is an internal error of the operation op: the edge logs it once
// and answers 500 (503 when PostgreSQL is unreachable).
type opError struct {
	op  string
	err error
}

func (e *opError) Error() string { return e.op + ": " + e.err.Error() }
func (e *opError) Unwrap() error { return e.err }

// failed wraps err as an internal error of op.
func failed(op string, err error) error { return &opError{op: op, err: err} }

// resource is one object actions go to.
type resource struct {
	// kind names it in answers: "project", "service", "ticket", "SLA
	// period", "SLA account".
	kind string
	// path is its URL path (Location of a start).
	path string
	// workflowID is its workflow's ID.
	workflowID string
	// stateQuery is the query answering its state; final says that the
	// workflow's result is its final state (SLA periods and accounts), read
	// without a replay once it has completed.
	stateQuery string
	final      bool
	// id is the project's or service's ID or the SLA account; period is an
	// SLA period's month and n a ticket's number.
	id, period string
	n          int
	// owner names the owners row of the resource, or of what it is a part
	// of (a ticket's service, an SLA period's account): a customer asking
	// about a resource it does not own is told that ownerKind does not
	// exist, as for one that does not. Problems name ownerKind.
	owner     store.Owner
	ownerKind string
	// leadDates are a starting project's contract dates that its lead
	// times join, recorded with the owner claim.
	leadDates []store.LeadDate
	// exists, when set, checks after the owner that the resource itself
	// exists (a ticket of its service); its error is an answer.
	exists func(context.Context, Caller) error
}

// notFound is the 404 of kind.
func notFound(kind string) Problem {
	return Problem{Type: ProblemNotFound, Status: 404, Detail: "no such " + kind}
}

// find authorizes the caller's access to r by its owner, from the read
// model: a customer's request for a resource it does not own and for one
// that does not exist are one query that finds no row, and one answer (404
// naming ownerKind), without asking Temporal. Staff find any owned
// resource. A resource that exists checks, for the part it names, that
// the part exists too.
func (h *handlers) find(ctx context.Context, cl Caller, r resource) error {
	customer := ""
	if cl.Actor.Role == workflows.Role(store.RoleCustomer) {
		customer = cl.Actor.CustomerID
	}
	_, err := h.deps.Store.OwnerOf(ctx, r.owner.Kind, r.owner.ID, customer)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return notFound(r.ownerKind)
	case err != nil:
		return failed("find "+r.ownerKind, err)
	case r.exists != nil:
		return r.exists(ctx, cl)
	}
	return nil
}

// storedOrLive is the exists check of a resource the owner does not prove
// exists (a ticket of a service, a month of an SLA account): its read-model
// row (stored; store.ErrNotFound when there is none) or, for one not
// projected yet, live, which asks its workflow.
func storedOrLive(kind string, stored func(context.Context) error, live func(context.Context, Caller) error) func(context.Context, Caller) error {
	return func(ctx context.Context, cl Caller) error {
		err := stored(ctx)
		switch {
		case err == nil:
			return nil
		case !errors.Is(err, store.ErrNotFound):
			return failed("find "+kind, err)
		}
		return live(ctx, cl)
	}
}

// send performs the update name on r for cl: it finds r, sends arg (made
// with the caller's actor and request ID) and decodes the result into out.
// The update ID is derived from the caller's request, so a retry is the
// same update to Temporal and takes effect once.
func (h *handlers) send(ctx context.Context, cl Caller, r resource, name string, arg func(workflows.ActionMeta) any, out any) error {
	if err := h.find(ctx, cl, r); err != nil {
		return err
	}
	return h.update(ctx, cl, r, name, name+"-"+cl.derive(name, r.path)[:24], arg(cl.meta()), out)
}

// update sends one Update with updateID to r's workflow, waits for it to
// complete and decodes its result into out, counting the outcome.
func (h *handlers) update(ctx context.Context, cl Caller, r resource, name, updateID string, arg, out any) error {
	handle, err := h.deps.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		UpdateID:     updateID,
		WorkflowID:   r.workflowID,
		UpdateName:   name,
		Args:         []any{arg},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err == nil {
		err = handle.Get(ctx, out)
	}
	if err != nil {
		outcome := "error"
		if rf, ok := workflows.AsRefusal(err); ok {
			outcome = rf.Type
		}
		h.metrics.action(name, outcome)
		return h.workflowError(cl, name, r.kind, err)
	}
	h.metrics.action(name, "ok")
	return nil
}

// read finds r and reads its workflow's state into out.
func (h *handlers) read(ctx context.Context, cl Caller, r resource, out any) error {
	if err := h.find(ctx, cl, r); err != nil {
		return err
	}
	return h.readFound(ctx, cl, r, out)
}

// readFound reads the state of r, found already, into out.
func (h *handlers) readFound(ctx context.Context, cl Caller, r resource, out any) error {
	if err := h.state(ctx, r, out); err != nil {
		return h.workflowError(cl, "query "+r.kind, r.kind, err)
	}
	return nil
}

// state reads r's state into out: by its query, or, for a workflow whose
// result is its final state, from the query while it runs and from its
// result once it has completed, so a completed workflow answers without a
// worker replaying its history. One that ended otherwise (terminated,
// failed) is queried, which replays it.
func (h *handlers) state(ctx context.Context, r resource, out any) error {
	if r.final {
		resp, err := h.deps.Temporal.QueryWorkflowWithOptions(ctx, &client.QueryWorkflowWithOptionsRequest{
			WorkflowID: r.workflowID, QueryType: r.stateQuery, QueryRejectCondition: enumspb.QUERY_REJECT_CONDITION_NOT_OPEN})
		switch {
		case err != nil:
			return err
		case resp.QueryRejected == nil:
			return resp.QueryResult.Get(out)
		case resp.QueryRejected.GetStatus() == enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED:
			return h.deps.Temporal.GetWorkflow(ctx, r.workflowID, "").Get(ctx, out)
		}
	}
	v, err := h.deps.Temporal.QueryWorkflow(ctx, r.workflowID, "", r.stateQuery)
	if err == nil {
		err = v.Get(out)
	}
	return err
}

// stateOf is state for a state of type T.
func stateOf[T any](ctx context.Context, h *handlers, r resource) (T, error) {
	var st T
	err := h.state(ctx, r, &st)
	return st, err
}

// startMemo is the memo field of a started workflow that names the request
// that started it (Caller.derive), so a retry of that request can be told
// from a second start.
const startMemo = "sowflow-start"

// startResource claims r's owner (r.owner, with its customer) and starts
// r's workflow in the claim's transaction (store.Claim), so the claim is
// kept only when the workflow started. An owner another customer (or, for
// an SLA account name, another service) holds is 409: account-taken for an
// SLA account name, already-exists otherwise.
//
// The workflow ID may be used only once: an ID already taken (running or
// ended) is 409 with Location r.path. A retry of the request that did
// start it (same actor, Idempotency-Key and body, whose first answer was
// lost before the key's record was stored) is not a second start: it gets
// the workflow's run, so the retry answers like the first request would
// have.
func (h *handlers) startResource(ctx context.Context, cl Caller, r resource, workflowName string, input any, attrs ...temporal.SearchAttributeUpdate) (client.WorkflowRun, error) {
	var run client.WorkflowRun
	err := h.deps.Store.Claim(ctx, r.owner, func(ctx context.Context) error {
		var err error
		run, err = h.startOnce(ctx, cl, r, workflowName, input, attrs...)
		return err
	}, r.leadDates...)
	var taken *store.ClaimedError
	switch {
	case err == nil:
		return run, nil
	case errors.As(err, &taken) && r.owner.Kind == store.OwnerSLAAccount:
		return nil, accountTaken(r.owner, taken.Owner)
	case errors.As(err, &taken):
		return nil, r.exists409()
	case errors.As(err, new(Problem)) || errors.As(err, new(*opError)):
		return nil, err
	}
	return nil, failed("claim "+r.kind, err)
}

// exists409 is the 409 of a second start of r.
func (r resource) exists409() Problem {
	return Problem{Type: ProblemExists, Status: 409, location: r.path,
		Detail: fmt.Sprintf("%s %s already exists; a %s starts once", r.kind, path.Base(r.path), r.kind)}
}

// startOnce starts r's workflow once (see startResource).
func (h *handlers) startOnce(ctx context.Context, cl Caller, r resource, workflowName string, input any, attrs ...temporal.SearchAttributeUpdate) (client.WorkflowRun, error) {
	fingerprint := ""
	if cl.IdempotencyKey != "" {
		fingerprint = cl.derive("start")
	}
	opts := client.StartWorkflowOptions{
		ID:                                       r.workflowID,
		TaskQueue:                                h.deps.TaskQueue,
		WorkflowIDReusePolicy:                    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowIDConflictPolicy:                 enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
		WorkflowExecutionErrorWhenAlreadyStarted: true,
		TypedSearchAttributes:                    temporal.NewSearchAttributes(attrs...),
	}
	if fingerprint != "" {
		opts.Memo = map[string]any{startMemo: fingerprint}
	}
	run, err := h.deps.Temporal.ExecuteWorkflow(ctx, opts, workflowName, input)
	var exists *serviceerror.WorkflowExecutionAlreadyStarted
	switch {
	case err == nil:
		return run, nil
	case !errors.As(err, &exists):
		return nil, h.workflowError(cl, "start "+r.kind, r.kind, err)
	}
	if run, ok := h.startedBy(ctx, r.workflowID, fingerprint); ok {
		return run, nil
	}
	return nil, r.exists409()
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

// startRefusal is the 422 naming each start rule err breaks (its
// *workflows.StartError values) of a resource of kind; an err with none is
// an internal error.
func startRefusal(kind string, err error) error {
	serrs := workflows.StartErrors(err)
	if len(serrs) == 0 {
		return failed("validate "+kind+" start", err)
	}
	p := Problem{Type: ProblemRuleViolated, Status: 422, Detail: "the " + kind + " cannot start under its contract's rules"}
	for _, se := range serrs {
		p.Errors = append(p.Errors, FieldError{Field: se.Field, Rule: se.Rule, Detail: se.Message})
	}
	return p
}
