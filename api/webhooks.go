package api

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/sowflow/sowflow/store"
)

type webhookRequest struct {
	// Kind is standard (the default) or dingtalk.
	Kind string `json:"kind" validate:"omitempty,oneof=standard dingtalk"`
	// Secret is a DingTalk robot's signing secret ("SEC…"); required for
	// kind dingtalk, refused for standard endpoints (their secret is made).
	Secret     string   `json:"secret" validate:"omitempty,max=200"`
	URL        string   `json:"url" validate:"required,max=2048,uri"`
	Events     []string `json:"events" validate:"required,min=1,max=64,dive,required,max=64,identifier"`
	CustomerID string   `json:"customer_id" validate:"omitempty,max=64,identifier"`
	// Language is a DingTalk robot's message language (zh-CN, the
	// default, or en); refused for standard endpoints (their body is JSON).
	Language string `json:"language" validate:"omitempty,oneof=zh-CN en"`
}

// webhookCreated is a new endpoint with its signing secret, shown this once.
type webhookCreated struct {
	store.WebhookEndpoint
	Secret string `json:"secret"`
}

type webhookList struct {
	Webhooks []store.WebhookEndpoint `json:"webhooks"`
}

// webhookVisible reports whether the caller may see or delete e: an admin
// every endpoint, a manager those filtered to one customer.
func webhookVisible(p store.Principal, e store.WebhookEndpoint) bool {
	return p.Role == store.RoleAdmin || e.CustomerID != ""
}

// createWebhook registers an endpoint and answers its secret once. A
// manager must name the customer whose events it receives.
func (h *handlers) createWebhook(c *gin.Context) {
	var req webhookRequest
	if !bindJSON(c, &req) {
		return
	}
	p := principal(c)
	if p.Role != store.RoleAdmin && req.CustomerID == "" {
		invalid(c, "a manager's webhook receives one customer's events", FieldError{Field: "customer_id", Rule: "required", Detail: "is required for a manager"})
		return
	}
	if !checkEndpointSecret(c, req.Kind, req.Secret) {
		return
	}
	if req.Kind != store.EndpointDingTalk && req.Language != "" {
		invalid(c, "a standard endpoint receives JSON, in no language", FieldError{Field: "language", Rule: "absent", Detail: "is only given for kind dingtalk"})
		return
	}
	e, err := h.deps.Store.CreateWebhookEndpoint(c.Request.Context(), store.WebhookEndpointSpec{
		Kind: req.Kind, Secret: req.Secret, URL: req.URL, Events: req.Events, CustomerID: req.CustomerID, CreatedBy: p.Subject(),
		Language: store.Language(req.Language)})
	if err != nil {
		h.internal(c, "create webhook endpoint", err)
		return
	}
	c.Header("Location", "/v1/webhooks/"+e.ID)
	c.JSON(http.StatusCreated, webhookCreated{WebhookEndpoint: e, Secret: e.Secret})
}

// listWebhooks lists the endpoints the caller may see, without secrets.
func (h *handlers) listWebhooks(c *gin.Context) {
	all, err := h.deps.Store.WebhookEndpoints(c.Request.Context(), nil)
	if err != nil {
		h.internal(c, "list webhook endpoints", err)
		return
	}
	out := webhookList{Webhooks: []store.WebhookEndpoint{}}
	for _, e := range all {
		if webhookVisible(principal(c), e) {
			out.Webhooks = append(out.Webhooks, e)
		}
	}
	c.JSON(http.StatusOK, out)
}

// deleteWebhook removes an endpoint the caller may see; its unsent
// deliveries are given up.
func (h *handlers) deleteWebhook(c *gin.Context) {
	ctx := c.Request.Context()
	id := c.Param("id")
	e, err := h.deps.Store.WebhookEndpoint(ctx, id)
	if err == nil && !webhookVisible(principal(c), e) {
		err = store.ErrNotFound
	}
	if err == nil {
		err = h.deps.Store.DeleteWebhookEndpoint(ctx, id)
	}
	switch {
	case errors.Is(err, store.ErrNotFound):
		writeProblem(c, Problem{Type: ProblemNotFound, Status: http.StatusNotFound, Detail: "no webhook endpoint " + id})
	case err != nil:
		h.internal(c, "delete webhook endpoint", err)
	default:
		c.Status(http.StatusNoContent)
	}
}

// maxListedDeliveries bounds GET /v1/webhooks/{id}/deliveries.
const maxListedDeliveries = 1000

type deliveryList struct {
	Deliveries []store.DeliveryState `json:"deliveries"`
}

// webhookDeliveries answers an endpoint's delivery log, oldest first: each
// delivery's attempts, last error and when it was sent or given up.
func (h *handlers) webhookDeliveries(c *gin.Context) {
	ctx := c.Request.Context()
	id := c.Param("id")
	e, err := h.deps.Store.WebhookEndpoint(ctx, id)
	if errors.Is(err, store.ErrNotFound) || err == nil && !webhookVisible(principal(c), e) {
		writeProblem(c, Problem{Type: ProblemNotFound, Status: http.StatusNotFound, Detail: "no webhook endpoint " + id})
		return
	}
	if err != nil {
		h.internal(c, "read webhook endpoint", err)
		return
	}
	log, err := h.deps.Store.Deliveries(ctx, store.ChannelWebhook, id, maxListedDeliveries)
	if err != nil {
		h.internal(c, "list webhook deliveries", err)
		return
	}
	if log == nil {
		log = []store.DeliveryState{}
	}
	c.JSON(http.StatusOK, deliveryList{Deliveries: log})
}

// checkEndpointSecret answers 400 unless the secret suits the endpoint
// kind: a DingTalk robot's "SEC…" secret for dingtalk, none for standard.
func checkEndpointSecret(c *gin.Context, kind, secret string) bool {
	switch {
	case kind == store.EndpointDingTalk && !strings.HasPrefix(secret, "SEC"):
		invalid(c, "a DingTalk robot endpoint needs the robot's signing secret", FieldError{Field: "secret", Rule: "dingtalk", Detail: "must be the robot's secret, starting with SEC"})
		return false
	case kind != store.EndpointDingTalk && secret != "":
		invalid(c, "a standard endpoint's secret is made by sowflow", FieldError{Field: "secret", Rule: "absent", Detail: "is only given for kind dingtalk"})
		return false
	}
	return true
}

// visibleEndpoint returns the endpoint of the path if the caller may see
// it, having answered 404 (or 500) otherwise.
func (h *handlers) visibleEndpoint(c *gin.Context) (store.WebhookEndpoint, bool) {
	id := c.Param("id")
	e, err := h.deps.Store.WebhookEndpoint(c.Request.Context(), id)
	if errors.Is(err, store.ErrNotFound) || err == nil && !webhookVisible(principal(c), e) {
		writeProblem(c, Problem{Type: ProblemNotFound, Status: http.StatusNotFound, Detail: "no webhook endpoint " + id})
		return e, false
	}
	if err != nil {
		h.internal(c, "read webhook endpoint", err)
		return e, false
	}
	return e, true
}

// secretRequest is the body of a secret rotation: a DingTalk robot's new
// secret (a standard endpoint's is made, and the body is empty).
type secretRequest struct {
	Secret string `json:"secret" validate:"omitempty,max=200"`
}

// rotateWebhookSecret gives the endpoint a new signing secret, answered
// this once; every message from then on is signed with it.
func (h *handlers) rotateWebhookSecret(c *gin.Context) {
	var req secretRequest
	if c.Request.ContentLength != 0 && !bindJSON(c, &req) {
		return
	}
	e, ok := h.visibleEndpoint(c)
	if !ok || !checkEndpointSecret(c, e.Kind, req.Secret) {
		return
	}
	e, err := h.deps.Store.RotateWebhookSecret(c.Request.Context(), e.ID, req.Secret)
	if err != nil {
		h.internal(c, "rotate webhook secret", err)
		return
	}
	c.JSON(http.StatusOK, webhookCreated{WebhookEndpoint: e, Secret: e.Secret})
}

// redeliver queues a delivery of the endpoint again, sent or given up.
func (h *handlers) redeliver(c *gin.Context) {
	e, ok := h.visibleEndpoint(c)
	if !ok {
		return
	}
	n, err := strconv.ParseInt(c.Param("delivery"), 10, 64)
	if err != nil {
		writeProblem(c, Problem{Type: ProblemNotFound, Status: http.StatusNotFound, Detail: "no delivery " + c.Param("delivery") + " of webhook endpoint " + e.ID})
		return
	}
	d, err := h.deps.Store.Redeliver(c.Request.Context(), e.ID, n)
	switch {
	case errors.Is(err, store.ErrNotFound):
		writeProblem(c, Problem{Type: ProblemNotFound, Status: http.StatusNotFound, Detail: "no delivery " + c.Param("delivery") + " of webhook endpoint " + e.ID})
	case err != nil:
		h.internal(c, "redeliver", err)
	default:
		c.JSON(http.StatusAccepted, d)
	}
}

// enableWebhook enables an endpoint the caller may see that was disabled
// after 24 hours of failures, recording who did it (on the endpoint and the
// audit chain). An endpoint that is not disabled is answered as it is.
func (h *handlers) enableWebhook(c *gin.Context) {
	e, ok := h.visibleEndpoint(c)
	if !ok {
		return
	}
	e, err := h.deps.Store.EnableWebhookEndpoint(c.Request.Context(), e.ID, time.Now())
	switch {
	case errors.Is(err, store.ErrNotFound):
		writeProblem(c, Problem{Type: ProblemNotFound, Status: http.StatusNotFound, Detail: "no webhook endpoint " + c.Param("id")})
	case err != nil:
		h.internal(c, "enable webhook endpoint", err)
	default:
		c.JSON(http.StatusOK, e)
	}
}
