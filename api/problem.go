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
}

// FieldError names one bad field and the rule it broke.
type FieldError struct {
	Field  string `json:"field"`
	Rule   string `json:"rule"`
	Detail string `json:"detail"`
}

// Stable problem types.
const (
	ProblemValidation   = "urn:sowflow:problem:validation"
	ProblemNotFound     = "urn:sowflow:problem:not-found"
	ProblemConflict     = "urn:sowflow:problem:conflict"
	ProblemUnavailable  = "urn:sowflow:problem:unavailable"
	ProblemInternal     = "urn:sowflow:problem:internal"
	ProblemMethod       = "urn:sowflow:problem:method-not-allowed"
	ProblemTooLarge     = "urn:sowflow:problem:body-too-large"
	ProblemUnauthorized = "urn:sowflow:problem:unauthenticated"
	ProblemForbidden    = "urn:sowflow:problem:forbidden"
)

// writeProblem sends p, filling the instance and request ID from the request.
func writeProblem(c *gin.Context, p Problem) {
	if p.Title == "" {
		p.Title = http.StatusText(p.Status)
	}
	p.Instance = c.Request.URL.Path
	p.RequestID = c.GetString(requestIDKey)
	c.Header("Content-Type", ProblemContentType)
	c.AbortWithStatusJSON(p.Status, p)
	// AbortWithStatusJSON sets application/json; restore the problem type.
	c.Writer.Header().Set("Content-Type", ProblemContentType)
}
