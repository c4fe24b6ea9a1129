package api

import (
	"context"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/sowflow/sowflow/calendar"
	"github.com/sowflow/sowflow/store"
	"github.com/sowflow/sowflow/testenv"
	"github.com/sowflow/sowflow/workflows"
)

// TestObligationForwardedToProject: a Remote O&M service started with the
// project_id of its Remote O&M project forwards an obligation submission to
// the project's deliverable of the same key in the same request, so the
// customer's acceptance window opens there; a retry of the request whose
// answer was lost submits nothing twice. A project_id that is not the
// customer's project with the matching deliverables is 422 naming it.
func TestObligationForwardedToProject(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	sfx := unique(t)
	mgr, cust := f.as(t, store.RoleManager), f.as(t, store.RoleCustomer)
	now := time.Now().In(calendar.Zone()).Format(time.RFC3339)
	remoteOM := func(id, customer string) map[string]any {
		return map[string]any{"project_id": id, "customer_id": customer, "package": "hybrid-base-remote-om",
			"options": map[string]any{"users": 12000}, "dates": map[string]string{"payment": now}}
	}
	project := "fw-p-" + sfx
	mgr.start(remoteOM(project, "acme"))
	mgr.start(remoteOM("fw-g-"+sfx, "globex-"+sfx))
	mgr.start(msStart("fw-ms-"+sfx, "acme"))

	service := "fw-s-" + sfx
	start := func(id, pkg, projectID string) map[string]any {
		b := map[string]any{"service_id": id, "customer_id": "acme", "package": pkg, "start": now, "project_id": projectID}
		if pkg == "hybrid-base-remote-om" {
			b["options"] = map[string]any{"users": 12000}
		}
		return b
	}
	runAPICases(t, []apiCase{
		{name: "a project_id that is no identifier", as: mgr, path: "/v1/services", body: start(service, "hybrid-base-remote-om", "a b"),
			want: http.StatusBadRequest, field: "project_id", fieldRule: "identifier"},
		{name: "no such project", as: mgr, path: "/v1/services", body: start(service, "hybrid-base-remote-om", "fw-none-"+sfx),
			want: http.StatusUnprocessableEntity, field: "project_id", fieldRule: "exists"},
		{name: "another customer's project", as: mgr, path: "/v1/services", body: start(service, "hybrid-base-remote-om", "fw-g-"+sfx),
			want: http.StatusUnprocessableEntity, field: "project_id", fieldRule: "same-customer"},
		{name: "a project without the deliverables", as: mgr, path: "/v1/services", body: start(service, "hybrid-base-remote-om", "fw-ms-"+sfx),
			want: http.StatusUnprocessableEntity, field: "project_id", fieldRule: "deliverables"},
		{name: "a service that owes no documents", as: mgr, path: "/v1/services", body: start(service, "partner-premium", project),
			want: http.StatusUnprocessableEntity, field: "project_id", fieldRule: "deliverables"},
		{name: "its project", as: mgr, path: "/v1/services", body: start(service, "hybrid-base-remote-om", project), want: http.StatusCreated},
	})
	var sst workflows.ServiceState
	rec := mgr.get("/v1/services/" + service)
	wantStatus(t, rec, http.StatusOK)
	decode(t, rec, &sst)
	if sst.ProjectID != project {
		t.Fatalf("service state names project %q, want %q", sst.ProjectID, project)
	}

	const key = "monthly-operations-report"
	path := "/v1/services/" + service + "/obligations/" + key + "/submissions"
	doc := document("Monthly Operations Report " + sfx)
	idemKey := "forward-" + sfx
	submitted := func() obligationResult {
		t.Helper()
		rec := mgr.postKey(path, idemKey, doc)
		wantStatus(t, rec, http.StatusOK)
		var res obligationResult
		decode(t, rec, &res)
		fw := res.ForwardedTo
		if fw == nil || fw.ProjectID != project || fw.DeliverableID != key || fw.Status != forwardSubmitted || fw.Refusal != nil {
			t.Fatalf("forwarded_to %+v, want %s of %s submitted", fw, key, project)
		}
		return res
	}
	first := submitted()
	if len(first.Events) == 0 || len(first.ForwardedTo.Events) == 0 ||
		first.ForwardedTo.Events[0].Type != workflows.EventDeliverableSubmitted || first.ForwardedTo.Events[0].RequestID != first.Events[0].RequestID {
		t.Errorf("service events %+v, project events %+v: want one request's submission in both", first.Events, first.ForwardedTo.Events)
	}

	// The first answer is lost: the key's record is released, as after a
	// 5xx, and the manager retries with the same key.
	if _, err := testenv.Get(t).Pool.Exec(ctx, `DELETE FROM idempotency_keys WHERE key = $1`, idemKey); err != nil {
		t.Fatal(err)
	}
	submitted()

	pst := cust.state(project)
	i := slices.IndexFunc(pst.Deliverables, func(d workflows.DeliverableState) bool { return d.Key == key })
	if i < 0 {
		t.Fatalf("project has no deliverable %s", key)
	}
	var subs []workflows.Submission
	for _, rd := range pst.Deliverables[i].Rounds {
		subs = append(subs, rd.Submissions...)
	}
	if len(subs) != 1 || subs[0].SHA256 != doc["sha256"] || subs[0].Window.Closes.At.IsZero() {
		t.Errorf("the project's %s has submissions %+v, want the one document with its acceptance window open", key, subs)
	}
	rec = mgr.get("/v1/services/" + service)
	wantStatus(t, rec, http.StatusOK)
	decode(t, rec, &sst)
	o := slices.IndexFunc(sst.Obligations, func(o workflows.ObligationState) bool { return o.Key == key })
	if o < 0 || len(sst.Obligations[o].Submissions) != 1 {
		t.Errorf("the service's obligations %+v, want one submission of %s", sst.Obligations, key)
	}

	// The annual summary belongs to the project's last phase: the service
	// takes it, the project refuses it now, and the answer says why.
	rec = mgr.post("/v1/services/"+service+"/obligations/annual-service-summary-report/submissions", document("Annual summary "+sfx))
	wantStatus(t, rec, http.StatusOK)
	var res obligationResult
	decode(t, rec, &res)
	if fw := res.ForwardedTo; fw == nil || fw.Status != forwardRefused || fw.Refusal == nil || fw.Refusal.Status != http.StatusConflict ||
		fw.Refusal.Rule != workflows.RulePhaseNotStarted || len(fw.Events) != 0 {
		t.Errorf("annual summary forwarded_to %+v, want refused: the project's phase has not started", fw)
	}
}
