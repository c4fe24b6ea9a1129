package api

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
)

// TestDocumentURIs: a document is an https:// URI (http:// only when the
// server allows it); javascript:, data:, file: and the like are 400 naming
// the field, in deliverable and obligation submissions alike.
func TestDocumentURIs(t *testing.T) {
	const sha = "0000000000000000000000000000000000000000000000000000000000000000"
	tests := []struct {
		uri       string
		allowHTTP bool
		ok        bool
	}{
		{"https://docs.example.com/kickoff.pdf", false, true},
		{"HTTPS://docs.example.com/kickoff.pdf", false, true},
		{"http://docs.example.com/kickoff.pdf", false, false},
		{"http://docs.example.com/kickoff.pdf", true, true},
		{"javascript:alert(1)", true, false},
		{"JavaScript:alert(1)", true, false},
		{"data:text/html;base64,PHNjcmlwdD4=", true, false},
		{"file:///etc/passwd", true, false},
		{"ftp://docs.example.com/x", true, false},
		{"https://", true, false},
		{"https:opaque", true, false},
		{"//docs.example.com/x", true, false},
	}
	gin.SetMode(gin.ReleaseMode)
	for _, tt := range tests {
		for name, dst := range map[string]any{"deliverable": &submitRequest{}, "obligation": &submitObligationRequest{}} {
			rec := httptest.NewRecorder()
			c, _ := gin.CreateTestContext(rec)
			body, _ := json.Marshal(map[string]string{"title": "t", "uri": tt.uri, "sha256": sha})
			c.Request = httptest.NewRequest(http.MethodPost, "/x", strings.NewReader(string(body)))
			if tt.allowHTTP {
				c.Request = c.Request.WithContext(withHTTPDocumentURIs(context.Background()))
			}
			ok := bindJSON(c, dst)
			if ok != tt.ok {
				t.Errorf("%s %q (http allowed %v): ok %v, want %v: %s", name, tt.uri, tt.allowHTTP, ok, tt.ok, rec.Body)
				continue
			}
			if !ok {
				var p Problem
				_ = json.Unmarshal(rec.Body.Bytes(), &p)
				if problemFields(p)["uri"] != "uri" {
					t.Errorf("%s %q: field errors %v", name, tt.uri, problemFields(p))
				}
			}
		}
	}
}
