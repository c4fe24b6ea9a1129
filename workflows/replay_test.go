package workflows_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/sowflow/sowflow/history"
	"github.com/sowflow/sowflow/workflows"
)

// goldenDir holds the golden histories.
const goldenDir = "testdata"

// goldenHistories names every golden history in testdata, one run each,
// gzip'd, recorded on a real Temporal server by `make histories` (the
// golden-tagged TestRecordGolden* tests): one scenario per workflow type at
// least, runs continued as new included. Each is replayed by TestReplayGoldenHistories
// against the current workflow code: a change to workflow logic that is not
// behind workflow.GetVersion fails there with a non-determinism error. A
// file listed here that is missing fails the test, and so does a file in
// testdata that is not listed (TestVersionGate): the set never shrinks or
// grows silently.
var goldenHistories = []string{
	// Projects: DingTalk Pro to final acceptance (clocks, a delay, signals,
	// a calendar update), Hybrid Base PM (overdue and deemed windows),
	// Landing Zone (terminated), Managed Services over five runs, a run
	// continued as new mid-window, and the long history of the benchmark.
	"project-dingtalk-pro.json.gz",
	"project-hybrid-base-pm.json.gz",
	"project-landing-zone.json.gz",
	"project-managed-services.json.gz",
	"project-managed-services-run2.json.gz",
	"project-managed-services-run3.json.gz",
	"project-managed-services-run4.json.gz",
	"project-managed-services-run5.json.gz",
	"project-continue-as-new.json.gz",
	"project-continue-as-new-run2.json.gz",
	"long-history.json.gz",
	// A partner service over its year (runs continued as new at month
	// boundaries and on its history budget) and two of its tickets.
	"service-partner.json.gz",
	"service-partner-run2.json.gz",
	"service-partner-run3.json.gz",
	"service-partner-run4.json.gz",
	"service-partner-run5.json.gz",
	"service-partner-run6.json.gz",
	"ticket-partner-1.json.gz",
	"ticket-partner-2.json.gz",
	// SLA periods (Email, Sendify) and an SLA account over three runs.
	"sla-email.json.gz",
	"sla-sendify.json.gz",
	"sla-account.json.gz",
	"sla-account-run2.json.gz",
	"sla-account-run3.json.gz",
}

// goldenSides maps each change ID of workflows.ChangeIDs to the golden
// histories recorded before the change (by the code without it) and after
// it. Empty at the 1.0.0 baseline, which has no version branches.
var goldenSides = map[string]sides{}

// sides are the golden histories on each side of a change.
type sides struct {
	Before, After []string
}

// registerAll registers the five workflows under their names.
func registerAll(r worker.WorkflowRegistry) {
	r.RegisterWorkflowWithOptions(workflows.ProjectWorkflow, workflow.RegisterOptions{Name: workflows.ProjectWorkflowName})
	r.RegisterWorkflowWithOptions(workflows.ServiceWorkflow, workflow.RegisterOptions{Name: workflows.ServiceWorkflowName})
	r.RegisterWorkflowWithOptions(workflows.TicketWorkflow, workflow.RegisterOptions{Name: workflows.TicketWorkflowName})
	r.RegisterWorkflowWithOptions(workflows.SLAPeriodWorkflow, workflow.RegisterOptions{Name: workflows.SLAPeriodWorkflowName})
	r.RegisterWorkflowWithOptions(workflows.SLAAccountWorkflow, workflow.RegisterOptions{Name: workflows.SLAAccountWorkflowName})
}

// TestReplayGoldenHistories replays every golden history named in
// goldenHistories against the current code.
func TestReplayGoldenHistories(t *testing.T) {
	rp := &history.Replayer{Register: registerAll}
	for _, name := range goldenHistories {
		t.Run(name, func(t *testing.T) {
			runs, err := history.ReadFile(filepath.Join(goldenDir, name))
			if err != nil {
				t.Fatalf("golden history %s: %v", name, err)
			}
			for _, res := range rp.ReplayAll(runs) {
				if !res.OK {
					t.Errorf("run %s does not replay: event %d (%s): %s", res.RunID, res.EventID, res.EventType, res.Error)
				}
			}
		})
	}
}

// TestVersionGate holds the golden set to the versioning rule (see
// workflows.ChangeIDs): every change ID listed has golden histories on both
// sides of it, every golden file in testdata is named by the replay test
// and every named one exists.
func TestVersionGate(t *testing.T) {
	entries, err := os.ReadDir(goldenDir)
	if err != nil {
		t.Fatal(err)
	}
	var present []string
	for _, e := range entries {
		if !e.IsDir() {
			present = append(present, e.Name())
		}
	}
	markers := func(name string) ([]string, error) { return versionMarkers(filepath.Join(goldenDir, name)) }
	for _, err := range checkVersionGate(workflows.ChangeIDs(), goldenSides, goldenHistories, present, markers) {
		t.Error(err)
	}
}

// versionMarkers returns the change IDs of the workflow.GetVersion markers
// a golden history holds.
func versionMarkers(path string) ([]string, error) {
	runs, err := history.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range history.Timeline(runs) {
		if e.Kind == history.KindVersion {
			if id, ok := e.Payload["change_id"].(string); ok {
				out = append(out, id)
			}
		}
	}
	return out, nil
}

// checkVersionGate returns every breach of the versioning rule:
//   - a change ID without golden histories before and after it, or whose
//     "before" history holds its marker or "after" history does not;
//   - a change ID in the sides table that is not in force;
//   - a history of the sides table that the replay test does not name;
//   - a named history that is missing, named twice, or a file present
//     that is not named.
func checkVersionGate(changeIDs []string, table map[string]sides, named, present []string, markers func(name string) ([]string, error)) []error {
	var errs []error
	for _, id := range changeIDs {
		s, ok := table[id]
		if !ok || len(s.Before) == 0 || len(s.After) == 0 {
			errs = append(errs, fmt.Errorf("change %s: golden histories before and after it are required (before %v, after %v)", id, s.Before, s.After))
		}
		check := func(side string, files []string, want bool) {
			for _, f := range files {
				if !slices.Contains(named, f) {
					errs = append(errs, fmt.Errorf("change %s: %s history %s is not named by the replay test", id, side, f))
					continue
				}
				if !slices.Contains(present, f) {
					continue // reported below as missing
				}
				ids, err := markers(f)
				if err != nil {
					errs = append(errs, fmt.Errorf("change %s: %s: %w", id, f, err))
					continue
				}
				if slices.Contains(ids, id) != want {
					errs = append(errs, fmt.Errorf("change %s: %s history %s has its version marker: %v, want %v", id, side, f, !want, want))
				}
			}
		}
		check("before", s.Before, false)
		check("after", s.After, true)
	}
	for id := range table {
		if !slices.Contains(changeIDs, id) {
			errs = append(errs, fmt.Errorf("change %s has golden sides but is not listed in workflows.ChangeIDs", id))
		}
	}
	for i, f := range named {
		switch {
		case slices.Contains(named[:i], f):
			errs = append(errs, fmt.Errorf("golden history %s is named twice", f))
		case !slices.Contains(present, f):
			errs = append(errs, fmt.Errorf("golden history %s is named but missing from %s", f, goldenDir))
		}
	}
	for _, f := range present {
		if !slices.Contains(named, f) {
			errs = append(errs, fmt.Errorf("golden file %s/%s is not named by the replay test: name it in goldenHistories or delete it", goldenDir, f))
		}
	}
	slices.SortStableFunc(errs, func(a, b error) int {
		switch {
		case a.Error() < b.Error():
			return -1
		case a.Error() > b.Error():
			return 1
		}
		return 0
	})
	return errs
}

// TestVersionGateChecker runs checkVersionGate on made-up change IDs and
// golden sets: the real list is empty at the baseline, so this shows that
// the gate refuses what it must.
func TestVersionGateChecker(t *testing.T) {
	errUnreadable := errors.New("unreadable")
	marks := map[string][]string{
		"a-before.json": nil,
		"a-after.json":  {"change-a"},
		"b-after.json":  {"change-a", "change-b"},
		"bad.json":      nil,
	}
	markers := func(name string) ([]string, error) {
		if name == "bad.json" {
			return nil, errUnreadable
		}
		return marks[name], nil
	}
	both := map[string]sides{"change-a": {Before: []string{"a-before.json"}, After: []string{"a-after.json"}}}
	files := []string{"a-before.json", "a-after.json"}
	tests := []struct {
		name      string
		changeIDs []string
		table     map[string]sides
		named     []string
		present   []string
		want      int // number of breaches
	}{
		{"baseline: no change, every file named", nil, nil, files, files, 0},
		{"change with both sides", []string{"change-a"}, both, files, files, 0},
		{"change without goldens", []string{"change-a"}, nil, files, files, 1},
		{"change with only an after side", []string{"change-a"}, map[string]sides{"change-a": {After: []string{"a-after.json"}}}, files, files, 1},
		{"before side holding the marker", []string{"change-a"},
			map[string]sides{"change-a": {Before: []string{"a-after.json"}, After: []string{"a-after.json"}}}, files, files, 1},
		{"after side without the marker", []string{"change-a"},
			map[string]sides{"change-a": {Before: []string{"a-before.json"}, After: []string{"a-before.json"}}}, files, files, 1},
		{"side file not named", []string{"change-a"}, both, []string{"a-before.json"}, files, 2},
		{"side file unreadable", []string{"change-a"},
			map[string]sides{"change-a": {Before: []string{"bad.json"}, After: []string{"a-after.json"}}},
			[]string{"bad.json", "a-after.json"}, []string{"bad.json", "a-after.json"}, 1},
		{"stale table entry", nil, both, files, files, 1},
		{"named golden deleted", nil, nil, files, []string{"a-after.json"}, 1},
		{"unnamed golden added", nil, nil, files, append(slices.Clone(files), "extra.json.gz"), 1},
		{"named twice", nil, nil, append(slices.Clone(files), "a-after.json"), files, 1},
		{"two changes, one without sides", []string{"change-a", "change-b"}, both,
			append(slices.Clone(files), "b-after.json"), append(slices.Clone(files), "b-after.json"), 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			errs := checkVersionGate(tc.changeIDs, tc.table, tc.named, tc.present, markers)
			if len(errs) != tc.want {
				t.Errorf("%d breaches, want %d: %v", len(errs), tc.want, errs)
			}
		})
	}
}
