package catalog

import (
	"slices"
	"strings"
	"testing"
)

func TestDiff(t *testing.T) {
	base, err := ParseFile(exampleFile, []byte(readExample(t)))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		edit func(*Package)
		want []string
	}{
		{"same", func(*Package) {}, nil},
		{"price", func(p *Package) { p.Pricing.ListPrice = 15000 }, []string{"~ pricing.list_price: 12000 → 15000"}},
		{"acceptance rule", func(p *Package) { p.Phases[0].Deliverables[0].Acceptance = "explicit" },
			[]string{"~ phases[kickoff].deliverables[scope-note].acceptance: deemed → explicit"}},
		{"clock removed and changed", func(p *Package) {
			p.Clocks = p.Clocks[1:]
			p.Clocks[0].Duration.Value = 20
		}, []string{
			`- clocks[acceptance-window]: "Acceptance window"`,
			"~ clocks[delivery].duration.value: 30 → 20",
		}},
		{"deliverable added", func(p *Package) {
			p.Phases[1].Deliverables = append(p.Phases[1].Deliverables, Deliverable{Key: "retest-report", Name: "Retest report", Acceptance: "deemed", Recurrence: Recurrence{Kind: "once"}})
		}, []string{`+ phases[assessment].deliverables[retest-report]: "Retest report"`}},
		{"deliverable added to an empty list", func(p *Package) {
			p.Phases[1].Deliverables = nil
		}, []string{`- phases[assessment].deliverables[findings-report]: "Findings report"`}},
		{"phases reordered", func(p *Package) { p.Phases[0], p.Phases[1] = p.Phases[1], p.Phases[0] }, []string{
			"↕ phases[kickoff]: moved from position 1 to 2",
			"↕ phases[assessment]: moved from position 2 to 1",
		}},
		{"quoted text", func(p *Package) { p.Validity.Text = []string{"Valid for four months."} }, []string{
			`- validity.text[0]: "The service is valid for three months from purchase."`,
			`+ validity.text[0]: "Valid for four months."`,
		}},
		{"threshold", func(p *Package) { p.Thresholds[0].Value = 90 }, []string{"~ thresholds[findings-report/coverage].value: 95 → 90"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := clonePackage(base)
			tt.edit(&b)
			b = clonePackage(b)
			changes, err := Diff(base, b)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, c := range changes {
				got = append(got, c.String())
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Diff:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}
