package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sowflow/sowflow/history"
	"github.com/sowflow/sowflow/workflows"
)

const goldenDir = "../../workflows/testdata"

func replayCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	status := runReplay(context.Background(), args, &stdout, &stderr)
	return status, stdout.String(), stderr.String()
}

// writeExport writes the runs of the golden files as one export document.
func writeExport(t *testing.T, files ...string) string {
	t.Helper()
	var runs []history.Run
	for _, f := range files {
		r, err := history.ReadFile(filepath.Join(goldenDir, f))
		if err != nil {
			t.Fatal(err)
		}
		runs = append(runs, r...)
	}
	exp, err := history.NewExport("project/golden", runs)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(exp)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "export.json")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// tamper writes a copy of a golden history whose first RecordProject
// activity was scheduled under another name, as if the workflow code had
// changed, and returns its path and that event's ID.
func tamper(t *testing.T, file string) (string, int64) {
	t.Helper()
	runs, err := history.ReadFile(filepath.Join(goldenDir, file))
	if err != nil {
		t.Fatal(err)
	}
	var id int64
	for _, e := range runs[0].History.Events {
		if a := e.GetActivityTaskScheduledEventAttributes(); a != nil && a.GetActivityType().GetName() == workflows.RecordProjectActivity {
			a.ActivityType.Name = "RecordProjectV0"
			id = e.GetEventId()
			break
		}
	}
	b, err := history.MarshalHistory(runs[0].History)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "tampered.json")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path, id
}

func TestReplayCommandGoldenHistories(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(goldenDir, "project-*.json.gz"))
	if err != nil || len(files) == 0 {
		t.Fatalf("golden histories: %v %v", files, err)
	}
	files = append(files, filepath.Join(goldenDir, "long-history.json.gz"))
	status, out, errOut := replayCLI(t, files...)
	if status != 0 || errOut != "" {
		t.Fatalf("status %d, stderr %q, stdout %q", status, errOut, out)
	}
	var want strings.Builder
	for _, f := range files {
		fmt.Fprintf(&want, "%s: ok\n", f)
	}
	if out != want.String() {
		t.Errorf("stdout = %q, want %q", out, want.String())
	}
}

func TestReplayCommandExport(t *testing.T) {
	path := writeExport(t, "project-managed-services.json.gz", "project-managed-services-run2.json.gz",
		"project-managed-services-run3.json.gz", "project-managed-services-run4.json.gz")
	status, out, errOut := replayCLI(t, path)
	if status != 0 || errOut != "" {
		t.Fatalf("status %d, stderr %q", status, errOut)
	}
	want := fmt.Sprintf("%[1]s#1: ok\n%[1]s#2: ok\n%[1]s#3: ok\n%[1]s#4: ok\n", path)
	if out != want {
		t.Errorf("stdout = %q, want %q", out, want)
	}
}

func TestReplayCommandDivergence(t *testing.T) {
	bad, id := tamper(t, "project-landing-zone.json.gz")
	good := filepath.Join(goldenDir, "project-dingtalk-pro.json.gz")
	status, out, errOut := replayCLI(t, good, bad)
	if status != 1 || errOut != "" {
		t.Fatalf("status %d, stderr %q, stdout %q", status, errOut, out)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 2 || lines[0] != good+": ok" {
		t.Fatalf("stdout = %q", out)
	}
	prefix := fmt.Sprintf("%s: diverges at event %d: ", bad, id)
	if !strings.HasPrefix(lines[1], prefix) || !strings.Contains(lines[1], "TMPRL1100") || !strings.Contains(lines[1], "RecordProjectV0") {
		t.Errorf("line = %q, want prefix %q and the replayer's reason", lines[1], prefix)
	}

	status, out, _ = replayCLI(t, "--json", good, bad)
	if status != 1 {
		t.Fatalf("--json status %d", status)
	}
	var results []history.Result
	if err := json.Unmarshal([]byte(out), &results); err != nil {
		t.Fatalf("--json output %q: %v", out, err)
	}
	if len(results) != 2 || !results[0].OK || results[0].Name != good || results[0].Events == 0 || results[0].RunID == "" ||
		results[1].OK || results[1].EventID != id || results[1].EventType != "ActivityTaskScheduled" || results[1].Error == "" {
		t.Errorf("--json results = %+v", results)
	}
}

func TestReplayCommandBadInput(t *testing.T) {
	dir := t.TempDir()
	notJSON := filepath.Join(dir, "notes.txt")
	other := filepath.Join(dir, "other.json")
	_ = os.WriteFile(notJSON, []byte("hello"), 0o600)
	_ = os.WriteFile(other, []byte(`{"items": []}`), 0o600)
	good := filepath.Join(goldenDir, "project-dingtalk-pro.json.gz")
	tests := []struct {
		name string
		args []string
		want string // part of the one stderr line
	}{
		{"no file", nil, "name at least one history file"},
		{"missing file", []string{good, filepath.Join(dir, "missing.json")}, "missing.json"},
		{"not json", []string{notJSON}, "notes.txt: not a Temporal history"},
		{"other json", []string{other}, "other.json: not a Temporal history"},
		{"unknown flag", []string{"--fast", good}, "unknown flag -fast"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, out, errOut := replayCLI(t, tt.args...)
			if status != 2 || out != "" {
				t.Fatalf("status %d, stdout %q", status, out)
			}
			if strings.Count(errOut, "\n") != 1 || !strings.HasPrefix(errOut, "sowflow replay: ") || !strings.Contains(errOut, tt.want) {
				t.Errorf("stderr = %q, want one line with %q", errOut, tt.want)
			}
		})
	}
}

func TestReplayCommandHelp(t *testing.T) {
	for _, arg := range []string{"--help", "-h"} {
		status, out, errOut := replayCLI(t, arg)
		if status != 0 || errOut != "" || !strings.HasPrefix(out, "usage: sowflow replay [--json] FILE...") || !strings.Contains(out, "Exit status") {
			t.Errorf("%s: status %d, stdout %q, stderr %q", arg, status, out, errOut)
		}
	}
	var stdout, stderr bytes.Buffer
	if status := run(context.Background(), []string{"replay", "--help"}, &stdout, &stderr); status != 0 || !strings.Contains(stdout.String(), "sowflow replay") {
		t.Errorf("sowflow replay --help through run: %d %q", status, stderr.String())
	}
}
