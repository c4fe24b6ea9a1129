package localpg

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// traversableTempDir returns a temporary directory the postgres user can enter.
func traversableTempDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "localpg-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

func TestPrivateClusterLifecycle(t *testing.T) {
	if _, err := findBinDir(context.Background()); err != nil {
		t.Skipf("no PostgreSQL binaries on this machine: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	dir := filepath.Join(traversableTempDir(t), "pg")
	port := freePort(t)

	c, err := Start(ctx, Options{Dir: dir, Port: port})
	if err != nil {
		t.Fatalf("first start: %v", err)
	}
	t.Cleanup(func() { _ = c.Stop(context.Background()) })
	if err := EnsureDatabase(ctx, c.URL("postgres"), Database); err != nil {
		t.Fatalf("create database: %v", err)
	}
	if err := EnsureDatabase(ctx, c.URL("postgres"), Database); err != nil {
		t.Fatalf("second EnsureDatabase must be a no-op: %v", err)
	}
	conn, err := pgx.Connect(ctx, c.URL(Database))
	if err != nil {
		t.Fatalf("connect to sowflow database: %v", err)
	}
	if _, err := conn.Exec(ctx, "CREATE TABLE kept (v int); INSERT INTO kept VALUES (42)"); err != nil {
		t.Fatal(err)
	}
	conn.Close(ctx)

	// A second Start while it runs (sowflow dev killed and restarted) reuses it.
	again, err := Start(ctx, Options{Dir: dir, Port: port})
	if err != nil {
		t.Fatalf("start while running: %v", err)
	}
	if again.started {
		t.Fatal("second start launched a second server")
	}

	if err := c.Stop(ctx); err != nil {
		t.Fatalf("stop: %v", err)
	}
	if _, err := pgx.Connect(ctx, c.URL(Database)); err == nil || !isConnectionRefused(err) {
		t.Fatalf("server still answers after stop (err %v)", err)
	}

	// Starting again on the same directory keeps the data.
	c2, err := Start(ctx, Options{Dir: dir, Port: port})
	if err != nil {
		t.Fatalf("restart: %v", err)
	}
	t.Cleanup(func() { _ = c2.Stop(context.Background()) })
	conn, err = pgx.Connect(ctx, c2.URL(Database))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var v int
	if err := conn.QueryRow(ctx, "SELECT v FROM kept").Scan(&v); err != nil || v != 42 {
		t.Fatalf("data after restart: v=%d err=%v", v, err)
	}
}

func TestStartWithoutBinariesSaysHowToGetOne(t *testing.T) {
	_, err := Start(context.Background(), Options{Dir: t.TempDir(), Port: freePort(t), BinDir: t.TempDir()})
	if err == nil {
		t.Fatal("start with an empty bin dir succeeded")
	}
	if !strings.Contains(err.Error(), "initdb") {
		t.Errorf("error does not name the missing program: %v", err)
	}
}

func TestErrNoPostgresIsOneSentence(t *testing.T) {
	msg := ErrNoPostgres.Error()
	if strings.Count(msg, "\n") != 0 || !strings.Contains(msg, "DATABASE_URL") || !strings.Contains(msg, "install PostgreSQL") {
		t.Errorf("unhelpful message: %q", msg)
	}
}
