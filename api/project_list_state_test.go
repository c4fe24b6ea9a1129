package api

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/sowflow/sowflow/store"
	"github.com/sowflow/sowflow/workflows"
)

// TestListProjectsWithState lists projects with include=state: each item
// carries the state the read model recorded, the same the project's own
// read answers after an action; without it no item has a state, and any
// other include is a 400 naming the parameter.
func TestListProjectsWithState(t *testing.T) {
	f := newFixture(t)
	sfx := unique(t)
	mgr := f.as(t, store.RoleManager)
	customer := "liststate-" + sfx
	cust := f.asToken(t, f.customerToken(t, customer))
	ids := []string{"liststate-a-" + sfx, "liststate-b-" + sfx}
	for _, id := range ids {
		wantStatus(t, mgr.post("/v1/projects", msStart(id, customer)), http.StatusCreated)
	}
	mgr.act(submissionPath(ids[1], benchDeliverable), document("kickoff"))

	type item struct {
		ID    string                  `json:"id"`
		State *workflows.ProjectState `json:"state"`
	}
	list := func(c caller, query string) []item {
		t.Helper()
		rec := c.get("/v1/projects?customer=" + customer + query)
		wantStatus(t, rec, http.StatusOK)
		var page struct {
			Items []item `json:"items"`
		}
		decode(t, rec, &page)
		return page.Items
	}

	got := list(cust, "&include=state")
	if len(got) != 2 || got[0].ID != ids[0] || got[1].ID != ids[1] {
		t.Fatalf("listed %+v, want %v", got, ids)
	}
	for _, it := range got {
		want := mgr.state(it.ID)
		if it.State == nil {
			t.Fatalf("%s has no state", it.ID)
		}
		if it.State.Seq != want.Seq || it.State.ProjectID != it.ID || len(it.State.Deliverables) != len(want.Deliverables) {
			t.Errorf("%s listed with state seq %d, %d deliverables; its read answers seq %d, %d", it.ID, it.State.Seq, len(it.State.Deliverables), want.Seq, len(want.Deliverables))
		}
	}
	if st := got[1].State; st.Deliverables[0].Status != workflows.DeliverableSubmitted {
		t.Errorf("the listed state of %s does not have the submission: %s", ids[1], st.Deliverables[0].Status)
	}

	for _, it := range list(mgr, "") {
		if it.State != nil {
			t.Errorf("%s listed with a state it was not asked for", it.ID)
		}
	}

	rec := mgr.get("/v1/projects?include=everything")
	wantStatus(t, rec, http.StatusBadRequest)
	var p Problem
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || len(p.Errors) != 1 || p.Errors[0].Field != "include" || !strings.Contains(p.Errors[0].Rule, "oneof") {
		t.Errorf("include=everything answered %s", rec.Body)
	}
}
