package store

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Session lifetimes: a session ends after SessionIdleTimeout without a
// request, and SessionLifetime after sign-in in any case.
const (
	SessionIdleTimeout = 12 * time.Hour
	SessionLifetime    = 7 * 24 * time.Hour
	// sessionTouchInterval is how stale last_seen_at may get before a
	// request writes it again.
	sessionTouchInterval = time.Minute
)

// ErrNoSession means a session ID is unknown, revoked, idle too long,
// expired, or belongs to a disabled person.
var ErrNoSession = errors.New("no such session, or it has ended")

// Session is a signed-in person's portal session.
type Session struct {
	Person Person
	// CSRFToken is the synchronizer token every form of the session carries.
	CSRFToken  string
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
}

// NewSessionRequest is where a sign-in came from.
type NewSessionRequest struct {
	PersonID  string
	Address   string
	UserAgent string
}

func randomToken() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("generate random token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// CreateSession starts a session for a person and returns its ID (the
// cookie's value, 256 random bits; only its hash is kept) and the session.
func (s *Store) CreateSession(ctx context.Context, req NewSessionRequest, now time.Time) (string, Session, error) {
	id, err := randomToken()
	if err != nil {
		return "", Session{}, err
	}
	csrf, err := randomToken()
	if err != nil {
		return "", Session{}, err
	}
	ua := req.UserAgent
	if len(ua) > 300 {
		ua = ua[:300]
	}
	_, err = s.pool.Exec(ctx,
		`INSERT INTO sessions (id_hash, person_id, csrf_token, created_at, last_seen_at, expires_at, address, user_agent)
		 VALUES ($1, $2, $3, $4, $4, $5, $6, $7)`,
		hashSecret(id), req.PersonID, csrf, now, now.Add(SessionLifetime), req.Address, ua)
	if err != nil {
		return "", Session{}, fmt.Errorf("insert session: %w", err)
	}
	sess, err := s.Session(ctx, id, now)
	if err != nil {
		return "", Session{}, err
	}
	return id, sess, nil
}

// Session returns the live session with this ID and notes that it was just
// used (which moves its idle timeout), or ErrNoSession.
func (s *Store) Session(ctx context.Context, id string, now time.Time) (Session, error) {
	if id == "" || len(id) > 100 {
		return Session{}, ErrNoSession
	}
	var sess Session
	var revoked *time.Time
	p := &sess.Person
	err := s.pool.QueryRow(ctx,
		`SELECT s.csrf_token, s.created_at, s.last_seen_at, s.expires_at, s.revoked_at,
		        p.id, p.email, p.display_name, p.role, coalesce(p.customer_id, ''), p.language, p.password_hash IS NOT NULL, p.disabled, p.created_at, p.updated_at
		 FROM sessions s JOIN people p ON p.id = s.person_id WHERE s.id_hash = $1`, hashSecret(id)).
		Scan(&sess.CSRFToken, &sess.CreatedAt, &sess.LastSeenAt, &sess.ExpiresAt, &revoked,
			&p.ID, &p.Email, &p.Name, &p.Role, &p.CustomerID, &p.Language, &p.HasPassword, &p.Disabled, &p.CreatedAt, &p.UpdatedAt)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return Session{}, ErrNoSession
	case err != nil:
		return Session{}, fmt.Errorf("look up session: %w", err)
	case revoked != nil, p.Disabled, !now.Before(sess.ExpiresAt), !now.Before(sess.LastSeenAt.Add(SessionIdleTimeout)):
		return Session{}, ErrNoSession
	}
	if now.Sub(sess.LastSeenAt) >= sessionTouchInterval {
		if _, err := s.pool.Exec(ctx, `UPDATE sessions SET last_seen_at = $2 WHERE id_hash = $1 AND last_seen_at < $2`, hashSecret(id), now); err != nil {
			return Session{}, fmt.Errorf("touch session: %w", err)
		}
		sess.LastSeenAt = now
	}
	return sess, nil
}

// RevokeSession ends one session; ending an ended one is not an error.
func (s *Store) RevokeSession(ctx context.Context, id string, now time.Time) error {
	if _, err := s.pool.Exec(ctx, `UPDATE sessions SET revoked_at = $2 WHERE id_hash = $1 AND revoked_at IS NULL`, hashSecret(id), now); err != nil {
		return fmt.Errorf("revoke session: %w", err)
	}
	return nil
}

// RevokePersonSessions ends every session of a person ("sign out
// everywhere") and returns how many were live.
func (s *Store) RevokePersonSessions(ctx context.Context, personID string, now time.Time) (int64, error) {
	var n int64
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		n, err = revokeSessions(ctx, tx, personID, now)
		return err
	})
	return n, err
}

func revokeSessions(ctx context.Context, tx pgx.Tx, personID string, now time.Time) (int64, error) {
	tag, err := tx.Exec(ctx, `UPDATE sessions SET revoked_at = $2 WHERE person_id = $1 AND revoked_at IS NULL`, personID, now)
	if err != nil {
		return 0, fmt.Errorf("revoke sessions of %s: %w", personID, err)
	}
	return tag.RowsAffected(), nil
}

// PruneSessions deletes sessions that ended before cutoff.
func (s *Store) PruneSessions(ctx context.Context, cutoff time.Time) (int64, error) {
	tag, err := s.pool.Exec(ctx,
		`DELETE FROM sessions WHERE revoked_at < $1 OR expires_at < $1 OR last_seen_at < $1 - $2::interval`,
		cutoff, fmt.Sprintf("%d seconds", int(SessionIdleTimeout.Seconds())))
	if err != nil {
		return 0, fmt.Errorf("prune sessions: %w", err)
	}
	return tag.RowsAffected(), nil
}

// SignInFailures counts the failed sign-ins recorded under key after from
// and up to to: a failure ages out of a window once it is exactly the
// window's length old.
func (s *Store) SignInFailures(ctx context.Context, key string, from, to time.Time) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM sign_in_failures WHERE key = $1 AND failed_at > $2 AND failed_at <= $3`, key, from, to).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count sign-in failures: %w", err)
	}
	return n, nil
}

// OldestSignInFailure returns the earliest failure under key after from
// and up to to (zero when there is none): throttling ends when it ages out.
func (s *Store) OldestSignInFailure(ctx context.Context, key string, from, to time.Time) (time.Time, error) {
	var t *time.Time
	err := s.pool.QueryRow(ctx, `SELECT min(failed_at) FROM sign_in_failures WHERE key = $1 AND failed_at > $2 AND failed_at <= $3`, key, from, to).Scan(&t)
	if err != nil || t == nil {
		return time.Time{}, err
	}
	return *t, nil
}

// RecordSignInFailure notes a failed sign-in under each key, and forgets
// failures older than a day.
func (s *Store) RecordSignInFailure(ctx context.Context, keys []string, at time.Time) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO sign_in_failures (key, failed_at) SELECT unnest($1::text[]), $2`, keys, at); err != nil {
			return fmt.Errorf("record sign-in failure: %w", err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM sign_in_failures WHERE failed_at < $1`, at.Add(-24*time.Hour)); err != nil {
			return fmt.Errorf("forget old sign-in failures: %w", err)
		}
		return nil
	})
}

// ClearSignInFailures forgets the failures under key (after a successful
// sign-in to that account).
func (s *Store) ClearSignInFailures(ctx context.Context, key string) error {
	if _, err := s.pool.Exec(ctx, `DELETE FROM sign_in_failures WHERE key = $1`, key); err != nil {
		return fmt.Errorf("clear sign-in failures: %w", err)
	}
	return nil
}
