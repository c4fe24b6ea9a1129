// Package testenv is the harness every integration test package uses: one
// in-process Temporal server (temporaltest) and one fresh, migrated
// PostgreSQL database per test package, dropped when the package's tests end.
//
// A package opts in from its TestMain:
//
//	func TestMain(m *testing.M) { testenv.Main(m, testenv.Postgres(), testenv.Temporal()) }
//
// and a test reaches the shared parts with testenv.Get(t).
package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/server/temporaltest"

	"github.com/sowflow/sowflow/schema"
)

// AdminURLVariable names the environment variable holding a PostgreSQL URL
// with the right to create databases; tests create theirs through it.
const AdminURLVariable = "SOWFLOW_TEST_DATABASE_URL"

const defaultAdminURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// Env is what a test package shares.
type Env struct {
	// DatabaseURL connects to this package's own migrated database.
	DatabaseURL string
	// Pool is a pool on DatabaseURL.
	Pool *pgxpool.Pool
	// Temporal is the in-process Temporal server; nil unless requested.
	Temporal *temporaltest.TestServer
	// Namespace is the Temporal namespace the server created for the package.
	Namespace string
}

// Client returns the Temporal server's default client.
func (e *Env) Client() client.Client { return e.Temporal.GetDefaultClient() }

// Option selects what a test package needs.
type Option func(*settings)

type settings struct {
	postgres         bool
	temporal         bool
	searchAttributes map[string]enums.IndexedValueType
}

// Postgres gives the package a fresh, migrated database.
func Postgres() Option { return func(s *settings) { s.postgres = true } }

// Temporal gives the package an in-process Temporal server; the search
// attributes given are registered on its namespace.
func Temporal(searchAttributes map[string]enums.IndexedValueType) Option {
	return func(s *settings) {
		s.temporal = true
		s.searchAttributes = searchAttributes
	}
}

var shared *Env

// Get returns the package's environment; it fails the test when TestMain did
// not call Main.
func Get(tb testing.TB) *Env {
	tb.Helper()
	if shared == nil {
		tb.Fatal("testenv: TestMain must call testenv.Main")
	}
	return shared
}

// Main sets the environment up, runs the tests, tears everything down and
// exits with the tests' result.
func Main(m *testing.M, opts ...Option) {
	os.Exit(run(m, opts...))
}

func run(m *testing.M, opts ...Option) (code int) {
	var s settings
	for _, o := range opts {
		o(&s)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	env := &Env{}
	if s.postgres {
		drop, err := env.createDatabase(ctx)
		if err != nil {
			fmt.Fprintf(os.Stderr, "testenv: %v\n", err)
			return 1
		}
		defer func() {
			if err := drop(); err != nil {
				fmt.Fprintf(os.Stderr, "testenv: %v\n", err)
				code = 1
			}
		}()
	}
	if s.temporal {
		stop, err := env.startTemporal(ctx, s.searchAttributes)
		if err != nil {
			fmt.Fprintf(os.Stderr, "testenv: %v\n", err)
			return 1
		}
		defer stop()
	}
	shared = env
	return m.Run()
}

func adminURL() string {
	if admin := os.Getenv(AdminURLVariable); admin != "" {
		return admin
	}
	return defaultAdminURL
}

// EmptyDatabase creates another database, with no schema at all, for a test
// of migrations, and drops it when the test ends. It returns its URL.
func EmptyDatabase(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, adminURL())
	if err != nil {
		t.Fatalf("testenv: connect with %s: %v", AdminURLVariable, err)
	}
	defer conn.Close(ctx)
	name := databaseName()
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		t.Fatalf("testenv: create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		conn, err := pgx.Connect(ctx, adminURL())
		if err != nil {
			t.Errorf("testenv: connect to drop %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			t.Errorf("testenv: drop database %s: %v", name, err)
		}
	})
	return withDatabase(adminURL(), name)
}

func (e *Env) createDatabase(ctx context.Context) (drop func() error, err error) {
	admin := adminURL()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return nil, fmt.Errorf("connect to PostgreSQL with %s (is it running? .ci/run starts one): %w", AdminURLVariable, err)
	}
	defer conn.Close(ctx)
	name := databaseName()
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return nil, fmt.Errorf("create database %s: %w", name, err)
	}
	dropDB := func() error {
		if e.Pool != nil {
			e.Pool.Close()
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, admin)
		if err != nil {
			return fmt.Errorf("connect to drop %s: %w", name, err)
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			return fmt.Errorf("drop database %s: %w", name, err)
		}
		return nil
	}
	e.DatabaseURL = withDatabase(admin, name)
	if e.Pool, err = pgxpool.New(ctx, e.DatabaseURL); err != nil {
		return nil, errJoinDrop(err, dropDB)
	}
	m, err := schema.NewMigrator(e.Pool, slog.New(slog.DiscardHandler))
	if err != nil {
		return nil, errJoinDrop(err, dropDB)
	}
	defer m.Close()
	if _, err := m.Up(ctx); err != nil {
		return nil, errJoinDrop(err, dropDB)
	}
	return dropDB, nil
}

func errJoinDrop(err error, drop func() error) error {
	if derr := drop(); derr != nil {
		return fmt.Errorf("%w (and %v)", err, derr)
	}
	return err
}

func (e *Env) startTemporal(ctx context.Context, attrs map[string]enums.IndexedValueType) (stop func(), err error) {
	ts := temporaltest.NewServer()
	e.Temporal = ts
	e.Namespace = ts.GetDefaultNamespace()
	stop = func() {
		// temporaltest logs a shutdown error through its *testing.T, which a
		// package-level server has none of; such an error cannot fail tests
		// that already ran, so it is dropped.
		defer func() { _ = recover() }()
		ts.Stop()
	}
	if len(attrs) > 0 {
		_, err := ts.GetDefaultClient().OperatorService().AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{
			Namespace:        e.Namespace,
			SearchAttributes: attrs,
		})
		if err != nil {
			stop()
			return nil, fmt.Errorf("register search attributes: %w", err)
		}
	}
	return stop, nil
}

// databaseName makes a unique, recognisable name from the test binary.
func databaseName() string {
	pkg := strings.TrimSuffix(filepath.Base(os.Args[0]), ".test")
	pkg = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, strings.ToLower(pkg))
	var b [4]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("sowflow_test_%.20s_%s", pkg, hex.EncodeToString(b[:]))
}

// withDatabase points a URL or keyword/value connection string at database db.
func withDatabase(conn, db string) string {
	if u, err := url.Parse(conn); err == nil && u.Scheme != "" {
		u.Path = "/" + db
		return u.String()
	}
	return conn + " dbname=" + db
}
