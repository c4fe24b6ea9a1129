package workflows_test

import (
	"path/filepath"
	"testing"

	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/sowflow/sowflow/workflows"
)

// TestReplayGoldenHistories replays the project histories recorded on a real
// Temporal server (testdata/project-*.json, regenerated with
// `go test -tags golden -run TestRecordGolden ./workflows/`). A change to the
// workflow that is not behind workflow.GetVersion makes a replay fail with a
// non-determinism error.
func TestReplayGoldenHistories(t *testing.T) {
	files, err := filepath.Glob("testdata/project-*.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no golden histories in testdata")
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			r := worker.NewWorkflowReplayer()
			r.RegisterWorkflowWithOptions(workflows.ProjectWorkflow, workflow.RegisterOptions{Name: workflows.ProjectWorkflowName})
			if err := r.ReplayWorkflowHistoryFromJSONFile(nil, file); err != nil {
				t.Fatalf("replay: %v", err)
			}
		})
	}
}
