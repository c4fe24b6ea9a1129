package api

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"go.temporal.io/api/serviceerror"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/sowflow/sowflow/workflows"
)

// temporalRetryAfter is the Retry-After, in seconds, sent while Temporal is unreachable.
const temporalRetryAfter = "5"

// workflowError maps an error from a Temporal call about a resource of
// kind to the answer a caller gets: a workflow validator's refusal keeps
// its reason and rule, a missing workflow is 404 naming kind, a completed
// one is 409 (rule ended), an unreachable Temporal is 503 with Retry-After
// (logged here), and anything else is an internal error of op.
func (h *handlers) workflowError(cl Caller, op, kind string, err error) error {
	if errors.As(err, new(*opError)) || errors.As(err, new(Problem)) {
		return err
	}
	if r, ok := workflows.AsRefusal(err); ok {
		p := Problem{Detail: r.Message, Rule: r.Rule, Missing: r.Missing, Thresholds: r.Thresholds}
		switch r.Type {
		case workflows.ErrorTypeForbidden:
			p.Type, p.Status = ProblemForbidden, http.StatusForbidden
		case workflows.ErrorTypeInvalid:
			p.Type, p.Status = ProblemValidation, http.StatusBadRequest
			if r.Field != "" {
				p.Errors = []FieldError{{Field: r.Field, Rule: r.Rule, Detail: r.Message}}
			}
		default:
			p.Type, p.Status = ProblemRefused, http.StatusConflict
		}
		return p
	}
	var missing *serviceerror.NotFound
	if errors.As(err, &missing) {
		if strings.Contains(missing.Error(), "already completed") {
			return Problem{Type: ProblemRefused, Status: http.StatusConflict, Rule: workflows.RuleEnded, Detail: "the " + kind + " has ended; it takes no more actions"}
		}
		return notFound(kind)
	}
	if temporalUnavailable(err) {
		h.deps.Logger.Warn("temporal unavailable", "op", op, "request_id", cl.RequestID, "error", err.Error())
		return Problem{Type: ProblemUnavailable, Status: http.StatusServiceUnavailable, retryAfter: temporalRetryAfter,
			Detail: "the workflow service is unavailable; retry with the same Idempotency-Key, the action takes effect at most once"}
	}
	return failed(op, err)
}

// workflowProblem answers err of a Temporal call about the path's project
// (the history routes').
func (h *handlers) workflowProblem(c *gin.Context, op string, err error) {
	h.fail(c, h.workflowError(callerOf(c), op, "project", err))
}

// temporalUnavailable reports whether err means Temporal could not be reached
// or did not answer in time.
func temporalUnavailable(err error) bool {
	var unavailable *serviceerror.Unavailable
	var deadline *serviceerror.DeadlineExceeded
	var canceled *serviceerror.Canceled
	if errors.As(err, &unavailable) || errors.As(err, &deadline) || errors.As(err, &canceled) || errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	if s, ok := status.FromError(err); ok {
		switch s.Code() {
		case codes.Unavailable, codes.DeadlineExceeded, codes.ResourceExhausted:
			return true
		}
	}
	return false
}
