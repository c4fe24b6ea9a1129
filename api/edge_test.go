package api

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/sowflow/sowflow/codec"
	"github.com/sowflow/sowflow/store"
)

// scrape returns the /metrics answer of h.
func scrape(t *testing.T, h http.Handler) string {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("/metrics: status %d", rec.Code)
	}
	return rec.Body.String()
}

// TestMethodsAndLabelsAreBounded sends made-up methods and unknown paths:
// methods the router does not serve are refused before any metric or log
// line names them, and the labels stay within the routes and known methods.
func TestMethodsAndLabelsAreBounded(t *testing.T) {
	var logs bytes.Buffer
	h := New(Deps{Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	long := strings.Repeat("X", 4000)
	tests := []struct {
		method, path string
		wantStatus   int
	}{
		{"FOOBAR", "/nope-1", http.StatusNotImplemented},
		{long, "/v1/projects", http.StatusNotImplemented},
		{"PROPFIND", "/healthz", http.StatusNotImplemented},
		{http.MethodDelete, "/healthz", http.StatusMethodNotAllowed},
		{http.MethodGet, "/made-up/" + strings.Repeat("p", 3000), http.StatusNotFound},
		{http.MethodGet, "/another-made-up", http.StatusNotFound},
	}
	for _, tt := range tests {
		req := httptest.NewRequest(http.MethodGet, tt.path, nil)
		req.Method = tt.method
		req.Header.Set("User-Agent", strings.Repeat("agent", 1000))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != tt.wantStatus {
			t.Errorf("%.20s %.40s: status %d, want %d", tt.method, tt.path, rec.Code, tt.wantStatus)
		}
	}
	m := scrape(t, h)
	for _, bad := range []string{"FOOBAR", "PROPFIND", "XXXX", "made-up", "another-made-up"} {
		if strings.Contains(m, bad) {
			t.Errorf("/metrics names %q", bad)
		}
	}
	if !strings.Contains(m, `route="unmatched"`) {
		t.Errorf("/metrics has no unmatched route label:\n%s", grepLines(m, "sowflow_http_requests_total"))
	}
	for line := range strings.SplitSeq(logs.String(), "\n") {
		if len(line) > 2000 {
			t.Errorf("log line of %d bytes: %.200s", len(line), line)
		}
		if strings.Contains(line, "FOOBAR") || strings.Contains(line, "PROPFIND") {
			t.Errorf("log names a refused method: %.200s", line)
		}
	}
}

func TestMetricsMethodLabel(t *testing.T) {
	tests := map[string]string{"GET": "GET", "HEAD": "HEAD", "POST": "POST", "PUT": "PUT", "DELETE": "DELETE",
		"PATCH": "PATCH", "OPTIONS": "OPTIONS", "get": "OTHER", "BREW": "OTHER", "": "OTHER"}
	for in, want := range tests {
		if got := methodLabel(in); got != want {
			t.Errorf("methodLabel(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestReadyzNamesOnlyTheCheck: a failing dependency's error is logged, the
// answer names only the check.
func TestReadyzNamesOnlyTheCheck(t *testing.T) {
	var logs bytes.Buffer
	down := Check{Name: "temporal", Probe: func(context.Context) error {
		return errors.New("dial tcp 127.0.0.1:1: connect: connection refused")
	}}
	h := New(Deps{Ready: []Check{down}, Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
	if rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("status %d", rec.Code)
	}
	if strings.Contains(rec.Body.String(), "127.0.0.1") || strings.Contains(rec.Body.String(), "refused") {
		t.Errorf("answer tells internals: %s", rec.Body)
	}
	if !strings.Contains(logs.String(), "127.0.0.1:1") {
		t.Errorf("detail not logged: %s", logs.String())
	}
}

// TestResponseHeaders: every answer says not to store or sniff it.
func TestResponseHeaders(t *testing.T) {
	h := New(Deps{})
	for _, path := range []string{"/healthz", "/nope", "/v1/me"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if got := rec.Header().Get("Cache-Control"); got != "no-store" {
			t.Errorf("%s: Cache-Control %q", path, got)
		}
		if got := rec.Header().Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("%s: X-Content-Type-Options %q", path, got)
		}
	}
}

// TestRequestIDIsTheServers: a client's X-Request-ID never becomes the
// request ID; it is kept beside it.
func TestRequestIDIsTheServers(t *testing.T) {
	var logs bytes.Buffer
	h := New(Deps{Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	req := httptest.NewRequest(http.MethodGet, "/nope", nil)
	req.Header.Set("X-Request-ID", "client-chosen-1")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var p Problem
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
		t.Fatal(err)
	}
	if p.RequestID == "" || p.RequestID == "client-chosen-1" {
		t.Errorf("request ID %q, want one the server made", p.RequestID)
	}
	if got := rec.Header().Get("X-Request-ID"); got != p.RequestID {
		t.Errorf("X-Request-ID header %q, want %q", got, p.RequestID)
	}
	var line struct {
		RequestID       string `json:"request_id"`
		ClientRequestID string `json:"client_request_id"`
	}
	if err := json.Unmarshal(bytes.TrimSpace(logs.Bytes()), &line); err != nil {
		t.Fatalf("%v: %s", err, logs.String())
	}
	if line.RequestID != p.RequestID || line.ClientRequestID != "client-chosen-1" {
		t.Errorf("log request_id %q client_request_id %q", line.RequestID, line.ClientRequestID)
	}
}

func grepLines(s, substr string) string {
	var out []string
	for line := range strings.SplitSeq(s, "\n") {
		if strings.Contains(line, substr) {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}

// TestReplaysRunABoundedNumberAtOnce: with every replay slot taken, the
// next replay is 429 with Retry-After; a freed slot lets one in.
func TestReplaysRunABoundedNumberAtOnce(t *testing.T) {
	gin.SetMode(gin.ReleaseMode)
	h := &handlers{replays: make(chan struct{}, maxConcurrentReplays), historyReads: make(chan struct{}, maxConcurrentHistoryReads)}
	for range maxConcurrentReplays {
		h.replays <- struct{}{}
	}
	rec := httptest.NewRecorder()
	c, _ := gin.CreateTestContext(rec)
	c.Request = httptest.NewRequest(http.MethodPost, "/v1/replay", nil)
	h.limitReplays(c)
	if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") == "" {
		t.Fatalf("status %d, Retry-After %q", rec.Code, rec.Header().Get("Retry-After"))
	}
	<-h.replays
	rec = httptest.NewRecorder()
	c, _ = gin.CreateTestContext(rec)
	c.Request = httptest.NewRequest(http.MethodPost, "/v1/replay", nil)
	h.limitReplays(c)
	if c.IsAborted() {
		t.Fatalf("refused with a free slot: %d", rec.Code)
	}
	if len(h.replays) != maxConcurrentReplays-1 {
		t.Errorf("slot not given back: %d taken", len(h.replays))
	}
}

// TestReplayUnpackedLimit: a small gzip'd body that unpacks past the
// replay limit is 413 before any JSON is decoded.
func TestReplayUnpackedLimit(t *testing.T) {
	f := newFixture(t)
	var zipped bytes.Buffer
	zw := gzip.NewWriter(&zipped)
	_, _ = zw.Write([]byte(`{"events":[`))
	_, _ = zw.Write(bytes.Repeat([]byte(" "), 17<<20))
	_, _ = zw.Write([]byte(`]}`))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if zipped.Len() > maxBodyBytes {
		t.Fatalf("the test body is %d bytes", zipped.Len())
	}
	rec := f.send(request{method: http.MethodPost, path: "/v1/replay", token: f.tokens[store.RoleAuditor], body: zipped.Bytes()})
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("status %d: %s", rec.Code, rec.Body)
	}
}

// TestAllowedHosts: with AllowedHosts set (sowflow dev), a request naming
// another Host — a DNS-rebinding page — is refused.
func TestAllowedHosts(t *testing.T) {
	h := New(Deps{AllowedHosts: []string{"localhost:8080", "127.0.0.1:8080", "[::1]:8080"}})
	tests := []struct {
		host string
		want int
	}{
		{"localhost:8080", http.StatusOK},
		{"LOCALHOST:8080", http.StatusOK},
		{"127.0.0.1:8080", http.StatusOK},
		{"[::1]:8080", http.StatusOK},
		{"attacker.example:8080", http.StatusMisdirectedRequest},
		{"localhost:9999", http.StatusMisdirectedRequest},
		{"", http.StatusMisdirectedRequest},
	}
	for _, tt := range tests {
		req := httptest.NewRequest(http.MethodGet, "/healthz", nil)
		req.Host = tt.host
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != tt.want {
			t.Errorf("Host %q: status %d, want %d", tt.host, rec.Code, tt.want)
		}
	}
	// Without AllowedHosts (api in production, behind a proxy) any Host is served.
	req := httptest.NewRequest(http.MethodGet, "/healthz", nil)
	req.Host = "anything.example"
	rec := httptest.NewRecorder()
	New(Deps{}).ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Errorf("no AllowedHosts: status %d", rec.Code)
	}
}

// TestReplayStrictJSON: a replay body, plain or gzip'd, with a key repeated
// in one object is 400 naming it.
func TestReplayStrictJSON(t *testing.T) {
	f := newFixture(t)
	doc := []byte(`{"events":[{"eventId":"1","eventId":"2"}]}`)
	var zipped bytes.Buffer
	zw := gzip.NewWriter(&zipped)
	_, _ = zw.Write(doc)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string][]byte{"plain": doc, "gzip": zipped.Bytes()} {
		rec := f.send(request{method: http.MethodPost, path: "/v1/replay", token: f.tokens[store.RoleAuditor], body: body})
		var p Problem
		_ = json.Unmarshal(rec.Body.Bytes(), &p)
		if rec.Code != http.StatusBadRequest || problemFields(p)["events[0].eventId"] != "duplicate" {
			t.Errorf("%s: status %d, fields %v", name, rec.Code, problemFields(p))
		}
	}
}

// TestDevCodecSecretNotLogged: the access log names the codec route, not
// the secret in its path.
func TestDevCodecSecretNotLogged(t *testing.T) {
	pc, err := codec.NewAESGCM(bytes.Repeat([]byte{7}, codec.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	const secret = "SECRETSECRETSECRET"
	h := New(Deps{Codec: pc, DevCodecOrigin: "http://127.0.0.1:8233", DevCodecSecret: secret, Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/dev/codec/"+secret+"/decode", strings.NewReader(`{"payloads":[]}`)))
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	if strings.Contains(logs.String(), secret) || !strings.Contains(logs.String(), "/dev/codec/:secret/decode") {
		t.Errorf("log: %s", logs.String())
	}
}

// TestReplayGetsALongerReadTimeout: on a server whose read timeout would
// cut a slow body off, POST /v1/replay still reads a body that takes longer
// to arrive.
func TestReplayGetsALongerReadTimeout(t *testing.T) {
	f := newFixture(t)
	srv := httptest.NewUnstartedServer(f.handler)
	srv.Config.ReadTimeout = 300 * time.Millisecond
	srv.Start()
	defer srv.Close()
	send := func(path string) (int, Problem) {
		pr, pw := io.Pipe()
		go func() {
			// 8 parts, 100 ms apart: longer than the server's read timeout.
			for _, part := range []string{`{"no`, `thing"`, `: `, `1`, `, "a"`, `: 2`, ` `, `}`} {
				time.Sleep(100 * time.Millisecond)
				if _, err := pw.Write([]byte(part)); err != nil {
					return
				}
			}
			pw.Close()
		}()
		req, err := http.NewRequest(http.MethodPost, srv.URL+path, pr)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+f.tokens[store.RoleAuditor])
		req.Header.Set("Idempotency-Key", "slow-"+unique(t)+path)
		resp, err := srv.Client().Do(req)
		if err != nil {
			return 0, Problem{}
		}
		defer resp.Body.Close()
		var p Problem
		_ = json.NewDecoder(resp.Body).Decode(&p)
		return resp.StatusCode, p
	}
	// The whole body arrived: it is judged as a history (it is none).
	if code, p := send("/v1/replay"); code != http.StatusBadRequest || problemFields(p)["body"] != "history" {
		t.Errorf("replay: status %d, problem %+v", code, p)
	}
	// Another route keeps the server's timeout: the body never arrives whole.
	if code, p := send("/v1/projects"); code == http.StatusBadRequest && problemFields(p)["project_id"] != "" {
		t.Errorf("a project start read the slow body whole: %+v", p)
	}
}
