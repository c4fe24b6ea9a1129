package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

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
	st        *store.Store
	// run tells this run's projects from those of earlier runs in the
	// process (-count), which share the Temporal server and database.
	run string
	seq int
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
	ab.taskQueue, ab.st = taskQueue, st
	ab.handler = New(Deps{Store: st, Calendars: cals, Temporal: ab.temporal, TaskQueue: taskQueue})
	return ab
}

// post sends one request with a fresh Idempotency-Key and fails the
// benchmark unless it answers want.
func (ab *acceptBench) post(path, token string, body any, want int) {
	ab.seq++
	raw, err := json.Marshal(body)
	if err != nil {
		ab.b.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(raw))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(idempotencyHeader, fmt.Sprintf("bench-%d", ab.seq))
	rec := httptest.NewRecorder()
	ab.handler.ServeHTTP(rec, req)
	if rec.Code != want {
		ab.b.Fatalf("POST %s: status %d, want %d: %s", path, rec.Code, want, rec.Body)
	}
}

// submittedProject starts a Managed Services project and submits its first
// deliverable, through the API as the manager: afterwards the deliverable
// awaits the customer's decision and the read model holds the project.
func (ab *acceptBench) submittedProject() string {
	ab.seq++
	id := fmt.Sprintf("bench-%s-%d", ab.run, ab.seq)
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
	ab.seq++
	ctx := context.Background()
	handle, err := ab.temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		UpdateID:   fmt.Sprintf("bench-sdk-%d", ab.seq),
		WorkflowID: workflows.ProjectWorkflowID(id),
		UpdateName: workflows.UpdateDecideDeliverable,
		Args: []any{workflows.DecideDeliverable{
			ActionMeta:  workflows.ActionMeta{Actor: ab.actor, RequestID: fmt.Sprintf("bench-sdk-%d", ab.seq)},
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
// authentication, idempotency record, read-model visibility check, the
// Update, its JSON answer) and of the same Update sent directly with the
// Temporal SDK, against the same in-process Temporal server, worker and
// PostgreSQL. It reports api-ns/op, sdk-ns/op and their ratio api/sdk; the
// built-in ns/op is the two together.
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

	var apiTotal, sdkTotal time.Duration
	i := 0
	for b.Loop() {
		b.StopTimer()
		viaAPI, viaSDK := ab.submittedProject(), ab.submittedProject()
		b.StartTimer()
		api := func() {
			start := time.Now()
			ab.acceptAPI(viaAPI)
			apiTotal += time.Since(start)
		}
		sdk := func() {
			start := time.Now()
			ab.acceptSDK(viaSDK)
			sdkTotal += time.Since(start)
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
	apiNs := float64(apiTotal.Nanoseconds()) / float64(b.N)
	sdkNs := float64(sdkTotal.Nanoseconds()) / float64(b.N)
	b.ReportMetric(apiNs, "api-ns/op")
	b.ReportMetric(sdkNs, "sdk-ns/op")
	b.ReportMetric(apiNs/sdkNs, "api/sdk")
	// Where the API's extra time goes: its PostgreSQL round trips, timed
	// alone against the same database.
	auth, idem, owner := ab.pgRoundTrips(20)
	b.ReportMetric(float64(auth.Nanoseconds()), "pg-auth-ns/op")
	b.ReportMetric(float64(idem.Nanoseconds()), "pg-idempotency-ns/op")
	b.ReportMetric(float64(owner.Nanoseconds()), "pg-owner-ns/op")
}

// pgRoundTrips times, over n rounds, the PostgreSQL work the API does
// around an accept's Update: authenticating the bearer token, claiming the
// Idempotency-Key and storing the answer, and finding the project's owner.
func (ab *acceptBench) pgRoundTrips(n int) (auth, idem, owner time.Duration) {
	ctx := context.Background()
	p, err := ab.st.Authenticate(ctx, ab.customer)
	if err != nil {
		ab.b.Fatal(err)
	}
	id := ab.submittedProject()
	for i := range n {
		start := time.Now()
		if _, err := ab.st.Authenticate(ctx, ab.customer); err != nil {
			ab.b.Fatal(err)
		}
		auth += time.Since(start)
		start = time.Now()
		req := store.IdempotencyRequest{TokenID: p.TokenID, Key: fmt.Sprintf("bench-pg-%s-%d", ab.run, i), Method: http.MethodPost,
			Path: "/v1/projects/" + id + "/deliverables/" + benchDeliverable + "/decision", Hash: []byte("0123456789abcdef0123456789abcdef")}
		if _, _, err := ab.st.BeginIdempotent(ctx, req); err != nil {
			ab.b.Fatal(err)
		}
		if err := ab.st.FinishIdempotent(ctx, req, store.StoredResponse{Status: http.StatusOK, ContentType: "application/json", Body: []byte(`{"seq":3,"events":[]}`)}); err != nil {
			ab.b.Fatal(err)
		}
		idem += time.Since(start)
		start = time.Now()
		if _, err := ab.st.OwnerOf(ctx, store.OwnerProject, id, p.CustomerID); err != nil {
			ab.b.Fatal(err)
		}
		owner += time.Since(start)
	}
	d := time.Duration(n)
	return auth / d, idem / d, owner / d
}

// startAPI starts a Managed Services project through the HTTP API as the
// manager: the owner claim, the start and the state the answer carries.
func (ab *acceptBench) startAPI(id string) {
	ab.post("/v1/projects", ab.manager, map[string]any{
		"project_id": id, "customer_id": ab.actor.CustomerID, "package": "managed-services",
		"dates": map[string]string{"contract_signing": "2026-11-02T10:00:00+08:00"},
	}, http.StatusCreated)
}

// startSDK starts the same workflow with the same input and search
// attributes with the SDK; withState also reads its state, as the API's
// answer does.
func (ab *acceptBench) startSDK(id string, in workflows.ProjectInput, withState bool) {
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
		ab.b.Fatalf("start %s with the SDK: %v", id, err)
	}
	if !withState {
		return
	}
	v, err := ab.temporal.QueryWorkflow(ctx, workflows.ProjectWorkflowID(id), "", workflows.QueryProjectState)
	var st workflows.ProjectState
	if err == nil {
		err = v.Get(&st)
	}
	if err != nil {
		ab.b.Fatalf("state of %s: %v", id, err)
	}
}

// BenchmarkStartProject measures, in one run, starting a Managed Services
// project through the HTTP API (authentication, idempotency record, owner
// claim, the start, the state query its answer carries, JSON) against the
// same start sent with the SDK, bare (sdk-ns/op) and followed by the same
// state query (sdk-state-ns/op), on the same server, worker and database.
// starts/s of the API over the SDK's is sdk-ns/op over api-ns/op
// (api-starts/sdk-starts), and the same against the SDK with the state
// read (api-starts/sdk-state-starts).
func BenchmarkStartProject(b *testing.B) {
	ab := newAcceptBench(b)
	p, err := catalog.Default().Plan("managed-services", catalog.Options{})
	if err != nil {
		b.Fatal(err)
	}
	signed := time.Date(2026, 11, 2, 10, 0, 0, 0, calendar.Zone())
	in := workflows.ProjectInput{CustomerID: ab.actor.CustomerID, Plan: p.Workflow(),
		Dates: workflows.ContractDates{ContractSigning: signed}, StartedBy: workflows.Actor{Subject: "bench-manager", Role: workflows.RoleManager}}
	next := func() string {
		ab.seq++
		return fmt.Sprintf("bench-start-%s-%d", ab.run, ab.seq)
	}
	ab.startAPI(next())
	ab.startSDK(next(), in, true)
	var apiTotal, sdkTotal, sdkStateTotal time.Duration
	for b.Loop() {
		for _, path := range []func(){
			func() { id := next(); start := time.Now(); ab.startAPI(id); apiTotal += time.Since(start) },
			func() { id := next(); start := time.Now(); ab.startSDK(id, in, false); sdkTotal += time.Since(start) },
			func() {
				id := next()
				start := time.Now()
				ab.startSDK(id, in, true)
				sdkStateTotal += time.Since(start)
			},
		} {
			path()
		}
	}
	n := float64(b.N)
	apiNs, sdkNs, sdkStateNs := float64(apiTotal.Nanoseconds())/n, float64(sdkTotal.Nanoseconds())/n, float64(sdkStateTotal.Nanoseconds())/n
	b.ReportMetric(apiNs, "api-ns/op")
	b.ReportMetric(sdkNs, "sdk-ns/op")
	b.ReportMetric(sdkStateNs, "sdk-state-ns/op")
	b.ReportMetric(sdkNs/apiNs, "api-starts/sdk-starts")
	b.ReportMetric(sdkStateNs/apiNs, "api-starts/sdk-state-starts")
}
