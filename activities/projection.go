package activities

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/sowflow/sowflow/store"
	"github.com/sowflow/sowflow/workflows"
)

// Projection writes project workflows' state and events to the PostgreSQL
// read model, so that lists, filters and event pages never need Temporal.
// Register RecordProject under workflows.RecordProjectActivity.
type Projection struct {
	Store *store.Store
}

// RecordProject stores the state and the new events of one project, and
// queues an outbox notification per recipient of every event that needs a
// person's attention. Retries are harmless: the store ignores what it has.
func (p *Projection) RecordProject(ctx context.Context, in workflows.ProjectRecord) (workflows.RecordResult, error) {
	snap, err := snapshotOf(in.State)
	if err != nil {
		return workflows.RecordResult{}, err
	}
	events := make([]store.ProjectEvent, 0, len(in.Events))
	var outbox []store.OutboxEntry
	for _, e := range in.Events {
		payload, err := json.Marshal(e.Payload)
		if err != nil {
			return workflows.RecordResult{}, fmt.Errorf("encode event %d payload: %w", e.Seq, err)
		}
		events = append(events, store.ProjectEvent{
			Seq: e.Seq, Type: string(e.Type), ActorSubject: e.Actor.Subject, ActorRole: string(e.Actor.Role),
			RequestID: e.RequestID, OccurredAt: e.At, Payload: payload,
		})
		if !e.Attention {
			continue
		}
		for _, r := range e.Notify {
			outbox = append(outbox, store.OutboxEntry{EventSeq: e.Seq, Kind: string(e.Type), Recipient: string(r), Payload: payload})
		}
	}
	// updated_at is workflow time: the newest event's instant, not the clock.
	for _, e := range in.Events {
		if e.At.After(snap.UpdatedAt) {
			snap.UpdatedAt = e.At
		}
	}
	seq, err := p.Store.RecordProject(ctx, snap, events, outbox)
	if err != nil {
		return workflows.RecordResult{}, err
	}
	return workflows.RecordResult{Seq: seq}, nil
}

// snapshotOf derives the read-model row from a workflow state.
func snapshotOf(s workflows.ProjectState) (store.ProjectSnapshot, error) {
	state, err := json.Marshal(s)
	if err != nil {
		return store.ProjectSnapshot{}, fmt.Errorf("encode state of %s: %w", s.ProjectID, err)
	}
	snap := store.ProjectSnapshot{
		ID: s.ProjectID, CustomerID: s.CustomerID, PackageCode: s.Package.Code, CatalogVersion: s.Package.CatalogVersion,
		Status: string(s.Status), Phase: s.Phase, State: state, Seq: s.Seq, StartedAt: s.StartedAt, UpdatedAt: s.StartedAt,
	}
	if !s.NextDeadline.IsZero() {
		t := s.NextDeadline
		snap.NextDeadline = &t
	}
	for _, d := range s.Deliverables {
		snap.Overdue = snap.Overdue || d.Overdue
	}
	// Only an active project has pending deadlines to recompute.
	if s.Status == workflows.StatusActive {
		for _, d := range s.Deliverables {
			if d.Status == workflows.DeliverableSubmitted && d.Provisional {
				snap.ProvisionalDeadlines = true
			}
		}
		if s.Validity.End.Provisional {
			snap.ProvisionalDeadlines = true
		}
		for _, c := range s.Clocks {
			if c.Status == workflows.ClockRunning && c.Deadline.Provisional {
				snap.ProvisionalDeadlines = true
			}
		}
	}
	return snap, nil
}
