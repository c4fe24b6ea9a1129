package catalog

import (
	"testing"
	"time"

	"github.com/sowflow/sowflow/calendar"
	"github.com/sowflow/sowflow/workflows"
)

func TestPlanServicePartnerPlans(t *testing.T) {
	c := Default()
	wantMinutes := map[string]int{SeverityCritical: 15, SeverityUrgent: 40, SeverityHigh: 240, SeverityMedium: 480, SeverityLow: 1080}
	wantQuotas := map[string]map[string]struct {
		limit  int
		period workflows.ServicePeriodUnit
	}{
		"partner-selected": {QuotaHealthChecks: {1, workflows.PeriodYear}},
		"partner-premium": {QuotaHealthChecks: {1, workflows.PeriodQuarter}, QuotaCriticalTimeGuarantee: {1, workflows.PeriodYear},
			QuotaMigrationConsulting: {1, workflows.PeriodYear}, QuotaLandingZoneDesign: {1, workflows.PeriodYear}},
		"partner-elite": {QuotaHealthChecks: {1, workflows.PeriodMonth}, QuotaCriticalTimeGuarantee: {2, workflows.PeriodYear},
			QuotaMigrationConsulting: {2, workflows.PeriodYear}, QuotaLandingZoneDesign: {1, workflows.PeriodYear}},
		"partner-flagship": {QuotaHealthChecks: {1, workflows.PeriodMonth}, QuotaCriticalTimeGuarantee: {3, workflows.PeriodYear},
			QuotaMigrationConsulting: {3, workflows.PeriodYear}, QuotaLandingZoneDesign: {1, workflows.PeriodYear}},
	}
	// 15:30 UTC on 30 November is 23:30 on 30 November in CST.
	contract := time.Date(2026, 11, 30, 15, 30, 0, 0, time.UTC)
	for code, quotas := range wantQuotas {
		t.Run(code, func(t *testing.T) {
			p, err := c.Plan(code, Options{})
			if err != nil {
				t.Fatal(err)
			}
			sp, err := p.Service(contract)
			if err != nil {
				t.Fatal(err)
			}
			if sp.PackageCode != code || sp.CatalogVersion != c.Version || sp.CatalogDigest != c.Digest() {
				t.Errorf("identity %s %s %s", sp.PackageCode, sp.CatalogVersion, sp.CatalogDigest)
			}
			wantStart := time.Date(2026, 11, 30, 0, 0, 0, 0, calendar.Zone())
			wantEnd := time.Date(2027, 11, 30, 0, 0, 0, 0, calendar.Zone())
			if !sp.Start.Equal(wantStart) || !sp.End.Equal(wantEnd) {
				t.Errorf("year [%v, %v), want [%v, %v)", sp.Start, sp.End, wantStart, wantEnd)
			}
			if n := len(workflows.ServicePeriods(sp.Start, sp.End)); n != 12 {
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
			if sp.Obligations == nil {
				t.Error("obligations is nil")
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
	for _, tt := range []struct{ start, end time.Time }{
		{time.Date(2028, 2, 29, 12, 0, 0, 0, calendar.Zone()), time.Date(2029, 2, 28, 0, 0, 0, 0, calendar.Zone())},
		{time.Date(2026, 1, 31, 0, 0, 0, 0, calendar.Zone()), time.Date(2027, 1, 31, 0, 0, 0, 0, calendar.Zone())},
		// 16:00 UTC on 31 December is already 1 January in CST.
		{time.Date(2026, 12, 31, 16, 0, 0, 0, time.UTC), time.Date(2028, 1, 1, 0, 0, 0, 0, calendar.Zone())},
	} {
		sp, err := p.Service(tt.start)
		if err != nil {
			t.Fatal(err)
		}
		if !sp.End.Equal(tt.end) {
			t.Errorf("start %v: end %v, want %v", tt.start, sp.End, tt.end)
		}
		if n := len(workflows.ServicePeriods(sp.Start, sp.End)); n != 12 {
			t.Errorf("start %v: %d months", tt.start, n)
		}
	}
}

func TestPlanServiceRefusesOtherKinds(t *testing.T) {
	c := Default()
	for _, pkg := range c.Packages() {
		if pkg.Kind == KindSupportPlan {
			continue
		}
		p := Plan{Package: pkg}
		if _, err := p.Service(time.Now()); err == nil {
			t.Errorf("%s (%s): converted to a service plan", pkg.Code, pkg.Kind)
		}
	}
	p, _ := c.Plan("partner-elite", Options{})
	if _, err := p.Service(time.Time{}); err == nil {
		t.Error("a zero start converted")
	}
}
