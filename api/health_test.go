package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestReadyz(t *testing.T) {
	ok := Check{Name: "postgresql", Probe: func(context.Context) error { return nil }}
	down := Check{Name: "temporal", Probe: func(context.Context) error { return errors.New("connection refused") }}
	tests := []struct {
		name       string
		checks     []Check
		wantStatus int
		wantChecks map[string]string
	}{
		{"all answer", []Check{ok}, http.StatusOK, map[string]string{"postgresql": "ok"}},
		{"one down", []Check{ok, down}, http.StatusServiceUnavailable, map[string]string{"postgresql": "ok", "temporal": "unavailable"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			New(Deps{Ready: tt.checks}).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
			if rec.Code != tt.wantStatus {
				t.Fatalf("status %d, want %d", rec.Code, tt.wantStatus)
			}
			var body struct {
				Checks map[string]string `json:"checks"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatal(err)
			}
			for k, v := range tt.wantChecks {
				if body.Checks[k] != v {
					t.Errorf("check %s = %q, want %q", k, body.Checks[k], v)
				}
			}
		})
	}
}

func TestHealthzAndProblems(t *testing.T) {
	h := New(Deps{})
	tests := []struct {
		method, path string
		wantStatus   int
		wantType     string
	}{
		{http.MethodGet, "/healthz", http.StatusOK, ""},
		{http.MethodHead, "/healthz", http.StatusOK, ""},
		{http.MethodHead, "/readyz", http.StatusOK, ""},
		{http.MethodGet, "/nope", http.StatusNotFound, ProblemNotFound},
		{http.MethodPost, "/healthz", http.StatusMethodNotAllowed, ProblemMethod},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, tt.path, nil)
			req.Header.Set("X-Request-ID", "req-123")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tt.wantStatus {
				t.Fatalf("status %d, want %d", rec.Code, tt.wantStatus)
			}
			// The server makes the request ID; the client's is not echoed.
			id := rec.Header().Get("X-Request-ID")
			if id == "" || id == "req-123" {
				t.Errorf("X-Request-ID %q, want the server's own", id)
			}
			if tt.wantType == "" {
				return
			}
			if ct := rec.Header().Get("Content-Type"); ct != ProblemContentType {
				t.Errorf("content type %q", ct)
			}
			var p Problem
			if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
				t.Fatal(err)
			}
			if p.Type != tt.wantType || p.Status != tt.wantStatus || p.RequestID != id || p.Instance != tt.path {
				t.Errorf("problem %+v", p)
			}
		})
	}
}
