package api

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sowflow/sowflow/calendar"
	"github.com/sowflow/sowflow/history"
	"github.com/sowflow/sowflow/store"
	"github.com/sowflow/sowflow/workflows"
)

// otherCustomer is a caller with a token of a customer other than the
// fixture's ("acme").
func (f *fixture) otherCustomer(t *testing.T) caller {
	t.Helper()
	_, secret, err := f.store.CreateToken(context.Background(), store.TokenSpec{
		Name: "test other customer", Role: store.RoleCustomer, CustomerID: "other-" + unique(t), CreatedBy: "test"})
	if err != nil {
		t.Fatal(err)
	}
	return f.asToken(t, secret)
}

// must answers the request's JSON body, failing unless the status is want.
func (c caller) must(rec *httptest.ResponseRecorder, want int, out any) {
	c.t.Helper()
	if rec.Code != want {
		c.t.Fatalf("status %d, want %d: %s", rec.Code, want, rec.Body)
	}
	if out != nil {
		if err := json.Unmarshal(rec.Body.Bytes(), out); err != nil {
			c.t.Fatalf("decode %s: %v", rec.Body, err)
		}
	}
}

// histAction is an action taken through the API, with what the timeline
// must show for it.
type histAction struct {
	update    string
	role      store.Role
	requestID string
	payload   map[string]any // fields the entry's payload must hold
	events    []workflows.Event
}

func histDocument(title string) map[string]any {
	sum := sha256.Sum256([]byte(title))
	return map[string]any{"title": title, "uri": "https://docs.example.com/" + url.PathEscape(title), "sha256": hex.EncodeToString(sum[:])}
}

// histProject starts a Hybrid Base Project Management project for acme and
// drives it through a rejection, a resubmission, an acceptance, a customer
// delay and a phase advance. It returns the project ID, the start's request
// ID and the actions in order.
func histProject(t *testing.T, f *fixture) (string, string, []histAction) {
	t.Helper()
	manager, customer := f.as(t, store.RoleManager), f.as(t, store.RoleCustomer)
	id := "hist-" + unique(t)
	rec := manager.post("/v1/projects", map[string]any{
		"project_id": id, "customer_id": "acme", "package": "hybrid-base-project-management",
		"dates": map[string]string{"purchase": time.Now().Format(time.RFC3339)},
	})
	manager.must(rec, http.StatusCreated, nil)
	startID := rec.Header().Get(requestIDHeader)

	var actions []histAction
	act := func(c caller, role store.Role, update, path string, body map[string]any, payload map[string]any) {
		t.Helper()
		rec := c.post("/v1/projects/"+id+path, body)
		var res workflows.ActionResult
		c.must(rec, http.StatusOK, &res)
		actions = append(actions, histAction{update: update, role: role, requestID: rec.Header().Get(requestIDHeader), payload: payload, events: res.Events})
	}
	const kickoff = "kickoff-documentation"
	sub, dec := "/deliverables/"+kickoff+"/submissions", "/deliverables/"+kickoff+"/decision"
	act(manager, store.RoleManager, workflows.UpdateSubmitDeliverable, sub, histDocument("Kickoff v1"),
		map[string]any{"deliverable": kickoff, "title": "Kickoff v1"})
	act(customer, store.RoleCustomer, workflows.UpdateDecideDeliverable, dec, map[string]any{"decision": "reject", "reason": "no RACI matrix"},
		map[string]any{"deliverable": kickoff, "decision": "reject", "reason": "no RACI matrix"})
	act(manager, store.RoleManager, workflows.UpdateSubmitDeliverable, sub, histDocument("Kickoff v2"),
		map[string]any{"deliverable": kickoff, "title": "Kickoff v2"})
	act(customer, store.RoleCustomer, workflows.UpdateDecideDeliverable, dec, map[string]any{"decision": "accept"},
		map[string]any{"deliverable": kickoff, "decision": "accept"})
	act(manager, store.RoleManager, workflows.UpdateOpenDelay, "/delays/open", map[string]any{"reason": "no meeting room", "prerequisite": "site"},
		map[string]any{"reason": "no meeting room", "prerequisite": "site"})
	act(manager, store.RoleManager, workflows.UpdateCloseDelay, "/delays/close", map[string]any{"note": "room booked"},
		map[string]any{"note": "room booked"})
	act(manager, store.RoleManager, workflows.UpdateAdvancePhase, "/phases/initiation/advance", nil,
		map[string]any{"from": "initiation"})
	return id, startID, actions
}

// histTimeline is the answer of GET /history as the client decodes it.
type histTimeline struct {
	ProjectID  string `json:"project_id"`
	WorkflowID string `json:"workflow_id"`
	Runs       []struct {
		Run    int    `json:"run"`
		RunID  string `json:"run_id"`
		Events int    `json:"events"`
	} `json:"runs"`
	Entries []struct {
		Run       int              `json:"run"`
		RunID     string           `json:"run_id"`
		EventID   int64            `json:"event_id"`
		EventType string           `json:"event_type"`
		Time      string           `json:"time"`
		Kind      string           `json:"kind"`
		Name      string           `json:"name"`
		Actor     *workflows.Actor `json:"actor"`
		RequestID string           `json:"request_id"`
		UpdateID  string           `json:"update_id"`
		Payload   map[string]any   `json:"payload"`
	} `json:"entries"`
}

func principalOf(t *testing.T, f *fixture, role store.Role) store.Principal {
	t.Helper()
	p, err := f.store.Authenticate(context.Background(), f.tokens[role])
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestProjectHistoryTimeline drives a project through the API and reads its
// timeline as each role: every action appears once, in order, with the
// actor and request ID of the request that made it and its payload.
func TestProjectHistoryTimeline(t *testing.T) {
	f := newFixture(t)
	id, startID, actions := histProject(t, f)
	path := "/v1/projects/" + id + "/history"

	var tl histTimeline
	f.as(t, store.RoleAuditor).must(f.as(t, store.RoleAuditor).get(path), http.StatusOK, &tl)
	if tl.ProjectID != id || tl.WorkflowID != workflows.ProjectWorkflowID(id) || len(tl.Runs) != 1 || tl.Runs[0].Run != 1 || tl.Runs[0].Events < 20 {
		t.Fatalf("timeline head %+v %+v", tl.ProjectID, tl.Runs)
	}
	for _, e := range tl.Entries {
		if !strings.HasSuffix(e.Time, "+08:00") || e.RunID != tl.Runs[0].RunID {
			t.Fatalf("entry %d at %s of run %s", e.EventID, e.Time, e.RunID)
		}
	}
	first := tl.Entries[0]
	mgr := principalOf(t, f, store.RoleManager)
	if first.Kind != string(history.KindStarted) || first.Actor == nil || first.Actor.Subject != mgr.Subject() ||
		first.Actor.Role != workflows.RoleManager || first.RequestID != startID || first.Payload["package"] != "hybrid-base-project-management" {
		t.Errorf("first entry %+v, want the start by %s with request %s", first, mgr.Subject(), startID)
	}

	// The updates, in order, with actor, request ID and payload.
	type entry = struct {
		kind, name string
		actor      *workflows.Actor
		requestID  string
		payload    map[string]any
	}
	var updates, completions []entry
	var deadlines int
	for _, e := range tl.Entries {
		switch history.Kind(e.Kind) {
		case history.KindUpdate:
			updates = append(updates, entry{e.Kind, e.Name, e.Actor, e.RequestID, e.Payload})
		case history.KindUpdateCompleted:
			completions = append(completions, entry{e.Kind, e.Name, e.Actor, e.RequestID, e.Payload})
		case history.KindDeadline:
			deadlines++
			dl, _ := e.Payload["deadline"].(string)
			if !strings.HasSuffix(dl, "+08:00") || e.Payload["calendar_version"] != calendar.China().Version() {
				t.Errorf("deadline entry %+v", e.Payload)
			}
		}
	}
	if len(updates) != len(actions) || len(completions) != len(actions) {
		t.Fatalf("%d updates and %d completions for %d actions", len(updates), len(completions), len(actions))
	}
	for i, a := range actions {
		p := principalOf(t, f, a.role)
		for _, e := range []entry{updates[i], completions[i]} {
			if e.name != a.update || e.actor == nil || e.actor.Subject != p.Subject() || string(e.actor.Role) != string(a.role) || e.requestID != a.requestID {
				t.Errorf("action %d (%s by %s, request %s): entry %s %s by %+v request %s", i+1, a.update, a.role, a.requestID, e.kind, e.name, e.actor, e.requestID)
			}
		}
		for k, v := range a.payload {
			if updates[i].payload[k] != v {
				t.Errorf("action %d (%s): payload %s = %v, want %v", i+1, a.update, k, updates[i].payload[k], v)
			}
		}
		if updates[i].payload["actor"] != nil || updates[i].payload["request_id"] != nil {
			t.Errorf("action %d: actor or request ID repeated in the payload", i+1)
		}
		evs, _ := completions[i].payload["events"].([]any)
		if completions[i].payload["outcome"] != "completed" || len(evs) != len(a.events) {
			t.Errorf("action %d (%s) completion %+v, recorded %d events", i+1, a.update, completions[i].payload, len(a.events))
		}
	}
	// Two submissions, each with a window and its notice, after the
	// validity's end at the start.
	if deadlines != 5 {
		t.Errorf("%d deadlines computed, want 5", deadlines)
	}

	// Every reader sees the same timeline (up to the last action: the
	// workflow may still upsert search attributes or re-arm its timer);
	// another customer sees nothing.
	var lastAction int64
	for _, e := range tl.Entries {
		if e.Kind == string(history.KindUpdateCompleted) {
			lastAction = e.EventID
		}
	}
	upTo := func(tl histTimeline) string {
		var b strings.Builder
		for _, e := range tl.Entries {
			if e.EventID <= lastAction {
				enc, _ := json.Marshal(e)
				b.Write(enc)
			}
		}
		return b.String()
	}
	want := upTo(tl)
	for _, role := range []store.Role{store.RoleManager, store.RoleCustomer} {
		c := f.as(t, role)
		var got histTimeline
		c.must(c.get(path), http.StatusOK, &got)
		if upTo(got) != want {
			t.Errorf("%s sees another timeline", role)
		}
	}
	other := f.otherCustomer(t)
	for _, p := range []string{path, path + "/export", "/v1/projects/" + id + "?as_of=" + url.QueryEscape(time.Now().Format(time.RFC3339))} {
		if rec := other.get(p); rec.Code != http.StatusNotFound || rec.Header().Get("Content-Type") != ProblemContentType {
			t.Errorf("another customer GET %s: %d %s", p, rec.Code, rec.Body)
		}
	}
	admin := f.as(t, store.RoleAdmin)
	if rec := admin.get(path); rec.Code != http.StatusForbidden {
		t.Errorf("admin GET history: %d", rec.Code)
	}
	if rec := f.as(t, store.RoleAuditor).get("/v1/projects/no-such-" + unique(t) + "/history"); rec.Code != http.StatusNotFound {
		t.Errorf("unknown project: %d %s", rec.Code, rec.Body)
	}
}

// TestProjectHistoryExportReplays exports a project's histories, replays the
// export with the replay function and through POST /v1/replay, and shows a
// tampered export diverging.
func TestProjectHistoryExportReplays(t *testing.T) {
	f := newFixture(t)
	id, _, _ := histProject(t, f)
	auditor := f.as(t, store.RoleAuditor)

	rec := auditor.get("/v1/projects/" + id + "/history/export")
	auditor.must(rec, http.StatusOK, nil)
	if cd := rec.Header().Get("Content-Disposition"); !strings.Contains(cd, "project-"+id+"-history.json") {
		t.Errorf("Content-Disposition %q", cd)
	}
	export := rec.Body.Bytes()
	var doc history.Export
	if err := json.Unmarshal(export, &doc); err != nil || doc.WorkflowID != workflows.ProjectWorkflowID(id) || len(doc.Runs) != 1 || doc.Runs[0].RunID == "" {
		t.Fatalf("export %v: %.300s", err, export)
	}
	runs, err := history.Parse(export)
	if err != nil {
		t.Fatal(err)
	}
	for _, res := range (&history.Replayer{}).ReplayAll(runs) {
		if !res.OK {
			t.Fatalf("the export does not replay: %+v", res)
		}
	}
	// The customer may export its own project; a manager too.
	for _, role := range []store.Role{store.RoleCustomer, store.RoleManager} {
		if rec := f.as(t, role).get("/v1/projects/" + id + "/history/export"); rec.Code != http.StatusOK {
			t.Errorf("%s export: %d", role, rec.Code)
		}
	}

	var report replayReport
	auditor.must(auditor.post("/v1/replay", export), http.StatusOK, &report)
	if !report.OK || len(report.Runs) != 1 || !report.Runs[0].OK || report.Runs[0].Run != 1 || report.Runs[0].RunID != doc.Runs[0].RunID || report.Runs[0].Events == 0 {
		t.Errorf("replay report %+v", report)
	}
	// Gzip'd, the same.
	var zipped bytes.Buffer
	zw := gzip.NewWriter(&zipped)
	_, _ = zw.Write(export)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	auditor.must(auditor.post("/v1/replay", zipped.Bytes()), http.StatusOK, &report)
	if !report.OK || len(report.Runs) != 1 {
		t.Errorf("replay of the gzip'd export %+v", report)
	}
	// One run's history alone, as Temporal's tools write it, is taken too.
	auditor.must(auditor.post("/v1/replay", []byte(doc.Runs[0].History)), http.StatusOK, &report)
	if !report.OK {
		t.Errorf("replay of the bare history %+v", report)
	}

	// The same export with the projection activity renamed, as if the code
	// had changed, diverges at that event.
	h := runs[0].History
	var tampered int64
	for _, e := range h.Events {
		if a := e.GetActivityTaskScheduledEventAttributes(); a != nil && a.GetActivityType().GetName() == workflows.RecordProjectActivity {
			a.ActivityType.Name = "RecordProjectV0"
			tampered = e.GetEventId()
			break
		}
	}
	bad, err := history.NewExport(doc.WorkflowID, runs)
	if err != nil {
		t.Fatal(err)
	}
	auditor.must(auditor.post("/v1/replay", bad), http.StatusOK, &report)
	if report.OK || report.Runs[0].OK || report.Runs[0].EventID != tampered || !strings.Contains(report.Runs[0].Error, "TMPRL1100") {
		t.Errorf("tampered replay report %+v, want a divergence at event %d", report, tampered)
	}

	// Only auditors replay; the body must be an export.
	for _, role := range []store.Role{store.RoleManager, store.RoleCustomer, store.RoleAdmin} {
		if rec := f.as(t, role).post("/v1/replay", export); rec.Code != http.StatusForbidden {
			t.Errorf("%s replay: %d", role, rec.Code)
		}
	}
	for _, body := range []string{`{"items": []}`, `{"runs": []}`, `not json`, `{"runs": [{"run_id": "x", "history": {"events": []}}]}`} {
		rec := auditor.post("/v1/replay", []byte(body))
		if rec.Code != http.StatusBadRequest || rec.Header().Get("Content-Type") != ProblemContentType {
			t.Errorf("replay %s: %d %s", body, rec.Code, rec.Body)
		}
	}
	if rec := f.send(request{method: http.MethodPost, path: "/v1/replay", token: auditor.token, body: export, noKey: true}); rec.Code != http.StatusBadRequest {
		t.Errorf("replay without an Idempotency-Key: %d", rec.Code)
	}
}

// TestProjectStateAsOf reconstructs a project's state at instants between
// its actions. It needs getProject to call projectAsOf.
func TestProjectStateAsOf(t *testing.T) {
	f := newFixture(t)
	id, _, actions := histProject(t, f)
	path := "/v1/projects/" + id
	asOf := func(c caller, at time.Time) *httptest.ResponseRecorder {
		return c.get(path + "?as_of=" + url.QueryEscape(at.Format(time.RFC3339Nano)))
	}
	kickoff := func(st workflows.ProjectState) workflows.DeliverableState {
		for _, d := range st.Deliverables {
			if d.Key == "kickoff-documentation" {
				return d
			}
		}
		t.Fatalf("no kickoff deliverable in %+v", st)
		return workflows.DeliverableState{}
	}
	if rec := f.as(t, store.RoleAuditor).get(path + "?as_of=yesterday"); rec.Code != http.StatusBadRequest {
		t.Fatalf("GET %s?as_of=yesterday: %d; getProject must call projectAsOf: add `if h.projectAsOf(c, id) { return }` after its visibleProject check", path, rec.Code)
	}
	rejected, resubmitted := actions[1].events[0], actions[2].events[0]
	for _, role := range []store.Role{store.RoleAuditor, store.RoleManager, store.RoleCustomer} {
		c := f.as(t, role)
		var st workflows.ProjectState
		c.must(asOf(c, rejected.At), http.StatusOK, &st)
		if d := kickoff(st); d.Status != workflows.DeliverableRejected || st.Seq != rejected.Seq || st.ProjectID != id {
			t.Errorf("%s: as of the rejection: %s at seq %d", role, d.Status, st.Seq)
		}
		c.must(asOf(c, resubmitted.At.Add(-time.Nanosecond)), http.StatusOK, &st)
		if d := kickoff(st); d.Status != workflows.DeliverableRejected {
			t.Errorf("%s: just before the resubmission: %s", role, d.Status)
		}
		c.must(asOf(c, resubmitted.At), http.StatusOK, &st)
		if d := kickoff(st); d.Status != workflows.DeliverableSubmitted || len(d.Rounds[0].Submissions) != 2 {
			t.Errorf("%s: as of the resubmission: %s", role, d.Status)
		}
	}
	// Now: the current state, as the workflow answers it.
	auditor := f.as(t, store.RoleAuditor)
	var now, cur workflows.ProjectState
	auditor.must(asOf(auditor, time.Now().Add(time.Minute)), http.StatusOK, &now)
	auditor.must(auditor.get(path), http.StatusOK, &cur)
	if now.Seq != cur.Seq || now.Phase != cur.Phase || now.Phase != "planning" {
		t.Errorf("as of now: seq %d phase %s; current seq %d phase %s", now.Seq, now.Phase, cur.Seq, cur.Phase)
	}
	// Before the start: no project yet. A malformed instant: 400. An
	// unencoded "+" (a space) is read as the offset it was.
	rec := asOf(auditor, time.Now().AddDate(0, 0, -1))
	if rec.Code != http.StatusNotFound || rec.Header().Get("Content-Type") != ProblemContentType {
		t.Errorf("as of yesterday: %d %s", rec.Code, rec.Body)
	}
	if rec := auditor.get(path + "?as_of=yesterday"); rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "as_of") {
		t.Errorf("as_of=yesterday: %d %s", rec.Code, rec.Body)
	}
	raw := resubmitted.At.In(calendar.Zone()).Format(time.RFC3339Nano)
	auditor.must(auditor.get(path+"?as_of="+raw), http.StatusOK, &now) // "+08:00" arrives as " 08:00"
	if d := kickoff(now); d.Status != workflows.DeliverableSubmitted {
		t.Errorf("unencoded as_of %s: %s", raw, d.Status)
	}
}

// TestServiceHistoryExportReplays exports a service's workflow history
// (after a quota use, so it holds an Update and its projection) and
// replays it through POST /v1/replay, which replays each run by its
// workflow type; another customer cannot export it.
func TestServiceHistoryExportReplays(t *testing.T) {
	f := newFixture(t)
	sfx := unique(t)
	id := "svchist-" + sfx
	mgr := f.as(t, store.RoleManager)
	auditor := f.as(t, store.RoleAuditor)
	wantStatus(t, mgr.post("/v1/services", map[string]any{"service_id": id, "customer_id": "acme", "package": "partner-elite",
		"start": time.Now().In(calendar.Zone()).Format(time.RFC3339)}), http.StatusCreated)
	wantStatus(t, mgr.post("/v1/services/"+id+"/quotas/health-checks/uses", map[string]any{"note": "first check"}), http.StatusOK)

	path := "/v1/services/" + id + "/history/export"
	rec := auditor.get(path)
	auditor.must(rec, http.StatusOK, nil)
	if cd := rec.Header().Get("Content-Disposition"); !strings.Contains(cd, "service-"+id+"-history.json") {
		t.Errorf("Content-Disposition %q", cd)
	}
	export := rec.Body.Bytes()
	var doc history.Export
	if err := json.Unmarshal(export, &doc); err != nil || doc.WorkflowID != workflows.ServiceWorkflowID(id) || len(doc.Runs) != 1 {
		t.Fatalf("export %v: %.300s", err, export)
	}
	var report replayReport
	auditor.must(auditor.post("/v1/replay", export), http.StatusOK, &report)
	if !report.OK || len(report.Runs) != 1 || !report.Runs[0].OK || report.Runs[0].Events == 0 {
		t.Errorf("replay report %+v", report)
	}
	if rec := f.as(t, store.RoleCustomer).get(path); rec.Code != http.StatusOK {
		t.Errorf("its customer's export: %d", rec.Code)
	}
	if rec := f.asToken(t, f.customerToken(t, "globex-"+sfx)).get(path); rec.Code != http.StatusNotFound {
		t.Errorf("another customer's export: %d, want 404", rec.Code)
	}
}
