package workflows

import (
	"time"

	"github.com/sowflow/sowflow/plan"
)

// ProjectStatus is where a project is in its life.
type ProjectStatus string

// Project statuses.
const (
	StatusActive ProjectStatus = "active"
	// StatusCompleted: final acceptance signed, or a continuous service's
	// validity ended.
	StatusCompleted ProjectStatus = "completed"
	// StatusExpired: the validity ended before final acceptance.
	StatusExpired ProjectStatus = "expired"
	// StatusTerminated: ended early by the provider (Terminate).
	StatusTerminated ProjectStatus = "terminated"
)

// PhaseStatus is where a phase is.
type PhaseStatus string

// Phase statuses.
const (
	PhasePending   PhaseStatus = "pending"
	PhaseActive    PhaseStatus = "active"
	PhaseCompleted PhaseStatus = "completed"
)

// DeliverableStatus is where a deliverable (or one round of it) is.
type DeliverableStatus string

// Deliverable statuses: pending → submitted → accepted | rejected, and
// rejected → submitted on resubmission.
const (
	DeliverablePending   DeliverableStatus = "pending"
	DeliverableSubmitted DeliverableStatus = "submitted"
	DeliverableAccepted  DeliverableStatus = "accepted"
	DeliverableRejected  DeliverableStatus = "rejected"
)

// ClockStatus is where a contract clock is.
type ClockStatus string

// Clock statuses.
const (
	ClockRunning  ClockStatus = "running"
	ClockPaused   ClockStatus = "paused" // a customer delay is open
	ClockMet      ClockStatus = "met"
	ClockBreached ClockStatus = "breached"
)

// ProjectState is the whole state of a project: what the state query
// returns, what every projection record carries, and what continue-as-new
// carries to the next run. Every deadline is stored as an instant, so a new
// run re-arms its timers from it.
type ProjectState struct {
	ProjectID  string        `json:"project_id"`
	CustomerID string        `json:"customer_id"`
	Package    PackageRef    `json:"package"`
	Status     ProjectStatus `json:"status"`
	// Phase is the current phase's key; PhaseIndex its index in Phases.
	Phase        string             `json:"phase"`
	PhaseIndex   int                `json:"phase_index"`
	Phases       []PhaseState       `json:"phases"`
	Deliverables []DeliverableState `json:"deliverables"`
	Validity     ValidityState      `json:"validity"`
	Clocks       []ClockState       `json:"clocks"`
	Quotas       []QuotaState       `json:"quotas"`
	// Delays are the customer-caused delays, open ones last.
	Delays []Delay `json:"delays"`
	// OpenDelays counts the delays not yet closed (0 or 1).
	OpenDelays int `json:"open_delays"`
	// FinalAcceptedAt is when the customer signed final acceptance.
	FinalAcceptedAt time.Time `json:"final_accepted_at,omitzero"`
	FinalAcceptedBy *Actor    `json:"final_accepted_by,omitempty"`
	// EndedAt and EndReason are set once the status is not active.
	EndedAt   time.Time `json:"ended_at,omitzero"`
	EndReason string    `json:"end_reason,omitempty"`
	// NextDeadline is the earliest pending deadline: an acceptance window's
	// close, a clock's deadline or the validity's end.
	NextDeadline time.Time `json:"next_deadline,omitzero"`
	// CalendarVersion is the calendar version of the latest computation.
	CalendarVersion string    `json:"calendar_version"`
	StartedAt       time.Time `json:"started_at"`
	StartedBy       Actor     `json:"started_by"`
	StartRequestID  string    `json:"start_request_id"`
	// Seq is the sequence number of the last event recorded.
	Seq int64 `json:"seq"`
	// Run counts the workflow runs (1 + continue-as-new count).
	Run int `json:"run"`
}

// PhaseState is one phase of a project.
type PhaseState struct {
	Key         string      `json:"key"`
	Name        string      `json:"name"`
	Status      PhaseStatus `json:"status"`
	StartedAt   time.Time   `json:"started_at,omitzero"`
	CompletedAt time.Time   `json:"completed_at,omitzero"`
}

// DeliverableState is one deliverable of a project with its rounds. The
// top-level Status, Overdue and Deadline summarise the rounds: the status of
// the oldest round not yet accepted (accepted when all are, pending when
// none is open), whether a round is overdue, and the earliest open window.
type DeliverableState struct {
	Key        string              `json:"key"`
	Name       string              `json:"name"`
	Phase      string              `json:"phase"`
	Acceptance plan.AcceptanceRule `json:"acceptance"`
	Required   bool                `json:"required"`
	Final      bool                `json:"final"`
	Recurrence plan.RecurrenceKind `json:"recurrence"`

	Status      DeliverableStatus `json:"status"`
	Overdue     bool              `json:"overdue"`
	Deadline    time.Time         `json:"deadline,omitzero"`
	Provisional bool              `json:"provisional,omitempty"`
	Rounds      []RoundState      `json:"rounds"`
}

// RoundState is one round of a deliverable (the only one for a deliverable
// delivered once).
type RoundState struct {
	Round  int               `json:"round"`
	Status DeliverableStatus `json:"status"`
	// Overdue is set when the window of an explicit deliverable closed
	// without a decision; cleared by the decision or a resubmission.
	Overdue bool `json:"overdue"`
	// QuotaUse is the use of the deliverable's quota that opened the
	// round (per-quota-use), 0 otherwise.
	QuotaUse    int          `json:"quota_use,omitempty"`
	OpenedAt    time.Time    `json:"opened_at"`
	Submissions []Submission `json:"submissions"`
	AcceptedAt  time.Time    `json:"accepted_at,omitzero"`
	// DeemedAcceptedAt is set when the round was accepted by silence: the
	// instant its window closed.
	DeemedAcceptedAt time.Time `json:"deemed_accepted_at,omitzero"`
}

// Submission is one submission of a round, with the window it opened and
// the customer's decision on it.
type Submission struct {
	N           int                `json:"n"`
	Title       string             `json:"title"`
	URI         string             `json:"uri"`
	SHA256      string             `json:"sha256"`
	Measured    map[string]float64 `json:"measured,omitempty"`
	SubmittedAt time.Time          `json:"submitted_at"`
	SubmittedBy Actor              `json:"submitted_by"`
	RequestID   string             `json:"request_id"`
	Window      Window             `json:"window"`
	Decision    *DecisionRecord    `json:"decision,omitempty"`
}

// Window is the acceptance window a submission opened: the customer's clock,
// never stopped by delays.
type Window struct {
	// Closes is when the window closes (5 working days).
	Closes DeadlineState `json:"closes"`
	// Notice is when the window has one working day left (4 working days
	// from the submission); zero when the window is too short.
	Notice     DeadlineState `json:"notice,omitzero"`
	NoticeSent bool          `json:"notice_sent"`
	// Closed is set when the window closed while the submission awaited a
	// decision.
	Closed bool `json:"closed"`
}

// DecisionOutcome is how a submission was decided.
type DecisionOutcome string

// Decision outcomes.
const (
	OutcomeAccepted DecisionOutcome = "accepted"
	OutcomeRejected DecisionOutcome = "rejected"
	// OutcomeDeemed: accepted by silence when the window closed.
	OutcomeDeemed DecisionOutcome = "deemed-accepted"
)

// DecisionRecord is the decision on a submission.
type DecisionRecord struct {
	Outcome   DecisionOutcome `json:"outcome"`
	Reason    string          `json:"reason,omitempty"`
	At        time.Time       `json:"at"`
	By        Actor           `json:"by"`
	RequestID string          `json:"request_id,omitempty"`
}

// ValidityState is the project's service period.
type ValidityState struct {
	Type     plan.ValidityType `json:"type"`
	StartsOn plan.Event        `json:"starts_on"`
	Start    time.Time         `json:"start"`
	// End is when the project expires (or completes, when it does not end
	// on final acceptance): the package's term counted from Start, or the
	// start's contract end. Absent when there is neither (Managed Services
	// and Landing Zone state no term).
	End                   DeadlineState `json:"end,omitzero"`
	EndsOnFinalAcceptance bool          `json:"ends_on_final_acceptance"`
}

// ClockState is a contract clock of the project.
type ClockState struct {
	Key      string        `json:"key"`
	Name     string        `json:"name"`
	Party    plan.Party    `json:"party"`
	StartsOn plan.Event    `json:"starts_on"`
	Start    time.Time     `json:"start"`
	MetBy    string        `json:"met_by,omitempty"`
	Status   ClockStatus   `json:"status"`
	Deadline DeadlineState `json:"deadline"`
	// Warning is when the warning is due; nil when the clock has none.
	Warning    *DeadlineState `json:"warning,omitempty"`
	WarnedAt   time.Time      `json:"warned_at,omitzero"`
	MetAt      time.Time      `json:"met_at,omitzero"`
	BreachedAt time.Time      `json:"breached_at,omitzero"`
}

func (c *ClockState) met() bool      { return !c.MetAt.IsZero() }
func (c *ClockState) breached() bool { return !c.BreachedAt.IsZero() }
func (c *ClockState) warned() bool   { return !c.WarnedAt.IsZero() }

// QuotaState is a quota's use so far.
type QuotaState struct {
	Key         string           `json:"key"`
	Name        string           `json:"name"`
	Limit       int              `json:"limit"`
	Used        int              `json:"used"`
	Period      plan.QuotaPeriod `json:"period"`
	Unit        string           `json:"unit"`
	Deliverable string           `json:"deliverable,omitempty"`
	Uses        []QuotaUse       `json:"uses"`
}

// QuotaUse is one use of a quota.
type QuotaUse struct {
	N         int       `json:"n"`
	At        time.Time `json:"at"`
	By        Actor     `json:"by"`
	RequestID string    `json:"request_id,omitempty"`
	Note      string    `json:"note,omitempty"`
}

// Delay is a customer-caused delay (DESIGN.md rule 8).
type Delay struct {
	ID           int       `json:"id"`
	Reason       string    `json:"reason"`
	Prerequisite string    `json:"prerequisite,omitempty"`
	OpenedAt     time.Time `json:"opened_at"`
	OpenedBy     Actor     `json:"opened_by"`
	ClosedAt     time.Time `json:"closed_at,omitzero"`
	ClosedBy     *Actor    `json:"closed_by,omitempty"`
	// LengthSeconds is how long the delay lasted, once closed.
	LengthSeconds int64 `json:"length_seconds,omitempty"`
}

// Open reports whether the delay has not been closed.
func (d Delay) Open() bool { return d.ClosedAt.IsZero() }

// Event types of projects (with EventSignalIgnored, EventContinuedAsNew
// and EventCalendarUpdated).
const (
	EventProjectStarted        EventType = "project-started"
	EventDeliverableSubmitted  EventType = "deliverable-submitted"
	EventDeliverableAccepted   EventType = "deliverable-accepted"
	EventDeliverableRejected   EventType = "deliverable-rejected"
	EventDeliverableDeemed     EventType = "deliverable-deemed-accepted" // attention
	EventWindowClosing         EventType = "window-closing"              // attention: one working day left
	EventCustomerReminded      EventType = "customer-reminded"           // attention: explicit deliverable overdue
	EventManagerEscalated      EventType = "manager-escalated"           // attention: explicit deliverable overdue
	EventPhaseAdvanced         EventType = "phase-advanced"
	EventDelayOpened           EventType = "delay-opened"
	EventDelayClosed           EventType = "delay-closed"
	EventQuotaUsed             EventType = "quota-used"
	EventClockWarning          EventType = "clock-warning"  // attention
	EventClockBreached         EventType = "clock-breached" // attention
	EventClockMet              EventType = "clock-met"
	EventFinalAcceptanceSigned EventType = "final-acceptance-signed"
	EventProjectCompleted      EventType = "project-completed"
	EventProjectExpired        EventType = "project-expired"
	EventProjectTerminated     EventType = "project-terminated"
	EventCalendarUpdated       EventType = "calendar-updated"
)

// RecordProjectActivity is the name of the projection activity: a regular
// activity (not local) that writes a ProjectRecord to the read model. It
// must be idempotent by sequence number: insert events whose Seq is new and
// replace the stored state only with one of a higher Seq; attention events go
// to the outbox once.
const RecordProjectActivity = "RecordProject"

// ProjectRecord is the input of RecordProjectActivity: the state after the
// events, and the events recorded since the previous record, in order.
type ProjectRecord struct {
	State  ProjectState `json:"state"`
	Events []Event      `json:"events"`
}
