package api

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
)

type strictInner struct {
	Name string            `json:"name"`
	Tags map[string]string `json:"tags"`
}

type strictBody struct {
	Severity string          `json:"severity"`
	Title    string          `json:"title"`
	Inner    strictInner     `json:"inner"`
	List     []strictInner   `json:"list"`
	Raw      json.RawMessage `json:"raw"`
}

// TestBindJSONStrict: a key that repeats, or that differs from a documented
// name only by case, is 400 naming the field, at any depth.
func TestBindJSONStrict(t *testing.T) {
	tests := []struct {
		name      string
		body      string
		wantField string
		wantRule  string
	}{
		{"plain", `{"severity":"low","title":"x"}`, "", ""},
		{"case twin", `{"severity":"low","title":"x","Severity":"critical"}`, "Severity", "case"},
		{"case only", `{"SEVERITY":"low","title":"x"}`, "SEVERITY", "case"},
		{"duplicate", `{"severity":"low","title":"x","severity":"critical"}`, "severity", "duplicate"},
		{"nested case", `{"severity":"low","inner":{"Name":"a"}}`, "inner.Name", "case"},
		{"nested duplicate", `{"severity":"low","list":[{"name":"a"},{"name":"a","name":"b"}]}`, "list[1].name", "duplicate"},
		{"map duplicate", `{"inner":{"tags":{"a":"1","a":"2"}}}`, "inner.tags.a", "duplicate"},
		{"map keys any case", `{"inner":{"tags":{"a":"1","A":"2"}}}`, "", ""},
		{"raw duplicate", `{"raw":{"x":1,"x":2}}`, "raw.x", "duplicate"},
	}
	gin.SetMode(gin.ReleaseMode)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			c, _ := gin.CreateTestContext(rec)
			c.Request = httptest.NewRequest(http.MethodPost, "/x", strings.NewReader(tt.body))
			var dst strictBody
			ok := bindJSON(c, &dst)
			if tt.wantField == "" {
				if !ok {
					t.Fatalf("refused: %s", rec.Body)
				}
				return
			}
			if ok || rec.Code != http.StatusBadRequest {
				t.Fatalf("ok %v, status %d, want 400", ok, rec.Code)
			}
			var p Problem
			if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
				t.Fatal(err)
			}
			if got := problemFields(p); got[tt.wantField] != tt.wantRule {
				t.Errorf("field errors %v, want %s:%s", got, tt.wantField, tt.wantRule)
			}
		})
	}
}
