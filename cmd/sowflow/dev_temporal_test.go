package main

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/sdk/client"

	"github.com/sowflow/sowflow/workflows"
)

// TestDevTemporalOnly runs `sowflow dev --temporal-only` in-process with a
// DATABASE_URL nothing listens on (it must not need PostgreSQL): it prints
// the embedded server's address and namespace, a client dialled from them
// finds the namespace with every search attribute the API and worker use,
// the server keeps its database under the data directory, and cancelling
// stops it with status 0.
func TestDevTemporalOnly(t *testing.T) {
	dataDir := t.TempDir()
	t.Setenv("DATABASE_URL", "postgres://nobody@127.0.0.1:1/none?connect_timeout=1")
	t.Setenv("SOWFLOW_DATA_DIR", dataDir)
	t.Setenv("SOWFLOW_HTTP_ADDR", "127.0.0.1:0")
	t.Setenv("SOWFLOW_TEMPORAL_PORT", "0")
	t.Setenv("SOWFLOW_UI_PORT", "-1")
	t.Setenv("SOWFLOW_LOG_LEVEL", "warn")
	t.Setenv("TEMPORAL_NAMESPACE", "scale-test")

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out, w := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"dev", "--temporal-only"}, w, io.Discard)
		w.Close()
	}()
	banner := readBanner(t, out)
	go io.Copy(io.Discard, out)
	if banner["TEMPORAL_NAMESPACE"] != "scale-test" || banner["TEMPORAL_ADDRESS"] == "" {
		t.Fatalf("banner %v", banner)
	}
	if _, ok := banner["API"]; ok {
		t.Errorf("the banner names an API: %v", banner)
	}

	tc, err := client.DialContext(ctx, client.Options{HostPort: banner["TEMPORAL_ADDRESS"], Namespace: banner["TEMPORAL_NAMESPACE"]})
	if err != nil {
		t.Fatalf("dial the printed address: %v", err)
	}
	defer tc.Close()
	attrs, err := tc.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: "scale-test"})
	if err != nil {
		t.Fatalf("list search attributes: %v", err)
	}
	for name, typ := range workflows.SearchAttributes() {
		if got, ok := attrs.GetCustomAttributes()[name]; !ok || got != typ {
			t.Errorf("search attribute %s: %v (registered %v), want %v", name, got, ok, typ)
		}
	}
	if matches, _ := filepath.Glob(filepath.Join(dataDir, "temporal.db*")); len(matches) == 0 {
		t.Error("no Temporal database file under the data directory")
	}

	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("dev --temporal-only exited %d after cancel", code)
		}
	case <-time.After(time.Minute):
		t.Fatal("dev --temporal-only did not stop within a minute of cancel")
	}
}

// TestDevTemporalOnlyRefusesDemo: the demo needs the API and worker that
// --temporal-only leaves out.
func TestDevTemporalOnlyRefusesDemo(t *testing.T) {
	t.Setenv("SOWFLOW_DATA_DIR", t.TempDir())
	var stderr bytes.Buffer
	if code := run(context.Background(), []string{"dev", "--temporal-only", "--demo"}, io.Discard, &stderr); code != 2 ||
		!strings.Contains(stderr.String(), "--temporal-only") {
		t.Fatalf("exit %d, stderr %q", code, stderr.String())
	}
}
