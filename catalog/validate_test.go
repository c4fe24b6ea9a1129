package catalog

import (
	"errors"
	"github.com/sowflow/sowflow/plan"
	"strings"
	"testing"
)

// minimal returns a small valid project package.
func minimal(code string) Package {
	return Package{
		Code:     code,
		Name:     "Minimal",
		Kind:     KindProject,
		Seed:     SeedRef{ID: "999", File: "999.txt"},
		Pricing:  fixedUSD(100, "$100/unit"),
		Validity: Validity{Type: plan.ValidityInstant, StartsOn: plan.EventPurchase, Duration: months(12), EndsOnFinalAcceptance: true},
		Clocks:   []Clock{acceptanceWindow("", "")},
		Phases: []Phase{
			{Key: "design", Name: "Design", Tasks: []Task{task("draw", "Draw", "draw it")},
				Deliverables: []Deliverable{explicit("x", "X")}},
			{Key: "closure", Name: "Closure", Deliverables: []Deliverable{explicit("final", "Final")}},
		},
		Thresholds:      []Threshold{threshold("x", "coverage", plan.AtLeast, 95, plan.Percent, "")},
		Quotas:          []Quota{{Key: "uses", Limit: 4, Period: plan.QuotaPerValidity, Deliverable: "x"}},
		FinalAcceptance: "final",
	}
}

func TestValidateMinimal(t *testing.T) {
	if err := Validate(New("v1", []Package{minimal("a"), minimal("b")})); err != nil {
		t.Fatalf("minimal catalog: %v", err)
	}
}

func TestValidateBroken(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(p *Package)
		want   []string
	}{
		{"unknown final-acceptance deliverable", func(p *Package) { p.FinalAcceptance = "nope" },
			[]string{`package lz, final acceptance: unknown deliverable "nope"`}},
		{"deemed final acceptance", func(p *Package) { p.Phases[1].Deliverables[0].Acceptance = plan.AcceptDeemed },
			[]string{`package lz, final acceptance: deliverable "final" must be accepted explicitly`}},
		{"instant without final acceptance", func(p *Package) { p.FinalAcceptance = "" },
			[]string{"package lz, validity: ends on final acceptance but the package names no final-acceptance deliverable"}},
		{"threshold on unknown deliverable", func(p *Package) { p.Thresholds[0].Deliverable = "y" },
			[]string{`package lz, threshold coverage: unknown deliverable "y"`}},
		{"threshold without a metric", func(p *Package) { p.Thresholds[0].Metric = "" },
			[]string{"package lz, threshold #1: threshold without a metric"}},
		{"threshold with unknown comparison and unit", func(p *Package) { p.Thresholds[0].Comparison = "~"; p.Thresholds[0].Unit = "mm" },
			[]string{`package lz, threshold coverage: unknown comparison "~"`, `package lz, threshold coverage: unknown unit "mm"`}},
		{"percentage above 100", func(p *Package) { p.Thresholds[0].Value = 101 },
			[]string{"package lz, threshold coverage: percentage 101 is outside 0–100"}},
		{"duplicate threshold", func(p *Package) { p.Thresholds = append(p.Thresholds, p.Thresholds[0]) },
			[]string{`package lz, threshold coverage: duplicate threshold for deliverable "x"`}},
		{"quota on unknown deliverable", func(p *Package) { p.Quotas[0].Deliverable = "z" },
			[]string{`package lz, quota uses: unknown deliverable "z"`}},
		{"quota without a limit", func(p *Package) { p.Quotas[0].Limit = 0; p.Quotas[0].Period = "decade" },
			[]string{"package lz, quota uses: limit 0 is not positive", `package lz, quota uses: unknown period "decade"`}},
		{"recurrence on unknown quota", func(p *Package) {
			p.Phases[0].Deliverables[0].Recurrence = Recurrence{Kind: plan.RecurPerQuotaUse, Quota: "nope"}
		}, []string{`package lz, phase design, deliverable x: recurs per use of unknown quota "nope"`}},
		{"empty phase", func(p *Package) { p.Phases = append(p.Phases, Phase{Key: "idle", Name: "Idle"}) },
			[]string{"package lz, phase idle: phase is empty: no tasks and no deliverables"}},
		{"no phases", func(p *Package) {
			p.Phases = nil
			p.Thresholds = nil
			p.Quotas = nil
			p.FinalAcceptance = ""
			p.Validity.Type = plan.ValidityContinuous
			p.Validity.EndsOnFinalAcceptance = false
		},
			[]string{"package lz: has no phases"}},
		{"duplicate phase key", func(p *Package) { p.Phases[1].Key = "design" },
			[]string{`package lz, phase design: duplicate phase key "design"`}},
		{"empty phase key", func(p *Package) { p.Phases[1].Key = "" },
			[]string{"package lz, phase #2: phase key is empty"}},
		{"duplicate deliverable key across phases", func(p *Package) {
			p.Phases[1].Deliverables = append(p.Phases[1].Deliverables, explicit("x", "X again"))
		},
			[]string{`package lz, phase closure, deliverable x: duplicate deliverable key "x"`}},
		{"bad deliverable key and rule", func(p *Package) {
			p.Phases[0].Deliverables[0].Key = "Bad Key"
			p.Phases[0].Deliverables[0].Acceptance = "maybe"
			p.Thresholds = nil
			p.Quotas[0].Deliverable = ""
		}, []string{`package lz, phase design, deliverable Bad Key: deliverable key "Bad Key" is not lower-case kebab-case`,
			`package lz, phase design, deliverable Bad Key: unknown acceptance rule "maybe"`}},
		{"task without scope", func(p *Package) { p.Phases[0].Tasks[0].Scope = nil },
			[]string{"package lz, phase design, task draw: scope is empty"}},
		{"condition on an option not offered", func(p *Package) {
			p.Phases[0].Tasks[0].When = &Condition{Option: OptionDesignDomains, Value: "network-planning"}
		},
			[]string{`package lz, phase design, task draw: condition on option "design_domains", which the package does not take`}},
		{"unknown option field", func(p *Package) { p.Options = []OptionSpec{{Field: "colour", Type: OptionEnum, Rule: "r"}} },
			[]string{`package lz, option colour: unknown option field "colour"`}},
		{"option type mismatch", func(p *Package) {
			p.Options = []OptionSpec{{Field: OptionUsers, Type: OptionEnum, Choices: []string{"a"}, Rule: "r"}}
		},
			[]string{`package lz, option users: type "enum" does not match the field's type "integer"`}},
		{"enum without choices", func(p *Package) {
			p.Options = []OptionSpec{{Field: OptionIOSDistribution, Type: OptionEnum, Rule: "r"}}
		}, []string{"package lz, option ios_distribution: enum option has no choices"}},
		{"fixed price without amount", func(p *Package) { p.Pricing.ListPrice = 0 },
			[]string{"package lz, pricing: fixed price 0 is not positive"}},
		{"per-user pricing incomplete", func(p *Package) { p.Pricing = Pricing{Model: PricingPerUserBlock, Currency: "USD", ListPrice: 1} },
			[]string{"package lz, pricing: per-user-block pricing needs a positive list price, included users, block users and block price"}},
		{"wrong currency", func(p *Package) { p.Pricing.Currency = "EUR" },
			[]string{`package lz, pricing: currency "EUR" is not USD`}},
		{"instant not ending on final acceptance", func(p *Package) { p.Validity.EndsOnFinalAcceptance = false },
			[]string{"package lz, validity: instant validity must end on final acceptance"}},
		{"clock warning after deadline", func(p *Package) {
			p.Clocks = append(p.Clocks, Clock{Key: "activation", StartsOn: plan.EventPurchase, Duration: naturalDays(90), Warning: ptr(naturalDays(90)), Party: plan.PartyProvider})
		}, []string{"package lz, clock activation: warning 90 natural_days is not before the deadline 90 natural_days"}},
		{"no acceptance window", func(p *Package) { p.Clocks = nil },
			[]string{"package lz: has no acceptance-window clock"}},
		{"bad service hours", func(p *Package) {
			p.ServiceHours = &ServiceHours{Open: "18:00", Close: "09:00", TimeZone: "Asia/Shanghai", Calendar: "CN"}
		},
			[]string{"package lz, service hours: open 18:00 is not before close 09:00"}},
		{"business minutes without hours", func(p *Package) {
			p.ResponseTargets = []ResponseTarget{{Severity: "routine", Target: Duration{120, UnitBusinessMinutes}}}
		}, []string{"package lz, response target routine: counts business minutes but the package has no service hours"}},
		{"lead time with unknown unit", func(p *Package) {
			p.Prerequisites = []Prerequisite{{Key: "apply", Text: "apply", LeadTime: &Duration{15, "fortnights"}, Before: plan.EventOrder}}
		}, []string{`package lz, prerequisite apply: lead time has unknown unit "fortnights"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := minimal("lz")
			tt.mutate(&p)
			err := Validate(New("v1", []Package{p}))
			if err == nil {
				t.Fatal("Validate accepted a broken catalog")
			}
			problems := err.(interface{ Unwrap() []error }).Unwrap()
			if len(problems) != len(tt.want) {
				t.Errorf("got %d problems, want %d:\n%v", len(problems), len(tt.want), err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("missing problem %q in:\n%v", w, err)
				}
			}
			for _, e := range problems {
				var pr *Problem
				if !errors.As(e, &pr) || pr.Place == "" {
					t.Errorf("problem %v does not name its place", e)
				}
			}
		})
	}
}

func TestValidateCatalogLevel(t *testing.T) {
	bad := minimal("")
	bad.Name = ""
	err := Validate(New("", []Package{minimal("a"), minimal("a"), bad}))
	for _, w := range []string{
		"catalog: version is empty",
		"package a: duplicate package code (also package #1)",
		"package #3: code is empty",
		"package #3: name is empty",
	} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("missing %q in:\n%v", w, err)
		}
	}
	if err := Validate(New("v1", nil)); err == nil || !strings.Contains(err.Error(), "catalog: holds no packages") {
		t.Errorf("empty catalog: %v", err)
	}
	if err := Validate(nil); err == nil {
		t.Error("nil catalog accepted")
	}
}

// TestValidateReportsAll checks that several problems in several packages
// are all reported at once.
func TestValidateReportsAll(t *testing.T) {
	a, b := minimal("a"), minimal("b")
	a.FinalAcceptance = "ghost"
	b.Thresholds[0].Metric = ""
	b.Phases[1].Key = "design"
	err := Validate(New("v1", []Package{a, b}))
	if got := len(err.(interface{ Unwrap() []error }).Unwrap()); got != 3 {
		t.Errorf("got %d problems, want 3:\n%v", got, err)
	}
}
