package api

import (
	"cmp"
	"context"
	"errors"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/sowflow/sowflow/workflows"
)

// The HTTP edge of the action path (action.go): a request becomes a Caller
// and a resource, the outcome an answer.

// identifierPattern is what project and customer IDs look like: they appear
// in workflow IDs, URLs and audit records.
var identifierPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// noteRequest is the optional body of the actions that take a note.
type noteRequest struct {
	Note string `json:"note" validate:"omitempty,max=2000"`
}

// emptyRequest is the body of the actions that take none.
type emptyRequest struct{}

// callerOf is the Caller of an HTTP request: its token's principal, its
// request ID and, on a mutating route, its Idempotency-Key and the hash of
// what it asks.
func callerOf(c *gin.Context) Caller {
	p := principal(c)
	return Caller{
		Actor:     workflows.Actor{Subject: p.Subject(), Role: workflows.Role(p.Role), CustomerID: p.CustomerID},
		RequestID: c.GetString(requestIDKey),
		// The client's own X-Request-ID, audited beside RequestID.
		ClientRequestID: c.GetString(clientRequestIDKey),
		IdempotencyKey:  c.GetString(idempotencyCtxKey),
		RequestHash:     c.GetString(idempotencyHashKey),
	}
}

// fail answers err from the action path: a Problem as it is, anything else
// as an internal error (logged once).
func (h *handlers) fail(c *gin.Context, err error) {
	var p Problem
	if errors.As(err, &p) {
		writeProblem(c, p)
		return
	}
	op := "action"
	var oe *opError
	if errors.As(err, &oe) {
		op, err = oe.op, oe.err
	}
	h.internal(c, op, err)
}

// target names the resource of a request's path; its error (a malformed
// ID is a resource that does not exist) is the answer.
type target func(h *handlers, c *gin.Context) (resource, error)

// action is the HTTP edge of one action on the resource of the path: bind
// and validate the body R (which may be empty when optionalBody), name the
// resource, send the update build makes of the body and answer its
// workflows.ActionResult. The body is checked before the resource is
// looked at.
func action[R any](h *handlers, of target, update string, optionalBody bool, build func(c *gin.Context, m workflows.ActionMeta, req R) any) gin.HandlerFunc {
	bind := bindJSON
	if optionalBody {
		bind = bindOptionalJSON
	}
	return func(c *gin.Context) {
		var req R
		if !bind(c, &req) {
			return
		}
		r, err := of(h, c)
		var res workflows.ActionResult
		if err == nil {
			err = h.send(c.Request.Context(), callerOf(c), r, update, func(m workflows.ActionMeta) any { return build(c, m, req) }, &res)
		}
		h.answerAction(c, err, http.StatusOK, &res, &res)
	}
}

// answerAction answers an action's outcome: err as fail does, else out
// with status; out holds (or is) res, whose events are never null.
func (h *handlers) answerAction(c *gin.Context, err error, status int, res *workflows.ActionResult, out any) {
	if err != nil {
		h.fail(c, err)
		return
	}
	if res.Events == nil {
		res.Events = []workflows.Event{}
	}
	c.JSON(status, out)
}

// getState answers the current state, of type T, of the resource of the
// path, from its workflow.
func getState[T any](h *handlers, c *gin.Context, of target) {
	r, err := of(h, c)
	var st T
	if err == nil {
		err = h.read(c.Request.Context(), callerOf(c), r, &st)
	}
	answerState(h, c, err, st)
}

// answerState answers a state read by the action path: err as fail does,
// else st.
func answerState[T any](h *handlers, c *gin.Context, err error, st T) {
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, st)
}

// visible finds the resource of the path for the request's caller; it
// answers and returns false when the caller may not see it.
func (h *handlers) visible(c *gin.Context, of target) (resource, bool) {
	r, err := of(h, c)
	if err == nil {
		err = h.find(c.Request.Context(), callerOf(c), r)
	}
	if err != nil {
		h.fail(c, err)
		return r, false
	}
	return r, true
}

// answerStarted answers 201 for the started resource r: out, with the
// workflow's first state in *state when it can be read at once (a
// convenience: a resource that started is answered 201 even when it
// cannot), and Location. A request that prefers a minimal answer
// (Prefer: return=minimal, RFC 7240) gets out without the state, which
// spares the wait for the workflow's first task to answer the state query,
// and Preference-Applied says so.
func answerStarted[S any](h *handlers, c *gin.Context, r resource, metric string, out any, state **S) {
	h.metrics.action(metric, "ok")
	if prefersMinimal(c.Request.Header) {
		c.Header("Preference-Applied", "return=minimal")
		// The IDs are all a retry would answer again (store.AnswerRederivable).
		c.Set(answerRederivableKey, true)
	} else if st, err := stateOf[S](c.Request.Context(), h, r); err == nil {
		*state = &st
	}
	c.Header("Location", r.path)
	c.JSON(http.StatusCreated, out)
}

// prefersMinimal says whether the request's Prefer headers (RFC 7240: one
// or more, each a comma-separated list of preferences, a preference's
// parameters after ";") ask for return=minimal. Names and the value are
// matched without regard to case, and the value may be quoted.
func prefersMinimal(hdr http.Header) bool {
	for _, line := range hdr.Values("Prefer") {
		for pref := range strings.SplitSeq(line, ",") {
			pref, _, _ = strings.Cut(pref, ";")
			name, value, ok := strings.Cut(pref, "=")
			if ok && strings.EqualFold(strings.TrimSpace(name), "return") &&
				strings.EqualFold(strings.Trim(strings.TrimSpace(value), `"`), "minimal") {
				return true
			}
		}
	}
	return false
}

type eventsQuery struct {
	After int64 `form:"after" validate:"omitempty,min=0"`
	Limit int   `form:"limit" validate:"omitempty,min=1,max=500"`
}

// defaultEventsLimit is the page size of an events list whose limit is not
// given.
const defaultEventsLimit = 100

// eventsPage is one page of recorded events in sequence order and, after a
// full page, the sequence number to read on from.
type eventsPage[T any] struct {
	Items     []T   `json:"items"`
	NextAfter int64 `json:"next_after,omitempty"`
}

// events answers one page of the recorded events, of type T, of the
// resource of the path, read from the read model by list after the
// resource was found; stamp gives an event's instant (presented in CST)
// and sequence number.
func events[T any](h *handlers, c *gin.Context, of target, list func(ctx context.Context, r resource, after int64, limit int) ([]T, error), stamp func(*T) (*time.Time, int64)) {
	var q eventsQuery
	if !bindQuery(c, &q) {
		return
	}
	r, ok := h.visible(c, of)
	if !ok {
		return
	}
	limit := cmp.Or(q.Limit, defaultEventsLimit)
	items, err := list(c.Request.Context(), r, q.After, limit)
	if err != nil {
		h.internal(c, "list events of "+r.kind+" "+r.id, err)
		return
	}
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

// bindOptionalJSON is bindJSON for actions whose body may be empty.
func bindOptionalJSON(c *gin.Context, dst any) bool {
	if c.Request.ContentLength == 0 {
		return checkStruct(c, dst)
	}
	return bindJSON(c, dst)
}
