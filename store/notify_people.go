package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// ChannelPortal is the portal's notification list: a person's deliveries
// over it are sent when written and read when the person has seen them.
const ChannelPortal = "portal"

// PersonChannels are the channels a person can switch a kind off on.
func PersonChannels() []string { return []string{ChannelEmail, ChannelPortal} }

// ActionDeliveryManagerAssign is the audited reassignment of a delivery
// manager (on the customer's chain).
const ActionDeliveryManagerAssign = "delivery-manager.assign"

// legalNotice is true for an outbox row o whose notice the contract gives
// legal effect: a deliverable submitted whose window ends in deemed
// acceptance, and that window's closing reminder. Opt-outs never stop them.
// A closing reminder recorded before notices said whether the deliverable
// is deemed counts as one.
const legalNotice = `((o.kind = 'deliverable-submitted' AND o.payload->>'deemed' = 'true')
	OR (o.kind = 'window-closing' AND coalesce(o.payload->>'deemed', 'true') <> 'false'))`

// LegalNotice reports whether a notice of kind with the outbox payload
// has legal effect (see legalNotice): it goes out whatever the person's
// opt-outs say.
func LegalNotice(kind string, payload json.RawMessage) bool {
	var p struct {
		Deemed *bool `json:"deemed"`
	}
	_ = json.Unmarshal(payload, &p)
	switch kind {
	case "deliverable-submitted":
		return p.Deemed != nil && *p.Deemed
	case "window-closing":
		return p.Deemed == nil || *p.Deemed
	}
	return false
}

// recordDeliveryManager makes the person behind actor (a manager signed in
// to the portal, "user:<id>", or one using a personal token, "token:<id>"
// of a token they created) the delivery manager of the owner's object,
// unless it has one. Any other actor leaves the object without one.
func recordDeliveryManager(ctx context.Context, tx pgx.Tx, o Owner, actor string) error {
	if o.Kind == "" {
		return nil
	}
	_, err := tx.Exec(ctx, `
		INSERT INTO delivery_managers (kind, id, person_id, assigned_by)
		SELECT $1, $2, p.id, $3 FROM people p
		WHERE p.role = 'manager' AND NOT p.disabled AND 'user:' || p.id = CASE
			WHEN $3 LIKE 'user:%' THEN $3
			ELSE (SELECT t.created_by FROM api_tokens t WHERE 'token:' || t.id = $3) END
		ON CONFLICT (kind, id) DO NOTHING`, o.Kind, o.ID, actor)
	if err != nil {
		return fmt.Errorf("record delivery manager of %s %s: %w", o.Kind, o.ID, err)
	}
	return nil
}

// DeliveryManager is who is told of an object's manager-facing notices.
type DeliveryManager struct {
	Kind string `json:"kind"`
	ID   string `json:"id"`
	// PersonID is the delivery manager; "" when the object has none, and
	// every manager is told.
	PersonID   string     `json:"person_id,omitempty"`
	Name       string     `json:"name,omitempty"`
	AssignedBy string     `json:"assigned_by,omitempty"`
	AssignedAt *time.Time `json:"assigned_at,omitempty"`
}

// DeliveryManagerOf returns the delivery manager of an object (kind
// OwnerProject, OwnerService or OwnerSLAAccount).
func (s *Store) DeliveryManagerOf(ctx context.Context, kind, id string) (DeliveryManager, error) {
	dm := DeliveryManager{Kind: kind, ID: id}
	var at time.Time
	err := s.pool.QueryRow(ctx, `SELECT dm.person_id, p.display_name, dm.assigned_by, dm.assigned_at
		FROM delivery_managers dm JOIN people p ON p.id = dm.person_id WHERE dm.kind = $1 AND dm.id = $2`, kind, id).
		Scan(&dm.PersonID, &dm.Name, &dm.AssignedBy, &at)
	if errors.Is(err, pgx.ErrNoRows) {
		return dm, nil
	}
	if err != nil {
		return DeliveryManager{}, fmt.Errorf("read delivery manager of %s %s: %w", kind, id, err)
	}
	dm.AssignedAt = &at
	return dm, nil
}

// ErrNotManager means a person named as delivery manager is not an enabled
// manager.
var ErrNotManager = errors.New("not an enabled manager")

// AssignDeliveryManager makes personID the delivery manager of the object
// owned by o, and audits it on the customer's chain with the context's
// actor, in one transaction. A person who is not an enabled manager is
// ErrNotManager.
func (s *Store) AssignDeliveryManager(ctx context.Context, o Owner, personID string, now time.Time) (DeliveryManager, error) {
	actor := actorOr(ctx, unattributed)
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var ok bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM people WHERE id = $1 AND role = 'manager' AND NOT disabled)`, personID).Scan(&ok); err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("person %s: %w", personID, ErrNotManager)
		}
		var previous string
		_ = tx.QueryRow(ctx, `SELECT person_id FROM delivery_managers WHERE kind = $1 AND id = $2`, o.Kind, o.ID).Scan(&previous)
		if _, err := tx.Exec(ctx, `
			INSERT INTO delivery_managers (kind, id, person_id, assigned_by, assigned_at) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (kind, id) DO UPDATE SET person_id = EXCLUDED.person_id, assigned_by = EXCLUDED.assigned_by, assigned_at = EXCLUDED.assigned_at`,
			o.Kind, o.ID, personID, actor.Subject, now); err != nil {
			return err
		}
		payload, err := json.Marshal(map[string]string{"kind": o.Kind, "id": o.ID, "person_id": personID, "previous": previous})
		if err != nil {
			return err
		}
		e := AuditEntry{Actor: actor, OccurredAt: now, Action: ActionDeliveryManagerAssign, Payload: payload}
		if o.Kind == OwnerProject {
			e.ProjectID = o.ID
		}
		_, err = appendAudit(ctx, tx, CustomerChain(o.CustomerID), []AuditEntry{e})
		return err
	})
	if err != nil {
		return DeliveryManager{}, fmt.Errorf("assign delivery manager of %s %s: %w", o.Kind, o.ID, err)
	}
	return s.DeliveryManagerOf(ctx, o.Kind, o.ID)
}

// PersonOfToken returns the person who created an API token for
// themselves; a token an admin made for an integration is ErrNotFound.
func (s *Store) PersonOfToken(ctx context.Context, tokenID string) (Person, error) {
	var createdBy string
	err := s.pool.QueryRow(ctx, `SELECT created_by FROM api_tokens WHERE id = $1`, tokenID).Scan(&createdBy)
	if errors.Is(err, pgx.ErrNoRows) {
		return Person{}, fmt.Errorf("token %s: %w", tokenID, ErrNotFound)
	}
	if err != nil {
		return Person{}, fmt.Errorf("read token %s: %w", tokenID, err)
	}
	id, ok := strings.CutPrefix(createdBy, "user:")
	if !ok {
		return Person{}, fmt.Errorf("token %s belongs to no person: %w", tokenID, ErrNotFound)
	}
	return s.FindPerson(ctx, id)
}

// OptOut is one notification kind a person switched off on one channel.
type OptOut struct {
	Kind    string `json:"kind"`
	Channel string `json:"channel"`
}

// NotificationOptOuts lists a person's opt-outs, by kind and channel.
func (s *Store) NotificationOptOuts(ctx context.Context, personID string) ([]OptOut, error) {
	return queryList(ctx, s, "notification opt-outs", `SELECT kind, channel FROM notification_optouts
		WHERE person_id = $1 ORDER BY kind, channel`, []any{personID}, pgx.RowToStructByPos[OptOut])
}

// SetNotificationOptOuts replaces a person's opt-outs with offs, in one
// transaction.
func (s *Store) SetNotificationOptOuts(ctx context.Context, personID string, offs []OptOut) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM notification_optouts WHERE person_id = $1`, personID); err != nil {
			return err
		}
		for _, o := range offs {
			if _, err := tx.Exec(ctx, `INSERT INTO notification_optouts (person_id, kind, channel) VALUES ($1, $2, $3)
				ON CONFLICT DO NOTHING`, personID, o.Kind, o.Channel); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("set notification opt-outs of %s: %w", personID, err)
	}
	return nil
}

// PortalNotification is one entry of a person's notification list.
type PortalNotification struct {
	ID         int64
	CustomerID string
	Entry      OutboxEntry
	EventTime  time.Time
	ReadAt     *time.Time
}

// PortalNotifications lists a person's notifications, newest first, at
// most limit.
func (s *Store) PortalNotifications(ctx context.Context, personID string, limit int) ([]PortalNotification, error) {
	if err := checkLimit("notifications", limit); err != nil {
		return nil, err
	}
	return queryList(ctx, s, "notifications", `
		SELECT d.id, coalesce(ow.customer_id, ''), o.source, o.subject_id, o.ticket, o.event_seq, o.kind, o.recipient, o.payload, o.created_at, d.read_at
		FROM deliveries d JOIN outbox o ON o.id = d.outbox_id `+ownerOfOutbox+`
		WHERE d.channel = 'portal' AND d.recipient = $1 ORDER BY d.id DESC LIMIT $2`, []any{personID, limit},
		func(r pgx.CollectableRow) (PortalNotification, error) {
			var (
				n       PortalNotification
				subject string
				payload []byte
			)
			err := r.Scan(&n.ID, &n.CustomerID, &n.Entry.Source, &subject, &n.Entry.Ticket, &n.Entry.EventSeq, &n.Entry.Kind,
				&n.Entry.Recipient, &payload, &n.EventTime, &n.ReadAt)
			n.Entry.Payload = payload
			n.Entry.setSubject(subject)
			return n, err
		})
}

// UnreadNotifications counts a person's unread notifications.
func (s *Store) UnreadNotifications(ctx context.Context, personID string) (int, error) {
	var n int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM deliveries WHERE channel = 'portal' AND recipient = $1 AND read_at IS NULL`,
		personID).Scan(&n); err != nil {
		return 0, fmt.Errorf("count unread notifications: %w", err)
	}
	return n, nil
}

// MarkNotificationsRead marks a person's notifications read: those of ids,
// or all when ids is empty.
func (s *Store) MarkNotificationsRead(ctx context.Context, personID string, ids []int64, now time.Time) error {
	if _, err := s.pool.Exec(ctx, `UPDATE deliveries SET read_at = $3
		WHERE channel = 'portal' AND recipient = $1 AND read_at IS NULL AND (cardinality($2::bigint[]) = 0 OR id = ANY ($2))`,
		personID, ids, now); err != nil {
		return fmt.Errorf("mark notifications read: %w", err)
	}
	return nil
}

// DeliveryCount is how many deliveries of a channel are in one state.
type DeliveryCount struct {
	Channel string
	// Outcome is sent, failed or pending.
	Outcome string
	Count   int64
}

// DeliveryStats counts the delivery log by channel and outcome, and
// returns how long the oldest pending delivery of each channel has waited
// since it was created.
func (s *Store) DeliveryStats(ctx context.Context) ([]DeliveryCount, map[string]time.Duration, error) {
	counts, err := queryList(ctx, s, "delivery counts", `
		SELECT channel, CASE WHEN sent_at IS NOT NULL THEN 'sent' WHEN failed_at IS NOT NULL THEN 'failed' ELSE 'pending' END, count(*)
		FROM deliveries GROUP BY 1, 2 ORDER BY 1, 2`, nil, pgx.RowToStructByPos[DeliveryCount])
	if err != nil {
		return nil, nil, err
	}
	type age struct {
		Channel string
		Seconds float64
	}
	ages, err := queryList(ctx, s, "delivery queue age", `
		SELECT channel, extract(epoch FROM now() - min(created_at))::float8 FROM deliveries
		WHERE sent_at IS NULL AND failed_at IS NULL GROUP BY channel`, nil, pgx.RowToStructByPos[age])
	if err != nil {
		return nil, nil, err
	}
	out := map[string]time.Duration{}
	for _, a := range ages {
		out[a.Channel] = time.Duration(a.Seconds * float64(time.Second))
	}
	return counts, out, nil
}
