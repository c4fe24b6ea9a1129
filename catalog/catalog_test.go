package catalog

import (
	"encoding/json"
	"errors"
	"github.com/sowflow/sowflow/plan"
	"slices"
	"strings"
	"testing"
)

// releasedDigests pins the content of every released catalog version. If
// this test fails, the catalog data changed: bump Version and add a line.
var releasedDigests = map[string]string{
	"2026-11-23.1": "sha256:2f060d79faf9fea09e0e86a0eda341db32d864d8b712801aa0bc8fc378d5912b",
	"2026-11-23.2": "sha256:9231d5200e4d7ee3c4201111d90072462138f0588d533257a707ba79f5e5a831", // issue 7: partner plans, mail SLAs
	"2026-12-02.1": "sha256:637215825c8acdcf52c33db0cda13b4335693b42655bf2ce2fe89ec6770a7696", // mail SLA claims close at the end of the second month after
	"2026-12-02.2": "sha256:82f24064c837a003910f6844cec1e5823f10e58317c4c165e01931da6d07df35", // no term for seeds 002 and 003; the partner cycle's end
}

func TestDefaultIsValid(t *testing.T) {
	if err := Validate(Default()); err != nil {
		t.Fatalf("Validate(Default()):\n%v", err)
	}
}

func TestVersionPinsContent(t *testing.T) {
	c := Default()
	want, ok := releasedDigests[c.Version]
	if !ok {
		t.Fatalf("version %s has no pinned digest; add %q", c.Version, c.Digest())
	}
	if c.Digest() != want {
		t.Fatalf("catalog %s content changed (digest %s, pinned %s): bump Version and pin the new digest", c.Version, c.Digest(), want)
	}
	if Default().Digest() != c.Digest() {
		t.Fatal("Default() is not deterministic")
	}
}

// TestDesignTable holds the catalog against DESIGN.md's table for issue 4:
// every package exists, with its seed, validity and phases in order.
func TestDesignTable(t *testing.T) {
	tests := []struct {
		code     string
		seed     string
		validity plan.ValidityType
		starts   plan.Event
		phases   []string
		final    string
	}{
		{"dingtalk-pro", "000", plan.ValidityInstant, plan.EventPurchase,
			[]string{"notification", "onboarding", "activation", "support"}, "service-acceptance-confirmation"},
		{"dingtalk-enterprise-base", "000", plan.ValidityInstant, plan.EventPurchase,
			[]string{"organization-registration", "contacts-import", "app-branding", "security-features"}, "service-acceptance-confirmation"},
		{"dingtalk-app-customization", "000", plan.ValidityContinuous, plan.EventContractEffective,
			[]string{"accounts", "materials-review", "packaging-distribution"}, ""},
		{"dingtalk-access-security", "000", plan.ValidityInstant, plan.EventPurchase,
			[]string{"consultation", "design", "demo-configuration", "testing"}, "service-acceptance-confirmation"},
		{"dingtalk-hybrid-cloud-compliance", "000", plan.ValidityContinuous, plan.EventPayment,
			[]string{"network-interconnect", "dedicated-storage", "audit-delivery"}, ""},
		{"dingtalk-openness-integration", "000", plan.ValidityInstant, plan.EventPurchase,
			[]string{"feasibility", "account-migration", "message-file-migration"}, "service-acceptance-confirmation"},
		{"hybrid-base-initial-deployment", "000", plan.ValidityInstant, plan.EventPurchase,
			[]string{"deployment", "testing-uat", "handover"}, "service-acceptance-confirmation"},
		{"hybrid-base-annual-upgrade", "000", plan.ValidityContinuous, plan.EventPayment,
			[]string{"upgrade"}, ""},
		{"hybrid-base-remote-om", "000", plan.ValidityContinuous, plan.EventPayment,
			[]string{"operations", "annual-summary"}, ""},
		{"hybrid-base-project-management", "000", plan.ValidityInstant, plan.EventPurchase,
			[]string{"initiation", "planning", "execution", "monitoring", "closure"}, "project-acceptance-report"},
		{"landing-zone-basic", "003", plan.ValidityInstant, plan.EventPurchase,
			[]string{"investigation", "design", "technical-validation"}, "it-governance-solution"},
		{"landing-zone-standard", "003", plan.ValidityInstant, plan.EventPurchase,
			[]string{"investigation", "design", "technical-validation"}, "it-governance-solution"},
		{"landing-zone-advanced", "003", plan.ValidityInstant, plan.EventPurchase,
			[]string{"investigation", "design", "technical-validation", "implementation"}, "it-governance-solution"},
		{"managed-services", "002", plan.ValidityContinuous, plan.EventContractSigning,
			[]string{"kickoff", "implementation-solution", "stage-progress", "summary", "acceptance"}, "project-acceptance-report"},
	}
	c := Default()
	var codes []string
	for _, tt := range tests {
		codes = append(codes, tt.code)
		t.Run(tt.code, func(t *testing.T) {
			p, ok := c.Package(tt.code)
			if !ok {
				t.Fatalf("package %s missing", tt.code)
			}
			if p.Seed.ID != tt.seed {
				t.Errorf("seed = %s, want %s", p.Seed.ID, tt.seed)
			}
			if p.Validity.Type != tt.validity || p.Validity.StartsOn != tt.starts {
				t.Errorf("validity = %s from %s, want %s from %s", p.Validity.Type, p.Validity.StartsOn, tt.validity, tt.starts)
			}
			// Only seed 000 states a term (DESIGN.md rule 10); the partner
			// plans' cycle is 12 months by default.
			want := months(12)
			if tt.seed == "002" || tt.seed == "003" {
				want = Duration{}
			}
			if p.Validity.Duration != want {
				t.Errorf("validity duration = %s, want %s", p.Validity.Duration, want)
			}
			if got := p.PhaseKeys(); !slices.Equal(got, tt.phases) {
				t.Errorf("phases = %v, want %v", got, tt.phases)
			}
			if p.FinalAcceptance != tt.final {
				t.Errorf("final acceptance = %q, want %q", p.FinalAcceptance, tt.final)
			}
			var finals []string
			for _, ph := range p.Phases {
				for _, d := range ph.Deliverables {
					if d.Final {
						finals = append(finals, d.Key)
					}
				}
			}
			if want := []string{tt.final}; tt.final != "" && !slices.Equal(finals, want) || tt.final == "" && len(finals) != 0 {
				t.Errorf("deliverables marked final = %v, want %q", finals, tt.final)
			}
			if tt.final != "" {
				// Final acceptance is owed by the last phase.
				last := p.Phases[len(p.Phases)-1]
				if _, phase, _ := p.Deliverable(tt.final); phase != last.Key {
					t.Errorf("final acceptance owed by phase %s, want the last phase %s", phase, last.Key)
				}
			}
			if w, ok := p.Clock(ClockAcceptanceWindow); !ok || w.Duration != workingDays(5) || w.Party != plan.PartyCustomer {
				t.Errorf("acceptance window = %+v, want 5 working days, customer's clock", w)
			}
		})
	}
	var projects []string // support plans and SLAs (issue 7) follow the projects
	for _, p := range c.Packages() {
		if p.Kind == KindProject {
			projects = append(projects, p.Code)
		}
	}
	if !slices.Equal(projects, codes) {
		t.Errorf("catalog order = %v, want %v", projects, codes)
	}
}

// TestDeliverables checks the deliverables DESIGN.md names, their
// acceptance rules and their order within each phase.
func TestDeliverables(t *testing.T) {
	type d struct {
		phase, key string
		rule       plan.AcceptanceRule
	}
	tests := map[string][]d{
		"dingtalk-pro": {
			{"activation", "service-activation-confirmation-letter", plan.AcceptExplicit},
			{"support", "customer-service-group-log-report", plan.AcceptExplicit},
			{"support", "service-acceptance-confirmation", plan.AcceptExplicit},
		},
		"hybrid-base-initial-deployment": {
			{"deployment", "system-deployment-documentation", plan.AcceptExplicit},
			{"testing-uat", "uat-functional-test-report", plan.AcceptExplicit},
			{"handover", "om-handover-checklist", plan.AcceptExplicit},
			{"handover", "service-acceptance-confirmation", plan.AcceptExplicit},
		},
		"hybrid-base-annual-upgrade": {
			{"upgrade", "upgrade-plan", plan.AcceptExplicit},
			{"upgrade", "upgrade-log", plan.AcceptExplicit},
			{"upgrade", "upgrade-acceptance", plan.AcceptExplicit},
		},
		"hybrid-base-project-management": {
			{"initiation", "kickoff-documentation", plan.AcceptExplicit},
			{"planning", "project-plan", plan.AcceptExplicit},
			{"execution", "project-change-log", plan.AcceptExplicit},
			{"execution", "project-risk-list", plan.AcceptExplicit},
			{"execution", "acceptance-materials", plan.AcceptExplicit},
			{"monitoring", "stage-reports", plan.AcceptDeemed},
			{"monitoring", "weekly-progress-reports", plan.AcceptExplicit},
			{"closure", "project-acceptance-report", plan.AcceptExplicit},
		},
		"managed-services": {
			{"kickoff", "kickoff-meeting-report", plan.AcceptDeemed},
			{"implementation-solution", "implementation-solution", plan.AcceptDeemed},
			{"stage-progress", "stage-progress-report", plan.AcceptDeemed},
			{"summary", "summary-report", plan.AcceptDeemed},
			{"acceptance", "project-acceptance-report", plan.AcceptExplicit},
		},
		"hybrid-base-remote-om": {
			{"operations", "monthly-operations-report", plan.AcceptExplicit},
			{"operations", "change-record", plan.AcceptExplicit},
			{"operations", "post-incident-analysis-report", plan.AcceptExplicit},
			{"annual-summary", "annual-service-summary-report", plan.AcceptExplicit},
		},
	}
	c := Default()
	for code, want := range tests {
		t.Run(code, func(t *testing.T) {
			p, _ := c.Package(code)
			var got []d
			for _, ph := range p.Phases {
				for _, dl := range ph.Deliverables {
					got = append(got, d{ph.Key, dl.Key, dl.Acceptance})
				}
			}
			if !slices.Equal(got, want) {
				t.Errorf("deliverables =\n%v\nwant\n%v", got, want)
			}
		})
	}
	// DESIGN.md: deemed only for Managed Services project reports and PM
	// Stage Reports; everything else explicit.
	for _, p := range c.Packages() {
		for _, ph := range p.Phases {
			for _, dl := range ph.Deliverables {
				deemedOK := (p.Code == "managed-services" && dl.Key != "project-acceptance-report") ||
					(p.Code == "hybrid-base-project-management" && dl.Key == "stage-reports")
				if (dl.Acceptance == plan.AcceptDeemed) != deemedOK {
					t.Errorf("package %s, deliverable %s: acceptance %s", p.Code, dl.Key, dl.Acceptance)
				}
			}
		}
	}
}

func TestThresholds(t *testing.T) {
	tests := []struct {
		code, deliverable, metric string
		cmp                       plan.Comparison
		value                     float64
		unit                      plan.MetricUnit
	}{
		{"dingtalk-openness-integration", "data-integrity-verification-report", "migration_completeness", plan.AtLeast, 99.9, plan.Percent},
		{"dingtalk-access-security", "test-validation-record-form", "demo_pass_rate", plan.Equal, 100, plan.Percent},
		{"hybrid-base-initial-deployment", "system-deployment-documentation", "deployment_validation_pass_rate", plan.Equal, 100, plan.Percent},
		{"hybrid-base-initial-deployment", "uat-functional-test-report", "uat_core_modules", plan.AtLeast, 5, plan.Count},
		{"hybrid-base-initial-deployment", "uat-functional-test-report", "uat_scenarios", plan.AtLeast, 100, plan.Count},
		{"hybrid-base-initial-deployment", "uat-functional-test-report", "critical_blocking_defects", plan.Equal, 0, plan.Count},
		{"hybrid-base-initial-deployment", "uat-functional-test-report", "major_core_defects", plan.Equal, 0, plan.Count},
		{"hybrid-base-initial-deployment", "om-handover-checklist", "network_topology_accuracy", plan.Equal, 100, plan.Percent},
		{"hybrid-base-initial-deployment", "om-handover-checklist", "monitoring_coverage", plan.AtLeast, 95, plan.Percent},
		{"hybrid-base-annual-upgrade", "upgrade-acceptance", "core_scenario_tests_passed", plan.AtLeast, 10, plan.Count},
		{"hybrid-base-annual-upgrade", "upgrade-acceptance", "core_module_availability", plan.Equal, 100, plan.Percent},
		{"hybrid-base-annual-upgrade", "upgrade-acceptance", "p0_defects", plan.Equal, 0, plan.Count},
	}
	c := Default()
	for _, tt := range tests {
		t.Run(tt.code+"/"+tt.metric, func(t *testing.T) {
			p, _ := c.Package(tt.code)
			for _, th := range p.ThresholdsFor(tt.deliverable) {
				if th.Metric == tt.metric {
					if th.Comparison != tt.cmp || th.Value != tt.value || th.Unit != tt.unit {
						t.Errorf("threshold = %s, want %s %g %s", th, tt.cmp, tt.value, tt.unit)
					}
					return
				}
			}
			t.Errorf("no threshold %s on deliverable %s", tt.metric, tt.deliverable)
		})
	}
}

func TestCheckMeasurements(t *testing.T) {
	p, _ := Default().Package("hybrid-base-initial-deployment")
	tests := []struct {
		name     string
		measured map[string]float64
		misses   []string
	}{
		{"all met at the boundary", map[string]float64{"uat_core_modules": 5, "uat_scenarios": 100, "critical_blocking_defects": 0, "major_core_defects": 0}, nil},
		{"99 scenarios", map[string]float64{"uat_core_modules": 5, "uat_scenarios": 99, "critical_blocking_defects": 0, "major_core_defects": 0}, []string{"uat_scenarios"}},
		{"a blocking defect and 4 modules", map[string]float64{"uat_core_modules": 4, "uat_scenarios": 150, "critical_blocking_defects": 1, "major_core_defects": 0}, []string{"uat_core_modules", "critical_blocking_defects"}},
		{"nothing measured", nil, []string{"uat_core_modules", "uat_scenarios", "critical_blocking_defects", "major_core_defects"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := p.CheckMeasurements("uat-functional-test-report", tt.measured)
			var got []string
			if err != nil {
				for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
					var te *ThresholdError
					if !errors.As(e, &te) {
						t.Fatalf("error %v is not a *ThresholdError", e)
					}
					got = append(got, te.Threshold.Metric)
				}
			}
			if !slices.Equal(got, tt.misses) {
				t.Errorf("misses = %v, want %v (err: %v)", got, tt.misses, err)
			}
		})
	}
	if err := p.CheckMeasurements("om-handover-checklist", map[string]float64{"network_topology_accuracy": 100, "monitoring_coverage": 94.9}); err == nil ||
		!strings.Contains(err.Error(), "monitoring_coverage = 94.9 misses threshold monitoring_coverage >= 95 percent") {
		t.Errorf("monitoring coverage 94.9: err = %v", err)
	}
	o, _ := Default().Package("dingtalk-openness-integration")
	if err := o.CheckMeasurements("data-integrity-verification-report", map[string]float64{"migration_completeness": 99.9}); err != nil {
		t.Errorf("completeness 99.9: %v", err)
	}
	if err := o.CheckMeasurements("data-integrity-verification-report", map[string]float64{"migration_completeness": 99.89}); err == nil {
		t.Error("completeness 99.89 accepted")
	}
}

func TestQuotasAndClocks(t *testing.T) {
	c := Default()
	quotas := []struct {
		code, key   string
		limit       int
		deliverable string
	}{
		{"dingtalk-app-customization", "ios-packaging-submissions", 4, ""},
		{"hybrid-base-annual-upgrade", "upgrades", 4, "upgrade-plan"},
		{"dingtalk-openness-integration", "migration-stages", 3, ""},
	}
	for _, tt := range quotas {
		p, _ := c.Package(tt.code)
		q, ok := p.Quota(tt.key)
		if !ok || q.Limit != tt.limit || q.Period != plan.QuotaPerValidity || q.Deliverable != tt.deliverable {
			t.Errorf("package %s, quota %s = %+v, want limit %d per validity on %q", tt.code, tt.key, q, tt.limit, tt.deliverable)
		}
	}

	pro, _ := c.Package("dingtalk-pro")
	act, ok := pro.Clock(ClockActivation)
	if !ok || act.StartsOn != plan.EventPurchase || act.Duration != naturalDays(90) || act.Warning == nil ||
		*act.Warning != naturalDays(75) || act.Party != plan.PartyProvider {
		t.Errorf("dingtalk-pro activation clock = %+v", act)
	}

	om, _ := c.Package("hybrid-base-remote-om")
	if h := om.ServiceHours; h == nil || h.Schedule != "5x8" || h.Open != "09:00" || h.Close != "17:00" || h.TimeZone != "Asia/Shanghai" {
		t.Errorf("remote O&M hours = %+v", h)
	}
	wantTargets := []ResponseTarget{
		{Severity: "routine", Target: Duration{120, UnitBusinessMinutes}},
		{Severity: "critical", Target: Duration{60, UnitMinutes}},
	}
	for i, w := range wantTargets {
		if got := om.ResponseTargets[i]; got.Severity != w.Severity || got.Target != w.Target {
			t.Errorf("remote O&M target %d = %+v, want %+v", i, got, w)
		}
	}
	hc, _ := c.Package("dingtalk-hybrid-cloud-compliance")
	if h := hc.ServiceHours; h == nil || h.Open != "09:00" || h.Close != "17:00" {
		t.Errorf("hybrid cloud hours = %+v", h)
	}
	if got := hc.ResponseTargets; len(got) != 2 || got[0].Target != (Duration{120, UnitBusinessMinutes}) || got[1].Target != (Duration{60, UnitBusinessMinutes}) {
		t.Errorf("hybrid cloud targets = %+v", got)
	}

	for _, code := range []string{"landing-zone-basic", "landing-zone-standard", "landing-zone-advanced"} {
		p, _ := c.Package(code)
		if h := p.ServiceHours; h == nil || h.Open != "09:00" || h.Close != "18:00" {
			t.Errorf("%s hours = %+v", code, h)
		}
		lead := p.Prerequisites[0]
		if lead.LeadTime == nil || *lead.LeadTime != workingDays(15) || lead.Before != plan.EventOrder || lead.When != nil {
			t.Errorf("%s lead time = %+v", code, lead)
		}
		ri := p.Prerequisites[1]
		if ri.LeadTime == nil || *ri.LeadTime != months(1) || ri.When == nil || ri.When.Option != OptionResourceIntensive {
			t.Errorf("%s resource-intensive lead time = %+v", code, ri)
		}
	}
}

func TestLandingZoneDesignDomains(t *testing.T) {
	all := []string{DomainAccountManagement, DomainNetworkPlanning, DomainFinancialMgmt, DomainResourceMgmt, DomainComplianceAuditing, DomainSecurityProtection}
	c := Default()
	for _, code := range []string{"landing-zone-standard", "landing-zone-advanced"} {
		p, _ := c.Package(code)
		design, _ := p.Phase("design")
		var keys []string
		for _, tk := range design.Tasks {
			keys = append(keys, tk.Key)
			if tk.When != nil {
				t.Errorf("%s: design task %s is conditional", code, tk.Key)
			}
		}
		if !slices.Equal(keys, all) {
			t.Errorf("%s design tasks = %v, want %v", code, keys, all)
		}
	}
	tests := []struct {
		domains []string
		want    []string
	}{
		{[]string{DomainNetworkPlanning}, []string{DomainAccountManagement, DomainNetworkPlanning}},
		{[]string{DomainSecurityProtection, DomainAccountManagement}, []string{DomainAccountManagement, DomainSecurityProtection}},
	}
	for _, tt := range tests {
		plan, err := c.Plan("landing-zone-basic", Options{DesignDomains: tt.domains})
		if err != nil {
			t.Fatalf("plan %v: %v", tt.domains, err)
		}
		design, _ := plan.Package.Phase("design")
		var keys []string
		for _, tk := range design.Tasks {
			keys = append(keys, tk.Key)
		}
		if !slices.Equal(keys, tt.want) || !slices.Equal(plan.Options.DesignDomains, tt.want) {
			t.Errorf("basic with %v: design tasks %v, options %v, want %v", tt.domains, keys, plan.Options.DesignDomains, tt.want)
		}
	}
}

func TestPlan(t *testing.T) {
	c := Default()
	plan, err := c.Plan("landing-zone-advanced", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if plan.CatalogVersion != Version || plan.CatalogDigest != c.Digest() {
		t.Errorf("plan stamped %s %s", plan.CatalogVersion, plan.CatalogDigest)
	}
	if len(plan.Package.Prerequisites) != 4 {
		t.Errorf("prerequisites without resource_intensive = %d, want 4 (the one-month lead time dropped)", len(plan.Package.Prerequisites))
	}
	plan, err = c.Plan("landing-zone-advanced", Options{ResourceIntensive: true})
	if err != nil || len(plan.Package.Prerequisites) != 5 {
		t.Errorf("prerequisites with resource_intensive = %d (err %v), want 5", len(plan.Package.Prerequisites), err)
	}
	if _, err := c.Plan("landing-zone-basic", Options{}); OptionErrors(err) == nil {
		t.Errorf("basic without domains: err = %v", err)
	}
	if _, err := c.Plan("nope", Options{}); !errors.Is(err, ErrUnknownPackage) {
		t.Errorf("unknown package: err = %v", err)
	}

	// A plan is a copy: changing it does not change the catalog.
	plan.Package.Phases[0].Key = "changed"
	p, _ := c.Package("landing-zone-advanced")
	if p.Phases[0].Key != "investigation" {
		t.Error("plan shares memory with the catalog")
	}
	// A plan survives a JSON round trip unchanged (it goes into workflow input).
	b, err := json.Marshal(plan)
	if err != nil {
		t.Fatal(err)
	}
	var back Plan
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	b2, _ := json.Marshal(back)
	if string(b) != string(b2) {
		t.Error("plan changes in a JSON round trip")
	}
}

func TestPackageReturnsCopies(t *testing.T) {
	c := Default()
	p, _ := c.Package("dingtalk-pro")
	p.Phases[0].Tasks[0].Scope[0] = "changed"
	p.Clocks[0].Warning.Value = 1
	ps := c.Packages()
	ps[0].Name = "changed"
	q, _ := c.Package("dingtalk-pro")
	if q.Phases[0].Tasks[0].Scope[0] == "changed" || q.Clocks[0].Warning.Value == 1 || q.Name == "changed" {
		t.Error("Package/Packages share memory with the catalog")
	}
}

func TestCatalogJSON(t *testing.T) {
	c := Default()
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"version", "digest", "packages"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("catalog JSON lacks %q", k)
		}
	}
	// Lists are [] rather than null, for tools.
	if strings.Contains(string(b), "null") {
		t.Error("catalog JSON contains null")
	}
	// Every key is snake_case.
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if strings.ToLower(k) != k || strings.Contains(k, "-") {
					t.Errorf("JSON key %q is not snake_case", k)
				}
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(raw)

	var back Catalog
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.Version != c.Version || back.Digest() != c.Digest() {
		t.Errorf("round trip: %s %s, want %s %s", back.Version, back.Digest(), c.Version, c.Digest())
	}
}
