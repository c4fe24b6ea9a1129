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
	"github.com/sowflow/sowflow/store"
	"github.com/sowflow/sowflow/testenv"
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
		{"show version 2", []string{"show", "landing-zone-basic", "--version", "2"}, 2, nil, "only version 1, the compiled-in package, exists without DATABASE_URL"},
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

// TestCatalogShowStoredVersions reads uploaded versions from the database
// named by DATABASE_URL: show prints a version as uploaded, or the one in
// force, and diff compares stored versions.
func TestCatalogShowStoredVersions(t *testing.T) {
	env := testenv.Get(t)
	t.Setenv("DATABASE_URL", env.DatabaseURL)
	ctx := context.Background()
	if _, err := env.Pool.Exec(ctx, `DELETE FROM catalog_versions WHERE code = 'landing-zone-basic'`); err != nil {
		t.Fatal(err)
	}
	st := store.New(env.Pool)
	orig, _ := catalog.EmbeddedFile("landing-zone-basic")
	revised := []byte(strings.Replace(string(orig), "value: 15\n", "value: 20\n", 1))
	p, err := catalog.ParseFile("revised.yaml", revised)
	if err != nil {
		t.Fatal(err)
	}
	v, err := st.SaveCatalogDraft(ctx, store.CatalogDraft{Package: p, Source: revised, SourceType: store.CatalogSourceYAML, UploadedBy: "token:a", FirstVersion: 2})
	if err != nil || v.Version != 2 {
		t.Fatalf("version %d: %v", v.Version, err)
	}
	run := func(args ...string) (int, string, string) {
		var stdout, stderr bytes.Buffer
		status := runCatalog(ctx, args, &stdout, &stderr)
		return status, stdout.String(), stderr.String()
	}
	tests := []struct {
		name   string
		args   []string
		status int
		stdout string
		stderr string
	}{
		{"draft is not in force", []string{"show", "landing-zone-basic"}, 0, string(orig), ""},
		{"version 2 as uploaded", []string{"show", "landing-zone-basic", "--version", "2"}, 0, string(revised), ""},
		{"version 1", []string{"show", "landing-zone-basic", "--version", "1"}, 0, string(orig), ""},
		{"no version 3", []string{"show", "landing-zone-basic", "--version", "3"}, 2, "", "version 3 of landing-zone-basic does not exist"},
		{"diff stored versions", []string{"diff", "landing-zone-basic", "1", "2"}, 1,
			"--- 1\n+++ 2\n~ prerequisites[application-lead-time].lead_time.value: 15 → 20\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, stdout, stderr := run(tt.args...)
			if status != tt.status || stdout != tt.stdout || !strings.Contains(stderr, tt.stderr) {
				t.Fatalf("status %d stdout %q stderr %q", status, stdout, stderr)
			}
		})
	}
	if _, err := st.PublishCatalogVersion(ctx, "landing-zone-basic", 2, "token:b"); err != nil {
		t.Fatal(err)
	}
	if status, stdout, _ := run("show", "landing-zone-basic"); status != 0 || stdout != string(revised) {
		t.Fatalf("in force after publication: %d %q", status, stdout)
	}
	if _, err := env.Pool.Exec(ctx, `DELETE FROM catalog_versions WHERE code = 'landing-zone-basic'`); err != nil {
		t.Fatal(err)
	}
}
