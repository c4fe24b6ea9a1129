package workflows

import "time"

// EventType names what happened to a workflow's subject (a project,
// service, ticket, SLA period or account).
type EventType string

// Event types every workflow records.
const (
	// EventSignalIgnored: an invalid signal (or one its action refused),
	// with the signal's name and the refusal.
	EventSignalIgnored EventType = "signal-ignored"
	// EventContinuedAsNew: the run hands over to the next one.
	EventContinuedAsNew EventType = "continued-as-new"
)

// Event is one thing that happened to a workflow's subject, in order (Seq counts from 1
// and never repeats, across continue-as-new). Events that need a person's
// attention have Attention set and Notify naming who to tell; the projection
// puts them in the outbox.
type Event struct {
	Seq       int64     `json:"seq"`
	Type      EventType `json:"type"`
	Actor     Actor     `json:"actor"`
	RequestID string    `json:"request_id,omitempty"`
	// ClientRequestID is the client's own X-Request-ID (ActionMeta).
	ClientRequestID string         `json:"client_request_id,omitempty"`
	At              time.Time      `json:"at"`
	Payload         map[string]any `json:"payload,omitempty"`
	Attention       bool           `json:"attention"`
	Notify          []Role         `json:"notify,omitempty"`
}
