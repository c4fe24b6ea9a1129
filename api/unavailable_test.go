package api

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	sdkworker "go.temporal.io/sdk/worker"
	"google.golang.org/grpc"
	"google.golang.org/grpc/backoff"

	"github.com/sowflow/sowflow/calendar"
	"github.com/sowflow/sowflow/devserver"
	"github.com/sowflow/sowflow/store"
	"github.com/sowflow/sowflow/worker"
	"github.com/sowflow/sowflow/workflows"
)

// downTimeout bounds each request sent while Temporal is down: the SDK
// client retries an unreachable server until its context ends, and the API
// answers 503 then.
const downTimeout = time.Second

// TestTemporalUnavailable stops the Temporal server in the middle of a
// project: actions and starts are answered 503 with Retry-After and leave
// nothing behind; the read model still answers; once the server is back on
// the same database file and port, the same requests — same Idempotency-Keys
// — succeed and take effect exactly once.
func TestTemporalUnavailable(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and restarts a Temporal dev server")
	}
	f := newFixture(t)
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	quiet := slog.New(slog.DiscardHandler)

	// A file-backed server that can be stopped and started again: the
	// package's temporaltest server cannot.
	opts := devserver.Options{
		DBFile:           filepath.Join(t.TempDir(), "temporal.db"),
		FrontendPort:     devserver.PickFreePort,
		UIPort:           devserver.DisableUI,
		SearchAttributes: workflows.SearchAttributes(),
		Logger:           quiet,
	}
	srv, err := devserver.Start(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Stop() }) // whichever server runs by then
	addr := srv.FrontendAddress()
	_, port, _ := net.SplitHostPort(addr)
	if opts.FrontendPort, err = strconv.Atoi(port); err != nil {
		t.Fatal(err)
	}

	// The client connects lazily and reconnects on its own; its connection
	// backoff is capped low so that it notices the restart promptly.
	tc, err := client.NewLazyClient(client.Options{
		HostPort: addr, Namespace: devserver.DefaultNamespace, Logger: sdklog.NewStructuredLogger(quiet),
		ConnectionOptions: client.ConnectionOptions{DialOptions: []grpc.DialOption{grpc.WithConnectParams(grpc.ConnectParams{
			Backoff:           backoff.Config{BaseDelay: 100 * time.Millisecond, Multiplier: 1.6, Jitter: 0.2, MaxDelay: time.Second},
			MinConnectTimeout: 5 * time.Second,
		})}},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tc.Close)
	cals, err := store.NewCalendarSource(ctx, f.store, calendar.China())
	if err != nil {
		t.Fatal(err)
	}
	const taskQueue = "api-unavailable"
	w := sdkworker.New(tc, taskQueue, sdkworker.Options{})
	worker.Register(w, worker.Deps{Calendar: cals.Current, Store: f.store})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)
	f.temporal = tc
	// The API's errors go to the test's output: a 500 here names its cause.
	apiLog := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelError}))
	f.handler = New(Deps{Logger: apiLog, Store: f.store, Calendars: cals, Temporal: tc, TaskQueue: taskQueue, Ready: []Check{
		{Name: "postgresql", Probe: f.store.Ping},
		{Name: "temporal", Probe: func(ctx context.Context) error {
			_, err := tc.CheckHealth(ctx, &client.CheckHealthRequest{})
			return err
		}},
	}})

	sfx := unique(t)
	customerID := "ua-" + sfx
	id, later := "ua-"+sfx, "ua-later-"+sfx
	mgr := f.as(t, store.RoleManager)
	cust := f.asToken(t, f.customerToken(t, customerID))
	readyz := func(ctx context.Context) (*httptest.ResponseRecorder, map[string]string) {
		t.Helper()
		rec := f.send(request{method: http.MethodGet, path: "/readyz", ctx: ctx})
		var body struct {
			Checks map[string]string `json:"checks"`
		}
		decode(t, rec, &body)
		return rec, body.Checks
	}
	if rec, checks := readyz(ctx); rec.Code != http.StatusOK {
		t.Fatalf("readyz before the stop: %d %v", rec.Code, checks)
	}
	mgr.start(msStart(id, customerID))
	mgr.act(submissionPath(id, "kickoff-meeting-report"), document("kickoff"))

	// Temporal goes away.
	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	down := func() context.Context {
		ctx, cancel := context.WithTimeout(context.Background(), downTimeout)
		t.Cleanup(cancel)
		return ctx
	}
	wantUnavailable := func(rec *httptest.ResponseRecorder) {
		t.Helper()
		wantStatus(t, rec, http.StatusServiceUnavailable)
		if p := problemOf(t, rec); p.Type != ProblemUnavailable {
			t.Errorf("problem %+v", p)
		}
		if ra, err := strconv.Atoi(rec.Header().Get("Retry-After")); err != nil || ra < 1 {
			t.Errorf("Retry-After %q", rec.Header().Get("Retry-After"))
		}
	}
	decideKey, startKey := "decide-"+sfx, "start-"+sfx
	decision := request{method: http.MethodPost, path: decisionPath(id, "kickoff-meeting-report"), token: cust.token, body: jsonBody(t, accept), key: decideKey}
	start := request{method: http.MethodPost, path: "/v1/projects", token: mgr.token, body: jsonBody(t, msStart(later, customerID)), key: startKey}

	r := decision
	r.ctx = down()
	wantUnavailable(f.send(r))
	r = start
	r.ctx = down()
	wantUnavailable(f.send(r))
	wantUnavailable(f.send(request{method: http.MethodGet, path: projectPath(id), token: cust.token, ctx: down()}))
	rec, checks := readyz(down())
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" || checks["postgresql"] != "ok" || checks["temporal"] == "ok" {
		t.Errorf("readyz while Temporal is down: %d %v", rec.Code, checks)
	}
	// The read model still answers.
	if items, _ := cust.list(url.Values{}); len(items) != 1 || items[0].ID != id || items[0].Status != "active" {
		t.Errorf("list while Temporal is down: %+v", items)
	}
	if events := cust.events(id, 10); len(events) != 2 {
		t.Errorf("%d events while Temporal is down, want 2", len(events))
	}

	// Temporal comes back on the same file and port; the client finds it.
	// (The first Cleanup stops this one: it reads srv when it runs, after
	// the worker has stopped.)
	srv, err = devserver.Start(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	if srv.FrontendAddress() != addr {
		t.Fatalf("restarted on %s, not %s", srv.FrontendAddress(), addr)
	}

	// The same requests, with the same keys: they run now (the 503s were not
	// kept), once.
	r = decision
	r.ctx = ctx
	first := f.send(r)
	wantStatus(t, first, http.StatusOK)
	if first.Header().Get(replayedHeader) != "" {
		t.Error("the retry after the outage replayed the 503")
	}
	wantReplay(t, first, f.send(r))
	r = start
	r.ctx = ctx
	wantStatus(t, f.send(r), http.StatusCreated)
	if rec, checks := readyz(ctx); rec.Code != http.StatusOK {
		t.Errorf("readyz after the restart: %d %v", rec.Code, checks)
	}

	st := cust.state(id)
	kickoff := st.Deliverables[0]
	if kickoff.Status != workflows.DeliverableAccepted || len(kickoff.Rounds[0].Submissions) != 1 || st.Seq != 3 {
		t.Errorf("after the outage: kickoff %s with %d submissions, seq %d", kickoff.Status, len(kickoff.Rounds[0].Submissions), st.Seq)
	}
	var types []string
	for _, e := range cust.events(id, 10) {
		types = append(types, e.Type)
	}
	if want := []string{"project-started", "deliverable-submitted", "deliverable-accepted"}; !slices.Equal(types, want) {
		t.Errorf("events %v, want %v", types, want)
	}
	if st := cust.state(later); st.Status != workflows.StatusActive || st.StartRequestID == "" {
		t.Errorf("project started after the outage: %+v", st)
	}
	// The project carries on as usual.
	mgr.act(advancePath(id, "kickoff"), nil)
}
