package store_test

import (
	"context"
	"crypto/rand"
	"errors"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/sowflow/sowflow/store"
	"github.com/sowflow/sowflow/testenv"
)

// TestGrantAppRole applies the app role's grants to the migrated database
// and acts as that role: it reads and appends to audit_log and changes
// other tables, but cannot update, delete or truncate audit_log, nor
// disable its trigger.
func TestGrantAppRole(t *testing.T) {
	env := testenv.Get(t)
	ctx := t.Context()
	role := "sowflow_app_" + strings.ToLower(rand.Text()[:10])
	ident := pgx.Identifier{role}.Sanitize()
	if _, err := env.Pool.Exec(ctx, `CREATE ROLE `+ident+` NOLOGIN`); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx := context.Background()
		_, _ = env.Pool.Exec(ctx, `DROP OWNED BY `+ident)
		_, _ = env.Pool.Exec(ctx, `DROP ROLE `+ident)
	})
	if err := store.GrantAppRole(ctx, env.Pool, role); err != nil {
		t.Fatal(err)
	}
	if err := store.GrantAppRole(ctx, env.Pool, role); err != nil {
		t.Fatalf("second run: %v", err)
	}
	// Each statement runs as the role in its own transaction, rolled back.
	as := func(sql string) error {
		tx, err := env.Pool.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = tx.Rollback(ctx) }()
		if _, err := tx.Exec(ctx, `SET LOCAL ROLE `+ident); err != nil {
			t.Fatal(err)
		}
		_, err = tx.Exec(ctx, sql)
		return err
	}
	allowed := []string{
		`SELECT count(*) FROM audit_log`,
		`INSERT INTO audit_log (chain, seq, occurred_at, action, prev_hash, hash) VALUES ('grant-test', 1, now(), 'x', decode(repeat('00', 32), 'hex'), decode(repeat('00', 32), 'hex'))`,
		`INSERT INTO idempotency_keys (token_id, key, method, path, request_hash, state) VALUES ('t', 'k', 'POST', '/', '\x01', 'running')`,
		`UPDATE idempotency_keys SET state = 'done' WHERE false`,
		`DELETE FROM idempotency_keys WHERE false`,
		`SELECT version_id FROM goose_db_version LIMIT 1`,
	}
	for _, sql := range allowed {
		if err := as(sql); err != nil {
			t.Errorf("%s: %v", sql, err)
		}
	}
	refused := []string{
		`UPDATE audit_log SET action = 'changed' WHERE false`,
		`DELETE FROM audit_log WHERE false`,
		`TRUNCATE audit_log`,
		`ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only`,
		`DROP TABLE audit_log`,
	}
	for _, sql := range refused {
		err := as(sql)
		var pgErr *pgconn.PgError
		// 42501 insufficient_privilege from the privilege check itself
		// ("permission denied", "must be owner"), not from the trigger.
		if !errors.As(err, &pgErr) || pgErr.Code != "42501" || strings.Contains(pgErr.Message, "append-only") {
			t.Errorf("%s as the app role: %v, want permission denied", sql, err)
		}
	}
}
