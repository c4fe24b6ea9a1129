package api

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sowflow/sowflow/store"
	"github.com/sowflow/sowflow/testenv"
)

// TestCalendarFeedAnswersItsWholeURL: GET and POST /v1/me/calendar-feed
// answer the path and the whole address under SOWFLOW_PUBLIC_URL.
func TestCalendarFeedAnswersItsWholeURL(t *testing.T) {
	env := testenv.Get(t)
	ctx := context.Background()
	st := store.New(env.Pool)
	p, err := st.CreatePerson(ctx, store.PersonSpec{Email: "feed-url@acme.example", Name: "Feed URL", Role: store.RoleCustomer, CustomerID: "acme"})
	if err != nil {
		t.Fatal(err)
	}
	_, secret, err := st.CreateToken(ctx, store.TokenSpec{Name: "personal", Role: store.RoleCustomer, CustomerID: "acme", CreatedBy: "user:" + p.ID})
	if err != nil {
		t.Fatal(err)
	}
	h := New(Deps{Store: st, PublicURL: "https://sowflow.example/"})
	call := func(method, key string) (int, calendarFeed) {
		t.Helper()
		req := httptest.NewRequest(method, "/v1/me/calendar-feed", nil)
		req.Header.Set("Authorization", "Bearer "+secret)
		if key != "" {
			req.Header.Set("Idempotency-Key", key)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		var out calendarFeed
		if rec.Code < 300 {
			if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
				t.Fatalf("%s: %s: %v", method, rec.Body, err)
			}
		}
		return rec.Code, out
	}
	if code, _ := call(http.MethodGet, ""); code != http.StatusNotFound {
		t.Errorf("GET before the feed is on: %d, want 404", code)
	}
	for _, c := range []struct {
		method, key string
		status      int
	}{{http.MethodPost, t.Name() + "-1", http.StatusCreated}, {http.MethodGet, "", http.StatusOK}} {
		code, f := call(c.method, c.key)
		if code != c.status || !strings.HasPrefix(f.Path, "/ics/") || !strings.HasSuffix(f.Path, ".ics") || f.URL != "https://sowflow.example"+f.Path {
			t.Errorf("%s: %d %+v, want %d with url https://sowflow.example%s", c.method, code, f, c.status, f.Path)
		}
	}
}
