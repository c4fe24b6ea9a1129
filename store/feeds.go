package store

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// CalendarFeed is a person's private calendar feed: /ics/<Secret>.ics.
type CalendarFeed struct {
	Secret    string
	CreatedAt time.Time
}

// CreateCalendarFeed gives the person a new feed secret, replacing (and so
// revoking) the one they had.
func (s *Store) CreateCalendarFeed(ctx context.Context, personID string) (CalendarFeed, error) {
	f := CalendarFeed{Secret: strings.ToLower(rand.Text() + rand.Text())}
	err := s.pool.QueryRow(ctx, `INSERT INTO calendar_feeds (person_id, secret) VALUES ($1, $2)
		ON CONFLICT (person_id) DO UPDATE SET secret = EXCLUDED.secret, created_at = now() RETURNING created_at`,
		personID, f.Secret).Scan(&f.CreatedAt)
	if err != nil {
		return CalendarFeed{}, fmt.Errorf("create calendar feed: %w", err)
	}
	return f, nil
}

// CalendarFeedOf returns the person's feed; none is ErrNotFound.
func (s *Store) CalendarFeedOf(ctx context.Context, personID string) (CalendarFeed, error) {
	var f CalendarFeed
	err := s.pool.QueryRow(ctx, `SELECT secret, created_at FROM calendar_feeds WHERE person_id = $1`, personID).Scan(&f.Secret, &f.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return CalendarFeed{}, fmt.Errorf("calendar feed of %s: %w", personID, ErrNotFound)
	}
	if err != nil {
		return CalendarFeed{}, fmt.Errorf("read calendar feed: %w", err)
	}
	return f, nil
}

// RevokeCalendarFeed turns the person's feed off; its URL answers 404.
func (s *Store) RevokeCalendarFeed(ctx context.Context, personID string) error {
	if _, err := s.pool.Exec(ctx, `DELETE FROM calendar_feeds WHERE person_id = $1`, personID); err != nil {
		return fmt.Errorf("revoke calendar feed: %w", err)
	}
	return nil
}

// FeedPerson returns the enabled person whose feed secret is secret; any
// other secret is ErrNotFound.
func (s *Store) FeedPerson(ctx context.Context, secret string) (Person, error) {
	var id string
	err := s.pool.QueryRow(ctx, `SELECT f.person_id FROM calendar_feeds f JOIN people p ON p.id = f.person_id
		WHERE f.secret = $1 AND NOT p.disabled`, secret).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return Person{}, fmt.Errorf("calendar feed: %w", ErrNotFound)
	}
	if err != nil {
		return Person{}, fmt.Errorf("read calendar feed: %w", err)
	}
	return s.FindPerson(ctx, id)
}

// FeedSubjects are the open objects whose deadlines a person's feed shows:
// their customer's (a customer), or those they are the delivery manager
// of or that have none (a manager). Auditors and admins have none.
type FeedSubjects struct {
	// Projects are active projects' states (workflows.ProjectState JSON).
	Projects []json.RawMessage
	// Tickets await a response (managers only).
	Tickets []FeedTicket
	// Claims are SLA periods whose claim window is ahead or open, with
	// compensation due and no claim filed.
	Claims []FeedClaim
	// LeadDates are the active projects' contract dates that lead times
	// join, while they are ahead.
	LeadDates []FeedLeadDate
}

// FeedLeadDate is a project's contract date that lead times join.
type FeedLeadDate struct {
	ProjectID string
	Event     string
	At        time.Time
	// Texts quote the lead times' contract text.
	Texts []string
}

// FeedTicket is a ticket waiting for its response, or one answered (or
// closed) before its response was due, while that instant is ahead (Met).
type FeedTicket struct {
	ServiceID   string
	Number      int
	Title       string
	ResponseDue time.Time
	Met         bool
}

// FeedClaim is an SLA period's claim window, or one whose claim was filed
// before it closed, while that instant is ahead (Claimed).
type FeedClaim struct {
	Account, Period         string
	ClaimOpens, ClaimCloses time.Time
	CompensationPct         int
	Claimed                 bool
}

// managedBy is the condition that the object of owners kind k and id
// column col is the person's ($1) to manage: theirs, or nobody's.
func managedBy(kind, col string) string {
	return `coalesce((SELECT dm.person_id FROM delivery_managers dm WHERE dm.kind = '` + kind + `' AND dm.id = ` + col + `), $1) = $1`
}

// feedLeadDates selects the lead dates ahead of active projects; the
// caller appends the scope's condition on projects.
const feedLeadDates = `SELECT l.project_id, l.event, l.at, l.texts FROM project_lead_dates l JOIN projects ON projects.id = l.project_id
	WHERE projects.status = 'active' AND l.at > now() AND `

// FeedSubjectsOf lists the open objects of the person's feed.
func (s *Store) FeedSubjectsOf(ctx context.Context, p Person) (FeedSubjects, error) {
	var out FeedSubjects
	var err error
	switch p.Role {
	case RoleCustomer:
		if out.Projects, err = queryList(ctx, s, "feed projects", `SELECT state FROM projects WHERE status = 'active' AND customer_id = $1 ORDER BY id`,
			[]any{p.CustomerID}, pgx.RowTo[json.RawMessage]); err != nil {
			return out, err
		}
		if out.LeadDates, err = queryList(ctx, s, "feed lead dates", feedLeadDates+`projects.customer_id = $1 ORDER BY l.at, l.project_id, l.event`,
			[]any{p.CustomerID}, pgx.RowToStructByPos[FeedLeadDate]); err != nil {
			return out, err
		}
		out.Claims, err = queryList(ctx, s, "feed claims", `SELECT account, period, claim_opens, claim_closes, compensation_pct, claimed FROM sla_periods
			WHERE customer_id = $1 AND compensation_pct > 0 AND claim_closes > now() ORDER BY account, period`,
			[]any{p.CustomerID}, pgx.RowToStructByPos[FeedClaim])
		return out, err
	case RoleManager:
		if out.Projects, err = queryList(ctx, s, "feed projects", `SELECT state FROM projects WHERE status = 'active' AND `+managedBy("project", "projects.id")+` ORDER BY id`,
			[]any{p.ID}, pgx.RowTo[json.RawMessage]); err != nil {
			return out, err
		}
		if out.LeadDates, err = queryList(ctx, s, "feed lead dates", feedLeadDates+managedBy("project", "projects.id")+` ORDER BY l.at, l.project_id, l.event`,
			[]any{p.ID}, pgx.RowToStructByPos[FeedLeadDate]); err != nil {
			return out, err
		}
		out.Tickets, err = queryList(ctx, s, "feed tickets", `SELECT service_id, number, title, response_due, responded_at IS NOT NULL OR status = 'closed' FROM tickets
			WHERE NOT breached AND response_due IS NOT NULL
				AND (responded_at IS NULL AND status <> 'closed' OR response_due > now())
				AND `+managedBy("service", "tickets.service_id")+` ORDER BY service_id, number`,
			[]any{p.ID}, pgx.RowToStructByPos[FeedTicket])
		return out, err
	}
	return out, nil
}

// FeedSequence returns the SEQUENCE of the feed event uid at instant at:
// 0 the first time, one more each time the instant moved, or the event was
// served cancelled, since it was last served.
func (s *Store) FeedSequence(ctx context.Context, uid string, at time.Time) (int, error) {
	var seq int
	err := s.pool.QueryRow(ctx, `
		INSERT INTO calendar_feed_events (uid, at) VALUES ($1, $2)
		ON CONFLICT (uid) DO UPDATE SET sequence = calendar_feed_events.sequence
				+ CASE WHEN calendar_feed_events.at = EXCLUDED.at AND NOT calendar_feed_events.cancelled THEN 0 ELSE 1 END,
			at = EXCLUDED.at, cancelled = false
		RETURNING sequence`, uid, at).Scan(&seq)
	if err != nil {
		return 0, fmt.Errorf("feed event sequence: %w", err)
	}
	return seq, nil
}

// FeedCancelledSequence returns the SEQUENCE of the feed event uid served
// cancelled (its deadline met): one more than it was last served with, the
// first time, and the same after. served is false when the event was never
// served, so no calendar holds it and it need not be cancelled.
func (s *Store) FeedCancelledSequence(ctx context.Context, uid string) (seq int, served bool, err error) {
	err = s.pool.QueryRow(ctx, `
		UPDATE calendar_feed_events SET sequence = sequence + CASE WHEN cancelled THEN 0 ELSE 1 END, cancelled = true
		WHERE uid = $1 RETURNING sequence`, uid).Scan(&seq)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("cancelled feed event sequence: %w", err)
	}
	return seq, true, nil
}
