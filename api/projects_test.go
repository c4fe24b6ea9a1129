package api

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sowflow/sowflow/catalog"
	"github.com/sowflow/sowflow/store"
	"github.com/sowflow/sowflow/workflows"
)

// The Managed Services package (seed 002): its phases in order, each with the
// one deliverable it owes; the last one is the final-acceptance deliverable.
var managedServicesPhases = []struct{ phase, deliverable string }{
	{"kickoff", "kickoff-meeting-report"},
	{"implementation-solution", "implementation-solution"},
	{"stage-progress", "stage-progress-report"},
	{"summary", "summary-report"},
	{"acceptance", "project-acceptance-report"},
}

// unique returns a short random suffix: the package's database and Temporal
// server outlive one run of a test (-count=2), so project and customer IDs
// must not repeat.
func unique(tb testing.TB) string {
	tb.Helper()
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		tb.Fatal(err)
	}
	return hex.EncodeToString(b[:])
}

// msStart is the body of POST /v1/projects for a Managed Services project.
func msStart(id, customer string) map[string]any {
	return map[string]any{
		"project_id": id, "customer_id": customer, "package": "managed-services",
		"dates": map[string]string{"contract_signing": "2026-11-02T10:00:00+08:00"},
	}
}

// document is a submission body: a title, a URI and the SHA-256 of a
// document named by title.
func document(title string) map[string]any {
	sum := sha256.Sum256([]byte(title))
	return map[string]any{"title": title, "uri": "https://docs.example.com/" + url.PathEscape(title), "sha256": hex.EncodeToString(sum[:])}
}

func projectPath(id string, rest ...string) string {
	return "/v1/projects/" + id + strings.Join(rest, "")
}

func submissionPath(id, deliverable string) string {
	return projectPath(id, "/deliverables/", deliverable, "/submissions")
}

func decisionPath(id, deliverable string) string {
	return projectPath(id, "/deliverables/", deliverable, "/decision")
}

func advancePath(id, phase string) string { return projectPath(id, "/phases/", phase, "/advance") }

var accept = map[string]string{"decision": "accept"}

// start starts a project as c (a manager) and fails unless it is created.
func (c caller) start(body map[string]any) startedProject {
	c.t.Helper()
	rec := c.post("/v1/projects", body)
	wantStatus(c.t, rec, http.StatusCreated)
	var out startedProject
	decode(c.t, rec, &out)
	return out
}

// act posts body to path and fails unless it succeeds; it returns the
// action's result and the request ID the answer echoed.
func (c caller) act(path string, body any) (workflows.ActionResult, string) {
	c.t.Helper()
	rec := c.post(path, body)
	wantStatus(c.t, rec, http.StatusOK)
	var res workflows.ActionResult
	decode(c.t, rec, &res)
	return res, rec.Header().Get("X-Request-ID")
}

// refused posts body to path and fails unless it is refused with status and
// the workflow's rule.
func (c caller) refused(path string, body any, status int, rule string) Problem {
	c.t.Helper()
	rec := c.post(path, body)
	wantStatus(c.t, rec, status)
	p := problemOf(c.t, rec)
	if p.Rule != rule {
		c.t.Fatalf("POST %s: rule %q, want %q: %s", path, p.Rule, rule, rec.Body)
	}
	return p
}

// state returns the project's state as c sees it.
func (c caller) state(id string) workflows.ProjectState {
	c.t.Helper()
	rec := c.get(projectPath(id))
	wantStatus(c.t, rec, http.StatusOK)
	var st workflows.ProjectState
	decode(c.t, rec, &st)
	return st
}

// events pages through the project's events limit at a time.
func (c caller) events(id string, limit int) []store.ProjectEvent {
	c.t.Helper()
	var all []store.ProjectEvent
	after := int64(0)
	for pages := 0; ; pages++ {
		if pages > 1000 {
			c.t.Fatal("events never end")
		}
		rec := c.get(projectPath(id, "/events?limit=", strconv.Itoa(limit), "&after=", strconv.Itoa(int(after))))
		wantStatus(c.t, rec, http.StatusOK)
		var page eventPage
		decode(c.t, rec, &page)
		if len(page.Items) > limit {
			c.t.Fatalf("page of %d events, limit %d", len(page.Items), limit)
		}
		all = append(all, page.Items...)
		if page.NextAfter == 0 {
			if len(page.Items) == limit {
				c.t.Fatalf("a full page without next_after: %s", rec.Body)
			}
			return all
		}
		after = page.NextAfter
	}
}

// listItem is a row of GET /v1/projects with instants kept as sent.
type listItem struct {
	ID           string `json:"id"`
	CustomerID   string `json:"customer_id"`
	Package      string `json:"package"`
	Status       string `json:"status"`
	Phase        string `json:"phase"`
	NextDeadline string `json:"next_deadline"`
	Overdue      bool   `json:"overdue"`
	StartedAt    string `json:"started_at"`
	UpdatedAt    string `json:"updated_at"`
}

// list pages through GET /v1/projects with query q (limit included) and
// returns every row in order and the number of pages.
func (c caller) list(q url.Values) ([]listItem, int) {
	c.t.Helper()
	var all []listItem
	cursor := ""
	for pages := 1; ; pages++ {
		if pages > 1000 {
			c.t.Fatal("list never ends")
		}
		qq := url.Values{}
		for k, v := range q {
			qq[k] = v
		}
		if cursor != "" {
			qq.Set("cursor", cursor)
		}
		rec := c.get("/v1/projects?" + qq.Encode())
		wantStatus(c.t, rec, http.StatusOK)
		var page struct {
			Items      []listItem `json:"items"`
			NextCursor string     `json:"next_cursor"`
		}
		decode(c.t, rec, &page)
		if page.Items == nil {
			c.t.Fatalf("items is not a list: %s", rec.Body)
		}
		all = append(all, page.Items...)
		if page.NextCursor == "" {
			return all, pages
		}
		cursor = page.NextCursor
	}
}

func ids(items []listItem) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.ID
	}
	return out
}

// TestManagedServicesThroughHTTP drives a whole Managed Services project
// through the API as its delivery manager and its customer — with one
// rejection and resubmission — to completion, and checks that the state, the
// event history and the project list agree with what happened, for every
// reader.
func TestManagedServicesThroughHTTP(t *testing.T) {
	f := newFixture(t)
	sfx := unique(t)
	customerID := "walk-" + sfx
	id := "ms-" + sfx
	mgr := f.as(t, store.RoleManager)
	cust := f.asToken(t, f.customerToken(t, customerID))
	aud := f.as(t, store.RoleAuditor)
	mgrID, custID := f.tokenID(t, f.tokens[store.RoleManager]), f.tokenID(t, cust.token)

	// want is the history the project must show: type, role, request ID.
	type wantEvent struct {
		typ       workflows.EventType
		role      store.Role
		requestID string
	}
	var want []wantEvent
	expect := func(res workflows.ActionResult, requestID string, role store.Role, types ...workflows.EventType) {
		t.Helper()
		if len(res.Events) != len(types) {
			t.Fatalf("action recorded %d events, want %v: %+v", len(res.Events), types, res.Events)
		}
		for i, e := range res.Events {
			if e.Type != types[i] || e.RequestID != requestID || string(e.Actor.Role) != string(role) {
				t.Fatalf("event %d = %s by %s (request %s), want %s by %s (request %s)", i, e.Type, e.Actor.Role, e.RequestID, types[i], role, requestID)
			}
			if want := int64(len(want) + 1); e.Seq != want {
				t.Fatalf("event %s has seq %d, want %d", e.Type, e.Seq, want)
			}
			want = append(want, wantEvent{types[i], role, requestID})
		}
		if res.Seq != int64(len(want)) {
			t.Fatalf("result seq %d, want %d", res.Seq, len(want))
		}
	}

	rec := mgr.post("/v1/projects", msStart(id, customerID))
	wantStatus(t, rec, http.StatusCreated)
	if loc := rec.Header().Get("Location"); loc != projectPath(id) {
		t.Errorf("Location %q", loc)
	}
	var started startedProject
	decode(t, rec, &started)
	if started.ProjectID != id || started.WorkflowID != workflows.ProjectWorkflowID(id) || started.RunID == "" {
		t.Errorf("started %+v", started)
	}
	if s := started.State; s == nil || s.Status != workflows.StatusActive || s.Phase != "kickoff" || s.CustomerID != customerID || s.Package.Code != "managed-services" {
		t.Fatalf("first state %+v", started.State)
	}
	want = append(want, wantEvent{workflows.EventProjectStarted, store.RoleManager, rec.Header().Get("X-Request-ID")})
	if again := mgr.post("/v1/projects", msStart(id, customerID)); again.Code != http.StatusConflict || problemOf(t, again).Type != ProblemExists {
		t.Fatalf("second start: %d %s", again.Code, again.Body)
	}

	// Kickoff: the customer rejects the first report; the phase cannot
	// advance until the resubmitted one is accepted.
	kickoff := managedServicesPhases[0]
	res, rid := mgr.act(submissionPath(id, kickoff.deliverable), document("kickoff v1"))
	expect(res, rid, store.RoleManager, workflows.EventDeliverableSubmitted)
	mgr.refused(advancePath(id, kickoff.phase), nil, http.StatusConflict, workflows.RulePhaseIncomplete)
	res, rid = cust.act(decisionPath(id, kickoff.deliverable), map[string]string{"decision": "reject", "reason": "agenda is missing"})
	expect(res, rid, store.RoleCustomer, workflows.EventDeliverableRejected)
	cust.refused(decisionPath(id, kickoff.deliverable), accept, http.StatusConflict, workflows.RuleState)
	p := mgr.refused(advancePath(id, kickoff.phase), nil, http.StatusConflict, workflows.RulePhaseIncomplete)
	if !slices.Equal(p.Missing, []string{kickoff.deliverable}) {
		t.Errorf("missing %v", p.Missing)
	}
	res, rid = mgr.act(submissionPath(id, kickoff.deliverable), document("kickoff v2"))
	expect(res, rid, store.RoleManager, workflows.EventDeliverableSubmitted)
	mgr.refused(submissionPath(id, kickoff.deliverable), document("kickoff v3"), http.StatusConflict, workflows.RuleState)

	for i, ph := range managedServicesPhases {
		if i+1 < len(managedServicesPhases) {
			// The next phase's deliverable cannot be submitted yet.
			mgr.refused(submissionPath(id, managedServicesPhases[i+1].deliverable), document("early"), http.StatusConflict, workflows.RulePhaseNotStarted)
		}
		if i > 0 {
			res, rid = mgr.act(submissionPath(id, ph.deliverable), document(ph.deliverable+" v1"))
			expect(res, rid, store.RoleManager, workflows.EventDeliverableSubmitted)
		}
		if ph.phase == "acceptance" {
			// Final acceptance needs the report accepted first.
			cust.refused(projectPath(id, "/final-acceptance"), nil, http.StatusConflict, workflows.RulePhaseIncomplete)
		}
		res, rid = cust.act(decisionPath(id, ph.deliverable), accept)
		expect(res, rid, store.RoleCustomer, workflows.EventDeliverableAccepted)
		if i == len(managedServicesPhases)-1 {
			mgr.refused(advancePath(id, ph.phase), nil, http.StatusConflict, workflows.RuleLastPhase)
			break
		}
		res, rid = mgr.act(advancePath(id, ph.phase), nil)
		expect(res, rid, store.RoleManager, workflows.EventPhaseAdvanced)
		// The same advance again names a phase that is over: refused, so
		// a repeated request cannot skip a phase.
		mgr.refused(advancePath(id, ph.phase), nil, http.StatusConflict, workflows.RulePhaseMoved)
	}
	res, rid = cust.act(projectPath(id, "/final-acceptance"), map[string]string{"note": "signed by the CIO"})
	expect(res, rid, store.RoleCustomer, workflows.EventFinalAcceptanceSigned, workflows.EventProjectCompleted)

	// The project has ended: every further action is refused.
	mgr.refused(projectPath(id, "/termination"), map[string]string{"reason": "too late"}, http.StatusConflict, workflows.RuleEnded)
	cust.refused(projectPath(id, "/final-acceptance"), nil, http.StatusConflict, workflows.RuleEnded)

	// The state, as every reader sees it.
	st := cust.state(id)
	if st.Status != workflows.StatusCompleted || st.Phase != "acceptance" || st.Seq != int64(len(want)) || st.EndReason != "final acceptance signed" {
		t.Errorf("final state: status %s, phase %s, seq %d (want %d), reason %q", st.Status, st.Phase, st.Seq, len(want), st.EndReason)
	}
	if st.FinalAcceptedBy == nil || st.FinalAcceptedBy.Subject != "token:"+custID || st.FinalAcceptedAt.IsZero() {
		t.Errorf("final acceptance by %+v at %v", st.FinalAcceptedBy, st.FinalAcceptedAt)
	}
	if st.StartedBy.Subject != "token:"+mgrID || st.StartedBy.Role != workflows.RoleManager {
		t.Errorf("started by %+v", st.StartedBy)
	}
	for _, ph := range st.Phases {
		if ph.Status != workflows.PhaseCompleted {
			t.Errorf("phase %s is %s", ph.Key, ph.Status)
		}
	}
	for _, d := range st.Deliverables {
		if d.Status != workflows.DeliverableAccepted || len(d.Rounds) != 1 {
			t.Errorf("deliverable %s is %s with %d rounds", d.Key, d.Status, len(d.Rounds))
			continue
		}
		subs := d.Rounds[0].Submissions
		wantSubs := 1
		if d.Key == kickoff.deliverable {
			wantSubs = 2
		}
		if len(subs) != wantSubs {
			t.Errorf("deliverable %s has %d submissions, want %d", d.Key, len(subs), wantSubs)
			continue
		}
		if d.Key == kickoff.deliverable {
			if dec := subs[0].Decision; dec == nil || dec.Outcome != workflows.OutcomeRejected || dec.Reason != "agenda is missing" {
				t.Errorf("first kickoff decision %+v", dec)
			}
			if subs[1].Title != "kickoff v2" {
				t.Errorf("second kickoff submission %+v", subs[1])
			}
		}
		last := subs[len(subs)-1]
		if last.Decision == nil || last.Decision.Outcome != workflows.OutcomeAccepted || last.Decision.By.Subject != "token:"+custID {
			t.Errorf("deliverable %s decided %+v", d.Key, last.Decision)
		}
		if last.SubmittedBy.Subject != "token:"+mgrID {
			t.Errorf("deliverable %s submitted by %+v", d.Key, last.SubmittedBy)
		}
	}
	for _, role := range []store.Role{store.RoleManager, store.RoleAuditor} {
		other := f.as(t, role).state(id)
		if other.Seq != st.Seq || other.Status != st.Status || other.CustomerID != customerID {
			t.Errorf("%s sees seq %d status %s", role, other.Seq, other.Status)
		}
	}

	// The recorded events, paged three at a time, for every reader.
	for _, c := range []caller{cust, mgr, aud} {
		events := c.events(id, 3)
		if len(events) != len(want) {
			t.Fatalf("%d events, want %d", len(events), len(want))
		}
		for i, e := range events {
			w := want[i]
			if e.Seq != int64(i+1) || e.ProjectID != id || e.Type != string(w.typ) || e.ActorRole != string(w.role) || e.RequestID != w.requestID {
				t.Errorf("event %d: %d %s by %s (request %s), want %s by %s (request %s)", i, e.Seq, e.Type, e.ActorRole, e.RequestID, w.typ, w.role, w.requestID)
			}
			wantSubject := "token:" + mgrID
			if w.role == store.RoleCustomer {
				wantSubject = "token:" + custID
			}
			if e.ActorSubject != wantSubject {
				t.Errorf("event %d %s: subject %s, want %s", e.Seq, e.Type, e.ActorSubject, wantSubject)
			}
			if _, off := e.OccurredAt.Zone(); off != 8*3600 {
				t.Errorf("event %d occurred at %v, not in +08:00", e.Seq, e.OccurredAt)
			}
		}
	}
	// The rejection's reason is in the event, as the auditor reads it.
	var rejected struct {
		Deliverable string `json:"deliverable"`
		Reason      string `json:"reason"`
	}
	if err := json.Unmarshal(aud.events(id, 100)[2].Payload, &rejected); err != nil || rejected.Reason != "agenda is missing" || rejected.Deliverable != kickoff.deliverable {
		t.Errorf("rejection payload %+v (%v)", rejected, err)
	}

	// The read model lists the project as it ended.
	for _, c := range []caller{cust, mgr, aud} {
		items, _ := c.list(url.Values{"customer": {customerID}})
		if len(items) != 1 {
			t.Fatalf("listed %v, want [%s]", ids(items), id)
		}
		it := items[0]
		if it.ID != id || it.Status != "completed" || it.Phase != "acceptance" || it.Package != "managed-services" || it.CustomerID != customerID || it.Overdue {
			t.Errorf("listed %+v", it)
		}
		if !strings.HasSuffix(it.StartedAt, "+08:00") || !strings.HasSuffix(it.UpdatedAt, "+08:00") {
			t.Errorf("instants not in China Standard Time: %+v", it)
		}
	}
}

// TestListProjects filters and pages the project list, served from the read
// model, with projects in different packages, statuses and phases.
func TestListProjects(t *testing.T) {
	f := newFixture(t)
	sfx := unique(t)
	customerX, customerY := "lx-"+sfx, "ly-"+sfx
	mgr := f.as(t, store.RoleManager)
	custX := f.asToken(t, f.customerToken(t, customerX))
	custY := f.asToken(t, f.customerToken(t, customerY))

	// Every project gets one action: an action answers only once its events,
	// the start's among them, are in the read model.
	pid := func(c, s string) string { return c + "-" + s }
	a, b, c, d, e := pid(customerX, "a"), pid(customerX, "b"), pid(customerX, "c"), pid(customerX, "d"), pid(customerX, "e")
	mgr.start(msStart(a, customerX))
	mgr.act(submissionPath(a, "kickoff-meeting-report"), document("a kickoff"))
	mgr.start(msStart(b, customerX))
	mgr.act(projectPath(b, "/termination"), map[string]string{"reason": "contract withdrawn"})
	// Managed Services states no term: c gets one from its contract end.
	startC := msStart(c, customerX)
	startC["dates"] = map[string]string{"contract_signing": "2026-11-02T10:00:00+08:00", "contract_end": "2027-11-02T10:00:00+08:00"}
	mgr.start(startC)
	mgr.act(projectPath(c, "/delays/open"), map[string]string{"reason": "no site access", "prerequisite": "on-premises-facilities"})
	mgr.start(msStart(d, customerX))
	mgr.act(submissionPath(d, "kickoff-meeting-report"), document("d kickoff"))
	custX.act(decisionPath(d, "kickoff-meeting-report"), accept)
	mgr.act(advancePath(d, "kickoff"), nil)
	mgr.start(map[string]any{"project_id": e, "customer_id": customerX, "package": "dingtalk-pro",
		"dates": map[string]string{"purchase": "2026-11-20T09:30:00+08:00"}})
	mgr.act(projectPath(e, "/delays/open"), map[string]string{"reason": "admin account not provided"})
	y := pid(customerY, "a")
	mgr.start(msStart(y, customerY))
	mgr.act(projectPath(y, "/termination"), map[string]string{"reason": "duplicate"})

	all := []string{a, b, c, d, e}
	q := func(kv ...string) url.Values {
		v := url.Values{"customer": {customerX}}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	items, _ := mgr.list(q())
	if !slices.Equal(ids(items), all) {
		t.Fatalf("listed %v, want %v", ids(items), all)
	}
	byID := map[string]listItem{}
	for _, it := range items {
		byID[it.ID] = it
		if it.CustomerID != customerX {
			t.Errorf("%s: customer %s", it.ID, it.CustomerID)
		}
	}
	deadline := func(id string) time.Time {
		t.Helper()
		raw := byID[id].NextDeadline
		if !strings.HasSuffix(raw, "+08:00") {
			t.Fatalf("%s: next deadline %q is not in +08:00", id, raw)
		}
		at, err := time.Parse(time.RFC3339, raw)
		if err != nil {
			t.Fatal(err)
		}
		return at
	}
	// a waits on a five-working-day acceptance window; c only on its
	// contract end, a year after signing.
	pivot := deadline(a).Add(time.Hour)
	if !deadline(c).After(pivot) {
		t.Fatalf("deadlines a %v, c %v: want the window first", deadline(a), deadline(c))
	}
	var before, after []string
	for _, id := range all {
		if raw := byID[id].NextDeadline; raw != "" {
			if deadline(id).Before(pivot) {
				before = append(before, id)
			} else {
				after = append(after, id)
			}
		}
	}
	if !slices.Contains(before, a) || !slices.Contains(after, c) {
		t.Fatalf("before %v after %v", before, after)
	}

	tests := []struct {
		name  string
		query url.Values
		want  []string
	}{
		{"package managed-services", q("package", "managed-services"), []string{a, b, c, d}},
		{"package dingtalk-pro", q("package", "dingtalk-pro"), []string{e}},
		{"package nobody bought", q("package", "landing-zone-basic"), nil},
		{"status active", q("status", "active"), []string{a, c, d, e}},
		{"status terminated", q("status", "terminated"), []string{b}},
		{"status completed", q("status", "completed"), nil},
		{"phase kickoff", q("phase", "kickoff"), []string{a, b, c}},
		{"phase implementation-solution", q("phase", "implementation-solution"), []string{d}},
		{"status and phase", q("status", "active", "phase", "kickoff"), []string{a, c}},
		{"not overdue", q("overdue", "false"), all},
		{"overdue", q("overdue", "true"), nil},
		{"deadline before", q("deadline_before", pivot.Format(time.RFC3339)), before},
		{"deadline after", q("deadline_after", pivot.Format(time.RFC3339)), after},
		{"deadline window in UTC", q("deadline_after", pivot.Add(-2*time.Hour).UTC().Format(time.RFC3339), "deadline_before", pivot.UTC().Format(time.RFC3339)), []string{a}},
		{"other customer", url.Values{"customer": {customerY}}, []string{y}},
		{"paged by two", q("limit", "2"), all},
		{"paged by one", q("limit", "1"), all},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, role := range []store.Role{store.RoleManager, store.RoleAuditor} {
				got, _ := f.as(t, role).list(tt.query)
				if !slices.Equal(ids(got), tt.want) {
					t.Errorf("%s: listed %v, want %v", role, ids(got), tt.want)
				}
			}
		})
	}

	t.Run("cursor pagination", func(t *testing.T) {
		for limit, wantPages := range map[int]int{1: 6, 2: 3, 4: 2, 5: 2, 6: 1} {
			got, pages := mgr.list(q("limit", strconv.Itoa(limit)))
			if !slices.Equal(ids(got), all) || pages != wantPages {
				t.Errorf("limit %d: %d pages %v, want %d pages %v", limit, pages, ids(got), wantPages, all)
			}
		}
		// next_cursor is opaque; a cursor this API never gave out is refused.
		rec := mgr.get("/v1/projects?cursor=%21%21%21")
		wantStatus(t, rec, http.StatusBadRequest)
		if fe := problemFields(problemOf(t, rec)); fe["cursor"] != "cursor" {
			t.Errorf("errors %v", fe)
		}
	})

	t.Run("auditors see every customer's", func(t *testing.T) {
		got, _ := f.as(t, store.RoleAuditor).list(url.Values{"limit": {"200"}})
		seen := map[string]bool{}
		for _, it := range got {
			seen[it.ID] = true
		}
		for _, id := range append(all, y) {
			if !seen[id] {
				t.Errorf("the auditor's unfiltered list lacks %s", id)
			}
		}
	})

	t.Run("customers see only their own", func(t *testing.T) {
		got, _ := custX.list(url.Values{"limit": {"2"}})
		if !slices.Equal(ids(got), all) {
			t.Errorf("customer X listed %v, want %v", ids(got), all)
		}
		got, _ = custX.list(url.Values{"status": {"terminated"}})
		if !slices.Equal(ids(got), []string{b}) {
			t.Errorf("customer X terminated: %v", ids(got))
		}
		got, _ = custY.list(nil)
		if !slices.Equal(ids(got), []string{y}) {
			t.Errorf("customer Y listed %v", ids(got))
		}
		// Naming another customer filters to nothing; it never widens.
		got, _ = custY.list(url.Values{"customer": {customerX}})
		if len(got) != 0 {
			t.Errorf("customer Y asking for X listed %v", ids(got))
		}
	})

	t.Run("overdue rows", func(t *testing.T) {
		// An explicit deliverable turns overdue only when its five working
		// days pass, which no test waits for: write a read-model row as the
		// projection would for such a project, to check the filter itself.
		customerZ := "lz-" + sfx
		at := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
		deadline := at.Add(7 * 24 * time.Hour)
		for _, row := range []struct {
			id      string
			overdue bool
		}{{customerZ + "-late", true}, {customerZ + "-fine", false}} {
			snap := store.ProjectSnapshot{ID: row.id, CustomerID: customerZ, PackageCode: "managed-services", CatalogVersion: "test",
				Status: "active", Phase: "acceptance", NextDeadline: &deadline, Overdue: row.overdue, State: json.RawMessage(`{}`),
				Seq: 1, StartedAt: at, UpdatedAt: at}
			if _, err := f.store.RecordProject(context.Background(), snap, nil, nil); err != nil {
				t.Fatal(err)
			}
		}
		for value, want := range map[string][]string{"true": {customerZ + "-late"}, "false": {customerZ + "-fine"}} {
			got, _ := mgr.list(url.Values{"customer": {customerZ}, "overdue": {value}})
			if !slices.Equal(ids(got), want) {
				t.Errorf("overdue=%s: %v, want %v", value, ids(got), want)
			}
		}
	})

	t.Run("bad queries", func(t *testing.T) {
		tests := []struct {
			query, field, rule string
		}{
			{"status=paused", "status", "oneof"},
			{"overdue=yes", "overdue", "oneof"},
			{"deadline_before=2026-12-01", "deadline_before", "rfc3339"},
			{"deadline_after=tomorrow", "deadline_after", "rfc3339"},
			{"package=Not%20A%20Code", "package", "packagecode"},
			{"customer=..%2Fetc", "customer", "identifier"},
			{"limit=201", "limit", "max"},
			{"limit=-1", "limit", "min"},
			{"limit=ten", "query", "type"},
			{"sort=id", "sort", "unknown"},
		}
		for _, tt := range tests {
			rec := mgr.get("/v1/projects?" + tt.query)
			if rec.Code != http.StatusBadRequest {
				t.Errorf("%s: status %d: %s", tt.query, rec.Code, rec.Body)
				continue
			}
			if fe := problemFields(problemOf(t, rec)); fe[tt.field] != tt.rule {
				t.Errorf("%s: errors %v, want %s:%s", tt.query, fe, tt.field, tt.rule)
			}
		}
		for _, query := range []string{"after=-1", "limit=501", "limit=x", "page=2"} {
			rec := mgr.get(projectPath(a, "/events?", query))
			if rec.Code != http.StatusBadRequest {
				t.Errorf("events?%s: status %d: %s", query, rec.Code, rec.Body)
			}
		}
	})
}

// TestForbiddenActions sends every route as every role it is not for: each is
// refused 403 before it reaches the project, and nothing changes.
func TestForbiddenActions(t *testing.T) {
	f := newFixture(t)
	sfx := unique(t)
	id := "fb-" + sfx
	mgr := f.as(t, store.RoleManager)
	mgr.start(msStart(id, "acme"))
	mgr.act(submissionPath(id, "kickoff-meeting-report"), document("kickoff"))
	before := mgr.state(id)

	readers := []store.Role{store.RoleManager, store.RoleCustomer, store.RoleAuditor}
	routes := []struct {
		method, path string
		body         any
		allowed      []store.Role
	}{
		{http.MethodPost, "/v1/projects", msStart("fb-new-"+sfx, "acme"), []store.Role{store.RoleManager}},
		{http.MethodPost, submissionPath(id, "kickoff-meeting-report"), document("again"), []store.Role{store.RoleManager}},
		{http.MethodPost, decisionPath(id, "kickoff-meeting-report"), accept, []store.Role{store.RoleCustomer}},
		{http.MethodPost, advancePath(id, "kickoff"), nil, []store.Role{store.RoleManager}},
		{http.MethodPost, projectPath(id, "/delays/open"), map[string]string{"reason": "no access"}, []store.Role{store.RoleManager}},
		{http.MethodPost, projectPath(id, "/delays/close"), nil, []store.Role{store.RoleManager}},
		{http.MethodPost, projectPath(id, "/quotas/any/uses"), nil, []store.Role{store.RoleManager}},
		{http.MethodPost, projectPath(id, "/final-acceptance"), nil, []store.Role{store.RoleCustomer}},
		{http.MethodPost, projectPath(id, "/termination"), map[string]string{"reason": "stop"}, []store.Role{store.RoleManager}},
		{http.MethodPut, "/v1/calendars/cn/years/2027", testYear2027(), []store.Role{store.RoleAdmin}},
		{http.MethodGet, "/v1/projects", nil, readers},
		{http.MethodGet, projectPath(id), nil, readers},
		{http.MethodGet, projectPath(id, "/events"), nil, readers},
	}
	mutating := 0
	for _, r := range routes {
		if r.method != http.MethodGet {
			mutating++
		}
		for _, role := range store.Roles() {
			if slices.Contains(r.allowed, role) {
				continue
			}
			t.Run(string(role)+" "+r.method+" "+r.path, func(t *testing.T) {
				rec := f.send(request{method: r.method, path: r.path, token: f.tokens[role], body: jsonBody(t, r.body)})
				wantStatus(t, rec, http.StatusForbidden)
				p := problemOf(t, rec)
				if p.Type != ProblemForbidden || !strings.Contains(p.Detail, "a "+string(role)+" token may not") {
					t.Errorf("problem %+v", p)
				}
			})
		}
	}
	// The roles' rules, as DESIGN.md states them.
	forbiddenTo := func(role store.Role) (n int) {
		for _, r := range routes {
			if r.method != http.MethodGet && !slices.Contains(r.allowed, role) {
				n++
			}
		}
		return n
	}
	if n := forbiddenTo(store.RoleAuditor); n != mutating {
		t.Errorf("auditor may use %d mutating routes", mutating-n)
	}
	if n := forbiddenTo(store.RoleAdmin); n != mutating-1 {
		t.Errorf("admin is refused %d of %d mutating routes, want all but the calendar", n, mutating)
	}

	after := mgr.state(id)
	if after.Seq != before.Seq || len(mgr.events(id, 100)) != int(before.Seq) {
		t.Errorf("forbidden requests changed the project: seq %d → %d", before.Seq, after.Seq)
	}
	if rec := mgr.get(projectPath("fb-new-" + sfx)); rec.Code != http.StatusNotFound {
		t.Errorf("a forbidden start started a project: %d %s", rec.Code, rec.Body)
	}
	// The rightful roles still can.
	f.as(t, store.RoleCustomer).act(decisionPath(id, "kickoff-meeting-report"), accept)
}

// TestCrossCustomer checks that a customer cannot see, find or touch another
// customer's project: every answer is the one a project that does not exist
// gets.
func TestCrossCustomer(t *testing.T) {
	f := newFixture(t)
	sfx := unique(t)
	id, missing := "cc-"+sfx, "cc-none-"+sfx
	mgr := f.as(t, store.RoleManager)
	owner := f.as(t, store.RoleCustomer) // acme
	otherID := "globex-" + sfx
	other := f.asToken(t, f.customerToken(t, otherID))
	mgr.start(msStart(id, "acme"))
	mgr.act(submissionPath(id, "kickoff-meeting-report"), document("kickoff"))
	mgr.start(msStart(id+"-g", otherID))
	mgr.act(projectPath(id+"-g", "/delays/open"), map[string]string{"reason": "x"})
	before := owner.state(id)

	routes := []struct {
		method, path string
		body         any
		status       int // for both the other customer's and a missing project
	}{
		{http.MethodGet, "", nil, http.StatusNotFound},
		{http.MethodGet, "/events", nil, http.StatusNotFound},
		{http.MethodGet, "/events?after=1&limit=5", nil, http.StatusNotFound},
		{http.MethodPost, "/deliverables/kickoff-meeting-report/decision", accept, http.StatusNotFound},
		{http.MethodPost, "/deliverables/kickoff-meeting-report/decision", map[string]string{"decision": "reject", "reason": "no"}, http.StatusNotFound},
		{http.MethodPost, "/final-acceptance", nil, http.StatusNotFound},
		// Manager routes refuse the role before looking at the project, so
		// they reveal nothing either.
		{http.MethodPost, "/deliverables/kickoff-meeting-report/submissions", document("x"), http.StatusForbidden},
		{http.MethodPost, "/phases/kickoff/advance", nil, http.StatusForbidden},
		{http.MethodPost, "/delays/open", map[string]string{"reason": "x"}, http.StatusForbidden},
		{http.MethodPost, "/delays/close", nil, http.StatusForbidden},
		{http.MethodPost, "/quotas/any/uses", nil, http.StatusForbidden},
		{http.MethodPost, "/termination", map[string]string{"reason": "x"}, http.StatusForbidden},
	}
	for _, r := range routes {
		t.Run(r.method+" "+r.path, func(t *testing.T) {
			got := f.send(request{method: r.method, path: projectPath(id, r.path), token: other.token, body: jsonBody(t, r.body)})
			absent := f.send(request{method: r.method, path: projectPath(missing, r.path), token: other.token, body: jsonBody(t, r.body)})
			wantStatus(t, got, r.status)
			wantStatus(t, absent, r.status)
			pg, pa := problemOf(t, got), problemOf(t, absent)
			if pg.Type != pa.Type || pg.Detail != pa.Detail || pg.Title != pa.Title {
				t.Errorf("another customer's project answers %+v, a missing one %+v", pg, pa)
			}
		})
	}
	for _, q := range []url.Values{nil, {"customer": {"acme"}}, {"customer": {"acme"}, "status": {"active"}}, {"limit": {"1"}}} {
		items, _ := other.list(q)
		for _, it := range items {
			if it.CustomerID != otherID {
				t.Errorf("?%s: customer %s sees %s of %s", q.Encode(), otherID, it.ID, it.CustomerID)
			}
		}
		if q == nil && !slices.Equal(ids(items), []string{id + "-g"}) {
			t.Errorf("customer %s lists %v", otherID, ids(items))
		}
	}
	// And the other way round.
	if rec := owner.get(projectPath(id + "-g")); rec.Code != http.StatusNotFound {
		t.Errorf("acme reads globex's project: %d", rec.Code)
	}
	after := owner.state(id)
	if after.Seq != before.Seq || after.Deliverables[0].Status != workflows.DeliverableSubmitted {
		t.Errorf("another customer changed the project: seq %d → %d, kickoff %s", before.Seq, after.Seq, after.Deliverables[0].Status)
	}
	owner.act(decisionPath(id, "kickoff-meeting-report"), accept)
}

// TestMalformedRequests sends missing and malformed fields to the mutating
// routes; each answer is a problem naming every bad field and its rule, and
// nothing reaches the project.
func TestMalformedRequests(t *testing.T) {
	f := newFixture(t)
	sfx := unique(t)
	id := "mf-" + sfx
	mgr := f.as(t, store.RoleManager)
	mgr.start(msStart(id, "acme"))
	mgr.act(submissionPath(id, "kickoff-meeting-report"), document("kickoff"))
	before := mgr.state(id)

	// start returns a start body for package with fields changed: a nil
	// value deletes the field.
	start := func(pkg string, change map[string]any) []byte {
		body := map[string]any{"project_id": "mf-new-" + sfx, "customer_id": "acme", "package": pkg,
			"dates": map[string]string{"contract_signing": "2026-11-02T10:00:00+08:00"}}
		if strings.HasPrefix(pkg, "landing-zone") {
			body["dates"] = map[string]string{"purchase": "2026-12-01T10:00:00+08:00",
				"application": "2026-11-02T10:00:00+08:00", "order": "2026-12-01T10:00:00+08:00"}
			body["options"] = map[string]any{"design_domains": []string{"network-planning"}}
		}
		for k, v := range change {
			if v == nil {
				delete(body, k)
			} else {
				body[k] = v
			}
		}
		return jsonBody(t, body)
	}
	lzDates := func(application, order string) map[string]string {
		return map[string]string{"purchase": order, "application": application, "order": order}
	}
	submit := func(change map[string]any) []byte {
		body := document("report")
		for k, v := range change {
			if v == nil {
				delete(body, k)
			} else {
				body[k] = v
			}
		}
		return jsonBody(t, body)
	}
	big := []byte(`{"title":"` + strings.Repeat("x", maxBodyBytes) + `"}`)

	submissions := submissionPath(id, "kickoff-meeting-report")
	decision := decisionPath(id, "kickoff-meeting-report")
	customer := f.tokens[store.RoleCustomer]
	manager := f.tokens[store.RoleManager]
	tests := []struct {
		name   string
		req    request
		status int
		// errors are the field:rule pairs the problem must name (all of them).
		errors map[string]string
		typ    string
	}{
		// POST /v1/projects
		{"unknown field", request{path: "/v1/projects", body: start("managed-services", map[string]any{"colour": "red"})},
			400, map[string]string{"colour": "unknown"}, ProblemValidation},
		{"wrong type", request{path: "/v1/projects", body: start("managed-services", map[string]any{"project_id": 7})},
			400, map[string]string{"project_id": "type"}, ProblemValidation},
		{"wrong type nested", request{path: "/v1/projects", body: start("managed-services", map[string]any{"dates": map[string]any{"contract_signing": 20261102}})},
			400, map[string]string{"dates.contract_signing": "type"}, ProblemValidation},
		{"wrong type options", request{path: "/v1/projects", body: start("landing-zone-basic", map[string]any{"options": map[string]any{"design_domains": "network-planning"}})},
			400, map[string]string{"options.design_domains": "type"}, ProblemValidation},
		{"missing fields", request{path: "/v1/projects", body: []byte(`{"dates":{}}`)},
			400, map[string]string{"project_id": "required", "customer_id": "required", "package": "required"}, ProblemValidation},
		{"bad project_id", request{path: "/v1/projects", body: start("managed-services", map[string]any{"project_id": "ms 001/x"})},
			400, map[string]string{"project_id": "identifier"}, ProblemValidation},
		{"project_id too long", request{path: "/v1/projects", body: start("managed-services", map[string]any{"project_id": strings.Repeat("p", 65)})},
			400, map[string]string{"project_id": "identifier"}, ProblemValidation},
		{"bad customer_id", request{path: "/v1/projects", body: start("managed-services", map[string]any{"customer_id": "-acme"})},
			400, map[string]string{"customer_id": "identifier"}, ProblemValidation},
		{"bad date", request{path: "/v1/projects", body: start("managed-services", map[string]any{"dates": map[string]string{"contract_signing": "2026-11-02"}})},
			400, map[string]string{"dates.contract_signing": "rfc3339"}, ProblemValidation},
		{"bad dates", request{path: "/v1/projects", body: start("managed-services", map[string]any{"dates": map[string]string{"contract_signing": "2026-11-02 10:00", "payment": "yesterday"}})},
			400, map[string]string{"dates.contract_signing": "rfc3339", "dates.payment": "rfc3339"}, ProblemValidation},
		{"missing date", request{path: "/v1/projects", body: start("managed-services", map[string]any{"dates": map[string]string{}})},
			422, map[string]string{"dates.contract_signing": workflows.StartRuleRequired}, ProblemRuleViolated},
		{"bad contract end", request{path: "/v1/projects", body: start("managed-services", map[string]any{"dates": map[string]string{"contract_signing": "2026-11-02T10:00:00+08:00", "contract_end": "2027"}})},
			400, map[string]string{"dates.contract_end": "rfc3339"}, ProblemValidation},
		{"contract end before signing", request{path: "/v1/projects", body: start("managed-services", map[string]any{"dates": map[string]string{"contract_signing": "2026-11-02T10:00:00+08:00", "contract_end": "2026-11-01T10:00:00+08:00"}})},
			422, map[string]string{"dates.contract_end": workflows.StartRuleInvalid}, ProblemRuleViolated},
		{"unknown package", request{path: "/v1/projects", body: start("managed-servicez", nil)},
			400, map[string]string{"package": "packagecode"}, ProblemValidation},
		{"malformed package", request{path: "/v1/projects", body: start("Managed Services", nil)},
			400, map[string]string{"package": "packagecode"}, ProblemValidation},
		{"landing zone basic with both domains", request{path: "/v1/projects", body: start("landing-zone-basic", map[string]any{"options": map[string]any{"design_domains": []string{"network-planning", "security-protection"}}})},
			422, map[string]string{"options.design_domains": catalog.RuleExactlyOneOf}, ProblemRuleViolated},
		{"landing zone basic with neither domain", request{path: "/v1/projects", body: start("landing-zone-basic", map[string]any{"options": map[string]any{}})},
			422, map[string]string{"options.design_domains": catalog.RuleExactlyOneOf}, ProblemRuleViolated},
		{"option the package does not take", request{path: "/v1/projects", body: start("managed-services", map[string]any{"options": map[string]any{"users": 5}})},
			422, map[string]string{"options.users": catalog.RuleNotOffered}, ProblemRuleViolated},
		{"lead time", request{path: "/v1/projects", body: start("landing-zone-basic", map[string]any{"dates": lzDates("2026-11-02T10:00:00+08:00", "2026-11-13T10:00:00+08:00")})},
			422, map[string]string{"dates.order": workflows.StartRuleLeadTime}, ProblemRuleViolated},
		{"resource-intensive lead time", request{path: "/v1/projects", body: start("landing-zone-basic", map[string]any{
			"dates": lzDates("2026-11-02T10:00:00+08:00", "2026-11-30T10:00:00+08:00"), "options": map[string]any{"design_domains": []string{"security-protection"}, "resource_intensive": true}})},
			422, map[string]string{"dates.order": workflows.StartRuleLeadTime}, ProblemRuleViolated},
		{"empty body", request{path: "/v1/projects", body: []byte{}},
			400, map[string]string{"body": "required"}, ProblemValidation},
		{"not JSON", request{path: "/v1/projects", body: []byte(`{"project_id":`)},
			400, map[string]string{"body": "json"}, ProblemValidation},
		{"JSON array", request{path: "/v1/projects", body: []byte(`[1,2]`)},
			400, map[string]string{"body": "type"}, ProblemValidation},
		{"trailing data", request{path: "/v1/projects", body: append(start("managed-services", nil), []byte(` {"again":1}`)...)},
			400, map[string]string{"body": "single_value"}, ProblemValidation},
		{"oversized body", request{path: "/v1/projects", body: big}, 413, nil, ProblemTooLarge},
		{"missing Idempotency-Key", request{path: "/v1/projects", body: start("managed-services", nil), noKey: true},
			400, map[string]string{"Idempotency-Key": "required"}, ProblemValidation},
		{"Idempotency-Key too long", request{path: "/v1/projects", body: start("managed-services", nil), key: strings.Repeat("k", 256)},
			400, map[string]string{"Idempotency-Key": "required"}, ProblemValidation},

		// POST .../submissions
		{"bad sha256", request{path: submissions, body: submit(map[string]any{"sha256": "abc"})},
			400, map[string]string{"sha256": "sha256hex"}, ProblemValidation},
		{"upper-case sha256", request{path: submissions, body: submit(map[string]any{"sha256": strings.Repeat("AB", 32)})},
			400, map[string]string{"sha256": "sha256hex"}, ProblemValidation},
		{"bad uri", request{path: submissions, body: submit(map[string]any{"uri": "not a uri"})},
			400, map[string]string{"uri": "uri"}, ProblemValidation},
		{"empty submission", request{path: submissions, body: []byte(`{}`)},
			400, map[string]string{"title": "required", "uri": "required", "sha256": "required"}, ProblemValidation},
		{"null submission", request{path: submissions, body: []byte(`null`)},
			400, map[string]string{"title": "required", "uri": "required", "sha256": "required"}, ProblemValidation},
		{"no submission", request{path: submissions},
			400, map[string]string{"body": "required"}, ProblemValidation},
		{"title too long", request{path: submissions, body: submit(map[string]any{"title": strings.Repeat("t", 501)})},
			400, map[string]string{"title": "max"}, ProblemValidation},
		{"measured wrong type", request{path: submissions, body: submit(map[string]any{"measured": map[string]any{"coverage": "high"}})},
			400, map[string]string{"measured": "type"}, ProblemValidation},
		{"negative round", request{path: submissions, body: submit(map[string]any{"round": -1})},
			400, map[string]string{"round": "min"}, ProblemValidation},
		{"unknown deliverable", request{path: submissionPath(id, "no-such-report"), body: submit(nil)},
			400, map[string]string{"deliverable": workflows.RuleUnknown}, ProblemValidation},
		{"unknown project", request{path: submissionPath("mf-none-"+sfx, "kickoff-meeting-report"), body: submit(nil)},
			404, nil, ProblemNotFound},
		{"malformed project id", request{path: submissionPath("..", "kickoff-meeting-report"), body: submit(nil)},
			404, nil, ProblemNotFound},

		// POST .../decision
		{"decision not one of", request{token: customer, path: decision, body: []byte(`{"decision":"maybe"}`)},
			400, map[string]string{"decision": "oneof"}, ProblemValidation},
		{"rejection without reason", request{token: customer, path: decision, body: []byte(`{"decision":"reject"}`)},
			400, map[string]string{"reason": "required_if"}, ProblemValidation},
		{"no decision", request{token: customer, path: decision, body: []byte(`{}`)},
			400, map[string]string{"decision": "required"}, ProblemValidation},
		{"decision wrong type", request{token: customer, path: decision, body: []byte(`{"decision":true}`)},
			400, map[string]string{"decision": "type"}, ProblemValidation},
		{"reason too long", request{token: customer, path: decision, body: jsonBody(t, map[string]string{"decision": "reject", "reason": strings.Repeat("r", 2001)})},
			400, map[string]string{"reason": "max"}, ProblemValidation},
		{"decision with trailing data", request{token: customer, path: decision, body: []byte(`{"decision":"accept"}{"decision":"reject"}`)},
			400, map[string]string{"body": "single_value"}, ProblemValidation},
		{"decision oversized", request{token: customer, path: decision, body: big}, 413, nil, ProblemTooLarge},

		// the other actions
		{"advance takes no fields", request{path: advancePath(id, "kickoff"), body: []byte(`{"from":"kickoff"}`)},
			400, map[string]string{"from": "unknown"}, ProblemValidation},
		{"open delay without reason", request{path: projectPath(id, "/delays/open"), body: []byte(`{"prerequisite":"communication"}`)},
			400, map[string]string{"reason": "required"}, ProblemValidation},
		{"open delay without body", request{path: projectPath(id, "/delays/open")},
			400, map[string]string{"body": "required"}, ProblemValidation},
		{"close delay note wrong type", request{path: projectPath(id, "/delays/close"), body: []byte(`{"note":5}`)},
			400, map[string]string{"note": "type"}, ProblemValidation},
		{"unknown quota", request{path: projectPath(id, "/quotas/no-such-quota/uses")},
			400, map[string]string{"quota": workflows.RuleUnknown}, ProblemValidation},
		{"termination without reason", request{path: projectPath(id, "/termination"), body: []byte(`{}`)},
			400, map[string]string{"reason": "required"}, ProblemValidation},
		{"termination with blank reason", request{path: projectPath(id, "/termination"), body: []byte(`{"reason":"  "}`)},
			400, map[string]string{"reason": "field"}, ProblemValidation},
		{"termination without body", request{path: projectPath(id, "/termination")},
			400, map[string]string{"body": "required"}, ProblemValidation},
		{"final acceptance unknown field", request{token: customer, path: projectPath(id, "/final-acceptance"), body: []byte(`{"signature":"x"}`)},
			400, map[string]string{"signature": "unknown"}, ProblemValidation},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.req
			r.method = http.MethodPost
			if r.token == "" {
				r.token = manager
			}
			rec := f.send(r)
			wantStatus(t, rec, tt.status)
			p := problemOf(t, rec)
			if p.Type != tt.typ {
				t.Errorf("type %s, want %s", p.Type, tt.typ)
			}
			got := problemFields(p)
			if len(got) != len(tt.errors) {
				t.Errorf("errors %v, want %v", got, tt.errors)
			}
			for field, rule := range tt.errors {
				if got[field] != rule {
					t.Errorf("errors %v, want %s:%s", got, field, rule)
				}
			}
			for _, e := range p.Errors {
				if e.Detail == "" {
					t.Errorf("field error %+v has no detail", e)
				}
			}
		})
	}

	after := mgr.state(id)
	if after.Seq != before.Seq {
		t.Errorf("malformed requests changed the project: seq %d → %d", before.Seq, after.Seq)
	}
	if rec := mgr.get(projectPath("mf-new-" + sfx)); rec.Code != http.StatusNotFound {
		t.Errorf("a malformed start started a project: %d %s", rec.Code, rec.Body)
	}

	// Bodies that may be empty: no body at all, even sent chunked, is fine.
	rec := f.send(request{method: http.MethodPost, path: advancePath(id, "kickoff"), token: manager, chunked: true})
	if rec.Code != http.StatusConflict || problemOf(t, rec).Rule != workflows.RulePhaseIncomplete {
		t.Errorf("advance with an empty chunked body: %d %s", rec.Code, rec.Body)
	}
}
