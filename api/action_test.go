package api

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/sowflow/sowflow/store"
	"github.com/sowflow/sowflow/workflows"
)

// TestActionPathWithoutHTTP performs actions through the action path as a
// caller that is no HTTP request (a person in the portal would be one): the
// actor and request ID reach history, a retry with the same key takes
// effect once, and another customer is told the project does not exist.
func TestActionPathWithoutHTTP(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	id := "path-" + unique(t)
	f.as(t, store.RoleManager).start(msStart(id, "acme"))
	h := &handlers{deps: Deps{Store: f.store, Temporal: f.temporal, Logger: discardLogger()}, metrics: newMetrics()}

	person := Caller{Actor: workflows.Actor{Subject: "user:7", Role: workflows.RoleManager},
		RequestID: "portal-" + id, IdempotencyKey: "form-" + id, RequestHash: "h"}
	submit := func(m workflows.ActionMeta) any {
		return workflows.SubmitDeliverable{ActionMeta: m, Deliverable: "kickoff-meeting-report",
			Title: "Kickoff", URI: "https://docs.example.com/kickoff.pdf", SHA256: document("Kickoff")["sha256"].(string)}
	}
	var first, again workflows.ActionResult
	if err := h.send(ctx, person, projectResource(id), workflows.UpdateSubmitDeliverable, submit, &first); err != nil {
		t.Fatal(err)
	}
	if len(first.Events) == 0 || first.Events[0].Actor.Subject != "user:7" || first.Events[0].RequestID != person.RequestID {
		t.Fatalf("events %+v, want the person's actor and request ID", first.Events)
	}
	if err := h.send(ctx, person, projectResource(id), workflows.UpdateSubmitDeliverable, submit, &again); err != nil {
		t.Fatal(err)
	}
	if again.Seq != first.Seq {
		t.Errorf("a retry with the same key recorded again: seq %d, then %d", first.Seq, again.Seq)
	}

	tests := []struct {
		name   string
		caller Caller
		status int // 0: no error
	}{
		{"its customer", Caller{Actor: workflows.Actor{Subject: "user:8", Role: workflows.RoleCustomer, CustomerID: "acme"}}, 0},
		{"another customer", Caller{Actor: workflows.Actor{Subject: "user:9", Role: workflows.RoleCustomer, CustomerID: "globex"}}, http.StatusNotFound},
		{"an auditor", Caller{Actor: workflows.Actor{Subject: "user:10", Role: workflows.RoleAuditor}}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var st workflows.ProjectState
			err := h.read(ctx, tt.caller, projectResource(id), &st)
			var p Problem
			switch {
			case tt.status == 0 && (err != nil || st.ProjectID != id):
				t.Errorf("read: %v, state of %q", err, st.ProjectID)
			case tt.status != 0 && (!errors.As(err, &p) || p.Status != tt.status || p.Detail != "no such project"):
				t.Errorf("read: %v, want %d no such project", err, tt.status)
			}
		})
	}
}
