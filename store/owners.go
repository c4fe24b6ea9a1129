package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// What an owner row names (Owner.Kind).
const (
	OwnerProject = "project"
	OwnerService = "service"
	// OwnerSLAAccount is an SLA account name, which names the account's
	// periods too.
	OwnerSLAAccount = "sla-account"
)

// Owner says which customer an object belongs to: a project, a service, or
// an SLA account name with its mail service.
type Owner struct {
	Kind       string
	ID         string
	CustomerID string
	// Service is an SLA account's mail service; "" for the other kinds.
	Service string
}

// ClaimedError is the answer of Claim for an object another customer (or,
// for an SLA account, another service) owns.
type ClaimedError struct {
	Owner Owner
}

func (e *ClaimedError) Error() string {
	return fmt.Sprintf("%s %s belongs to customer %s", e.Owner.Kind, e.Owner.ID, e.Owner.CustomerID)
}

// Claim claims o for its customer (and service) and runs start while the
// claim is held, in one transaction: the claim is kept only when start
// succeeds. A claim the same customer and service already hold is kept
// and start runs (a retry, or a start its workflow refuses as a second
// one); an object another holds is *ClaimedError and start does not run. A
// concurrent claim of the same object waits until this one has ended and
// then sees its outcome. start's error is returned as it is.
//
// The transaction holds one pooled connection while start runs (so an API
// process starts at most its pool's size of objects at once), and opens
// with one pipelined round trip: begin, write the claim, read the owner.
//
// The claim of a project or a service is committed without waiting for
// its WAL to reach the disk (synchronous_commit off, for this transaction
// only); an SLA account's stays durable. Why that keeps customer isolation,
// which must fail closed:
//
//   - The commit is visible to every other transaction at once, like any
//     commit: a concurrent or later claim of the object by another
//     customer finds it and is refused.
//   - Only a crash of the PostgreSQL server itself can lose it, within
//     three wal_writer_delay periods (600 ms by default) of the commit;
//     any later durable commit flushes it first, among them the
//     workflow's first projection and the request's stored answer
//     (FinishIdempotent; the WAL is written in order, so even an answer
//     stored without waiting, AnswerRederivable, reaches the disk only
//     after the claim). A claim that is lost had therefore no answer
//     stored either.
//   - Without its owner row the object is hidden, not exposed: every read
//     and action finds its owner first (OwnerOf), and no row is an
//     answer of "no such object" to everyone, its customer and staff
//     included. Nothing grants access without a row.
//   - Nobody else can take the object over meanwhile: a project's or a
//     service's workflow ID is its object's ID and Temporal starts it
//     once (the API's reuse policy rejects a duplicate), so another
//     customer's claim of the ID fails at the start and is rolled back
//     with it. An SLA account name is different: its owner row covers
//     many workflows (each month's period, the account's own), a lost
//     row would let another customer claim the name with a new month's
//     start, and so its claim stays durable.
//   - The row comes back with the workflow's own customer: the workflow's
//     projections record the owner (recordOwner, in the read-model
//     transaction of every state it projects, the first one at its
//     start), and the request's retry with its Idempotency-Key claims it
//     again and finds the run its first attempt started.
//
// TestOwnerClaimLost (api/) deletes the owner row of a started project
// and proves the project is then hidden from its customer, refused to
// another customer's start, and restored by the retry.
//
// A project's lead dates, when given, are recorded in the same
// transaction: only with a start that succeeded.
func (s *Store) Claim(ctx context.Context, o Owner, start func(context.Context) error, leadDates ...LeadDate) error {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("claim owner of %s %s: %w", o.Kind, o.ID, err)
	}
	// A connection released inside a transaction (an error between begin
	// and its end) is closed by the pool, never reused.
	defer conn.Release()
	held := Owner{Kind: o.Kind, ID: o.ID}
	batch := &pgx.Batch{}
	if o.Kind == OwnerProject || o.Kind == OwnerService {
		queueBeginUnwaited(batch)
	} else {
		batch.Queue("BEGIN")
	}
	batch.Queue(`INSERT INTO owners (kind, id, customer_id, service) VALUES ($1, $2, $3, $4)
		ON CONFLICT (kind, id) DO NOTHING`, o.Kind, o.ID, o.CustomerID, o.Service)
	if o.Kind == OwnerProject {
		if err := queueLeadDates(batch, o.ID, leadDates); err != nil {
			return err
		}
	}
	batch.Queue(`SELECT customer_id, service FROM owners WHERE kind = $1 AND id = $2`, o.Kind, o.ID).
		QueryRow(func(row pgx.Row) error { return row.Scan(&held.CustomerID, &held.Service) })
	if err := conn.SendBatch(ctx, batch).Close(); err != nil {
		rollback(ctx, conn)
		return fmt.Errorf("claim owner of %s %s: %w", o.Kind, o.ID, err)
	}
	if held != o {
		rollback(ctx, conn)
		return &ClaimedError{Owner: held}
	}
	if err := start(ctx); err != nil {
		rollback(ctx, conn)
		return err
	}
	tag, err := conn.Exec(ctx, "COMMIT")
	if err == nil && tag.String() != "COMMIT" {
		err = pgx.ErrTxCommitRollback
	}
	if err != nil {
		return fmt.Errorf("commit owner of %s %s: %w", o.Kind, o.ID, err)
	}
	return nil
}

// rollback ends the transaction open on conn, even when ctx is done. A
// rollback that fails leaves the connection in its transaction, and the
// pool closes it on release.
func rollback(ctx context.Context, conn *pgxpool.Conn) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	_, _ = conn.Exec(ctx, "ROLLBACK")
}

// OwnerOf returns the owner of the object kind id; for a customer (not
// "") only one it owns. Any other is ErrNotFound: an object of another
// customer and one that does not exist are one answer.
func (s *Store) OwnerOf(ctx context.Context, kind, id, customerID string) (Owner, error) {
	o := Owner{Kind: kind, ID: id}
	err := s.pool.QueryRow(ctx, `SELECT customer_id, service FROM owners
		WHERE kind = $1 AND id = $2 AND ($3 = '' OR customer_id = $3)`, kind, id, customerID).Scan(&o.CustomerID, &o.Service)
	if errors.Is(err, pgx.ErrNoRows) {
		return Owner{}, fmt.Errorf("owner of %s %s: %w", kind, id, ErrNotFound)
	}
	if err != nil {
		return Owner{}, fmt.Errorf("read owner of %s %s: %w", kind, id, err)
	}
	return o, nil
}

// recordOwner writes, inside tx, the owner of an object unless it has one.
// Projections write it too, so an object started outside the API is owned.
func recordOwner(ctx context.Context, tx pgx.Tx, o Owner) error {
	if _, err := tx.Exec(ctx, `INSERT INTO owners (kind, id, customer_id, service) VALUES ($1, $2, $3, $4)
		ON CONFLICT (kind, id) DO NOTHING`, o.Kind, o.ID, o.CustomerID, o.Service); err != nil {
		return fmt.Errorf("record owner of %s %s: %w", o.Kind, o.ID, err)
	}
	return nil
}
