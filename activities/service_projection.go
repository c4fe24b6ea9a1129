package activities

import (
	"context"
	"fmt"
	"time"

	"github.com/sowflow/sowflow/store"
	"github.com/sowflow/sowflow/workflows"
)

// RecordService stores the state and the new events of one service, and
// queues an outbox notification per recipient of every event that needs a
// person's attention. Retries are harmless: the store ignores what it has.
func (p *Projection) RecordService(ctx context.Context, in workflows.ServiceRecord) (workflows.RecordResult, error) {
	snap, err := serviceSnapshotOf(in.State)
	if err != nil {
		return workflows.RecordResult{}, err
	}
	return writeRecord(ctx, store.SourceService, in.Events, &snap.UpdatedAt, func(ctx context.Context, events []store.Event, outbox []store.OutboxEntry) (int64, error) {
		return p.Store.RecordService(ctx, snap, events, outbox)
	})
}

// RecordTicket stores the state and the new events of one ticket, and
// queues an outbox notification per recipient of every event that needs a
// person's attention. Retries are harmless: the store ignores what it has.
func (p *Projection) RecordTicket(ctx context.Context, in workflows.TicketRecord) (workflows.RecordResult, error) {
	snap, err := ticketSnapshotOf(in.State)
	if err != nil {
		return workflows.RecordResult{}, err
	}
	return writeRecord(ctx, store.SourceTicket, in.Events, &snap.UpdatedAt, func(ctx context.Context, events []store.Event, outbox []store.OutboxEntry) (int64, error) {
		return p.Store.RecordTicket(ctx, snap, events, outbox)
	})
}

// serviceSnapshotOf derives the read-model row from a service state.
func serviceSnapshotOf(s workflows.ServiceState) (store.ServiceSnapshot, error) {
	state, err := storableJSON(s)
	if err != nil {
		return store.ServiceSnapshot{}, fmt.Errorf("encode state of service %s: %w", s.ServiceID, err)
	}
	snap := store.ServiceSnapshot{
		ID: s.ServiceID, CustomerID: s.CustomerID, PackageCode: s.Package.Code, CatalogVersion: s.Package.CatalogVersion,
		Status: string(s.Status), YearStart: s.Start, YearEnd: s.End, NextBoundary: instant(s.NextBoundary),
		OpenTickets: len(s.Tickets.Open), TicketsOpened: s.Tickets.Opened,
		State: state, Seq: s.Seq, StartedAt: s.StartedAt, UpdatedAt: s.StartedAt,
	}
	for _, st := range s.Tickets.Severities {
		snap.TicketsBreached += st.Breached
	}
	return snap, nil
}

// ticketSnapshotOf derives the read-model row from a ticket state.
func ticketSnapshotOf(s workflows.TicketState) (store.TicketSnapshot, error) {
	state, err := storableJSON(s)
	if err != nil {
		return store.TicketSnapshot{}, fmt.Errorf("encode state of ticket %d of service %s: %w", s.Ticket, s.ServiceID, err)
	}
	snap := store.TicketSnapshot{
		ServiceID: s.ServiceID, Number: s.Ticket, CustomerID: s.CustomerID, Severity: s.Severity, Status: string(s.Status),
		Title: storableText(s.Title), OpenedAt: s.OpenedAt, ResponseDue: instant(s.Clock.Deadline.At),
		// A decided clock that was not met ran out before the response.
		Breached: s.SLA.Decided && !s.SLA.Met,
		State:    state, Seq: s.Seq, UpdatedAt: s.OpenedAt,
	}
	if s.Response != nil {
		snap.RespondedAt = instant(s.Response.At)
	}
	return snap, nil
}

// instant is t, or nil for the zero time.
func instant(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}
