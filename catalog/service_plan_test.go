package catalog

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/sowflow/sowflow/calendar"
	"github.com/sowflow/sowflow/plan"
	"github.com/sowflow/sowflow/workflows"
)

func TestPlanServicePartnerPlans(t *testing.T) {
	c := Default()
	wantMinutes := map[string]int{SeverityCritical: 15, SeverityUrgent: 40, SeverityHigh: 240, SeverityMedium: 480, SeverityLow: 1080}
	wantQuotas := map[string]map[string]struct {
		limit  int
		period plan.ServicePeriodUnit
	}{
		"partner-selected": {QuotaHealthChecks: {1, plan.PeriodYear}},
		"partner-premium": {QuotaHealthChecks: {1, plan.PeriodQuarter}, QuotaCriticalTimeGuarantee: {1, plan.PeriodYear},
			QuotaMigrationConsulting: {1, plan.PeriodYear}, QuotaLandingZoneDesign: {1, plan.PeriodYear}},
		"partner-elite": {QuotaHealthChecks: {1, plan.PeriodMonth}, QuotaCriticalTimeGuarantee: {2, plan.PeriodYear},
			QuotaMigrationConsulting: {2, plan.PeriodYear}, QuotaLandingZoneDesign: {1, plan.PeriodYear}},
		"partner-flagship": {QuotaHealthChecks: {1, plan.PeriodMonth}, QuotaCriticalTimeGuarantee: {3, plan.PeriodYear},
			QuotaMigrationConsulting: {3, plan.PeriodYear}, QuotaLandingZoneDesign: {1, plan.PeriodYear}},
	}
	// 15:30 UTC on 30 November is 23:30 on 30 November in CST.
	contract := time.Date(2026, 11, 30, 15, 30, 0, 0, time.UTC)
	for code, quotas := range wantQuotas {
		t.Run(code, func(t *testing.T) {
			p, err := c.Plan(code, Options{})
			if err != nil {
				t.Fatal(err)
			}
			sp, err := p.Service(contract, time.Time{})
			if err != nil {
				t.Fatal(err)
			}
			if sp.PackageCode != code || sp.CatalogVersion != c.Version || sp.CatalogDigest != c.Digest() {
				t.Errorf("identity %s %s %s", sp.PackageCode, sp.CatalogVersion, sp.CatalogDigest)
			}
			wantStart := time.Date(2026, 11, 30, 0, 0, 0, 0, calendar.Zone())
			wantEnd := time.Date(2027, 12, 1, 0, 0, 0, 0, calendar.Zone()) // 24:00 on 30 November (rule 4)
			if !sp.Start.Equal(wantStart) || !sp.End.Equal(wantEnd) {
				t.Errorf("year [%v, %v), want [%v, %v)", sp.Start, sp.End, wantStart, wantEnd)
			}
			if n := len(plan.ServicePeriods(sp.Start, sp.End)); n != 12 {
				t.Errorf("%d service months, want 12", n)
			}
			order := []string{SeverityCritical, SeverityUrgent, SeverityHigh, SeverityMedium, SeverityLow}
			if len(sp.ResponseTargets) != len(order) {
				t.Fatalf("%d targets", len(sp.ResponseTargets))
			}
			for i, rt := range sp.ResponseTargets {
				if rt.Severity != order[i] || rt.Action != "response" || rt.Name == "" {
					t.Errorf("target %d = %+v", i, rt)
				}
				if rt.Target.Kind != calendar.Minutes || rt.Target.N != wantMinutes[rt.Severity] || !rt.Target.Hours.IsZero() {
					t.Errorf("%s target %+v, want %d 7x24 minutes", rt.Severity, rt.Target, wantMinutes[rt.Severity])
				}
			}
			if len(sp.Quotas) != len(quotas) {
				t.Errorf("quotas %+v, want %v", sp.Quotas, quotas)
			}
			for _, q := range sp.Quotas {
				w, ok := quotas[q.Key]
				if !ok || q.Limit != w.limit || q.Period != w.period || q.Name == "" {
					t.Errorf("quota %+v, want %+v", q, w)
				}
			}
			if sp.Obligations == nil || len(sp.Obligations) != 0 {
				t.Errorf("obligations %+v, want none (and not nil)", sp.Obligations)
			}
			if err := workflows.ValidateService(workflows.ServiceInput{ServiceID: "s1", CustomerID: "acme", Plan: sp}); err != nil {
				t.Errorf("the workflow refuses the plan: %v", err)
			}
		})
	}
}

func TestPlanServiceYearEnd(t *testing.T) {
	p, err := Default().Plan("partner-elite", Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Rule 4, as for a project's validity: 12 months from 15 January end
	// at 24:00 on 15 January of the next year.
	for _, tt := range []struct{ start, end time.Time }{
		{time.Date(2026, 1, 15, 9, 0, 0, 0, calendar.Zone()), time.Date(2027, 1, 16, 0, 0, 0, 0, calendar.Zone())},
		// 29 February + 12 months: 24:00 on 28 February.
		{time.Date(2028, 2, 29, 12, 0, 0, 0, calendar.Zone()), time.Date(2029, 3, 1, 0, 0, 0, 0, calendar.Zone())},
		{time.Date(2026, 1, 31, 0, 0, 0, 0, calendar.Zone()), time.Date(2027, 2, 1, 0, 0, 0, 0, calendar.Zone())},
		// 16:00 UTC on 31 December is already 1 January in CST.
		{time.Date(2026, 12, 31, 16, 0, 0, 0, time.UTC), time.Date(2028, 1, 2, 0, 0, 0, 0, calendar.Zone())},
	} {
		sp, err := p.Service(tt.start, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if !sp.End.Equal(tt.end) {
			t.Errorf("start %v: end %v, want %v", tt.start, sp.End, tt.end)
		}
		periods := plan.ServicePeriods(sp.Start, sp.End)
		if n := len(periods); n != 12 || !periods[n-1].End.Equal(tt.end) {
			t.Errorf("start %v: %d months, the last %+v", tt.start, n, periods[n-1])
		}
	}
}

// TestPlanServiceContractEnd holds a start's contract end (the order's
// service cycle end, seed 001) as the year's end, and refuses one that is
// not after the start.
func TestPlanServiceContractEnd(t *testing.T) {
	p, err := Default().Plan("partner-elite", Options{})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 3, 10, 9, 0, 0, 0, calendar.Zone())
	tests := []struct {
		name   string
		end    time.Time
		months int
		err    error
	}{
		{"six months", time.Date(2026, 9, 10, 0, 0, 0, 0, calendar.Zone()), 6, nil},
		{"two years", time.Date(2028, 3, 10, 0, 0, 0, 0, calendar.Zone()), 24, nil},
		{"at the start", time.Date(2026, 3, 10, 0, 0, 0, 0, calendar.Zone()), 0, ErrEndBeforeStart},
		{"before the start", time.Date(2026, 1, 1, 0, 0, 0, 0, calendar.Zone()), 0, ErrEndBeforeStart},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sp, err := p.Service(start, tc.end)
			if !errors.Is(err, tc.err) {
				t.Fatalf("error %v, want %v", err, tc.err)
			}
			if err != nil {
				return
			}
			if !sp.End.Equal(tc.end) || len(plan.ServicePeriods(sp.Start, sp.End)) != tc.months {
				t.Errorf("year [%v, %v) of %d months, want the end %v and %d months", sp.Start, sp.End,
					len(plan.ServicePeriods(sp.Start, sp.End)), tc.end, tc.months)
			}
		})
	}
}

// TestPlanServiceProjectPackages holds the support part of seed 000's two
// project packages with response targets against the seed: the whole
// converted plan.
func TestPlanServiceProjectPackages(t *testing.T) {
	c := Default()
	hours := calendar.Hours{Open: 9 * time.Hour, Close: 17 * time.Hour}
	// Paid on 31 January 2027 at 10:00 CST: the year ends on 31 January
	// 2028 at 00:00, and its second month is 28 February to 30 March.
	paid := time.Date(2027, 1, 31, 10, 0, 0, 0, calendar.Zone())
	for _, tt := range []struct {
		code string
		opts Options
		want plan.ServicePlan
	}{
		{
			code: "hybrid-base-remote-om",
			opts: Options{Users: 10000},
			want: plan.ServicePlan{
				PackageCode: "hybrid-base-remote-om", PackageName: "DingTalk Hybrid Base Remote O&M Support",
				ResponseTargets: []plan.ResponseTarget{
					{Severity: SeverityCritical, Name: "Critical failure", Action: "response",
						Target: calendar.Spec{Kind: calendar.Minutes, N: 60}},
					{Severity: SeverityRoutine, Name: "Routine issue", Action: "response",
						Target: calendar.Spec{Kind: calendar.BusinessMinutes, N: 120, Hours: hours}},
				},
				Quotas: []plan.ServiceQuota{},
				Obligations: []plan.ServiceObligation{
					{Key: "monthly-operations-report", Name: "Monthly Operations Report", Cadence: plan.CadenceMonthly},
					{Key: "post-incident-analysis-report", Name: "Post-Incident Analysis Report", Cadence: plan.CadencePerIncident,
						Severities: []string{SeverityCritical}},
					{Key: "annual-service-summary-report", Name: "Annual Service Summary Report", Cadence: plan.CadenceYearly},
				},
			},
		},
		{
			code: "dingtalk-hybrid-cloud-compliance",
			want: plan.ServicePlan{
				PackageCode: "dingtalk-hybrid-cloud-compliance", PackageName: "DingTalk Enterprise Hybrid Cloud & Compliance Service Package",
				ResponseTargets: []plan.ResponseTarget{
					{Severity: SeverityCritical, Name: "Critical failure", Action: "escalation",
						Target: calendar.Spec{Kind: calendar.BusinessMinutes, N: 60, Hours: hours}},
					{Severity: SeverityRoutine, Name: "Routine issue", Action: "response",
						Target: calendar.Spec{Kind: calendar.BusinessMinutes, N: 120, Hours: hours}},
				},
				Quotas:      []plan.ServiceQuota{},
				Obligations: []plan.ServiceObligation{},
			},
		},
	} {
		t.Run(tt.code, func(t *testing.T) {
			p, err := c.Plan(tt.code, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if p.Package.Kind != KindProject {
				t.Fatalf("%s is a %s; the test is about project packages", tt.code, p.Package.Kind)
			}
			got, err := p.Service(paid, time.Time{})
			if err != nil {
				t.Fatal(err)
			}
			wantStart := time.Date(2027, 1, 31, 0, 0, 0, 0, calendar.Zone())
			wantEnd := time.Date(2028, 2, 1, 0, 0, 0, 0, calendar.Zone()) // 24:00 on 31 January
			if !got.Start.Equal(wantStart) || !got.End.Equal(wantEnd) {
				t.Errorf("year [%v, %v), want [%v, %v)", got.Start, got.End, wantStart, wantEnd)
			}
			periods := plan.ServicePeriods(got.Start, got.End)
			if len(periods) != 12 || !periods[1].Start.Equal(time.Date(2027, 2, 28, 0, 0, 0, 0, calendar.Zone())) {
				t.Errorf("service months %+v, want 12 from 31 January", periods)
			}
			want := tt.want
			want.CatalogVersion, want.CatalogDigest = c.Version, c.Digest()
			pv, _ := c.PackageVersion(tt.code)
			want.PackageVersion, want.PackageDigest = 1, pv.Digest
			want.Start, want.End = got.Start, got.End
			if !reflect.DeepEqual(got, want) {
				t.Errorf("plan\n got %+v\nwant %+v", got, want)
			}
			if err := workflows.ValidateService(workflows.ServiceInput{ServiceID: "s1", CustomerID: "acme", Plan: got}); err != nil {
				t.Errorf("the workflow refuses the plan: %v", err)
			}
		})
	}
}

// TestPlanServiceRefusesPackagesWithoutTargets: a package without response
// targets has no service part; the error names it and is ErrNoService.
func TestPlanServiceRefusesPackagesWithoutTargets(t *testing.T) {
	c := Default()
	for _, tt := range []struct {
		code string
		opts Options
	}{
		{"dingtalk-pro", Options{}},
		{"hybrid-base-annual-upgrade", Options{}},
		{"hybrid-base-project-management", Options{}},
		{"managed-services", Options{}},
		{"email-sla", Options{}},
	} {
		t.Run(tt.code, func(t *testing.T) {
			p, err := c.Plan(tt.code, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			_, err = p.Service(time.Date(2027, 1, 1, 0, 0, 0, 0, calendar.Zone()), time.Time{})
			if !errors.Is(err, ErrNoService) {
				t.Fatalf("error %v, want ErrNoService", err)
			}
			if !strings.Contains(err.Error(), "package "+tt.code+" ") {
				t.Errorf("error %q does not name the package", err)
			}
		})
	}
	p, _ := c.Plan("partner-elite", Options{})
	if _, err := p.Service(time.Time{}, time.Time{}); err == nil {
		t.Error("a zero start converted")
	}
}

// TestPlanServiceEveryPackage walks the catalog: every package with
// response targets converts into a plan the workflow accepts, over the
// 12-month validity the service year assumes; every other one is refused
// with ErrNoService.
func TestPlanServiceEveryPackage(t *testing.T) {
	c := Default()
	start := time.Date(2026, 12, 1, 9, 0, 0, 0, calendar.Zone())
	services := 0
	for _, pkg := range c.Packages() {
		t.Run(pkg.Code, func(t *testing.T) {
			p := Plan{CatalogVersion: c.Version, CatalogDigest: c.Digest(), Package: pkg}
			out, err := p.Service(start, time.Time{})
			if len(pkg.ResponseTargets) == 0 {
				if !errors.Is(err, ErrNoService) {
					t.Errorf("error %v, want ErrNoService", err)
				}
				return
			}
			services++
			if err != nil {
				t.Fatal(err)
			}
			if err := out.Validate(); err != nil {
				t.Errorf("Validate: %v", err)
			}
			if pkg.Validity.Duration != months(serviceYearMonths) {
				t.Errorf("validity %s, but the service year is %d months", pkg.Validity.Duration, serviceYearMonths)
			}
			if len(out.ResponseTargets) != len(pkg.ResponseTargets) {
				t.Errorf("%d targets, want %d", len(out.ResponseTargets), len(pkg.ResponseTargets))
			}
			for i := 1; i < len(out.ResponseTargets); i++ {
				a, _ := severityRank(out.ResponseTargets[i-1].Severity)
				b, _ := severityRank(out.ResponseTargets[i].Severity)
				if a >= b {
					t.Errorf("targets not most severe first: %+v", out.ResponseTargets)
				}
			}
		})
	}
	if services != 6 {
		t.Errorf("%d packages convert, want 6 (four partner plans, Remote O&M, Hybrid Cloud & Compliance)", services)
	}
}
