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

// What an outbox entry's event belongs to (OutboxEntry.Source).
const (
	SourceProject = "project"
	SourceService = "service"
	SourceTicket  = "ticket"
	// SourceSLAPeriod entries carry "<account>/<period>" as their subject
	// (OutboxEntry.SLAPeriod).
	SourceSLAPeriod = "sla-period"
)

// Event is one recorded workflow event of a project, a service, a ticket
// or an SLA period, as the workflow recorded it.
type Event struct {
	Seq          int64  `json:"seq"`
	Type         string `json:"type"`
	ActorSubject string `json:"actor_subject"`
	ActorRole    string `json:"actor_role"`
	RequestID    string `json:"request_id,omitempty"`
	// ClientRequestID is the client's own X-Request-ID; it goes to the audit
	// log, not to the event tables.
	ClientRequestID string          `json:"-"`
	OccurredAt      time.Time       `json:"occurred_at"`
	Payload         json.RawMessage `json:"payload"`
}

// subject is what recorded events belong to: a project, a service, one
// ticket of a service, or an SLA period.
type subject struct {
	source string // SourceProject, SourceService, SourceTicket or SourceSLAPeriod
	// id is the project's or the service's ID, or an SLA period's
	// "<account>/<period>" (slaPeriodID).
	id       string
	ticket   int // the ticket's number (SourceTicket only)
	customer string
}

func (s subject) String() string {
	if s.source == SourceTicket {
		return fmt.Sprintf("ticket %d of service %s", s.ticket, s.id)
	}
	return s.source + " " + s.id
}

// eventTable returns the table of the subject's events, its key columns
// and the subject's values of them.
func (s subject) eventTable() (table string, cols []string, key []any) {
	switch s.source {
	case SourceService:
		return "service_events", []string{"service_id"}, []any{s.id}
	case SourceSLAPeriod:
		account, period, _ := strings.Cut(s.id, "/")
		return "sla_period_events", []string{"account", "period"}, []any{account, period}
	case SourceTicket:
		return "ticket_events", []string{"service_id", "number"}, []any{s.id, s.ticket}
	}
	return "project_events", []string{"project_id"}, []any{s.id}
}

// eventColumns are the columns of an event (Event), after its subject's key.
const eventColumns = `seq, type, actor_subject, actor_role, request_id, occurred_at, payload`

// eventInsert returns the statement inserting one event of the subject,
// and the key values that precede the event's own in its arguments. It
// returns the seq of an event it inserted and no row for one already stored.
func (s subject) eventInsert() (string, []any) {
	table, cols, key := s.eventTable()
	keyCols := strings.Join(cols, ", ")
	return `INSERT INTO ` + table + ` (` + keyCols + `, ` + eventColumns + `) VALUES (` + placeholders(1, len(cols)+7) + `)
		ON CONFLICT (` + keyCols + `, seq) DO NOTHING RETURNING seq`, key
}

// readEvents returns up to limit events of the subject with a sequence
// number above after, in order, each made a T by wrap.
func readEvents[T any](ctx context.Context, s *Store, sub subject, after int64, limit int, wrap func(Event) T) ([]T, error) {
	table, cols, key := sub.eventTable()
	var q listQuery
	for i, c := range cols {
		q.add(c+" = $%d", key[i])
	}
	q.add("seq > $%d", after)
	sql, args := q.sql(`SELECT `+eventColumns+` FROM `+table, "seq", limit)
	return queryList(ctx, s, "events of "+sub.String(), sql, args, func(r pgx.CollectableRow) (T, error) {
		var e Event
		err := r.Scan(&e.Seq, &e.Type, &e.ActorSubject, &e.ActorRole, &e.RequestID, &e.OccurredAt, &e.Payload)
		return wrap(e), err
	})
}

// rowTable returns the read-model table of the subject's row and its key
// columns, whose values are eventTable's key.
func (s subject) rowTable() (string, []string) {
	switch s.source {
	case SourceService:
		return "services", []string{"id"}
	case SourceSLAPeriod:
		return "sla_periods", []string{"account", "period"}
	case SourceTicket:
		return "tickets", []string{"service_id", "number"}
	}
	return "projects", []string{"id"}
}

// placeholders is "$first, ..., $(first+n-1)".
func placeholders(first, n int) string {
	ph := make([]string, n)
	for i := range ph {
		ph[i] = fmt.Sprintf("$%d", first+i)
	}
	return strings.Join(ph, ", ")
}

// keyWhere is the condition "c1 = $1 AND c2 = $2 ..." on the key columns.
func keyWhere(cols []string) string {
	conds := make([]string, len(cols))
	for i, c := range cols {
		conds[i] = fmt.Sprintf("%s = $%d", c, i+1)
	}
	return strings.Join(conds, " AND ")
}

// rowWrite is one read-model row of a subject: its columns (the key's
// first) and their values, the columns a newer state replaces (state and
// state_seq among them) and the owner its object gets unless it has one
// (none when owner.Kind is "").
type rowWrite struct {
	cols    []string
	args    []any
	updates []string
	owner   Owner
}

// upsert is the statement writing w into table, keyed by key, only over a
// row with an equal or lower state_seq; it returns the state_seq it wrote.
func (w rowWrite) upsert(table string, key []string) string {
	sets := make([]string, len(w.updates))
	for i, c := range w.updates {
		sets[i] = c + " = EXCLUDED." + c
	}
	return `INSERT INTO ` + table + ` (` + strings.Join(w.cols, ", ") + `) VALUES (` + placeholders(1, len(w.cols)) + `)
		ON CONFLICT (` + strings.Join(key, ", ") + `) DO UPDATE SET ` + strings.Join(sets, ", ") + `
		WHERE ` + table + `.state_seq <= EXCLUDED.state_seq RETURNING state_seq`
}

// recordRow writes the subject's read-model row and its new events and
// outbox entries in one transaction, and returns the state_seq now stored.
func (s *Store) recordRow(ctx context.Context, sub subject, row rowWrite, events []Event, outbox []OutboxEntry) (int64, error) {
	table, key := sub.rowTable()
	_, _, keyVals := sub.eventTable()
	var stored int64
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		if stored, err = storedSeq(ctx, tx, row.upsert(table, key), row.args,
			`SELECT state_seq FROM `+table+` WHERE `+keyWhere(key), keyVals...); err != nil {
			return err
		}
		if row.owner.Kind != "" {
			if err := recordOwner(ctx, tx, row.owner); err != nil {
				return err
			}
		}
		// The actor of an object's first event started it: a manager who
		// did becomes its delivery manager (the first SLA period's, for
		// its account).
		for _, e := range events {
			if e.Seq == 1 {
				if err := recordDeliveryManager(ctx, tx, row.owner, e.ActorSubject); err != nil {
					return err
				}
			}
		}
		return recordEvents(ctx, tx, sub, events, outbox)
	})
	if err != nil {
		return 0, fmt.Errorf("record %s: %w", sub, err)
	}
	return stored, nil
}

// storedSeq runs upsert, which writes a read-model row only over one with
// an equal or lower state_seq and returns the state_seq it wrote; when a
// newer state is stored it returns that one's, read with current.
func storedSeq(ctx context.Context, tx pgx.Tx, upsert string, args []any, current string, key ...any) (int64, error) {
	var seq int64
	err := tx.QueryRow(ctx, upsert, args...).Scan(&seq)
	if errors.Is(err, pgx.ErrNoRows) {
		// A newer state is already stored; keep it.
		if err := tx.QueryRow(ctx, current, key...).Scan(&seq); err != nil {
			return 0, fmt.Errorf("read stored state: %w", err)
		}
		return seq, nil
	}
	if err != nil {
		return 0, fmt.Errorf("upsert state: %w", err)
	}
	return seq, nil
}

// recordEvents writes, inside tx, the subject's events not stored yet and
// its outbox entries not queued yet, and appends the newly stored events
// (only those: a retry must not audit twice) to the customer's audit chain.
// The subject's row must already be written (the event tables reference
// it).
func recordEvents(ctx context.Context, tx pgx.Tx, sub subject, events []Event, outbox []OutboxEntry) error {
	insert, key := sub.eventInsert()
	batch := &pgx.Batch{}
	var inserted []Event
	for _, e := range events {
		args := append(append([]any{}, key...), e.Seq, e.Type, e.ActorSubject, e.ActorRole, e.RequestID, e.OccurredAt, orEmptyObject(e.Payload))
		batch.Queue(insert, args...).QueryRow(func(row pgx.Row) error {
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
		batch.Queue(`INSERT INTO outbox (source, subject_id, ticket, event_seq, kind, recipient, payload)
			VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (source, subject_id, ticket, event_seq, kind, recipient) DO NOTHING`,
			sub.source, sub.id, sub.ticket, o.EventSeq, o.Kind, o.Recipient, orEmptyObject(o.Payload))
	}
	if err := tx.SendBatch(ctx, batch).Close(); err != nil {
		return fmt.Errorf("insert events: %w", err)
	}
	return auditEvents(ctx, tx, sub, inserted)
}

func orEmptyObject(b json.RawMessage) json.RawMessage {
	if len(b) == 0 {
		return json.RawMessage("{}")
	}
	return b
}

// listQuery builds a list query: filter conditions, then keyset pagination
// by the order key.
type listQuery struct {
	where []string
	args  []any
}

// add adds the condition cond, whose one %d is the placeholder of v.
func (q *listQuery) add(cond string, v any) { q.addKey(cond, v) }

// addIfSet adds the condition cond, whose one %d is the placeholder of v,
// when v is not empty: a filter's empty field does not filter.
func (q *listQuery) addIfSet(cond, v string) {
	if v != "" {
		q.add(cond, v)
	}
}

// addKey adds the keyset condition cond, whose %d verbs are the
// placeholders of vs in order: for a key of several columns, e.g.
// "(account, period) > ($%d, $%d)".
func (q *listQuery) addKey(cond string, vs ...any) {
	ph := make([]any, len(vs))
	for i, v := range vs {
		q.args = append(q.args, v)
		ph[i] = len(q.args)
	}
	q.where = append(q.where, fmt.Sprintf(cond, ph...))
}

// sql returns selectFrom with the conditions, ordered by orderBy and
// limited to limit rows, and its arguments.
func (q *listQuery) sql(selectFrom, orderBy string, limit int) (string, []any) {
	s := selectFrom
	if len(q.where) > 0 {
		s += " WHERE " + strings.Join(q.where, " AND ")
	}
	args := append(append([]any{}, q.args...), limit)
	return s + fmt.Sprintf(" ORDER BY %s LIMIT $%d", orderBy, len(args)), args
}

// queryList runs a list query and scans every row; what names the list in
// errors.
func queryList[T any](ctx context.Context, s *Store, what, q string, args []any, scan func(pgx.CollectableRow) (T, error)) ([]T, error) {
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", what, err)
	}
	out, err := pgx.CollectRows(rows, scan)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", what, err)
	}
	return out, nil
}

// checkLimit refuses a page size that is not positive.
func checkLimit(what string, limit int) error {
	if limit <= 0 {
		return fmt.Errorf("list %s: limit %d is not positive", what, limit)
	}
	return nil
}

// readState reads the customer, state and sequence number of the
// subject's read-model row. A missing row is ErrNotFound.
func (s *Store) readState(ctx context.Context, sub subject) (customerID string, state json.RawMessage, seq int64, err error) {
	table, key := sub.rowTable()
	_, _, keyVals := sub.eventTable()
	err = s.pool.QueryRow(ctx, `SELECT customer_id, state, state_seq FROM `+table+` WHERE `+keyWhere(key), keyVals...).
		Scan(&customerID, &state, &seq)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil, 0, fmt.Errorf("%s: %w", sub, ErrNotFound)
	}
	if err != nil {
		return "", nil, 0, fmt.Errorf("read %s: %w", sub, err)
	}
	return customerID, state, seq, nil
}
