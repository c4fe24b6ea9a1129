// Package api is sowflow's HTTP API: a gin router with authentication,
// validation, idempotency, RFC 9457 errors and the OpenAPI document. Delivery
// managers, customers and auditors use it; none of them touch Temporal.
package api

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/sowflow/sowflow/store"
)

// Check is one dependency probed by /readyz.
type Check struct {
	Name  string
	Probe func(ctx context.Context) error
}

// Deps are what the API needs from the rest of the process.
type Deps struct {
	Logger *slog.Logger
	// Ready lists the dependencies that must answer for /readyz to be 200.
	Ready []Check
	// Store is sowflow's PostgreSQL access.
	Store *store.Store
	// Calendars serves the working-day calendar in force.
	Calendars *store.CalendarSource
	// NotifyCalendar tells running projects about a newly loaded calendar; nil
	// skips it.
	NotifyCalendar CalendarNotifier
}

// New returns the API's HTTP handler.
func New(d Deps) http.Handler {
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.HandleMethodNotAllowed = true
	r.ContextWithFallback = true
	r.Use(requestID(), accessLog(d.Logger), recovery(d.Logger))
	r.NoRoute(func(c *gin.Context) {
		writeProblem(c, Problem{Type: ProblemNotFound, Status: http.StatusNotFound, Detail: "no such resource"})
	})
	r.NoMethod(func(c *gin.Context) {
		writeProblem(c, Problem{Type: ProblemMethod, Status: http.StatusMethodNotAllowed, Detail: "method not allowed on this resource"})
	})

	h := &handlers{deps: d}
	r.GET("/healthz", h.healthz)
	r.GET("/readyz", h.readyz)

	v1 := r.Group("/v1", h.authenticate)
	v1.GET("/me", h.me)
	cal := v1.Group("/calendars/cn")
	cal.GET("", h.calendarInfo)
	cal.GET("/deadline", h.deadline)
	cal.GET("/days", h.days)
	cal.PUT("/years/:year", allow(store.RoleAdmin), h.putYear)
	return r
}

type handlers struct {
	deps Deps
}
