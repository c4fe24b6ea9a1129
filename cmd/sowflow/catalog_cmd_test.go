package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sowflow/sowflow/catalog"
)

func TestRunCatalog(t *testing.T) {
	dir := t.TempDir()
	orig, ok := catalog.EmbeddedFile("landing-zone-basic")
	if !ok {
		t.Fatal("no embedded landing-zone-basic")
	}
	write := func(name, src string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good.yaml", string(orig))
	longer := write("longer.yaml", strings.Replace(string(orig), "value: 15\n", "value: 20\n", 1))
	brokenSrc := strings.Replace(strings.Replace(string(orig), "kind: project", "kind: projekt", 1), "  model: unpriced\n", "  model: unpriced\n  discount: 5\n", 1)
	broken := write("broken.yaml", brokenSrc)
	// lineOf is the line number of the first line of the broken file that is
	// want, so the expected positions follow edits of the package file.
	lineOf := func(want string) int {
		for i, l := range strings.Split(brokenSrc, "\n") {
			if l == want {
				return i + 1
			}
		}
		t.Fatalf("broken.yaml has no line %q", want)
		return 0
	}

	tests := []struct {
		name   string
		args   []string
		status int
		stdout []string // lines stdout must hold, in order
		stderr string   // substring of stderr
	}{
		{"validate ok", []string{"validate", good}, 0, []string{good + ": ok"}, ""},
		{"validate lists every error", []string{"validate", broken, good}, 1, []string{
			fmt.Sprintf("%s:%d:7: kind: value must be one of 'project', 'support-plan', 'sla' (enum)", broken, lineOf("kind: projekt")),
			fmt.Sprintf("%s:%d:3: pricing.discount: discount is not a field here (additionalProperties)", broken, lineOf("  discount: 5")),
			good + ": ok",
		}, ""},
		{"validate without files", []string{"validate"}, 2, nil, "missing FILE"},
		{"validate missing file", []string{"validate", filepath.Join(dir, "none.yaml")}, 2, nil, "none.yaml"},
		{"show", []string{"show", "landing-zone-basic"}, 0, strings.Split(strings.TrimSuffix(string(orig), "\n"), "\n"), ""},
		{"show version 1", []string{"show", "landing-zone-basic", "--version", "1"}, 0, []string{"code: landing-zone-basic"}, ""},
		{"show version 2", []string{"show", "landing-zone-basic", "--version", "2"}, 2, nil, "only version 1"},
		{"show unknown", []string{"show", "landing-zone-max"}, 2, nil, `unknown package "landing-zone-max"`},
		{"diff same", []string{"diff", "landing-zone-basic", "1", good}, 0, nil, ""},
		{"diff version and file", []string{"diff", "landing-zone-basic", "1", longer}, 1, []string{
			"--- 1", "+++ " + longer,
			"~ prerequisites[application-lead-time].lead_time.value: 15 → 20",
		}, ""},
		{"diff two files", []string{"diff", "landing-zone-basic", longer, good}, 1, []string{
			"~ prerequisites[application-lead-time].lead_time.value: 20 → 15",
		}, ""},
		{"diff wrong code", []string{"diff", "managed-services", "1", good}, 2, nil, "holds package landing-zone-basic, not managed-services"},
		{"diff version 2", []string{"diff", "landing-zone-basic", "1", "2"}, 2, nil, "version 2 of landing-zone-basic does not exist"},
		{"diff broken file", []string{"diff", "landing-zone-basic", "1", broken}, 2, nil, "(enum)"},
		{"no subcommand", nil, 2, nil, "missing subcommand"},
		{"unknown subcommand", []string{"publish"}, 2, nil, `unknown subcommand "publish"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			status := runCatalog(context.Background(), tt.args, &stdout, &stderr)
			if status != tt.status {
				t.Fatalf("status %d, want %d\nstdout %s\nstderr %s", status, tt.status, stdout.String(), stderr.String())
			}
			lines := strings.Split(strings.TrimSuffix(stdout.String(), "\n"), "\n")
			if tt.status == 2 && stdout.Len() != 0 {
				t.Errorf("stdout %q, want nothing on bad input", stdout.String())
			}
			j := 0
			for _, l := range lines {
				if j < len(tt.stdout) && l == tt.stdout[j] {
					j++
				}
			}
			if j < len(tt.stdout) {
				t.Errorf("stdout lacks %q:\n%s", tt.stdout[j], stdout.String())
			}
			if tt.name == "diff same" && stdout.Len() != 0 {
				t.Errorf("diff of the same package printed %q", stdout.String())
			}
			if !strings.Contains(stderr.String(), tt.stderr) || (tt.stderr == "" && stderr.Len() != 0) {
				t.Errorf("stderr %q, want %q", stderr.String(), tt.stderr)
			}
		})
	}
}
