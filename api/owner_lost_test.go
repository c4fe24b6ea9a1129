package api

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/sowflow/sowflow/calendar"
	"github.com/sowflow/sowflow/store"
	"github.com/sowflow/sowflow/testenv"
	"github.com/sowflow/sowflow/workflows"
)

// TestOwnerClaimLost proves that losing a started project's owner row, as a
// crash of PostgreSQL could within a moment of the start (the claim commits
// without waiting for the disk: store.Claim), fails closed: without its row
// the project is hidden from everyone and refused to another customer's
// start, and the row comes back with the project's own customer from the
// workflow's next projection and from the start's retry.
func TestOwnerClaimLost(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	pool := testenv.Get(t).Pool
	sfx := unique(t)
	id := "ownerlost-" + sfx
	mgr := f.as(t, store.RoleManager)
	cust := f.as(t, store.RoleCustomer)
	key := "start-" + sfx

	first := mgr.postKey("/v1/projects", key, msStart(id, "acme"))
	wantStatus(t, first, http.StatusCreated)
	var started startedProject
	decode(t, first, &started)
	// An action answers once its projection is stored: no projection of the
	// project is pending after it, to write the row behind the test's back.
	mgr.act(submissionPath(id, benchDeliverable), document("kickoff"))

	loseOwner := func(t *testing.T) {
		t.Helper()
		tag, err := pool.Exec(ctx, `DELETE FROM owners WHERE kind = $1 AND id = $2`, store.OwnerProject, id)
		if err != nil || tag.RowsAffected() != 1 {
			t.Fatalf("delete the owner row: %v, %d rows", err, tag.RowsAffected())
		}
	}
	ownerIs := func(t *testing.T, want string) {
		t.Helper()
		o, err := f.store.OwnerOf(ctx, store.OwnerProject, id, "")
		switch {
		case want == "" && !errors.Is(err, store.ErrNotFound):
			t.Fatalf("owner %+v (%v), want none", o, err)
		case want != "" && (err != nil || o.CustomerID != want):
			t.Fatalf("owner %+v (%v), want customer %s", o, err, want)
		}
	}

	loseOwner(t)
	other := f.asToken(t, f.customerToken(t, "globex-"+sfx))
	hidden := []struct {
		name string
		send func() *http.Response
	}{
		{"its customer reads it", func() *http.Response { return cust.get(projectPath(id)).Result() }},
		{"staff read it", func() *http.Response { return mgr.get(projectPath(id)).Result() }},
		{"another customer reads it", func() *http.Response { return other.get(projectPath(id)).Result() }},
		{"its customer reads its events", func() *http.Response { return cust.get(projectPath(id, "/events")).Result() }},
		{"its customer accepts", func() *http.Response {
			return cust.post(decisionPath(id, benchDeliverable), accept).Result()
		}},
		{"another customer accepts", func() *http.Response {
			return other.post(decisionPath(id, benchDeliverable), accept).Result()
		}},
	}
	for _, tt := range hidden {
		t.Run("without the row "+tt.name, func(t *testing.T) {
			if res := tt.send(); res.StatusCode != http.StatusNotFound {
				t.Errorf("status %d, want 404", res.StatusCode)
			}
		})
	}
	t.Run("without the row another customer's start is refused", func(t *testing.T) {
		rec := mgr.post("/v1/projects", msStart(id, "globex-"+sfx))
		wantStatus(t, rec, http.StatusConflict)
		if p := problemOf(t, rec); p.Type != ProblemExists {
			t.Errorf("problem %s, want %s", p.Type, ProblemExists)
		}
		ownerIs(t, "")
	})

	t.Run("the workflow's next projection restores it", func(t *testing.T) {
		// The accept sent to Temporal directly, as a worker-side or SDK
		// action would be: it goes through no owner check.
		handle, err := f.temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
			UpdateID:   "ownerlost-accept-" + sfx,
			WorkflowID: workflows.ProjectWorkflowID(id),
			UpdateName: workflows.UpdateDecideDeliverable,
			Args: []any{workflows.DecideDeliverable{
				ActionMeta: workflows.ActionMeta{RequestID: "ownerlost-" + sfx,
					Actor: workflows.Actor{Subject: "test", Role: workflows.RoleCustomer, CustomerID: "acme"}},
				Deliverable: benchDeliverable,
				Decision:    workflows.DecisionAccept,
			}},
			WaitForStage: client.WorkflowUpdateStageCompleted,
		})
		var res workflows.ActionResult
		if err == nil {
			err = handle.Get(ctx, &res)
		}
		if err != nil {
			t.Fatalf("accept with the SDK: %v", err)
		}
		ownerIs(t, "acme")
		if st := cust.state(id); st.Seq != res.Seq {
			t.Errorf("its customer sees seq %d, want %d", st.Seq, res.Seq)
		}
		wantStatus(t, other.get(projectPath(id)), http.StatusNotFound)
	})

	t.Run("the start's retry restores it", func(t *testing.T) {
		loseOwner(t)
		// A claim lost to a crash had no answer stored either: the answer's
		// durable commit would have flushed the claim with it.
		tag, err := pool.Exec(ctx, `DELETE FROM idempotency_keys WHERE token_id = $1 AND key = $2`, f.tokenID(t, mgr.token), key)
		if err != nil || tag.RowsAffected() != 1 {
			t.Fatalf("delete the idempotency record: %v, %d rows", err, tag.RowsAffected())
		}
		retry := mgr.postKey("/v1/projects", key, msStart(id, "acme"))
		wantStatus(t, retry, http.StatusCreated)
		if retry.Header().Get(replayedHeader) != "" {
			t.Error("the retry was replayed from a record that was deleted")
		}
		var again startedProject
		decode(t, retry, &again)
		if again.RunID != started.RunID {
			t.Errorf("the retry answered run %s, the first %s", again.RunID, started.RunID)
		}
		ownerIs(t, "acme")
		wantStatus(t, cust.get(projectPath(id)), http.StatusOK)
		wantStatus(t, other.get(projectPath(id)), http.StatusNotFound)
	})
}

// TestServiceOwnerClaimLost is TestOwnerClaimLost for a service, whose
// owner claim commits without waiting for the disk too: without its row
// the service is hidden from everyone and refused to another customer's
// start, and the start's retry restores the row with its own customer.
func TestServiceOwnerClaimLost(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	pool := testenv.Get(t).Pool
	sfx := unique(t)
	id := "svcownerlost-" + sfx
	mgr := f.as(t, store.RoleManager)
	cust := f.as(t, store.RoleCustomer)
	other := f.asToken(t, f.customerToken(t, "globex-"+sfx))
	key := "svc-start-" + sfx
	start := func(customer string) map[string]any {
		return map[string]any{"service_id": id, "customer_id": customer, "package": "partner-elite",
			"start": time.Now().In(calendar.Zone()).Format(time.RFC3339)}
	}
	body := start("acme")
	first := mgr.postKey("/v1/services", key, body)
	wantStatus(t, first, http.StatusCreated)
	var started startedService
	decode(t, first, &started)
	path := "/v1/services/" + id
	// An action answers once its projection is stored: no projection of
	// the service is pending after it, to write the row behind the test's
	// back.
	wantStatus(t, mgr.post(path+"/quotas/health-checks/uses", map[string]any{"note": "first check"}), http.StatusOK)

	tag, err := pool.Exec(ctx, `DELETE FROM owners WHERE kind = $1 AND id = $2`, store.OwnerService, id)
	if err != nil || tag.RowsAffected() != 1 {
		t.Fatalf("delete the owner row: %v, %d rows", err, tag.RowsAffected())
	}
	for _, c := range []struct {
		name string
		as   caller
	}{{"its customer", cust}, {"staff", mgr}, {"another customer", other}} {
		if rec := c.as.get(path); rec.Code != http.StatusNotFound {
			t.Errorf("without the row %s reads it: %d, want 404", c.name, rec.Code)
		}
	}
	rec := mgr.post("/v1/services", start("globex-"+sfx))
	wantStatus(t, rec, http.StatusConflict)
	if _, err := f.store.OwnerOf(ctx, store.OwnerService, id, ""); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("another customer's refused start left an owner row (%v)", err)
	}

	// A claim lost to a crash had no answer stored either.
	if _, err := pool.Exec(ctx, `DELETE FROM idempotency_keys WHERE token_id = $1 AND key = $2`, f.tokenID(t, mgr.token), key); err != nil {
		t.Fatal(err)
	}
	retry := mgr.postKey("/v1/services", key, body)
	wantStatus(t, retry, http.StatusCreated)
	var again startedService
	decode(t, retry, &again)
	if again.RunID != started.RunID {
		t.Errorf("the retry answered run %s, the first %s", again.RunID, started.RunID)
	}
	if o, err := f.store.OwnerOf(ctx, store.OwnerService, id, ""); err != nil || o.CustomerID != "acme" {
		t.Fatalf("owner after the retry %+v (%v), want acme", o, err)
	}
	wantStatus(t, cust.get(path), http.StatusOK)
	wantStatus(t, other.get(path), http.StatusNotFound)
}
