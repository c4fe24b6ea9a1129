package workflows

import (
	"errors"
	"strings"

	"go.temporal.io/sdk/temporal"
)

// Role is what an actor may do (DESIGN.md, "Who uses it").
type Role string

// Roles.
const (
	RoleManager  Role = "manager"
	RoleCustomer Role = "customer"
	RoleAuditor  Role = "auditor"
	RoleAdmin    Role = "admin"
	// RoleSystem is sowflow itself: timers, calendar updates.
	RoleSystem Role = "system"
)

// Actor is who performs an action. CustomerID is set for customers.
type Actor struct {
	Subject    string `json:"subject"`
	Role       Role   `json:"role"`
	CustomerID string `json:"customer_id,omitempty"`
}

// SystemActor is the actor of events the workflow records on its own
// (timers, window closes, breaches).
var SystemActor = Actor{Subject: "sowflow", Role: RoleSystem}

// ActionMeta is carried by every action: who acts, and the API request (its
// Idempotency-Key or request ID) that asked for it. Both go into history
// and into the events the action records.
type ActionMeta struct {
	Actor     Actor  `json:"actor"`
	RequestID string `json:"request_id"`
}

// Meta returns m; every action type embeds ActionMeta and so has it.
func (m ActionMeta) Meta() ActionMeta { return m }

// ActionResult is the result of every action update: the events it recorded
// (already written to the projection when the update returns) and the last
// sequence number.
type ActionResult struct {
	Seq    int64   `json:"seq"`
	Events []Event `json:"events"`
}

// Action messages. Each is accepted as an Update (validated first: an invalid
// one is rejected and writes nothing to history) and as a Signal of the same
// name (validated the same way: an invalid one is recorded as an ignored
// event).

// UpdateSubmitDeliverable and SignalSubmitDeliverable are the names of
// SubmitDeliverable.
const (
	UpdateSubmitDeliverable = "submit-deliverable"
	SignalSubmitDeliverable = UpdateSubmitDeliverable
)

// SubmitDeliverable submits a document for a deliverable (manager). It opens
// a fresh acceptance window. Round 0 picks the round: the oldest one pending
// or rejected, else a new one when the deliverable recurs. A submission whose
// measured values miss (or lack) one of the deliverable's thresholds is
// refused with the thresholds named.
type SubmitDeliverable struct {
	ActionMeta
	Deliverable string `json:"deliverable"`
	Round       int    `json:"round,omitempty"`
	Title       string `json:"title"`
	URI         string `json:"uri"`
	// SHA256 is the document's digest, 64 hex digits.
	SHA256 string `json:"sha256"`
	// Measured are the measured values by metric key.
	Measured map[string]float64 `json:"measured,omitempty"`
}

// UpdateDecideDeliverable and SignalDecideDeliverable are the names of
// DecideDeliverable.
const (
	UpdateDecideDeliverable = "decide-deliverable"
	SignalDecideDeliverable = UpdateDecideDeliverable
)

// Decision is the customer's answer to a submission.
type Decision string

// Decisions.
const (
	DecisionAccept Decision = "accept"
	DecisionReject Decision = "reject"
)

// DecideDeliverable accepts or rejects (with a reason) the submitted round of
// a deliverable (the project's customer). Round 0 picks the oldest submitted
// round.
type DecideDeliverable struct {
	ActionMeta
	Deliverable string   `json:"deliverable"`
	Round       int      `json:"round,omitempty"`
	Decision    Decision `json:"decision"`
	Reason      string   `json:"reason,omitempty"`
}

// UpdateAdvancePhase and SignalAdvancePhase are the names of AdvancePhase.
const (
	UpdateAdvancePhase = "advance-phase"
	SignalAdvancePhase = UpdateAdvancePhase
)

// AdvancePhase completes the current phase and starts the next (manager).
// Refused, listing what is missing, while a required deliverable of the
// phase is not accepted. From, when set, must be the current phase, so that
// a repeated request cannot skip a phase.
type AdvancePhase struct {
	ActionMeta
	From string `json:"from,omitempty"`
}

// UpdateOpenDelay and SignalOpenDelay are the names of OpenDelay.
const (
	UpdateOpenDelay = "open-delay"
	SignalOpenDelay = UpdateOpenDelay
)

// OpenDelay records the start of a customer-caused delay (manager): the
// provider's clocks stop until it is closed. One delay is open at a time.
type OpenDelay struct {
	ActionMeta
	Reason string `json:"reason"`
	// Prerequisite optionally names the unmet prerequisite.
	Prerequisite string `json:"prerequisite,omitempty"`
}

// UpdateCloseDelay and SignalCloseDelay are the names of CloseDelay.
const (
	UpdateCloseDelay = "close-delay"
	SignalCloseDelay = UpdateCloseDelay
)

// CloseDelay ends the open customer-caused delay (manager); the provider's
// clocks resume, extended by the delay's length.
type CloseDelay struct {
	ActionMeta
	Note string `json:"note,omitempty"`
}

// UpdateUseQuota and SignalUseQuota are the names of UseQuota.
const (
	UpdateUseQuota = "use-quota"
	SignalUseQuota = UpdateUseQuota
)

// UseQuota records one use of a quota (manager); the use past the limit is
// refused. For a quota that opens deliverable rounds, a use opens the next
// round of each of them.
type UseQuota struct {
	ActionMeta
	Quota string `json:"quota"`
	Note  string `json:"note,omitempty"`
}

// UpdateSignFinalAcceptance and SignalSignFinalAcceptance are the names of
// SignFinalAcceptance.
const (
	UpdateSignFinalAcceptance = "sign-final-acceptance"
	SignalSignFinalAcceptance = UpdateSignFinalAcceptance
)

// SignFinalAcceptance is the customer's final acceptance (the project's
// customer). It needs the last phase current and all its required
// deliverables, the final-acceptance deliverable among them, accepted. When
// the validity ends on final acceptance the project completes.
type SignFinalAcceptance struct {
	ActionMeta
	Note string `json:"note,omitempty"`
}

// UpdateTerminate and SignalTerminate are the names of Terminate.
const (
	UpdateTerminate = "terminate"
	SignalTerminate = UpdateTerminate
)

// Terminate ends the project early (manager), for example a compliance
// termination under seed 000's Party B statement. The reason is required.
type Terminate struct {
	ActionMeta
	Reason string `json:"reason"`
}

// SignalCalendarUpdated is the name of CalendarUpdated (a signal only).
const SignalCalendarUpdated = "calendar-updated"

// CalendarUpdated tells a project that newer calendar data is in force
// (admin or system): every pending deadline whose result was provisional is
// recomputed and its timer reset.
type CalendarUpdated struct {
	ActionMeta
	CalendarVersion string `json:"calendar_version"`
}

// QueryProjectState is the name of the query that returns the whole
// ProjectState.
const QueryProjectState = "project-state"

// Error types of refused actions, as the Temporal application error type of
// an update's rejection. Map them with AsRefusal.
const (
	// ErrorTypeRefused: the action conflicts with the project's state
	// (HTTP 409).
	ErrorTypeRefused = "ActionRefused"
	// ErrorTypeForbidden: the actor may not do this (HTTP 403).
	ErrorTypeForbidden = "ActionForbidden"
	// ErrorTypeInvalid: the action is malformed: a field is missing or
	// names nothing the plan knows (HTTP 400 from the API).
	ErrorTypeInvalid = "ActionInvalid"
)

// Refusal rules: the stable, machine-readable reason of a Refusal.
const (
	RuleRole             = "role"              // forbidden: wrong role
	RuleCustomer         = "customer"          // forbidden: another customer's project
	RuleField            = "field"             // invalid: Field is missing or malformed
	RuleUnknown          = "unknown"           // invalid: Field names nothing in the plan
	RuleEnded            = "ended"             // refused: the project has ended
	RuleState            = "state"             // refused: not possible in the deliverable's state
	RulePhaseNotStarted  = "phase-not-started" // refused: the deliverable's phase is still ahead
	RulePhaseIncomplete  = "phase-incomplete"  // refused: Missing lists what is not accepted
	RulePhaseMoved       = "phase-moved"       // refused: AdvancePhase.From is not current
	RuleLastPhase        = "last-phase"        // refused: no phase follows
	RuleThreshold        = "threshold"         // refused: Thresholds lists the misses
	RuleQuotaExhausted   = "quota-exhausted"   // refused: the quota's limit is reached
	RuleNoFinal          = "no-final"          // refused: the plan has no final acceptance
	RuleDelayOpen        = "delay-open"        // refused: a delay is already open
	RuleNoDelay          = "no-delay"          // refused: no delay is open
	RuleFinalAlreadyDone = "final-signed"      // refused: final acceptance already signed
)

// Refusal is why an action was refused. It travels as the details of a
// Temporal application error whose type is Type.
type Refusal struct {
	Type    string `json:"type"`
	Rule    string `json:"rule"`
	Message string `json:"message"`
	// Field is the action field at fault (invalid actions).
	Field string `json:"field,omitempty"`
	// Missing lists what must be accepted first (phase-incomplete).
	Missing []string `json:"missing,omitempty"`
	// Thresholds lists the missed thresholds, as "metric >= value unit".
	Thresholds []string `json:"thresholds,omitempty"`
}

// Error returns the message.
func (r *Refusal) Error() string { return r.Message }

// applicationError wraps r for an update's rejection or failure.
func (r *Refusal) applicationError() error {
	return temporal.NewApplicationErrorWithOptions(r.Message, r.Type,
		temporal.ApplicationErrorOptions{NonRetryable: true, Details: []any{*r}})
}

// AsRefusal finds a refused action in err: a *Refusal, or a Temporal
// application error of one of the ErrorType types anywhere in the chain (as
// UpdateWorkflow returns it).
func AsRefusal(err error) (*Refusal, bool) {
	for err != nil {
		var r *Refusal
		if errors.As(err, &r) {
			return r, true
		}
		var appErr *temporal.ApplicationError
		if !errors.As(err, &appErr) {
			return nil, false
		}
		switch appErr.Type() {
		case ErrorTypeRefused, ErrorTypeForbidden, ErrorTypeInvalid:
			out := Refusal{}
			if appErr.HasDetails() {
				_ = appErr.Details(&out)
			}
			if out.Type == "" {
				out.Type = appErr.Type()
			}
			if out.Message == "" {
				out.Message = appErr.Message()
			}
			return &out, true
		}
		err = appErr.Unwrap()
	}
	return nil, false
}

func forbidden(rule, msg string) *Refusal {
	return &Refusal{Type: ErrorTypeForbidden, Rule: rule, Message: msg}
}

func invalid(rule, field, msg string) *Refusal {
	return &Refusal{Type: ErrorTypeInvalid, Rule: rule, Field: field, Message: msg}
}

func refused(rule, msg string) *Refusal {
	return &Refusal{Type: ErrorTypeRefused, Rule: rule, Message: msg}
}

// required refuses an empty field.
func required(field, value string) *Refusal {
	if strings.TrimSpace(value) == "" {
		return invalid(RuleField, field, field+" is required")
	}
	return nil
}
