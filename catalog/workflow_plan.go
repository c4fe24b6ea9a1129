package catalog

import (
	"github.com/sowflow/sowflow/calendar"
	"github.com/sowflow/sowflow/plan"
)

// clockMetBy names, by clock key, the deliverable whose first submission
// meets a provider clock's obligation. DingTalk Pro's activation clock is
// "deliver and notify the client of 100% activation": the Service Activation
// Confirmation Letter is that notification. A clock whose deliverable the
// package lacks is met by nothing and runs to its deadline.
var clockMetBy = map[string]string{
	ClockActivation: "service-activation-confirmation-letter",
}

// Workflow resolves the plan into the self-contained plan the project
// workflow runs (plan.Plan): phases with their selected tasks and
// deliverables, thresholds, quotas, the acceptance window, the other clocks
// and the lead-time prerequisites, stamped with the catalog version and
// digest. Lists are never nil, so the JSON form is stable.
func (p Plan) Workflow() plan.Plan {
	pkg := p.Package
	out := plan.Plan{
		PackageCode:    pkg.Code,
		PackageName:    pkg.Name,
		CatalogVersion: p.CatalogVersion,
		CatalogDigest:  p.CatalogDigest,
		PackageVersion: p.PackageVersion,
		PackageDigest:  p.PackageDigest,
		Options: plan.Options{
			DesignDomains:     append([]string(nil), p.Options.DesignDomains...),
			IOSDistribution:   p.Options.IOSDistribution,
			Users:             p.Options.Users,
			ResourceIntensive: p.Options.ResourceIntensive,
		},
		Validity: plan.Validity{
			Type:                  pkg.Validity.Type,
			StartsOn:              pkg.Validity.StartsOn,
			Duration:              spec(pkg.Validity.Duration),
			EndsOnFinalAcceptance: pkg.Validity.EndsOnFinalAcceptance,
		},
		Phases:          make([]plan.Phase, 0, len(pkg.Phases)),
		Thresholds:      make([]plan.Threshold, 0, len(pkg.Thresholds)),
		Quotas:          make([]plan.Quota, 0, len(pkg.Quotas)),
		Clocks:          []plan.Clock{},
		LeadTimes:       []plan.LeadTime{},
		FinalAcceptance: pkg.FinalAcceptance,
	}
	delivs := map[string]bool{}
	for _, ph := range pkg.Phases {
		wp := plan.Phase{
			Key:          ph.Key,
			Name:         ph.Name,
			Tasks:        make([]plan.Task, 0, len(ph.Tasks)),
			Deliverables: make([]plan.Deliverable, 0, len(ph.Deliverables)),
		}
		for _, t := range ph.Tasks {
			wp.Tasks = append(wp.Tasks, plan.Task{Key: t.Key, Name: t.Name})
		}
		for _, d := range ph.Deliverables {
			delivs[d.Key] = true
			wp.Deliverables = append(wp.Deliverables, plan.Deliverable{
				Key:             d.Key,
				Name:            d.Name,
				Acceptance:      d.Acceptance,
				Required:        d.Required,
				Final:           d.Final,
				Recurrence:      d.Recurrence.Kind,
				RecurrenceEvent: d.Recurrence.Event,
				Quota:           d.Recurrence.Quota,
			})
		}
		out.Phases = append(out.Phases, wp)
	}
	for _, t := range pkg.Thresholds {
		out.Thresholds = append(out.Thresholds, t.Threshold)
	}
	for _, q := range pkg.Quotas {
		out.Quotas = append(out.Quotas, plan.Quota{
			Key:         q.Key,
			Name:        q.Name,
			Limit:       q.Limit,
			Period:      q.Period,
			Unit:        q.Unit,
			Deliverable: q.Deliverable,
		})
	}
	for _, c := range pkg.Clocks {
		if c.Key == ClockAcceptanceWindow {
			out.AcceptanceWindow = spec(c.Duration)
			continue
		}
		wc := plan.Clock{
			Key:      c.Key,
			Name:     c.Name,
			StartsOn: c.StartsOn,
			Duration: spec(c.Duration),
			Party:    c.Party,
		}
		if c.Warning != nil {
			w := spec(*c.Warning)
			wc.Warning = &w
		}
		if d := clockMetBy[c.Key]; delivs[d] {
			wc.MetBy = d
		}
		out.Clocks = append(out.Clocks, wc)
	}
	for _, pr := range pkg.Prerequisites {
		if pr.LeadTime == nil {
			continue
		}
		out.LeadTimes = append(out.LeadTimes, plan.LeadTime{
			Key:      pr.Key,
			LeadTime: spec(*pr.LeadTime),
			From:     plan.EventApplication,
			Before:   pr.Before,
			Text:     pr.Text,
		})
	}
	return out
}

// spec converts a duration into the calendar's clock: the units are named
// after the calendar's kinds.
func spec(d Duration) calendar.Spec {
	return calendar.Spec{Kind: calendar.Kind(d.Unit), N: d.Value}
}
