package api

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/sowflow/sowflow/store"
)

type webhookRequest struct {
	URL        string   `json:"url" validate:"required,max=2048,uri"`
	Events     []string `json:"events" validate:"required,min=1,max=64,dive,required,max=64,identifier"`
	CustomerID string   `json:"customer_id" validate:"omitempty,max=64,identifier"`
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
	e, err := h.deps.Store.CreateWebhookEndpoint(c.Request.Context(), store.WebhookEndpointSpec{
		URL: req.URL, Events: req.Events, CustomerID: req.CustomerID, CreatedBy: p.Subject()})
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
