package catalog

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// seedsDir finds the shared seeds directory: $SOWFLOW_SEEDS, or
// ../../shared/seeds from this package (the workspace layout).
func seedsDir(t *testing.T) string {
	t.Helper()
	for _, dir := range []string{os.Getenv("SOWFLOW_SEEDS"), filepath.Join("..", "..", "shared", "seeds")} {
		if dir == "" {
			continue
		}
		if st, err := os.Stat(dir); err == nil && st.IsDir() {
			return dir
		}
	}
	t.Skip("seeds directory not found; set SOWFLOW_SEEDS to check quotations")
	return ""
}

func squash(s string) string { return strings.Join(strings.Fields(s), " ") }

// quotations lists every field of p that quotes its seed, with its place.
func quotations(p Package) map[string]string {
	q := map[string]string{}
	add := func(place, text string) {
		if text != "" {
			q[place] = text
		}
	}
	add("goal", p.Goal)
	add("description", p.Description)
	add("pricing", p.Pricing.Text)
	for i, s := range p.Validity.Text {
		add("validity text "+itoa(i), s)
	}
	for _, o := range p.Options {
		add("option "+o.Field, o.Text)
	}
	for _, pr := range p.Prerequisites {
		add("prerequisite "+pr.Key, pr.Text)
	}
	if p.ServiceHours != nil {
		add("service hours", p.ServiceHours.Text)
	}
	for _, r := range p.ResponseTargets {
		add("response target "+r.Severity, r.Text)
	}
	for _, c := range p.Clocks {
		add("clock "+c.Key, c.Text)
	}
	for _, qu := range p.Quotas {
		add("quota "+qu.Key, qu.Text)
	}
	for _, ph := range p.Phases {
		for _, t := range ph.Tasks {
			for i, s := range t.Scope {
				add("phase "+ph.Key+", task "+t.Key+" scope "+itoa(i), s)
			}
		}
		for _, d := range ph.Deliverables {
			for i, s := range d.Requirements {
				add("phase "+ph.Key+", deliverable "+d.Key+" requirement "+itoa(i), s)
			}
			add("phase "+ph.Key+", deliverable "+d.Key+" delivery method", d.DeliveryMethod)
		}
	}
	for i, th := range p.Thresholds {
		add("threshold "+itoa(i)+" "+th.Metric, th.Text)
	}
	for i, s := range p.AcceptanceCriteria {
		add("acceptance criterion "+itoa(i), s)
	}
	for i, s := range p.Notes {
		add("note "+itoa(i), s)
	}
	return q
}

func itoa(i int) string { return strconv.Itoa(i) }

// TestQuotationsAreVerbatim holds every quoting field against the package's
// seed file: the catalog quotes the contracts, it does not paraphrase them.
func TestQuotationsAreVerbatim(t *testing.T) {
	dir := seedsDir(t)
	texts := map[string]string{}
	for _, p := range Default().Packages() {
		if _, ok := texts[p.Seed.File]; !ok {
			b, err := os.ReadFile(filepath.Join(dir, p.Seed.File))
			if err != nil {
				t.Fatalf("package %s: read seed: %v", p.Code, err)
			}
			texts[p.Seed.File] = squash(string(b))
		}
		seed := texts[p.Seed.File]
		for place, text := range quotations(p) {
			if !strings.Contains(seed, squash(text)) {
				t.Errorf("package %s, %s: not found verbatim in seed %s: %q", p.Code, place, p.Seed.ID, text)
			}
		}
	}
}
