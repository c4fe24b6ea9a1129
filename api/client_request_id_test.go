package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/sowflow/sowflow/store"
	"github.com/sowflow/sowflow/testenv"
)

// TestClientRequestIDInTheAuditLog: a start and an action sent with the
// client's own X-Request-ID are audited under the server's request ID, with
// the client's beside it as client_request_id, and the chain still verifies.
func TestClientRequestIDInTheAuditLog(t *testing.T) {
	f := newFixture(t)
	id := "crid-" + unique(t)
	send := func(path, clientID string, body any) string {
		t.Helper()
		b, _ := json.Marshal(body)
		req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(b))
		req.Header.Set("Authorization", "Bearer "+f.tokens[store.RoleManager])
		req.Header.Set("Idempotency-Key", clientID)
		req.Header.Set("X-Request-ID", clientID)
		rec := httptest.NewRecorder()
		f.handler.ServeHTTP(rec, req)
		if rec.Code >= 300 {
			t.Fatalf("%s: %d %s", path, rec.Code, rec.Body)
		}
		return rec.Header().Get("X-Request-ID")
	}
	startID := send("/v1/projects", "client-start-"+id, msStart(id, "acme"))
	actionID := send(submissionPath(id, "kickoff-meeting-report"), "client-submit-"+id, document("kickoff"))

	want := map[string]string{startID: "client-start-" + id, actionID: "client-submit-" + id}
	rows, err := testenv.Get(t).Pool.Query(t.Context(), `SELECT request_id, client_request_id FROM audit_log WHERE project_id = $1`, id)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for rows.Next() {
		var rid, crid string
		if err := rows.Scan(&rid, &crid); err != nil {
			t.Fatal(err)
		}
		if crid != "" {
			got[rid] = crid
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	for rid, crid := range want {
		if got[rid] != crid {
			t.Errorf("audit rows of request %s: client_request_id %q, want %q (all: %v)", rid, got[rid], crid, got)
		}
	}
	rep, err := f.store.VerifyAudit(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK {
		t.Errorf("audit chain broken: %+v", rep)
	}
}
