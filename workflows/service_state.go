package workflows

import (
	"time"

	"github.com/sowflow/sowflow/calendar"
	"github.com/sowflow/sowflow/plan"
)

// ServiceStatus is where a service is in its year.
type ServiceStatus string

// Service statuses.
const (
	// ServicePending: the service year has not started; actions are refused.
	ServicePending ServiceStatus = "pending"
	ServiceActive  ServiceStatus = "active"
	// ServiceClosing: the year has ended; no tickets or quota uses are
	// taken, late obligation submissions are, and the service waits for the
	// open tickets' response outcomes (at most serviceClosingGrace) before
	// it summarises the year.
	ServiceClosing   ServiceStatus = "closing"
	ServiceCompleted ServiceStatus = "completed"
)

// maxServiceEvents is how many recent events the service state keeps (the
// read model keeps them all, in service_events).
const maxServiceEvents = 100

// ServiceState is the whole state of a service: what the "service-state"
// query returns and what continue-as-new carries to the next run. It is kept
// small: open tickets one by one, closed ones only as per-severity totals.
type ServiceState struct {
	ServiceID  string `json:"service_id"`
	CustomerID string `json:"customer_id"`
	// ProjectID is the project the service belongs to (ServiceInput's);
	// empty when it stands alone.
	ProjectID string        `json:"project_id,omitempty"`
	Package   PackageRef    `json:"package"`
	Status    ServiceStatus `json:"status"`
	Start     time.Time     `json:"start"`
	End       time.Time     `json:"end"`
	// Periods are the service months; Month is the index of the month in
	// progress (len(Periods) once the year has ended, 0 before it starts).
	Periods []plan.ServicePeriod `json:"periods"`
	Month   int                  `json:"month"`
	// NextBoundary is when the month in progress ends (or the year starts,
	// while pending).
	NextBoundary time.Time           `json:"next_boundary,omitzero"`
	Quotas       []ServiceQuotaState `json:"quotas"`
	Obligations  []ObligationState   `json:"obligations"`
	Tickets      TicketsState        `json:"tickets"`
	// Summary is the annual service summary, once the year is over.
	Summary *ServiceSummary `json:"summary,omitempty"`
	// RecentEvents are the last maxServiceEvents events, oldest first.
	RecentEvents []Event `json:"recent_events"`
	// Seq is the sequence number of the last event recorded.
	Seq            int64     `json:"seq"`
	StartedAt      time.Time `json:"started_at"`
	StartedBy      Actor     `json:"started_by"`
	StartRequestID string    `json:"start_request_id"`
	EndedAt        time.Time `json:"ended_at,omitzero"`
	// Run counts the workflow runs (1 + continue-as-new count); Runs has
	// one entry per run.
	Run  int        `json:"run"`
	Runs []RunStats `json:"runs"`
}

// RunStats describes one run of a service workflow: the months it covered
// and its history size. Events is the run's own conservative count of the
// history events it caused (see serviceCost), because the test environment
// reports no history length; HistoryLength is what Temporal reported when
// the run ended (0 in the test environment).
type RunStats struct {
	Run           int       `json:"run"`
	Month         int       `json:"month"`
	StartedAt     time.Time `json:"started_at"`
	EndedAt       time.Time `json:"ended_at,omitzero"`
	Events        int       `json:"events"`
	HistoryLength int       `json:"history_length,omitempty"`
	// Reason is why the run ended: "period" (a month boundary), "history"
	// (the history budget), "completed".
	Reason string `json:"reason,omitempty"`
}

// ServiceQuotaState is a quota's use in the period in progress, and the
// totals of the periods before it.
type ServiceQuotaState struct {
	Key    string                 `json:"key"`
	Name   string                 `json:"name"`
	Limit  int                    `json:"limit"`
	Period plan.ServicePeriodUnit `json:"period"`
	Unit   string                 `json:"unit,omitempty"`
	// Label, PeriodStart and PeriodEnd name the period in progress.
	Label       string     `json:"label"`
	PeriodStart time.Time  `json:"period_start"`
	PeriodEnd   time.Time  `json:"period_end"`
	Used        int        `json:"used"`
	Uses        []QuotaUse `json:"uses"`
	// Past are the periods that ended, oldest first.
	Past []QuotaPeriodUse `json:"past"`
}

// QuotaPeriodUse is a past period's use of a quota.
type QuotaPeriodUse struct {
	Label string `json:"label"`
	Used  int    `json:"used"`
	Limit int    `json:"limit"`
}

// ObligationState is an obligation with its periods and submissions.
type ObligationState struct {
	Key     string       `json:"key"`
	Name    string       `json:"name"`
	Cadence plan.Cadence `json:"cadence"`
	// Periods are the periods of the year (one, covering the year, for a
	// per-incident obligation, whose Due grows with each ticket owed).
	Periods     []ObligationPeriod     `json:"periods"`
	Submissions []ObligationSubmission `json:"submissions"`
	// Tickets are the tickets a per-incident obligation is owed for.
	Tickets []int `json:"tickets,omitempty"`
}

// ObligationPeriod is what one period of an obligation owes and got.
type ObligationPeriod struct {
	Label string `json:"label"`
	// FirstMonth and LastMonth are the period's service months, 1-based.
	FirstMonth int       `json:"first_month"`
	LastMonth  int       `json:"last_month"`
	End        time.Time `json:"end"`
	Due        int       `json:"due"`
	Submitted  int       `json:"submitted"`
	// Ended is set once the period is over.
	Ended bool `json:"ended"`
}

// ObligationSubmission is one submitted document.
type ObligationSubmission struct {
	N int `json:"n"`
	// Month is the service month (1-based) the submission covers.
	Month       int       `json:"month,omitempty"`
	Ticket      int       `json:"ticket,omitempty"`
	Title       string    `json:"title"`
	URI         string    `json:"uri"`
	SHA256      string    `json:"sha256"`
	SubmittedAt time.Time `json:"submitted_at"`
	SubmittedBy Actor     `json:"submitted_by"`
	RequestID   string    `json:"request_id,omitempty"`
	// Late is set when the period it covers had already ended.
	Late bool `json:"late,omitempty"`
}

// TicketsState is the service's view of its tickets: the open ones (as last
// reported) and the per-severity totals the annual summary is built from.
type TicketsState struct {
	// Last is the number of the last ticket opened (numbers count from 1
	// and are never reused).
	Last int `json:"last"`
	// Opened counts the tickets opened.
	Opened int `json:"opened"`
	// Open are the tickets not yet closed, by number.
	Open []ServiceTicket `json:"open"`
	// Closed counts the tickets closed.
	Closed int `json:"closed"`
	// Severities are the totals by severity, in plan order.
	Severities []SeverityStats `json:"severities"`
}

// ServiceTicket is the service's record of an open ticket.
type ServiceTicket struct {
	N          int          `json:"n"`
	WorkflowID string       `json:"workflow_id"`
	Severity   string       `json:"severity"`
	Title      string       `json:"title"`
	OpenedAt   time.Time    `json:"opened_at"`
	OpenedBy   Actor        `json:"opened_by"`
	Status     TicketStatus `json:"status"`
	SLA        TicketSLA    `json:"sla"`
	// Responded is set once the response time is counted.
	Responded bool `json:"responded,omitempty"`
}

// SeverityStats are the totals of one severity. A ticket counts under the
// severity whose clock decided its response outcome (TicketSLA.Severity).
type SeverityStats struct {
	Severity string        `json:"severity"`
	Name     string        `json:"name,omitempty"`
	Action   string        `json:"action"`
	Target   calendar.Spec `json:"target"`
	// Opened counts the tickets opened with this severity.
	Opened   int `json:"opened"`
	Met      int `json:"met"`
	Breached int `json:"breached"`
	// Responded counts the responses; ResponseSeconds sums their times
	// from opening and MaxResponseSeconds is the longest.
	Responded          int   `json:"responded"`
	ResponseSeconds    int64 `json:"response_seconds"`
	MaxResponseSeconds int64 `json:"max_response_seconds"`
}

// ServiceSummary is the annual service summary: SLA achievement, committed
// against actual, from the tickets' recorded outcomes, with the quotas' and
// obligations' year.
type ServiceSummary struct {
	Start       time.Time         `json:"start"`
	End         time.Time         `json:"end"`
	GeneratedAt time.Time         `json:"generated_at"`
	Severities  []SeveritySummary `json:"severities"`
	// Totals are over every severity.
	Totals SeveritySummary `json:"totals"`
	// TicketsOpened and TicketsClosed count the year's tickets;
	// Undecided those whose response outcome was not known when the summary
	// was made.
	TicketsOpened int                 `json:"tickets_opened"`
	TicketsClosed int                 `json:"tickets_closed"`
	Undecided     int                 `json:"undecided"`
	Quotas        []ServiceQuotaState `json:"quotas"`
	Obligations   []ObligationSummary `json:"obligations"`
}

// SeveritySummary compares one severity's committed response target with
// what the tickets achieved. Percentages are exact fractions written with
// two decimals, rounded down (so 99.996% is "99.99", never "100.00"); empty
// when no ticket was decided.
type SeveritySummary struct {
	Severity string `json:"severity,omitempty"`
	Name     string `json:"name,omitempty"`
	Action   string `json:"action,omitempty"`
	// Target is the committed response time.
	Target *calendar.Spec `json:"target,omitempty"`
	// CommittedPct is the committed achievement: every ticket within
	// target.
	CommittedPct string `json:"committed_pct"`
	Opened       int    `json:"opened"`
	// Tickets is Met + Breached: the tickets decided under this severity.
	Tickets  int `json:"tickets"`
	Met      int `json:"met"`
	Breached int `json:"breached"`
	// AchievementPct is Met / Tickets.
	AchievementPct string `json:"achievement_pct,omitempty"`
	Responded      int    `json:"responded"`
	// MeanResponseSeconds (rounded down) and MaxResponseSeconds are the
	// response times from opening.
	MeanResponseSeconds int64 `json:"mean_response_seconds"`
	MaxResponseSeconds  int64 `json:"max_response_seconds"`
}

// ObligationSummary is an obligation's year.
type ObligationSummary struct {
	Key       string             `json:"key"`
	Name      string             `json:"name"`
	Cadence   plan.Cadence       `json:"cadence"`
	Due       int                `json:"due"`
	Submitted int                `json:"submitted"`
	Periods   []ObligationPeriod `json:"periods"`
	// Met is set when every period got what it owed.
	Met bool `json:"met"`
}
