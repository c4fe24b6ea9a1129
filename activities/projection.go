package activities

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/sowflow/sowflow/store"
	"github.com/sowflow/sowflow/workflows"
)

// Projection writes the state and events of project, service and ticket
// workflows to the PostgreSQL read model, so that lists, filters and event
// pages never need Temporal. Register RecordProject under
// workflows.RecordProjectActivity, RecordService under
// workflows.RecordServiceActivity and RecordTicket under
// workflows.RecordTicketActivity.
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
	recorded, err := recordedEvents(store.SourceProject, in.Events, func(e workflows.Event, payload map[string]any) map[string]any {
		return projectNoticePayload(in.State, e, payload)
	})
	if err != nil {
		return workflows.RecordResult{}, err
	}
	events := make([]store.ProjectEvent, len(recorded.events))
	for i, e := range recorded.events {
		events[i] = store.ProjectEvent{ProjectID: snap.ID, Event: store.Event{Seq: e.Seq, Type: e.Type, ActorSubject: e.ActorSubject,
			ActorRole: e.ActorRole, RequestID: e.RequestID, ClientRequestID: e.ClientRequestID, OccurredAt: e.OccurredAt, Payload: e.Payload}}
	}
	snap.UpdatedAt = recorded.updatedAt(snap.UpdatedAt)
	seq, err := p.Store.RecordProject(ctx, snap, events, recorded.outbox)
	if err != nil {
		return workflows.RecordResult{}, err
	}
	return workflows.RecordResult{Seq: seq}, nil
}

// recorded are a record's workflow events as the store takes them.
type recorded struct {
	events []store.Event
	// outbox has one entry per recipient of every event that needs a
	// person's attention.
	outbox []store.OutboxEntry
	// latest is the newest event's instant (zero without events).
	latest time.Time
}

// recordedEvents converts the events of a projection record (of a project,
// service, ticket or SLA period: source) for the store; an event without a
// payload gets {}. Each event a person is told of (noticeRoles) gets an
// outbox entry per role, whose payload is the event's, or what notice
// makes of it when notice is not nil.
func recordedEvents(source string, in []workflows.Event, notice func(workflows.Event, map[string]any) map[string]any) (recorded, error) {
	out := recorded{events: make([]store.Event, 0, len(in))}
	for _, e := range in {
		payload := json.RawMessage(`{}`)
		if e.Payload != nil {
			var err error
			if payload, err = storableJSON(e.Payload); err != nil {
				return recorded{}, fmt.Errorf("encode event %d payload: %w", e.Seq, err)
			}
		}
		out.events = append(out.events, store.Event{
			Seq: e.Seq, Type: string(e.Type), ActorSubject: e.Actor.Subject, ActorRole: string(e.Actor.Role),
			RequestID: e.RequestID, ClientRequestID: e.ClientRequestID, OccurredAt: e.At, Payload: payload,
		})
		if e.At.After(out.latest) {
			out.latest = e.At
		}
		roles := noticeRoles(source, e)
		if len(roles) == 0 {
			continue
		}
		notePayload := payload
		if notice != nil {
			var err error
			if notePayload, err = storableJSON(notice(e, e.Payload)); err != nil {
				return recorded{}, fmt.Errorf("encode event %d notice: %w", e.Seq, err)
			}
		}
		for _, r := range roles {
			out.outbox = append(out.outbox, store.OutboxEntry{EventSeq: e.Seq, Kind: string(e.Type), Recipient: string(r), Payload: notePayload})
		}
	}
	return out, nil
}

// updatedAt is a row's updated_at: workflow time, the newest event's
// instant, never the clock; since when there is no newer event.
func (r recorded) updatedAt(since time.Time) time.Time {
	if r.latest.After(since) {
		return r.latest
	}
	return since
}

// writeRecord converts a record's events (of source), moves *updatedAt (the snapshot's
// update time, which write's closure holds) to the newest event's instant,
// and writes snapshot, events and outbox entries with write.
func writeRecord(ctx context.Context, source string, in []workflows.Event, updatedAt *time.Time, write func(context.Context, []store.Event, []store.OutboxEntry) (int64, error)) (workflows.RecordResult, error) {
	recorded, err := recordedEvents(source, in, nil)
	if err != nil {
		return workflows.RecordResult{}, err
	}
	*updatedAt = recorded.updatedAt(*updatedAt)
	seq, err := write(ctx, recorded.events, recorded.outbox)
	if err != nil {
		return workflows.RecordResult{}, err
	}
	return workflows.RecordResult{Seq: seq}, nil
}

// snapshotOf derives the read-model row from a workflow state.
func snapshotOf(s workflows.ProjectState) (store.ProjectSnapshot, error) {
	state, err := storableJSON(s)
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

// storableJSON encodes v as JSON that PostgreSQL can store: its jsonb and
// text types take no U+0000, so every NUL escape (\u0000) becomes U+FFFD,
// the replacement character. A NUL could come with a signal from an
// integration (the API refuses it); stored as is it would fail every write
// of the record, and the workflow's updates, which wait for the read model,
// would wait forever.
func storableJSON(v any) (json.RawMessage, error) {
	b, err := json.Marshal(v)
	if err != nil || !bytes.Contains(b, []byte(`\u0000`)) {
		return b, err
	}
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		if b[i] != '\\' || i+1 >= len(b) {
			out = append(out, b[i])
			continue
		}
		// An escape: \u0000 is replaced, any other is copied whole, so an
		// escaped backslash followed by "u0000" text stays as it is.
		if b[i+1] == 'u' && i+6 <= len(b) && string(b[i+2:i+6]) == "0000" {
			out = append(out, `\ufffd`...)
			i += 5
			continue
		}
		out = append(out, b[i], b[i+1])
		i++
	}
	return out, nil
}

// storableText is s with every NUL replaced by U+FFFD, for text columns.
func storableText(s string) string { return strings.ReplaceAll(s, "\x00", "\uFFFD") }
