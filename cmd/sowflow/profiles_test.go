package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestProfilesHandler: SOWFLOW_PPROF_ADDR's listener answers the index and a
// heap profile that go tool pprof reads (gzip-compressed protobuf).
func TestProfilesHandler(t *testing.T) {
	srv := httptest.NewServer(profilesHandler())
	defer srv.Close()
	tests := []struct {
		path, contentType, prefix string
	}{
		{"/debug/pprof/", "text/html", ""},
		{"/debug/pprof/heap", "application/octet-stream", "\x1f\x8b"},
		{"/debug/pprof/goroutine?debug=1", "text/plain", "goroutine profile:"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			res, err := http.Get(srv.URL + tt.path)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			body, _ := io.ReadAll(res.Body)
			if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), tt.contentType) || !strings.HasPrefix(string(body), tt.prefix) {
				t.Fatalf("%s: %d %s %q", tt.path, res.StatusCode, res.Header.Get("Content-Type"), body[:min(len(body), 40)])
			}
		})
	}
}
