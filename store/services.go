package store

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
)

// ServiceSnapshot is one continuous service's row in the read model: the
// columns lists filter on, and the workflow state as JSON.
type ServiceSnapshot struct {
	ID             string
	CustomerID     string
	PackageCode    string
	CatalogVersion string
	Status         string
	YearStart      time.Time
	YearEnd        time.Time
	// NextBoundary is when the month in progress ends (the year starts,
	// while pending); nil once the year has ended.
	NextBoundary    *time.Time
	OpenTickets     int
	TicketsOpened   int
	TicketsBreached int
	State           json.RawMessage
	Seq             int64
	StartedAt       time.Time
	UpdatedAt       time.Time
}

// ServiceEvent is one recorded event of a service.
type ServiceEvent struct {
	ServiceID string `json:"service_id"`
	Event
}

// RecordService writes a service's state, its new events and their
// notifications in one transaction, and appends each new event to the
// customer's audit chain in the same transaction, as RecordProject does for
// projects: idempotent, and never moving the stored state backwards. It
// returns the sequence number of the state now stored.
func (s *Store) RecordService(ctx context.Context, sv ServiceSnapshot, events []Event, outbox []OutboxEntry) (int64, error) {
	return s.recordRow(ctx, subject{source: SourceService, id: sv.ID, customer: sv.CustomerID}, rowWrite{
		cols: []string{"id", "customer_id", "package_code", "catalog_version", "status", "year_start", "year_end",
			"next_boundary", "open_tickets", "tickets_opened", "tickets_breached", "state", "state_seq", "created_at", "updated_at"},
		args: []any{sv.ID, sv.CustomerID, sv.PackageCode, sv.CatalogVersion, sv.Status, sv.YearStart, sv.YearEnd,
			sv.NextBoundary, sv.OpenTickets, sv.TicketsOpened, sv.TicketsBreached, sv.State, sv.Seq,
			sv.StartedAt, sv.UpdatedAt},
		updates: []string{"status", "year_start", "year_end", "next_boundary", "open_tickets", "tickets_opened",
			"tickets_breached", "state", "state_seq", "updated_at"},
		owner: Owner{Kind: OwnerService, ID: sv.ID, CustomerID: sv.CustomerID}}, events, outbox)
}

// ServiceState returns the stored state JSON of a service, its customer
// (for authorization) and the state's sequence number. A service not in
// the read model is ErrNotFound.
func (s *Store) ServiceState(ctx context.Context, id string) (customerID string, state json.RawMessage, seq int64, err error) {
	return s.readState(ctx, subject{source: SourceService, id: id})
}

// ServiceEvents returns up to limit events of a service with a sequence
// number above after, in order.
func (s *Store) ServiceEvents(ctx context.Context, id string, after int64, limit int) ([]ServiceEvent, error) {
	return readEvents(ctx, s, subject{source: SourceService, id: id}, after, limit, func(e Event) ServiceEvent {
		return ServiceEvent{ServiceID: id, Event: e}
	})
}

// ServiceFilter selects services from the read model. Zero fields do not
// filter.
type ServiceFilter struct {
	CustomerID  string
	PackageCode string
	Status      string
	// After is the last ID of the previous page (keyset pagination by ID).
	After string
	// Limit is the page size; it must be positive.
	Limit int
}

// ServiceSummary is one row of a service list.
type ServiceSummary struct {
	ID              string     `json:"id"`
	CustomerID      string     `json:"customer_id"`
	PackageCode     string     `json:"package"`
	CatalogVersion  string     `json:"catalog_version"`
	Status          string     `json:"status"`
	YearStart       time.Time  `json:"year_start"`
	YearEnd         time.Time  `json:"year_end"`
	NextBoundary    *time.Time `json:"next_boundary,omitempty"`
	OpenTickets     int        `json:"open_tickets"`
	TicketsOpened   int        `json:"tickets_opened"`
	TicketsBreached int        `json:"tickets_breached"`
	StartedAt       time.Time  `json:"started_at"`
	UpdatedAt       time.Time  `json:"updated_at"`
}

// ListServices returns up to f.Limit services matching f, in ID order.
func (s *Store) ListServices(ctx context.Context, f ServiceFilter) ([]ServiceSummary, error) {
	if err := checkLimit("services", f.Limit); err != nil {
		return nil, err
	}
	var q listQuery
	q.addIfSet("customer_id = $%d", f.CustomerID)
	q.addIfSet("package_code = $%d", f.PackageCode)
	q.addIfSet("status = $%d", f.Status)
	q.addIfSet("id > $%d", f.After)
	sql, args := q.sql(`SELECT id, customer_id, package_code, catalog_version, status, year_start, year_end, next_boundary,
		open_tickets, tickets_opened, tickets_breached, created_at, updated_at FROM services`, "id", f.Limit)
	return queryList(ctx, s, "services", sql, args, func(r pgx.CollectableRow) (ServiceSummary, error) {
		var v ServiceSummary
		err := r.Scan(&v.ID, &v.CustomerID, &v.PackageCode, &v.CatalogVersion, &v.Status, &v.YearStart, &v.YearEnd, &v.NextBoundary,
			&v.OpenTickets, &v.TicketsOpened, &v.TicketsBreached, &v.StartedAt, &v.UpdatedAt)
		return v, err
	})
}

// TicketSnapshot is one ticket's row in the read model: the columns lists
// filter on, and the workflow state as JSON.
type TicketSnapshot struct {
	ServiceID  string
	Number     int
	CustomerID string
	Severity   string
	Status     string
	Title      string
	OpenedAt   time.Time
	// ResponseDue is the deadline of the response clock in force;
	// RespondedAt is set once the provider responded.
	ResponseDue *time.Time
	RespondedAt *time.Time
	// Breached is set once the response clock ran out before a response.
	Breached  bool
	State     json.RawMessage
	Seq       int64
	UpdatedAt time.Time
}

// TicketEvent is one recorded event of a ticket.
type TicketEvent struct {
	ServiceID string `json:"service_id"`
	Ticket    int    `json:"ticket"`
	Event
}

// RecordTicket writes a ticket's state, its new events and their
// notifications in one transaction, and appends each new event to the
// customer's audit chain in the same transaction, as RecordProject does for
// projects: idempotent, and never moving the stored state backwards. It
// returns the sequence number of the state now stored.
func (s *Store) RecordTicket(ctx context.Context, t TicketSnapshot, events []Event, outbox []OutboxEntry) (int64, error) {
	return s.recordRow(ctx, subject{source: SourceTicket, id: t.ServiceID, ticket: t.Number, customer: t.CustomerID}, rowWrite{
		cols: []string{"service_id", "number", "customer_id", "severity", "status", "title", "opened_at", "response_due",
			"responded_at", "breached", "state", "state_seq", "updated_at"},
		args: []any{t.ServiceID, t.Number, t.CustomerID, t.Severity, t.Status, t.Title, t.OpenedAt, t.ResponseDue,
			t.RespondedAt, t.Breached, t.State, t.Seq, t.UpdatedAt},
		updates: []string{"severity", "status", "title", "response_due", "responded_at", "breached", "state", "state_seq", "updated_at"}},
		events, outbox)
}

// TicketState returns the stored state JSON of ticket n of a service, its
// customer (for authorization) and the state's sequence number. A ticket
// not in the read model is ErrNotFound.
func (s *Store) TicketState(ctx context.Context, serviceID string, n int) (customerID string, state json.RawMessage, seq int64, err error) {
	return s.readState(ctx, subject{source: SourceTicket, id: serviceID, ticket: n})
}

// TicketEvents returns up to limit events of ticket n of a service with a
// sequence number above after, in order.
func (s *Store) TicketEvents(ctx context.Context, serviceID string, n int, after int64, limit int) ([]TicketEvent, error) {
	return readEvents(ctx, s, subject{source: SourceTicket, id: serviceID, ticket: n}, after, limit, func(e Event) TicketEvent {
		return TicketEvent{ServiceID: serviceID, Ticket: n, Event: e}
	})
}

// TicketFilter selects tickets of one service. Zero fields other than
// ServiceID do not filter.
type TicketFilter struct {
	// ServiceID is required.
	ServiceID string
	Status    string
	Severity  string
	Breached  *bool
	// After is the last number of the previous page (keyset pagination by
	// number).
	After int
	// Limit is the page size; it must be positive.
	Limit int
}

// TicketSummary is one row of a ticket list.
type TicketSummary struct {
	ServiceID   string     `json:"service_id"`
	Number      int        `json:"ticket"`
	CustomerID  string     `json:"customer_id"`
	Severity    string     `json:"severity"`
	Status      string     `json:"status"`
	Title       string     `json:"title"`
	OpenedAt    time.Time  `json:"opened_at"`
	ResponseDue *time.Time `json:"response_due,omitempty"`
	RespondedAt *time.Time `json:"responded_at,omitempty"`
	Breached    bool       `json:"breached"`
	UpdatedAt   time.Time  `json:"updated_at"`
}

// ListTickets returns up to f.Limit tickets of f.ServiceID matching f, in
// number order.
func (s *Store) ListTickets(ctx context.Context, f TicketFilter) ([]TicketSummary, error) {
	if f.ServiceID == "" {
		return nil, errors.New("list tickets: service id is required")
	}
	what := "tickets of service " + f.ServiceID
	if err := checkLimit(what, f.Limit); err != nil {
		return nil, err
	}
	var q listQuery
	q.add("service_id = $%d", f.ServiceID)
	q.addIfSet("status = $%d", f.Status)
	q.addIfSet("severity = $%d", f.Severity)
	if f.Breached != nil {
		q.add("breached = $%d", *f.Breached)
	}
	if f.After > 0 {
		q.add("number > $%d", f.After)
	}
	sql, args := q.sql(`SELECT service_id, number, customer_id, severity, status, title, opened_at, response_due, responded_at,
		breached, updated_at FROM tickets`, "number", f.Limit)
	return queryList(ctx, s, what, sql, args, func(r pgx.CollectableRow) (TicketSummary, error) {
		var t TicketSummary
		err := r.Scan(&t.ServiceID, &t.Number, &t.CustomerID, &t.Severity, &t.Status, &t.Title, &t.OpenedAt, &t.ResponseDue,
			&t.RespondedAt, &t.Breached, &t.UpdatedAt)
		return t, err
	})
}
