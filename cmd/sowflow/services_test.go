package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sowflow/sowflow/testenv"
)

func TestBadConfigurationNamesTheVariable(t *testing.T) {
	tests := []struct {
		name    string
		command string
		env     map[string]string
		want    []string
	}{
		{"api with an http temporal address", "api", map[string]string{"DATABASE_URL": "postgres://x@127.0.0.1/db", "TEMPORAL_ADDRESS": "http://temporal:7233"}, []string{"TEMPORAL_ADDRESS", `unknown scheme "http"`}},
		{"worker with a malformed database url", "worker", map[string]string{"DATABASE_URL": "postgres://x@127.0.0.1:port/db"}, []string{"DATABASE_URL", "malformed"}},
		{"api without a database", "api", map[string]string{"DATABASE_URL": ""}, []string{"DATABASE_URL: is required"}},
		{"migrate with a mysql url", "migrate", map[string]string{"DATABASE_URL": "mysql://x@h/db"}, []string{"DATABASE_URL", "unknown scheme"}},
		{"dev with a bad log level", "dev", map[string]string{"SOWFLOW_LOG_LEVEL": "chatty"}, []string{"SOWFLOW_LOG_LEVEL"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			args := []string{tt.command}
			if tt.command == "migrate" {
				args = append(args, "status")
			}
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), args, &stdout, &stderr)
			if code == 0 {
				t.Fatalf("exit 0 with bad configuration; stderr %q", stderr.String())
			}
			for _, want := range tt.want {
				if !strings.Contains(stderr.String(), want) {
					t.Errorf("stderr %q does not mention %q", stderr.String(), want)
				}
			}
		})
	}
}

func TestHelpOnEveryCommand(t *testing.T) {
	for _, c := range commands() {
		t.Run(c.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run(context.Background(), []string{c.name, "--help"}, &stdout, &stderr); code != 0 {
				t.Fatalf("exit %d; stderr %q", code, stderr.String())
			}
			if !strings.Contains(strings.ToLower(stdout.String()), "usage") {
				t.Errorf("--help printed no usage: %q", stdout.String())
			}
		})
	}
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"frobnicate"}, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), "unknown command") {
		t.Errorf("unknown command: exit %d, stderr %q", code, stderr.String())
	}
}

func TestMigrateAndRefuseOutdatedSchema(t *testing.T) {
	t.Setenv("DATABASE_URL", testenv.EmptyDatabase(t))
	t.Setenv("SOWFLOW_AUTO_MIGRATE", "false")
	t.Setenv("TEMPORAL_ADDRESS", "127.0.0.1:1")
	ctx := context.Background()
	steps := []struct {
		args     []string
		wantCode int
		want     string
	}{
		{[]string{"migrate", "status"}, 1, "pending"},
		{[]string{"worker"}, 1, "schema is older than this binary needs: database is at version 0"},
		{[]string{"migrate", "up"}, 0, "schema at version"},
		{[]string{"migrate", "status"}, 0, "applied"},
		{[]string{"migrate", "up"}, 0, "applied 0 migration(s)"},
	}
	for _, s := range steps {
		var stdout, stderr bytes.Buffer
		code := run(ctx, s.args, &stdout, &stderr)
		out := stdout.String() + stderr.String()
		if code != s.wantCode || !strings.Contains(out, s.want) {
			t.Fatalf("%v: exit %d, output %q; want exit %d and %q", s.args, code, out, s.wantCode, s.want)
		}
	}
}

func TestTokenCommand(t *testing.T) {
	t.Setenv("DATABASE_URL", testenv.Get(t).DatabaseURL)
	ctx := context.Background()
	sh := func(args ...string) (int, string, string) {
		var stdout, stderr bytes.Buffer
		code := run(ctx, append([]string{"token"}, args...), &stdout, &stderr)
		return code, stdout.String(), stderr.String()
	}
	if code, _, stderr := sh("create", "--role", "customer", "--name", "acme portal"); code != 2 || !strings.Contains(stderr, "customer") {
		t.Fatalf("customer token without --customer: exit %d, %q", code, stderr)
	}
	if code, _, stderr := sh("create", "--role", "root", "--name", "x"); code != 2 || !strings.Contains(stderr, "role") {
		t.Fatalf("unknown role: exit %d, %q", code, stderr)
	}
	code, secret, _ := sh("create", "--role", "customer", "--customer", "acme", "--name", "acme portal")
	if code != 0 || !strings.HasPrefix(secret, "sow_") {
		t.Fatalf("create: exit %d, %q", code, secret)
	}
	code, list, _ := sh("list")
	if code != 0 || !strings.Contains(list, "acme portal") || !strings.Contains(list, "customer") {
		t.Fatalf("list: exit %d, %q", code, list)
	}
	id := strings.SplitN(strings.TrimPrefix(strings.TrimSpace(secret), "sow_"), "_", 2)[0]
	if code, out, stderr := sh("revoke", id); code != 0 || !strings.Contains(out, "revoked") {
		t.Fatalf("revoke: exit %d, %q %q", code, out, stderr)
	}
	if code, _, stderr := sh("revoke", "nope"); code != 1 || !strings.Contains(stderr, "not found") {
		t.Fatalf("revoke unknown: exit %d, %q", code, stderr)
	}
}

// TestDevServesAndRestarts runs `sowflow dev` in-process on free ports: it
// must answer /readyz with 200 and the printed tokens must work; a second
// start on the same data directory comes up again without new tokens.
func TestDevServesAndRestarts(t *testing.T) {
	dataDir := t.TempDir()
	t.Setenv("DATABASE_URL", testenv.EmptyDatabase(t))
	t.Setenv("SOWFLOW_DATA_DIR", dataDir)
	t.Setenv("SOWFLOW_HTTP_ADDR", "127.0.0.1:0")
	t.Setenv("SOWFLOW_TEMPORAL_PORT", "0")
	t.Setenv("SOWFLOW_UI_PORT", "-1")
	t.Setenv("SOWFLOW_LOG_LEVEL", "warn")

	for start := 1; start <= 2; start++ {
		ctx, cancel := context.WithCancel(context.Background())
		out, w := io.Pipe()
		done := make(chan int, 1)
		go func() {
			done <- run(ctx, []string{"dev"}, w, io.Discard)
			w.Close()
		}()
		banner := readBanner(t, out)
		go io.Copy(io.Discard, out)

		apiURL := banner["API"]
		if apiURL == "" {
			cancel()
			t.Fatalf("start %d: no API URL in the banner %v", start, banner)
		}
		if got := get(t, apiURL+"/readyz", ""); got != http.StatusOK {
			t.Errorf("start %d: /readyz = %d", start, got)
		}
		if start == 1 {
			if banner["manager"] == "" || banner["customer"] == "" {
				t.Errorf("first start printed no tokens: %v", banner)
			}
			if got := get(t, apiURL+"/v1/me", banner["manager"]); got != http.StatusOK {
				t.Errorf("/v1/me with the printed manager token = %d", got)
			}
		} else if banner["manager"] != "" {
			t.Error("second start printed new tokens")
		}
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Fatalf("start %d: dev exited %d after cancel", start, code)
			}
		case <-time.After(time.Minute):
			t.Fatalf("start %d: dev did not stop within a minute of cancel", start)
		}
	}
	if matches, _ := filepath.Glob(filepath.Join(dataDir, "temporal.db*")); len(matches) == 0 {
		t.Error("no Temporal database file under the data directory")
	}
}

// readBanner reads the dev banner up to "Press Ctrl-C" and returns its
// labelled values: "API" → URL and each role → token.
func readBanner(t *testing.T, r io.Reader) map[string]string {
	t.Helper()
	out := map[string]string{}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "Press Ctrl-C") {
			return out
		}
		fields := strings.Fields(line)
		if len(fields) >= 2 && strings.HasPrefix(line, "  ") {
			out[fields[0]] = fields[1]
		}
	}
	t.Fatalf("dev stopped before printing its banner: %v", sc.Err())
	return nil
}

func get(t *testing.T, url, token string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestMigrateGrantsTheAppRole: `migrate up` with SOWFLOW_APP_ROLE leaves
// that role able to read and append to audit_log and change the other
// tables, and nothing more on audit_log.
func TestMigrateGrantsTheAppRole(t *testing.T) {
	dbURL := testenv.EmptyDatabase(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	role := "sowflow_app_" + strings.ToLower(rand.Text()[:10])
	ident := pgx.Identifier{role}.Sanitize()
	if _, err := conn.Exec(ctx, "CREATE ROLE "+ident+" NOLOGIN"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), dbURL)
		if err != nil {
			return
		}
		defer c.Close(context.Background())
		_, _ = c.Exec(context.Background(), "DROP OWNED BY "+ident)
		_, _ = c.Exec(context.Background(), "DROP ROLE "+ident)
	})
	t.Setenv("DATABASE_URL", dbURL)
	t.Setenv("SOWFLOW_APP_ROLE", role)
	var stdout, stderr bytes.Buffer
	if code := run(ctx, []string{"migrate", "up"}, &stdout, &stderr); code != 0 {
		t.Fatalf("migrate up: exit %d: %s%s", code, stdout.String(), stderr.String())
	}
	for _, tt := range []struct {
		table, privilege string
		want             bool
	}{
		{"audit_log", "SELECT", true}, {"audit_log", "INSERT", true},
		{"audit_log", "UPDATE", false}, {"audit_log", "DELETE", false}, {"audit_log", "TRUNCATE", false}, {"audit_log", "TRIGGER", false},
		{"idempotency_keys", "UPDATE", true}, {"idempotency_keys", "DELETE", true}, {"projects", "INSERT", true},
	} {
		var got bool
		if err := conn.QueryRow(ctx, "SELECT has_table_privilege($1, $2, $3)", role, tt.table, tt.privilege).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != tt.want {
			t.Errorf("%s on %s: %v, want %v", tt.privilege, tt.table, got, tt.want)
		}
	}
}
