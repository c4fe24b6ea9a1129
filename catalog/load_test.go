package catalog

import (
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
)

const exampleFile = "testdata/security-assessment.yaml"

func readExample(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(exampleFile)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// place returns "line:col" of the first occurrence of marker in src.
func place(t *testing.T, src, marker string) string {
	t.Helper()
	i := strings.Index(src, marker)
	if i < 0 {
		t.Fatalf("marker %q not in file", marker)
	}
	line := strings.Count(src[:i], "\n") + 1
	col := i - strings.LastIndex(src[:i], "\n")
	return fmt.Sprintf("%d:%d", line, col)
}

func TestParseFileExample(t *testing.T) {
	p, err := ParseFile(exampleFile, []byte(readExample(t)))
	if err != nil {
		t.Fatalf("ParseFile:\n%v", err)
	}
	if p.Code != "security-assessment" || len(p.Phases) != 3 || p.FinalAcceptance != "acceptance-form" {
		t.Fatalf("parsed %s with %d phases, final %q", p.Code, len(p.Phases), p.FinalAcceptance)
	}
	if d, _, _ := p.Deliverable("acceptance-form"); !d.Final {
		t.Error("the final-acceptance deliverable is not marked final")
	}
	if c, ok := p.Clock("delivery"); !ok || c.Duration != naturalDays(30) {
		t.Errorf("delivery clock %+v", c)
	}
}

// TestParseFileDateIsText: an unquoted date in a text field stays the text
// as written.
func TestParseFileDateIsText(t *testing.T) {
	src := strings.Replace(readExample(t), "text: USD 12,000 per assessment.", "text: 2026-12-01", 1)
	p, err := ParseFile(exampleFile, []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if p.Pricing.Text != "2026-12-01" {
		t.Errorf("pricing text %q", p.Pricing.Text)
	}
}

// TestParseFileErrors feeds broken files to ParseFile: every defect is
// reported at once, at its line and column, with its path and rule.
func TestParseFileErrors(t *testing.T) {
	type want struct{ marker, path, rule string }
	tests := []struct {
		name    string
		edit    func(string) string
		markers []want // marker: text of the edited file where the error sits
	}{
		{
			name:    "yaml syntax",
			edit:    func(s string) string { return strings.Replace(s, "name: Security Assessment", "name: [Security", 1) },
			markers: []want{{"", "", "yaml"}},
		},
		{
			name: "unknown field, bad enum and missing field at once",
			edit: func(s string) string {
				s = strings.Replace(s, "kind: project\n", "kind: project\ncolour: red\n", 1)
				s = strings.Replace(s, "acceptance: deemed", "acceptance: silent", 1)
				return strings.Replace(s, "    party: provider\n", "", 1)
			},
			markers: []want{
				{"colour", "colour", "additionalProperties"},
				{"- key: delivery", "clocks[1].party", "required"},
				{"silent", "phases[0].deliverables[0].acceptance", "enum"},
			},
		},
		{
			name:    "key pattern",
			edit:    func(s string) string { return strings.Replace(s, "key: scope-note", "key: Scope Note", 1) },
			markers: []want{{"Scope Note", "phases[0].deliverables[0].key", "pattern"}},
		},
		{
			name:    "wrong type",
			edit:    func(s string) string { return strings.Replace(s, "limit: 2", "limit: two", 1) },
			markers: []want{{"two", "quotas[0].limit", "type"}},
		},
		{
			name:    "duplicate key",
			edit:    func(s string) string { return strings.Replace(s, "kind: project\n", "kind: project\nkind: sla\n", 1) },
			markers: []want{{"kind: sla", "kind", "yaml"}},
		},
		{
			name: "semantic rules, each placed",
			edit: func(s string) string {
				s = strings.Replace(s, "final_acceptance: acceptance-form", "final_acceptance: no-such-form", 1)
				return strings.Replace(s, "  - deliverable: findings-report", "  - deliverable: no-such-report", 1)
			},
			markers: []want{
				{"- deliverable: no-such-report", "thresholds[0]", "catalog"},
				{"no-such-form", "final_acceptance", "catalog"},
			},
		},
		{
			name: "semantic rule inside a phase",
			edit: func(s string) string {
				return strings.Replace(s, "      - key: acceptance-form", "      - key: scope-note", 1)
			},
			markers: []want{
				{"      - key: scope-note\n        name: Service", "phases[2].deliverables[0]", "catalog"},
				{"acceptance-form", "final_acceptance", "catalog"},
			},
		},
		{
			name:    "a number JSON cannot hold",
			edit:    func(s string) string { return strings.Replace(s, "value: 95", "value: .inf", 1) },
			markers: []want{{".inf", "thresholds[0].value", "yaml"}},
		},
		{
			name:    "empty file",
			edit:    func(string) string { return "# nothing\n" },
			markers: []want{{"", "", "yaml"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := tt.edit(readExample(t))
			_, err := ParseFile("x.yaml", []byte(src))
			got := FileErrors(err)
			if len(got) != len(tt.markers) {
				t.Fatalf("got %d errors, want %d:\n%v", len(got), len(tt.markers), err)
			}
			for i, w := range tt.markers {
				g := got[i]
				if g.File != "x.yaml" || g.Path != w.path || g.Rule != w.rule || g.Message == "" {
					t.Errorf("error %d = %q, want path %q rule %q", i, g.Error(), w.path, w.rule)
				}
				if w.marker == "" {
					continue
				}
				m := strings.TrimLeft(w.marker, " -")
				if at := fmt.Sprintf("%d:%d", g.Line, g.Column); at != place(t, src, m) {
					t.Errorf("error %d %q at %s, want %s", i, g.Error(), at, place(t, src, m))
				}
			}
		})
	}
}

// TestEncodeYAMLRoundTrip writes every embedded package as YAML and reads
// it back unchanged.
func TestEncodeYAMLRoundTrip(t *testing.T) {
	for _, p := range Default().Packages() {
		b, err := EncodeYAML(p, "comment")
		if err != nil {
			t.Fatal(err)
		}
		back, err := ParseFile(p.Code+".yaml", b)
		if err != nil {
			t.Fatalf("%s:\n%v", p.Code, err)
		}
		if !reflect.DeepEqual(back, p) {
			t.Errorf("%s changed in the round trip", p.Code)
		}
		if strings.Contains(string(b), "final:") {
			t.Errorf("%s: the derived final flag is written", p.Code)
		}
	}
}

// TestParseFSListsEveryFile: a package file must be listed, named for its
// code, and every listed code must have a file.
func TestParseFS(t *testing.T) {
	src := readExample(t)
	fsys := fstest.MapFS{
		"catalog.yaml":                      {Data: []byte("packages: [security-assessment, missing, renamed]\n")},
		"packages/security-assessment.yaml": {Data: []byte(src)},
		"packages/renamed.yaml":             {Data: []byte(src)},
		"packages/stray.yaml":               {Data: []byte(src)},
	}
	pkgs, err := ParseFS(fsys)
	if len(pkgs) != 1 || pkgs[0].Code != "security-assessment" {
		t.Errorf("parsed %d packages", len(pkgs))
	}
	got := FileErrors(err)
	var files []string
	for _, e := range got {
		files = append(files, e.File+" "+e.Rule)
	}
	want := []string{"catalog.yaml file", "packages/renamed.yaml file", "packages/stray.yaml file"}
	if !reflect.DeepEqual(files, want) {
		t.Errorf("errors %v, want %v:\n%v", files, want, err)
	}
}
