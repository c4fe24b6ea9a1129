package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Kinds of the notices the passage of time brings, not an event: the
// notify package's timed-notice scanner queues them from the read model.
const (
	// KindValidityEnding tells a project's customer and delivery manager
	// that its validity ends within 30 days.
	KindValidityEnding = "validity-ending"
	// KindClaimWindowClosing tells a customer that an SLA period's claim
	// window closes in 5 working days and no claim was filed.
	KindClaimWindowClosing = "claim-window-closing"
)

// ValidityEnd is an active project whose validity ends at End.
type ValidityEnd struct {
	ProjectID string
	End       time.Time
}

// ValidityEndingBy lists the active projects whose validity ends after now
// and at or before by, and whose KindValidityEnding notice is not queued
// yet.
func (s *Store) ValidityEndingBy(ctx context.Context, now, by time.Time) ([]ValidityEnd, error) {
	return queryList(ctx, s, "projects whose validity ends", `
		SELECT id, validity_end FROM (
			SELECT id, (state #>> '{validity,end,at}')::timestamptz AS validity_end FROM projects WHERE status = 'active'
		) p
		WHERE validity_end > $1 AND validity_end <= $2
			AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.source = 'project' AND o.subject_id = p.id AND o.kind = $3)
		ORDER BY validity_end, id`, []any{now, by, KindValidityEnding}, pgx.RowToStructByPos[ValidityEnd])
}

// ClaimWindow is an open SLA claim window with compensation due and no
// claim filed.
type ClaimWindow struct {
	Account, Period string
	Closes          time.Time
	CompensationPct int
}

// OpenClaimWindowsClosingBy lists the SLA periods whose claim window is
// open at now and closes at or before by, with compensation due, no claim
// filed and no KindClaimWindowClosing notice queued yet.
func (s *Store) OpenClaimWindowsClosingBy(ctx context.Context, now, by time.Time) ([]ClaimWindow, error) {
	return queryList(ctx, s, "open claim windows", `
		SELECT account, period, claim_closes, compensation_pct FROM sla_periods sp
		WHERE NOT claimed AND compensation_pct > 0 AND claim_opens <= $1 AND claim_closes > $1 AND claim_closes <= $2
			AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.source = 'sla-period' AND o.subject_id = sp.account || '/' || sp.period AND o.kind = $3)
		ORDER BY claim_closes, account, period`, []any{now, by, KindClaimWindowClosing}, pgx.RowToStructByPos[ClaimWindow])
}

// QueueNotices adds outbox entries the workflows do not write (the notices
// time brings), in one transaction. An entry is unique on its subject,
// event_seq, kind and recipient role: one that exists is left as it is, so
// any number of processes may queue the same notice and it is delivered
// once. It returns how many entries were added.
func (s *Store) QueueNotices(ctx context.Context, entries []OutboxEntry) (int, error) {
	var n int
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		for _, e := range entries {
			subject := e.ServiceID
			switch e.Source {
			case SourceProject:
				subject = e.ProjectID
			case SourceSLAPeriod:
				subject = e.SLAPeriod
			}
			tag, err := tx.Exec(ctx, `INSERT INTO outbox (source, subject_id, ticket, event_seq, kind, recipient, payload)
				VALUES ($1, $2, $3, $4, $5, $6, $7)
				ON CONFLICT (source, subject_id, ticket, event_seq, kind, recipient) DO NOTHING`,
				e.Source, subject, e.Ticket, e.EventSeq, e.Kind, e.Recipient, orEmptyObject(e.Payload))
			if err != nil {
				return err
			}
			n += int(tag.RowsAffected())
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("queue notices: %w", err)
	}
	return n, nil
}
