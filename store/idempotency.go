package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// IdempotencyOutcome says what to do with a request carrying an Idempotency-Key.
type IdempotencyOutcome int

// The outcomes of BeginIdempotent.
const (
	// IdempotencyProceed: the key is new (or its earlier attempt was
	// abandoned); run the request and Finish or Abandon it.
	IdempotencyProceed IdempotencyOutcome = iota
	// IdempotencyReplay: the request already ran; send the stored answer.
	IdempotencyReplay
	// IdempotencyRunning: the first request with this key is still running.
	IdempotencyRunning
	// IdempotencyMismatch: the key was used with a different request.
	IdempotencyMismatch
)

// StoredResponse is the answer kept for retries.
type StoredResponse struct {
	Status      int
	ContentType string
	// Location is the first answer's Location header, if it had one.
	Location string
	Body     []byte
}

// IdempotencyRequest identifies one keyed request.
type IdempotencyRequest struct {
	// TokenID owns the key: a token's ID, or a person's "user:<id>".
	TokenID string
	Key     string
	Method  string
	Path    string
	Hash    []byte
	// Retention is how long a record answers retries; an older one is
	// taken as never sent. Zero is DefaultIdempotencyRetention.
	Retention time.Duration
}

// abandonAfter is how long a running request may hold its key before a
// retry may take it over (the process that held it died mid-request).
const abandonAfter = 2 * time.Minute

// BeginIdempotent claims the key for req, or says why the request must not
// run again. Keys are scoped to the token that sent them; a record older
// than req.Retention is taken over as if the key were new.
func (s *Store) BeginIdempotent(ctx context.Context, req IdempotencyRequest) (IdempotencyOutcome, StoredResponse, error) {
	retention := req.Retention
	if retention <= 0 {
		retention = DefaultIdempotencyRetention
	}
	// The claim is committed without waiting for its WAL to reach the disk
	// (synchronous_commit off, for this transaction only), which spares an
	// action one of its two durable commits. Why that keeps every promise:
	//
	//   - The commit is visible to every other transaction at once, like
	//     any commit, so two concurrent requests with one key still never
	//     both run: the second finds the claim and is refused as running.
	//   - Only a crash of the PostgreSQL server itself (not of this
	//     process) can lose it, and only within three wal_writer_delay
	//     periods (600 ms by default) of the commit; any later durable
	//     commit, such as FinishIdempotent's answer, flushes it first.
	//   - A request whose claim was lost, and whose answer was therefore
	//     not stored either, is retried as a new request. That retry's
	//     Temporal Update carries the same update ID (derived from the
	//     actor, key and request), which Temporal deduplicates, answering
	//     the first update's result; a start's retry finds the run the
	//     first attempt started (api's startOnce). Nothing is done twice.
	//
	// TestIdempotencyClaimLost (api/) deletes a record and proves its
	// retry takes effect once. The statements go as one pipelined batch:
	// one round trip.
	var tag pgconn.CommandTag
	batch := &pgx.Batch{}
	queueBeginUnwaited(batch)
	batch.Queue(`
		INSERT INTO idempotency_keys (token_id, key, method, path, request_hash, state)
		VALUES ($1, $2, $3, $4, $5, 'running')
		ON CONFLICT (token_id, key) DO UPDATE SET updated_at = now(), created_at = CASE
		        WHEN idempotency_keys.created_at < now() - $7::interval THEN now() ELSE idempotency_keys.created_at END,
		    request_hash = EXCLUDED.request_hash, method = EXCLUDED.method, path = EXCLUDED.path, state = 'running',
		    response_status = NULL, response_type = NULL, response_body = NULL, response_location = NULL
		WHERE (idempotency_keys.state = 'running' AND idempotency_keys.updated_at < now() - $6::interval
		       AND idempotency_keys.request_hash = EXCLUDED.request_hash)
		   OR idempotency_keys.created_at < now() - $7::interval`,
		req.TokenID, req.Key, req.Method, req.Path, req.Hash, abandonAfter.String(), retention.String()).
		Exec(func(ct pgconn.CommandTag) error {
			tag = ct
			return nil
		})
	batch.Queue("COMMIT")
	err := s.pool.SendBatch(ctx, batch).Close()
	if err != nil {
		return 0, StoredResponse{}, fmt.Errorf("claim idempotency key: %w", err)
	}
	if tag.RowsAffected() == 1 {
		return IdempotencyProceed, StoredResponse{}, nil
	}
	var (
		hash   []byte
		state  string
		status *int
		ctype  *string
		loc    *string
		body   []byte
	)
	err = s.pool.QueryRow(ctx, `
		SELECT request_hash, state, response_status, response_type, response_location, response_body
		FROM idempotency_keys WHERE token_id = $1 AND key = $2`, req.TokenID, req.Key).
		Scan(&hash, &state, &status, &ctype, &loc, &body)
	if errors.Is(err, pgx.ErrNoRows) {
		// Abandoned between the two statements; let the client retry.
		return IdempotencyRunning, StoredResponse{}, nil
	}
	if err != nil {
		return 0, StoredResponse{}, fmt.Errorf("read idempotency key: %w", err)
	}
	switch {
	case !bytes.Equal(hash, req.Hash):
		return IdempotencyMismatch, StoredResponse{}, nil
	case state == "running":
		return IdempotencyRunning, StoredResponse{}, nil
	}
	resp := StoredResponse{Body: body}
	if status != nil {
		resp.Status = *status
	}
	if ctype != nil {
		resp.ContentType = *ctype
	}
	if loc != nil {
		resp.Location = *loc
	}
	return IdempotencyReplay, resp, nil
}

// AnswerCommit says how FinishIdempotent commits an answer.
type AnswerCommit int

const (
	// AnswerDurable waits for the answer's WAL to reach the disk.
	AnswerDurable AnswerCommit = iota
	// AnswerRederivable does not wait (synchronous_commit off): the answer
	// is a function of the request and what it left behind, so a retry
	// whose record a crash of the PostgreSQL server lost (within 600 ms of
	// the commit, as BeginIdempotent's claim) runs again and answers the
	// same. A start answered with Prefer: return=minimal is one: its
	// answer holds the IDs only, and its retry finds the run the first
	// attempt started by the request's fingerprint (api's startOnce).
	// TestIdempotencyClaimLost deletes such a record and proves the retry
	// answers the same bytes and starts nothing.
	AnswerRederivable
)

// queueBeginUnwaited queues the start of a transaction whose commit does
// not wait for its WAL to reach the disk (synchronous_commit off, for this
// transaction only): visible to every other transaction at once, lost only
// to a crash of the PostgreSQL server within three wal_writer_delay
// periods. Each caller says why that keeps its promises.
func queueBeginUnwaited(batch *pgx.Batch) {
	batch.Queue("BEGIN")
	batch.Queue("SET LOCAL synchronous_commit = off")
}

// FinishIdempotent stores the answer of a request that ran.
func (s *Store) FinishIdempotent(ctx context.Context, req IdempotencyRequest, resp StoredResponse, commit AnswerCommit) error {
	const update = `
		UPDATE idempotency_keys SET state = 'done', response_status = $3, response_type = $4, response_body = $5,
		    response_location = nullif($6, ''), updated_at = now()
		WHERE token_id = $1 AND key = $2`
	args := []any{req.TokenID, req.Key, resp.Status, resp.ContentType, resp.Body, resp.Location}
	var err error
	if commit == AnswerRederivable {
		batch := &pgx.Batch{}
		queueBeginUnwaited(batch)
		batch.Queue(update, args...)
		batch.Queue("COMMIT")
		err = s.pool.SendBatch(ctx, batch).Close()
	} else {
		_, err = s.pool.Exec(ctx, update, args...)
	}
	if err != nil {
		return fmt.Errorf("store idempotent response: %w", err)
	}
	return nil
}

// AbandonIdempotent releases the key of a request that did not complete (a
// server-side failure), so a retry runs it again.
func (s *Store) AbandonIdempotent(ctx context.Context, req IdempotencyRequest) error {
	_, err := s.pool.Exec(ctx, `DELETE FROM idempotency_keys WHERE token_id = $1 AND key = $2 AND state = 'running'`, req.TokenID, req.Key)
	if err != nil {
		return fmt.Errorf("release idempotency key: %w", err)
	}
	return nil
}

// DefaultIdempotencyRetention is how long an Idempotency-Key's record is
// kept unless configured otherwise (SOWFLOW_IDEMPOTENCY_RETENTION): the
// example of the IETF Idempotency-Key draft.
const DefaultIdempotencyRetention = 24 * time.Hour

// PruneIdempotency deletes the idempotency records created more than
// retention ago and returns how many it deleted.
func (s *Store) PruneIdempotency(ctx context.Context, retention time.Duration) (int64, error) {
	if retention <= 0 {
		retention = DefaultIdempotencyRetention
	}
	tag, err := s.pool.Exec(ctx, `DELETE FROM idempotency_keys WHERE created_at < now() - $1::interval`, retention.String())
	if err != nil {
		return 0, fmt.Errorf("delete expired idempotency records: %w", err)
	}
	return tag.RowsAffected(), nil
}
