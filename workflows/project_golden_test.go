//go:build golden

// The golden histories replayed by TestReplayGoldenHistories (replay_test.go)
// are recorded here, on the in-process Temporal server (a slow build, hence the tag):
//
//	make histories
//	go test -tags golden -run '^TestRecordGolden' -count=1 ./workflows/
//
// Each recording drives one project through updates and signals, fetches
// every run of its workflow with history.Fetch, writes each run in
// Temporal's JSON format (history.MarshalHistory), gzip'd, as
// testdata/project-<name>.json.gz, project-<name>-run2.json.gz, ..., and replays
// them. The long history for the replay benchmark is written gzip'd as
// testdata/long-history.json.gz.
//
// Acceptance windows that a recording lets close are shortened: the
// recorder's deadline activity answers "N working days" with N × a fraction
// of a second for that project (calendar version "golden-fast"), so deemed
// acceptance and overdue reminders happen while the recorder waits. Every
// other deadline comes from the embedded calendar. The recorder waits for
// what the workflow records (its projection activity reports every event),
// never for a fixed time.
//
// Re-recording replaces the histories; the replay test's goldenHistories
// table names every file. A change behind workflow.GetVersion instead keeps
// the histories recorded before it (copied to new names, listed in
// goldenHistories and in goldenSides as its "before" side) and adds new
// ones after it (see workflows.ChangeIDs).

package workflows_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/sowflow/sowflow/activities"
	"github.com/sowflow/sowflow/calendar"
	"github.com/sowflow/sowflow/catalog"
	"github.com/sowflow/sowflow/history"
	"github.com/sowflow/sowflow/plan"
	"github.com/sowflow/sowflow/testenv"
	"github.com/sowflow/sowflow/workflows"
)

func TestMain(m *testing.M) { testenv.Main(m, testenv.Temporal(workflows.SearchAttributes())) }

const goldenQueue = "golden"

// goldenWait bounds every wait of a recording.
const goldenWait = 30 * time.Second

// goldenWorld is the recorder's worker: the project workflow, the deadline
// activity (real, or fast for windows of chosen projects) and a projection
// that acknowledges every record and reports its events to the recordings.
type goldenWorld struct {
	c client.Client

	mu     sync.Mutex
	events map[string]map[int64]workflows.Event // by workflow ID, by Seq
	fast   map[string]time.Duration             // working-day unit by workflow ID
	wake   chan struct{}                        // closed and replaced on each record
}

var (
	worldOnce sync.Once
	world     *goldenWorld
)

// goldenClient starts the recorder's worker once per test binary.
func goldenClient(t *testing.T) *goldenWorld {
	t.Helper()
	worldOnce.Do(func() {
		w := &goldenWorld{c: testenv.Get(t).Client(), events: map[string]map[int64]workflows.Event{},
			fast: map[string]time.Duration{}, wake: make(chan struct{})}
		wk := sdkworker.New(w.c, goldenQueue, sdkworker.Options{})
		wk.RegisterActivityWithOptions(w.computeDeadline, activity.RegisterOptions{Name: calendar.ComputeDeadlineActivity})
		wk.RegisterActivityWithOptions(w.record, activity.RegisterOptions{Name: workflows.RecordProjectActivity})
		wk.RegisterWorkflowWithOptions(workflows.ProjectWorkflow, workflow.RegisterOptions{Name: workflows.ProjectWorkflowName})
		if err := wk.Start(); err != nil {
			t.Fatal(err)
		}
		world = w
	})
	if world == nil {
		t.Fatal("golden worker did not start")
	}
	return world
}

func (w *goldenWorld) computeDeadline(ctx context.Context, in calendar.DeadlineRequest) (calendar.Result, error) {
	w.mu.Lock()
	unit := w.fast[activity.GetInfo(ctx).WorkflowExecution.ID]
	w.mu.Unlock()
	if unit > 0 && in.Spec.Kind == calendar.WorkingDays && in.Spec.N > 0 && in.Spec.N <= 5 {
		return calendar.Result{Deadline: in.From.Add(time.Duration(in.Spec.N) * unit).In(calendar.Zone()), CalendarVersion: "golden-fast"}, nil
	}
	return (&activities.Deadlines{}).ComputeDeadline(ctx, in)
}

func (w *goldenWorld) record(ctx context.Context, in workflows.ProjectRecord) (workflows.RecordResult, error) {
	id := activity.GetInfo(ctx).WorkflowExecution.ID
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.events[id] == nil {
		w.events[id] = map[int64]workflows.Event{}
	}
	for _, e := range in.Events {
		w.events[id][e.Seq] = e
	}
	close(w.wake)
	w.wake = make(chan struct{})
	return workflows.RecordResult{Seq: in.State.Seq}, nil
}

// golden drives one project by updates and signals.
type golden struct {
	t     *testing.T
	w     *goldenWorld
	c     client.Client
	name  string // file name stem: testdata/project-<name>.json.gz
	id    string
	n     int
	input workflows.ProjectInput
	plan  plan.Plan
	// firstRun is the run ID of the first run.
	firstRun string
}

// awaitFirstRunClosed blocks until the first run has closed (continued as
// new), by a long poll for its close event.
func (g *golden) awaitFirstRunClosed() {
	g.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), goldenWait)
	defer cancel()
	it := g.c.GetWorkflowHistory(ctx, g.id, g.firstRun, true, enums.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT)
	for it.HasNext() {
		if _, err := it.Next(); err != nil {
			g.t.Fatal(err)
		}
	}
}

// newGolden starts project name (package code, options, contract dates).
func newGolden(t *testing.T, name, code string, opts catalog.Options, dates workflows.ContractDates, canAfter int) *golden {
	t.Helper()
	w := goldenClient(t)
	g := &golden{t: t, w: w, c: w.c, name: name, id: workflows.ProjectWorkflowID("golden-" + name)}
	plan, err := catalog.Default().Plan(code, opts)
	if err != nil {
		t.Fatal(err)
	}
	g.plan = plan.Workflow()
	g.input = workflows.ProjectInput{ProjectID: "golden-" + name, CustomerID: "cust-1", Plan: g.plan, Dates: dates,
		StartedBy: manager, RequestID: "golden-start", ContinueAsNewAfterEvents: canAfter}
	run, err := g.c.ExecuteWorkflow(context.Background(), client.StartWorkflowOptions{ID: g.id, TaskQueue: goldenQueue},
		workflows.ProjectWorkflowName, g.input)
	if err != nil {
		t.Fatal(err)
	}
	g.firstRun = run.GetRunID()
	g.await("project started", func(evs []workflows.Event) bool { return countOf(evs, workflows.EventProjectStarted) == 1 })
	return g
}

// fastWindows makes the windows of submissions from now on close after
// unit per working day (0: the real calendar).
func (g *golden) fastWindows(unit time.Duration) {
	g.w.mu.Lock()
	defer g.w.mu.Unlock()
	g.w.fast[g.id] = unit
}

// events returns the project's events so far, in order.
func (g *golden) events() []workflows.Event {
	g.w.mu.Lock()
	defer g.w.mu.Unlock()
	out := make([]workflows.Event, 0, len(g.w.events[g.id]))
	for _, e := range g.w.events[g.id] {
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b workflows.Event) int { return int(a.Seq - b.Seq) })
	return out
}

// await blocks until the project's recorded events satisfy ok.
func (g *golden) await(what string, ok func([]workflows.Event) bool) {
	g.t.Helper()
	timeout := time.NewTimer(goldenWait)
	defer timeout.Stop()
	for {
		g.w.mu.Lock()
		wake := g.w.wake
		g.w.mu.Unlock()
		if ok(g.events()) {
			return
		}
		select {
		case <-wake:
		case <-timeout.C:
			g.t.Fatalf("%s: waited %s for %s", g.id, goldenWait, what)
		}
	}
}

// awaitCount blocks until n events of type typ are recorded.
func (g *golden) awaitCount(typ workflows.EventType, n int) {
	g.t.Helper()
	g.await(fmt.Sprintf("%d %s events", n, typ), func(evs []workflows.Event) bool { return countOf(evs, typ) >= n })
}

func countOf(evs []workflows.Event, typ workflows.EventType) int {
	n := 0
	for _, e := range evs {
		if e.Type == typ {
			n++
		}
	}
	return n
}

func (g *golden) count(typ workflows.EventType) int { return countOf(g.events(), typ) }

func (g *golden) meta(a workflows.Actor) workflows.ActionMeta {
	g.n++
	return workflows.ActionMeta{Actor: a, RequestID: fmt.Sprintf("golden-%d", g.n)}
}

func (g *golden) update(name string, arg any, wantRefusal bool) {
	g.t.Helper()
	g.n++
	h, err := g.c.UpdateWorkflow(context.Background(), client.UpdateWorkflowOptions{
		WorkflowID: g.id, UpdateName: name, UpdateID: fmt.Sprintf("golden-update-%d", g.n),
		Args: []any{arg}, WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err == nil {
		var res workflows.ActionResult
		err = h.Get(context.Background(), &res)
	}
	if _, refused := workflows.AsRefusal(err); refused != wantRefusal || (err != nil && !refused) {
		g.t.Fatalf("update %s: %v (want refusal: %v)", name, err, wantRefusal)
	}
}

func (g *golden) must(name string, arg any) {
	g.t.Helper()
	g.update(name, arg, false)
}

func (g *golden) signal(name string, arg any) {
	g.t.Helper()
	if err := g.c.SignalWorkflow(context.Background(), g.id, "", name, arg); err != nil {
		g.t.Fatal(err)
	}
}

// submit is a valid submission by the manager, with measured values that
// meet the deliverable's thresholds.
func (g *golden) submit(key string) workflows.SubmitDeliverable {
	m := map[string]float64{}
	for _, th := range g.plan.Thresholds {
		if th.Deliverable == key {
			m[th.Metric] = passing(th)
		}
	}
	if len(m) == 0 {
		m = nil
	}
	return workflows.SubmitDeliverable{ActionMeta: g.meta(manager), Deliverable: key, Title: key,
		URI: "https://docs.example/" + key, SHA256: strings.Repeat("ab", 32), Measured: m}
}

func (g *golden) accept(key string) workflows.DecideDeliverable {
	return workflows.DecideDeliverable{ActionMeta: g.meta(customer), Deliverable: key, Decision: workflows.DecisionAccept}
}

func (g *golden) reject(key, reason string) workflows.DecideDeliverable {
	return workflows.DecideDeliverable{ActionMeta: g.meta(customer), Deliverable: key, Decision: workflows.DecisionReject, Reason: reason}
}

func (g *golden) advance() workflows.AdvancePhase {
	return workflows.AdvancePhase{ActionMeta: g.meta(manager)}
}

// deliver submits and accepts each deliverable.
func (g *golden) deliver(keys ...string) {
	g.t.Helper()
	for _, k := range keys {
		g.must(workflows.UpdateSubmitDeliverable, g.submit(k))
		g.must(workflows.UpdateDecideDeliverable, g.accept(k))
	}
}

// finish waits for the project to end with status want.
func (g *golden) finish(want workflows.ProjectStatus) {
	g.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), goldenWait)
	defer cancel()
	var res workflows.ProjectResult
	if err := g.c.GetWorkflow(ctx, g.id, "").Get(ctx, &res); err != nil {
		g.t.Fatal(err)
	}
	if res.Status != want {
		g.t.Fatalf("%s ended %s, want %s", g.id, res.Status, want)
	}
}

// save fetches every run of the project, writes each to testdata and
// replays it; it returns the runs.
func (g *golden) save() []history.Run {
	g.t.Helper()
	runs, err := history.Fetch(context.Background(), g.c, g.id)
	if err != nil {
		g.t.Fatal(err)
	}
	for i, r := range runs {
		name := "project-" + g.name + ".json.gz"
		if i > 0 {
			name = fmt.Sprintf("project-%s-run%d.json.gz", g.name, i+1)
		}
		b, err := history.MarshalHistory(r.History)
		if err != nil {
			g.t.Fatal(err)
		}
		writeGolden(g.t, name, b)
		g.t.Logf("testdata/%s: %d events, %d bytes", name, len(r.History.Events), len(b))
	}
	replayGolden(g.t, runs)
	return runs
}

// writeGolden writes testdata/name, gzip'd.
func writeGolden(t *testing.T, name string, b []byte) {
	t.Helper()
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	b = buf.Bytes()
	if err := os.WriteFile(filepath.Join("testdata", name), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func replayGolden(t *testing.T, runs []history.Run) {
	t.Helper()
	for _, res := range (&history.Replayer{}).ReplayAll(runs) {
		if !res.OK {
			t.Fatalf("run %s does not replay: event %d: %s", res.RunID, res.EventID, res.Error)
		}
	}
}

// TestRecordGoldenDingtalkPro walks DingTalk Pro bought 105 days ago, so the
// activation warning and breach fire at the start, through refusals, a
// delay, an ignored and a valid signal, a rejection, a calendar update and
// final acceptance.
func TestRecordGoldenDingtalkPro(t *testing.T) {
	g := newGolden(t, "dingtalk-pro", "dingtalk-pro", catalog.Options{},
		workflows.ContractDates{Purchase: time.Now().AddDate(0, 0, -105)}, 0)
	const letter = "service-activation-confirmation-letter"
	g.must(workflows.UpdateAdvancePhase, g.advance())
	g.update(workflows.UpdateSubmitDeliverable, g.submit("customer-service-group-log-report"), true)
	g.must(workflows.UpdateOpenDelay, workflows.OpenDelay{ActionMeta: g.meta(manager), Reason: "no VPN access"})
	g.must(workflows.UpdateCloseDelay, workflows.CloseDelay{ActionMeta: g.meta(manager)})
	g.must(workflows.UpdateAdvancePhase, g.advance())
	g.must(workflows.UpdateSubmitDeliverable, g.submit(letter))
	g.signal(workflows.SignalDecideDeliverable, workflows.DecideDeliverable{ActionMeta: g.meta(customer), Deliverable: letter, Decision: workflows.DecisionReject})
	g.signal(workflows.SignalDecideDeliverable, g.reject(letter, "unsigned"))
	g.awaitCount(workflows.EventSignalIgnored, 1)
	g.awaitCount(workflows.EventDeliverableRejected, 1)
	g.must(workflows.UpdateSubmitDeliverable, g.submit(letter))
	g.must(workflows.UpdateDecideDeliverable, g.accept(letter))
	g.signal(workflows.SignalCalendarUpdated, workflows.CalendarUpdated{ActionMeta: g.meta(workflows.SystemActor), CalendarVersion: calendar.China().Version()})
	g.awaitCount(workflows.EventCalendarUpdated, 1)
	g.must(workflows.UpdateAdvancePhase, g.advance())
	g.deliver("customer-service-group-log-report", "service-acceptance-confirmation")
	if _, err := g.c.QueryWorkflow(context.Background(), g.id, "", workflows.QueryProjectState); err != nil {
		t.Fatal(err)
	}
	g.must(workflows.UpdateSignFinalAcceptance, workflows.SignFinalAcceptance{ActionMeta: g.meta(customer)})
	g.finish(workflows.StatusCompleted)
	g.save()
}

// TestRecordGoldenContinueAsNew records both runs of a managed-services
// project that continues as new with an acceptance window open, then is
// terminated.
func TestRecordGoldenContinueAsNew(t *testing.T) {
	g := newGolden(t, "continue-as-new", "managed-services", catalog.Options{},
		workflows.ContractDates{ContractSigning: time.Now()}, 20)
	g.must(workflows.UpdateSubmitDeliverable, g.submit("kickoff-meeting-report"))
	g.awaitCount(workflows.EventContinuedAsNew, 1)
	g.awaitFirstRunClosed()
	g.must(workflows.UpdateTerminate, workflows.Terminate{ActionMeta: g.meta(manager), Reason: "golden recorded"})
	g.finish(workflows.StatusTerminated)
	if runs := g.save(); len(runs) != 2 {
		t.Fatalf("%d runs, want 2", len(runs))
	}
}

// TestRecordGoldenHybridBasePM walks Hybrid Base Project Management to final
// acceptance: a rejected kickoff, a project plan left overdue (reminder and
// escalation) and then accepted, a customer delay, execution deliverables
// decided partly by signal, a stage report deemed accepted by silence.
func TestRecordGoldenHybridBasePM(t *testing.T) {
	g := newGolden(t, "hybrid-base-pm", "hybrid-base-project-management", catalog.Options{},
		workflows.ContractDates{Purchase: time.Now()}, 0)
	g.must(workflows.UpdateSubmitDeliverable, g.submit("kickoff-documentation"))
	g.must(workflows.UpdateDecideDeliverable, g.reject("kickoff-documentation", "the stakeholder list is missing"))
	g.deliver("kickoff-documentation")
	g.must(workflows.UpdateAdvancePhase, g.advance())

	g.fastWindows(400 * time.Millisecond)
	g.must(workflows.UpdateSubmitDeliverable, g.submit("project-plan"))
	g.awaitCount(workflows.EventManagerEscalated, 1)
	g.fastWindows(0)
	g.must(workflows.UpdateDecideDeliverable, g.accept("project-plan"))
	g.must(workflows.UpdateOpenDelay, workflows.OpenDelay{ActionMeta: g.meta(manager), Reason: "customer VPC not ready", Prerequisite: "network"})
	g.must(workflows.UpdateCloseDelay, workflows.CloseDelay{ActionMeta: g.meta(manager), Note: "VPC delivered"})
	g.must(workflows.UpdateAdvancePhase, g.advance())

	for _, k := range []string{"project-change-log", "project-risk-list", "acceptance-materials"} {
		g.must(workflows.UpdateSubmitDeliverable, g.submit(k))
	}
	g.signal(workflows.SignalDecideDeliverable, g.accept("project-change-log"))
	g.signal(workflows.SignalDecideDeliverable, g.accept("project-risk-list"))
	g.awaitCount(workflows.EventDeliverableAccepted, 4)
	g.must(workflows.UpdateDecideDeliverable, g.accept("acceptance-materials"))
	g.must(workflows.UpdateAdvancePhase, g.advance())

	g.fastWindows(400 * time.Millisecond)
	g.must(workflows.UpdateSubmitDeliverable, g.submit("stage-reports"))
	g.awaitCount(workflows.EventDeliverableDeemed, 1)
	g.fastWindows(0)
	g.deliver("weekly-progress-reports")
	g.must(workflows.UpdateAdvancePhase, g.advance())
	g.deliver("project-acceptance-report")
	g.must(workflows.UpdateSignFinalAcceptance, workflows.SignFinalAcceptance{ActionMeta: g.meta(customer), Note: "signed"})
	g.finish(workflows.StatusCompleted)
	g.save()
	if n := g.count(workflows.EventWindowClosing); n != 2 {
		t.Errorf("%d window-closing notices, want 2", n)
	}
}

// TestRecordGoldenLandingZone walks Landing Zone Advanced through a rejected
// investigation report, an ignored signal, phases without deliverables and
// a customer delay, then the provider terminates it.
func TestRecordGoldenLandingZone(t *testing.T) {
	order := time.Now()
	g := newGolden(t, "landing-zone", "landing-zone-advanced", catalog.Options{},
		workflows.ContractDates{Purchase: order, Application: order.AddDate(0, -2, 0), Order: order}, 0)
	const report = "investigation-report"
	g.must(workflows.UpdateSubmitDeliverable, g.submit(report))
	g.must(workflows.UpdateDecideDeliverable, g.reject(report, "the account inventory is incomplete"))
	g.signal(workflows.SignalAdvancePhase, workflows.AdvancePhase{ActionMeta: g.meta(manager)})
	g.awaitCount(workflows.EventSignalIgnored, 1)
	g.deliver(report)
	for range 3 { // to design, technical validation, implementation
		g.must(workflows.UpdateAdvancePhase, g.advance())
	}
	g.must(workflows.UpdateOpenDelay, workflows.OpenDelay{ActionMeta: g.meta(manager), Reason: "RAM accounts not granted"})
	g.must(workflows.UpdateSubmitDeliverable, g.submit("it-governance-solution"))
	g.must(workflows.UpdateCloseDelay, workflows.CloseDelay{ActionMeta: g.meta(manager)})
	g.must(workflows.UpdateTerminate, workflows.Terminate{ActionMeta: g.meta(manager), Reason: "customer withdrew the landing zone order"})
	g.finish(workflows.StatusTerminated)
	g.save()
}

// TestRecordGoldenManagedServices walks Managed Services to final acceptance
// over several runs (it continues as new every few events), with reports
// deemed accepted in later runs from the deadlines the first run computed,
// and a rejected Project Acceptance Report.
func TestRecordGoldenManagedServices(t *testing.T) {
	g := newGolden(t, "managed-services", "managed-services", catalog.Options{},
		workflows.ContractDates{ContractSigning: time.Now()}, 45)
	g.fastWindows(400 * time.Millisecond)
	deemed := 0
	for _, k := range []string{"kickoff-meeting-report", "implementation-solution", "stage-progress-report", "summary-report"} {
		g.must(workflows.UpdateSubmitDeliverable, g.submit(k))
		deemed++
		g.awaitCount(workflows.EventDeliverableDeemed, deemed)
		g.must(workflows.UpdateAdvancePhase, g.advance())
	}
	g.fastWindows(0)
	const par = "project-acceptance-report"
	g.must(workflows.UpdateSubmitDeliverable, g.submit(par))
	g.must(workflows.UpdateDecideDeliverable, g.reject(par, "the service summary lacks the SLA figures"))
	g.deliver(par)
	g.must(workflows.UpdateSignFinalAcceptance, workflows.SignFinalAcceptance{ActionMeta: g.meta(customer)})
	g.finish(workflows.StatusCompleted)
	if runs := g.save(); len(runs) < 3 {
		t.Fatalf("%d runs, want at least 3", len(runs))
	}
}

// TestRecordGoldenLongHistory records the long history the replay benchmark
// replays: a DingTalk Pro project whose manager opens and closes delays and
// whose customer rejects submission after submission until the first run
// reaches workflows.ContinueAsNewHistoryLength events and continues as new.
// It is written gzip'd (testdata/long-history.json.gz).
func TestRecordGoldenLongHistory(t *testing.T) {
	g := newGolden(t, "long", "dingtalk-pro", catalog.Options{}, workflows.ContractDates{Purchase: time.Now()}, 0)
	g.must(workflows.UpdateAdvancePhase, g.advance())
	g.must(workflows.UpdateAdvancePhase, g.advance())
	const letter = "service-activation-confirmation-letter"
	for i := 0; g.count(workflows.EventContinuedAsNew) == 0; i++ {
		if i > workflows.ContinueAsNewHistoryLength {
			t.Fatal("the run never continued as new")
		}
		g.update(workflows.UpdateOpenDelay, workflows.OpenDelay{ActionMeta: g.meta(manager), Reason: fmt.Sprintf("prerequisite %d missing", i)}, false)
		g.update(workflows.UpdateCloseDelay, workflows.CloseDelay{ActionMeta: g.meta(manager)}, false)
		g.update(workflows.UpdateSubmitDeliverable, g.submit(letter), false)
		g.update(workflows.UpdateDecideDeliverable, g.reject(letter, fmt.Sprintf("revision %d needed", i+1)), false)
	}
	g.must(workflows.UpdateTerminate, workflows.Terminate{ActionMeta: g.meta(manager), Reason: "long history recorded"})
	g.finish(workflows.StatusTerminated)
	runs, err := history.Fetch(context.Background(), g.c, g.id)
	if err != nil {
		t.Fatal(err)
	}
	b, err := history.MarshalHistory(runs[0].History)
	if err != nil {
		t.Fatal(err)
	}
	writeGolden(t, "long-history.json.gz", b)
	t.Logf("testdata/long-history.json.gz: %d events, %d bytes before gzip", len(runs[0].History.Events), len(b))
	replayGolden(t, runs[:1])
}
