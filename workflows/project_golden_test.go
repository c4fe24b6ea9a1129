//go:build golden

// The golden histories replayed by TestReplayGoldenHistories are recorded
// here, on the in-process Temporal server (a slow build, hence the tag):
//
//	go test -tags golden -run TestRecordGolden -count=1 ./workflows/
//
// Record new ones when a workflow change is meant to be incompatible (and
// guarded by workflow.GetVersion): keep the old files, add the new.

package workflows_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/sowflow/sowflow/activities"
	"github.com/sowflow/sowflow/calendar"
	"github.com/sowflow/sowflow/catalog"
	"github.com/sowflow/sowflow/testenv"
	"github.com/sowflow/sowflow/workflows"
)

func TestMain(m *testing.M) { testenv.Main(m, testenv.Temporal(workflows.SearchAttributes())) }

const goldenQueue = "golden"

// goldenClient starts a worker with the project workflow, the real deadline
// activity and a projection that only acknowledges.
func goldenClient(t *testing.T) client.Client {
	t.Helper()
	c := testenv.Get(t).Client()
	w := sdkworker.New(c, goldenQueue, sdkworker.Options{})
	w.RegisterActivityWithOptions((&activities.Deadlines{}).ComputeDeadline, activity.RegisterOptions{Name: calendar.ComputeDeadlineActivity})
	w.RegisterActivityWithOptions(func(_ context.Context, in workflows.ProjectRecord) (workflows.RecordResult, error) {
		return workflows.RecordResult{Seq: in.State.Seq}, nil
	}, activity.RegisterOptions{Name: workflows.RecordProjectActivity})
	w.RegisterWorkflowWithOptions(workflows.ProjectWorkflow, workflow.RegisterOptions{Name: workflows.ProjectWorkflowName})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)
	return c
}

// golden drives one project by updates and signals.
type golden struct {
	t  *testing.T
	c  client.Client
	id string
	n  int
}

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

func (g *golden) signal(name string, arg any) {
	g.t.Helper()
	if err := g.c.SignalWorkflow(context.Background(), g.id, "", name, arg); err != nil {
		g.t.Fatal(err)
	}
}

func (g *golden) submit(key string) workflows.SubmitDeliverable {
	return workflows.SubmitDeliverable{ActionMeta: g.meta(manager), Deliverable: key, Title: key,
		URI: "https://docs.example/" + key, SHA256: strings.Repeat("ab", 32)}
}

func (g *golden) accept(key string) workflows.DecideDeliverable {
	return workflows.DecideDeliverable{ActionMeta: g.meta(customer), Deliverable: key, Decision: workflows.DecisionAccept}
}

func (g *golden) advance() workflows.AdvancePhase {
	return workflows.AdvancePhase{ActionMeta: g.meta(manager)}
}

// save writes the run's history to testdata/file and replays it.
func (g *golden) save(runID, file string) {
	g.t.Helper()
	it := g.c.GetWorkflowHistory(context.Background(), g.id, runID, false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	var h historypb.History
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			g.t.Fatal(err)
		}
		h.Events = append(h.Events, e)
	}
	b, err := protojson.Marshal(&h)
	if err != nil {
		g.t.Fatal(err)
	}
	path := "testdata/" + file
	if err := os.WriteFile(path, b, 0o644); err != nil {
		g.t.Fatal(err)
	}
	r := sdkworker.NewWorkflowReplayer()
	r.RegisterWorkflowWithOptions(workflows.ProjectWorkflow, workflow.RegisterOptions{Name: workflows.ProjectWorkflowName})
	if err := r.ReplayWorkflowHistoryFromJSONFile(nil, path); err != nil {
		g.t.Fatalf("replay %s: %v", path, err)
	}
	g.t.Logf("%s: %d events", path, len(h.Events))
}

// TestRecordGoldenDingtalkPro walks DingTalk Pro bought 105 days ago, so the
// activation warning and breach fire at the start, through refusals, a
// delay, an ignored and a valid signal, a rejection, a calendar update and
// final acceptance.
func TestRecordGoldenDingtalkPro(t *testing.T) {
	g := &golden{t: t, c: goldenClient(t), id: workflows.ProjectWorkflowID("golden-pro")}
	plan, err := catalog.Default().Plan("dingtalk-pro", catalog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	in := workflows.ProjectInput{ProjectID: "golden-pro", CustomerID: "cust-1", Plan: plan.Workflow(),
		Dates:     workflows.ContractDates{Purchase: time.Now().AddDate(0, 0, -105)},
		StartedBy: manager, RequestID: "golden-start"}
	run, err := g.c.ExecuteWorkflow(context.Background(), client.StartWorkflowOptions{ID: g.id, TaskQueue: goldenQueue}, workflows.ProjectWorkflowName, in)
	if err != nil {
		t.Fatal(err)
	}
	const letter = "service-activation-confirmation-letter"
	g.update(workflows.UpdateAdvancePhase, g.advance(), false)
	g.update(workflows.UpdateSubmitDeliverable, g.submit("customer-service-group-log-report"), true)
	g.update(workflows.UpdateOpenDelay, workflows.OpenDelay{ActionMeta: g.meta(manager), Reason: "no VPN access"}, false)
	g.update(workflows.UpdateCloseDelay, workflows.CloseDelay{ActionMeta: g.meta(manager)}, false)
	g.update(workflows.UpdateAdvancePhase, g.advance(), false)
	g.update(workflows.UpdateSubmitDeliverable, g.submit(letter), false)
	g.signal(workflows.SignalDecideDeliverable, workflows.DecideDeliverable{ActionMeta: g.meta(customer), Deliverable: letter, Decision: workflows.DecisionReject})
	g.signal(workflows.SignalDecideDeliverable, workflows.DecideDeliverable{ActionMeta: g.meta(customer), Deliverable: letter, Decision: workflows.DecisionReject, Reason: "unsigned"})
	time.Sleep(300 * time.Millisecond)
	g.update(workflows.UpdateSubmitDeliverable, g.submit(letter), false)
	g.update(workflows.UpdateDecideDeliverable, g.accept(letter), false)
	g.signal(workflows.SignalCalendarUpdated, workflows.CalendarUpdated{ActionMeta: g.meta(workflows.SystemActor), CalendarVersion: calendar.China().Version()})
	g.update(workflows.UpdateAdvancePhase, g.advance(), false)
	for _, key := range []string{"customer-service-group-log-report", "service-acceptance-confirmation"} {
		g.update(workflows.UpdateSubmitDeliverable, g.submit(key), false)
		g.update(workflows.UpdateDecideDeliverable, g.accept(key), false)
	}
	if _, err := g.c.QueryWorkflow(context.Background(), g.id, "", workflows.QueryState); err != nil {
		t.Fatal(err)
	}
	g.update(workflows.UpdateSignFinalAcceptance, workflows.SignFinalAcceptance{ActionMeta: g.meta(customer)}, false)
	var res workflows.ProjectResult
	if err := run.Get(context.Background(), &res); err != nil {
		t.Fatal(err)
	}
	if res.Status != workflows.StatusCompleted {
		t.Fatalf("ended %s", res.Status)
	}
	g.save(run.GetRunID(), "project-dingtalk-pro.json")
}

// TestRecordGoldenContinueAsNew records both runs of a project that
// continues as new with an acceptance window open.
func TestRecordGoldenContinueAsNew(t *testing.T) {
	g := &golden{t: t, c: goldenClient(t), id: workflows.ProjectWorkflowID("golden-can")}
	plan, err := catalog.Default().Plan("managed-services", catalog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	in := workflows.ProjectInput{ProjectID: "golden-can", CustomerID: "cust-1", Plan: plan.Workflow(),
		Dates:     workflows.ContractDates{ContractSigning: time.Now()},
		StartedBy: manager, RequestID: "golden-start", ContinueAsNewAfterEvents: 2}
	run, err := g.c.ExecuteWorkflow(context.Background(), client.StartWorkflowOptions{ID: g.id, TaskQueue: goldenQueue}, workflows.ProjectWorkflowName, in)
	if err != nil {
		t.Fatal(err)
	}
	g.update(workflows.UpdateSubmitDeliverable, g.submit("kickoff-meeting-report"), false)
	time.Sleep(500 * time.Millisecond)
	g.save(run.GetRunID(), "project-continue-as-new.json")
	g.update(workflows.UpdateTerminate, workflows.Terminate{ActionMeta: g.meta(manager), Reason: "golden recorded"}, false)
	second := g.c.GetWorkflow(context.Background(), g.id, "")
	var res workflows.ProjectResult
	if err := second.Get(context.Background(), &res); err != nil {
		t.Fatal(err)
	}
	if res.State.Run != 2 || res.Status != workflows.StatusTerminated {
		t.Fatalf("run %d ended %s", res.State.Run, res.Status)
	}
	g.save(second.GetRunID(), "project-continue-as-new-run2.json")
}
