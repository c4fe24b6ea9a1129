package portal

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/sowflow/sowflow/api"
	"github.com/sowflow/sowflow/store"
	"github.com/sowflow/sowflow/workflows"
)

// as is a portal request of person, for calling the API directly.
func as(person store.Person) *request {
	return &request{Request: httptest.NewRequest(http.MethodGet, "/", nil), Session: &store.Session{Person: person}}
}

// state reads a project's state through the portal's API call as person.
func (f *fixture) state(person store.Person, project string) workflows.ProjectState {
	f.t.Helper()
	var st workflows.ProjectState
	if err := f.portal.call(as(person), http.MethodGet, "/v1/projects/"+project, "", nil, &st); err != nil {
		f.t.Fatalf("state of %s: %v", project, err)
	}
	return st
}

// submissions returns the submissions of a project's deliverable.
func submissions(st workflows.ProjectState, deliverable string) []workflows.Submission {
	var out []workflows.Submission
	for _, d := range st.Deliverables {
		if d.Key == deliverable {
			for _, r := range d.Rounds {
				out = append(out, r.Submissions...)
			}
		}
	}
	return out
}

type eventList struct {
	Items []struct {
		Seq          int64  `json:"seq"`
		Type         string `json:"type"`
		ActorSubject string `json:"actor_subject"`
		ActorRole    string `json:"actor_role"`
	} `json:"items"`
}

// countEvents returns how many events of typ the project has, and the
// subject of the last, once the read model has recorded every event of the
// project's current state (it is written after the action answers).
func (f *fixture) countEvents(person store.Person, project, typ string) (int, string) {
	f.t.Helper()
	seq := f.state(person, project).Seq
	deadline := time.Now().Add(30 * time.Second)
	for {
		var page eventList
		if err := f.portal.call(as(person), http.MethodGet, "/v1/projects/"+project+"/events?limit=500", "", nil, &page); err != nil {
			f.t.Fatalf("events of %s: %v", project, err)
		}
		var last int64
		n, subject := 0, ""
		for _, e := range page.Items {
			last = max(last, e.Seq)
			if e.Type == typ {
				n++
				subject = e.ActorSubject
			}
		}
		if last >= seq {
			return n, subject
		}
		if time.Now().After(deadline) {
			f.t.Fatalf("events of %s: the read model has seq %d, the project %d", project, last, seq)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// startProject starts a Managed Services project of customer as manager
// through the portal's API call and returns its ID.
func (f *fixture) startProject(manager store.Person, customer string) string {
	f.t.Helper()
	id := unique("p")
	body := map[string]any{"project_id": id, "customer_id": customer, "package": "managed-services",
		"dates": map[string]string{"contract_signing": "2026-11-02T10:00:00+08:00"}}
	if err := f.portal.call(as(manager), http.MethodPost, "/v1/projects", formKey(), body, nil); err != nil {
		f.t.Fatalf("start %s: %v", id, err)
	}
	return id
}

// TestCallActsAsThePerson: the portal's API calls act as the signed-in
// person (user:<id> in history), scoped and authorized as the API scopes a
// token of the same role, and a form's key makes its action happen once
// however often and however concurrently it is sent.
func TestCallActsAsThePerson(t *testing.T) {
	f := newAPIFixture(t)
	customer := unique("acme")
	manager := f.person(store.RoleManager, "", "", store.LanguageEnglish)
	owner := f.person(store.RoleCustomer, customer, "", store.LanguageEnglish)
	stranger := f.person(store.RoleCustomer, unique("other"), "", store.LanguageEnglish)
	project := f.startProject(manager, customer)

	if st := f.state(owner, project); st.StartedBy.Subject != manager.Subject() || string(st.StartedBy.Role) != string(store.RoleManager) {
		t.Fatalf("started by %+v; want %s as a manager", st.StartedBy, manager.Subject())
	}

	sum := sha256.Sum256([]byte("kickoff"))
	submission := map[string]any{"title": "Kickoff report", "uri": "https://docs.example.com/kickoff", "sha256": hex.EncodeToString(sum[:])}
	key := formKey()
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() {
			errs[i] = f.portal.call(as(manager), http.MethodPost, "/v1/projects/"+project+"/deliverables/kickoff-meeting-report/submissions", key, submission, nil)
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("submission %d of the same form: %v", i, err)
		}
	}
	subs := submissions(f.state(manager, project), "kickoff-meeting-report")
	if len(subs) != 1 || subs[0].SubmittedBy.Subject != manager.Subject() {
		t.Fatalf("submissions %+v; want one by %s", subs, manager.Subject())
	}

	tests := []struct {
		name   string
		person store.Person
		method string
		path   string
		body   any
		status int
	}{
		{"another customer's project is not found", stranger, http.MethodGet, "/v1/projects/" + project, nil, http.StatusNotFound},
		{"a project that does not exist is not found", owner, http.MethodGet, "/v1/projects/" + unique("nope"), nil, http.StatusNotFound},
		{"a customer may not submit", owner, http.MethodPost, "/v1/projects/" + project + "/deliverables/kickoff-meeting-report/submissions", submission, http.StatusForbidden},
		{"a manager may not decide", manager, http.MethodPost, "/v1/projects/" + project + "/deliverables/kickoff-meeting-report/decision", map[string]any{"decision": "accept"}, http.StatusForbidden},
		{"a decision without a reason names the field", owner, http.MethodPost, "/v1/projects/" + project + "/deliverables/kickoff-meeting-report/decision", map[string]any{"decision": "reject"}, http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key := ""
			if tt.method != http.MethodGet {
				key = formKey()
			}
			err := f.portal.call(as(tt.person), tt.method, tt.path, key, tt.body, nil)
			var prob api.Problem
			if !errors.As(err, &prob) || prob.Status != tt.status {
				t.Fatalf("got %v; want a problem with status %d", err, tt.status)
			}
		})
	}
}
