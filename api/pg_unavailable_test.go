package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sowflow/sowflow/calendar"
	"github.com/sowflow/sowflow/store"
	"github.com/sowflow/sowflow/testenv"
)

// TestPostgresGoingAway terminates the backend of the connection a request
// is about to use (pg_terminate_backend, as a stopping server does): at
// authentication, at the idempotency record and at the read model, the
// answer is 503 with Retry-After, never 500.
func TestPostgresGoingAway(t *testing.T) {
	env := testenv.Get(t)
	ctx := t.Context()
	cfg, err := pgxpool.ParseConfig(env.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	// killAt counts down the connections acquired; the one that brings it
	// to zero loses its backend just before its query runs.
	var killAt atomic.Int32
	cfg.PrepareConn = func(ctx context.Context, c *pgx.Conn) (bool, error) {
		if killAt.Add(-1) == 0 {
			return true, terminateBackend(ctx, env.Pool, c)
		}
		return true, nil
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	st := store.New(pool)
	cals, err := store.NewCalendarSource(ctx, store.New(env.Pool), calendar.China())
	if err != nil {
		t.Fatal(err)
	}
	_, manager, err := store.New(env.Pool).CreateToken(ctx, store.TokenSpec{Name: "pg going away", Role: store.RoleManager, CreatedBy: "test"})
	if err != nil {
		t.Fatal(err)
	}
	h := New(Deps{Store: st, Calendars: cals, TaskQueue: "unused"})

	tests := []struct {
		name         string
		method, path string
		body         string
		killAt       int32
	}{
		{"authentication", http.MethodGet, "/v1/me", "", 1},
		{"idempotency record", http.MethodPost, "/v1/projects", `{}`, 2},
		{"read model", http.MethodGet, "/v1/projects", "", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for i := range 3 {
				killAt.Store(tt.killAt)
				req := httptest.NewRequest(tt.method, tt.path, strings.NewReader(tt.body))
				req.Header.Set("Authorization", "Bearer "+manager)
				if tt.method != http.MethodGet {
					req.Header.Set("Idempotency-Key", fmt.Sprintf("pg-away-%s-%d", tt.name, i))
				}
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if killAt.Load() > 0 {
					t.Fatalf("try %d: only %d connections acquired", i, tt.killAt-killAt.Load())
				}
				if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
					t.Errorf("try %d: status %d, Retry-After %q: %s", i, rec.Code, rec.Header().Get("Retry-After"), rec.Body)
				}
			}
		})
	}
}

// terminateBackend ends c's server process through admin and waits until
// it has gone.
func terminateBackend(ctx context.Context, admin *pgxpool.Pool, c *pgx.Conn) error {
	var ok bool
	if err := admin.QueryRow(ctx, "SELECT pg_terminate_backend($1, 5000)", c.PgConn().PID()).Scan(&ok); err != nil {
		return fmt.Errorf("terminate backend: %w", err)
	}
	if !ok {
		return errors.New("terminate backend: still running after 5 s")
	}
	return nil
}
