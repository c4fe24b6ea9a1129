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

// ProjectSnapshot is one project's row in the read model: the columns lists
// filter on, and the whole workflow state as JSON.
type ProjectSnapshot struct {
	ID                   string
	CustomerID           string
	PackageCode          string
	CatalogVersion       string
	Status               string
	Phase                string
	NextDeadline         *time.Time
	Overdue              bool
	ProvisionalDeadlines bool
	State                json.RawMessage
	Seq                  int64
	StartedAt            time.Time
	UpdatedAt            time.Time
}

// ProjectEvent is one recorded event of a project.
type ProjectEvent struct {
	ProjectID    string          `json:"project_id"`
	Seq          int64           `json:"seq"`
	Type         string          `json:"type"`
	ActorSubject string          `json:"actor_subject"`
	ActorRole    string          `json:"actor_role"`
	RequestID    string          `json:"request_id,omitempty"`
	OccurredAt   time.Time       `json:"occurred_at"`
	Payload      json.RawMessage `json:"payload"`
}

// OutboxEntry is a notification waiting for delivery to one recipient role.
type OutboxEntry struct {
	ProjectID string
	EventSeq  int64
	Kind      string
	Recipient string
	Payload   json.RawMessage
}

// RecordProject writes a project's state, its new events and their
// notifications in one transaction, and appends each new event to the
// customer's audit chain in the same transaction. It is idempotent: an event
// already stored is left alone and not audited again, an outbox entry is
// queued once, and the stored state is replaced only by one with an equal or
// higher sequence number, so a retried or late activity never moves the read
// model backwards. It returns the sequence number of the state now stored.
func (s *Store) RecordProject(ctx context.Context, p ProjectSnapshot, events []ProjectEvent, outbox []OutboxEntry) (int64, error) {
	var stored int64
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `
			INSERT INTO projects (id, customer_id, package_code, catalog_version, status, phase, next_deadline,
			                      overdue, provisional_deadlines, state, state_seq, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
			ON CONFLICT (id) DO UPDATE SET
			    status = EXCLUDED.status, phase = EXCLUDED.phase, next_deadline = EXCLUDED.next_deadline,
			    overdue = EXCLUDED.overdue, provisional_deadlines = EXCLUDED.provisional_deadlines,
			    state = EXCLUDED.state, state_seq = EXCLUDED.state_seq, updated_at = EXCLUDED.updated_at
			WHERE projects.state_seq <= EXCLUDED.state_seq
			RETURNING state_seq`,
			p.ID, p.CustomerID, p.PackageCode, p.CatalogVersion, p.Status, p.Phase, p.NextDeadline,
			p.Overdue, p.ProvisionalDeadlines, p.State, p.Seq, p.StartedAt, p.UpdatedAt).Scan(&stored)
		if errors.Is(err, pgx.ErrNoRows) {
			// A newer state is already stored; keep it.
			if err := tx.QueryRow(ctx, `SELECT state_seq FROM projects WHERE id = $1`, p.ID).Scan(&stored); err != nil {
				return fmt.Errorf("read stored state: %w", err)
			}
		} else if err != nil {
			return fmt.Errorf("upsert project: %w", err)
		}
		batch := &pgx.Batch{}
		var inserted []ProjectEvent // new events only: a retry must not audit twice
		for _, e := range events {
			batch.Queue(`INSERT INTO project_events (project_id, seq, type, actor_subject, actor_role, request_id, occurred_at, payload)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (project_id, seq) DO NOTHING RETURNING seq`,
				p.ID, e.Seq, e.Type, e.ActorSubject, e.ActorRole, e.RequestID, e.OccurredAt, orEmptyObject(e.Payload),
			).QueryRow(func(row pgx.Row) error {
				var seq int64
				if err := row.Scan(&seq); errors.Is(err, pgx.ErrNoRows) {
					return nil
				} else if err != nil {
					return err
				}
				inserted = append(inserted, e)
				return nil
			})
		}
		for _, o := range outbox {
			batch.Queue(`INSERT INTO outbox (project_id, event_seq, kind, recipient, payload)
				VALUES ($1, $2, $3, $4, $5) ON CONFLICT (project_id, event_seq, kind, recipient) DO NOTHING`,
				p.ID, o.EventSeq, o.Kind, o.Recipient, orEmptyObject(o.Payload))
		}
		if err := tx.SendBatch(ctx, batch).Close(); err != nil {
			return fmt.Errorf("insert events: %w", err)
		}
		return auditProjectEvents(ctx, tx, p, inserted)
	})
	if err != nil {
		return 0, fmt.Errorf("record project %s: %w", p.ID, err)
	}
	return stored, nil
}

func orEmptyObject(b json.RawMessage) json.RawMessage {
	if len(b) == 0 {
		return json.RawMessage("{}")
	}
	return b
}

// ProjectState returns the stored state JSON of a project and its customer.
func (s *Store) ProjectState(ctx context.Context, id string) (customerID string, state json.RawMessage, seq int64, err error) {
	err = s.pool.QueryRow(ctx, `SELECT customer_id, state, state_seq FROM projects WHERE id = $1`, id).Scan(&customerID, &state, &seq)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil, 0, fmt.Errorf("project %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return "", nil, 0, fmt.Errorf("read project %s: %w", id, err)
	}
	return customerID, state, seq, nil
}

// ProjectEvents returns up to limit events of a project with a sequence
// number above after, in order.
func (s *Store) ProjectEvents(ctx context.Context, id string, after int64, limit int) ([]ProjectEvent, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT project_id, seq, type, actor_subject, actor_role, request_id, occurred_at, payload
		FROM project_events WHERE project_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`, id, after, limit)
	if err != nil {
		return nil, fmt.Errorf("list events of %s: %w", id, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ProjectEvent, error) {
		var e ProjectEvent
		err := r.Scan(&e.ProjectID, &e.Seq, &e.Type, &e.ActorSubject, &e.ActorRole, &e.RequestID, &e.OccurredAt, &e.Payload)
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("list events of %s: %w", id, err)
	}
	return out, nil
}

// PendingOutbox returns up to limit undelivered notifications, oldest first.
func (s *Store) PendingOutbox(ctx context.Context, limit int) ([]OutboxEntry, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT project_id, event_seq, kind, recipient, payload FROM outbox
		WHERE delivered_at IS NULL ORDER BY id LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("list outbox: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (OutboxEntry, error) {
		var o OutboxEntry
		err := r.Scan(&o.ProjectID, &o.EventSeq, &o.Kind, &o.Recipient, &o.Payload)
		return o, err
	})
	if err != nil {
		return nil, fmt.Errorf("list outbox: %w", err)
	}
	return out, nil
}

// ProjectFilter selects projects from the read model. Zero fields do not filter.
type ProjectFilter struct {
	CustomerID     string
	PackageCode    string
	Status         string
	Phase          string
	Overdue        *bool
	DeadlineBefore *time.Time
	DeadlineAfter  *time.Time
	// After is the last ID of the previous page (keyset pagination by ID).
	After string
	Limit int
}

// ProjectSummary is one row of a project list.
type ProjectSummary struct {
	ID             string     `json:"id"`
	CustomerID     string     `json:"customer_id"`
	PackageCode    string     `json:"package"`
	CatalogVersion string     `json:"catalog_version"`
	Status         string     `json:"status"`
	Phase          string     `json:"phase"`
	NextDeadline   *time.Time `json:"next_deadline,omitempty"`
	Overdue        bool       `json:"overdue"`
	StartedAt      time.Time  `json:"started_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
}

// ListProjects returns up to f.Limit projects matching f, in ID order.
func (s *Store) ListProjects(ctx context.Context, f ProjectFilter) ([]ProjectSummary, error) {
	var (
		where []string
		args  []any
	)
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if f.CustomerID != "" {
		add("customer_id = $%d", f.CustomerID)
	}
	if f.PackageCode != "" {
		add("package_code = $%d", f.PackageCode)
	}
	if f.Status != "" {
		add("status = $%d", f.Status)
	}
	if f.Phase != "" {
		add("phase = $%d", f.Phase)
	}
	if f.Overdue != nil {
		add("overdue = $%d", *f.Overdue)
	}
	if f.DeadlineBefore != nil {
		add("next_deadline < $%d", *f.DeadlineBefore)
	}
	if f.DeadlineAfter != nil {
		add("next_deadline > $%d", *f.DeadlineAfter)
	}
	if f.After != "" {
		add("id > $%d", f.After)
	}
	q := `SELECT id, customer_id, package_code, catalog_version, status, phase, next_deadline, overdue, created_at, updated_at FROM projects`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	args = append(args, f.Limit)
	q += fmt.Sprintf(" ORDER BY id LIMIT $%d", len(args))
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list projects: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ProjectSummary, error) {
		var p ProjectSummary
		err := r.Scan(&p.ID, &p.CustomerID, &p.PackageCode, &p.CatalogVersion, &p.Status, &p.Phase, &p.NextDeadline, &p.Overdue, &p.StartedAt, &p.UpdatedAt)
		return p, err
	})
	if err != nil {
		return nil, fmt.Errorf("list projects: %w", err)
	}
	return out, nil
}
