package devserver

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	enums "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"go.temporal.io/server/common/log/tag"
)

const (
	testTaskQueue     = "devserver-test"
	sleepWorkflowName = "devserver-test-sleep"
	echoWorkflowName  = "devserver-test-echo"

	// helperDBEnv tells TestHelperProcess, run in a child process, which database to use.
	helperDBEnv = "SOWFLOW_DEVSERVER_HELPER_DB"
	// helperReady starts the line the helper prints once its workflow's timer is durable.
	helperReady = "DEVSERVER-HELPER-READY"
)

// sleepWorkflow waits on one long durable timer.
func sleepWorkflow(ctx workflow.Context, d time.Duration) error {
	return workflow.Sleep(ctx, d)
}

// echoWorkflow completes in its first workflow task.
func echoWorkflow(_ workflow.Context, s string) (string, error) {
	return s, nil
}

func registerTestWorkflows(r worker.Registry) {
	r.RegisterWorkflowWithOptions(sleepWorkflow, workflow.RegisterOptions{Name: sleepWorkflowName})
	r.RegisterWorkflowWithOptions(echoWorkflow, workflow.RegisterOptions{Name: echoWorkflowName})
}

// testLogger shows only warnings and errors, on stderr: the server logs from goroutines
// that can outlive a test, where t.Log would panic.
func testLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

func testContext(t testing.TB) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// startTest starts a server on dbFile with free ports and no UI unless opts says otherwise,
// and stops it when the test ends.
func startTest(ctx context.Context, t testing.TB, opts Options) *Server {
	t.Helper()
	if opts.UIPort == 0 {
		opts.UIPort = DisableUI
	}
	if opts.Logger == nil {
		opts.Logger = testLogger()
	}
	s, err := Start(ctx, opts)
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Stop(); err != nil {
			t.Errorf("stop: %v", err)
		}
	})
	return s
}

func dial(ctx context.Context, t testing.TB, s *Server, namespace string) client.Client {
	t.Helper()
	c, err := client.DialContext(ctx, client.Options{
		HostPort:  s.FrontendAddress(),
		Namespace: namespace,
		Logger:    sdklog.NewStructuredLogger(testLogger()),
	})
	if err != nil {
		t.Fatalf("dial %s: %v", s.FrontendAddress(), err)
	}
	t.Cleanup(c.Close)
	return c
}

// startTimerWorkflow starts sleepWorkflow with a one-year timer and returns once the
// server has recorded the TimerStarted event, with a worker running until then.
func startTimerWorkflow(ctx context.Context, t testing.TB, c client.Client, id string) (runID string) {
	t.Helper()
	w := worker.New(c, testTaskQueue, worker.Options{})
	registerTestWorkflows(w)
	if err := w.Start(); err != nil {
		t.Fatalf("start worker: %v", err)
	}
	defer w.Stop()

	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: testTaskQueue}, sleepWorkflowName, 365*24*time.Hour)
	if err != nil {
		t.Fatalf("start workflow: %v", err)
	}
	// A long poll on the history returns each event as the server records it.
	it := c.GetWorkflowHistory(ctx, id, run.GetRunID(), true, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatalf("read history: %v", err)
		}
		if ev.GetEventType() == enums.EVENT_TYPE_TIMER_STARTED {
			return run.GetRunID()
		}
	}
	t.Fatalf("workflow %s closed without starting its timer", id)
	return ""
}

// requireWaitingOnTimer checks that the workflow is running and its timer is still pending.
func requireWaitingOnTimer(ctx context.Context, t testing.TB, c client.Client, id, runID string) {
	t.Helper()
	desc, err := c.DescribeWorkflowExecution(ctx, id, runID)
	if err != nil {
		t.Fatalf("describe %s: %v", id, err)
	}
	if got := desc.GetWorkflowExecutionInfo().GetStatus(); got != enums.WORKFLOW_EXECUTION_STATUS_RUNNING {
		t.Fatalf("workflow %s status = %s, want RUNNING", id, got)
	}
	var timerStarted, timerFired bool
	it := c.GetWorkflowHistory(ctx, id, runID, false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatalf("read history: %v", err)
		}
		timerStarted = timerStarted || ev.GetEventType() == enums.EVENT_TYPE_TIMER_STARTED
		timerFired = timerFired || ev.GetEventType() == enums.EVENT_TYPE_TIMER_FIRED
	}
	if !timerStarted || timerFired {
		t.Fatalf("workflow %s: timer started %v, fired %v; want a pending timer", id, timerStarted, timerFired)
	}
}

func TestRestartKeepsRunningWorkflow(t *testing.T) {
	ctx := testContext(t)
	db := filepath.Join(t.TempDir(), "data", "temporal.db") // data/ does not exist yet

	first := startTest(ctx, t, Options{DBFile: db})
	c := dial(ctx, t, first, DefaultNamespace)
	runID := startTimerWorkflow(ctx, t, c, "project/restart")
	if err := first.Stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}

	second := startTest(ctx, t, Options{DBFile: db})
	requireWaitingOnTimer(ctx, t, dial(ctx, t, second, DefaultNamespace), "project/restart", runID)
}

// TestHelperProcess is the child of TestRestartAfterSIGKILL: it starts a server on the
// database named by helperDBEnv, starts a workflow, prints helperReady and waits to be
// killed. Run directly, it skips.
func TestHelperProcess(t *testing.T) {
	db := os.Getenv(helperDBEnv)
	if db == "" {
		t.Skip("run by TestRestartAfterSIGKILL only")
	}
	ctx := testContext(t)
	s := startTest(ctx, t, Options{DBFile: db})
	c := dial(ctx, t, s, DefaultNamespace)
	runID := startTimerWorkflow(ctx, t, c, "project/killed")
	if _, err := os.Stdout.WriteString(helperReady + " " + runID + "\n"); err != nil {
		t.Fatalf("write ready line: %v", err)
	}
	// Wait for SIGKILL. If the parent dies first, stdin reaches EOF and the child ends.
	_, _ = io.Copy(io.Discard, os.Stdin)
}

func TestRestartAfterSIGKILL(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("needs SIGKILL")
	}
	ctx := testContext(t)
	db := filepath.Join(t.TempDir(), "data", "temporal.db")

	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestHelperProcess$", "-test.v=false")
	cmd.Env = append(os.Environ(), helperDBEnv+"="+db)
	var stderr lockedBuffer
	cmd.Stderr = &stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start helper: %v", err)
	}

	var runID string
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), helperReady+" "); ok {
			runID = rest
			break
		}
	}
	if runID == "" {
		_ = cmd.Wait()
		t.Fatalf("helper ended without a ready line; stderr:\n%s", stderr.String())
	}

	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatalf("kill helper: %v", err)
	}
	err = cmd.Wait()
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) || exitErr.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("helper wait = %v, want killed by SIGKILL", err)
	}

	s := startTest(ctx, t, Options{DBFile: db})
	requireWaitingOnTimer(ctx, t, dial(ctx, t, s, DefaultNamespace), "project/killed", runID)
}

func TestNamespaceAndSearchAttributes(t *testing.T) {
	ctx := testContext(t)
	db := filepath.Join(t.TempDir(), "temporal.db")
	const ns = "sowflow"
	attrs := map[string]enums.IndexedValueType{
		"SowflowCustomer":     enums.INDEXED_VALUE_TYPE_KEYWORD,
		"SowflowNextDeadline": enums.INDEXED_VALUE_TYPE_DATETIME,
	}

	check := func(t *testing.T, s *Server, want map[string]enums.IndexedValueType) {
		t.Helper()
		c := dial(ctx, t, s, ns)
		desc, err := c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: ns})
		if err != nil {
			t.Fatalf("describe namespace: %v", err)
		}
		if got := desc.GetConfig().GetWorkflowExecutionRetentionTtl().AsDuration(); got != NamespaceRetention {
			t.Errorf("retention = %v, want %v", got, NamespaceRetention)
		}
		list, err := c.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: ns})
		if err != nil {
			t.Fatalf("list search attributes: %v", err)
		}
		for name, typ := range want {
			if got, ok := list.GetCustomAttributes()[name]; !ok || got != typ {
				t.Errorf("search attribute %s = %v (present %v), want %v", name, got, ok, typ)
			}
		}
	}

	t.Run("first start creates them", func(t *testing.T) {
		s := startTest(ctx, t, Options{DBFile: db, Namespace: ns, SearchAttributes: attrs})
		check(t, s, attrs)

		// A started workflow can carry them: the frontend knows them already.
		c := dial(ctx, t, s, ns)
		_, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
			ID:        "project/with-attributes",
			TaskQueue: testTaskQueue,
			TypedSearchAttributes: temporal.NewSearchAttributes(
				temporal.NewSearchAttributeKeyKeyword("SowflowCustomer").ValueSet("acme"),
			),
		}, echoWorkflowName, "x")
		if err != nil {
			t.Fatalf("start workflow with search attributes: %v", err)
		}

		if _, err := Start(ctx, Options{DBFile: db, Namespace: ns, UIPort: DisableUI, Logger: testLogger()}); err == nil || !strings.Contains(err.Error(), "in use") {
			t.Errorf("second server on the same file: err = %v, want in use", err)
		}
		if err := s.Stop(); err != nil {
			t.Fatalf("stop: %v", err)
		}
		if err := s.Stop(); err != nil {
			t.Fatalf("second stop: %v", err)
		}
	})

	t.Run("restart adds new ones", func(t *testing.T) {
		more := map[string]enums.IndexedValueType{"SowflowPhase": enums.INDEXED_VALUE_TYPE_KEYWORD}
		for k, v := range attrs {
			more[k] = v
		}
		s := startTest(ctx, t, Options{DBFile: db, Namespace: ns, SearchAttributes: more})
		check(t, s, more)
		_, err := dial(ctx, t, s, ns).ExecuteWorkflow(ctx, client.StartWorkflowOptions{
			ID:        "project/with-new-attribute",
			TaskQueue: testTaskQueue,
			TypedSearchAttributes: temporal.NewSearchAttributes(
				temporal.NewSearchAttributeKeyKeyword("SowflowPhase").ValueSet("initiation"),
			),
		}, echoWorkflowName, "x")
		if err != nil {
			t.Fatalf("start workflow with the added search attribute: %v", err)
		}
	})

	t.Run("type conflict is an error", func(t *testing.T) {
		_, err := Start(ctx, Options{
			DBFile: db, Namespace: ns, UIPort: DisableUI, Logger: testLogger(),
			SearchAttributes: map[string]enums.IndexedValueType{"SowflowPhase": enums.INDEXED_VALUE_TYPE_INT},
		})
		if err == nil || !strings.Contains(err.Error(), "SowflowPhase") {
			t.Fatalf("err = %v, want a conflict on SowflowPhase", err)
		}
		// The failed start released everything: the file can be used again.
		startTest(ctx, t, Options{DBFile: db, Namespace: ns})
	})
}

func TestWebUI(t *testing.T) {
	ctx := testContext(t)
	s := startTest(ctx, t, Options{DBFile: filepath.Join(t.TempDir(), "temporal.db"), UIPort: PickFreePort})
	if s.UIURL() == "" {
		t.Fatal("UIURL is empty with the UI enabled")
	}
	for _, path := range []string{"/", "/namespaces/default/workflows"} {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.UIURL()+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !bytes.Contains(bytes.ToLower(body), []byte("<html")) {
			t.Errorf("GET %s = %s, %d bytes; want 200 and an HTML page", path, resp.Status, len(body))
		}
	}
}

func TestUIDisabled(t *testing.T) {
	ctx := testContext(t)
	s := startTest(ctx, t, Options{DBFile: filepath.Join(t.TempDir(), "temporal.db"), UIPort: DisableUI})
	if s.UIURL() != "" {
		t.Errorf("UIURL = %q with the UI disabled, want empty", s.UIURL())
	}
}

func TestOptionErrors(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{"no file", Options{}, "DBFile is required"},
		{"bad IP", Options{DBFile: "x.db", IP: "localhost:1"}, "not an IP address"},
		{"bad frontend port", Options{DBFile: "x.db", FrontendPort: 70000}, "frontend port 70000"},
		{"bad UI port", Options{DBFile: "x.db", UIPort: -7}, "web UI port -7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Start(t.Context(), tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestServerLoggerLevel(t *testing.T) {
	var buf bytes.Buffer
	gate := &logGate{}
	l := newServerLogger(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})), slog.LevelWarn, gate)
	gate.starting()
	l.Warn("hidden while starting")
	gate.running()
	l.Info("hidden below warn")
	l.With(tag.NewStringTag("shard", "1")).Warn("shown", tag.NewStringTag("key", "value"))
	gate.stopped()
	l.Error("hidden once stopped")
	out := buf.String()
	if strings.Contains(out, "hidden") {
		t.Errorf("a record passed the filter: %s", out)
	}
	for _, want := range []string{"level=WARN", "msg=shown", "component=temporal", "shard=1", "key=value"} {
		if !strings.Contains(out, want) {
			t.Errorf("output %q lacks %q", out, want)
		}
	}
}

// lockedBuffer is a bytes.Buffer safe for the exec package's copying goroutine.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
