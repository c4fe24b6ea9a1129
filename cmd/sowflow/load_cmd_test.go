package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestLoadRefusesBadOptions holds sowflow load's flag checks: each bad
// option is exit 2 with the option and its rule named, before any request.
func TestLoadRefusesBadOptions(t *testing.T) {
	t.Setenv("SOWFLOW_LOAD_MANAGER_TOKEN", "")
	t.Setenv("SOWFLOW_LOAD_CUSTOMER_TOKEN", "")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown scenario", []string{"--scenario", "project=1,party=2"}, `--scenario: "party" is not one of project, service, sla, hold`},
		{"bad weight", []string{"--scenario", "project=x"}, `--scenario: weight "x" of project is not a whole number`},
		{"no tokens", []string{"--count", "1"}, "--manager-token and --customer-token"},
		{"unknown driver", []string{"--via", "grpc", "--count", "1"}, `--via "grpc" is not one of api, sdk`},
		{"stray argument", []string{"now"}, `unexpected argument "now"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run(context.Background(), append([]string{"load"}, tt.args...), &stdout, &stderr); code != 2 {
				t.Fatalf("exit %d, want 2; stderr %q", code, stderr.String())
			}
			if !strings.Contains(stderr.String(), tt.want) {
				t.Errorf("stderr %q does not contain %q", stderr.String(), tt.want)
			}
		})
	}
}

// TestProbe holds sowflow probe to the status it meets.
func TestProbe(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/readyz" {
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"ready", []string{srv.URL + "/readyz"}, 0},
		{"not ready", []string{srv.URL + "/other"}, 1},
		{"nothing listens", []string{"http://127.0.0.1:1/readyz"}, 1},
		{"not a URL", []string{"127.0.0.1:8080"}, 2},
		{"no URL", nil, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run(context.Background(), append([]string{"probe"}, tt.args...), &stdout, &stderr); code != tt.code {
				t.Errorf("exit %d, want %d; stderr %q", code, tt.code, stderr.String())
			}
		})
	}
}
