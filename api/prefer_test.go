package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/sowflow/sowflow/calendar"
	"github.com/sowflow/sowflow/store"
)

// TestPrefersMinimal parses Prefer headers as RFC 7240 writes them.
func TestPrefersMinimal(t *testing.T) {
	for _, tc := range []struct {
		name   string
		values []string
		want   bool
	}{
		{"none", nil, false},
		{"minimal", []string{"return=minimal"}, true},
		{"case and quotes", []string{`RETURN="Minimal"`}, true},
		{"among others, with parameters", []string{"respond-async, return=minimal; foo=bar", "wait=10"}, true},
		{"second header", []string{"wait=10", "return=minimal"}, true},
		{"spaces", []string{" return = minimal "}, true},
		{"representation", []string{"return=representation"}, false},
		{"other preference", []string{"handling=lenient"}, false},
		{"minimal as a parameter", []string{"return=representation; return=minimal"}, false},
		{"no value", []string{"return"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hdr := http.Header{}
			for _, v := range tc.values {
				hdr.Add("Prefer", v)
			}
			if got := prefersMinimal(hdr); got != tc.want {
				t.Errorf("prefersMinimal(%q) = %v, want %v", tc.values, got, tc.want)
			}
		})
	}
}

// TestStartReturnMinimal starts projects and services with and without
// Prefer: return=minimal: the minimal answer is 201 with Location, the
// IDs and Preference-Applied, and no state; the full one carries the
// state and no Preference-Applied. Either way the resource runs.
func TestStartReturnMinimal(t *testing.T) {
	f := newFixture(t)
	sfx := unique(t)
	mgr := f.as(t, store.RoleManager)
	today := time.Now().In(calendar.Zone()).Format(time.RFC3339)
	for _, tc := range []struct {
		name, path, idField string
		body                func(id string) map[string]any
		prefer              string
		minimal             bool
	}{
		{name: "project, minimal", path: "/v1/projects", idField: "project_id", prefer: "return=minimal", minimal: true,
			body: func(id string) map[string]any { return msStart(id, "acme") }},
		{name: "project, full", path: "/v1/projects", idField: "project_id",
			body: func(id string) map[string]any { return msStart(id, "acme") }},
		{name: "project, representation", path: "/v1/projects", idField: "project_id", prefer: "return=representation",
			body: func(id string) map[string]any { return msStart(id, "acme") }},
		{name: "service, minimal", path: "/v1/services", idField: "service_id", prefer: "respond-async, return=minimal", minimal: true,
			body: func(id string) map[string]any {
				return map[string]any{"service_id": id, "customer_id": "acme", "package": "partner-elite", "start": today}
			}},
		{name: "service, full", path: "/v1/services", idField: "service_id",
			body: func(id string) map[string]any {
				return map[string]any{"service_id": id, "customer_id": "acme", "package": "partner-elite", "start": today}
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id := "prefer-" + sfx + "-" + unique(t)
			req := httptest.NewRequest(http.MethodPost, tc.path, bytes.NewReader(jsonBody(t, tc.body(id))))
			req.Header.Set("Authorization", "Bearer "+mgr.token)
			req.Header.Set(idempotencyHeader, "prefer-"+id)
			if tc.prefer != "" {
				req.Header.Set("Prefer", tc.prefer)
			}
			rec := httptest.NewRecorder()
			f.handler.ServeHTTP(rec, req)
			wantStatus(t, rec, http.StatusCreated)
			if loc := rec.Header().Get("Location"); loc != tc.path+"/"+id {
				t.Errorf("Location %q", loc)
			}
			var body map[string]json.RawMessage
			decode(t, rec, &body)
			var gotID string
			if err := json.Unmarshal(body[tc.idField], &gotID); err != nil || gotID != id || len(body["workflow_id"]) == 0 || len(body["run_id"]) < 3 {
				t.Errorf("answer %s lacks the IDs", rec.Body)
			}
			applied := rec.Header().Get("Preference-Applied")
			_, hasState := body["state"]
			if tc.minimal {
				if applied != "return=minimal" || hasState {
					t.Errorf("minimal answer: Preference-Applied %q, state given %v: %s", applied, hasState, rec.Body)
				}
			} else if applied != "" || !hasState {
				t.Errorf("full answer: Preference-Applied %q, state given %v: %s", applied, hasState, rec.Body)
			}
			// The resource started: its state reads at Location.
			wantStatus(t, mgr.get(tc.path+"/"+id), http.StatusOK)
		})
	}
}
