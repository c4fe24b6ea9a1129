// Package plan holds the plain plan types the workflows run on: what a
// catalog package resolves to when a project or a service starts (package
// catalog builds them), carried in the workflow's input so that an edited
// catalog never changes a running workflow (package workflows runs them).
// The enumerations here (contract events, validity types, acceptance rules,
// recurrences, comparisons, quota periods, parties, metric units, service
// periods and cadences) are the catalog's as well, and so is StartError, the
// reason a plan or a workflow input is refused.
package plan

import (
	"fmt"
	"strconv"

	"github.com/sowflow/sowflow/calendar"
)

// Plan is everything the project workflow needs to know about the package a
// project runs: a self-contained, JSON-stable copy made when the project
// starts (catalog.Plan.Workflow builds it). The API passes it in the
// workflow input, so an edited catalog never changes a running project.
type Plan struct {
	// PackageCode and PackageName identify the catalog package.
	PackageCode string `json:"package_code"`
	PackageName string `json:"package_name"`
	// CatalogVersion and CatalogDigest identify the catalog the plan was
	// resolved from.
	CatalogVersion string `json:"catalog_version"`
	CatalogDigest  string `json:"catalog_digest"`
	// PackageVersion and PackageDigest name the version of the package the
	// plan was resolved from: 1 for the package compiled into the binary,
	// later numbers for versions uploaded and published since. Plans made
	// before package versions existed have neither.
	PackageVersion int    `json:"package_version,omitempty"`
	PackageDigest  string `json:"package_digest,omitempty"`
	// Options are the start options that shaped the plan.
	Options Options `json:"options"`
	// Validity is the service period.
	Validity Validity `json:"validity"`
	// Phases are the project's phases in order.
	Phases []Phase `json:"phases"`
	// Thresholds are the measurable criteria submissions must meet.
	Thresholds []Threshold `json:"thresholds"`
	// Quotas limit how often a service may be used.
	Quotas []Quota `json:"quotas"`
	// Clocks are the contract deadlines started by contract dates (the
	// acceptance window, started by each submission, is AcceptanceWindow).
	Clocks []Clock `json:"clocks"`
	// AcceptanceWindow is how long the customer has to decide on a
	// submission (5 working days).
	AcceptanceWindow calendar.Spec `json:"acceptance_window"`
	// LeadTimes are the prerequisites that need the customer to have acted
	// some time before a contract date; checked before the project starts.
	LeadTimes []LeadTime `json:"lead_times"`
	// FinalAcceptance is the key of the deliverable whose acceptance is the
	// customer's final acceptance; empty when the package has none.
	FinalAcceptance string `json:"final_acceptance,omitempty"`
}

// Options are the start options a plan was resolved with, as the catalog
// normalised them.
type Options struct {
	DesignDomains     []string `json:"design_domains,omitempty"`
	IOSDistribution   string   `json:"ios_distribution,omitempty"`
	Users             int      `json:"users,omitempty"`
	ResourceIntensive bool     `json:"resource_intensive,omitempty"`
}

// Event names a contract date that starts a clock or the validity
// period, or anchors a lead time.
type Event string

// Contract events. Each but EventSubmission is a field of ContractDates.
const (
	EventPurchase          Event = "purchase"
	EventPayment           Event = "payment"
	EventContractEffective Event = "contract-effective"
	EventContractSigning   Event = "contract-signing"
	EventApplication       Event = "application"
	EventOrder             Event = "order"
	// EventTicketOpened starts a ticket's response clock (support plans).
	EventTicketOpened Event = "ticket-opened"
	// EventSubmission starts a clock at each deliverable submission.
	EventSubmission Event = "deliverable-submitted"
)

// ValidityType is the seed's label for a validity rule.
type ValidityType string

// Validity types.
const (
	// ValidityInstant (seed 000, "Instant Activation Type"): 12 months from
	// purchase, ending early when the customer signs final acceptance.
	ValidityInstant ValidityType = "instant"
	// ValidityContinuous (seed 000, "Continuous Service Type"): 12 months
	// from payment (or the contract date the seed names), running to the
	// end.
	ValidityContinuous ValidityType = "continuous"
	// ValidityServiceCycle (seed 001, "enters into service cycle"): a
	// support plan's service cycle, counted from purchase.
	ValidityServiceCycle ValidityType = "service-cycle"
	// ValidityMonthly (seed 004): a series of calendar-month service
	// periods for as long as the service is used; Duration is one period.
	ValidityMonthly ValidityType = "monthly"
)

// Validity is the service period: Duration counted from StartsOn. When
// EndsOnFinalAcceptance is set the customer's final acceptance completes the
// project and reaching the end without it expires the project; otherwise
// the project completes when the period ends.
type Validity struct {
	Type                  ValidityType  `json:"type"`
	StartsOn              Event         `json:"starts_on"`
	Duration              calendar.Spec `json:"duration"`
	EndsOnFinalAcceptance bool          `json:"ends_on_final_acceptance"`
}

// Phase is one phase of the plan.
type Phase struct {
	Key          string        `json:"key"`
	Name         string        `json:"name"`
	Tasks        []Task        `json:"tasks"`
	Deliverables []Deliverable `json:"deliverables"`
}

// Task is a piece of work of a phase, as the start options selected it.
type Task struct {
	Key  string `json:"key"`
	Name string `json:"name"`
}

// AcceptanceRule says how a deliverable is accepted.
type AcceptanceRule string

// Acceptance rules (DESIGN.md, "Deliverables and acceptance").
const (
	// AcceptDeemed: silence until the window closes counts as acceptance.
	AcceptDeemed AcceptanceRule = "deemed"
	// AcceptExplicit: the customer must accept; a closed window makes the
	// deliverable overdue and it waits on.
	AcceptExplicit AcceptanceRule = "explicit"
)

// RecurrenceKind says how many rounds of a deliverable a project owes.
type RecurrenceKind string

// Recurrence kinds.
const (
	// RecurOnce: one round, open from the start.
	RecurOnce RecurrenceKind = "once"
	// RecurMonthly: one round per month of the validity period, each opened
	// by its first submission.
	RecurMonthly RecurrenceKind = "monthly"
	// RecurPerEvent: one round per occurrence, each opened by its first
	// submission.
	RecurPerEvent RecurrenceKind = "per-event"
	// RecurPerQuotaUse: one round per use of Deliverable.Quota.
	RecurPerQuotaUse RecurrenceKind = "per-quota-use"
)

// Deliverable is something a phase owes the customer.
type Deliverable struct {
	Key        string         `json:"key"`
	Name       string         `json:"name"`
	Acceptance AcceptanceRule `json:"acceptance"`
	// Required deliverables must be accepted (every round opened so far)
	// before their phase can be advanced.
	Required bool `json:"required"`
	// Final marks the final-acceptance deliverable.
	Final      bool           `json:"final"`
	Recurrence RecurrenceKind `json:"recurrence"`
	// RecurrenceEvent names the occurrence that calls for a round
	// (per-event), for people.
	RecurrenceEvent string `json:"recurrence_event,omitempty"`
	// Quota is the quota whose uses open rounds (per-quota-use).
	Quota string `json:"quota,omitempty"`
}

// Comparison is how a measured value is held against a threshold.
type Comparison string

// Comparisons.
const (
	AtLeast  Comparison = ">="
	MoreThan Comparison = ">"
	AtMost   Comparison = "<="
	LessThan Comparison = "<"
	Equal    Comparison = "="
)

// Threshold is a measurable criterion: a submission of Deliverable must
// carry a value for Metric that satisfies Comparison against Value.
type Threshold struct {
	Deliverable string     `json:"deliverable"`
	Metric      string     `json:"metric"`
	Comparison  Comparison `json:"comparison"`
	Value       float64    `json:"value"`
	Unit        MetricUnit `json:"unit"`
	// Text quotes the contract.
	Text string `json:"text"`
}

// MetricUnit is the unit of a measured value.
type MetricUnit string

// Metric units.
const (
	Percent MetricUnit = "percent"
	Count   MetricUnit = "count"
)

// Met reports whether measured satisfies the threshold.
func (t Threshold) Met(measured float64) bool {
	switch t.Comparison {
	case AtLeast:
		return measured >= t.Value
	case MoreThan:
		return measured > t.Value
	case AtMost:
		return measured <= t.Value
	case LessThan:
		return measured < t.Value
	case Equal:
		return measured == t.Value
	}
	return false
}

// String renders the threshold as "migration_completeness >= 99.9 percent".
func (t Threshold) String() string {
	return fmt.Sprintf("%s %s %s %s", t.Metric, t.Comparison, strconv.FormatFloat(t.Value, 'f', -1, 64), t.Unit)
}

// QuotaPeriod is the period a quota's limit applies to. Projects support
// QuotaPerValidity and QuotaPerYear (the same thing for a 12-month period);
// services count per year, quarter and month.
type QuotaPeriod string

// Quota periods.
const (
	// QuotaPerValidity: the limit applies to the whole validity period.
	QuotaPerValidity QuotaPeriod = "validity"
	QuotaPerYear     QuotaPeriod = "year"
	QuotaPerQuarter  QuotaPeriod = "quarter"
	QuotaPerMonth    QuotaPeriod = "month"
)

// Quota limits how often a service may be used; the use past Limit is
// refused.
type Quota struct {
	Key    string      `json:"key"`
	Name   string      `json:"name"`
	Limit  int         `json:"limit"`
	Period QuotaPeriod `json:"period"`
	// Unit names one use ("submission", "upgrade").
	Unit string `json:"unit"`
	// Deliverable, when set, is the deliverable whose new rounds each use
	// one unit (a resubmission after rejection uses none).
	Deliverable string `json:"deliverable,omitempty"`
}

// Party says whose obligation a clock measures.
type Party string

// Parties.
const (
	// PartyProvider clocks stop while a customer-caused delay is open and
	// resume extended by its length (DESIGN.md rule 8).
	PartyProvider Party = "provider"
	// PartyCustomer clocks never stop.
	PartyCustomer Party = "customer"
)

// Clock is a contract deadline counted from a contract date.
type Clock struct {
	Key      string        `json:"key"`
	Name     string        `json:"name"`
	StartsOn Event         `json:"starts_on"`
	Duration calendar.Spec `json:"duration"`
	// Warning, when set, is when a warning is raised, counted like
	// Duration from the same start.
	Warning *calendar.Spec `json:"warning,omitempty"`
	Party   Party          `json:"party"`
	// MetBy, when set, is the deliverable whose first submission meets the
	// obligation and stops the clock. A clock nothing meets runs to its
	// deadline and records a breach there.
	MetBy string `json:"met_by,omitempty"`
}

// LeadTime is a prerequisite with a lead time: the customer must have
// acted on From at least LeadTime before Before.
type LeadTime struct {
	Key      string        `json:"key"`
	LeadTime calendar.Spec `json:"lead_time"`
	From     Event         `json:"from"`
	Before   Event         `json:"before"`
	// Text quotes the contract.
	Text string `json:"text"`
}

// FindDeliverable returns the index of the phase owing the deliverable
// and the deliverable, or -1.
func (p *Plan) FindDeliverable(key string) (int, Deliverable) {
	for i, ph := range p.Phases {
		for _, d := range ph.Deliverables {
			if d.Key == key {
				return i, d
			}
		}
	}
	return -1, Deliverable{}
}

// QuotaIndex returns the index of the quota with the given key, or -1.
func (p *Plan) QuotaIndex(key string) int {
	for i, q := range p.Quotas {
		if q.Key == key {
			return i
		}
	}
	return -1
}

// ThresholdsFor returns the thresholds of the deliverable, in plan order.
func (p *Plan) ThresholdsFor(deliverable string) []Threshold {
	var out []Threshold
	for _, t := range p.Thresholds {
		if t.Deliverable == deliverable {
			out = append(out, t)
		}
	}
	return out
}

// NoticeSpec is the clock of the "window closing in one working day" notice:
// one working day less than the window, counted from the same submission, so
// it fires when only the window's last working day is left. Nil when the
// window is not counted in working days or is too short to warn.
func (p *Plan) NoticeSpec() *calendar.Spec {
	w := p.AcceptanceWindow
	if w.Kind != calendar.WorkingDays || w.N < 1 {
		return nil
	}
	return &calendar.Spec{Kind: calendar.WorkingDays, N: w.N - 1}
}

// MonthlyRounds is how many rounds a monthly deliverable owes: the months
// of the validity period, or no limit when it is not counted in months.
func (p *Plan) MonthlyRounds() int {
	if p.Validity.Duration.Kind == calendar.Months {
		return p.Validity.Duration.N
	}
	return 0
}
