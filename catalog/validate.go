package catalog

import (
	"errors"
	"fmt"
	"github.com/sowflow/sowflow/plan"
	"math/big"
	"regexp"
	"slices"
	"strings"
)

// Problem is one defect Validate found, with its place in the catalog, e.g.
// "package landing-zone-basic, phase design, deliverable x".
type Problem struct {
	Place   string
	Message string
}

// Error renders "place: message".
func (p *Problem) Error() string { return p.Place + ": " + p.Message }

var keyPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// Validate checks a catalog for defects that would make a project
// undeliverable: missing or duplicate codes and keys, empty phases, unknown
// deliverable, quota and option references, thresholds without a metric,
// inconsistent pricing, validity, clocks and option rules. It returns every
// problem found, each a *Problem naming its place, joined with errors.Join;
// nil when the catalog is sound. Run it at start-up.
func Validate(c *Catalog) error {
	if c == nil {
		return &Problem{Place: "catalog", Message: "is nil"}
	}
	v := &validator{}
	if strings.TrimSpace(c.Version) == "" {
		v.add("catalog", "version is empty")
	}
	if len(c.packages) == 0 {
		v.add("catalog", "holds no packages")
	}
	seen := map[string]int{}
	for i, p := range c.packages {
		place := "package " + p.Code
		if p.Code == "" {
			place = fmt.Sprintf("package #%d", i+1)
		}
		if first, dup := seen[p.Code]; dup && p.Code != "" {
			v.add(place, "duplicate package code (also package #%d)", first+1)
		}
		if _, dup := seen[p.Code]; !dup {
			seen[p.Code] = i
		}
		v.pkg(place, p)
	}
	return errors.Join(v.errs...)
}

type validator struct{ errs []error }

func (v *validator) add(place, format string, args ...any) {
	v.errs = append(v.errs, &Problem{Place: place, Message: fmt.Sprintf(format, args...)})
}

// key checks an identifier and its uniqueness within seen.
func (v *validator) key(place, what, key string, seen map[string]bool) {
	switch {
	case key == "":
		v.add(place, "%s key is empty", what)
	case !keyPattern.MatchString(key):
		v.add(place, "%s key %q is not lower-case kebab-case", what, key)
	case seen[key]:
		v.add(place, "duplicate %s key %q", what, key)
	}
	seen[key] = true
}

func itemPlace(parent, what, key string, i int) string {
	if key == "" {
		return fmt.Sprintf("%s, %s #%d", parent, what, i+1)
	}
	return parent + ", " + what + " " + key
}

func (v *validator) pkg(place string, p Package) {
	switch {
	case p.Code == "":
		v.add(place, "code is empty")
	case !keyPattern.MatchString(p.Code):
		v.add(place, "code %q is not lower-case kebab-case", p.Code)
	}
	if strings.TrimSpace(p.Name) == "" {
		v.add(place, "name is empty")
	}
	if !slices.Contains([]Kind{KindProject, KindSupportPlan, KindSLA}, p.Kind) {
		v.add(place, "unknown kind %q", p.Kind)
	}
	if p.Seed.ID == "" || p.Seed.File == "" {
		v.add(place, "seed reference is incomplete")
	}
	v.pricing(place+", pricing", p.Pricing)
	v.options(place, p)
	v.validity(place, p)
	v.kindRules(place, p)

	// Quotas first: deliverables refer to them.
	quotas := map[string]bool{}
	for i, q := range p.Quotas {
		qp := itemPlace(place, "quota", q.Key, i)
		v.key(qp, "quota", q.Key, quotas)
		if q.Limit < 1 {
			v.add(qp, "limit %d is not positive", q.Limit)
		}
		if !slices.Contains([]plan.QuotaPeriod{plan.QuotaPerValidity, plan.QuotaPerYear, plan.QuotaPerQuarter, plan.QuotaPerMonth}, q.Period) {
			v.add(qp, "unknown period %q", q.Period)
		}
	}

	// Phases, tasks, deliverables.
	if len(p.Phases) == 0 && p.Kind == KindProject {
		v.add(place, "has no phases")
	}
	phases, tasks, delivs := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for i, ph := range p.Phases {
		pp := itemPlace(place, "phase", ph.Key, i)
		v.key(pp, "phase", ph.Key, phases)
		if len(ph.Tasks) == 0 && len(ph.Deliverables) == 0 {
			v.add(pp, "phase is empty: no tasks and no deliverables")
		}
		for j, t := range ph.Tasks {
			tp := itemPlace(pp, "task", t.Key, j)
			v.key(tp, "task", t.Key, tasks)
			if len(t.Scope) == 0 {
				v.add(tp, "scope is empty")
			}
			v.condition(tp, p, t.When)
		}
		for j, d := range ph.Deliverables {
			v.deliverable(itemPlace(pp, "deliverable", d.Key, j), d, delivs, quotas)
		}
	}

	// References to deliverables.
	for i, q := range p.Quotas {
		if q.Deliverable != "" && !delivs[q.Deliverable] {
			v.add(itemPlace(place, "quota", q.Key, i), "unknown deliverable %q", q.Deliverable)
		}
	}
	if p.FinalAcceptance != "" {
		fp := place + ", final acceptance"
		if d, _, ok := p.Deliverable(p.FinalAcceptance); !ok {
			v.add(fp, "unknown deliverable %q", p.FinalAcceptance)
		} else {
			if d.Acceptance != plan.AcceptExplicit {
				v.add(fp, "deliverable %q must be accepted explicitly (the customer signs final acceptance)", d.Key)
			}
			if !d.Required {
				v.add(fp, "deliverable %q must be required", d.Key)
			}
			if d.Recurrence.Kind != plan.RecurOnce {
				v.add(fp, "deliverable %q must be delivered once", d.Key)
			}
		}
	}
	thresholds := map[string]bool{}
	for i, t := range p.Thresholds {
		tp := fmt.Sprintf("%s, threshold #%d", place, i+1)
		if t.Metric != "" {
			tp = fmt.Sprintf("%s, threshold %s", place, t.Metric)
		}
		switch {
		case t.Metric == "":
			v.add(tp, "threshold without a metric")
		case thresholds[t.Deliverable+"/"+t.Metric]:
			v.add(tp, "duplicate threshold for deliverable %q", t.Deliverable)
		}
		thresholds[t.Deliverable+"/"+t.Metric] = true
		if !delivs[t.Deliverable] {
			v.add(tp, "unknown deliverable %q", t.Deliverable)
		}
		if !slices.Contains([]plan.Comparison{plan.AtLeast, plan.MoreThan, plan.AtMost, plan.LessThan, plan.Equal}, t.Comparison) {
			v.add(tp, "unknown comparison %q", t.Comparison)
		}
		if !slices.Contains([]plan.MetricUnit{plan.Percent, plan.Count}, t.Unit) {
			v.add(tp, "unknown unit %q", t.Unit)
		}
		if t.Unit == plan.Percent && (t.Value < 0 || t.Value > 100) {
			v.add(tp, "percentage %g is outside 0–100", t.Value)
		}
	}

	// Clocks, prerequisites, hours, response targets.
	clocks := map[string]bool{}
	for i, c := range p.Clocks {
		cp := itemPlace(place, "clock", c.Key, i)
		v.key(cp, "clock", c.Key, clocks)
		v.duration(cp, "duration", c.Duration)
		if c.Warning != nil {
			v.duration(cp, "warning", *c.Warning)
			if c.Warning.Unit != c.Duration.Unit || c.Warning.Value >= c.Duration.Value {
				v.add(cp, "warning %s is not before the deadline %s", c.Warning, c.Duration)
			}
		}
		if !knownEvent(c.StartsOn) {
			v.add(cp, "unknown start event %q", c.StartsOn)
		}
		if c.Party != plan.PartyProvider && c.Party != plan.PartyCustomer {
			v.add(cp, "unknown party %q", c.Party)
		}
	}
	if p.Kind == KindProject && !clocks[ClockAcceptanceWindow] {
		v.add(place, "has no %s clock", ClockAcceptanceWindow)
	}
	prereqs := map[string]bool{}
	for i, pr := range p.Prerequisites {
		pp := itemPlace(place, "prerequisite", pr.Key, i)
		v.key(pp, "prerequisite", pr.Key, prereqs)
		if pr.Text == "" {
			v.add(pp, "text is empty")
		}
		if pr.LeadTime != nil {
			v.duration(pp, "lead time", *pr.LeadTime)
			if !knownEvent(pr.Before) {
				v.add(pp, "lead time is counted back from unknown event %q", pr.Before)
			}
		}
		v.condition(pp, p, pr.When)
	}
	if h := p.ServiceHours; h != nil {
		hp := place + ", service hours"
		open, okOpen := clockMinutes(h.Open)
		closing, okClose := clockMinutes(h.Close)
		switch {
		case !okOpen || !okClose:
			v.add(hp, "open %q and close %q must be HH:MM", h.Open, h.Close)
		case open >= closing:
			v.add(hp, "open %s is not before close %s", h.Open, h.Close)
		}
		if h.TimeZone == "" || h.Calendar == "" {
			v.add(hp, "time zone and calendar are required")
		}
	}
	severities := map[string]bool{}
	for i, r := range p.ResponseTargets {
		rp := itemPlace(place, "response target", r.Severity, i)
		if r.Severity == "" {
			v.add(rp, "severity is empty")
		} else if severities[r.Severity] {
			v.add(rp, "duplicate severity %q", r.Severity)
		}
		severities[r.Severity] = true
		v.duration(rp, "target", r.Target)
		if r.Target.Unit == UnitBusinessMinutes && p.ServiceHours == nil {
			v.add(rp, "counts business minutes but the package has no service hours")
		}
	}
}

func (v *validator) deliverable(place string, d Deliverable, seen, quotas map[string]bool) {
	v.key(place, "deliverable", d.Key, seen)
	if strings.TrimSpace(d.Name) == "" {
		v.add(place, "name is empty")
	}
	if d.Acceptance != plan.AcceptDeemed && d.Acceptance != plan.AcceptExplicit {
		v.add(place, "unknown acceptance rule %q", d.Acceptance)
	}
	switch d.Recurrence.Kind {
	case plan.RecurOnce, plan.RecurMonthly:
	case plan.RecurPerEvent:
		if d.Recurrence.Event == "" {
			v.add(place, "per-event recurrence names no event")
		}
	case plan.RecurPerQuotaUse:
		if !quotas[d.Recurrence.Quota] {
			v.add(place, "recurs per use of unknown quota %q", d.Recurrence.Quota)
		}
	default:
		v.add(place, "unknown recurrence %q", d.Recurrence.Kind)
	}
}

func (v *validator) pricing(place string, pr Pricing) {
	switch pr.Model {
	case PricingFixed:
		if pr.ListPrice <= 0 {
			v.add(place, "fixed price %d is not positive", pr.ListPrice)
		}
	case PricingPerUserBlock:
		if pr.ListPrice <= 0 || pr.IncludedUsers <= 0 || pr.BlockUsers <= 0 || pr.BlockPrice <= 0 {
			v.add(place, "per-user-block pricing needs a positive list price, included users, block users and block price")
		}
	case PricingUnpriced:
		if pr.ListPrice != 0 || pr.BlockPrice != 0 {
			v.add(place, "unpriced package carries a price")
		}
		return
	default:
		v.add(place, "unknown pricing model %q", pr.Model)
		return
	}
	if pr.Currency != "USD" {
		v.add(place, "currency %q is not USD", pr.Currency)
	}
}

func (v *validator) validity(place string, p Package) {
	vp := place + ", validity"
	val := p.Validity
	if !slices.Contains([]plan.ValidityType{plan.ValidityInstant, plan.ValidityContinuous, plan.ValidityServiceCycle, plan.ValidityMonthly}, val.Type) {
		v.add(vp, "unknown type %q", val.Type)
	}
	if !knownEvent(val.StartsOn) {
		v.add(vp, "unknown start event %q", val.StartsOn)
	}
	// A package whose seed states no term has none (DESIGN.md rule 10).
	if val.Duration != (Duration{}) {
		v.duration(vp, "duration", val.Duration)
	}
	if val.Type == plan.ValidityInstant && !val.EndsOnFinalAcceptance {
		v.add(vp, "instant validity must end on final acceptance")
	}
	if val.EndsOnFinalAcceptance && p.FinalAcceptance == "" {
		v.add(vp, "ends on final acceptance but the package names no final-acceptance deliverable")
	}
}

func (v *validator) options(place string, p Package) {
	seen := map[string]bool{}
	for i, o := range p.Options {
		op := itemPlace(place, "option", o.Field, i)
		typ, known := optionFields[o.Field]
		switch {
		case !known:
			v.add(op, "unknown option field %q", o.Field)
			continue
		case seen[o.Field]:
			v.add(op, "duplicate option")
		case typ != o.Type:
			v.add(op, "type %q does not match the field's type %q", o.Type, typ)
		}
		seen[o.Field] = true
		switch o.Type {
		case OptionEnum:
			if len(o.Choices) == 0 {
				v.add(op, "enum option has no choices")
			}
		case OptionSet:
			if len(o.Choices) == 0 {
				v.add(op, "set option has no choices")
			}
			if o.MinChoices < 0 || (o.MaxChoices > 0 && o.MaxChoices < o.MinChoices) || o.MaxChoices > len(o.Choices) {
				v.add(op, "choice bounds %d..%d do not fit %d choices", o.MinChoices, o.MaxChoices, len(o.Choices))
			}
			for _, a := range o.Always {
				if slices.Contains(o.Choices, a) {
					v.add(op, "%q is both always included and a choice", a)
				}
			}
		}
		if strings.TrimSpace(o.Rule) == "" {
			v.add(op, "rule is empty")
		}
	}
}

// condition checks that a condition names an option the package takes and a
// value that option can have.
func (v *validator) condition(place string, p Package, c *Condition) {
	if c == nil {
		return
	}
	s, ok := p.optionSpec(c.Option)
	if !ok {
		v.add(place, "condition on option %q, which the package does not take", c.Option)
		return
	}
	switch s.Type {
	case OptionSet, OptionEnum:
		if !slices.Contains(s.Choices, c.Value) && !slices.Contains(s.Always, c.Value) {
			v.add(place, "condition value %q is not a choice of option %s", c.Value, c.Option)
		}
	case OptionBoolean:
		if c.Value != "true" && c.Value != "false" {
			v.add(place, "condition value %q is not a boolean", c.Value)
		}
	}
}

func (v *validator) duration(place, what string, d Duration) {
	if d.Value <= 0 {
		v.add(place, "%s %d is not positive", what, d.Value)
	}
	if !slices.Contains([]Unit{UnitNaturalDays, UnitWorkingDays, UnitMonths, UnitMinutes, UnitBusinessMinutes}, d.Unit) {
		v.add(place, "%s has unknown unit %q", what, d.Unit)
	}
}

func knownEvent(e plan.Event) bool {
	return slices.Contains([]plan.Event{plan.EventPurchase, plan.EventPayment, plan.EventContractEffective, plan.EventContractSigning,
		plan.EventSubmission, plan.EventTicketOpened, plan.EventOrder}, e)
}

// clockMinutes parses "HH:MM" into minutes after midnight.
func clockMinutes(s string) (int, bool) {
	var h, m int
	if len(s) != 5 || s[2] != ':' {
		return 0, false
	}
	if _, err := fmt.Sscanf(s, "%02d:%02d", &h, &m); err != nil || h > 23 || m > 59 {
		return 0, false
	}
	return h*60 + m, true
}

// kindRules checks what a package's kind asks for beyond the common fields:
// a support plan has response targets and a service-cycle or continuous
// validity; an SLA has an SLA block and monthly service periods, and only an
// SLA has either. Service items are checked wherever they appear.
func (v *validator) kindRules(place string, p Package) {
	switch p.Kind {
	case KindSupportPlan:
		if len(p.ResponseTargets) == 0 {
			v.add(place, "support plan has no response targets")
		}
		if p.Validity.Type != plan.ValidityServiceCycle && p.Validity.Type != plan.ValidityContinuous {
			v.add(place+", validity", "support plan validity must be %s or %s, not %q", plan.ValidityServiceCycle, plan.ValidityContinuous, p.Validity.Type)
		}
	case KindSLA:
		if p.SLA == nil {
			v.add(place, "sla package has no sla block")
		}
		if p.Validity.Type != plan.ValidityMonthly {
			v.add(place+", validity", "sla validity must be %s, not %q", plan.ValidityMonthly, p.Validity.Type)
		}
	}
	if p.Kind != KindSLA && p.Validity.Type == plan.ValidityMonthly {
		v.add(place+", validity", "only an sla package runs in monthly service periods")
	}
	if p.SLA != nil {
		if p.Kind != KindSLA {
			v.add(place, "only an sla package has an sla block")
		}
		v.sla(place+", sla", *p.SLA)
	}
	if p.Validity.Type == plan.ValidityMonthly && p.Validity.Duration != (Duration{Value: 1, Unit: UnitMonths}) {
		v.add(place+", validity", "a monthly service period lasts 1 months, not %s", p.Validity.Duration)
	}

	quotas := map[string]bool{}
	for _, q := range p.Quotas {
		quotas[q.Key] = true
	}
	items := map[string]bool{}
	for i, it := range p.ServiceItems {
		ip := itemPlace(place, "service item", it.Key, i)
		v.key(ip, "service item", it.Key, items)
		if strings.TrimSpace(it.Name) == "" || strings.TrimSpace(it.Text) == "" {
			v.add(ip, "name and text are required")
		}
		if it.Quota != "" && !quotas[it.Quota] {
			v.add(ip, "unknown quota %q", it.Quota)
		}
		if it.DiscountPercent < 0 || it.DiscountPercent > 100 {
			v.add(ip, "discount %d%% is outside 0–100", it.DiscountPercent)
		}
	}
}

// percentPattern is an exact decimal percentage such as "99.90".
var percentPattern = regexp.MustCompile(`^[0-9]{1,3}(\.[0-9]{1,6})?$`)

// percent parses an exact decimal percentage in [0, 100].
func percent(s string) (*big.Rat, bool) {
	if !percentPattern.MatchString(s) {
		return nil, false
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok || r.Sign() < 0 || r.Cmp(big.NewRat(100, 1)) > 0 {
		return nil, false
	}
	return r, true
}

// sla checks an SLA block: a known measure, a commitment, quoted terms,
// tiers that cover every availability below the commitment without gaps or
// overlaps, with rising compensation, a cap, and a computable claim window.
func (v *validator) sla(place string, s SLA) {
	if strings.TrimSpace(s.Service) == "" {
		v.add(place, "service is empty")
	}
	if s.Measure != MeasureUnavailableMinutes && s.Measure != MeasureErrorRateIntervals {
		v.add(place, "unknown measure %q", s.Measure)
	}
	if s.IntervalMinutes < 1 {
		v.add(place, "interval of %d minutes is not positive", s.IntervalMinutes)
	}
	commitment, ok := percent(s.CommitmentPct)
	if !ok || commitment.Sign() == 0 {
		v.add(place, "commitment %q is not a percentage above 0 and at most 100", s.CommitmentPct)
	}
	if strings.TrimSpace(s.Formula) == "" || strings.TrimSpace(s.Commitment) == "" || strings.TrimSpace(s.Compensation) == "" {
		v.add(place, "formula, commitment and compensation must quote the seed")
	}
	if len(s.Tiers) == 0 {
		v.add(place, "has no compensation tiers")
	}
	upper, lastPct := commitment, 0
	for i, t := range s.Tiers {
		tp := fmt.Sprintf("%s, tier #%d", place, i+1)
		below, okBelow := percent(t.BelowPct)
		switch {
		case !okBelow:
			v.add(tp, "below %q is not a percentage", t.BelowPct)
		case upper != nil && below.Cmp(upper) != 0:
			if i == 0 {
				v.add(tp, "starts below %s%%, not below the commitment %s%%", t.BelowPct, s.CommitmentPct)
			} else {
				v.add(tp, "starts below %s%%, leaving a gap or overlap with the tier above", t.BelowPct)
			}
		}
		last := i == len(s.Tiers)-1
		switch {
		case t.AtLeastPct == "" && !last:
			v.add(tp, "only the last tier may have no floor")
		case t.AtLeastPct == "":
		case last:
			v.add(tp, "the last tier must have no floor, so that every availability is covered")
		default:
			atLeast, ok := percent(t.AtLeastPct)
			if !ok {
				v.add(tp, "at least %q is not a percentage", t.AtLeastPct)
			} else if okBelow && atLeast.Cmp(below) >= 0 {
				v.add(tp, "floor %s%% is not below %s%%", t.AtLeastPct, t.BelowPct)
			}
			upper = atLeast
		}
		if t.Percent < 1 || t.Percent > 100 {
			v.add(tp, "compensation %d%% is outside 1–100", t.Percent)
		} else if t.Percent <= lastPct {
			v.add(tp, "compensation %d%% does not rise above the tier above (%d%%)", t.Percent, lastPct)
		}
		lastPct = t.Percent
		if strings.TrimSpace(t.Text) == "" {
			v.add(tp, "text is empty")
		}
	}
	if s.CapPercent < 1 || s.CapPercent > 100 {
		v.add(place, "cap %d%% is outside 1–100", s.CapPercent)
	}
	cp := place + ", claims"
	if n := s.Claims.OpensAfterWorkingDay; n < 1 || n > 20 {
		v.add(cp, "opening after working day %d is outside 1–20", n)
	}
	v.duration(cp, "closes after", s.Claims.ClosesAfter)
	if s.Claims.ClosesAfter.Unit != UnitMonths {
		v.add(cp, "closes after %s: only months are supported", s.Claims.ClosesAfter)
	}
	if len(s.Claims.Text) == 0 {
		v.add(cp, "text is empty")
	}
}
