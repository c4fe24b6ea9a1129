package store

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// WebhookSecretPrefix starts every webhook signing secret, as the Standard
// Webhooks specification writes them; the base64 key follows it.
const WebhookSecretPrefix = "whsec_"

// WebhookEndpoint is an integration that receives events.
type WebhookEndpoint struct {
	ID  string `json:"id"`
	URL string `json:"url"`
	// Secret signs the deliveries; it is shown once, when the endpoint is
	// created, and is never listed.
	Secret string   `json:"-"`
	Events []string `json:"events"`
	// CustomerID limits the events to one customer's ('' means all).
	CustomerID string    `json:"customer_id,omitempty"`
	CreatedBy  string    `json:"created_by"`
	CreatedAt  time.Time `json:"created_at"`
}

// WebhookEndpointSpec describes an endpoint to create.
type WebhookEndpointSpec struct {
	URL        string
	Events     []string
	CustomerID string
	CreatedBy  string
}

// CreateWebhookEndpoint stores a new endpoint with a new ID and signing
// secret, and returns it with the secret.
func (s *Store) CreateWebhookEndpoint(ctx context.Context, spec WebhookEndpointSpec) (WebhookEndpoint, error) {
	if len(spec.Events) == 0 {
		return WebhookEndpoint{}, errors.New("create webhook endpoint: no events")
	}
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	e := WebhookEndpoint{
		ID:         "whe_" + strings.ToLower(rand.Text()),
		URL:        spec.URL,
		Secret:     WebhookSecretPrefix + base64.StdEncoding.EncodeToString(key),
		Events:     spec.Events,
		CustomerID: spec.CustomerID,
		CreatedBy:  spec.CreatedBy,
	}
	err := s.pool.QueryRow(ctx, `
		INSERT INTO webhook_endpoints (id, url, secret, events, customer_id, created_by)
		VALUES ($1, $2, $3, $4, nullif($5, ''), $6) RETURNING created_at`,
		e.ID, e.URL, e.Secret, e.Events, e.CustomerID, e.CreatedBy).Scan(&e.CreatedAt)
	if err != nil {
		return WebhookEndpoint{}, fmt.Errorf("create webhook endpoint: %w", err)
	}
	return e, nil
}

const webhookColumns = `id, url, secret, events, coalesce(customer_id, ''), created_by, created_at`

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
