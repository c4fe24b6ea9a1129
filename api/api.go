// Package api is sowflow's HTTP API: a gin router with authentication,
// validation, idempotency, RFC 9457 errors and the OpenAPI document. Delivery
// managers, customers and auditors use it; none of them touch Temporal.
package api

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"go.temporal.io/sdk/client"

	"github.com/sowflow/sowflow/catalog"
	"github.com/sowflow/sowflow/codec"
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
	// PublicURL is the address people reach the portal at
	// (SOWFLOW_PUBLIC_URL): answers that name a portal address, such as
	// the calendar feed's url, start with it.
	PublicURL string
	// Ready lists the dependencies that must answer for /readyz to be 200.
	Ready []Check
	// Store is sowflow's PostgreSQL access.
	Store *store.Store
	// Calendars serves the working-day calendar in force.
	Calendars *store.CalendarSource
	// NotifyCalendar tells running projects about a newly loaded calendar; nil
	// skips it.
	NotifyCalendar CalendarNotifier
	// Temporal starts and drives the project workflows on TaskQueue.
	Temporal  client.Client
	TaskQueue string
	// Catalog resolves packages into plans: the packages compiled into the
	// binary; nil is catalog.Default().
	Catalog *catalog.Catalog
	// Catalogs serves the catalog in force: Catalog with the package
	// versions published in PostgreSQL laid over it. Nil makes one over
	// Store and Catalog, read on first use; sowflow's processes pass theirs,
	// which polls for versions other processes publish.
	Catalogs *store.CatalogSource
	// Codec encrypts Temporal payloads; nil when payload encryption is off.
	Codec *codec.AESGCM
	// DevCodecOrigin, set by sowflow dev only, serves the codec without a
	// token at /dev/codec/{DevCodecSecret} for the local Temporal Web UI at
	// this origin (the dev UI itself has no login). Empty in production.
	DevCodecOrigin string
	// DevCodecSecret is the per-start secret the dev Web UI is configured
	// with (its codec endpoint holds it); /dev/codec answers only under it.
	DevCodecSecret string
	// DevMailDir, in sowflow dev without SMTP, is the folder the relay
	// keeps mail in; the portal shows it at /dev-mail.
	DevMailDir string
	// AllowedHosts, when set, are the only Host headers (host:port, any
	// case) served; others are 421. sowflow dev sets it against DNS
	// rebinding. Empty serves every Host.
	AllowedHosts []string
	// IdempotencyRetention is how long an Idempotency-Key's answer is kept;
	// zero is store.DefaultIdempotencyRetention.
	IdempotencyRetention time.Duration
	// AllowHTTPDocumentURIs lets document URIs be http:// as well as https://.
	AllowHTTPDocumentURIs bool
}

// Owns reports whether the API serves path: /v1/ and /dev/ below, and the
// probes, metrics and OpenAPI document; a process that serves the portal
// too gives it every other path.
func Owns(path string) bool {
	switch path {
	case "/healthz", "/readyz", "/metrics", "/openapi.yaml", "/v1":
		return true
	}
	return strings.HasPrefix(path, "/v1/") || strings.HasPrefix(path, "/dev/")
}

// New returns the API's HTTP handler, /metrics included.
func New(d Deps) http.Handler {
	h, _ := build(d, true)
	return h
}

// NewWithSeparateMetrics returns the API's HTTP handler without /metrics,
// and a handler serving only /metrics, for a listener of its own
// (SOWFLOW_METRICS_ADDR).
func NewWithSeparateMetrics(d Deps) (apiHandler, metricsHandler http.Handler) {
	h, m := build(d, false)
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.handler())
	return h, mux
}

func build(d Deps, serveMetrics bool) (http.Handler, *metrics) {
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.Catalog == nil {
		d.Catalog = catalog.Default()
	}
	if d.Catalogs == nil && d.Store != nil {
		d.Catalogs = store.NewCatalogSource(d.Store, d.Catalog)
	}
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.HandleMethodNotAllowed = true
	r.ContextWithFallback = true
	m := newMetrics()
	if d.Store != nil {
		m.registry.MustRegister(newDeliveryCollector(d.Store))
	}
	r.Use(refuseUnknownMethods(), allowHosts(d.AllowedHosts), requestID(), noStore(), accessLog(d.Logger), m.observe(), recovery(d.Logger))
	r.NoRoute(func(c *gin.Context) {
		writeProblem(c, Problem{Type: ProblemNotFound, Status: http.StatusNotFound, Detail: "no such resource"})
	})
	r.NoMethod(func(c *gin.Context) {
		writeProblem(c, Problem{Type: ProblemMethod, Status: http.StatusMethodNotAllowed, Detail: "method not allowed on this resource"})
	})

	if d.AllowHTTPDocumentURIs {
		r.Use(func(c *gin.Context) {
			c.Request = c.Request.WithContext(withHTTPDocumentURIs(c.Request.Context()))
		})
	}
	h := &handlers{deps: d, metrics: m, replays: make(chan struct{}, maxConcurrentReplays), historyReads: make(chan struct{}, maxConcurrentHistoryReads)}
	for _, m := range []string{http.MethodGet, http.MethodHead} {
		r.Handle(m, "/healthz", h.healthz)
		r.Handle(m, "/readyz", h.readyz)
	}
	if serveMetrics {
		r.GET("/metrics", gin.WrapH(m.handler()))
	}
	r.GET("/openapi.yaml", serveOpenAPI)

	v1 := r.Group("/v1", h.authenticate)
	v1.GET("/me", h.me)
	cal := v1.Group("/calendars/cn")
	cal.GET("", h.calendarInfo)
	cal.GET("/deadline", h.deadline)
	cal.GET("/days", h.days)
	cal.PUT("/years/:year", allow(store.RoleAdmin), h.idempotent, h.putYear)

	v1.GET("/audit/verify", allow(store.RoleAuditor, store.RoleAdmin), h.auditVerify)

	v1.GET("/tokens", allow(store.RoleAdmin), h.listTokens)
	v1.POST("/tokens", allow(store.RoleAdmin), h.idempotent, h.createToken)
	v1.DELETE("/tokens/:id", allow(store.RoleAdmin), h.idempotent, h.revokeToken)

	v1.GET("/catalog", h.catalogList)
	v1.GET("/catalog/schema.json", catalogSchema)
	v1.GET("/catalog/:code", h.catalogPackage)
	v1.GET("/catalog/:code/quote", h.catalogQuote)
	admin := allow(store.RoleAdmin)
	catalogStaff := allow(store.RoleManager, store.RoleAuditor, store.RoleAdmin)
	v1.PUT("/catalog/:code", admin, h.idempotent, h.putCatalogPackage)
	v1.GET("/catalog/:code/versions", catalogStaff, h.listCatalogVersions)
	v1.GET("/catalog/:code/versions/:n", catalogStaff, h.getCatalogVersion)
	v1.POST("/catalog/:code/versions/:n/publish", admin, h.idempotent, h.publishCatalogVersion)
	v1.GET("/catalog/:code/diff", catalogStaff, h.diffCatalogVersions)

	manager := allow(store.RoleManager)
	customer := allow(store.RoleCustomer)
	readers := allow(store.RoleManager, store.RoleCustomer, store.RoleAuditor)
	if d.DevCodecOrigin != "" && d.DevCodecSecret != "" && d.Codec != nil {
		dev := r.Group("/dev/codec/:secret", devSecret(d.DevCodecSecret), devCORS(d.DevCodecOrigin))
		for _, m := range []string{http.MethodPost, http.MethodOptions} {
			dev.Handle(m, "/encode", h.codecEndpoint(false))
			dev.Handle(m, "/decode", h.codecEndpoint(true))
		}
	}
	staff := allow(store.RoleManager, store.RoleAuditor, store.RoleAdmin)
	v1.POST("/codec/encode", staff, h.codecEndpoint(false))
	v1.POST("/codec/decode", staff, h.codecEndpoint(true))

	webhookAdmins := allow(store.RoleAdmin, store.RoleManager)
	v1.POST("/webhooks", webhookAdmins, h.idempotent, h.createWebhook)
	v1.GET("/webhooks", webhookAdmins, h.listWebhooks)
	v1.DELETE("/webhooks/:id", webhookAdmins, h.idempotent, h.deleteWebhook)
	v1.GET("/webhooks/:id/deliveries", webhookAdmins, h.webhookDeliveries)
	v1.POST("/webhooks/:id/secret", webhookAdmins, h.idempotent, h.rotateWebhookSecret)
	v1.POST("/webhooks/:id/enable", webhookAdmins, h.idempotent, h.enableWebhook)
	v1.POST("/webhooks/:id/deliveries/:delivery/redelivery", webhookAdmins, h.idempotent, h.redeliver)
	v1.GET("/me/notification-settings", h.getNotificationSettings)
	v1.PUT("/me/notification-settings", h.idempotent, h.putNotificationSettings)
	v1.GET("/me/calendar-feed", h.getCalendarFeed)
	v1.POST("/me/calendar-feed", h.idempotent, h.createCalendarFeed)
	v1.DELETE("/me/calendar-feed", h.idempotent, h.deleteCalendarFeed)

	projects := v1.Group("/projects")
	projects.POST("", manager, h.idempotent, h.startProject)
	projects.GET("/:id/delivery-manager", readers, h.getDeliveryManager(projectTarget))
	projects.PUT("/:id/delivery-manager", manager, h.idempotent, h.putDeliveryManager(projectTarget))
	projects.GET("", readers, h.listProjects)
	projects.GET("/:id", readers, h.getProject)
	projects.GET("/:id/events", readers, h.projectEvents)
	projects.GET("/:id/lead-dates", readers, h.projectLeadDates)
	projects.GET("/:id/history", readers, h.limitHistoryReads, h.projectHistory)
	projects.GET("/:id/history/export", longRequest(), readers, h.limitHistoryReads, h.projectHistoryExport)
	projects.POST("/:id/deliverables/:key/submissions", manager, h.idempotent, h.submitDeliverable())
	projects.POST("/:id/deliverables/:key/decision", customer, h.idempotent, h.decideDeliverable())
	projects.POST("/:id/phases/:key/advance", manager, h.idempotent, h.advancePhase())
	projects.POST("/:id/delays/open", manager, h.idempotent, h.openDelay())
	projects.POST("/:id/delays/close", manager, h.idempotent, h.closeDelay())
	projects.POST("/:id/quotas/:key/uses", manager, h.idempotent, h.useQuota())
	projects.POST("/:id/final-acceptance", customer, h.idempotent, h.signFinalAcceptance())
	projects.POST("/:id/termination", manager, h.idempotent, h.terminate())
	v1.POST("/replay", longRequest(), allow(store.RoleAuditor), h.limitReplays, h.idempotent, h.replay)

	services := v1.Group("/services")
	managerOrCustomer := allow(store.RoleManager, store.RoleCustomer)
	services.POST("", manager, h.idempotent, h.startService)
	services.GET("/:id/delivery-manager", readers, h.getDeliveryManager(serviceTarget))
	services.PUT("/:id/delivery-manager", manager, h.idempotent, h.putDeliveryManager(serviceTarget))
	services.GET("", readers, h.listServices)
	services.GET("/:id", readers, h.getService)
	services.GET("/:id/events", readers, h.serviceEvents)
	services.GET("/:id/history/export", longRequest(), readers, h.limitHistoryReads, h.serviceHistoryExport)
	services.POST("/:id/quotas/:key/uses", manager, h.idempotent, h.useServiceQuota())
	services.POST("/:id/obligations/:key/submissions", manager, h.idempotent, h.submitObligation())
	services.POST("/:id/tickets", managerOrCustomer, h.idempotent, h.openTicket)
	services.GET("/:id/tickets", readers, h.listTickets)
	services.GET("/:id/tickets/:n", readers, h.getTicket)
	services.GET("/:id/tickets/:n/events", readers, h.ticketEvents)
	services.POST("/:id/tickets/:n/response", manager, h.idempotent, h.respondTicket())
	services.POST("/:id/tickets/:n/resolution", manager, h.idempotent, h.resolveTicket())
	services.POST("/:id/tickets/:n/closure", customer, h.idempotent, h.confirmClosure())
	services.POST("/:id/tickets/:n/reopen", customer, h.idempotent, h.reopenTicket())
	services.POST("/:id/tickets/:n/severity", managerOrCustomer, h.idempotent, h.changeSeverity())

	sla := v1.Group("/sla-periods")
	sla.POST("", manager, h.idempotent, h.startSLAPeriod)
	sla.GET("", readers, h.listSLAPeriods)
	sla.GET("/:account/:period", readers, h.getSLAPeriod)
	sla.GET("/:account/:period/events", readers, h.slaPeriodEvents)
	sla.POST("/:account/:period/outages", manager, h.idempotent, h.recordOutage())
	sla.POST("/:account/:period/error-intervals", manager, h.idempotent, h.recordErrorIntervals())
	sla.POST("/:account/:period/claim", customer, h.idempotent, h.fileClaim())

	slaAccounts := v1.Group("/sla-accounts")
	slaAccounts.POST("", manager, h.idempotent, h.startSLAAccount)
	slaAccounts.GET("/:account", readers, h.getSLAAccount)
	slaAccounts.POST("/:account/fee", manager, h.idempotent, h.changeSLAFee())
	slaAccounts.POST("/:account/stop", manager, h.idempotent, h.stopSLAAccount())
	return r, m
}

type handlers struct {
	deps    Deps
	metrics *metrics
	// replays holds one token per replay running (maxConcurrentReplays).
	replays chan struct{}
	// historyReads holds one token per history export or as_of read running.
	historyReads chan struct{}
}
