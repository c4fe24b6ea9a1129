package workflows_test

import (
	"os"
	"path/filepath"
	"testing"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/sowflow/sowflow/workflows"
)

// TestReplayServiceHistories replays the service, ticket and SLA period
// histories recorded on a real Temporal server (testdata/service-*.json,
// ticket-*.json, sla-*.json — the SLA account's sla-account*.json among
// them; regenerated with `go test -tags golden -run
// 'TestRecordGolden(Service|SLAPeriod|SLAAccount)' ./workflows/`). A change
// to these workflows that is not behind workflow.GetVersion fails here.
//
// The SLA period histories are replayed on both sides of its sla-package
// and sla-period-projection changes: sla-v0-*.json were recorded before
// the first (legacy window and interim arithmetic, never re-recorded),
// sla-v1-*.json between them (package sla through local activities, no
// projection, never re-recorded), sla-email.json and sla-sendify.json
// after both (they write the read model). The service and ticket
// histories likewise: service-v0-*.json and ticket-v0-*.json from before
// their projection (see TestServiceGoldenHistoriesBothSides).
func TestReplayServiceHistories(t *testing.T) {
	for _, name := range []string{"sla-v0-email.json", "sla-v1-email.json", "sla-v1-sendify.json", "sla-email.json", "sla-sendify.json",
		"sla-account.json", "sla-account-run2.json", "sla-account-run3.json"} {
		if _, err := os.Stat(filepath.Join("testdata", name)); err != nil {
			t.Errorf("SLA period golden history: %v", err)
		}
	}
	var files []string
	for _, pattern := range []string{"testdata/service-*.json", "testdata/ticket-*.json", "testdata/sla-*.json"} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) == 0 {
		t.Fatal("no service golden histories in testdata")
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			r := worker.NewWorkflowReplayer()
			r.RegisterWorkflowWithOptions(workflows.ServiceWorkflow, workflow.RegisterOptions{Name: workflows.ServiceWorkflowName})
			r.RegisterWorkflowWithOptions(workflows.TicketWorkflow, workflow.RegisterOptions{Name: workflows.TicketWorkflowName})
			r.RegisterWorkflowWithOptions(workflows.SLAPeriodWorkflow, workflow.RegisterOptions{Name: workflows.SLAPeriodWorkflowName})
			r.RegisterWorkflowWithOptions(workflows.SLAAccountWorkflow, workflow.RegisterOptions{Name: workflows.SLAAccountWorkflowName})
			if err := r.ReplayWorkflowHistoryFromJSONFile(nil, file); err != nil {
				t.Fatalf("replay: %v", err)
			}
		})
	}
}

// TestServiceGoldenHistoriesBothSides holds the service, ticket and SLA
// period golden histories replayed by TestReplayServiceHistories to both
// sides of changeServiceProjection, changeTicketProjection and
// changeSLAPeriodProjection: the v0 copies (v0 and v1 for SLA periods)
// were recorded before them (no projection activity), the others after
// (every run writes its projection).
func TestServiceGoldenHistoriesBothSides(t *testing.T) {
	tests := []struct {
		pattern  string
		activity string
		project  bool
	}{
		{"service-v0-*.json", workflows.RecordServiceActivity, false},
		{"ticket-v0-*.json", workflows.RecordTicketActivity, false},
		{"service-partner*.json", workflows.RecordServiceActivity, true},
		{"ticket-partner-*.json", workflows.RecordTicketActivity, true},
		{"sla-v0-*.json", workflows.RecordSLAPeriodActivity, false},
		{"sla-v1-*.json", workflows.RecordSLAPeriodActivity, false},
		{"sla-email.json", workflows.RecordSLAPeriodActivity, true},
		{"sla-sendify.json", workflows.RecordSLAPeriodActivity, true},
	}
	for _, tc := range tests {
		files, err := filepath.Glob(filepath.Join("testdata", tc.pattern))
		if err != nil {
			t.Fatal(err)
		}
		if len(files) == 0 {
			t.Errorf("no golden histories testdata/%s", tc.pattern)
		}
		for _, file := range files {
			f, err := os.Open(file)
			if err != nil {
				t.Fatal(err)
			}
			h, err := client.HistoryFromJSON(f, client.HistoryJSONOptions{})
			f.Close()
			if err != nil {
				t.Fatalf("%s: %v", file, err)
			}
			records := 0
			for _, e := range h.GetEvents() {
				if e.GetActivityTaskScheduledEventAttributes().GetActivityType().GetName() == tc.activity {
					records++
				}
			}
			if (records > 0) != tc.project {
				t.Errorf("%s: %d %s activities; want projection %v", file, records, tc.activity, tc.project)
			}
		}
	}
}
