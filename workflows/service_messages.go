package workflows

import (
	"fmt"
	"time"

	"github.com/sowflow/sowflow/plan"
)

// ServiceWorkflowName is the workflow type name of a continuous service (a
// support plan or Remote O&M year).
const ServiceWorkflowName = "Service"

// ServiceWorkflowID returns the workflow ID of a service: "service/<id>".
func ServiceWorkflowID(serviceID string) string { return "service/" + serviceID }

// TicketWorkflowID returns the workflow ID of ticket n of a service:
// "service/<id>/ticket/<n>".
func TicketWorkflowID(serviceID string, n int) string {
	return fmt.Sprintf("service/%s/ticket/%d", serviceID, n)
}

// ServiceInput is the input of the service workflow.
type ServiceInput struct {
	ServiceID  string `json:"service_id"`
	CustomerID string `json:"customer_id"`
	// ProjectID, when set, names the project the service belongs to (Remote
	// O&M's documents are both the project's deliverables and the
	// service's obligations); it must be the same customer's.
	ProjectID string           `json:"project_id,omitempty"`
	Plan      plan.ServicePlan `json:"plan"`
	// StartedBy and RequestID identify who started the service and with
	// which request.
	StartedBy Actor  `json:"started_by"`
	RequestID string `json:"request_id"`
	// ClientRequestID is the client's own X-Request-ID of the start.
	ClientRequestID string `json:"client_request_id,omitempty"`
	// ContinueAsNewAfterEvents, when positive, replaces
	// ContinueAsNewHistoryLength as the history budget of one run (a test
	// hook).
	ContinueAsNewAfterEvents int `json:"continue_as_new_after_events,omitempty"`
	// Resume is the state carried over by continue-as-new; nil on the first
	// run.
	Resume *ServiceState `json:"resume,omitempty"`
}

// ServiceResult is the output of the service workflow, once the service
// year is over and summarised.
type ServiceResult struct {
	ServiceID string          `json:"service_id"`
	Status    ServiceStatus   `json:"status"`
	EndedAt   time.Time       `json:"ended_at"`
	Summary   *ServiceSummary `json:"summary"`
	State     ServiceState    `json:"state"`
}

// Service actions. Like the project's, each is accepted as an Update
// (validated first: an invalid one is rejected and writes nothing to
// history) and as a Signal of the same name (an invalid one is recorded as
// an ignored event). Quota uses reuse UpdateUseQuota and UseQuota.

// UpdateOpenTicket and SignalOpenTicket are the names of OpenTicket.
const (
	UpdateOpenTicket = "open-ticket"
	SignalOpenTicket = UpdateOpenTicket
)

// OpenTicket opens a support ticket (the service's customer or the delivery
// manager): a TicketWorkflow child starts with the severity's response
// clock. Refused before the service year starts and after it ends.
type OpenTicket struct {
	ActionMeta
	// Severity is one of the plan's response target severities.
	Severity    string `json:"severity"`
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
}

// OpenTicketResult is the result of the OpenTicket update: the ticket's
// number and workflow ID (its clocks are in its "ticket-state" query).
type OpenTicketResult struct {
	ActionResult
	Ticket     int    `json:"ticket"`
	WorkflowID string `json:"workflow_id"`
}

// UpdateSubmitObligation and SignalSubmitObligation are the names of
// SubmitObligation.
const (
	UpdateSubmitObligation = "submit-obligation"
	SignalSubmitObligation = UpdateSubmitObligation
)

// SubmitObligation records a document the provider owes (manager): a monthly
// operations report, a health check, a post-incident analysis report.
type SubmitObligation struct {
	ActionMeta
	Obligation string `json:"obligation"`
	// Month is the service month (1-based) the submission covers, for
	// periodic obligations: any month of the quarter or year for quarterly
	// and yearly ones. 0 means the month in progress (the last month once
	// the year has ended). It must not be after the month in progress.
	Month int `json:"month,omitempty"`
	// Ticket is the incident a per-incident submission covers (required
	// for those, refused for the others).
	Ticket int    `json:"ticket,omitempty"`
	Title  string `json:"title"`
	URI    string `json:"uri"`
	// SHA256 is the document's digest, 64 hex digits.
	SHA256 string `json:"sha256"`
}

// SignalTicketReport is the signal a ticket sends its service whenever its
// response outcome, status or severity changes.
const SignalTicketReport = "ticket-report"

// TicketReport is a ticket's report to its service: a snapshot of what the
// service needs for the annual summary. Reports are idempotent: the service
// applies the difference from the previous snapshot.
type TicketReport struct {
	ServiceID string       `json:"service_id"`
	Ticket    int          `json:"ticket"`
	Severity  string       `json:"severity"`
	Status    TicketStatus `json:"status"`
	// SLA is the response clock's outcome, once decided.
	SLA         TicketSLA `json:"sla"`
	RespondedAt time.Time `json:"responded_at,omitzero"`
	// ResponseSeconds is the time from opening to the response.
	ResponseSeconds int64     `json:"response_seconds,omitempty"`
	ClosedAt        time.Time `json:"closed_at,omitzero"`
}

// QueryServiceState is the name of the query returning the ServiceState.
const QueryServiceState = "service-state"

// Refusal rules of the continuous-service workflows, beside the project's.
const (
	RuleNotStarted        = "not-started"        // refused: the service year has not started
	RuleSeverityDowngrade = "severity-downgrade" // forbidden: only the manager may lower a severity
	RuleClaimWindow       = "claim-window"       // refused: outside the claim window (the message names it)
	RuleCommitmentMet     = "commitment-met"     // refused: availability met the commitment; nothing to claim
	RulePeriodClosed      = "period-closed"      // refused: the SLA period is computed; no more records
	RuleServiceKind       = "service-kind"       // invalid: the record does not apply to this SLA's service
)

// Event types of services, tickets and SLA periods (with the project's
// EventQuotaUsed, EventSignalIgnored and EventContinuedAsNew).
const (
	EventServiceStarted     EventType = "service-started"
	EventServiceYearStarted EventType = "service-year-started"
	EventTicketOpened       EventType = "ticket-opened"
	// EventTicketReported: the service applied a ticket's report; the
	// payload says what changed. Attention when the report is a breach.
	EventTicketReported      EventType = "ticket-reported"
	EventObligationSubmitted EventType = "obligation-submitted"
	// EventObligationShort: a period ended with fewer submissions than it
	// owes (attention: manager). Late submissions for it are still taken.
	EventObligationShort  EventType = "obligation-short"
	EventPeriodEnded      EventType = "period-ended"
	EventServiceYearEnded EventType = "service-year-ended"
	// EventServiceSummary carries the annual service summary (attention).
	EventServiceSummary   EventType = "service-summary"
	EventServiceCompleted EventType = "service-completed"

	EventTicketWarning     EventType = "ticket-warning"  // attention: 75% of the response target used
	EventTicketBreached    EventType = "ticket-breached" // attention: response target missed
	EventTicketResponded   EventType = "ticket-responded"
	EventTicketResolved    EventType = "ticket-resolved" // attention: customer to confirm closure
	EventTicketReopened    EventType = "ticket-reopened" // attention
	EventTicketClosed      EventType = "ticket-closed"
	EventSeverityChanged   EventType = "severity-changed"
	EventTicketReportError EventType = "ticket-report-failed"

	EventSLAPeriodStarted       EventType = "sla-period-started"
	EventOutageRecorded         EventType = "outage-recorded"
	EventErrorIntervalsRecorded EventType = "error-intervals-recorded"
	EventSLAPeriodComputed      EventType = "sla-period-computed" // attention when compensation is due
	EventClaimWindowOpened      EventType = "claim-window-opened" // attention when compensation is due
	EventClaimFiled             EventType = "claim-filed"
	EventClaimWindowClosed      EventType = "claim-window-closed"
	EventSLAPeriodClosed        EventType = "sla-period-closed"
)
