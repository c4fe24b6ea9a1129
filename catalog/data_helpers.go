package catalog

import "github.com/sowflow/sowflow/plan"

// Seed files the catalog is encoded from (in the shared seeds directory).
const (
	seed000File = "000_c89121cb7c7fb897.txt"
	seed002File = "002_ee5cf95b26b57de4.txt"
	seed003File = "003_7ffeb3594ce551eb.txt"
)

// Design domain keys of Landing Zone: the keys of the design phase's tasks
// and the values of the design_domains option.
const (
	DomainAccountManagement  = "account-management"
	DomainNetworkPlanning    = "network-planning"
	DomainFinancialMgmt      = "financial-management"
	DomainResourceMgmt       = "resource-management"
	DomainComplianceAuditing = "compliance-auditing"
	DomainSecurityProtection = "security-protection"
)

// iOS distribution modes of App Customization.
const (
	IOSDistributionABM = "ABM"
	IOSDistributionUAD = "UAD"
)

const noteDesignWindow = "5 working days from submission, per DESIGN.md (Deliverables and acceptance); the seed states no acceptance window for this package"

func fixedUSD(amount int64, text string) Pricing {
	return Pricing{Model: PricingFixed, Currency: "USD", ListPrice: amount, Text: text}
}

func unpriced(note string) Pricing {
	return Pricing{Model: PricingUnpriced, Note: note}
}

func months(n int) Duration      { return Duration{Value: n, Unit: UnitMonths} }
func workingDays(n int) Duration { return Duration{Value: n, Unit: UnitWorkingDays} }
func naturalDays(n int) Duration { return Duration{Value: n, Unit: UnitNaturalDays} }

func ptr[T any](v T) *T { return &v }

// acceptanceWindow is the 5-working-day acceptance window every project
// deliverable gets on submission.
func acceptanceWindow(text, note string) Clock {
	return Clock{
		Key:      ClockAcceptanceWindow,
		Name:     "Acceptance window",
		StartsOn: plan.EventSubmission,
		Duration: workingDays(5),
		Party:    plan.PartyCustomer,
		OnExpiry: "deemed deliverables are accepted; explicit ones become overdue (customer reminded, delivery manager told) and keep waiting",
		Text:     text,
		Note:     note,
	}
}

func task(key, name string, scope ...string) Task {
	return Task{Key: key, Name: name, Scope: scope}
}

func once() Recurrence { return Recurrence{Kind: plan.RecurOnce} }

// explicit is a required deliverable delivered once and accepted by signature.
func explicit(key, name string, requirements ...string) Deliverable {
	return Deliverable{Key: key, Name: name, Requirements: requirements, Acceptance: plan.AcceptExplicit, Required: true, Recurrence: once()}
}

// deemed is a required deliverable delivered once and accepted by silence.
func deemed(key, name string, requirements ...string) Deliverable {
	return Deliverable{Key: key, Name: name, Requirements: requirements, Acceptance: plan.AcceptDeemed, Required: true, Recurrence: once()}
}

func (d Deliverable) recurring(r Recurrence) Deliverable { d.Recurrence = r; return d }
func (d Deliverable) delivered(method string) Deliverable {
	d.DeliveryMethod = method
	return d
}
func (d Deliverable) noted(note string) Deliverable { d.Note = note; return d }

func threshold(deliverable, metric string, cmp plan.Comparison, value float64, unit plan.MetricUnit, text string) Threshold {
	return Threshold{Threshold: plan.Threshold{Deliverable: deliverable, Metric: metric, Comparison: cmp, Value: value, Unit: unit, Text: text}}
}
