package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/sowflow/sowflow/store"
)

// Webhook sends deliveries to webhook endpoints as the Standard Webhooks
// specification describes: a JSON body signed with the endpoint's secret,
// in the webhook-id, webhook-timestamp and webhook-signature headers.
type Webhook struct {
	Store *store.Store
	// Client sends the requests (default: a client with a 15s timeout).
	Client *http.Client
	// PublicURL, when set, is the base of the links in the body.
	PublicURL string
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Event is the JSON body of a webhook delivery.
type Event struct {
	// Type is the notification kind (the workflow event type).
	Type string `json:"type"`
	// Timestamp is when the event was queued for notification.
	Timestamp time.Time `json:"timestamp"`
	Data      EventData `json:"data"`
}

// EventData describes what the event is about.
type EventData struct {
	// Source is project, service, ticket or sla-period.
	Source     string `json:"source"`
	ProjectID  string `json:"project_id,omitempty"`
	ServiceID  string `json:"service_id,omitempty"`
	Ticket     int    `json:"ticket,omitempty"`
	SLAPeriod  string `json:"sla_period,omitempty"`
	CustomerID string `json:"customer_id,omitempty"`
	// Seq is the event's sequence number in its subject's history.
	Seq int64 `json:"seq"`
	// Audience is the role the event is meant for (customer, manager).
	Audience string          `json:"audience"`
	Payload  json.RawMessage `json:"payload,omitempty"`
	// Links point to the subject in the API.
	Links map[string]string `json:"links,omitempty"`
}

// WebhookID is the webhook-id of a delivery: the event's stable ID
// (store.EventID), the same on every retry and redelivery and for every
// endpoint, so receivers drop a message they have seen.
func WebhookID(d store.Delivery) string { return store.EventID(d.EventKey) }

// EventOf builds the body of a delivery.
func EventOf(d store.Delivery, publicURL string) Event {
	e := d.Entry
	data := EventData{Source: e.Source, ProjectID: e.ProjectID, ServiceID: e.ServiceID, Ticket: e.Ticket, SLAPeriod: e.SLAPeriod,
		CustomerID: d.CustomerID, Seq: e.EventSeq, Audience: e.Recipient, Payload: e.Payload}
	if len(data.Payload) == 0 || string(data.Payload) == "{}" {
		data.Payload = nil
	}
	base := strings.TrimSuffix(publicURL, "/")
	var self string
	switch e.Source {
	case store.SourceProject:
		self = "/v1/projects/" + e.ProjectID
	case store.SourceSLAPeriod:
		self = "/v1/sla-periods/" + e.SLAPeriod
	case store.SourceTicket:
		self = "/v1/services/" + e.ServiceID + "/tickets/" + strconv.Itoa(e.Ticket)
	default:
		self = "/v1/services/" + e.ServiceID
	}
	data.Links = map[string]string{"self": base + self}
	return Event{Type: e.Kind, Timestamp: d.EventTime.UTC(), Data: data}
}

// Sign returns the webhook-signature value of a message: "v1," and the
// base64 HMAC-SHA256, keyed by the secret's base64 key, of
// "<id>.<timestamp>.<body>".
func Sign(secret, id string, timestamp int64, body []byte) (string, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, store.WebhookSecretPrefix))
	if err != nil {
		return "", fmt.Errorf("decode webhook secret: %w", err)
	}
	mac := hmac.New(sha256.New, key)
	fmt.Fprintf(mac, "%s.%d.", id, timestamp)
	mac.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil)), nil
}

// Send posts the delivery to its endpoint. A 2xx answer is success; 4xx
// answers other than 408, 409, 425 and 429 are permanent, as is a deleted
// endpoint; everything else is retried.
func (w *Webhook) Send(ctx context.Context, d store.Delivery) error {
	ep, err := w.Store.WebhookEndpoint(ctx, d.Recipient)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("webhook endpoint %s is deleted: %w", d.Recipient, ErrPermanent)
	}
	if err != nil {
		return err
	}
	if ep.Kind == store.EndpointDingTalk {
		return w.sendDingTalk(ctx, ep, d)
	}
	body, err := json.Marshal(EventOf(d, w.PublicURL))
	if err != nil {
		return fmt.Errorf("encode webhook body: %w", err)
	}
	id, ts := WebhookID(d), w.now().Unix()
	sig, err := Sign(ep.Secret, id, ts, body)
	if err != nil {
		return fmt.Errorf("%w: %w", err, ErrPermanent)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ep.URL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("webhook request to %s: %w: %w", ep.URL, err, ErrPermanent)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "sowflow-webhooks")
	req.Header.Set("webhook-id", id)
	req.Header.Set("webhook-timestamp", strconv.FormatInt(ts, 10))
	req.Header.Set("webhook-signature", sig)
	resp, err := w.client().Do(req)
	if err != nil {
		return fmt.Errorf("post webhook to %s: %w", ep.URL, err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	return statusError(ep, resp)
}

// statusError judges an endpoint's answer: 2xx is success; 4xx other than
// 408, 409, 425 and 429 is permanent; anything else is retried.
func statusError(ep store.WebhookEndpoint, resp *http.Response) error {
	switch c := resp.StatusCode; {
	case c >= 200 && c < 300:
		return nil
	case c >= 400 && c < 500 && c != 408 && c != 409 && c != 425 && c != 429:
		return fmt.Errorf("webhook endpoint %s answered %s: %w", ep.ID, resp.Status, ErrPermanent)
	default:
		return fmt.Errorf("webhook endpoint %s answered %s", ep.ID, resp.Status)
	}
}

func (w *Webhook) client() *http.Client {
	if w.Client != nil {
		return w.Client
	}
	return &http.Client{Timeout: 15 * time.Second}
}

func (w *Webhook) now() time.Time {
	if w.Now != nil {
		return w.Now()
	}
	return time.Now()
}
