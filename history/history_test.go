package history_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"google.golang.org/protobuf/proto"

	"github.com/sowflow/sowflow/history"
	"github.com/sowflow/sowflow/workflows"
)

const testdata = "../workflows/testdata"

// goldenFiles lists the recorded project histories and the long history.
func goldenFiles(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(testdata, "project-*.json.gz"))
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, filepath.Join(testdata, "long-history.json.gz"))
	if len(files) < 8 {
		t.Fatalf("only %d golden histories in %s", len(files), testdata)
	}
	return files
}

func readRuns(t testing.TB, names ...string) []history.Run {
	t.Helper()
	var runs []history.Run
	for _, n := range names {
		r, err := history.ReadFile(filepath.Join(testdata, n))
		if err != nil {
			t.Fatal(err)
		}
		runs = append(runs, r...)
	}
	return runs
}

// managedServices is the five-run golden project.
func managedServices(t testing.TB) []history.Run {
	return readRuns(t, "project-managed-services.json.gz", "project-managed-services-run2.json.gz",
		"project-managed-services-run3.json.gz", "project-managed-services-run4.json.gz", "project-managed-services-run5.json.gz")
}

func TestMarshalHistoryReadsBackWithTheSDK(t *testing.T) {
	for _, file := range goldenFiles(t) {
		t.Run(filepath.Base(file), func(t *testing.T) {
			runs, err := history.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			if len(runs) != 1 || runs[0].RunID == "" || len(runs[0].History.Events) < 3 {
				t.Fatalf("read %d runs (%+v)", len(runs), runs)
			}
			b, err := history.MarshalHistory(runs[0].History)
			if err != nil {
				t.Fatal(err)
			}
			back, err := client.HistoryFromJSON(bytes.NewReader(b), client.HistoryJSONOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if !proto.Equal(back, runs[0].History) {
				t.Fatal("the marshalled history reads back different")
			}
			// The SDK's own file reader takes it too.
			path := filepath.Join(t.TempDir(), "h.json")
			if err := os.WriteFile(path, b, 0o600); err != nil {
				t.Fatal(err)
			}
			r := worker.NewWorkflowReplayer()
			r.RegisterWorkflowWithOptions(workflows.ProjectWorkflow, workflow.RegisterOptions{Name: workflows.ProjectWorkflowName})
			if err := r.ReplayWorkflowHistoryFromJSONFile(nil, path); err != nil {
				t.Fatalf("the SDK does not replay the written file: %v", err)
			}
		})
	}
}

func TestExportRoundTrip(t *testing.T) {
	runs := managedServices(t)
	exp, err := history.NewExport("project/golden-managed-services", runs)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(exp)
	if err != nil {
		t.Fatal(err)
	}
	var zipped bytes.Buffer
	zw := gzip.NewWriter(&zipped)
	_, _ = zw.Write(b)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"json": b, "gzip": zipped.Bytes()} {
		back, err := history.Parse(data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(back) != len(runs) {
			t.Fatalf("%s: %d runs, want %d", name, len(back), len(runs))
		}
		for i := range runs {
			if back[i].RunID != runs[i].RunID || !proto.Equal(back[i].History, runs[i].History) {
				t.Errorf("%s: run %d differs", name, i+1)
			}
		}
	}
}

func TestParseLimited(t *testing.T) {
	var zipped bytes.Buffer
	zw := gzip.NewWriter(&zipped)
	_, _ = zw.Write([]byte(`{"events": [`))
	_, _ = zw.Write(bytes.Repeat([]byte(" "), 4<<20))
	_, _ = zw.Write([]byte(`]}`))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if zipped.Len() > 64<<10 {
		t.Fatalf("the bomb is %d bytes", zipped.Len())
	}
	if _, err := history.ParseLimited(zipped.Bytes(), 1<<20); !errors.Is(err, history.ErrTooLarge) {
		t.Errorf("ParseLimited(4 MiB unpacked, 1 MiB) = %v", err)
	}
	if _, err := history.ParseLimited(zipped.Bytes(), 8<<20); errors.Is(err, history.ErrTooLarge) || err == nil {
		t.Errorf("ParseLimited(4 MiB unpacked, 8 MiB) = %v, want an empty-history error", err)
	}
}

func TestParseRejectsOtherJSON(t *testing.T) {
	for _, in := range []string{`{}`, `[]`, `{"runs": [], "events": []}`, `not json`, `{"runs": []}`, `{"events": []}`, `{"runs": [{"run_id": "x"}]}`} {
		if _, err := history.Parse([]byte(in)); err == nil {
			t.Errorf("Parse(%s) succeeded", in)
		}
	}
}

func TestReplayGoldenHistories(t *testing.T) {
	var r history.Replayer
	for _, file := range goldenFiles(t) {
		t.Run(filepath.Base(file), func(t *testing.T) {
			runs, err := history.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			for _, res := range r.ReplayAll(runs) {
				if !res.OK || res.Error != "" || res.EventID != 0 || res.Events != len(runs[0].History.Events) {
					t.Errorf("replay = %+v", res)
				}
			}
		})
	}
}

// sleepFirst is an incompatible change at the very start: a timer before
// the project begins.
func sleepFirst(ctx workflow.Context, in workflows.ProjectInput) (workflows.ProjectResult, error) {
	if err := workflow.Sleep(ctx, time.Minute); err != nil {
		return workflows.ProjectResult{}, err
	}
	return workflows.ProjectWorkflow(ctx, in)
}

// continueEarly is an incompatible change in the middle of a history: the
// run continues as new after its first event instead of writing the
// projection.
func continueEarly(ctx workflow.Context, in workflows.ProjectInput) (workflows.ProjectResult, error) {
	in.ContinueAsNewAfterEvents = 1
	return workflows.ProjectWorkflow(ctx, in)
}

func register(fn any) func(worker.WorkflowRegistry) {
	return func(r worker.WorkflowRegistry) {
		r.RegisterWorkflowWithOptions(fn, workflow.RegisterOptions{Name: workflows.ProjectWorkflowName})
	}
}

// TestIncompatibleChangeFailsGoldenReplay shows that the golden replay
// catches a change that would break running projects: the same histories,
// replayed against a modified workflow registered under the name Project,
// diverge, and the diverging event is named.
func TestIncompatibleChangeFailsGoldenReplay(t *testing.T) {
	files := goldenFiles(t)
	for _, tt := range []struct {
		name string
		fn   any
		all  bool // every golden history diverges
	}{
		{"sleep first", sleepFirst, true},
		{"continue early", continueEarly, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := history.Replayer{Register: register(tt.fn)}
			failed := 0
			for _, file := range files {
				runs, err := history.ReadFile(file)
				if err != nil {
					t.Fatal(err)
				}
				h := runs[0].History
				res := r.Replay(runs[0])
				if res.OK {
					if tt.all {
						t.Errorf("%s replays against the modified workflow", file)
					}
					continue
				}
				failed++
				if !strings.Contains(res.Error, "TMPRL1100") {
					t.Errorf("%s: error %q, want a non-determinism error", file, res.Error)
				}
				if res.EventID < 1 || res.EventID > int64(len(h.Events)) || res.EventType != h.Events[res.EventID-1].EventType.String() {
					t.Errorf("%s: diverges at event %d (%s) of %d", file, res.EventID, res.EventType, len(h.Events))
				}
			}
			if failed == 0 {
				t.Fatal("no golden history diverges")
			}
			t.Logf("%d of %d golden histories diverge", failed, len(files))
		})
	}

	// DingTalk Pro diverges in the middle: where the recorded run armed its
	// timer after writing the first projection, the modified one continues
	// as new.
	runs := readRuns(t, "project-dingtalk-pro.json.gz")
	r := history.Replayer{Register: register(continueEarly)}
	res := r.Replay(runs[0])
	if res.OK || res.EventType != enumspb.EVENT_TYPE_TIMER_STARTED.String() {
		t.Fatalf("dingtalk-pro: %+v, want a divergence at a TimerStarted event", res)
	}
	// The history up to the workflow task before the divergence replays
	// against the modified code.
	var cut int
	for i, ev := range runs[0].History.Events[:res.EventID-1] {
		if ev.GetEventType() == enumspb.EVENT_TYPE_WORKFLOW_TASK_STARTED {
			cut = i + 1
		}
	}
	prefix := history.Run{RunID: runs[0].RunID, History: &historypb.History{Events: runs[0].History.Events[:cut]}}
	if res := r.Replay(prefix); !res.OK {
		t.Errorf("the prefix before the divergence does not replay: %+v", res)
	}
}

func TestReplayUnregisteredWorkflowFails(t *testing.T) {
	r := history.Replayer{Register: func(worker.WorkflowRegistry) {}}
	res := r.Replay(readRuns(t, "project-landing-zone.json.gz")[0])
	if res.OK || res.Error == "" {
		t.Fatalf("replay = %+v", res)
	}
	// A history too short to replay is reported, not a panic.
	var plain history.Replayer
	for _, n := range []int{0, 1, 2} {
		h := readRuns(t, "project-landing-zone.json.gz")[0].History
		h.Events = h.Events[:n]
		if res := plain.Replay(history.Run{History: h}); res.OK || res.Error == "" {
			t.Errorf("%d events: %+v", n, res)
		}
	}
}

// fakeTemporal serves runs by run ID; "" is the last one.
type fakeTemporal struct {
	runs  map[string]*historypb.History
	last  string
	calls []string
}

func newFakeTemporal(runs []history.Run) *fakeTemporal {
	f := &fakeTemporal{runs: map[string]*historypb.History{}}
	for _, r := range runs {
		f.runs[r.RunID] = r.History
		f.last = r.RunID
	}
	return f
}

func (f *fakeTemporal) GetWorkflowHistory(_ context.Context, _ string, runID string, _ bool, _ enumspb.HistoryEventFilterType) client.HistoryEventIterator {
	f.calls = append(f.calls, runID)
	if runID == "" {
		runID = f.last
	}
	h, ok := f.runs[runID]
	if !ok {
		return &fakeIterator{err: serviceerror.NewNotFound("workflow execution not found")}
	}
	return &fakeIterator{events: h.Events}
}

type fakeIterator struct {
	events []*historypb.HistoryEvent
	err    error
}

func (it *fakeIterator) HasNext() bool { return it.err != nil || len(it.events) > 0 }

func (it *fakeIterator) Next() (*historypb.HistoryEvent, error) {
	if it.err != nil {
		err := it.err
		it.err = nil
		return nil, err
	}
	e := it.events[0]
	it.events = it.events[1:]
	return e, nil
}

func TestFetchFollowsTheChain(t *testing.T) {
	runs := managedServices(t)
	for i := range runs {
		runs[i].RunID = ""
	}
	// The golden files' run IDs: the first run's start event names itself;
	// later runs name the first and the previous run.
	runs[0].RunID = runs[1].History.Events[0].GetWorkflowExecutionStartedEventAttributes().GetFirstExecutionRunId()
	for i := 1; i < len(runs); i++ {
		runs[i].RunID = runs[i-1].History.Events[len(runs[i-1].History.Events)-1].GetWorkflowExecutionContinuedAsNewEventAttributes().GetNewExecutionRunId()
	}
	got, err := history.Fetch(context.Background(), newFakeTemporal(runs), "project/golden-managed-services")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(runs) {
		t.Fatalf("%d runs, want %d", len(got), len(runs))
	}
	for i := range runs {
		if got[i].RunID != runs[i].RunID || !proto.Equal(got[i].History, runs[i].History) {
			t.Errorf("run %d = %s, want %s", i+1, got[i].RunID, runs[i].RunID)
		}
	}

	// Without the first run ID on record, Fetch walks the chain back.
	stripped := make([]history.Run, len(runs))
	for i, r := range runs {
		h := proto.Clone(r.History).(*historypb.History)
		h.Events[0].GetWorkflowExecutionStartedEventAttributes().FirstExecutionRunId = ""
		stripped[i] = history.Run{RunID: r.RunID, History: h}
	}
	f := newFakeTemporal(stripped)
	got, err = history.Fetch(context.Background(), f, "project/golden-managed-services")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(runs) || got[0].RunID != runs[0].RunID {
		t.Fatalf("walked back to %d runs starting %s (calls %v)", len(got), got[0].RunID, f.calls)
	}

	// A missing workflow is the client's NotFound.
	_, err = history.Fetch(context.Background(), &fakeTemporal{runs: map[string]*historypb.History{}, last: "none"}, "project/none")
	var nf *serviceerror.NotFound
	if !errors.As(err, &nf) {
		t.Fatalf("missing workflow: %v", err)
	}
}

func TestTimeline(t *testing.T) {
	runs := readRuns(t, "project-hybrid-base-pm.json.gz")
	tl := history.Timeline(runs)
	if len(tl) == 0 {
		t.Fatal("empty timeline")
	}
	for _, e := range tl {
		if _, off := e.Time.Zone(); off != 8*3600 {
			t.Fatalf("entry %d time %s is not in +08:00", e.EventID, e.Time)
		}
		if e.Run != 1 || e.RunID != runs[0].RunID || e.Kind == "" || e.EventType == "" {
			t.Fatalf("entry %+v", e)
		}
	}
	first := tl[0]
	if first.Kind != history.KindStarted || first.Actor == nil || first.Actor.Role != workflows.RoleManager ||
		first.RequestID != "golden-start" || first.Payload["package"] != "hybrid-base-project-management" {
		t.Errorf("first entry = %+v", first)
	}
	last := tl[len(tl)-1]
	if last.Kind != history.KindCompleted || last.Payload["status"] != workflows.StatusCompleted {
		t.Errorf("last entry = %+v", last)
	}

	byKind := map[history.Kind][]history.Entry{}
	for _, e := range tl {
		byKind[e.Kind] = append(byKind[e.Kind], e)
	}
	// The rejection: an update by the customer with its reason, and its
	// completion with the event it recorded.
	var reject *history.Entry
	for i, e := range byKind[history.KindUpdate] {
		if e.Name == workflows.UpdateDecideDeliverable && e.Payload["decision"] == "reject" {
			reject = &byKind[history.KindUpdate][i]
			break
		}
	}
	if reject == nil || reject.Actor.Role != workflows.RoleCustomer || reject.RequestID == "" || reject.UpdateID == "" ||
		reject.Payload["deliverable"] != "kickoff-documentation" || reject.Payload["reason"] != "the stakeholder list is missing" {
		t.Fatalf("rejection entry = %+v", reject)
	}
	if _, ok := reject.Payload["actor"]; ok {
		t.Error("the actor is repeated in the payload")
	}
	var done *history.Entry
	for i, e := range byKind[history.KindUpdateCompleted] {
		if e.UpdateID == reject.UpdateID {
			done = &byKind[history.KindUpdateCompleted][i]
		}
	}
	if done == nil || done.Payload["outcome"] != "completed" || done.Actor.Subject != reject.Actor.Subject || done.RequestID != reject.RequestID {
		t.Fatalf("rejection completion = %+v", done)
	}
	evs, _ := done.Payload["events"].([]map[string]any)
	if len(evs) != 1 || evs[0]["type"] != workflows.EventDeliverableRejected {
		t.Errorf("rejection recorded %v", done.Payload["events"])
	}

	// Signals carry their actor too.
	if len(byKind[history.KindSignal]) != 2 || byKind[history.KindSignal][0].Actor.Role != workflows.RoleCustomer ||
		byKind[history.KindSignal][0].Payload["decision"] != "accept" {
		t.Errorf("signals = %+v", byKind[history.KindSignal])
	}

	// Deadlines: the calendar's and the recorder's fast windows, each with
	// its calendar version.
	versions := map[any]bool{}
	for _, e := range byKind[history.KindDeadline] {
		if _, ok := e.Payload["deadline"].(time.Time); !ok || e.Payload["calendar_version"] == "" || e.Name != "ComputeDeadline" {
			t.Errorf("deadline entry = %+v", e)
		}
		versions[e.Payload["calendar_version"]] = true
	}
	if !versions["golden-fast"] || len(versions) != 2 {
		t.Errorf("calendar versions %v", versions)
	}

	// Timers fired for the overdue plan and the deemed stage report, whose
	// events are recorded by the system.
	if len(byKind[history.KindTimerFired]) < 2 {
		t.Errorf("%d timers fired", len(byKind[history.KindTimerFired]))
	}
	recorded := map[workflows.EventType][]workflows.Event{}
	for _, e := range byKind[history.KindRecorded] {
		for _, ev := range e.Payload["events"].([]workflows.Event) {
			recorded[ev.Type] = append(recorded[ev.Type], ev)
		}
	}
	for _, typ := range []workflows.EventType{workflows.EventDeliverableDeemed, workflows.EventCustomerReminded, workflows.EventManagerEscalated} {
		if len(recorded[typ]) != 1 || recorded[typ][0].Actor != workflows.SystemActor {
			t.Errorf("%s recorded %+v", typ, recorded[typ])
		}
	}
	if evs := recorded[workflows.EventDelayOpened]; len(evs) != 1 || evs[0].Payload["reason"] != "customer VPC not ready" || evs[0].Actor.Role != workflows.RoleManager {
		t.Errorf("delay opened %+v", evs)
	}
	if len(byKind[history.KindOther]) != 0 {
		t.Errorf("unclassified entries %+v", byKind[history.KindOther])
	}
}

func TestTimelineAcrossRuns(t *testing.T) {
	runs := managedServices(t)
	tl := history.Timeline(runs)
	var starts, handovers []history.Entry
	for _, e := range tl {
		switch e.Kind {
		case history.KindStarted:
			starts = append(starts, e)
		case history.KindContinuedAsNew:
			handovers = append(handovers, e)
		}
	}
	if len(starts) != len(runs) || len(handovers) != len(runs)-1 {
		t.Fatalf("%d starts and %d hand-overs for %d runs", len(starts), len(handovers), len(runs))
	}
	for i := 1; i < len(runs); i++ {
		s := starts[i]
		if s.Run != i+1 || s.RunID != runs[i].RunID || s.Payload["run"] != i+1 || s.Payload["continued_from"] != runs[i-1].RunID ||
			s.Actor == nil || *s.Actor != workflows.SystemActor || handovers[i-1].Payload["new_run_id"] != runs[i].RunID {
			t.Errorf("run %d start %+v, hand-over %+v", i+1, s, handovers[i-1])
		}
	}
	// Entries are in order: by run, then event ID.
	if !slices.IsSortedFunc(tl, func(a, b history.Entry) int {
		if a.Run != b.Run {
			return a.Run - b.Run
		}
		return int(a.EventID - b.EventID)
	}) {
		t.Error("timeline out of order")
	}
	b, err := json.Marshal(tl)
	if err != nil || !bytes.Contains(b, []byte(`"kind":"continued-as-new"`)) {
		t.Errorf("json: %v", err)
	}
}

func TestStateAt(t *testing.T) {
	runs := managedServices(t)
	var events []workflows.Event
	for _, e := range history.Timeline(runs) {
		if e.Kind == history.KindRecorded {
			events = append(events, e.Payload["events"].([]workflows.Event)...)
		}
	}
	if len(events) < 10 {
		t.Fatalf("%d events recorded", len(events))
	}
	if !slices.IsSortedFunc(events, func(a, b workflows.Event) int { return a.At.Compare(b.At) }) {
		t.Fatal("the golden's events are not in time order; the checks below assume they are")
	}
	if _, err := history.StateAt(runs, events[0].At.Add(-time.Nanosecond)); !errors.Is(err, history.ErrNotStarted) {
		t.Errorf("before the start: %v", err)
	}
	for _, ev := range events {
		snap, err := history.StateAt(runs, ev.At)
		if err != nil {
			t.Fatal(err)
		}
		if snap.State.Seq < ev.Seq || snap.LastEventAt.After(ev.At) {
			t.Errorf("as of event %d (%s at %s): state seq %d, last event %s", ev.Seq, ev.Type, ev.At, snap.State.Seq, snap.LastEventAt)
		}
		if _, off := snap.RecordedAt.Zone(); off != 8*3600 {
			t.Errorf("recorded at %s", snap.RecordedAt)
		}
	}
	// The first deemed acceptance: submitted just before, accepted at the
	// window's close.
	var deemed workflows.Event
	for _, ev := range events {
		if ev.Type == workflows.EventDeliverableDeemed {
			deemed = ev
			break
		}
	}
	key := deemed.Payload["deliverable"].(string)
	status := func(at time.Time) workflows.DeliverableStatus {
		t.Helper()
		snap, err := history.StateAt(runs, at)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range snap.State.Deliverables {
			if d.Key == key {
				return d.Status
			}
		}
		t.Fatalf("no deliverable %s", key)
		return ""
	}
	if got := status(deemed.At.Add(-time.Millisecond)); got != workflows.DeliverableSubmitted {
		t.Errorf("%s just before the window closed: %s", key, got)
	}
	if got := status(deemed.At); got != workflows.DeliverableAccepted {
		t.Errorf("%s when the window closed: %s", key, got)
	}
	final, err := history.StateAt(runs, events[len(events)-1].At.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if final.State.Status != workflows.StatusCompleted || final.State.Seq != events[len(events)-1].Seq || final.Run != len(runs) {
		t.Errorf("final state %s seq %d run %d", final.State.Status, final.State.Seq, final.Run)
	}
}
