package plan

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sowflow/sowflow/calendar"
)

// ServicePlan is everything the service workflow needs to know about a
// continuous support package (a Partner Growth Plan, Remote O&M, the support
// part of Hybrid Cloud & Compliance): a self-contained, JSON-stable copy made
// when the service starts, so an edited catalog never changes a running
// service (catalog.Plan.Service builds it).
type ServicePlan struct {
	// PackageCode and PackageName identify the catalog package.
	PackageCode string `json:"package_code"`
	PackageName string `json:"package_name"`
	// CatalogVersion and CatalogDigest identify the catalog the plan was
	// resolved from.
	CatalogVersion string `json:"catalog_version"`
	CatalogDigest  string `json:"catalog_digest,omitempty"`
	// PackageVersion and PackageDigest name the version of the package the
	// plan was resolved from: 1 for the package compiled into the binary,
	// later numbers for versions uploaded and published since. Plans made
	// before package versions existed have neither.
	PackageVersion int    `json:"package_version,omitempty"`
	PackageDigest  string `json:"package_digest,omitempty"`
	// Start and End bound the service year, [Start, End). The year is cut
	// into service months counted from Start (see ServicePeriods); quarters
	// are three service months.
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	// ResponseTargets are the ticket response clocks, one per severity,
	// from the most severe to the least (the order ranks severities).
	ResponseTargets []ResponseTarget `json:"response_targets"`
	// Quotas limit how often an entitlement may be used per period.
	Quotas []ServiceQuota `json:"quotas"`
	// Obligations are the documents the provider owes per period or per
	// incident.
	Obligations []ServiceObligation `json:"obligations"`
}

// ResponseTarget is the response clock of one ticket severity.
type ResponseTarget struct {
	// Severity is the severity's key ("critical", "urgent", "routine").
	Severity string `json:"severity"`
	// Name is the severity's name as the contract prints it.
	Name string `json:"name,omitempty"`
	// Action is what must happen within the target: "response" or
	// "escalation".
	Action string `json:"action"`
	// Target is the time allowed: calendar.Minutes for a 7x24 clock, or
	// calendar.BusinessMinutes with Hours for a business-hour clock.
	Target calendar.Spec `json:"target"`
}

// ServicePeriodUnit is the length of a period a quota or obligation counts
// in.
type ServicePeriodUnit string

// Service period units. The strings match catalog.QuotaPeriod's.
const (
	PeriodMonth   ServicePeriodUnit = "month"
	PeriodQuarter ServicePeriodUnit = "quarter"
	PeriodYear    ServicePeriodUnit = "year"
)

// Months is how many service months a period of the unit spans; 0 for an
// unknown unit.
func (u ServicePeriodUnit) Months() int {
	switch u {
	case PeriodMonth:
		return 1
	case PeriodQuarter:
		return 3
	case PeriodYear:
		return 12
	}
	return 0
}

// ServiceQuota limits how often an entitlement (a health check, a Critical
// Time Guarantee, a migration consultation) may be used in each period; the
// use past Limit is refused (workflows.RuleQuotaExhausted) and the count resets at
// the next period boundary.
type ServiceQuota struct {
	Key    string            `json:"key"`
	Name   string            `json:"name"`
	Limit  int               `json:"limit"`
	Period ServicePeriodUnit `json:"period"`
	// Unit names one use ("health check", "guarantee").
	Unit string `json:"unit,omitempty"`
}

// Cadence says how often an obligation is owed.
type Cadence string

// Cadences.
const (
	CadenceMonthly   Cadence = "monthly"
	CadenceQuarterly Cadence = "quarterly"
	CadenceYearly    Cadence = "yearly"
	// CadencePerIncident: one submission per ticket of the obligation's
	// Severities (all severities when none is listed), naming the ticket.
	CadencePerIncident Cadence = "per-incident"
)

// Unit is the period a periodic cadence counts in ("" for per-incident and
// unknown cadences).
func (c Cadence) Unit() ServicePeriodUnit {
	switch c {
	case CadenceMonthly:
		return PeriodMonth
	case CadenceQuarterly:
		return PeriodQuarter
	case CadenceYearly:
		return PeriodYear
	}
	return ""
}

// ServiceObligation is a document the provider owes: Count submissions per
// period of its cadence (a monthly operations report, a quarterly health
// check), or one per incident (a post-incident analysis report). When a
// period ends with fewer submissions the obligation is recorded as missed
// for that period.
type ServiceObligation struct {
	Key     string  `json:"key"`
	Name    string  `json:"name"`
	Cadence Cadence `json:"cadence"`
	// Count is how many submissions each period owes; 0 means 1. Unused for
	// per-incident obligations.
	Count int `json:"count,omitempty"`
	// Severities are the ticket severities that call for a per-incident
	// submission; empty means every ticket.
	Severities []string `json:"severities,omitempty"`
}

// Due is how many submissions each period owes.
func (o ServiceObligation) Due() int {
	if o.Count > 0 {
		return o.Count
	}
	return 1
}

// OwedFor reports whether a ticket of the severity calls for a per-incident
// submission.
func (o ServiceObligation) OwedFor(severity string) bool {
	if o.Cadence != CadencePerIncident {
		return false
	}
	if len(o.Severities) == 0 {
		return true
	}
	for _, s := range o.Severities {
		if s == severity {
			return true
		}
	}
	return false
}

// Target returns the response target of the severity and its rank (0 is the
// most severe), or -1.
func (p *ServicePlan) Target(severity string) (ResponseTarget, int) {
	for i, t := range p.ResponseTargets {
		if t.Severity == severity {
			return t, i
		}
	}
	return ResponseTarget{}, -1
}

// ObligationIndex returns the index of the obligation with the key, or -1.
func (p *ServicePlan) ObligationIndex(key string) int {
	for i, o := range p.Obligations {
		if o.Key == key {
			return i
		}
	}
	return -1
}

// Severities lists the plan's severity keys in rank order.
func (p *ServicePlan) Severities() []string {
	out := make([]string, len(p.ResponseTargets))
	for i, t := range p.ResponseTargets {
		out[i] = t.Severity
	}
	return out
}

// maxServiceMonths bounds a service year's length (a plan may run a little
// over a year; nothing runs for longer than two).
const maxServiceMonths = 24

// Validate checks the plan: identifiers, a service year of at most
// maxServiceMonths months, unique severities with valid 7x24 or
// business-minute targets, and unique quotas and obligations with known
// periods. Errors are *StartError values naming the plan field, joined.
func (p *ServicePlan) Validate() error {
	var errs []error
	add := func(field, rule, format string, args ...any) {
		errs = append(errs, &StartError{Field: "plan." + field, Rule: rule, Message: fmt.Sprintf(format, args...)})
	}
	if strings.TrimSpace(p.PackageCode) == "" {
		add("package_code", StartRuleRequired, "package code is required")
	}
	switch {
	case p.Start.IsZero() || p.End.IsZero():
		add("start", StartRuleRequired, "the service year's start and end are required")
	case !p.End.After(p.Start):
		add("end", StartRuleInvalid, "the service year must end after it starts")
	case len(ServicePeriods(p.Start, p.End)) > maxServiceMonths:
		add("end", StartRuleInvalid, "the service year spans more than %d months", maxServiceMonths)
	}
	if len(p.ResponseTargets) == 0 {
		add("response_targets", StartRuleRequired, "at least one response target is required")
	}
	seen := map[string]bool{}
	for i, t := range p.ResponseTargets {
		f := fmt.Sprintf("response_targets[%d]", i)
		switch {
		case strings.TrimSpace(t.Severity) == "":
			add(f+".severity", StartRuleRequired, "severity is required")
		case seen[t.Severity]:
			add(f+".severity", StartRuleInvalid, "severity %q is given twice", t.Severity)
		}
		seen[t.Severity] = true
		if t.Target.Kind != calendar.Minutes && t.Target.Kind != calendar.BusinessMinutes {
			add(f+".target.kind", StartRuleUnsupported, "a response target counts minutes or business_minutes, not %q", t.Target.Kind)
		} else if err := t.Target.Validate(); err != nil {
			add(f+".target", StartRuleInvalid, "%v", err)
		} else if t.Target.N < 1 {
			add(f+".target.n", StartRuleInvalid, "a response target is at least one minute")
		}
	}
	keys := map[string]bool{}
	for i, q := range p.Quotas {
		f := fmt.Sprintf("quotas[%d]", i)
		switch {
		case strings.TrimSpace(q.Key) == "":
			add(f+".key", StartRuleRequired, "key is required")
		case keys[q.Key]:
			add(f+".key", StartRuleInvalid, "quota %q is given twice", q.Key)
		}
		keys[q.Key] = true
		if q.Limit < 0 {
			add(f+".limit", StartRuleInvalid, "limit must not be negative")
		}
		if q.Period.Months() == 0 {
			add(f+".period", StartRuleInvalid, "unknown period %q (want month, quarter or year)", q.Period)
		}
	}
	keys = map[string]bool{}
	for i, o := range p.Obligations {
		f := fmt.Sprintf("obligations[%d]", i)
		switch {
		case strings.TrimSpace(o.Key) == "":
			add(f+".key", StartRuleRequired, "key is required")
		case keys[o.Key]:
			add(f+".key", StartRuleInvalid, "obligation %q is given twice", o.Key)
		}
		keys[o.Key] = true
		if o.Cadence.Unit() == "" && o.Cadence != CadencePerIncident {
			add(f+".cadence", StartRuleInvalid, "unknown cadence %q", o.Cadence)
		}
		if o.Count < 0 {
			add(f+".count", StartRuleInvalid, "count must not be negative")
		}
		for _, s := range o.Severities {
			if !seen[s] {
				add(f+".severities", StartRuleInvalid, "severity %q has no response target", s)
			}
		}
	}
	return errors.Join(errs...)
}

// ServicePeriod is one service month of a service year: [Start, End) on the
// China Standard Time wall clock.
type ServicePeriod struct {
	// Index counts the months from 0.
	Index int       `json:"index"`
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// ServicePeriods cuts [start, end) into service months: month k starts k
// months after start on the CST wall clock, on the same day of the month or,
// when that month is shorter, on its last day (31 January, 28 February,
// 31 March: each counted from the anchor, never chained). The last month ends
// at end and may be short; a year that ends at 24:00 of the day its last
// whole month ends on (DESIGN.md rule 4: 12 months from 15 January end at
// 24:00 on 15 January) gives that day to its last month rather than make a
// month of one day. This is pure date arithmetic with no holiday data, so a
// workflow may compute it (DESIGN.md rule 7 concerns calendar data); the
// service workflow computes it once and keeps the instants in its state.
func ServicePeriods(start, end time.Time) []ServicePeriod {
	var out []ServicePeriod
	for k := 0; k <= maxServiceMonths; k++ {
		a := AddMonthsCST(start, k)
		if !a.Before(end) {
			break
		}
		if k > 0 && !end.After(a.AddDate(0, 0, 1)) {
			out[k-1].End = end.In(calendar.Zone()) // the rule-4 day
			break
		}
		b := AddMonthsCST(start, k+1)
		if b.After(end) {
			b = end.In(calendar.Zone())
		}
		out = append(out, ServicePeriod{Index: k, Start: a, End: b})
	}
	return out
}

// AddMonthsCST returns the instant k months after t on the CST wall clock,
// the day clamped to the target month's last day.
func AddMonthsCST(t time.Time, k int) time.Time {
	t = t.In(calendar.Zone())
	y, m, d := t.Date()
	total := y*12 + int(m-1) + k
	ny, nm := total/12, time.Month(total%12+1)
	last := time.Date(ny, nm+1, 0, 0, 0, 0, 0, calendar.Zone()).Day()
	return time.Date(ny, nm, min(d, last), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), calendar.Zone())
}
