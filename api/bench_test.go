package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/sowflow/sowflow/calendar"
	"github.com/sowflow/sowflow/catalog"
	"github.com/sowflow/sowflow/store"
	"github.com/sowflow/sowflow/testenv"
	"github.com/sowflow/sowflow/worker"
	"github.com/sowflow/sowflow/workflows"
)

// benchDeliverable is the deliverable every benchmark project submits and
// accepts: the first of Managed Services, open as soon as the project starts.
const benchDeliverable = "kickoff-meeting-report"

// acceptBench is the API, a worker and the tokens BenchmarkAcceptDeliverable
// drives, on the package's PostgreSQL database and in-process Temporal server.
type acceptBench struct {
	b        *testing.B
	handler  http.Handler
	temporal client.Client
	manager  string // bearer token
	customer string // bearer token
	actor    workflows.Actor
	// taskQueue is the one the bench's worker polls.
	taskQueue string
	// steps times the API's PostgreSQL statements.
	steps *stepTracer
	// run tells this run's projects from those of earlier runs in the
	// process (-count), which share the Temporal server and database.
	run string
	seq atomic.Int64
}

func newAcceptBench(b *testing.B) *acceptBench {
	b.Helper()
	env := testenv.Get(b)
	ctx := context.Background()
	st := store.New(env.Pool)
	cals, err := store.NewCalendarSource(ctx, st, calendar.China())
	if err != nil {
		b.Fatal(err)
	}
	ab := &acceptBench{b: b, temporal: env.Client(), run: strconv.FormatInt(time.Now().UnixNano(), 36)}
	const customerID = "bench-customer"
	for _, spec := range []store.TokenSpec{
		{Name: "bench manager", Role: store.RoleManager, CreatedBy: "bench"},
		{Name: "bench customer", Role: store.RoleCustomer, CustomerID: customerID, CreatedBy: "bench"},
	} {
		_, secret, err := st.CreateToken(ctx, spec)
		if err != nil {
			b.Fatal(err)
		}
		if spec.Role == store.RoleManager {
			ab.manager = secret
			continue
		}
		ab.customer = secret
		p, err := st.Authenticate(ctx, secret)
		if err != nil {
			b.Fatal(err)
		}
		// The actor the API would record for this token: the SDK path sends
		// the same one, so the workflow does the same work for both.
		ab.actor = workflows.Actor{Subject: p.Subject(), Role: workflows.RoleCustomer, CustomerID: p.CustomerID}
	}
	taskQueue := "api-bench-" + b.Name()
	w := env.Temporal.NewWorker(taskQueue, func(r sdkworker.Registry) {
		worker.Register(r, worker.Deps{Calendar: cals.Current, Store: st})
	})
	b.Cleanup(w.Stop)
	ab.taskQueue = taskQueue
	// The API has a pool of its own, traced, so that the benchmark can
	// time its PostgreSQL steps apart from the worker's.
	cfg := env.Pool.Config().Copy()
	ab.steps = &stepTracer{}
	cfg.ConnConfig.Tracer = ab.steps
	// A start holds a connection while Temporal starts the workflow (the
	// owner claim's transaction, store.Claim): the pool has the size
	// store.Open gives an API process by default, above
	// BenchmarkStartProject's 8 clients.
	cfg.MaxConns = store.DefaultPoolMaxConns
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(pool.Close)
	ab.handler = New(Deps{Store: store.New(pool), Calendars: cals, Temporal: ab.temporal, TaskQueue: taskQueue})
	return ab
}

// post sends one request with a fresh Idempotency-Key and fails the
// benchmark unless it answers want.
func (ab *acceptBench) post(path, token string, body any, want int) {
	if err := ab.send(path, token, body, want, nil); err != nil {
		ab.b.Fatal(err)
	}
}

// send sends one request with a fresh Idempotency-Key and the headers hdr,
// and says why unless it answers want. Any goroutine may call it.
func (ab *acceptBench) send(path, token string, body any, want int, hdr http.Header) error {
	raw, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(raw))
	for name, values := range hdr {
		req.Header[name] = values
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(idempotencyHeader, fmt.Sprintf("bench-%s-%d", ab.run, ab.next()))
	rec := httptest.NewRecorder()
	ab.handler.ServeHTTP(rec, req)
	if rec.Code != want {
		return fmt.Errorf("POST %s: status %d, want %d: %s", path, rec.Code, want, rec.Body)
	}
	return nil
}

// next numbers keys and projects; any goroutine may call it.
func (ab *acceptBench) next() int64 { return ab.seq.Add(1) }

// submittedProject starts a Managed Services project and submits its first
// deliverable, through the API as the manager: afterwards the deliverable
// awaits the customer's decision and the read model holds the project.
func (ab *acceptBench) submittedProject() string {
	id := fmt.Sprintf("bench-%s-%d", ab.run, ab.next())
	ab.post("/v1/projects", ab.manager, map[string]any{
		"project_id": id, "customer_id": ab.actor.CustomerID, "package": "managed-services",
		"dates": map[string]string{"contract_signing": "2026-11-02T10:00:00+08:00"},
	}, http.StatusCreated)
	ab.post("/v1/projects/"+id+"/deliverables/"+benchDeliverable+"/submissions", ab.manager, map[string]any{
		"title": "Kickoff Meeting Report", "uri": "https://docs.example.com/" + id + "/kickoff.pdf",
		"sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
	}, http.StatusOK)
	return id
}

// acceptAPI accepts the deliverable through the HTTP API as the customer.
func (ab *acceptBench) acceptAPI(id string) {
	ab.post("/v1/projects/"+id+"/deliverables/"+benchDeliverable+"/decision", ab.customer,
		map[string]string{"decision": "accept"}, http.StatusOK)
}

// acceptSDK sends the same Update straight to the workflow with the SDK and
// waits for its result, as the API's act does.
func (ab *acceptBench) acceptSDK(id string) {
	seq := ab.next()
	ctx := context.Background()
	handle, err := ab.temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		UpdateID:   fmt.Sprintf("bench-sdk-%s-%d", ab.run, seq),
		WorkflowID: workflows.ProjectWorkflowID(id),
		UpdateName: workflows.UpdateDecideDeliverable,
		Args: []any{workflows.DecideDeliverable{
			ActionMeta:  workflows.ActionMeta{Actor: ab.actor, RequestID: fmt.Sprintf("bench-sdk-%d", seq)},
			Deliverable: benchDeliverable,
			Decision:    workflows.DecisionAccept,
		}},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	var res workflows.ActionResult
	if err == nil {
		err = handle.Get(ctx, &res)
	}
	if err != nil {
		ab.b.Fatalf("accept %s with the SDK: %v", id, err)
	}
	if len(res.Events) == 0 {
		ab.b.Fatalf("accept %s with the SDK recorded no event", id)
	}
}

// BenchmarkAcceptDeliverable measures, in one run, the latency of a
// customer accepting a submitted deliverable through the HTTP API (bearer
// authentication, idempotency record, the owner check, the Update, its JSON
// answer) and of the same Update sent directly with the Temporal SDK,
// against the same in-process Temporal server, worker and PostgreSQL. It
// reports api-ns/op, sdk-ns/op and their ratio api/sdk, the same of the
// medians (api-p50-ns, sdk-p50-ns, api/sdk-p50: on a machine shared with
// other work a few accepts that waited for the CPU move the means), and
// where the API's extra time goes: each PostgreSQL step as it ran inside
// the timed requests (pg-auth, pg-claim, pg-owner, pg-answer, pg-other
// ns/op, traced on the API's own pool) and the rest (api minus sdk minus
// the PostgreSQL steps: HTTP, gin, JSON and waiting for the CPU). The
// built-in ns/op is the two accepts together.
//
// An accept needs a deliverable awaiting a decision, and an accepted
// deliverable cannot be decided again, so each iteration first prepares,
// with the timer stopped, two fresh projects whose first deliverable is
// submitted: one for each path. Every timed accept therefore meets the same
// state, a workflow with the same short history, and neither path pays for
// history the other grew. The two paths alternate which goes first, so that
// any drift over the run (a growing database, a warming cache) falls on both.
func BenchmarkAcceptDeliverable(b *testing.B) {
	ab := newAcceptBench(b)
	// Warm both paths up (connections, worker caches, prepared statements).
	ab.acceptAPI(ab.submittedProject())
	ab.acceptSDK(ab.submittedProject())

	var apiTimes, sdkTimes []time.Duration
	i := 0
	for b.Loop() {
		b.StopTimer()
		viaAPI, viaSDK := ab.submittedProject(), ab.submittedProject()
		b.StartTimer()
		api := func() {
			ab.steps.on.Store(true)
			start := time.Now()
			ab.acceptAPI(viaAPI)
			apiTimes = append(apiTimes, time.Since(start))
			ab.steps.on.Store(false)
		}
		sdk := func() {
			start := time.Now()
			ab.acceptSDK(viaSDK)
			sdkTimes = append(sdkTimes, time.Since(start))
		}
		if i%2 == 0 {
			api()
			sdk()
		} else {
			sdk()
			api()
		}
		i++
	}
	n := float64(b.N)
	apiNs, sdkNs := float64(sum(apiTimes).Nanoseconds())/n, float64(sum(sdkTimes).Nanoseconds())/n
	b.ReportMetric(apiNs, "api-ns/op")
	b.ReportMetric(sdkNs, "sdk-ns/op")
	b.ReportMetric(apiNs/sdkNs, "api/sdk")
	apiP50, sdkP50 := median(apiTimes), median(sdkTimes)
	b.ReportMetric(float64(apiP50.Nanoseconds()), "api-p50-ns")
	b.ReportMetric(float64(sdkP50.Nanoseconds()), "sdk-p50-ns")
	b.ReportMetric(float64(apiP50)/float64(sdkP50), "api/sdk-p50")
	pg := 0.0
	for _, step := range []string{stepAuth, stepClaim, stepOwner, stepTx, stepAnswer, stepOther} {
		ns := float64(ab.steps.total(step).Nanoseconds()) / n
		pg += ns
		b.ReportMetric(ns, "pg-"+step+"-ns/op")
	}
	b.ReportMetric(apiNs-sdkNs-pg, "rest-ns/op")
}

// sum is the sum of ds.
func sum(ds []time.Duration) time.Duration {
	var t time.Duration
	for _, d := range ds {
		t += d
	}
	return t
}

// median is the median of ds (0 for none).
func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// The PostgreSQL steps of an accept through the API, as stepTracer names
// them.
const (
	// stepAuth authenticates the bearer token.
	stepAuth = "auth"
	// stepClaim claims the Idempotency-Key (store.BeginIdempotent).
	stepClaim = "claim"
	// stepOwner finds the project's owner row (the customer's access) or,
	// for a start, claims it.
	stepOwner = "owner"
	// stepAnswer stores the answer for retries (store.FinishIdempotent).
	stepAnswer = "answer"
	// stepTx ends a start's owner claim (store.Claim), whose transaction
	// holds the owner row while Temporal starts the workflow: its commit
	// (its begin goes in the owner step's batch).
	stepTx = "tx"
	// stepOther is any other statement (none is expected).
	stepOther = "other"
)

// stepTracer times the statements and batches of the API's pool while on
// is set, adding each one's time, from sending it to its last result, to
// the step its SQL belongs to.
type stepTracer struct {
	on     atomic.Bool
	mu     sync.Mutex
	totals map[string]time.Duration
}

// tracedStep is what a statement or batch being traced carries on its
// context: when it started and, as its SQL is seen, its step.
type tracedStep struct {
	start time.Time
	step  string
}

type tracedStepKey struct{}

// stepOf names the step of the statement sql.
func stepOf(sql string) string {
	switch {
	case strings.Contains(sql, "FROM api_tokens"):
		return stepAuth
	case strings.Contains(sql, "INSERT INTO idempotency_keys"):
		return stepClaim
	case strings.Contains(sql, "FROM owners"), strings.Contains(sql, "INTO owners"):
		return stepOwner
	case sql == "begin", sql == "commit", sql == "COMMIT", sql == "ROLLBACK":
		return stepTx
	case strings.Contains(sql, "UPDATE idempotency_keys SET state = 'done'"):
		return stepAnswer
	}
	return stepOther
}

func (t *stepTracer) begin(ctx context.Context, step string) context.Context {
	if !t.on.Load() {
		return ctx
	}
	return context.WithValue(ctx, tracedStepKey{}, &tracedStep{start: time.Now(), step: step})
}

func (t *stepTracer) end(ctx context.Context) {
	ts, ok := ctx.Value(tracedStepKey{}).(*tracedStep)
	if !ok {
		return
	}
	d := time.Since(ts.start)
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.totals == nil {
		t.totals = map[string]time.Duration{}
	}
	t.totals[ts.step] += d
}

// total is the time traced for step.
func (t *stepTracer) total(step string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.totals[step]
}

// TraceQueryStart implements pgx.QueryTracer.
func (t *stepTracer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	return t.begin(ctx, stepOf(data.SQL))
}

// TraceQueryEnd implements pgx.QueryTracer.
func (t *stepTracer) TraceQueryEnd(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryEndData) {
	t.end(ctx)
}

// TraceBatchStart implements pgx.BatchTracer: a batch is the step of the
// first statement in it that belongs to one.
func (t *stepTracer) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	return t.begin(ctx, stepOther)
}

// TraceBatchQuery implements pgx.BatchTracer.
func (t *stepTracer) TraceBatchQuery(ctx context.Context, _ *pgx.Conn, data pgx.TraceBatchQueryData) {
	if ts, ok := ctx.Value(tracedStepKey{}).(*tracedStep); ok && ts.step == stepOther {
		ts.step = stepOf(data.SQL)
	}
}

// TraceBatchEnd implements pgx.BatchTracer.
func (t *stepTracer) TraceBatchEnd(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchEndData) {
	t.end(ctx)
}

// startBody is the body of POST /v1/projects for the project id.
func (ab *acceptBench) startBody(id string) map[string]any {
	return map[string]any{
		"project_id": id, "customer_id": ab.actor.CustomerID, "package": "managed-services",
		"dates": map[string]string{"contract_signing": "2026-11-02T10:00:00+08:00"},
	}
}

// startAPI starts a Managed Services project through the HTTP API as the
// manager: the owner claim, the start and, unless minimal (Prefer:
// return=minimal), the state the answer carries. Any goroutine may call it.
func (ab *acceptBench) startAPI(id string, minimal bool) error {
	var hdr http.Header
	if minimal {
		hdr = http.Header{"Prefer": {"return=minimal"}}
	}
	return ab.send("/v1/projects", ab.manager, ab.startBody(id), http.StatusCreated, hdr)
}

// startSDK starts the same workflow with the same input and search
// attributes with the SDK; withState also reads its state, as the API's
// full answer does (and, like it, goes on without the state when the
// query fails). Any goroutine may call it.
func (ab *acceptBench) startSDK(id string, in workflows.ProjectInput, withState bool) error {
	ctx := context.Background()
	in.ProjectID = id
	in.RequestID = "bench-sdk-" + id
	_, err := ab.temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: workflows.ProjectWorkflowID(id), TaskQueue: ab.taskQueue,
		WorkflowIDReusePolicy:                    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowIDConflictPolicy:                 enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
		WorkflowExecutionErrorWhenAlreadyStarted: true,
		TypedSearchAttributes: temporal.NewSearchAttributes(workflows.AttrCustomer.ValueSet(in.CustomerID),
			workflows.AttrPackage.ValueSet("managed-services"), workflows.AttrStatus.ValueSet(string(workflows.StatusActive))),
	}, workflows.ProjectWorkflowName, in)
	if err != nil {
		return fmt.Errorf("start %s with the SDK: %w", id, err)
	}
	if !withState {
		return nil
	}
	// The state, as the API's answer reads it: a start whose state cannot
	// be read in time is answered without it there, and counts here too.
	v, err := ab.temporal.QueryWorkflow(ctx, workflows.ProjectWorkflowID(id), "", workflows.QueryProjectState)
	var st workflows.ProjectState
	if err == nil {
		_ = v.Get(&st)
	}
	return nil
}

// startPaths are the four ways BenchmarkStartProject starts a project,
// each named by the metric prefix it reports under.
func (ab *acceptBench) startPaths(b *testing.B) []startPath {
	p, err := catalog.Default().Plan("managed-services", catalog.Options{})
	if err != nil {
		b.Fatal(err)
	}
	signed := time.Date(2026, 11, 2, 10, 0, 0, 0, calendar.Zone())
	in := workflows.ProjectInput{CustomerID: ab.actor.CustomerID, Plan: p.Workflow(),
		Dates: workflows.ContractDates{ContractSigning: signed}, StartedBy: workflows.Actor{Subject: "bench-manager", Role: workflows.RoleManager}}
	return []startPath{
		{"api", func(id string) error { return ab.startAPI(id, false) }},
		{"api-minimal", func(id string) error { return ab.startAPI(id, true) }},
		{"sdk", func(id string) error { return ab.startSDK(id, in, false) }},
		{"sdk-state", func(id string) error { return ab.startSDK(id, in, true) }},
	}
}

// startPath is one way of starting a project.
type startPath struct {
	name  string
	start func(id string) error
}

// BenchmarkStartProject measures, in one run on the same server, worker and
// database, how many Managed Services projects per second 8 clients start
// at once, each starting one project after another, in four ways:
//
//   - api: through the HTTP API (authentication, idempotency record, owner
//     claim, the start, the state query its answer carries, JSON);
//   - api-minimal: the same with Prefer: return=minimal, whose answer
//     carries the IDs and not the state;
//   - sdk: the same start sent with the SDK, bare;
//   - sdk-state: the SDK's start followed by the same state query.
//
// Each iteration runs a round of every way in turn (rotating which goes
// first, so drift falls on all): 8 clients, 4 starts each. It reports each
// way's starts/s and ns/op (the mean latency of one start) and the ratios
// of the target: api-minimal/sdk (starts/s of the minimal API over
// the bare SDK start) and api/sdk-state (the API with the state over the
// SDK start that reads it).
func BenchmarkStartProject(b *testing.B) {
	const clients, perClient = 8, 4
	ab := newAcceptBench(b)
	paths := ab.startPaths(b)
	id := func() string { return fmt.Sprintf("bench-start-%s-%d", ab.run, ab.next()) }
	for _, p := range paths { // warm up
		if err := p.start(id()); err != nil {
			b.Fatal(err)
		}
	}
	wall := make([]time.Duration, len(paths))    // wall-clock time of the rounds
	latency := make([]time.Duration, len(paths)) // sum of the starts' latencies
	var latencyMu sync.Mutex
	round := 0
	for b.Loop() {
		for k := range paths {
			i := (k + round) % len(paths)
			ab.steps.on.Store(paths[i].name == "api-minimal")
			errs := make(chan error, clients)
			var wg sync.WaitGroup
			start := time.Now()
			for range clients {
				wg.Go(func() {
					var sum time.Duration
					for range perClient {
						t0 := time.Now()
						if err := paths[i].start(id()); err != nil {
							errs <- err
							return
						}
						sum += time.Since(t0)
					}
					latencyMu.Lock()
					latency[i] += sum
					latencyMu.Unlock()
				})
			}
			wg.Wait()
			wall[i] += time.Since(start)
			ab.steps.on.Store(false)
			close(errs)
			if err := <-errs; err != nil {
				b.Fatal(err)
			}
		}
		round++
	}
	starts := float64(b.N * clients * perClient)
	rate := make(map[string]float64, len(paths))
	for i, p := range paths {
		rate[p.name] = starts / wall[i].Seconds()
		b.ReportMetric(rate[p.name], p.name+"-starts/s")
		b.ReportMetric(float64(latency[i].Nanoseconds())/starts, p.name+"-ns/op")
	}
	b.ReportMetric(rate["api-minimal"]/rate["sdk"], "api-minimal/sdk")
	// The PostgreSQL steps of a minimal start, summed over its statements.
	for _, step := range []string{stepAuth, stepClaim, stepOwner, stepTx, stepAnswer, stepOther} {
		b.ReportMetric(float64(ab.steps.total(step).Nanoseconds())/starts, "api-minimal-pg-"+step+"-ns/op")
	}
	b.ReportMetric(rate["api"]/rate["sdk-state"], "api/sdk-state")
}
