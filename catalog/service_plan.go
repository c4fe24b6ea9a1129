package catalog

import (
	"fmt"
	"time"

	"github.com/sowflow/sowflow/calendar"
	"github.com/sowflow/sowflow/workflows"
)

// serviceYearMonths is how long a support plan's service cycle runs (see the
// partner plans' Validity note: 12 months from purchase).
const serviceYearMonths = 12

// Service converts the plan of a support-plan package into the
// self-contained plan the service workflow runs (workflows.ServicePlan),
// for a service whose contract date is start:
//
//   - the service year starts at 00:00 CST on start's CST date and ends
//     12 months later by the months rule (DESIGN.md rule 4: the same day
//     of the month, or that month's last day when it has none), at 00:00,
//     so that it holds exactly twelve service months;
//   - response targets keep their order (most severe first) and their unit:
//     7x24 minutes for the partner plans (calendar.Minutes), business
//     minutes with the package's service hours otherwise;
//   - quotas keep their limits and periods (month, quarter or year of the
//     service year); a quota counted per validity period is a yearly one,
//     since a service's validity is its year.
//
// Obligations are not converted yet: none of the partner plans' catalog
// entries states a document obligation the service workflow tracks (their
// health checks are quotas). It fails for a package of another kind.
func (p Plan) Service(start time.Time) (workflows.ServicePlan, error) {
	pkg := p.Package
	if pkg.Kind != KindSupportPlan {
		return workflows.ServicePlan{}, fmt.Errorf("package %s is a %s, not a %s", pkg.Code, pkg.Kind, KindSupportPlan)
	}
	if start.IsZero() {
		return workflows.ServicePlan{}, fmt.Errorf("package %s: the service's start date is required", pkg.Code)
	}
	day := calendar.DateOf(start)
	from := day.Start()
	out := workflows.ServicePlan{
		PackageCode:     pkg.Code,
		PackageName:     pkg.Name,
		CatalogVersion:  p.CatalogVersion,
		CatalogDigest:   p.CatalogDigest,
		Start:           from,
		End:             addServiceMonths(day, serviceYearMonths),
		ResponseTargets: make([]workflows.ResponseTarget, 0, len(pkg.ResponseTargets)),
		Quotas:          make([]workflows.ServiceQuota, 0, len(pkg.Quotas)),
		Obligations:     []workflows.ServiceObligation{},
	}
	for _, t := range pkg.ResponseTargets {
		s := spec(t.Target)
		switch t.Target.Unit {
		case UnitMinutes:
		case UnitBusinessMinutes:
			if pkg.ServiceHours == nil {
				return workflows.ServicePlan{}, fmt.Errorf("package %s: severity %s counts business minutes but the package states no service hours", pkg.Code, t.Severity)
			}
			h, err := calendar.ParseHours(pkg.ServiceHours.Open + "-" + pkg.ServiceHours.Close)
			if err != nil {
				return workflows.ServicePlan{}, fmt.Errorf("package %s: service hours: %w", pkg.Code, err)
			}
			s.Hours = h
		default:
			return workflows.ServicePlan{}, fmt.Errorf("package %s: severity %s: a response target counts minutes or business minutes, not %s", pkg.Code, t.Severity, t.Target.Unit)
		}
		out.ResponseTargets = append(out.ResponseTargets, workflows.ResponseTarget{
			Severity: t.Severity, Name: severityName(t.Severity), Action: t.Action, Target: s,
		})
	}
	for _, q := range pkg.Quotas {
		period := workflows.ServicePeriodUnit(q.Period)
		if q.Period == QuotaPerValidity {
			period = workflows.PeriodYear
		}
		out.Quotas = append(out.Quotas, workflows.ServiceQuota{
			Key: q.Key, Name: q.Name, Limit: q.Limit, Period: period, Unit: q.Unit,
		})
	}
	if err := out.Validate(); err != nil {
		return workflows.ServicePlan{}, fmt.Errorf("package %s: %w", pkg.Code, err)
	}
	return out, nil
}

// addServiceMonths is 00:00 CST of the date n months after d, the day
// clamped to the month's last day (rule 4).
func addServiceMonths(d calendar.Date, n int) time.Time {
	total := d.Year*12 + int(d.Month-1) + n
	y, m := total/12, time.Month(total%12+1)
	last := time.Date(y, m+1, 0, 0, 0, 0, 0, calendar.Zone()).Day()
	return time.Date(y, m, min(d.Day, last), 0, 0, 0, 0, calendar.Zone())
}

// severityName is how the contracts print a severity key.
func severityName(key string) string {
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
