package load

import (
	"context"
	"time"

	"github.com/sowflow/sowflow/workflows"
)

// Party is who performs an action: the provider's delivery manager or the
// customer.
type Party string

// The parties of the mix.
const (
	Manager  Party = "manager"
	Customer Party = "customer"
)

// Ref names one resource whose recorded events the exactly-once check reads.
type Ref struct {
	// Kind is project, service, ticket or sla-period.
	Kind string `json:"kind"`
	// Path is the resource's API path (/v1/projects/p-1).
	Path string `json:"path"`
	// WorkflowID is its workflow, and Query the workflow's state query.
	WorkflowID string `json:"workflow_id"`
	// ID is the project's or service's ID, or the SLA period's account;
	// Ticket a ticket's number and Period an SLA period's month.
	ID     string `json:"id"`
	Ticket int    `json:"ticket,omitempty"`
	Period string `json:"period,omitempty"`
}

// call is one action of the mix in both of its forms: the HTTP request the
// API driver sends and the start or Update the SDK driver sends.
type call struct {
	// action names the report's row (project.start, deliverable.accept, …).
	action string
	as     Party
	// ref is the resource acted on (for a start, the one started).
	ref Ref
	// HTTP form: path and JSON body (nil sends none).
	path string
	body any
	// start, for a start, is what the SDK driver starts; update and arg
	// are the Update it sends otherwise.
	start  *startCall
	update string
	arg    func(workflows.ActionMeta) any
	// startEvent, for a start, is the event type the start records.
	startEvent workflows.EventType
}

// startCall is a workflow start as the SDK driver sends it.
type startCall struct {
	workflow string
	input    func(actor workflows.Actor, requestID string) any
	attrs    map[string]string
}

// outcome is what one call came to.
type outcome struct {
	// err is empty on success, otherwise the error's type for the report
	// (http-409 action-refused state, transport, sdk …).
	err     string
	latency time.Duration
	// retries counts the attempts after the first.
	retries int
	// requestID is the request ID the action's events carry.
	requestID string
	// events are the events the answer says the action recorded (for
	// updates), and ticket the number an opened ticket got.
	events []EventRef
	ticket int
}

// EventRef is the part of a recorded event the check compares.
type EventRef struct {
	Seq       int64  `json:"seq"`
	Type      string `json:"type"`
	RequestID string `json:"request_id"`
}

// Driver sends the mix's calls to a deployment and reads recorded events
// back for the exactly-once check.
type Driver interface {
	// do performs c and reports its outcome.
	do(ctx context.Context, c call) outcome
	// Events reads every recorded event of r.
	Events(ctx context.Context, r Ref) ([]EventRef, error)
	// Name is api or sdk.
	Name() string
}
