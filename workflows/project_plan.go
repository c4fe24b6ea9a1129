package workflows

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
	// Options are the start options that shaped the plan.
	Options PlanOptions `json:"options"`
	// Validity is the service period.
	Validity PlanValidity `json:"validity"`
	// Phases are the project's phases in order.
	Phases []PlanPhase `json:"phases"`
	// Thresholds are the measurable criteria submissions must meet.
	Thresholds []PlanThreshold `json:"thresholds"`
	// Quotas limit how often a service may be used.
	Quotas []PlanQuota `json:"quotas"`
	// Clocks are the contract deadlines started by contract dates (the
	// acceptance window, started by each submission, is AcceptanceWindow).
	Clocks []PlanClock `json:"clocks"`
	// AcceptanceWindow is how long the customer has to decide on a
	// submission (5 working days).
	AcceptanceWindow calendar.Spec `json:"acceptance_window"`
	// LeadTimes are the prerequisites that need the customer to have acted
	// some time before a contract date; checked before the project starts.
	LeadTimes []PlanLeadTime `json:"lead_times"`
	// FinalAcceptance is the key of the deliverable whose acceptance is the
	// customer's final acceptance; empty when the package has none.
	FinalAcceptance string `json:"final_acceptance,omitempty"`
}

// PlanOptions are the start options a plan was resolved with, as the catalog
// normalised them.
type PlanOptions struct {
	DesignDomains     []string `json:"design_domains,omitempty"`
	IOSDistribution   string   `json:"ios_distribution,omitempty"`
	Users             int      `json:"users,omitempty"`
	ResourceIntensive bool     `json:"resource_intensive,omitempty"`
}

// ContractEvent names a contract date that starts a clock or the validity
// period, or anchors a lead time.
type ContractEvent string

// Contract events. Each but OnSubmission is a field of ContractDates.
const (
	OnPurchase          ContractEvent = "purchase"
	OnPayment           ContractEvent = "payment"
	OnContractEffective ContractEvent = "contract-effective"
	OnContractSigning   ContractEvent = "contract-signing"
	OnApplication       ContractEvent = "application"
	OnOrder             ContractEvent = "order"
	// OnSubmission starts a clock at each deliverable submission.
	OnSubmission ContractEvent = "deliverable-submitted"
)

// ValidityType is the seed's label for a validity rule ("instant",
// "continuous").
type ValidityType string

// Validity types.
const (
	ValidityInstant    ValidityType = "instant"
	ValidityContinuous ValidityType = "continuous"
)

// PlanValidity is the service period: Duration counted from StartsOn. When
// EndsOnFinalAcceptance is set the customer's final acceptance completes the
// project and reaching the end without it expires the project; otherwise
// the project completes when the period ends.
type PlanValidity struct {
	Type                  ValidityType  `json:"type"`
	StartsOn              ContractEvent `json:"starts_on"`
	Duration              calendar.Spec `json:"duration"`
	EndsOnFinalAcceptance bool          `json:"ends_on_final_acceptance"`
}

// PlanPhase is one phase of the plan.
type PlanPhase struct {
	Key          string            `json:"key"`
	Name         string            `json:"name"`
	Tasks        []PlanTask        `json:"tasks"`
	Deliverables []PlanDeliverable `json:"deliverables"`
}

// PlanTask is a piece of work of a phase, as the start options selected it.
type PlanTask struct {
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
	// RecurPerQuotaUse: one round per use of PlanDeliverable.Quota.
	RecurPerQuotaUse RecurrenceKind = "per-quota-use"
)

// PlanDeliverable is something a phase owes the customer.
type PlanDeliverable struct {
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

// PlanThreshold is a measurable criterion: a submission of Deliverable must
// carry a value for Metric that satisfies Comparison against Value.
type PlanThreshold struct {
	Deliverable string     `json:"deliverable"`
	Metric      string     `json:"metric"`
	Comparison  Comparison `json:"comparison"`
	Value       float64    `json:"value"`
	Unit        string     `json:"unit"`
	// Text quotes the contract.
	Text string `json:"text"`
}

// Met reports whether measured satisfies the threshold.
func (t PlanThreshold) Met(measured float64) bool {
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
func (t PlanThreshold) String() string {
	return fmt.Sprintf("%s %s %s %s", t.Metric, t.Comparison, strconv.FormatFloat(t.Value, 'f', -1, 64), t.Unit)
}

// QuotaPeriod is the period a quota's limit applies to. Projects support
// QuotaPerValidity and QuotaPerYear (the same thing for a 12-month period).
type QuotaPeriod string

// Quota periods.
const (
	QuotaPerValidity QuotaPeriod = "validity"
	QuotaPerYear     QuotaPeriod = "year"
)

// PlanQuota limits how often a service may be used; the use past Limit is
// refused.
type PlanQuota struct {
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

// PlanClock is a contract deadline counted from a contract date.
type PlanClock struct {
	Key      string        `json:"key"`
	Name     string        `json:"name"`
	StartsOn ContractEvent `json:"starts_on"`
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

// PlanLeadTime is a prerequisite with a lead time: the customer must have
// acted on From at least LeadTime before Before.
type PlanLeadTime struct {
	Key      string        `json:"key"`
	LeadTime calendar.Spec `json:"lead_time"`
	From     ContractEvent `json:"from"`
	Before   ContractEvent `json:"before"`
	// Text quotes the contract.
	Text string `json:"text"`
}

// deliverable returns the index of the phase owing the deliverable and the
// deliverable, or -1.
func (p *Plan) deliverable(key string) (int, PlanDeliverable) {
	for i, ph := range p.Phases {
		for _, d := range ph.Deliverables {
			if d.Key == key {
				return i, d
			}
		}
	}
	return -1, PlanDeliverable{}
}

// quota returns the index of the quota with the given key, or -1.
func (p *Plan) quota(key string) int {
	for i, q := range p.Quotas {
		if q.Key == key {
			return i
		}
	}
	return -1
}

// thresholdsFor returns the thresholds of the deliverable, in plan order.
func (p *Plan) thresholdsFor(deliverable string) []PlanThreshold {
	var out []PlanThreshold
	for _, t := range p.Thresholds {
		if t.Deliverable == deliverable {
			out = append(out, t)
		}
	}
	return out
}

// noticeSpec is the clock of the "window closing in one working day" notice:
// one working day less than the window, counted from the same submission, so
// it fires when only the window's last working day is left. Nil when the
// window is not counted in working days or is too short to warn.
func (p *Plan) noticeSpec() *calendar.Spec {
	w := p.AcceptanceWindow
	if w.Kind != calendar.WorkingDays || w.N < 1 {
		return nil
	}
	return &calendar.Spec{Kind: calendar.WorkingDays, N: w.N - 1}
}

// monthlyRounds is how many rounds a monthly deliverable owes: the months
// of the validity period, or no limit when it is not counted in months.
func (p *Plan) monthlyRounds() int {
	if p.Validity.Duration.Kind == calendar.Months {
		return p.Validity.Duration.N
	}
	return 0
}
