package catalog

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
)

// planDigestsFile records the digest of every plan the embedded packages
// resolve to, for the option sets of samplePlanOptions. A change to a
// package file that changes a plan shows here: check the change, then
// rewrite the file with go test ./catalog -run TestPlanDigests -update.
const planDigestsFile = "testdata/plan-digests.txt"

var update = flag.Bool("update", false, "rewrite "+planDigestsFile+" from the embedded packages")

// TestPlanDigests holds every plan of the embedded packages against the
// digests recorded in planDigestsFile.
func TestPlanDigests(t *testing.T) {
	c, err := Embedded()
	if err != nil {
		t.Fatalf("Embedded():\n%v", err)
	}
	got := planDigests(t, c)
	if *update {
		head := "# The content digest of every plan the embedded packages resolve to, one\n" +
			"# line per package and sample option set: code, options (JSON), digest.\n" +
			"# A package edit that changes a plan changes its lines. Regenerate with\n" +
			"#   go test ./catalog -run TestPlanDigests -update\n"
		if err := os.WriteFile(planDigestsFile, []byte(head+strings.Join(got, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want := readPlanDigests(t)
	for _, l := range got {
		if !slices.Contains(want, l) {
			t.Errorf("plan not recorded in %s: %s", planDigestsFile, l)
		}
	}
	for _, l := range want {
		if !slices.Contains(got, l) {
			t.Errorf("recorded plan no longer resolved: %s", l)
		}
	}
}

// sampleOptions returns option sets of the package: the required options at
// their first allowed values, then each option varied through its values
// one at a time.
func sampleOptions(p Package) []Options {
	base := Options{}
	for _, s := range p.Options {
		if s.Required {
			base = withOption(base, s, firstValue(s))
		}
	}
	out := []Options{base}
	for _, s := range p.Options {
		for _, v := range optionValues(s) {
			out = append(out, withOption(base, s, v))
		}
	}
	return out
}

func firstValue(s OptionSpec) any {
	vs := optionValues(s)
	if len(vs) == 0 {
		return nil
	}
	return vs[0]
}

func optionValues(s OptionSpec) []any {
	var out []any
	switch s.Type {
	case OptionSet:
		n := max(s.MinChoices, 1)
		for i := 0; i+n <= len(s.Choices); i++ {
			out = append(out, slices.Clone(s.Choices[i:i+n]))
		}
		if s.MaxChoices == 0 || s.MaxChoices >= len(s.Choices) {
			out = append(out, slices.Clone(s.Choices))
		}
	case OptionEnum:
		for _, c := range s.Choices {
			out = append(out, c)
		}
	case OptionInteger:
		out = append(out, max(s.Min, 1), max(s.Min, 1)+1000)
	case OptionBoolean:
		out = append(out, false, true)
	}
	return out
}

func withOption(o Options, s OptionSpec, v any) Options {
	switch s.Field {
	case OptionDesignDomains:
		o.DesignDomains, _ = v.([]string)
	case OptionIOSDistribution:
		o.IOSDistribution, _ = v.(string)
	case OptionUsers:
		o.Users, _ = v.(int)
	case OptionResourceIntensive:
		o.ResourceIntensive, _ = v.(bool)
	}
	return o
}

// planDigests resolves every package of c with its sample options and
// returns "code options-json digest" lines.
func planDigests(t *testing.T, c *Catalog) []string {
	t.Helper()
	var out []string
	for _, p := range c.Packages() {
		n := 0
		for _, o := range sampleOptions(p) {
			pl, err := c.Plan(p.Code, o)
			if err != nil {
				continue
			}
			n++
			oj, err := json.Marshal(o)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, fmt.Sprintf("%s %s %s", p.Code, oj, pl.Digest()))
		}
		if n == 0 {
			t.Errorf("package %s: no sample options resolve to a plan", p.Code)
		}
	}
	return slices.Compact(out)
}

func readPlanDigests(t *testing.T) []string {
	t.Helper()
	f, err := os.Open(planDigestsFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
