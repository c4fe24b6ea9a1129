package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Delivery channels.
const (
	ChannelWebhook = "webhook"
	ChannelEmail   = "email"
)

// Delivery is one notification to one recipient over one channel, with the
// outbox entry it comes from.
type Delivery struct {
	// ID is the delivery's stable identifier: retries and redeliveries of
	// the row keep it, so receivers deduplicate by it.
	ID int64
	// EventKey names the event: the same for each recipient of it.
	EventKey  string
	Channel   string
	Recipient string
	// Attempts counts the sends tried before this one.
	Attempts  int
	CreatedAt time.Time
	// CustomerID is the customer the event belongs to ('' when no owner
	// row names one).
	CustomerID string
	// Entry is the outbox entry, Role its recipient role.
	Entry     OutboxEntry
	OutboxID  int64
	EventTime time.Time
}

// DeliveryOutcome is what became of one send.
type DeliveryOutcome struct {
	// Sent means the recipient took the message.
	Sent bool
	// Error is why the send did not succeed ('' when Sent).
	Error string
	// Failed means the delivery is given up for good; otherwise an unsent
	// delivery is tried again at NextAttemptAt.
	Failed        bool
	NextAttemptAt time.Time
}

// ownerOfOutbox joins an outbox row o to the owners row of its subject.
const ownerOfOutbox = `LEFT JOIN owners ow ON ow.kind = CASE o.source WHEN 'project' THEN 'project' WHEN 'sla-period' THEN 'sla-account' ELSE 'service' END
	AND ow.id = CASE o.source WHEN 'sla-period' THEN split_part(o.subject_id, '/', 1) ELSE o.subject_id END`

// ExpandOutbox turns up to limit outbox entries not yet expanded into
// deliveries, in one transaction: a webhook delivery per enabled endpoint
// that subscribes to the entry's kind (and, when it filters by customer, is
// for the entry's customer). Entries are claimed with FOR UPDATE SKIP
// LOCKED, so concurrent relays expand different entries; a delivery that
// exists already, for the entry or for another role's entry of the same
// event, is kept as it is. It returns how many entries it expanded.
//
// Entries of a kind in personKinds get a delivery per channel of
// personChannels (ChannelEmail, ChannelPortal) and enabled person of the
// audience: for a customer entry the people of the event's customer, for a
// manager entry the object's delivery manager (every manager when it has
// none, or a disabled one), except where the person switched the kind off
// on that channel and the notice has no legal effect. Portal deliveries are
// sent as they are written.
func (s *Store) ExpandOutbox(ctx context.Context, limit int, personKinds, personChannels []string) (int, error) {
	if err := checkLimit("outbox entries", limit); err != nil {
		return 0, err
	}
	var n int
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT id FROM outbox WHERE expanded_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`, limit)
		if err != nil {
			return err
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil || len(ids) == 0 {
			return err
		}
		n = len(ids)
		if _, err := tx.Exec(ctx, `
			INSERT INTO deliveries (outbox_id, event_key, channel, recipient)
			SELECT o.id, `+eventKey+`, 'webhook', w.id
			FROM outbox o `+ownerOfOutbox+`
			JOIN webhook_endpoints w ON o.kind = ANY (w.events) AND (w.customer_id IS NULL OR w.customer_id = ow.customer_id)
				AND w.disabled_at IS NULL
			WHERE o.id = ANY ($1)
			ORDER BY o.id, w.id
			ON CONFLICT DO NOTHING`, ids); err != nil {
			return err
		}
		if len(personKinds) > 0 && len(personChannels) > 0 {
			if _, err := tx.Exec(ctx, `
				INSERT INTO deliveries (outbox_id, event_key, channel, recipient, sent_at)
				SELECT o.id, `+eventKey+`, ch.channel, p.id, CASE WHEN ch.channel = 'portal' THEN now() END
				FROM outbox o `+ownerOfOutbox+`
				CROSS JOIN unnest($3::text[]) AS ch (channel)
				JOIN people p ON NOT p.disabled AND p.role = o.recipient
					AND (o.recipient <> 'customer' OR p.customer_id = ow.customer_id)
					AND (o.recipient <> 'manager' OR p.id = coalesce((
						SELECT dm.person_id FROM delivery_managers dm JOIN people q ON q.id = dm.person_id AND NOT q.disabled
						WHERE dm.kind = ow.kind AND dm.id = ow.id), p.id))
				WHERE o.id = ANY ($1) AND o.kind = ANY ($2) AND o.recipient IN ('customer', 'manager', 'admin')
					AND (`+legalNotice+` OR NOT EXISTS (SELECT 1 FROM notification_optouts x
						WHERE x.person_id = p.id AND x.kind = o.kind AND x.channel = ch.channel))
				ORDER BY o.id, p.id, ch.channel
				ON CONFLICT DO NOTHING`, ids, personKinds, personChannels); err != nil {
				return err
			}
		}
		_, err = tx.Exec(ctx, `UPDATE outbox SET expanded_at = now() WHERE id = ANY ($1)`, ids)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("expand outbox: %w", err)
	}
	return n, nil
}

// eventKey is the stable key of an outbox row o's event: the same for each
// role's entry of the event.
const eventKey = `concat_ws(':', o.source, o.subject_id, o.ticket, o.event_seq, o.kind)`

// SendDueDeliveries claims up to limit due deliveries of the given channels
// (oldest first; a webhook delivery only once the endpoint's earlier
// deliveries of the same subject are sent or given up, so each endpoint
// gets a project's events in order) with FOR UPDATE SKIP LOCKED, calls send for each while
// holding its row lock, and records every outcome in the same transaction.
// Concurrent callers therefore never send one row at the same time, and a
// crash between a send and its commit leaves the row due again, unchanged,
// so it is sent once more with the same ID. It returns how many deliveries
// it handled.
func (s *Store) SendDueDeliveries(ctx context.Context, channels []string, limit int, send func(context.Context, Delivery) DeliveryOutcome) (int, error) {
	if err := checkLimit("deliveries", limit); err != nil {
		return 0, err
	}
	var n int
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `
			SELECT d.id, d.event_key, d.channel, d.recipient, d.attempts, d.created_at, coalesce(ow.customer_id, ''), o.id, o.created_at,
				o.source, o.subject_id, o.ticket, o.event_seq, o.kind, o.recipient, o.payload
			FROM deliveries d JOIN outbox o ON o.id = d.outbox_id `+ownerOfOutbox+`
			WHERE d.sent_at IS NULL AND d.failed_at IS NULL AND d.next_attempt_at <= now() AND d.channel = ANY ($1)
				-- An endpoint gets one subject's events in order: not while an
				-- earlier one of the subject waits for it.
				AND NOT (d.channel = 'webhook' AND EXISTS (
					SELECT 1 FROM deliveries e JOIN outbox eo ON eo.id = e.outbox_id
					WHERE e.channel = 'webhook' AND e.recipient = d.recipient AND e.id < d.id
						AND e.sent_at IS NULL AND e.failed_at IS NULL
						AND eo.source = o.source AND eo.subject_id = o.subject_id AND eo.ticket = o.ticket))
			ORDER BY d.next_attempt_at, d.id LIMIT $2
			FOR UPDATE OF d SKIP LOCKED`, channels, limit)
		if err != nil {
			return err
		}
		due, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Delivery, error) {
			var (
				d       Delivery
				subject string
				payload []byte
			)
			err := r.Scan(&d.ID, &d.EventKey, &d.Channel, &d.Recipient, &d.Attempts, &d.CreatedAt, &d.CustomerID, &d.OutboxID, &d.EventTime,
				&d.Entry.Source, &subject, &d.Entry.Ticket, &d.Entry.EventSeq, &d.Entry.Kind, &d.Entry.Recipient, &payload)
			d.Entry.Payload = json.RawMessage(payload)
			d.Entry.setSubject(subject)
			return d, err
		})
		if err != nil {
			return err
		}
		for _, d := range due {
			o := send(ctx, d)
			var err error
			switch {
			case o.Sent:
				_, err = tx.Exec(ctx, `UPDATE deliveries SET attempts = attempts + 1, sent_at = now(), last_error = '' WHERE id = $1`, d.ID)
			case o.Failed:
				_, err = tx.Exec(ctx, `UPDATE deliveries SET attempts = attempts + 1, failed_at = now(), last_error = $2 WHERE id = $1`, d.ID, o.Error)
			default:
				_, err = tx.Exec(ctx, `UPDATE deliveries SET attempts = attempts + 1, next_attempt_at = $2, last_error = $3 WHERE id = $1`, d.ID, o.NextAttemptAt, o.Error)
			}
			if err != nil {
				return err
			}
			if d.Channel == ChannelWebhook {
				if err := recordEndpointHealth(ctx, tx, d.Recipient, o.Sent); err != nil {
					return err
				}
			}
		}
		n = len(due)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("send deliveries: %w", err)
	}
	return n, nil
}

// setSubject sets the entry's subject field of its source to an outbox
// row's subject_id.
func (e *OutboxEntry) setSubject(subject string) {
	switch e.Source {
	case SourceProject:
		e.ProjectID = subject
	case SourceSLAPeriod:
		e.SLAPeriod = subject
	default:
		e.ServiceID = subject
	}
}

// EndpointFailureLimit is how long a webhook endpoint may keep failing
// before it is disabled.
const EndpointFailureLimit = 24 * time.Hour

// KindEndpointDisabled is the notice the admins get when an endpoint is
// disabled (source SourceEndpoint, recipient role admin).
const KindEndpointDisabled = "webhook-endpoint-disabled"

// SourceEndpoint is the outbox source of notices about a webhook endpoint.
const SourceEndpoint = "endpoint"

// recordEndpointHealth notes a send to a webhook endpoint: a success ends
// its failing spell; a failure starts one, and one that has lasted
// EndpointFailureLimit disables the endpoint, gives up its unsent
// deliveries and queues a notice for the admins, all inside tx.
func recordEndpointHealth(ctx context.Context, tx pgx.Tx, id string, sent bool) error {
	if sent {
		_, err := tx.Exec(ctx, `UPDATE webhook_endpoints SET failing_since = NULL WHERE id = $1 AND failing_since IS NOT NULL`, id)
		return err
	}
	var disabled bool
	err := tx.QueryRow(ctx, `
		UPDATE webhook_endpoints SET failing_since = coalesce(failing_since, now()),
			disabled_at = CASE WHEN failing_since <= now() - $2::interval THEN coalesce(disabled_at, now()) END
		WHERE id = $1 RETURNING disabled_at IS NOT NULL`, id, EndpointFailureLimit.String()).Scan(&disabled)
	if errors.Is(err, pgx.ErrNoRows) || err == nil && !disabled {
		return nil
	}
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `UPDATE deliveries SET failed_at = now(), last_error = 'endpoint disabled after 24 hours of failures'
		WHERE channel = 'webhook' AND recipient = $1 AND sent_at IS NULL AND failed_at IS NULL`, id); err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO outbox (source, subject_id, event_seq, kind, recipient, payload)
		SELECT 'endpoint', id, extract(epoch FROM disabled_at)::bigint, $2, 'admin',
			jsonb_build_object('endpoint', id, 'url', url, 'failing_since', failing_since, 'disabled_at', disabled_at)
		FROM webhook_endpoints WHERE id = $1
		ON CONFLICT DO NOTHING`, id, KindEndpointDisabled)
	return err
}

// EventID is the stable ID of the event with the key eventKey (a
// delivery's EventKey): "msg_" and the first 16 bytes of the key's SHA-256
// in hex. Webhook messages carry it as webhook-id.
func EventID(eventKey string) string {
	sum := sha256.Sum256([]byte(eventKey))
	return "msg_" + hex.EncodeToString(sum[:16])
}

// DeliveryState is a delivery's row in the delivery log.
type DeliveryState struct {
	ID int64 `json:"id"`
	// EventID is the event's stable ID (EventID), a webhook message's
	// webhook-id.
	EventID       string     `json:"event_id"`
	OutboxID      int64      `json:"outbox_id"`
	Channel       string     `json:"channel"`
	Recipient     string     `json:"recipient"`
	Attempts      int        `json:"attempts"`
	NextAttemptAt time.Time  `json:"next_attempt_at"`
	LastError     string     `json:"last_error,omitempty"`
	SentAt        *time.Time `json:"sent_at,omitempty"`
	FailedAt      *time.Time `json:"failed_at,omitempty"`
}

// Deliveries lists the delivery log of one channel and recipient, oldest
// first, at most limit rows.
func (s *Store) Deliveries(ctx context.Context, channel, recipient string, limit int) ([]DeliveryState, error) {
	if err := checkLimit("deliveries", limit); err != nil {
		return nil, err
	}
	return queryList(ctx, s, "deliveries", `
		SELECT id, event_key, outbox_id, channel, recipient, attempts, next_attempt_at, last_error, sent_at, failed_at
		FROM deliveries WHERE channel = $1 AND recipient = $2 ORDER BY id LIMIT $3`, []any{channel, recipient, limit},
		scanDeliveryState)
}

// scanDeliveryState reads a delivery log row whose second column is the
// event key.
func scanDeliveryState(r pgx.CollectableRow) (DeliveryState, error) {
	d, err := pgx.RowToStructByPos[DeliveryState](r)
	d.EventID = EventID(d.EventID)
	return d, err
}
