package api

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/sowflow/sowflow/store"
)

const principalKey = "principal"

// actingKey is the context key of ActingAs.
type actingKey struct{}

// ActingAs returns ctx carrying p: a request served by the API's handler
// with this context acts as p without a bearer token. Only code in this
// process can put a value on a request's context, so this is how the portal
// (which has signed the person in) performs actions through the same
// routes, authorization, validation, idempotency and audit as the API.
func ActingAs(ctx context.Context, p store.Principal) context.Context {
	return context.WithValue(ctx, actingKey{}, p)
}

// authenticate resolves the bearer token (or the in-process principal of
// ActingAs) to a principal or answers 401.
func (h *handlers) authenticate(c *gin.Context) {
	if p, ok := c.Request.Context().Value(actingKey{}).(store.Principal); ok {
		h.admit(c, p)
		return
	}
	scheme, token, ok := strings.Cut(c.GetHeader("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		unauthorized(c, "send a bearer token: Authorization: Bearer <token>")
		return
	}
	p, err := h.deps.Store.Authenticate(c.Request.Context(), strings.TrimSpace(token))
	if errors.Is(err, store.ErrUnauthenticated) {
		unauthorized(c, "the token is unknown or revoked")
		return
	}
	if err != nil {
		h.internal(c, "authenticate", err)
		return
	}
	h.admit(c, p)
}

// admit serves the request as p.
func (h *handlers) admit(c *gin.Context, p store.Principal) {
	c.Set(principalKey, p)
	// Audit records written while serving the request name the caller.
	c.Request = c.Request.WithContext(store.WithActor(c.Request.Context(),
		store.Actor{Subject: p.Subject(), Role: string(p.Role), RequestID: c.GetString(requestIDKey), ClientRequestID: c.GetString(clientRequestIDKey)}))
	c.Next()
}

func unauthorized(c *gin.Context, detail string) {
	c.Header("WWW-Authenticate", `Bearer realm="sowflow"`)
	writeProblem(c, Problem{Type: ProblemUnauthorized, Status: http.StatusUnauthorized, Detail: detail})
}

// allow lets only the given roles through; others get 403 naming their role.
func allow(roles ...store.Role) gin.HandlerFunc {
	return func(c *gin.Context) {
		p := principal(c)
		if !slices.Contains(roles, p.Role) {
			names := make([]string, len(roles))
			for i, r := range roles {
				names[i] = string(r)
			}
			writeProblem(c, Problem{Type: ProblemForbidden, Status: http.StatusForbidden,
				Detail: "a " + string(p.Role) + " token may not do this; it needs the role " + strings.Join(names, " or ")})
			return
		}
		c.Next()
	}
}

// principal returns the authenticated caller; routes behind authenticate only.
func principal(c *gin.Context) store.Principal {
	p, _ := c.Get(principalKey)
	return p.(store.Principal)
}

// me answers who the token belongs to.
func (h *handlers) me(c *gin.Context) {
	c.JSON(http.StatusOK, principal(c))
}

// internal logs err once and answers 500 without leaking it, or 503 with
// Retry-After when PostgreSQL could not be reached.
func (h *handlers) internal(c *gin.Context, op string, err error) {
	if store.Unavailable(err) {
		h.deps.Logger.Warn(op, "request_id", c.GetString(requestIDKey), "error", err.Error())
		c.Header("Retry-After", temporalRetryAfter)
		writeProblem(c, Problem{Type: ProblemUnavailable, Status: http.StatusServiceUnavailable,
			Detail: "the database is unavailable; retry with the same Idempotency-Key"})
		return
	}
	h.deps.Logger.Error(op, "request_id", c.GetString(requestIDKey), "error", err.Error())
	writeProblem(c, Problem{Type: ProblemInternal, Status: http.StatusInternalServerError, Detail: "an unexpected error occurred; quote the request ID when reporting it"})
}
