package catalog

import "github.com/sowflow/sowflow/plan"

// Builders for the packages tests write in Go.

func fixedUSD(amount int64, text string) Pricing {
	return Pricing{Model: PricingFixed, Currency: "USD", ListPrice: amount, Text: text}
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

func threshold(deliverable, metric string, cmp plan.Comparison, value float64, unit plan.MetricUnit, text string) Threshold {
	return Threshold{Threshold: plan.Threshold{Deliverable: deliverable, Metric: metric, Comparison: cmp, Value: value, Unit: unit, Text: text}}
}
