package catalog

import (
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sowflow/sowflow/plan"
	"github.com/sowflow/sowflow/sla"
)

// TestSupportCatalogOrder checks that the support plans and SLAs follow the
// projects in catalog order, with their kinds.
func TestSupportCatalogOrder(t *testing.T) {
	want := map[string]Kind{
		"partner-selected": KindSupportPlan, "partner-premium": KindSupportPlan,
		"partner-elite": KindSupportPlan, "partner-flagship": KindSupportPlan,
		"email-sla": KindSLA, "sendify-sla": KindSLA,
	}
	codes := Default().Codes()
	tail := codes[len(codes)-len(want):]
	if !slices.Equal(tail, []string{"partner-selected", "partner-premium", "partner-elite", "partner-flagship", "email-sla", "sendify-sla"}) {
		t.Fatalf("catalog ends with %v", tail)
	}
	for _, p := range Default().Packages() {
		if k, ok := want[p.Code]; ok != (p.Kind != KindProject) || ok && k != p.Kind {
			t.Errorf("package %s is of kind %s", p.Code, p.Kind)
		}
	}
}

func TestSupportPartnerPlans(t *testing.T) {
	tests := []struct {
		code         string
		health       plan.QuotaPeriod
		guarantees   int
		consulting   int
		discount     int
		deliverables []string
	}{
		{"partner-selected", plan.QuotaPerYear, 0, 0, 0, nil},
		{"partner-premium", plan.QuotaPerQuarter, 1, 1, 10, nil},
		{"partner-elite", plan.QuotaPerMonth, 2, 2, 20,
			[]string{"ticket-closure", "product-usage-service-summary-report"}},
		{"partner-flagship", plan.QuotaPerMonth, 3, 3, 30,
			[]string{"ticket-closure", "im-enterprise-group", "critical-time-guarantee-service-summary-report"}},
	}
	wantTargets := []struct {
		severity string
		minutes  int
	}{
		{SeverityCritical, 15}, {SeverityUrgent, 40}, {SeverityHigh, 4 * 60}, {SeverityMedium, 8 * 60}, {SeverityLow, 18 * 60},
	}
	c := Default()
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			p, ok := c.Package(tt.code)
			if !ok {
				t.Fatal("missing")
			}
			if p.Seed.ID != "001" || p.Kind != KindSupportPlan {
				t.Errorf("seed %s, kind %s", p.Seed.ID, p.Kind)
			}
			if v := p.Validity; v.Type != plan.ValidityServiceCycle || v.StartsOn != plan.EventPurchase || v.Duration != months(12) || v.EndsOnFinalAcceptance {
				t.Errorf("validity = %+v", v)
			}
			if len(p.ResponseTargets) != len(wantTargets) {
				t.Fatalf("%d response targets, want %d", len(p.ResponseTargets), len(wantTargets))
			}
			for i, w := range wantTargets {
				r := p.ResponseTargets[i]
				if r.Severity != w.severity || r.Target != (Duration{w.minutes, UnitMinutes}) || r.Action != "response" || r.Description == "" {
					t.Errorf("target %d = %+v, want %s in %d 7x24 minutes", i, r, w.severity, w.minutes)
				}
			}
			if p.ServiceHours != nil {
				t.Errorf("7x24 plan has business hours %+v", p.ServiceHours)
			}
			lead := p.Prerequisites[0]
			if lead.LeadTime == nil || *lead.LeadTime != workingDays(10) || lead.Before != plan.EventOrder {
				t.Errorf("lead time = %+v, want 10 working days before the order", lead)
			}

			quota := func(key string) (int, plan.QuotaPeriod) {
				q, ok := p.Quota(key)
				if !ok {
					return 0, ""
				}
				return q.Limit, q.Period
			}
			if n, per := quota(QuotaHealthChecks); n != 1 || per != tt.health {
				t.Errorf("health checks %d per %s, want 1 per %s", n, per, tt.health)
			}
			if n, per := quota(QuotaCriticalTimeGuarantee); n != tt.guarantees || (n > 0 && per != plan.QuotaPerYear) {
				t.Errorf("critical time guarantees %d per %s, want %d per year", n, per, tt.guarantees)
			}
			if n, per := quota(QuotaMigrationConsulting); n != tt.consulting || (n > 0 && per != plan.QuotaPerYear) {
				t.Errorf("migration consulting %d per %s, want %d per year", n, per, tt.consulting)
			}
			wantLZ := 0
			if tt.discount > 0 {
				wantLZ = 1
			}
			if n, _ := quota(QuotaLandingZoneDesign); n != wantLZ {
				t.Errorf("landing zone general design %d a year, want %d", n, wantLZ)
			}
			discounts := 0
			for _, it := range p.ServiceItems {
				if it.DiscountPercent != 0 {
					discounts++
					if it.DiscountPercent != tt.discount || !strings.Contains(it.Text, itoa(tt.discount)+"% discount") {
						t.Errorf("service item %s: %d%% off, text %q; want %d%%", it.Key, it.DiscountPercent, it.Text, tt.discount)
					}
				}
			}
			if (discounts == 3) != (tt.discount > 0) || (discounts == 0) != (tt.discount == 0) {
				t.Errorf("%d discounted service items", discounts)
			}

			var delivs []string
			for _, ph := range p.Phases {
				for _, d := range ph.Deliverables {
					delivs = append(delivs, d.Key)
					if d.Acceptance != plan.AcceptExplicit {
						t.Errorf("deliverable %s is %s", d.Key, d.Acceptance)
					}
				}
			}
			if !slices.Equal(delivs, tt.deliverables) {
				t.Errorf("deliverables = %v, want %v", delivs, tt.deliverables)
			}
			if d, _, ok := p.Deliverable(DeliverableTicketClosure); ok && (d.Recurrence != Recurrence{Kind: plan.RecurPerEvent, Event: "ticket"} || d.DeliveryMethod != "Ticket") {
				t.Errorf("ticket closure = %+v", d)
			}
			if _, ok := p.Clock(ClockAcceptanceWindow); ok != (len(tt.deliverables) > 0) {
				t.Errorf("acceptance window present = %v with %d deliverables", ok, len(tt.deliverables))
			}
		})
	}
}

// TestRemoteSupportTargets pins the support part of seed 000's continuous
// packages that issue 7's service workflow runs on.
func TestRemoteSupportTargets(t *testing.T) {
	c := Default()
	om, _ := c.Package("hybrid-base-remote-om")
	var keys []string
	for _, ph := range om.Phases {
		for _, d := range ph.Deliverables {
			keys = append(keys, d.Key+"/"+string(d.Recurrence.Kind))
		}
	}
	want := []string{"monthly-operations-report/monthly", "change-record/per-event", "post-incident-analysis-report/per-event", "annual-service-summary-report/once"}
	if !slices.Equal(keys, want) {
		t.Errorf("remote O&M deliverables = %v, want %v", keys, want)
	}
	if r := om.ResponseTargets; len(r) != 2 || r[0].Target != (Duration{120, UnitBusinessMinutes}) || r[1].Target != (Duration{60, UnitMinutes}) {
		t.Errorf("remote O&M targets = %+v", r)
	}
	hc, _ := c.Package("dingtalk-hybrid-cloud-compliance")
	if r := hc.ResponseTargets; len(r) != 2 || r[1].Action != "escalation" || r[1].Target != (Duration{60, UnitBusinessMinutes}) {
		t.Errorf("hybrid cloud targets = %+v", r)
	}
}

func TestSLAPackages(t *testing.T) {
	tests := []struct {
		code     string
		service  string
		measure  SLAMeasure
		interval int
	}{
		{"email-sla", SLAServiceEmail, MeasureUnavailableMinutes, 1},
		{"sendify-sla", SLAServiceSendify, MeasureErrorRateIntervals, 5},
	}
	rat := func(s string) *big.Rat {
		r, ok := new(big.Rat).SetString(s)
		if !ok {
			t.Fatalf("not a number: %q", s)
		}
		return r
	}
	c := Default()
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			p, _ := c.Package(tt.code)
			s := p.SLA
			if p.Kind != KindSLA || s == nil || p.Seed.ID != "004" {
				t.Fatalf("kind %s, sla %v, seed %s", p.Kind, s, p.Seed.ID)
			}
			if v := p.Validity; v.Type != plan.ValidityMonthly || v.Duration != months(1) {
				t.Errorf("validity = %+v", v)
			}
			if s.Service != tt.service || s.Measure != tt.measure || s.IntervalMinutes != tt.interval {
				t.Errorf("service %s, measure %s, interval %d", s.Service, s.Measure, s.IntervalMinutes)
			}
			// The catalog and the sla package state the same terms.
			if rat(s.CommitmentPct).Cmp(sla.Commitment().Percent()) != 0 || s.CapPercent != sla.CapPercent {
				t.Errorf("commitment %s, cap %d; sla package: %s, %d", s.CommitmentPct, s.CapPercent, sla.Commitment(), sla.CapPercent)
			}
			tiers := sla.Tiers()
			if len(s.Tiers) != len(tiers) {
				t.Fatalf("%d tiers, sla package %d", len(s.Tiers), len(tiers))
			}
			for i, tier := range s.Tiers {
				want := tiers[i]
				floorOK := (tier.AtLeastPct == "") == (want.AtLeast == nil) && (want.AtLeast == nil || rat(tier.AtLeastPct).Cmp(want.AtLeast) == 0)
				if !floorOK || rat(tier.BelowPct).Cmp(want.Below) != 0 || tier.Percent != want.Percent {
					t.Errorf("tier %d = %+v, sla package %+v", i, tier, want)
				}
			}
			if s.Claims.OpensAfterWorkingDay != sla.OpensAfterWorkingDay || s.Claims.ClosesAfter != months(sla.ClosesAfterMonths) {
				t.Errorf("claims = %+v", s.Claims)
			}
			if len(s.Exclusions) != 8 {
				t.Errorf("%d exclusions, want 8", len(s.Exclusions))
			}
		})
	}
}

// TestSupportQuotationsAreVerbatim holds the quoting fields that issue 7
// added (service items, severity descriptions, SLA terms) against the seeds,
// as TestQuotationsAreVerbatim does for the others.
func TestSupportQuotationsAreVerbatim(t *testing.T) {
	dir := seedsDir(t)
	for _, p := range Default().Packages() {
		b, err := os.ReadFile(filepath.Join(dir, p.Seed.File))
		if err != nil {
			t.Fatalf("package %s: read seed: %v", p.Code, err)
		}
		seed := squash(string(b))
		q := map[string]string{}
		add := func(place, text string) {
			if text != "" {
				q[place] = text
			}
		}
		for _, it := range p.ServiceItems {
			add("service item "+it.Key, it.Text)
		}
		for _, r := range p.ResponseTargets {
			add("response target "+r.Severity+" description", r.Description)
		}
		if s := p.SLA; s != nil {
			for i, d := range s.Definitions {
				add("sla definition "+itoa(i), d)
			}
			add("sla formula", s.Formula)
			add("sla commitment", s.Commitment)
			add("sla compensation", s.Compensation)
			for i, tier := range s.Tiers {
				add("sla tier "+itoa(i), tier.Text)
			}
			for i, c := range s.Claims.Text {
				add("sla claims "+itoa(i), c)
			}
			for i, e := range s.Exclusions {
				add("sla exclusion "+itoa(i), e)
			}
		}
		for place, text := range q {
			if !strings.Contains(seed, squash(text)) {
				t.Errorf("package %s, %s: not found verbatim in seed %s: %q", p.Code, place, p.Seed.ID, text)
			}
		}
	}
}

func TestValidateSupportBroken(t *testing.T) {
	c := Default()
	premium, _ := c.Package("partner-premium")
	email, _ := c.Package("email-sla")
	tests := []struct {
		name   string
		base   Package
		mutate func(p *Package)
		want   []string
	}{
		{"support plan without targets", premium, func(p *Package) { p.ResponseTargets = nil },
			[]string{"package partner-premium: support plan has no response targets"}},
		{"support plan in monthly periods", premium, func(p *Package) { p.Validity.Type = plan.ValidityMonthly },
			[]string{`package partner-premium, validity: support plan validity must be service-cycle or continuous, not "monthly"`,
				"package partner-premium, validity: only an sla package runs in monthly service periods",
				"package partner-premium, validity: a monthly service period lasts 1 months, not 12 months"}},
		{"service item on an unknown quota", premium, func(p *Package) { p.ServiceItems[3].Quota = "nope" },
			[]string{`package partner-premium, service item critical-time-guarantee: unknown quota "nope"`}},
		{"service item discount above 100", premium, func(p *Package) { p.ServiceItems[6].DiscountPercent = 120 },
			[]string{"package partner-premium, service item migration-implementation: discount 120% is outside 0–100"}},
		{"duplicate service item", premium, func(p *Package) { p.ServiceItems[1].Key = p.ServiceItems[0].Key },
			[]string{`package partner-premium, service item technical-support: duplicate service item key "technical-support"`}},
		{"service item without text", premium, func(p *Package) { p.ServiceItems[0].Text = "" },
			[]string{"package partner-premium, service item technical-support: name and text are required"}},
		{"sla block on a support plan", premium, func(p *Package) { p.SLA = email.SLA },
			[]string{"package partner-premium: only an sla package has an sla block"}},
		{"unknown validity type", premium, func(p *Package) { p.Validity.Type = "forever" },
			[]string{`package partner-premium, validity: unknown type "forever"`,
				`package partner-premium, validity: support plan validity must be service-cycle or continuous, not "forever"`}},

		{"sla without block", email, func(p *Package) { p.SLA = nil },
			[]string{"package email-sla: sla package has no sla block"}},
		{"sla on continuous validity", email, func(p *Package) { p.Validity.Type = plan.ValidityContinuous },
			[]string{`package email-sla, validity: sla validity must be monthly, not "continuous"`}},
		{"two-month periods", email, func(p *Package) { p.Validity.Duration = months(2) },
			[]string{"package email-sla, validity: a monthly service period lasts 1 months, not 2 months"}},
		{"unknown measure and no interval", email, func(p *Package) { p.SLA.Measure = "vibes"; p.SLA.IntervalMinutes = 0 },
			[]string{`package email-sla, sla: unknown measure "vibes"`, "package email-sla, sla: interval of 0 minutes is not positive"}},
		{"commitment not a number", email, func(p *Package) { p.SLA.CommitmentPct = "99.9x" },
			[]string{`package email-sla, sla: commitment "99.9x" is not a percentage above 0 and at most 100`}},
		{"commitment above 100", email, func(p *Package) { p.SLA.CommitmentPct = "100.5" },
			[]string{`package email-sla, sla: commitment "100.5" is not a percentage`}},
		{"formula missing", email, func(p *Package) { p.SLA.Formula = "" },
			[]string{"package email-sla, sla: formula, commitment and compensation must quote the seed"}},
		{"no tiers", email, func(p *Package) { p.SLA.Tiers = nil },
			[]string{"package email-sla, sla: has no compensation tiers"}},
		{"first tier not at the commitment", email, func(p *Package) { p.SLA.Tiers[0].BelowPct = "99.95" },
			[]string{"package email-sla, sla, tier #1: starts below 99.95%, not below the commitment 99.90%"}},
		{"gap between tiers", email, func(p *Package) { p.SLA.Tiers[1].BelowPct = "98.00" },
			[]string{"package email-sla, sla, tier #2: starts below 98.00%, leaving a gap or overlap with the tier above"}},
		{"floor not below the top", email, func(p *Package) { p.SLA.Tiers[0].AtLeastPct = "99.90" },
			[]string{"package email-sla, sla, tier #1: floor 99.90% is not below 99.90%",
				"package email-sla, sla, tier #2: starts below 99.00%, leaving a gap or overlap with the tier above"}},
		{"middle tier without floor", email, func(p *Package) { p.SLA.Tiers[1].AtLeastPct = "" },
			[]string{"package email-sla, sla, tier #2: only the last tier may have no floor",
				"package email-sla, sla, tier #3: starts below 95.00%, leaving a gap or overlap with the tier above"}},
		{"last tier with a floor", email, func(p *Package) { p.SLA.Tiers[2].AtLeastPct = "50" },
			[]string{"package email-sla, sla, tier #3: the last tier must have no floor, so that every availability is covered"}},
		{"compensation not rising", email, func(p *Package) { p.SLA.Tiers[1].Percent = 10 },
			[]string{"package email-sla, sla, tier #2: compensation 10% does not rise above the tier above (10%)"}},
		{"tier without text", email, func(p *Package) { p.SLA.Tiers[2].Text = "" },
			[]string{"package email-sla, sla, tier #3: text is empty"}},
		{"no cap", email, func(p *Package) { p.SLA.CapPercent = 0 },
			[]string{"package email-sla, sla: cap 0% is outside 1–100"}},
		{"claims open after no working day", email, func(p *Package) { p.SLA.Claims.OpensAfterWorkingDay = 0 },
			[]string{"package email-sla, sla, claims: opening after working day 0 is outside 1–20"}},
		{"claims close in days", email, func(p *Package) { p.SLA.Claims.ClosesAfter = naturalDays(60) },
			[]string{"package email-sla, sla, claims: closes after 60 natural_days: only months are supported"}},
		{"claims without text", email, func(p *Package) { p.SLA.Claims.Text = nil },
			[]string{"package email-sla, sla, claims: text is empty"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := clonePackage(tt.base)
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
	// The unmutated packages are valid on their own.
	if err := Validate(New("v1", []Package{premium, email})); err != nil {
		t.Errorf("partner-premium and email-sla: %v", err)
	}
}
