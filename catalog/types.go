package catalog

import (
	"strconv"

	"github.com/sowflow/sowflow/plan"
)

// Kind says how a package runs. Issue 4's packages are all projects; support
// plans and monthly SLAs (issue 7) get their own kinds.
type Kind string

// Package kinds.
const (
	// KindProject is a sequence of phases with deliverables and acceptance.
	KindProject Kind = "project"
	// KindSupportPlan is a service cycle made of tickets, periodic
	// obligations and quotas (reserved for seed 001's partner plans).
	KindSupportPlan Kind = "support-plan"
	// KindSLA is a series of monthly service periods with availability
	// credits (reserved for seed 004's mail SLAs).
	KindSLA Kind = "sla"
)

// Package is one service package of the catalog.
type Package struct {
	// Code is the stable identifier, lower-case kebab-case.
	Code string `json:"code"`
	// Name is the package's name as the seed prints it.
	Name string `json:"name"`
	// Kind says how the package runs.
	Kind Kind `json:"kind"`
	// Seed names the source contract and its sections.
	Seed SeedRef `json:"seed"`
	// Goal quotes the seed's service goal, where it states one.
	Goal string `json:"goal,omitempty"`
	// Description quotes the seed's short description of the service.
	Description string `json:"description,omitempty"`
	// Pricing is the list price and the rule that computes it.
	Pricing Pricing `json:"pricing"`
	// Validity is the service period and what ends it.
	Validity Validity `json:"validity"`
	// Options are the choices made when a project starts.
	Options []OptionSpec `json:"options"`
	// Prerequisites are conditions on the customer before or at the start,
	// some with lead times.
	Prerequisites []Prerequisite `json:"prerequisites"`
	// ServiceHours are the provider's business hours, when the seed states
	// them; nil otherwise.
	ServiceHours *ServiceHours `json:"service_hours,omitempty"`
	// ResponseTargets are the ticket response clocks, by severity.
	ResponseTargets []ResponseTarget `json:"response_targets"`
	// Clocks are the contract's deadlines other than the validity period.
	Clocks []Clock `json:"clocks"`
	// Quotas limit how often a service may be used in a period.
	Quotas []Quota `json:"quotas"`
	// Phases are the project's phases in order.
	Phases []Phase `json:"phases"`
	// Thresholds are the measurable criteria a submission must meet.
	Thresholds []Threshold `json:"thresholds"`
	// FinalAcceptance is the key of the deliverable whose acceptance is the
	// customer's final acceptance of the project. Empty when the package
	// has none (it completes when its validity period ends).
	FinalAcceptance string `json:"final_acceptance,omitempty"`
	// AcceptanceCriteria quote the seed's criteria for the whole project.
	AcceptanceCriteria []string `json:"acceptance_criteria"`
	// Notes quote other contract terms that bear on delivery (customer
	// delays, termination rights, exclusions).
	Notes []string `json:"notes"`
	// ServiceItems are a support plan's service items as the seed's table
	// lists them (kind support-plan); empty for other kinds.
	ServiceItems []ServiceItem `json:"service_items,omitempty"`
	// SLA is the availability commitment and credit rules of a monthly SLA
	// (kind sla); nil for other kinds.
	SLA *SLA `json:"sla,omitempty"`
}

// SeedRef names a source contract in the seeds directory.
type SeedRef struct {
	// ID is the seed's number, for example "000".
	ID string `json:"id"`
	// File is the seed's file name.
	File string `json:"file"`
	// Sections name the parts of the seed the package is encoded from.
	Sections []string `json:"sections"`
}

// PricingModel says how a package's price is computed.
type PricingModel string

// Pricing models.
const (
	// PricingFixed is one list price per unit.
	PricingFixed PricingModel = "fixed"
	// PricingPerUserBlock is a base price covering IncludedUsers users,
	// plus BlockPrice for every further BlockUsers users or part thereof.
	PricingPerUserBlock PricingModel = "per-user-block"
	// PricingUnpriced marks a package whose seed states no list price.
	PricingUnpriced PricingModel = "unpriced"
)

// Pricing is a package's list price. Amounts are whole US dollars.
type Pricing struct {
	// Model says how the price is computed.
	Model PricingModel `json:"model"`
	// Currency is the ISO 4217 code of every amount ("USD"); empty when
	// unpriced.
	Currency string `json:"currency,omitempty"`
	// ListPrice is the price of one unit (fixed), or the base price
	// covering IncludedUsers (per-user-block), in whole dollars.
	ListPrice int64 `json:"list_price,omitempty"`
	// IncludedUsers is how many users the base price covers.
	IncludedUsers int `json:"included_users,omitempty"`
	// BlockUsers is the size of each further block of users.
	BlockUsers int `json:"block_users,omitempty"`
	// BlockPrice is the price of each further block, in whole dollars.
	BlockPrice int64 `json:"block_price,omitempty"`
	// Text quotes the seed's price wording.
	Text string `json:"text,omitempty"`
	// Note explains the pricing where the seed is silent.
	Note string `json:"note,omitempty"`
}

// Validity is a package's service period. The lifecycle acts on StartsOn,
// Duration and EndsOnFinalAcceptance; Type is the seed's label.
type Validity struct {
	// Type is the seed's label for the validity rule.
	Type plan.ValidityType `json:"type"`
	// StartsOn is the event the period is counted from.
	StartsOn plan.Event `json:"starts_on"`
	// Duration is the length of the period (12 months); zero (and absent
	// from JSON) when the seed states no term (DESIGN.md rule 10).
	Duration Duration `json:"duration,omitzero"`
	// EndsOnFinalAcceptance is true when the customer's final acceptance
	// completes the project before the period is over.
	EndsOnFinalAcceptance bool `json:"ends_on_final_acceptance"`
	// Text quotes the seed.
	Text []string `json:"text"`
	// Note explains how an ambiguity was resolved.
	Note string `json:"note,omitempty"`
}

// Unit is the unit of a Duration; it also fixes how the duration is counted
// (see DESIGN.md, "Contract-time rules").
type Unit string

// Duration units.
const (
	// UnitNaturalDays counts calendar days (rule 3).
	UnitNaturalDays Unit = "natural_days"
	// UnitWorkingDays counts CN working days (rule 2).
	UnitWorkingDays Unit = "working_days"
	// UnitMonths counts calendar months (rule 4).
	UnitMonths Unit = "months"
	// UnitMinutes counts wall-clock minutes (7x24).
	UnitMinutes Unit = "minutes"
	// UnitBusinessMinutes counts minutes inside the package's service
	// hours on working days (rule 5).
	UnitBusinessMinutes Unit = "business_minutes"
)

// Duration is a length of contract time.
type Duration struct {
	Value int  `json:"value"`
	Unit  Unit `json:"unit"`
}

// String renders the duration as "5 working_days".
func (d Duration) String() string { return strconv.Itoa(d.Value) + " " + string(d.Unit) }

// Clock is a contract deadline.
type Clock struct {
	// Key is the clock's stable identifier within the package.
	Key string `json:"key"`
	// Name is a short human name.
	Name string `json:"name"`
	// StartsOn is the event that starts the clock.
	StartsOn plan.Event `json:"starts_on"`
	// Duration is how long the clock runs.
	Duration Duration `json:"duration"`
	// Warning, when set, is the point (counted like Duration, from the same
	// start) at which a warning is raised.
	Warning *Duration `json:"warning,omitempty"`
	// Party is whose obligation the clock measures.
	Party plan.Party `json:"party"`
	// OnExpiry says what happens when the clock runs out.
	OnExpiry string `json:"on_expiry"`
	// Text quotes the seed, when it states the clock.
	Text string `json:"text,omitempty"`
	// Note gives the source when it is DESIGN.md rather than the seed.
	Note string `json:"note,omitempty"`
}

// Clock keys used by the lifecycle.
const (
	ClockAcceptanceWindow = "acceptance-window"
	ClockActivation       = "activation"
)

// Quota limits how often a service may be used in a period; the use past the
// limit is refused.
type Quota struct {
	// Key is the quota's stable identifier within the package.
	Key string `json:"key"`
	// Name is a short human name.
	Name string `json:"name"`
	// Limit is the number of uses allowed in each period.
	Limit int `json:"limit"`
	// Period is what the limit applies to.
	Period plan.QuotaPeriod `json:"period"`
	// Unit names one use ("submission", "upgrade", "stage").
	Unit string `json:"unit"`
	// Deliverable, when set, names the deliverable each of whose rounds
	// uses one unit of the quota (the first submission of a round, not a
	// resubmission after rejection). Empty: uses are recorded directly.
	Deliverable string `json:"deliverable,omitempty"`
	// Text quotes the seed.
	Text string `json:"text"`
}

// Prerequisite is a condition the customer must meet.
type Prerequisite struct {
	// Key is the prerequisite's stable identifier within the package.
	Key string `json:"key"`
	// LeadTime, when set, is how long before Before the customer must
	// have applied.
	LeadTime *Duration `json:"lead_time,omitempty"`
	// Before is the event the lead time is counted back from.
	Before plan.Event `json:"before,omitempty"`
	// When restricts the prerequisite to projects started with an option.
	When *Condition `json:"when,omitempty"`
	// Text quotes the seed.
	Text string `json:"text"`
}

// ServiceHours are the provider's business hours. Days are CN working days
// (DESIGN.md rule 1: Monday–Friday, minus listed holidays, plus make-up days).
type ServiceHours struct {
	// Schedule is the conventional name, e.g. "5x8".
	Schedule string `json:"schedule"`
	// Open and Close are local times "HH:MM" in TimeZone.
	Open  string `json:"open"`
	Close string `json:"close"`
	// TimeZone is the IANA zone of Open and Close.
	TimeZone string `json:"time_zone"`
	// Calendar names the working-day calendar.
	Calendar string `json:"calendar"`
	// Text quotes the seed.
	Text string `json:"text"`
	// Note explains where the hours come from when the seed is indirect.
	Note string `json:"note,omitempty"`
}

// ResponseTarget is a ticket response clock for one severity.
type ResponseTarget struct {
	// Severity is the ticket severity the target applies to.
	Severity string `json:"severity"`
	// Description quotes the seed's description of the severity, when it
	// gives one. Targets are listed from the most to the least severe.
	Description string `json:"description,omitempty"`
	// Action is what must happen within the target ("response" or
	// "escalation").
	Action string `json:"action"`
	// Target is the time allowed; its unit says whether it counts
	// business minutes or wall-clock (7x24) minutes.
	Target Duration `json:"target"`
	// Text quotes the seed.
	Text string `json:"text"`
	// Note explains sowflow's reading of the seed.
	Note string `json:"note,omitempty"`
}

// Phase is one stage of a project.
type Phase struct {
	// Key is the phase's stable identifier within the package.
	Key string `json:"key"`
	// Name is a short human name.
	Name string `json:"name"`
	// Tasks are the work of the phase.
	Tasks []Task `json:"tasks"`
	// Deliverables are what the phase owes, in order.
	Deliverables []Deliverable `json:"deliverables"`
}

// RACI is a task's responsibility assignment, as the seed prints it.
type RACI struct {
	Customer string `json:"customer"`
	Provider string `json:"provider"`
}

// Task is a piece of work within a phase.
type Task struct {
	// Key is the task's stable identifier within the package.
	Key string `json:"key"`
	// Name is a short human name.
	Name string `json:"name"`
	// Scope quotes the seed's description of the task, one passage each.
	Scope []string `json:"scope"`
	// RACI is the responsibility assignment, when the seed gives one.
	RACI *RACI `json:"raci,omitempty"`
	// When restricts the task to projects started with an option.
	When *Condition `json:"when,omitempty"`
	// Note explains sowflow's reading of the seed.
	Note string `json:"note,omitempty"`
}

// Condition restricts an element to projects whose start options match: a
// set option contains Value; an enum option equals Value; a boolean option
// equals Value ("true" or "false").
type Condition struct {
	Option string `json:"option"`
	Value  string `json:"value"`
}

// String renders the condition as "design_domains includes network-planning".
func (c Condition) String() string { return c.Option + " includes " + c.Value }

// Recurrence says how many rounds of a deliverable a project owes.
type Recurrence struct {
	Kind plan.RecurrenceKind `json:"kind"`
	// Event names the occurrence that calls for a round (per-event).
	Event string `json:"event,omitempty"`
	// Quota names the quota whose uses call for a round (per-quota-use).
	Quota string `json:"quota,omitempty"`
}

// Deliverable is something a phase owes the customer.
type Deliverable struct {
	// Key is the deliverable's stable identifier within the package.
	Key string `json:"key"`
	// Name is the deliverable's name as the seed prints it.
	Name string `json:"name"`
	// Requirements quote the seed's acceptance requirements.
	Requirements []string `json:"requirements"`
	// DeliveryMethod quotes the seed's delivery method, when stated.
	DeliveryMethod string `json:"delivery_method,omitempty"`
	// Acceptance is the acceptance rule.
	Acceptance plan.AcceptanceRule `json:"acceptance"`
	// Required deliverables must be accepted (every round opened so far,
	// for recurring ones) before their phase can be completed.
	Required bool `json:"required"`
	// Recurrence says how many rounds the project owes.
	Recurrence Recurrence `json:"recurrence"`
	// Final marks the package's final-acceptance deliverable. It is derived
	// from Package.FinalAcceptance when a catalog is built; do not set it.
	Final bool `json:"final"`
	// Note explains sowflow's reading where the seed is indirect.
	Note string `json:"note,omitempty"`
}

// Threshold is a measurable criterion of the plan (plan.Threshold: a
// submission of Deliverable must carry a value for Metric that satisfies
// Comparison against Value), with sowflow's note on the seed's wording.
type Threshold struct {
	plan.Threshold
	// Note explains sowflow's reading of the seed's wording.
	Note string `json:"note,omitempty"`
}

// ServiceItem is one row of a support plan's service-items table: what the
// plan includes, how often, and the discount on services bought on top.
type ServiceItem struct {
	// Key is the item's stable identifier within the package.
	Key string `json:"key"`
	// Name is the item's name as the seed prints it.
	Name string `json:"name"`
	// Text quotes the seed's service description of the item.
	Text string `json:"text"`
	// Quota, when set, is the key of the quota that limits the item.
	Quota string `json:"quota,omitempty"`
	// DiscountPercent is the discount on the additional-cost service the
	// item names, 0 when none.
	DiscountPercent int `json:"discount_percent,omitempty"`
	// Note explains sowflow's reading of the seed.
	Note string `json:"note,omitempty"`
}

// SLAMeasure says what a monthly SLA's availability is computed from.
type SLAMeasure string

// SLA measures (seed 004).
const (
	// MeasureUnavailableMinutes: availability = (period minutes −
	// unavailable minutes) / period minutes × 100%.
	MeasureUnavailableMinutes SLAMeasure = "unavailable-minutes"
	// MeasureErrorRateIntervals: availability = (1 − Σ error rate per
	// interval / number of intervals in the period) × 100%.
	MeasureErrorRateIntervals SLAMeasure = "error-rate-intervals"
)

// SLA is a monthly availability commitment with compensation credits.
// Percentages are exact decimal strings ("99.90"), never floats: the
// compensation tier is decided on them exactly.
type SLA struct {
	// Service names the service covered ("email", "sendify").
	Service string `json:"service"`
	// Measure says how availability is computed.
	Measure SLAMeasure `json:"measure"`
	// IntervalMinutes is the length of one measured interval: 1 for
	// unavailable minutes, 5 for 5-minute error rates.
	IntervalMinutes int `json:"interval_minutes"`
	// CommitmentPct is the committed availability in percent.
	CommitmentPct string `json:"commitment_pct"`
	// Definitions quote the seed's definitions (service period,
	// unavailability, error rate, monthly service fee).
	Definitions []string `json:"definitions"`
	// Formula quotes the seed's availability formula.
	Formula string `json:"formula"`
	// Commitment quotes the seed's availability commitment.
	Commitment string `json:"commitment"`
	// Tiers are the compensation tiers, from the highest availability
	// down; they cover every availability below CommitmentPct.
	Tiers []CreditTier `json:"tiers"`
	// CapPercent caps the total compensation of one period, in percent of
	// that month's service fee.
	CapPercent int `json:"cap_percent"`
	// Compensation quotes the seed's compensation terms (form and cap).
	Compensation string `json:"compensation"`
	// Claims is the window in which a period's compensation may be claimed.
	Claims ClaimRule `json:"claims"`
	// Exclusions quote the causes of unavailability that earn no
	// compensation.
	Exclusions []string `json:"exclusions"`
	// Note explains sowflow's reading of the seed.
	Note string `json:"note,omitempty"`
}

// CreditTier is one compensation tier: availability in [AtLeastPct,
// BelowPct) earns Percent of the month's service fee.
type CreditTier struct {
	// AtLeastPct is the tier's lowest availability (inclusive), in
	// percent; empty for the lowest tier, which has no floor.
	AtLeastPct string `json:"at_least_pct,omitempty"`
	// BelowPct is the tier's upper bound (exclusive), in percent.
	BelowPct string `json:"below_pct"`
	// Percent is the compensation, in percent of the monthly service fee.
	Percent int `json:"percent"`
	// Text quotes the seed's table row.
	Text string `json:"text"`
}

// ClaimRule is when compensation for a service period may be claimed: from
// 24:00 of the OpensAfterWorkingDay-th working day of the month after the
// period, until ClosesAfter counted from the period's last day (rule 4),
// moved to the next working day when that day is not one (Civil Code
// art. 203). The sla package computes the instants.
type ClaimRule struct {
	// OpensAfterWorkingDay is the working day of the following month after
	// which claims open (5).
	OpensAfterWorkingDay int `json:"opens_after_working_day"`
	// ClosesAfter is how long after the period's end claims close.
	ClosesAfter Duration `json:"closes_after"`
	// Text quotes the seed.
	Text []string `json:"text"`
	// Note explains sowflow's reading of the seed.
	Note string `json:"note,omitempty"`
}
