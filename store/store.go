// Package store holds sowflow's PostgreSQL access: the connection pool, and the
// queries and transactions of the read model, idempotency records, calendar
// data and audit log.
package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/puddle/v2"
)

// DefaultPoolMaxConns is the size of a process's pool when its database
// URL does not set pool_max_conns. pgx's own default, the larger of 4 and
// the CPUs, would let a small API machine start only 4 resources at once
// (a start holds a connection while Temporal starts its workflow, see
// Claim) and queue a worker's projections behind as few connections.
const DefaultPoolMaxConns = 16

// Open connects a pool to databaseURL and checks that the server answers.
// The pool has DefaultPoolMaxConns connections at most unless the URL sets
// pool_max_conns, which wins.
func Open(ctx context.Context, databaseURL string) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(databaseURL)
	if err != nil {
		return nil, fmt.Errorf("parse database url: %w", err)
	}
	if !setsPoolMaxConns(databaseURL) {
		cfg.MaxConns = DefaultPoolMaxConns
	}
	cfg.ConnConfig.RuntimeParams["application_name"] = "sowflow"
	cfg.ConnConfig.RuntimeParams["timezone"] = "UTC"
	cfg.MaxConnIdleTime = 5 * time.Minute
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("create pool: %w", err)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := pool.Ping(pingCtx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to %s:%d/%s: %w", cfg.ConnConfig.Host, cfg.ConnConfig.Port, cfg.ConnConfig.Database, err)
	}
	return pool, nil
}

// setsPoolMaxConns reports whether the database URL, in either of the
// forms pgx reads (a postgres:// URL or key=value pairs), sets
// pool_max_conns.
func setsPoolMaxConns(databaseURL string) bool {
	if strings.HasPrefix(databaseURL, "postgres://") || strings.HasPrefix(databaseURL, "postgresql://") {
		u, err := url.Parse(databaseURL)
		return err == nil && u.Query().Has("pool_max_conns")
	}
	return poolMaxConnsPair.MatchString(databaseURL)
}

// poolMaxConnsPair finds pool_max_conns among key=value pairs.
var poolMaxConnsPair = regexp.MustCompile(`(^|\s)pool_max_conns\s*=`)

// Store runs sowflow's queries on a pool.
type Store struct {
	pool *pgxpool.Pool
}

// New returns a Store over pool; the caller keeps ownership of the pool.
func New(pool *pgxpool.Pool) *Store { return &Store{pool: pool} }

// Ping reports whether PostgreSQL answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.pool.Ping(ctx); err != nil {
		return fmt.Errorf("ping postgresql: %w", err)
	}
	return nil
}

// Unavailable reports whether err means PostgreSQL could not serve the
// request at all — it is unreachable, shutting down or restarting, or the
// connection broke — as opposed to a query that failed. Callers answer such
// errors as temporarily unavailable (HTTP 503) rather than as a fault:
//
//   - no connection could be made (pgconn.ConnectError, a network error);
//   - SQLSTATE class 57, operator intervention (57P01 admin_shutdown when a
//     backend is terminated or the server stops, 57P02, 57P03 cannot connect
//     now, 57014 query canceled) and class 08, connection exception;
//   - the connection closed in the middle of a query (unexpected EOF, a
//     closed connection) or the pool itself was closed;
//   - anything pgconn says is safe to retry, unless the caller canceled.
func Unavailable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return false
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		class := pgErr.Code[:min(2, len(pgErr.Code))]
		return class == "57" || class == "08"
	}
	var connect *pgconn.ConnectError
	var netErr net.Error
	switch {
	case errors.As(err, &connect), errors.As(err, &netErr):
		return true
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF), errors.Is(err, net.ErrClosed), errors.Is(err, pgconn.ErrConnClosed),
		errors.Is(err, puddle.ErrClosedPool):
		return true
	}
	return pgconn.SafeToRetry(err)
}

// GrantAppRole gives role what sowflow's api and worker need on the schema
// as it is now, and no more: SELECT, INSERT, UPDATE and DELETE on every
// table but audit_log, SELECT and INSERT only on audit_log, and the use of
// the sequences. Run it as the schema's owner after migrating (`sowflow
// migrate up` does with SOWFLOW_APP_ROLE): a role that does not own
// audit_log cannot disable its append-only trigger either. It is safe to
// run again.
func GrantAppRole(ctx context.Context, pool *pgxpool.Pool, role string) error {
	if role == "" {
		return errors.New("grant app role: no role named")
	}
	r := pgx.Identifier{role}.Sanitize()
	tx, err := pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("grant app role %s: %w", role, err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	for _, stmt := range []string{
		`GRANT USAGE ON SCHEMA public TO ` + r,
		`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ` + r,
		`REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON audit_log FROM ` + r,
		`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ` + r,
	} {
		if _, err := tx.Exec(ctx, stmt); err != nil {
			return fmt.Errorf("grant app role %s: %w", role, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("grant app role %s: %w", role, err)
	}
	return nil
}
