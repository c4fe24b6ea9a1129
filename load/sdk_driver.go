package load

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/sowflow/sowflow/store"
	"github.com/sowflow/sowflow/workflows"
)

// SDKDriver sends the mix straight to Temporal with the SDK: the same
// workflow starts (with the same inputs and search attributes) and the same
// Updates the API sends, without the API's authentication, idempotency
// records, owner rows and JSON. It reads events back from the read model
// in PostgreSQL.
type SDKDriver struct {
	Client    client.Client
	TaskQueue string
	// Actors are who the two parties act as.
	Actors map[Party]workflows.Actor
	// IDPrefix starts every request and update ID (unique per run).
	IDPrefix string
	// Store is the read model the exactly-once check reads.
	Store *store.Store

	seq atomic.Uint64
}

// Name is sdk.
func (d *SDKDriver) Name() string { return "sdk" }

func (d *SDKDriver) do(ctx context.Context, c call) outcome {
	start := time.Now()
	out := d.once(ctx, c)
	out.latency = time.Since(start)
	return out
}

func (d *SDKDriver) once(ctx context.Context, c call) outcome {
	id := fmt.Sprintf("%s-%d", d.IDPrefix, d.seq.Add(1))
	actor := d.Actors[c.as]
	if c.start != nil {
		attrs := make([]temporal.SearchAttributeUpdate, 0, len(c.start.attrs))
		for k, v := range c.start.attrs {
			attrs = append(attrs, temporal.NewSearchAttributeKeyKeyword(k).ValueSet(v))
		}
		_, err := d.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
			ID:                                       c.ref.WorkflowID,
			TaskQueue:                                d.TaskQueue,
			WorkflowIDReusePolicy:                    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
			WorkflowIDConflictPolicy:                 enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
			WorkflowExecutionErrorWhenAlreadyStarted: true,
			TypedSearchAttributes:                    temporal.NewSearchAttributes(attrs...),
		}, c.start.workflow, c.start.input(actor, id))
		if err != nil {
			return outcome{err: sdkError(err)}
		}
		return outcome{requestID: id}
	}
	handle, err := d.Client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		UpdateID:     id,
		WorkflowID:   c.ref.WorkflowID,
		UpdateName:   c.update,
		Args:         []any{c.arg(workflows.ActionMeta{Actor: actor, RequestID: id})},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	var res struct {
		workflows.ActionResult
		Ticket int `json:"ticket"`
	}
	if err == nil {
		err = handle.Get(ctx, &res)
	}
	if err != nil {
		return outcome{err: sdkError(err)}
	}
	out := outcome{requestID: id, ticket: res.Ticket}
	for _, e := range res.Events {
		out.events = append(out.events, EventRef{Seq: e.Seq, Type: string(e.Type), RequestID: e.RequestID})
	}
	return out
}

// sdkError names an SDK error for the report: an application error by its
// type (an Update's refusal), a service error by its Go type.
func sdkError(err error) string {
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		return "sdk " + app.Type()
	}
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) {
		return "sdk already-started"
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return "sdk timeout"
	}
	inner := err
	for u := errors.Unwrap(inner); u != nil; u = errors.Unwrap(inner) {
		inner = u
	}
	return fmt.Sprintf("sdk %T", inner)
}

// Events reads r's events from the read model in Store: resources started
// past the API have no owner row, so the API would not show them.
func (d *SDKDriver) Events(ctx context.Context, r Ref) ([]EventRef, error) {
	if d.Store == nil {
		return nil, errors.New("no database to read the events from (DATABASE_URL)")
	}
	var all []EventRef
	var after int64
	const page = 500
	for {
		var evs []store.Event
		var err error
		switch r.Kind {
		case "project":
			var got []store.ProjectEvent
			got, err = d.Store.ProjectEvents(ctx, r.ID, after, page)
			for _, e := range got {
				evs = append(evs, e.Event)
			}
		case "service":
			var got []store.ServiceEvent
			got, err = d.Store.ServiceEvents(ctx, r.ID, after, page)
			for _, e := range got {
				evs = append(evs, e.Event)
			}
		case "ticket":
			var got []store.TicketEvent
			got, err = d.Store.TicketEvents(ctx, r.ID, r.Ticket, after, page)
			for _, e := range got {
				evs = append(evs, e.Event)
			}
		case "sla-period":
			var got []store.SLAPeriodEvent
			got, err = d.Store.SLAPeriodEvents(ctx, r.ID, r.Period, after, page)
			for _, e := range got {
				evs = append(evs, e.Event)
			}
		default:
			return nil, fmt.Errorf("no events of a %s", r.Kind)
		}
		if err != nil {
			return nil, fmt.Errorf("events of %s: %w", r.Path, err)
		}
		for _, e := range evs {
			all = append(all, EventRef{Seq: e.Seq, Type: e.Type, RequestID: e.RequestID})
		}
		if len(evs) < page {
			return all, nil
		}
		after = evs[len(evs)-1].Seq
	}
}
