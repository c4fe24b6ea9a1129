package store_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/puddle/v2"

	"github.com/sowflow/sowflow/store"
	"github.com/sowflow/sowflow/testenv"
)

func TestUnavailableClassifies(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"admin shutdown", &pgconn.PgError{Code: "57P01"}, true},
		{"crash shutdown", &pgconn.PgError{Code: "57P02"}, true},
		{"cannot connect now", &pgconn.PgError{Code: "57P03"}, true},
		{"connection failure", &pgconn.PgError{Code: "08006"}, true},
		{"wrapped", fmt.Errorf("read: %w", &pgconn.PgError{Code: "57P01"}), true},
		{"unexpected eof", fmt.Errorf("receive: %w", io.ErrUnexpectedEOF), true},
		{"conn closed", fmt.Errorf("query: %w", pgconn.ErrConnClosed), true},
		{"pool closed", fmt.Errorf("acquire: %w", puddle.ErrClosedPool), true},
		{"unique violation", &pgconn.PgError{Code: "23505"}, false},
		{"syntax error", &pgconn.PgError{Code: "42601"}, false},
		{"no rows", pgx.ErrNoRows, false},
		{"canceled", context.Canceled, false},
		{"other", errors.New("boom"), false},
		{"nil", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := store.Unavailable(tt.err); got != tt.want {
				t.Errorf("Unavailable(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}

// TestUnavailableTerminatedBackend terminates a connection's backend just
// before a query runs on it: the error that comes back is Unavailable.
func TestUnavailableTerminatedBackend(t *testing.T) {
	env := testenv.Get(t)
	ctx := t.Context()
	cfg, err := pgxpool.ParseConfig(env.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	var kill atomic.Bool
	cfg.PrepareConn = func(ctx context.Context, c *pgx.Conn) (bool, error) {
		if kill.Swap(false) {
			return true, TerminateBackend(ctx, env.Pool, c)
		}
		return true, nil
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if err := pool.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	kill.Store(true)
	_, err = pool.Exec(ctx, "SELECT 1")
	if err == nil {
		t.Fatal("the query on a terminated backend succeeded")
	}
	if !store.Unavailable(err) {
		t.Errorf("Unavailable(%v) = false", err)
	}
	pool.Close()
	_, err = pool.Exec(ctx, "SELECT 1")
	if !store.Unavailable(err) {
		t.Errorf("closed pool: Unavailable(%v) = false", err)
	}
}

// TerminateBackend ends c's server process through admin and waits until
// it has gone.
func TerminateBackend(ctx context.Context, admin *pgxpool.Pool, c *pgx.Conn) error {
	var ok bool
	if err := admin.QueryRow(ctx, "SELECT pg_terminate_backend($1, 5000)", c.PgConn().PID()).Scan(&ok); err != nil {
		return fmt.Errorf("terminate backend: %w", err)
	}
	if !ok {
		return errors.New("terminate backend: still running after 5 s")
	}
	return nil
}

// TestPruneIdempotency deletes the records older than the retention only.
func TestPruneIdempotency(t *testing.T) {
	env := testenv.Get(t)
	ctx := t.Context()
	st := store.New(env.Pool)
	for _, key := range []string{"prune-old", "prune-new"} {
		if _, _, err := st.BeginIdempotent(ctx, store.IdempotencyRequest{TokenID: "prune", Key: key, Method: "POST", Path: "/x", Hash: []byte{1}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := env.Pool.Exec(ctx, `UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE token_id = 'prune' AND key = 'prune-old'`); err != nil {
		t.Fatal(err)
	}
	n, err := st.PruneIdempotency(ctx, 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	rows, err := env.Pool.Query(ctx, `SELECT key FROM idempotency_keys WHERE token_id = 'prune'`)
	if err != nil {
		t.Fatal(err)
	}
	if keys, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
		t.Fatal(err)
	}
	if n != 1 || len(keys) != 1 || keys[0] != "prune-new" {
		t.Errorf("deleted %d, left %v", n, keys)
	}
}
