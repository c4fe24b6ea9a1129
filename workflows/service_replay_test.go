package workflows_test

import (
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
func TestReplayServiceHistories(t *testing.T) {
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
