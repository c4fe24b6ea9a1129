package load_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	sdkworker "go.temporal.io/sdk/worker"

	"github.com/sowflow/sowflow/api"
	"github.com/sowflow/sowflow/calendar"
	"github.com/sowflow/sowflow/load"
	"github.com/sowflow/sowflow/store"
	"github.com/sowflow/sowflow/testenv"
	"github.com/sowflow/sowflow/worker"
	"github.com/sowflow/sowflow/workflows"
)

func TestMain(m *testing.M) {
	testenv.Main(m, testenv.Postgres(), testenv.Temporal(workflows.SearchAttributes()))
}

// deployment is an API served over HTTP and a worker on the package's
// Temporal server and database, with a manager and a customer token.
type deployment struct {
	url       string
	taskQueue string
	tokens    map[load.Party]string
	customer  string
}

func newDeployment(t *testing.T) *deployment {
	t.Helper()
	env := testenv.Get(t)
	ctx := context.Background()
	st := store.New(env.Pool)
	cals, err := store.NewCalendarSource(ctx, st, calendar.China())
	if err != nil {
		t.Fatal(err)
	}
	d := &deployment{taskQueue: "load-" + t.Name(), tokens: map[load.Party]string{}, customer: "load-cust"}
	for _, spec := range []store.TokenSpec{
		{Name: "load manager", Role: store.RoleManager, CreatedBy: "test"},
		{Name: "load customer", Role: store.RoleCustomer, CustomerID: d.customer, CreatedBy: "test"},
	} {
		_, secret, err := st.CreateToken(ctx, spec)
		if err != nil {
			t.Fatal(err)
		}
		d.tokens[load.Party(spec.Role)] = secret
	}
	w := env.Temporal.NewWorker(d.taskQueue, func(r sdkworker.Registry) {
		worker.Register(r, worker.Deps{Calendar: cals.Current, Store: st})
	})
	t.Cleanup(w.Stop)
	srv := httptest.NewServer(api.New(api.Deps{Store: st, Calendars: cals, Temporal: env.Client(), TaskQueue: d.taskQueue}))
	t.Cleanup(srv.Close)
	d.url = srv.URL
	return d
}

// wantRows are the actions one scenario of each kind performs, per
// project package, service and SLA month.
func wantCounts(projects, services, slas int) map[string]int {
	// managed-services: 5 phases with one report each, the last
	// rejected once; dingtalk-enterprise-base: its own count (checked
	// only as at least one per phase below).
	return map[string]int{
		"project.start":            projects,
		"project.final-acceptance": projects,
		"deliverable.reject":       projects,
		"service.start":            services,
		"ticket.open":              2 * services,
		"ticket.respond":           2 * services,
		"ticket.resolve":           2 * services,
		"ticket.close":             2 * services,
		"sla.start":                slas,
		"sla.outage":               2 * slas,
	}
}

// TestRunThroughAPI runs a small mix through the HTTP API: every scenario
// completes, the report counts each action, and the exactly-once check
// finds every action once. The check then fails for an action the read
// model does not hold and for an event recorded twice.
func TestRunThroughAPI(t *testing.T) {
	d := newDeployment(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	drv := &load.APIDriver{URLs: []string{d.url}, Tokens: d.tokens, KeyPrefix: fmt.Sprintf("load-%d", time.Now().UnixNano())}
	customer, err := drv.Whoami(ctx, load.Customer)
	if err != nil || customer != d.customer {
		t.Fatalf("whoami: %q %v", customer, err)
	}
	var progress bytes.Buffer
	rep, err := load.Run(ctx, load.Config{Driver: drv, CustomerID: customer, Prefix: fmt.Sprintf("la%d", time.Now().UnixNano()),
		Count: 6, Concurrency: 3, Progress: &progress, ProgressEvery: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	var table bytes.Buffer
	rep.WriteTable(&table)
	t.Log("\n" + table.String())
	if rep.Failed != 0 || rep.Scenarios != 6 {
		t.Fatalf("%d of %d actions failed in %d scenarios", rep.Failed, rep.Total, rep.Scenarios)
	}
	// 6 scenarios of the 3:2:1 wheel: 3 projects, 2 services, 1 month.
	for action, want := range wantCounts(3, 2, 1) {
		a, ok := rep.Action(action)
		if !ok || a.Count != want || a.OK != want {
			t.Errorf("%s: %+v, want %d", action, a, want)
		}
		if ok && (a.P50 <= 0 || a.P50 > a.P95 || a.P95 > a.P99) {
			t.Errorf("%s: percentiles %v %v %v", action, a.P50, a.P95, a.P99)
		}
	}
	for _, action := range []string{"deliverable.submit", "deliverable.accept", "phase.advance"} {
		if a, _ := rep.Action(action); a.OK < 3 {
			t.Errorf("%s: %+v", action, a)
		}
	}
	if rep.Check == nil || !rep.Check.OK() || rep.Check.Actions != rep.Total || rep.Check.Resources != 3+2+4+1 {
		t.Fatalf("check: %+v", rep.Check)
	}
	if !strings.Contains(table.String(), "exactly once: ok") || !strings.Contains(table.String(), "ticket.close") {
		t.Errorf("table:\n%s", table.String())
	}
	if !strings.Contains(progress.String(), "scenarios done") {
		t.Errorf("no progress line in %q", progress.String())
	}

	// An action the read model does not hold, and one whose events are
	// not its answer's.
	missing := rep.Records[0]
	missing.RequestID, missing.Events = "no-such-request", []int64{999}
	missing.StartEvent = ""
	res := load.Check(ctx, drv.Events, append(rep.Records, missing), 4)
	if res.OK() || len(res.Problems) != 1 || !strings.Contains(res.Problems[0], "no-such-request recorded events [], its answer listed [999]") {
		t.Errorf("missing action: %+v", res)
	}
	started := rep.Records[0]
	started.RequestID = "another-start"
	res = load.Check(ctx, drv.Events, []load.Record{started}, 1)
	if res.OK() || !strings.Contains(res.Problems[0], "found 0 times, want once") {
		t.Errorf("a start not recorded: %+v", res)
	}
}

// TestVerifyFindsDoubles holds Verify to events recorded twice and to an
// update recorded with more events than its answer listed.
func TestVerifyFindsDoubles(t *testing.T) {
	ref := load.Ref{Kind: "project", Path: "/v1/projects/p"}
	start := load.Record{Action: "project.start", Ref: ref, RequestID: "r1", StartEvent: "project-started"}
	submit := load.Record{Action: "deliverable.submit", Ref: ref, RequestID: "r2", Events: []int64{2}}
	good := []load.EventRef{{Seq: 1, Type: "project-started", RequestID: "r1"}, {Seq: 2, Type: "deliverable-submitted", RequestID: "r2"}}
	tests := []struct {
		name   string
		events []load.EventRef
		want   []string
	}{
		{"each once", good, nil},
		{"an event twice", append(good, good[1]), []string{"event 2 recorded 2 times", "recorded events [2 2], its answer listed [2]"}},
		{"a start twice", append(good, load.EventRef{Seq: 3, Type: "project-started", RequestID: "r1"}), []string{"project.start of request r1 found 2 times"}},
		{"an update's event missing", good[:1], []string{"recorded events [], its answer listed [2]"}},
		{"an extra event of the update", append(good, load.EventRef{Seq: 3, Type: "phase-advanced", RequestID: "r2"}), []string{"recorded events [2 3], its answer listed [2]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := load.Verify([]load.Record{start, submit}, map[string][]load.EventRef{ref.Path: tt.events})
			if len(res.Problems) != len(tt.want) {
				t.Fatalf("problems %q, want %q", res.Problems, tt.want)
			}
			for i, w := range tt.want {
				if !strings.Contains(res.Problems[i], w) {
					t.Errorf("problem %q, want %q", res.Problems[i], w)
				}
			}
		})
	}
}

// TestRunThroughSDK runs the same mix with the SDK straight to Temporal and
// checks it against the read model in PostgreSQL.
func TestRunThroughSDK(t *testing.T) {
	d := newDeployment(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	env := testenv.Get(t)
	drv := &load.SDKDriver{Client: env.Client(), TaskQueue: d.taskQueue, IDPrefix: fmt.Sprintf("sdk-%d", time.Now().UnixNano()),
		Store: store.New(env.Pool),
		Actors: map[load.Party]workflows.Actor{
			load.Manager:  {Subject: "load:manager", Role: workflows.RoleManager},
			load.Customer: {Subject: "load:customer", Role: workflows.RoleCustomer, CustomerID: d.customer},
		}}
	rep, err := load.Run(ctx, load.Config{Driver: drv, CustomerID: d.customer, Prefix: fmt.Sprintf("ls%d", time.Now().UnixNano()),
		Count: 6, Concurrency: 3})
	if err != nil {
		t.Fatal(err)
	}
	var table bytes.Buffer
	rep.WriteTable(&table)
	t.Log("\n" + table.String())
	if rep.Failed != 0 || rep.Via != "sdk" {
		t.Fatalf("%d of %d actions failed", rep.Failed, rep.Total)
	}
	for action, want := range wantCounts(3, 2, 1) {
		if a, ok := rep.Action(action); !ok || a.OK != want {
			t.Errorf("%s: %+v, want %d", action, a, want)
		}
	}
	if rep.Check == nil || !rep.Check.OK() {
		t.Fatalf("check: %+v", rep.Check)
	}
}
