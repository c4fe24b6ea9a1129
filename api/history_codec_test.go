package api

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/sowflow/sowflow/calendar"
	"github.com/sowflow/sowflow/codec"
	"github.com/sowflow/sowflow/store"
	"github.com/sowflow/sowflow/testenv"
	"github.com/sowflow/sowflow/worker"
)

// TestEncryptedHistoryStaysReadableThroughTheAPI turns payload encryption
// on: what Temporal stores is ciphertext, while the API's state, timeline
// and export decode it for the people allowed to read it.
func TestEncryptedHistoryStaysReadableThroughTheAPI(t *testing.T) {
	ctx := context.Background()
	env := testenv.Get(t)
	f := newFixture(t)
	pc, err := codec.NewAESGCM(bytes.Repeat([]byte{5}, codec.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	secure := env.Temporal.NewClientWithOptions(client.Options{DataConverter: codec.DataConverter(pc)})
	cals, err := store.NewCalendarSource(ctx, f.store, calendar.China())
	if err != nil {
		t.Fatal(err)
	}
	const taskQueue = "api-encrypted-history"
	w := worker.New(secure, taskQueue, worker.Deps{Calendar: cals.Current, Store: f.store})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)
	f.handler = New(Deps{Store: f.store, Calendars: cals, Temporal: secure, TaskQueue: taskQueue, Codec: pc})

	id := "enc-ms-" + unique(t)
	start := jsonBody(t, map[string]any{"project_id": id, "customer_id": "acme", "package": "managed-services",
		"dates": map[string]string{"contract_signing": "2026-11-02T10:00:00+08:00"}})
	if rec := f.do(http.MethodPost, "/v1/projects", store.RoleManager, start, nil); rec.Code != http.StatusCreated {
		t.Fatalf("start: %d %s", rec.Code, rec.Body)
	}
	submit := jsonBody(t, map[string]any{"title": "Kickoff minutes, confidential", "uri": "https://docs.example.com/kickoff.docx",
		"sha256": strings.Repeat("ab", 32)})
	if rec := f.do(http.MethodPost, "/v1/projects/"+id+"/deliverables/kickoff-meeting-report/submissions", store.RoleManager, submit, nil); rec.Code != http.StatusOK {
		t.Fatalf("submit: %d %s", rec.Code, rec.Body)
	}

	// Temporal holds only ciphertext: read the history with a client that has no key.
	iter := env.Client().GetWorkflowHistory(ctx, "project/"+id, "", false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	payloads := 0
	for iter.HasNext() {
		e, err := iter.Next()
		if err != nil {
			t.Fatal(err)
		}
		raw, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(raw, []byte("confidential")) {
			t.Errorf("event %d (%s) stores readable text", e.GetEventId(), e.GetEventType())
		}
		if a := e.GetWorkflowExecutionStartedEventAttributes(); a != nil {
			for _, p := range a.GetInput().GetPayloads() {
				payloads++
				if string(p.GetMetadata()["encoding"]) != codec.EncodingEncrypted {
					t.Errorf("start input encoded as %q", p.GetMetadata()["encoding"])
				}
			}
		}
	}
	if payloads == 0 {
		t.Fatal("found no start input to check")
	}

	for _, path := range []string{"/v1/projects/" + id, "/v1/projects/" + id + "/history"} {
		rec := f.do(http.MethodGet, path, store.RoleAuditor, nil, nil)
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "confidential") {
			t.Errorf("GET %s as auditor: %d, decoded text present=%v", path, rec.Code, strings.Contains(rec.Body.String(), "confidential"))
		}
	}
	// The export is the history as Temporal keeps it, ciphertext included;
	// replaying it decodes with the same key.
	export := f.do(http.MethodGet, "/v1/projects/"+id+"/history/export", store.RoleAuditor, nil, nil)
	if export.Code != http.StatusOK || strings.Contains(export.Body.String(), "confidential") {
		t.Fatalf("export: %d, readable=%v", export.Code, strings.Contains(export.Body.String(), "confidential"))
	}
	var replay struct {
		OK bool `json:"ok"`
	}
	if rec := f.do(http.MethodPost, "/v1/replay", store.RoleAuditor, export.Body.Bytes(), &replay); rec.Code != http.StatusOK || !replay.OK {
		t.Errorf("replay of the encrypted export: %d %s", rec.Code, rec.Body)
	}
}
