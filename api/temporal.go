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

// workflowProblem maps an error from a Temporal call to the answer a client
// gets: a workflow validator's refusal keeps its reason and rule, a missing
// workflow is 404, an unreachable Temporal is 503 with Retry-After, and
// anything else is logged once and answered 500.
func (h *handlers) workflowProblem(c *gin.Context, op string, err error) {
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
		writeProblem(c, p)
		return
	}
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		if strings.Contains(notFound.Error(), "already completed") {
			writeProblem(c, Problem{Type: ProblemRefused, Status: http.StatusConflict, Rule: workflows.RuleEnded, Detail: "the project has ended; it takes no more actions"})
			return
		}
		writeProblem(c, Problem{Type: ProblemNotFound, Status: http.StatusNotFound, Detail: "no such project"})
		return
	}
	if temporalUnavailable(err) {
		h.deps.Logger.Warn("temporal unavailable", "op", op, "request_id", c.GetString(requestIDKey), "error", err.Error())
		c.Header("Retry-After", temporalRetryAfter)
		writeProblem(c, Problem{Type: ProblemUnavailable, Status: http.StatusServiceUnavailable,
			Detail: "the workflow service is unavailable; retry with the same Idempotency-Key, the action takes effect at most once"})
		return
	}
	h.internal(c, op, err)
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
