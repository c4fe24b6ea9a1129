// Package schema holds sowflow's PostgreSQL migrations, embedded in the binary,
// and applies them with goose under a session lock so that several processes
// starting at once migrate exactly once.
package schema

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed migrations/*.sql
var migrations embed.FS

// ErrOutdated reports a database schema older than this binary needs.
var ErrOutdated = errors.New("database schema is older than this binary needs")

// Status is where a database stands against the embedded migrations.
type Status struct {
	// Current is the newest applied migration version (0 for an empty database).
	Current int64 `json:"current"`
	// Required is the newest embedded migration version.
	Required int64 `json:"required"`
	// Migrations lists every embedded migration and whether it is applied.
	Migrations []Migration `json:"migrations"`
}

// Migration is one embedded migration's state.
type Migration struct {
	Version int64  `json:"version"`
	Name    string `json:"name"`
	Applied bool   `json:"applied"`
}

// Migrator applies and inspects the embedded migrations on one database.
type Migrator struct {
	db       *sql.DB
	provider *goose.Provider
}

// NewMigrator prepares a migrator over the pool's database. Close releases it.
func NewMigrator(pool *pgxpool.Pool, logger *slog.Logger) (*Migrator, error) {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, fmt.Errorf("open embedded migrations: %w", err)
	}
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return nil, fmt.Errorf("create migration lock: %w", err)
	}
	db := stdlib.OpenDBFromPool(pool)
	opts := []goose.ProviderOption{goose.WithSessionLocker(locker)}
	if logger != nil {
		opts = append(opts, goose.WithSlog(logger))
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, sub, opts...)
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("create migration provider: %w", err)
	}
	return &Migrator{db: db, provider: p}, nil
}

// Close releases the migrator's database handle (not the pool).
func (m *Migrator) Close() error { return m.db.Close() }

// Up applies every pending migration and returns the versions applied.
func (m *Migrator) Up(ctx context.Context) ([]int64, error) {
	results, err := m.provider.Up(ctx)
	if err != nil {
		return nil, fmt.Errorf("apply migrations: %w", err)
	}
	applied := make([]int64, 0, len(results))
	for _, r := range results {
		applied = append(applied, r.Source.Version)
	}
	return applied, nil
}

// Status reports the applied and required versions.
func (m *Migrator) Status(ctx context.Context) (Status, error) {
	st, err := m.provider.Status(ctx)
	if err != nil {
		return Status{}, fmt.Errorf("read migration status: %w", err)
	}
	out := Status{Required: m.Required()}
	for _, s := range st {
		applied := s.State == goose.StateApplied
		if applied && s.Source.Version > out.Current {
			out.Current = s.Source.Version
		}
		out.Migrations = append(out.Migrations, Migration{Version: s.Source.Version, Name: s.Source.Path, Applied: applied})
	}
	return out, nil
}

// Ensure brings the database to the schema this binary needs: it migrates when
// migrate is true and otherwise refuses, with ErrOutdated naming both versions.
func (m *Migrator) Ensure(ctx context.Context, migrate bool) error {
	if migrate {
		_, err := m.Up(ctx)
		return err
	}
	st, err := m.Status(ctx)
	if err != nil {
		return err
	}
	for _, mig := range st.Migrations {
		if !mig.Applied {
			return fmt.Errorf("%w: database is at version %d, this binary needs %d (migration %s is not applied); run `sowflow migrate up` or set SOWFLOW_AUTO_MIGRATE=true",
				ErrOutdated, st.Current, st.Required, mig.Name)
		}
	}
	return nil
}

// Required returns the newest embedded migration version.
func (m *Migrator) Required() int64 {
	var v int64
	for _, src := range m.provider.ListSources() {
		v = max(v, src.Version)
	}
	return v
}
