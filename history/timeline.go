package history

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/converter"

	"github.com/sowflow/sowflow/calendar"
	"github.com/sowflow/sowflow/workflows"
)

// Kind classifies a timeline entry.
type Kind string

// Timeline entry kinds. Workflow-task bookkeeping, activity starts and
// completions, and search-attribute upserts are left out of the timeline.
const (
	// KindStarted: a run started; the first run is the project's start
	// (actor and request ID of the start request), later runs continue the
	// chain (payload "continued_from", "run", "seq").
	KindStarted Kind = "workflow-started"
	// KindUpdate: an action arrived as an update and was accepted (an update
	// its validator refuses is never written to history). Payload: the
	// action's fields (deliverable, decision, reason, ...).
	KindUpdate Kind = "update"
	// KindUpdateCompleted: the update's outcome. Payload "outcome"
	// ("completed" or "failed"), "seq" and "events" (seq and type of the
	// events the action recorded) or "error".
	KindUpdateCompleted Kind = "update-completed"
	// KindSignal: an action or calendar update arrived as a signal (an
	// invalid one is recorded later as a signal-ignored event).
	KindSignal Kind = "signal"
	// KindDeadline: a deadline computed by the ComputeDeadline local
	// activity. Payload "deadline", "provisional", "calendar_version".
	KindDeadline Kind = "deadline-computed"
	// KindLocalActivity: another local activity's result.
	KindLocalActivity Kind = "local-activity"
	// KindVersion: a workflow.GetVersion marker ("change_id", "version").
	KindVersion Kind = "version-marker"
	// KindMarker: any other marker.
	KindMarker Kind = "marker"
	// KindTimerStarted, KindTimerFired, KindTimerCanceled: the run's wake-up
	// timer for its next deadline.
	KindTimerStarted  Kind = "timer-started"
	KindTimerFired    Kind = "timer-fired"
	KindTimerCanceled Kind = "timer-canceled"
	// KindRecorded: the workflow wrote events and state to the read model
	// (the RecordProject activity was scheduled). Payload "seq", "status",
	// "phase" and "events": the project events, each with its actor, request
	// ID, time and payload.
	KindRecorded Kind = "recorded"
	// KindActivity: another activity was scheduled.
	KindActivity Kind = "activity-scheduled"
	// KindActivityFailed: an activity failed or timed out for good.
	KindActivityFailed Kind = "activity-failed"
	// KindWorkflowTaskFailed: the worker failed a workflow task, for example
	// on a non-determinism error.
	KindWorkflowTaskFailed Kind = "workflow-task-failed"
	// KindContinuedAsNew: the run handed over to "new_run_id".
	KindContinuedAsNew Kind = "continued-as-new"
	// KindCompleted: the workflow ended; payload "status", "reason",
	// "ended_at", "seq".
	KindCompleted Kind = "workflow-completed"
	// KindFailed, KindTerminated, KindCanceled, KindTimedOut: the workflow
	// ended otherwise.
	KindFailed     Kind = "workflow-failed"
	KindTerminated Kind = "workflow-terminated"
	KindCanceled   Kind = "workflow-canceled"
	KindTimedOut   Kind = "workflow-timed-out"
	// KindOther: any other event, by its type only.
	KindOther Kind = "other"
)

// Entry is one step of a project's timeline.
type Entry struct {
	// Run is the run's position in the chain (1 is the first run); RunID
	// its Temporal run ID.
	Run   int    `json:"run"`
	RunID string `json:"run_id"`
	// EventID and EventType are the Temporal event's ID (within its run)
	// and type, e.g. "WorkflowExecutionUpdateAccepted".
	EventID   int64  `json:"event_id"`
	EventType string `json:"event_type"`
	// Time is when Temporal recorded the event, in China Standard Time.
	Time time.Time `json:"time"`
	Kind Kind      `json:"kind"`
	// Name is the update or signal name, the activity type, the timer ID or
	// the marker name.
	Name string `json:"name,omitempty"`
	// Actor and RequestID are who asked for the action and with which
	// request; for update completions, those of the update.
	Actor     *workflows.Actor `json:"actor,omitempty"`
	RequestID string           `json:"request_id,omitempty"`
	// UpdateID is the Temporal update ID of update entries.
	UpdateID string `json:"update_id,omitempty"`
	// Payload is what the event carries, decoded (see the kinds).
	Payload map[string]any `json:"payload,omitempty"`
}

// Decoder decodes histories. The zero value uses the default data
// converter.
type Decoder struct {
	// DataConverter decodes payloads; nil means the default one. With a
	// payload codec (encryption), pass the codec data converter.
	DataConverter converter.DataConverter
}

func (d *Decoder) dc() converter.DataConverter {
	if d != nil && d.DataConverter != nil {
		return d.DataConverter
	}
	return converter.GetDefaultDataConverter()
}

// Timeline decodes the runs, oldest first, into one timeline with the default
// data converter.
func Timeline(runs []Run) []Entry { return (&Decoder{}).Timeline(runs) }

// Timeline decodes the runs, oldest first, into one timeline. A payload that
// cannot be decoded is reported in its entry's payload as "decode_error";
// the rest of the timeline is still decoded.
func (d *Decoder) Timeline(runs []Run) []Entry {
	out := []Entry{}
	for i, r := range runs {
		t := timeline{d: d, run: i + 1, runID: r.RunID, updates: map[int64]*Entry{}}
		for _, e := range r.History.GetEvents() {
			if entry, ok := t.entry(e); ok {
				out = append(out, entry)
			}
		}
	}
	return out
}

// timeline decodes one run.
type timeline struct {
	d     *Decoder
	run   int
	runID string
	// updates are the update entries by accepted event ID.
	updates map[int64]*Entry
}

func (t *timeline) entry(e *historypb.HistoryEvent) (Entry, bool) {
	en := Entry{
		Run: t.run, RunID: t.runID, EventID: e.GetEventId(), EventType: e.GetEventType().String(),
		Time: e.GetEventTime().AsTime().In(calendar.Zone()),
	}
	switch e.GetEventType() {
	case enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, enumspb.EVENT_TYPE_WORKFLOW_TASK_STARTED,
		enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, enumspb.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT,
		enumspb.EVENT_TYPE_ACTIVITY_TASK_STARTED, enumspb.EVENT_TYPE_ACTIVITY_TASK_COMPLETED,
		enumspb.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES, enumspb.EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED:
		return en, false
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
		t.started(&en, e.GetWorkflowExecutionStartedEventAttributes())
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
		a := e.GetWorkflowExecutionUpdateAcceptedEventAttributes()
		req := a.GetAcceptedRequest()
		en.Kind, en.Name = KindUpdate, req.GetInput().GetName()
		en.UpdateID = req.GetMeta().GetUpdateId()
		if en.UpdateID == "" {
			en.UpdateID = a.GetProtocolInstanceId()
		}
		t.action(&en, req.GetInput().GetArgs())
		saved := en
		t.updates[e.GetEventId()] = &saved
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED:
		t.updateCompleted(&en, e.GetWorkflowExecutionUpdateCompletedEventAttributes())
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
		a := e.GetWorkflowExecutionSignaledEventAttributes()
		en.Kind, en.Name = KindSignal, a.GetSignalName()
		t.action(&en, a.GetInput())
	case enumspb.EVENT_TYPE_MARKER_RECORDED:
		t.marker(&en, e.GetMarkerRecordedEventAttributes())
	case enumspb.EVENT_TYPE_TIMER_STARTED:
		a := e.GetTimerStartedEventAttributes()
		d := a.GetStartToFireTimeout().AsDuration()
		en.Kind, en.Name = KindTimerStarted, a.GetTimerId()
		en.Payload = map[string]any{"fires_after_seconds": int64(d / time.Second), "fires_at": en.Time.Add(d)}
	case enumspb.EVENT_TYPE_TIMER_FIRED:
		en.Kind, en.Name = KindTimerFired, e.GetTimerFiredEventAttributes().GetTimerId()
	case enumspb.EVENT_TYPE_TIMER_CANCELED:
		en.Kind, en.Name = KindTimerCanceled, e.GetTimerCanceledEventAttributes().GetTimerId()
	case enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
		t.activityScheduled(&en, e.GetActivityTaskScheduledEventAttributes())
	case enumspb.EVENT_TYPE_ACTIVITY_TASK_FAILED:
		a := e.GetActivityTaskFailedEventAttributes()
		en.Kind = KindActivityFailed
		en.Payload = map[string]any{"scheduled_event_id": a.GetScheduledEventId(), "error": a.GetFailure().GetMessage()}
	case enumspb.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT:
		a := e.GetActivityTaskTimedOutEventAttributes()
		en.Kind = KindActivityFailed
		en.Payload = map[string]any{"scheduled_event_id": a.GetScheduledEventId(), "error": a.GetFailure().GetMessage()}
	case enumspb.EVENT_TYPE_WORKFLOW_TASK_FAILED:
		a := e.GetWorkflowTaskFailedEventAttributes()
		en.Kind = KindWorkflowTaskFailed
		en.Payload = map[string]any{"cause": a.GetCause().String(), "error": a.GetFailure().GetMessage()}
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW:
		en.Kind = KindContinuedAsNew
		en.Payload = map[string]any{"new_run_id": e.GetWorkflowExecutionContinuedAsNewEventAttributes().GetNewExecutionRunId()}
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED:
		en.Kind = KindCompleted
		var res struct {
			Status  workflows.ProjectStatus `json:"status"`
			Reason  string                  `json:"reason"`
			EndedAt time.Time               `json:"ended_at"`
			Seq     int64                   `json:"seq"`
		}
		if err := t.d.decode(e.GetWorkflowExecutionCompletedEventAttributes().GetResult(), &res); err != nil {
			en.Payload = map[string]any{"decode_error": err.Error()}
			break
		}
		en.Payload = map[string]any{"status": res.Status, "reason": res.Reason, "ended_at": res.EndedAt, "seq": res.Seq}
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED:
		en.Kind = KindFailed
		en.Payload = map[string]any{"error": e.GetWorkflowExecutionFailedEventAttributes().GetFailure().GetMessage()}
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED:
		en.Kind = KindTerminated
		en.Payload = map[string]any{"reason": e.GetWorkflowExecutionTerminatedEventAttributes().GetReason()}
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED:
		en.Kind = KindCanceled
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT:
		en.Kind = KindTimedOut
	default:
		en.Kind = KindOther
	}
	return en, true
}

// started decodes a run's input without its plan.
func (t *timeline) started(en *Entry, a *historypb.WorkflowExecutionStartedEventAttributes) {
	en.Kind, en.Name = KindStarted, a.GetWorkflowType().GetName()
	var in struct {
		ProjectID  string                  `json:"project_id"`
		CustomerID string                  `json:"customer_id"`
		Dates      workflows.ContractDates `json:"dates"`
		StartedBy  workflows.Actor         `json:"started_by"`
		RequestID  string                  `json:"request_id"`
		Plan       struct {
			PackageCode    string `json:"package_code"`
			CatalogVersion string `json:"catalog_version"`
			CatalogDigest  string `json:"catalog_digest"`
		} `json:"plan"`
		Resume *struct {
			Run int   `json:"run"`
			Seq int64 `json:"seq"`
		} `json:"resume"`
	}
	if err := t.d.decode(a.GetInput(), &in); err != nil {
		en.Payload = map[string]any{"decode_error": err.Error()}
		return
	}
	dates := in.Dates
	for _, d := range []*time.Time{&dates.Purchase, &dates.Payment, &dates.ContractEffective, &dates.ContractSigning, &dates.Application, &dates.Order} {
		if !d.IsZero() {
			*d = d.In(calendar.Zone())
		}
	}
	en.Payload = map[string]any{
		"project_id": in.ProjectID, "customer_id": in.CustomerID, "package": in.Plan.PackageCode,
		"catalog_version": in.Plan.CatalogVersion, "catalog_digest": in.Plan.CatalogDigest, "dates": dates,
		"run": 1,
	}
	if in.Resume != nil {
		actor := workflows.SystemActor
		en.Actor = &actor
		en.Payload["run"] = in.Resume.Run + 1
		en.Payload["seq"] = in.Resume.Seq
		en.Payload["continued_from"] = a.GetContinuedExecutionRunId()
		return
	}
	actor := in.StartedBy
	en.Actor, en.RequestID = &actor, in.RequestID
}

// action decodes an action message: its ActionMeta into the entry, the rest
// into the payload.
func (t *timeline) action(en *Entry, ps *commonpb.Payloads) {
	raw, err := t.d.raw(ps)
	if err != nil {
		en.Payload = map[string]any{"decode_error": err.Error()}
		return
	}
	if raw == nil {
		return
	}
	var m struct {
		Actor     *workflows.Actor `json:"actor"`
		RequestID string           `json:"request_id"`
	}
	_ = json.Unmarshal(raw, &m) // not every message is an action
	en.Actor, en.RequestID = m.Actor, m.RequestID
	obj, err := object(raw)
	if err != nil {
		en.Payload = map[string]any{"decode_error": err.Error()}
		return
	}
	delete(obj, "actor")
	delete(obj, "request_id")
	if len(obj) > 0 {
		en.Payload = obj
	}
}

func (t *timeline) updateCompleted(en *Entry, a *historypb.WorkflowExecutionUpdateCompletedEventAttributes) {
	en.Kind = KindUpdateCompleted
	en.UpdateID = a.GetMeta().GetUpdateId()
	if acc, ok := t.updates[a.GetAcceptedEventId()]; ok {
		en.Name, en.Actor, en.RequestID = acc.Name, acc.Actor, acc.RequestID
	}
	out := a.GetOutcome()
	if f := out.GetFailure(); f != nil {
		en.Payload = map[string]any{"outcome": "failed", "error": f.GetMessage()}
		if typ := f.GetApplicationFailureInfo().GetType(); typ != "" {
			en.Payload["error_type"] = typ
		}
		return
	}
	var res workflows.ActionResult
	if err := t.d.decode(out.GetSuccess(), &res); err != nil {
		en.Payload = map[string]any{"outcome": "completed", "decode_error": err.Error()}
		return
	}
	events := make([]map[string]any, 0, len(res.Events))
	for _, ev := range res.Events {
		events = append(events, map[string]any{"seq": ev.Seq, "type": ev.Type})
	}
	en.Payload = map[string]any{"outcome": "completed", "seq": res.Seq, "events": events}
}

// Marker names and detail keys written by the Go SDK.
const (
	localActivityMarker = "LocalActivity"
	versionMarker       = "Version"
)

func (t *timeline) marker(en *Entry, a *historypb.MarkerRecordedEventAttributes) {
	en.Kind, en.Name = KindMarker, a.GetMarkerName()
	details := a.GetDetails()
	switch a.GetMarkerName() {
	case localActivityMarker:
		var data struct {
			ActivityType string `json:"ActivityType"`
			ActivityID   string `json:"ActivityID"`
			Attempt      int    `json:"Attempt"`
		}
		if err := t.d.decode(details["data"], &data); err != nil {
			en.Payload = map[string]any{"decode_error": err.Error()}
			return
		}
		en.Kind, en.Name = KindLocalActivity, data.ActivityType
		en.Payload = map[string]any{"activity_id": data.ActivityID, "attempt": data.Attempt}
		if f := a.GetFailure(); f != nil {
			en.Payload["error"] = f.GetMessage()
			return
		}
		if data.ActivityType == calendar.ComputeDeadlineActivity {
			en.Kind = KindDeadline
			var res calendar.Result
			if err := t.d.decode(details["result"], &res); err != nil {
				en.Payload["decode_error"] = err.Error()
				return
			}
			en.Payload["deadline"] = res.Deadline.In(calendar.Zone())
			en.Payload["provisional"] = res.Provisional
			en.Payload["calendar_version"] = res.CalendarVersion
			return
		}
		if raw, err := t.d.raw(details["result"]); err != nil {
			en.Payload["decode_error"] = err.Error()
		} else if raw != nil {
			en.Payload["result"] = json.RawMessage(raw)
		}
	case versionMarker:
		var change string
		var version int
		if err := t.d.decode(details["change-id"], &change); err != nil {
			en.Payload = map[string]any{"decode_error": err.Error()}
			return
		}
		if err := t.d.decode(details["version"], &version); err != nil {
			en.Payload = map[string]any{"decode_error": err.Error()}
			return
		}
		en.Kind = KindVersion
		en.Payload = map[string]any{"change_id": change, "version": version}
	}
}

// recordSummary is the part of a ProjectRecord the timeline shows.
type recordSummary struct {
	State struct {
		Seq    int64                   `json:"seq"`
		Status workflows.ProjectStatus `json:"status"`
		Phase  string                  `json:"phase"`
	} `json:"state"`
	Events []workflows.Event `json:"events"`
}

func (t *timeline) activityScheduled(en *Entry, a *historypb.ActivityTaskScheduledEventAttributes) {
	en.Kind, en.Name = KindActivity, a.GetActivityType().GetName()
	if en.Name != workflows.RecordProjectActivity {
		return
	}
	en.Kind = KindRecorded
	var rec recordSummary
	if err := t.d.decode(a.GetInput(), &rec); err != nil {
		en.Payload = map[string]any{"decode_error": err.Error()}
		return
	}
	for i := range rec.Events {
		rec.Events[i].At = rec.Events[i].At.In(calendar.Zone())
	}
	en.Payload = map[string]any{"seq": rec.State.Seq, "status": rec.State.Status, "phase": rec.State.Phase, "events": rec.Events}
}

// raw returns the first payload's JSON (nil for a null payload).
func (d *Decoder) raw(ps *commonpb.Payloads) (json.RawMessage, error) {
	if len(ps.GetPayloads()) == 0 {
		return nil, nil
	}
	var raw json.RawMessage
	if err := d.dc().FromPayload(ps.GetPayloads()[0], &raw); err != nil {
		return nil, fmt.Errorf("decode payload: %w", err)
	}
	return raw, nil
}

// decode decodes the first payload into v.
func (d *Decoder) decode(ps *commonpb.Payloads, v any) error {
	if len(ps.GetPayloads()) == 0 {
		return fmt.Errorf("decode payload: none recorded")
	}
	if err := d.dc().FromPayload(ps.GetPayloads()[0], v); err != nil {
		return fmt.Errorf("decode payload: %w", err)
	}
	return nil
}

// object decodes a JSON object keeping numbers as written; a value that is
// not an object is returned under "value".
func object(raw json.RawMessage) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("decode payload: %w", err)
	}
	if m, ok := v.(map[string]any); ok {
		return m, nil
	}
	return map[string]any{"value": v}, nil
}
