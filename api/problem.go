package api

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// ProblemContentType is the media type of RFC 9457 problem documents.
const ProblemContentType = "application/problem+json"

// Problem is an RFC 9457 problem document. Type is a stable URN that clients
// may switch on; Errors lists field-level failures of validation problems.
type Problem struct {
	Type      string       `json:"type"`
	Title     string       `json:"title"`
	Status    int          `json:"status"`
	Detail    string       `json:"detail,omitempty"`
	Instance  string       `json:"instance,omitempty"`
	RequestID string       `json:"request_id,omitempty"`
	Errors    []FieldError `json:"errors,omitempty"`
	// Rule names the contract or workflow rule that refused an action.
	Rule string `json:"rule,omitempty"`
	// Missing lists what must be accepted first when a phase cannot advance.
	Missing []string `json:"missing,omitempty"`
	// Thresholds lists the contract thresholds a submission missed.
	Thresholds []string `json:"thresholds,omitempty"`
	// retryAfter and location, when set, are sent as the Retry-After and
	// Location headers.
	retryAfter, location string
}

// Error makes a Problem the error the action path returns for an answer.
func (p Problem) Error() string { return http.StatusText(p.Status) + ": " + p.Detail }

// FieldError names one bad field and the rule it broke.
type FieldError struct {
	Field  string `json:"field"`
	Rule   string `json:"rule"`
	Detail string `json:"detail"`
	// Line and Column place the defect in an uploaded file (1-based);
	// absent elsewhere.
	Line   int `json:"line,omitempty"`
	Column int `json:"column,omitempty"`
}

// Stable problem types.
const (
	ProblemValidation   = "urn:sowflow:problem:validation"
	ProblemNotFound     = "urn:sowflow:problem:not-found"
	ProblemUnavailable  = "urn:sowflow:problem:unavailable"
	ProblemInternal     = "urn:sowflow:problem:internal"
	ProblemMethod       = "urn:sowflow:problem:method-not-allowed"
	ProblemMisdirected  = "urn:sowflow:problem:misdirected"
	ProblemTooLarge     = "urn:sowflow:problem:body-too-large"
	ProblemUnauthorized = "urn:sowflow:problem:unauthenticated"
	ProblemForbidden    = "urn:sowflow:problem:forbidden"
	ProblemRefused      = "urn:sowflow:problem:action-refused"
	ProblemRuleViolated = "urn:sowflow:problem:contract-rule"
	ProblemExists       = "urn:sowflow:problem:already-exists"
	// ProblemIdempotencyRunning: the first request with this key is still running.
	ProblemIdempotencyRunning = "urn:sowflow:problem:idempotency-key-in-use"
	// ProblemIdempotencyMismatch: the key was used for a different request.
	ProblemIdempotencyMismatch = "urn:sowflow:problem:idempotency-key-reused"
	// ProblemBusy: the server runs a bounded number of such requests at
	// once; retry after Retry-After.
	ProblemBusy = "urn:sowflow:problem:busy"
)

// writeProblem sends p, filling the instance and request ID from the request.
func writeProblem(c *gin.Context, p Problem) {
	if p.Title == "" {
		p.Title = http.StatusText(p.Status)
	}
	if p.retryAfter != "" {
		c.Header("Retry-After", p.retryAfter)
	}
	if p.location != "" {
		c.Header("Location", p.location)
	}
	p.Instance = c.Request.URL.Path
	p.RequestID = c.GetString(requestIDKey)
	c.Header("Content-Type", ProblemContentType)
	c.AbortWithStatusJSON(p.Status, p)
	// AbortWithStatusJSON sets application/json; restore the problem type.
	c.Writer.Header().Set("Content-Type", ProblemContentType)
}
