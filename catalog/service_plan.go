package catalog

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/sowflow/sowflow/calendar"
	"github.com/sowflow/sowflow/plan"
)

// serviceYearMonths is how long a service year runs: every package with
// response targets is valid for 12 months (the partner plans' service cycle,
// "12 months from purchase"; seed 000's continuous packages, "starts from
// the date of successful order payment and lasts for 12 months").
const serviceYearMonths = 12

// SeverityRoutine is the severity key of seed 000's "routine issues", the
// less severe of its two (the other is SeverityCritical, "critical
// failures").
const SeverityRoutine = "routine"

// ErrNoService is returned (wrapped, naming the package) by Plan.Service for
// a package that states no response targets: it has no support service to
// run, only a project.
var ErrNoService = errors.New("states no response targets, so it has no support service to run")

// ErrEndBeforeStart is returned (wrapped, naming the package) by
// Plan.Service for an end that is not after the service's start.
var ErrEndBeforeStart = errors.New("the service's end must be after its start")

// Recurrence events and the phase the service conversion reads.
const (
	// recurEventIncident is the event of a deliverable owed per incident.
	recurEventIncident = "incident"
	// phaseAnnualSummary is the phase of Remote O&M's Annual Service
	// Summary Report, owed once at the end of the service year.
	phaseAnnualSummary = "annual-summary"
)

// Service converts the support service of a package into the self-contained
// plan the service workflow runs (plan.ServicePlan). Every package with
// response targets has one: the partner support plans (seed 001), whose
// whole content it is, and two project packages of seed 000 whose support
// part runs beside their project workflow, DingTalk Hybrid Base Remote O&M
// Support and the dedicated-storage O&M of DingTalk Enterprise Hybrid Cloud
// & Compliance. A package without response targets fails with ErrNoService.
//
// start is the date the package's validity is counted from
// (Package.Validity.StartsOn): the purchase for the partner plans, the
// "successful order payment" for seed 000's continuous packages, so the
// support part of Remote O&M or Hybrid Cloud & Compliance is started with
// the same payment date as its project part and both share one validity
// year. The plan is built as follows:
//
//   - the service year starts at 00:00 CST on start's CST date and ends
//     12 months later by the months rule (DESIGN.md rule 4: at 24:00 of
//     the same day of the month, or of that month's last day when it has
//     none), as a project's validity does: 12 months from 15 January end
//     at 24:00 on 15 January of the next year; the last service month
//     takes that day (see plan.ServicePeriods). A non-zero end (the
//     order's cycle end, dates.contract_end) ends the year then instead;
//     it must be after the start;
//   - response targets are ordered from the most to the least severe (the
//     workflow ranks severities by their order; seed 000's packages list
//     routine issues before critical failures) and keep their unit and
//     action: 7x24 minutes (calendar.Minutes) for the partner plans and
//     Remote O&M's critical failures, business minutes with the package's
//     service hours (5x8, 09:00–17:00 CST) otherwise;
//   - quotas keep their limits and periods (month, quarter or year of the
//     service year); a quota counted per validity period is a yearly one,
//     since a service's validity is its year;
//   - obligations come from the package's deliverables (see
//     serviceObligations): monthly ones, per-incident ones and the annual
//     summary report. The partner plans state none the workflow tracks:
//     their Ticket Closure is per ticket and their summary reports follow
//     health-check uses (quotas).
func (p Plan) Service(start, end time.Time) (plan.ServicePlan, error) {
	pkg := p.Package
	if len(pkg.ResponseTargets) == 0 {
		return plan.ServicePlan{}, fmt.Errorf("package %s (%s): %w", pkg.Code, pkg.Kind, ErrNoService)
	}
	if start.IsZero() {
		return plan.ServicePlan{}, fmt.Errorf("package %s: the service's start date is required", pkg.Code)
	}
	day := calendar.DateOf(start)
	if end.IsZero() {
		end = addServiceMonths(day, serviceYearMonths).AddDate(0, 0, 1) // 24:00 of that day
	}
	if !end.After(day.Start()) {
		return plan.ServicePlan{}, fmt.Errorf("package %s: %w", pkg.Code, ErrEndBeforeStart)
	}
	out := plan.ServicePlan{
		PackageCode:     pkg.Code,
		PackageName:     pkg.Name,
		CatalogVersion:  p.CatalogVersion,
		CatalogDigest:   p.CatalogDigest,
		PackageVersion:  p.PackageVersion,
		PackageDigest:   p.PackageDigest,
		Start:           day.Start(),
		End:             end.In(calendar.Zone()),
		ResponseTargets: make([]plan.ResponseTarget, 0, len(pkg.ResponseTargets)),
		Quotas:          make([]plan.ServiceQuota, 0, len(pkg.Quotas)),
	}
	targets, err := serviceTargets(pkg)
	if err != nil {
		return plan.ServicePlan{}, fmt.Errorf("package %s: %w", pkg.Code, err)
	}
	out.ResponseTargets = targets
	for _, q := range pkg.Quotas {
		period := plan.ServicePeriodUnit(q.Period)
		if q.Period == plan.QuotaPerValidity {
			period = plan.PeriodYear
		}
		out.Quotas = append(out.Quotas, plan.ServiceQuota{
			Key: q.Key, Name: q.Name, Limit: q.Limit, Period: period, Unit: q.Unit,
		})
	}
	obligations, err := serviceObligations(pkg)
	if err != nil {
		return plan.ServicePlan{}, fmt.Errorf("package %s: %w", pkg.Code, err)
	}
	out.Obligations = obligations
	if err := out.Validate(); err != nil {
		return plan.ServicePlan{}, fmt.Errorf("package %s: %w", pkg.Code, err)
	}
	return out, nil
}

// serviceTargets converts the package's response targets, most severe
// first.
func serviceTargets(pkg Package) ([]plan.ResponseTarget, error) {
	out := make([]plan.ResponseTarget, 0, len(pkg.ResponseTargets))
	for _, t := range pkg.ResponseTargets {
		if _, ok := severityRank(t.Severity); !ok {
			return nil, fmt.Errorf("severity %q has no known rank", t.Severity)
		}
		s := spec(t.Target)
		switch t.Target.Unit {
		case UnitMinutes:
		case UnitBusinessMinutes:
			if pkg.ServiceHours == nil {
				return nil, fmt.Errorf("severity %s counts business minutes but the package states no service hours", t.Severity)
			}
			h, err := calendar.ParseHours(pkg.ServiceHours.Open + "-" + pkg.ServiceHours.Close)
			if err != nil {
				return nil, fmt.Errorf("service hours: %w", err)
			}
			s.Hours = h
		default:
			return nil, fmt.Errorf("severity %s: a response target counts minutes or business minutes, not %s", t.Severity, t.Target.Unit)
		}
		out = append(out, plan.ResponseTarget{
			Severity: t.Severity, Name: severityName(pkg, t.Severity), Action: t.Action, Target: s,
		})
	}
	slices.SortStableFunc(out, func(a, b plan.ResponseTarget) int {
		ra, _ := severityRank(a.Severity)
		rb, _ := severityRank(b.Severity)
		return cmp.Compare(ra, rb)
	})
	return out, nil
}

// serviceObligations derives the documents the service workflow tracks from
// the package's deliverables:
//
//   - a monthly deliverable (RecurMonthly: Remote O&M's Monthly Operations
//     Report) is a CadenceMonthly obligation; the catalog has no quarterly
//     or yearly recurrence kind;
//   - a deliverable owed per incident (RecurPerEvent, event "incident":
//     Remote O&M's Post-Incident Analysis Report) is a CadencePerIncident
//     obligation owed for the severities incidentSeverities names;
//   - a one-off deliverable of the "annual-summary" phase (Remote O&M's
//     Annual Service Summary Report, which "Compares SLA achievement rate
//     (committed vs. actual values)") is a CadenceYearly obligation: one
//     document for the service year, beside the summary of committed vs
//     actual response targets the workflow builds from its tickets when
//     the year ends.
//
// Everything else is left out. Per-change records (Remote O&M's Change
// Log/Record Form, event "change") are bound to no period and to no ticket:
// the service workflow has no change events to count them against, so they
// stay with the project workflow. Per-ticket (the partner plans' Ticket
// Closure, confirmed on the ticket itself) and per-quota-use deliverables
// (the partner plans' summary reports, one per health check) are covered by
// tickets and quotas; other one-off deliverables belong to the project part
// (Hybrid Cloud & Compliance's deployment report and audit confirmation
// letter). Hybrid Cloud & Compliance therefore owes no service obligation:
// its "root cause analysis and post-mortem reviews" are scope of its
// remote maintenance, and its acceptance criteria name no report for them.
func serviceObligations(pkg Package) ([]plan.ServiceObligation, error) {
	out := []plan.ServiceObligation{}
	for _, ph := range pkg.Phases {
		for _, d := range ph.Deliverables {
			o := plan.ServiceObligation{Key: d.Key, Name: d.Name}
			switch r := d.Recurrence; {
			case r.Kind == plan.RecurMonthly:
				o.Cadence = plan.CadenceMonthly
			case r.Kind == plan.RecurPerEvent && r.Event == recurEventIncident:
				sev, err := incidentSeverities(pkg)
				if err != nil {
					return nil, fmt.Errorf("deliverable %s: %w", d.Key, err)
				}
				o.Cadence, o.Severities = plan.CadencePerIncident, sev
			case r.Kind == plan.RecurOnce && ph.Key == phaseAnnualSummary:
				o.Cadence = plan.CadenceYearly
			default:
				continue
			}
			out = append(out, o)
		}
	}
	return out, nil
}

// incidentSeverities are the severities that call for a per-incident
// document: those answered by a 7x24 incident response, i.e. whose target
// counts wall-clock minutes, most severe first.
//
// Seed 000 ties incidents and their post-mortems to critical failures, not
// to routine issues. Remote O&M offers "emergency fault handling, problem
// diagnosis, fault review" and "monitoring & incident response,post-mortem
// analysis & improvement tracking"; its support is "b. 7x24 incident
// response (excluding 7x24 monitoring). c. 120-min response for routine
// issues and 60-min response for critical failures". Only critical failures
// get the 7x24 clock (routine issues are answered within 5x8 business
// hours), so the incidents the Post-Incident Analysis Report ("root cause
// analysis, corrective actions, and preventive measures") is owed for are
// the critical ones; routine issues are counted in the Monthly Operations
// Report ("fault statistics, issue categorization, and improvement
// measures"). For Remote O&M this gives ["critical"].
func incidentSeverities(pkg Package) ([]string, error) {
	var out []string
	for _, t := range pkg.ResponseTargets {
		if t.Target.Unit == UnitMinutes {
			out = append(out, t.Severity)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("a per-incident deliverable needs a severity with a 7x24 response to count incidents by")
	}
	slices.SortStableFunc(out, func(a, b string) int {
		ra, _ := severityRank(a)
		rb, _ := severityRank(b)
		return cmp.Compare(ra, rb)
	})
	return out, nil
}

// addServiceMonths is 00:00 CST of the date n months after d, the day
// clamped to the month's last day (rule 4 ends the period at 24:00 of that
// date).
func addServiceMonths(d calendar.Date, n int) time.Time {
	total := d.Year*12 + int(d.Month-1) + n
	y, m := total/12, time.Month(total%12+1)
	last := time.Date(y, m+1, 0, 0, 0, 0, 0, calendar.Zone()).Day()
	return time.Date(y, m, min(d.Day, last), 0, 0, 0, 0, calendar.Zone())
}

// severityRank orders the catalog's severity keys from the most severe (0).
// Ranks compare severities within one package: the partner plans' five,
// critical to low, and seed 000's two, critical failures above routine
// issues.
func severityRank(key string) (int, bool) {
	i := slices.Index([]string{SeverityCritical, SeverityUrgent, SeverityHigh, SeverityMedium, SeverityLow, SeverityRoutine}, key)
	return i, i >= 0
}

// severityName is how the package's contract prints a severity key: seed
// 000 speaks of "critical failures" and "routine issues", seed 001 of
// Critical, Urgent, High, Medium and Low.
func severityName(pkg Package, key string) string {
	if pkg.Seed.ID == "000" {
		switch key {
		case SeverityCritical:
			return "Critical failure"
		case SeverityRoutine:
			return "Routine issue"
		}
	}
	switch key {
	case SeverityCritical:
		return "Critical"
	case SeverityUrgent:
		return "Urgent"
	case SeverityHigh:
		return "High"
	case SeverityMedium:
		return "Medium"
	case SeverityLow:
		return "Low"
	}
	return key
}
