package api

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sowflow/sowflow/store"
)

func TestAuthentication(t *testing.T) {
	f := newFixture(t)
	_, revoked, err := f.store.CreateToken(context.Background(), store.TokenSpec{Name: "gone", Role: store.RoleManager, CreatedBy: "test"})
	if err != nil {
		t.Fatal(err)
	}
	tokens, err := f.store.ListTokens(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := f.store.RevokeToken(context.Background(), tokens[0].ID); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		header string
		want   int
	}{
		{"no header", "", http.StatusUnauthorized},
		{"wrong scheme", "Basic abc", http.StatusUnauthorized},
		{"unknown token", "Bearer sow_0000_nope", http.StatusUnauthorized},
		{"not a sowflow token", "Bearer hello", http.StatusUnauthorized},
		{"revoked token", "Bearer " + revoked, http.StatusUnauthorized},
		{"valid token", "Bearer " + f.tokens[store.RoleAuditor], http.StatusOK},
		{"scheme is case-insensitive", "bearer " + f.tokens[store.RoleAuditor], http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/v1/me", nil)
			if tt.header != "" {
				req.Header.Set("Authorization", tt.header)
			}
			rec := httptest.NewRecorder()
			f.handler.ServeHTTP(rec, req)
			if rec.Code != tt.want {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.want, rec.Body)
			}
			if tt.want == http.StatusUnauthorized && rec.Header().Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
		})
	}
}

func TestMe(t *testing.T) {
	f := newFixture(t)
	for _, role := range store.Roles() {
		t.Run(string(role), func(t *testing.T) {
			var p store.Principal
			if rec := f.do(http.MethodGet, "/v1/me", role, nil, &p); rec.Code != http.StatusOK {
				t.Fatalf("status %d", rec.Code)
			}
			if p.Role != role || p.TokenID == "" {
				t.Errorf("principal %+v", p)
			}
			if (role == store.RoleCustomer) != (p.CustomerID == "acme") {
				t.Errorf("customer id %q for role %s", p.CustomerID, role)
			}
		})
	}
}

// TestActingAs: a request whose context carries a person (the portal's
// in-process calls) is served as that person without a token, and its
// idempotency keys are the person's own.
func TestActingAs(t *testing.T) {
	f := newFixture(t)
	person := store.Principal{PersonID: "p-" + unique(t), Name: "Ada", Role: store.RoleCustomer, CustomerID: "acme"}
	serve := func(method, path, key string, body string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		req = req.WithContext(ActingAs(req.Context(), person))
		if key != "" {
			req.Header.Set("Idempotency-Key", key)
			req.Header.Set("Content-Type", "application/json")
		}
		rec := httptest.NewRecorder()
		f.handler.ServeHTTP(rec, req)
		return rec
	}
	var me store.Principal
	rec := serve(http.MethodGet, "/v1/me", "", "")
	if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &me) != nil || me != person {
		t.Fatalf("GET /v1/me as a person: %d %s", rec.Code, rec.Body)
	}
	if got := person.Subject(); got != "user:"+person.PersonID {
		t.Fatalf("subject %q", got)
	}
	// A role check applies to a person as to a token of the role.
	if rec := serve(http.MethodPost, "/v1/projects", "k-"+unique(t), `{}`); rec.Code != http.StatusForbidden {
		t.Fatalf("a customer person starting a project: %d %s", rec.Code, rec.Body)
	}
	// An Authorization header cannot make a request act as a person.
	req := httptest.NewRequest(http.MethodGet, "/v1/me", nil)
	req.Header.Set("Authorization", "Bearer user:"+person.PersonID)
	rec = httptest.NewRecorder()
	f.handler.ServeHTTP(rec, req)
	if rec.Code != http.StatusUnauthorized {
		t.Fatalf("a bearer naming a person: %d", rec.Code)
	}
}

func TestTokenSpecRules(t *testing.T) {
	tests := []struct {
		name string
		spec store.TokenSpec
		ok   bool
	}{
		{"manager", store.TokenSpec{Name: "m", Role: store.RoleManager}, true},
		{"customer with id", store.TokenSpec{Name: "c", Role: store.RoleCustomer, CustomerID: "acme"}, true},
		{"customer without id", store.TokenSpec{Name: "c", Role: store.RoleCustomer}, false},
		{"manager with customer id", store.TokenSpec{Name: "m", Role: store.RoleManager, CustomerID: "acme"}, false},
		{"unknown role", store.TokenSpec{Name: "x", Role: "root"}, false},
		{"no name", store.TokenSpec{Role: store.RoleAuditor}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.spec.Validate(); (err == nil) != tt.ok {
				t.Errorf("Validate() = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}
