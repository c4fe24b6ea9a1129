package store

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// WebhookSecretPrefix starts every webhook signing secret, as the Standard
// Webhooks specification writes them; the base64 key follows it.
const WebhookSecretPrefix = "whsec_"

// Webhook endpoint kinds (WebhookEndpoint.Kind).
const (
	// EndpointStandard receives Standard Webhooks messages.
	EndpointStandard = "standard"
	// EndpointDingTalk is a DingTalk group robot: markdown messages signed
	// with the robot's "SEC…" secret.
	EndpointDingTalk = "dingtalk"
)

// WebhookEndpoint is an integration that receives events.
type WebhookEndpoint struct {
	ID string `json:"id"`
	// Kind is EndpointStandard or EndpointDingTalk.
	Kind string `json:"kind"`
	URL  string `json:"url"`
	// Secret signs the deliveries; it is shown once, when the endpoint is
	// created, and is never listed.
	Secret string   `json:"-"`
	Events []string `json:"events"`
	// CustomerID limits the events to one customer's ('' means all).
	CustomerID string    `json:"customer_id,omitempty"`
	CreatedBy  string    `json:"created_by"`
	CreatedAt  time.Time `json:"created_at"`
	// FailingSince is when the endpoint's sends started failing (absent
	// once one succeeds); DisabledAt when it was disabled after 24 hours
	// of failures.
	FailingSince *time.Time `json:"failing_since,omitempty"`
	DisabledAt   *time.Time `json:"disabled_at,omitempty"`
	// Language is a DingTalk robot's message language (LanguageChinese
	// or LanguageEnglish); '' for a standard endpoint.
	Language Language `json:"language,omitempty"`
	// EnabledAgainAt and EnabledAgainBy say when and by whom the endpoint
	// was last enabled again after being disabled.
	EnabledAgainAt *time.Time `json:"enabled_again_at,omitempty"`
	EnabledAgainBy string     `json:"enabled_again_by,omitempty"`
}

// WebhookEndpointSpec describes an endpoint to create.
type WebhookEndpointSpec struct {
	// Kind is EndpointStandard ('' too) or EndpointDingTalk.
	Kind string
	// Secret is a DingTalk robot's signing secret; a standard endpoint's
	// is made here.
	Secret     string
	URL        string
	Events     []string
	CustomerID string
	CreatedBy  string
	// Language is a DingTalk robot's message language; '' means
	// LanguageChinese. A standard endpoint has none.
	Language Language
}

// CreateWebhookEndpoint stores a new endpoint with a new ID and signing
// secret, and returns it with the secret.
func (s *Store) CreateWebhookEndpoint(ctx context.Context, spec WebhookEndpointSpec) (WebhookEndpoint, error) {
	if len(spec.Events) == 0 {
		return WebhookEndpoint{}, errors.New("create webhook endpoint: no events")
	}
	kind := spec.Kind
	if kind == "" {
		kind = EndpointStandard
	}
	secret := spec.Secret
	if kind == EndpointStandard {
		secret = newWebhookSecret()
	}
	lang := spec.Language
	switch {
	case kind != EndpointDingTalk && lang != "":
		return WebhookEndpoint{}, fmt.Errorf("create webhook endpoint: language %q: only a DingTalk endpoint has one", lang)
	case kind == EndpointDingTalk && lang == "":
		lang = LanguageChinese
	case kind == EndpointDingTalk && !lang.Valid():
		return WebhookEndpoint{}, fmt.Errorf("create webhook endpoint: language %q: must be %s or %s", lang, LanguageChinese, LanguageEnglish)
	}
	e := WebhookEndpoint{
		Language:   lang,
		ID:         "whe_" + strings.ToLower(rand.Text()),
		Kind:       kind,
		URL:        spec.URL,
		Secret:     secret,
		Events:     spec.Events,
		CustomerID: spec.CustomerID,
		CreatedBy:  spec.CreatedBy,
	}
	err := s.pool.QueryRow(ctx, `
		INSERT INTO webhook_endpoints (id, kind, url, secret, events, customer_id, created_by, language)
		VALUES ($1, $2, $3, $4, $5, nullif($6, ''), $7, $8) RETURNING created_at`,
		e.ID, e.Kind, e.URL, e.Secret, e.Events, e.CustomerID, e.CreatedBy, e.Language).Scan(&e.CreatedAt)
	if err != nil {
		return WebhookEndpoint{}, fmt.Errorf("create webhook endpoint: %w", err)
	}
	return e, nil
}

const webhookColumns = `id, kind, url, secret, events, coalesce(customer_id, ''), created_by, created_at, failing_since, disabled_at,
	language, enabled_again_at, enabled_again_by`

// newWebhookSecret makes a Standard Webhooks signing secret.
func newWebhookSecret() string {
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	return WebhookSecretPrefix + base64.StdEncoding.EncodeToString(key)
}

// RotateWebhookSecret gives a standard endpoint a new signing secret and
// returns the endpoint with it; messages sent from then on are signed with
// it. A DingTalk robot's secret is the robot's: it is given, not made.
func (s *Store) RotateWebhookSecret(ctx context.Context, id, dingTalkSecret string) (WebhookEndpoint, error) {
	e, err := s.WebhookEndpoint(ctx, id)
	if err != nil {
		return WebhookEndpoint{}, err
	}
	secret := dingTalkSecret
	if e.Kind == EndpointStandard {
		secret = newWebhookSecret()
	}
	if _, err := s.pool.Exec(ctx, `UPDATE webhook_endpoints SET secret = $2 WHERE id = $1`, id, secret); err != nil {
		return WebhookEndpoint{}, fmt.Errorf("rotate secret of webhook endpoint %s: %w", id, err)
	}
	e.Secret = secret
	return e, nil
}

// WebhookEndpoint returns one endpoint with its secret; a missing one is
// ErrNotFound.
func (s *Store) WebhookEndpoint(ctx context.Context, id string) (WebhookEndpoint, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+webhookColumns+` FROM webhook_endpoints WHERE id = $1`, id)
	if err != nil {
		return WebhookEndpoint{}, fmt.Errorf("read webhook endpoint %s: %w", id, err)
	}
	e, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByPos[WebhookEndpoint])
	if errors.Is(err, pgx.ErrNoRows) {
		return WebhookEndpoint{}, fmt.Errorf("webhook endpoint %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return WebhookEndpoint{}, fmt.Errorf("read webhook endpoint %s: %w", id, err)
	}
	return e, nil
}

// WebhookEndpoints lists the endpoints, oldest first; with customers given,
// only those filtered to one of them.
func (s *Store) WebhookEndpoints(ctx context.Context, customers []string) ([]WebhookEndpoint, error) {
	return queryList(ctx, s, "webhook endpoints", `
		SELECT `+webhookColumns+` FROM webhook_endpoints
		WHERE $1::text[] IS NULL OR customer_id = ANY ($1) ORDER BY created_at, id`, []any{customers},
		pgx.RowToStructByPos[WebhookEndpoint])
}

// DeleteWebhookEndpoint removes an endpoint; its deliveries not yet sent are
// given up. A missing endpoint is ErrNotFound.
func (s *Store) DeleteWebhookEndpoint(ctx context.Context, id string) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM webhook_endpoints WHERE id = $1`, id)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return ErrNotFound
		}
		_, err = tx.Exec(ctx, `UPDATE deliveries SET failed_at = now(), last_error = 'endpoint deleted'
			WHERE channel = 'webhook' AND recipient = $1 AND sent_at IS NULL AND failed_at IS NULL`, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("delete webhook endpoint %s: %w", id, err)
	}
	return nil
}

// Redeliver queues a delivery of an endpoint again, sent or given up: it
// is due at once, keeps its row and event ID, and its retry window starts
// anew. A delivery not of the endpoint is ErrNotFound.
func (s *Store) Redeliver(ctx context.Context, endpointID string, deliveryID int64) (DeliveryState, error) {
	tag, err := s.pool.Exec(ctx, `UPDATE deliveries SET sent_at = NULL, failed_at = NULL, next_attempt_at = now(), created_at = now(), last_error = ''
		WHERE id = $1 AND channel = 'webhook' AND recipient = $2`, deliveryID, endpointID)
	if err != nil {
		return DeliveryState{}, fmt.Errorf("redeliver %d: %w", deliveryID, err)
	}
	if tag.RowsAffected() == 0 {
		return DeliveryState{}, fmt.Errorf("delivery %d of endpoint %s: %w", deliveryID, endpointID, ErrNotFound)
	}
	log, err := queryList(ctx, s, "deliveries", `
		SELECT id, event_key, outbox_id, channel, recipient, attempts, next_attempt_at, last_error, sent_at, failed_at
		FROM deliveries WHERE id = $1`, []any{deliveryID}, scanDeliveryState)
	if err != nil || len(log) != 1 {
		return DeliveryState{}, fmt.Errorf("read delivery %d: %w", deliveryID, err)
	}
	return log[0], nil
}

// ActionWebhookEnable is the audited enabling of a disabled webhook
// endpoint (on its customer's chain, or the system chain).
const ActionWebhookEnable = "webhook.enable"

// EnableWebhookEndpoint enables an endpoint disabled after 24 hours of
// failures: the relay sends it new events again, and its failing spell
// starts afresh. The context's actor is recorded on the endpoint and on
// the audit chain of its customer (the system chain for one of every
// customer's), in one transaction. An endpoint that is not disabled is
// returned unchanged, with nothing recorded; a missing one is ErrNotFound.
// Deliveries given up while it was disabled stay given up (redeliver them
// one by one).
func (s *Store) EnableWebhookEndpoint(ctx context.Context, id string, now time.Time) (WebhookEndpoint, error) {
	actor := actorOr(ctx, unattributed)
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var (
			customer, url string
			disabledAt    *time.Time
		)
		err := tx.QueryRow(ctx, `SELECT coalesce(customer_id, ''), url, disabled_at FROM webhook_endpoints WHERE id = $1 FOR UPDATE`, id).
			Scan(&customer, &url, &disabledAt)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil || disabledAt == nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE webhook_endpoints SET disabled_at = NULL, failing_since = NULL, enabled_again_at = $2, enabled_again_by = $3
			WHERE id = $1`, id, now, actor.Subject); err != nil {
			return err
		}
		payload, err := json.Marshal(map[string]any{"endpoint": id, "url": url, "disabled_at": disabledAt})
		if err != nil {
			return err
		}
		_, err = appendAudit(ctx, tx, CustomerChain(customer), []AuditEntry{{Actor: actor, OccurredAt: now, Action: ActionWebhookEnable, Payload: payload}})
		return err
	})
	if err != nil {
		return WebhookEndpoint{}, fmt.Errorf("enable webhook endpoint %s: %w", id, err)
	}
	return s.WebhookEndpoint(ctx, id)
}
