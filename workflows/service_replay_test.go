package workflows_test

import (
	"os"
	"path/filepath"
	"testing"

	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/sowflow/sowflow/workflows"
)

// TestReplayServiceHistories replays the service, ticket and SLA period
// histories recorded on a real Temporal server (testdata/service-*.json,
// ticket-*.json, sla-*.json; regenerated with `go test -tags golden -run
// 'TestRecordGolden(Service|SLAPeriod)' ./workflows/`). A change to these
// workflows that is not behind workflow.GetVersion fails here.
//
// The SLA period histories are replayed on both sides of its sla-package
// change: sla-v0-*.json were recorded before it (legacy window and interim
// arithmetic, never re-recorded), sla-email.json and sla-sendify.json
// after it (package sla through local activities).
func TestReplayServiceHistories(t *testing.T) {
	for _, name := range []string{"sla-v0-email.json", "sla-email.json", "sla-sendify.json"} {
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
			if err := r.ReplayWorkflowHistoryFromJSONFile(nil, file); err != nil {
				t.Fatalf("replay: %v", err)
			}
		})
	}
}
