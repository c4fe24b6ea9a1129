package catalog

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/sowflow/sowflow/calendar"
	"github.com/sowflow/sowflow/plan"
	"github.com/sowflow/sowflow/workflows"
)

// workflowPlanOptions are valid start options for each package that takes
// any.
func workflowPlanOptions(code string) Options {
	switch code {
	case "landing-zone-basic":
		return Options{DesignDomains: []string{DomainNetworkPlanning}}
	case "dingtalk-app-customization":
		return Options{IOSDistribution: IOSDistributionABM}
	case "hybrid-base-remote-om":
		return Options{Users: 25000}
	}
	return Options{}
}

func TestPlanWorkflow(t *testing.T) {
	c := Default()
	at := time.Date(2026, 3, 2, 10, 0, 0, 0, calendar.Zone())
	dates := workflows.ContractDates{Purchase: at, Payment: at, ContractEffective: at, ContractSigning: at,
		Application: at.AddDate(0, -2, 0), Order: at}
	projects := 0
	for _, code := range c.Codes() {
		pkg, _ := c.Package(code)
		if pkg.Kind != KindProject {
			continue // support plans run as services, SLAs as monthly periods
		}
		projects++
		t.Run(code, func(t *testing.T) {
			resolved, err := c.Plan(code, workflowPlanOptions(code))
			if err != nil {
				t.Fatal(err)
			}
			w := resolved.Workflow()
			if w.PackageCode != code || w.PackageName != pkg.Name || w.CatalogVersion != Version || w.CatalogDigest != resolved.CatalogDigest {
				t.Errorf("identity = %s %q %s %s", w.PackageCode, w.PackageName, w.CatalogVersion, w.CatalogDigest)
			}
			if want := (calendar.Spec{Kind: calendar.WorkingDays, N: 5}); w.AcceptanceWindow != want {
				t.Errorf("acceptance window = %+v, want %+v", w.AcceptanceWindow, want)
			}
			// Seed 000 states 12 months; seeds 002 and 003 state no term.
			want := calendar.Spec{Kind: calendar.Months, N: 12}
			if pkg.Seed.ID != "000" {
				want = calendar.Spec{}
			}
			if w.Validity.Duration != want {
				t.Errorf("validity = %+v, want %+v", w.Validity.Duration, want)
			}
			if string(w.Validity.StartsOn) != string(pkg.Validity.StartsOn) || w.Validity.EndsOnFinalAcceptance != pkg.Validity.EndsOnFinalAcceptance {
				t.Errorf("validity = %+v, package %+v", w.Validity, pkg.Validity)
			}
			if len(w.Phases) != len(pkg.Phases) {
				t.Fatalf("%d phases, package has %d", len(w.Phases), len(pkg.Phases))
			}
			for i, ph := range pkg.Phases {
				wp := w.Phases[i]
				if wp.Key != ph.Key || len(wp.Deliverables) != len(ph.Deliverables) {
					t.Errorf("phase %d = %s with %d deliverables, package %s with %d", i, wp.Key, len(wp.Deliverables), ph.Key, len(ph.Deliverables))
					continue
				}
				for j, d := range ph.Deliverables {
					wd := wp.Deliverables[j]
					if wd.Key != d.Key || string(wd.Acceptance) != string(d.Acceptance) || wd.Required != d.Required ||
						wd.Final != d.Final || string(wd.Recurrence) != string(d.Recurrence.Kind) || wd.Quota != d.Recurrence.Quota {
						t.Errorf("deliverable %+v, package %+v", wd, d)
					}
				}
			}
			if w.FinalAcceptance != pkg.FinalAcceptance || len(w.Thresholds) != len(pkg.Thresholds) || len(w.Quotas) != len(pkg.Quotas) {
				t.Errorf("final %q, %d thresholds, %d quotas", w.FinalAcceptance, len(w.Thresholds), len(w.Quotas))
			}
			for _, wc := range w.Clocks {
				if wc.Key == ClockAcceptanceWindow {
					t.Errorf("the acceptance window is listed among the clocks")
				}
			}

			// Stable JSON: no nulls for lists, and a round trip changes nothing.
			b, err := json.Marshal(w)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(b), "null") {
				t.Errorf("JSON holds null: %s", b)
			}
			var back plan.Plan
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(back, w) {
				t.Errorf("JSON round trip changed the plan:\n%+v\n%+v", back, w)
			}

			in := workflows.ProjectInput{ProjectID: "p1", CustomerID: "c1", Plan: w, Dates: dates,
				StartedBy: workflows.Actor{Subject: "m", Role: workflows.RoleManager}, RequestID: "r1"}
			if err := workflows.ValidateStart(in); err != nil {
				t.Errorf("ValidateStart: %v", err)
			}
			if err := workflows.CheckLeadTimes(in, calendar.China().Deadline); err != nil {
				t.Errorf("CheckLeadTimes: %v", err)
			}
		})
	}
	if projects < 10 {
		t.Errorf("%d project packages in the catalog, want every seed 000, 002 and 003 package", projects)
	}
}

func TestPlanWorkflowClocks(t *testing.T) {
	resolved, err := Default().Plan("dingtalk-pro", Options{})
	if err != nil {
		t.Fatal(err)
	}
	w := resolved.Workflow()
	warn := calendar.Spec{Kind: calendar.NaturalDays, N: 75}
	want := []plan.Clock{{
		Key: ClockActivation, Name: "100% activation notified", StartsOn: plan.EventPurchase,
		Duration: calendar.Spec{Kind: calendar.NaturalDays, N: 90}, Warning: &warn,
		Party: plan.PartyProvider, MetBy: "service-activation-confirmation-letter",
	}}
	if !reflect.DeepEqual(w.Clocks, want) {
		t.Errorf("clocks = %+v, want %+v", w.Clocks, want)
	}
}

func TestPlanWorkflowLandingZone(t *testing.T) {
	c := Default()
	tasks := func(w plan.Plan, phase string) []string {
		var out []string
		for _, ph := range w.Phases {
			if ph.Key == phase {
				for _, t := range ph.Tasks {
					out = append(out, t.Key)
				}
			}
		}
		return out
	}
	phases := func(w plan.Plan) []string {
		var out []string
		for _, ph := range w.Phases {
			out = append(out, ph.Key)
		}
		return out
	}
	tests := []struct {
		code      string
		opts      Options
		design    []string
		phases    []string
		leadTimes []string
	}{
		{"landing-zone-basic", Options{DesignDomains: []string{DomainNetworkPlanning}},
			[]string{DomainAccountManagement, DomainNetworkPlanning},
			[]string{"investigation", "design", "technical-validation"}, []string{"application-lead-time"}},
		{"landing-zone-basic", Options{DesignDomains: []string{DomainSecurityProtection}, ResourceIntensive: true},
			[]string{DomainAccountManagement, DomainSecurityProtection},
			[]string{"investigation", "design", "technical-validation"}, []string{"application-lead-time", "resource-intensive-lead-time"}},
		{"landing-zone-standard", Options{}, nil,
			[]string{"investigation", "design", "technical-validation"}, []string{"application-lead-time"}},
		{"landing-zone-advanced", Options{}, nil,
			[]string{"investigation", "design", "technical-validation", "implementation"}, []string{"application-lead-time"}},
	}
	for _, tc := range tests {
		t.Run(tc.code, func(t *testing.T) {
			resolved, err := c.Plan(tc.code, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			w := resolved.Workflow()
			if got := phases(w); !reflect.DeepEqual(got, tc.phases) {
				t.Errorf("phases = %v, want %v", got, tc.phases)
			}
			if got := tasks(w, "design"); tc.design != nil && !reflect.DeepEqual(got, tc.design) {
				t.Errorf("design tasks = %v, want %v", got, tc.design)
			} else if tc.design == nil && len(got) != 6 {
				t.Errorf("design tasks = %v, want all six domains", got)
			}
			var lts []string
			for _, lt := range w.LeadTimes {
				lts = append(lts, lt.Key)
				if lt.From != plan.EventApplication || lt.Before != plan.EventOrder {
					t.Errorf("lead time %s counts from %s before %s", lt.Key, lt.From, lt.Before)
				}
			}
			if !reflect.DeepEqual(lts, tc.leadTimes) {
				t.Errorf("lead times = %v, want %v", lts, tc.leadTimes)
			}
		})
	}
}
