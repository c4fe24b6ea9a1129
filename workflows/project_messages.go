package workflows

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
