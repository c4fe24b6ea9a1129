package store

import (
	"context"
	"encoding/json"
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
	ID        int64
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
// deliveries, in one transaction: a webhook delivery per endpoint that
// subscribes to the entry's kind (and, when it filters by customer, is for
// the entry's customer). Entries are claimed with FOR UPDATE SKIP LOCKED, so
// concurrent relays expand different entries; a delivery that exists
// already, for the entry or for another role's entry of the same event, is
// kept as it is. It returns how many entries it expanded.
//
// Entries of a kind in mailKinds get an email delivery too, per enabled
// person of the audience: a customer entry's customer's people, a manager
// entry's managers.
func (s *Store) ExpandOutbox(ctx context.Context, limit int, mailKinds []string) (int, error) {
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
			SELECT o.id, concat_ws(':', o.source, o.subject_id, o.ticket, o.event_seq, o.kind), 'webhook', w.id
			FROM outbox o `+ownerOfOutbox+`
			JOIN webhook_endpoints w ON o.kind = ANY (w.events) AND (w.customer_id IS NULL OR w.customer_id = ow.customer_id)
			WHERE o.id = ANY ($1)
			ORDER BY o.id, w.id
			ON CONFLICT DO NOTHING`, ids); err != nil {
			return err
		}
		if len(mailKinds) > 0 {
			if _, err := tx.Exec(ctx, `
				INSERT INTO deliveries (outbox_id, event_key, channel, recipient)
				SELECT o.id, concat_ws(':', o.source, o.subject_id, o.ticket, o.event_seq, o.kind), 'email', p.id
				FROM outbox o `+ownerOfOutbox+`
				JOIN people p ON NOT p.disabled AND p.role = o.recipient
					AND (o.recipient <> 'customer' OR p.customer_id = ow.customer_id)
				WHERE o.id = ANY ($1) AND o.kind = ANY ($2) AND o.recipient IN ('customer', 'manager')
				ORDER BY o.id, p.id
				ON CONFLICT DO NOTHING`, ids, mailKinds); err != nil {
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

// SendDueDeliveries claims up to limit due deliveries of the given channels
// (oldest first) with FOR UPDATE SKIP LOCKED, calls send for each while
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
			SELECT d.id, d.channel, d.recipient, d.attempts, d.created_at, coalesce(ow.customer_id, ''), o.id, o.created_at,
				o.source, o.subject_id, o.ticket, o.event_seq, o.kind, o.recipient, o.payload
			FROM deliveries d JOIN outbox o ON o.id = d.outbox_id `+ownerOfOutbox+`
			WHERE d.sent_at IS NULL AND d.failed_at IS NULL AND d.next_attempt_at <= now() AND d.channel = ANY ($1)
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
			err := r.Scan(&d.ID, &d.Channel, &d.Recipient, &d.Attempts, &d.CreatedAt, &d.CustomerID, &d.OutboxID, &d.EventTime,
				&d.Entry.Source, &subject, &d.Entry.Ticket, &d.Entry.EventSeq, &d.Entry.Kind, &d.Entry.Recipient, &payload)
			d.Entry.Payload = json.RawMessage(payload)
			switch d.Entry.Source {
			case SourceProject:
				d.Entry.ProjectID = subject
			case SourceSLAPeriod:
				d.Entry.SLAPeriod = subject
			default:
				d.Entry.ServiceID = subject
			}
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
		}
		n = len(due)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("send deliveries: %w", err)
	}
	return n, nil
}

// DeliveryState is a delivery's row in the delivery log.
type DeliveryState struct {
	ID            int64      `json:"id"`
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
		SELECT id, outbox_id, channel, recipient, attempts, next_attempt_at, last_error, sent_at, failed_at
		FROM deliveries WHERE channel = $1 AND recipient = $2 ORDER BY id LIMIT $3`, []any{channel, recipient, limit},
		pgx.RowToStructByPos[DeliveryState])
}
