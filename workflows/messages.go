package workflows

import (
	"errors"
	"strings"

	"go.temporal.io/sdk/temporal"

	"github.com/sowflow/sowflow/plan"
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
	// ClientRequestID is the X-Request-ID the client sent beside the
	// server's RequestID, if any; it is audited with the action.
	ClientRequestID string `json:"client_request_id,omitempty"`
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

// PackageRef identifies the package and catalog a project runs.
type PackageRef struct {
	Code           string `json:"code"`
	Name           string `json:"name"`
	CatalogVersion string `json:"catalog_version"`
	CatalogDigest  string `json:"catalog_digest"`
	// Version and Digest name the version of the package the project or
	// service runs (plan.Plan.PackageVersion and PackageDigest); runs
	// started before package versions existed have neither.
	Version int    `json:"version,omitempty"`
	Digest  string `json:"digest,omitempty"`
}

// InvalidInputErrorType is the application error type with which every
// workflow (project, service, ticket, SLA period, SLA account) fails when
// started with an input its validation refuses; the error's cause lists the
// *StartError values.
const InvalidInputErrorType = "InvalidInput"

// Start rules carried by StartError (plan's, named here for the workflows'
// callers).
const (
	StartRuleRequired    = plan.StartRuleRequired
	StartRuleInvalid     = plan.StartRuleInvalid
	StartRuleUnsupported = plan.StartRuleUnsupported
	StartRuleLeadTime    = plan.StartRuleLeadTime
)

// StartError is a reason a workflow cannot start (plan.StartError: a service
// plan's own validation reports it too).
type StartError = plan.StartError

// StartErrors returns the *StartError values in err, however joined.
func StartErrors(err error) []*StartError { return plan.ErrorsOf[*StartError](err) }

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
