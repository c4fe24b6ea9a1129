package store

import (
	"context"
	"encoding/json"
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
	ProjectID string `json:"project_id"`
	Event
}

// OutboxEntry is a notification waiting for delivery to one recipient role.
// Source says what the event belongs to: a project (ProjectID), a service
// (ServiceID), a ticket (ServiceID and Ticket) or an SLA period (SLAPeriod,
// "<account>/<period>"). The Record functions take
// the subject from their snapshot; only EventSeq, Kind, Recipient and
// Payload of the entries given to them count.
type OutboxEntry struct {
	Source    string
	ProjectID string
	ServiceID string
	Ticket    int
	SLAPeriod string
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
	evs := make([]Event, len(events))
	for i, e := range events {
		evs[i] = e.Event
	}
	return s.recordRow(ctx, subject{source: SourceProject, id: p.ID, customer: p.CustomerID}, rowWrite{
		cols: []string{"id", "customer_id", "package_code", "catalog_version", "status", "phase", "next_deadline",
			"overdue", "provisional_deadlines", "state", "state_seq", "created_at", "updated_at"},
		args: []any{p.ID, p.CustomerID, p.PackageCode, p.CatalogVersion, p.Status, p.Phase, p.NextDeadline,
			p.Overdue, p.ProvisionalDeadlines, p.State, p.Seq, p.StartedAt, p.UpdatedAt},
		updates: []string{"status", "phase", "next_deadline", "overdue", "provisional_deadlines", "state", "state_seq", "updated_at"},
		owner:   Owner{Kind: OwnerProject, ID: p.ID, CustomerID: p.CustomerID}}, evs, outbox)
}

// ProjectState returns the stored state JSON of a project and its customer.
func (s *Store) ProjectState(ctx context.Context, id string) (customerID string, state json.RawMessage, seq int64, err error) {
	return s.readState(ctx, subject{source: SourceProject, id: id})
}

// ProjectEvents returns up to limit events of a project with a sequence
// number above after, in order.
func (s *Store) ProjectEvents(ctx context.Context, id string, after int64, limit int) ([]ProjectEvent, error) {
	return readEvents(ctx, s, subject{source: SourceProject, id: id}, after, limit, func(e Event) ProjectEvent {
		return ProjectEvent{ProjectID: id, Event: e}
	})
}

// PendingOutbox returns up to limit undelivered notifications of projects,
// services and tickets, oldest first.
func (s *Store) PendingOutbox(ctx context.Context, limit int) ([]OutboxEntry, error) {
	return queryList(ctx, s, "outbox", `
		SELECT source, subject_id, ticket, event_seq, kind, recipient, payload FROM outbox
		WHERE delivered_at IS NULL ORDER BY id LIMIT $1`, []any{limit},
		func(r pgx.CollectableRow) (OutboxEntry, error) {
			var (
				o  OutboxEntry
				id string
			)
			err := r.Scan(&o.Source, &id, &o.Ticket, &o.EventSeq, &o.Kind, &o.Recipient, &o.Payload)
			switch o.Source {
			case SourceProject:
				o.ProjectID = id
			case SourceSLAPeriod:
				o.SLAPeriod = id
			default:
				o.ServiceID = id
			}
			return o, err
		})
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
	var q listQuery
	q.addIfSet("customer_id = $%d", f.CustomerID)
	q.addIfSet("package_code = $%d", f.PackageCode)
	q.addIfSet("status = $%d", f.Status)
	q.addIfSet("phase = $%d", f.Phase)
	if f.Overdue != nil {
		q.add("overdue = $%d", *f.Overdue)
	}
	if f.DeadlineBefore != nil {
		q.add("next_deadline < $%d", *f.DeadlineBefore)
	}
	if f.DeadlineAfter != nil {
		q.add("next_deadline > $%d", *f.DeadlineAfter)
	}
	q.addIfSet("id > $%d", f.After)
	sql, args := q.sql(`SELECT id, customer_id, package_code, catalog_version, status, phase, next_deadline, overdue, created_at, updated_at FROM projects`, "id", f.Limit)
	return queryList(ctx, s, "projects", sql, args, func(r pgx.CollectableRow) (ProjectSummary, error) {
		var p ProjectSummary
		err := r.Scan(&p.ID, &p.CustomerID, &p.PackageCode, &p.CatalogVersion, &p.Status, &p.Phase, &p.NextDeadline, &p.Overdue, &p.StartedAt, &p.UpdatedAt)
		return p, err
	})
}
