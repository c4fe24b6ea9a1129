package main

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"
	"time"

	sdkworker "go.temporal.io/sdk/worker"

	"github.com/sowflow/sowflow/api"
	"github.com/sowflow/sowflow/calendar"
	"github.com/sowflow/sowflow/store"
	"github.com/sowflow/sowflow/testenv"
	"github.com/sowflow/sowflow/worker"
	"github.com/sowflow/sowflow/workflows"
)

// TestDevDemo: sowflow dev --demo makes its projects, service and SLA
// period through the API as the demo people, in the states it promises, and
// a second start leaves them as they are.
func TestDevDemo(t *testing.T) {
	ctx := context.Background()
	env := testenv.Get(t)
	pool, err := openDatabase(ctx, testenv.EmptyDatabase(t), true, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	st := store.New(pool)
	if _, err := ensureDevPeople(ctx, st); err != nil {
		t.Fatal(err)
	}
	cals, err := store.NewCalendarSource(ctx, st, calendar.China())
	if err != nil {
		t.Fatal(err)
	}
	w := env.Temporal.NewWorker("dev-demo", func(r sdkworker.Registry) {
		worker.Register(r, worker.Deps{Calendar: cals.Current, Store: st})
	})
	defer w.Stop()
	handler := api.New(api.Deps{Store: st, Calendars: cals, Temporal: env.Client(), TaskQueue: "dev-demo"})

	now := time.Now()
	n, err := seedDemo(ctx, handler, "", st, now)
	if err != nil || n != len(demoSteps(now)) {
		t.Fatalf("demo made %d of %d steps: %v", n, len(demoSteps(now)), err)
	}
	if _, err := seedDemo(ctx, handler, "", st, now); !errors.Is(err, errDemoExists) {
		t.Fatalf("second demo: %v; want errDemoExists", err)
	}

	customer, err := st.FindPerson(ctx, "demo-customer@sowflow.test")
	if err != nil {
		t.Fatal(err)
	}
	read := func(path string, out any) {
		t.Helper()
		status, body, err := demoRequest(ctx, handler, "", customer, demoStep{method: http.MethodGet, path: path}, "")
		if err != nil || status != http.StatusOK {
			t.Fatalf("GET %s: %d %s %v", path, status, body, err)
		}
		if err := json.Unmarshal([]byte(body), out); err != nil {
			t.Fatal(err)
		}
	}
	kickoff := func(project string) workflows.DeliverableState {
		var st workflows.ProjectState
		read("/v1/projects/"+project, &st)
		for _, d := range st.Deliverables {
			if d.Key == "kickoff-meeting-report" {
				return d
			}
		}
		t.Fatalf("%s has no kickoff report", project)
		return workflows.DeliverableState{}
	}
	tests := []struct {
		project     string
		status      workflows.DeliverableStatus
		submissions int
	}{
		{"demo-ms-1", workflows.DeliverableSubmitted, 1},
		{"demo-ms-2", workflows.DeliverableSubmitted, 2},
		{"demo-ms-3", workflows.DeliverableAccepted, 1},
	}
	for _, tt := range tests {
		d := kickoff(tt.project)
		n := 0
		for _, r := range d.Rounds {
			n += len(r.Submissions)
		}
		if d.Status != tt.status || n != tt.submissions {
			t.Errorf("%s kickoff: %s after %d submissions; want %s after %d", tt.project, d.Status, n, tt.status, tt.submissions)
		}
	}
	var svc workflows.ServiceState
	read("/v1/services/demo-svc-1", &svc)
	if svc.CustomerID != devCustomerID {
		t.Errorf("service of %q", svc.CustomerID)
	}
}
