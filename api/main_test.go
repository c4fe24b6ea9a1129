package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/sowflow/sowflow/calendar"
	"github.com/sowflow/sowflow/store"
	"github.com/sowflow/sowflow/testenv"
	"github.com/sowflow/sowflow/worker"
	"github.com/sowflow/sowflow/workflows"
)

func TestMain(m *testing.M) {
	testenv.Main(m, testenv.Postgres(), testenv.Temporal(workflows.SearchAttributes()))
}

// fixture is an API over the package's database with one token per role.
type fixture struct {
	t        *testing.T
	handler  http.Handler
	store    *store.Store
	tokens   map[store.Role]string
	notified []string
	keys     int
	temporal client.Client
	worker   sdkworker.Worker
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	env := testenv.Get(t)
	ctx := context.Background()
	st := store.New(env.Pool)
	// Each test starts from the embedded calendar: drop years earlier tests loaded.
	if _, err := env.Pool.Exec(ctx, "TRUNCATE calendar_years"); err != nil {
		t.Fatal(err)
	}
	cals, err := store.NewCalendarSource(ctx, st, calendar.China())
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, store: st, tokens: map[store.Role]string{}}
	for _, role := range store.Roles() {
		spec := store.TokenSpec{Name: "test " + string(role), Role: role, CreatedBy: "test"}
		if role == store.RoleCustomer {
			spec.CustomerID = "acme"
		}
		_, secret, err := st.CreateToken(ctx, spec)
		if err != nil {
			t.Fatal(err)
		}
		f.tokens[role] = secret
	}
	// Each fixture has its own task queue and worker on the package's server.
	taskQueue := "api-" + strings.ReplaceAll(t.Name(), "/", "-")
	f.worker = env.Temporal.NewWorker(taskQueue, func(r sdkworker.Registry) {
		worker.Register(r, worker.Deps{Calendar: cals.Current, Store: st})
	})
	t.Cleanup(f.worker.Stop)
	f.temporal = env.Client()
	f.handler = New(Deps{Store: st, Calendars: cals, Temporal: f.temporal, TaskQueue: taskQueue,
		NotifyCalendar: func(_ context.Context, version string) (int, error) {
			f.notified = append(f.notified, version)
			return 2, nil
		}})
	return f
}

// do sends a request as role ("" for no token) and decodes a JSON answer into out.
func (f *fixture) do(method, path string, role store.Role, body []byte, out any) *httptest.ResponseRecorder {
	f.t.Helper()
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req := httptest.NewRequest(method, path, r)
	if role != "" {
		req.Header.Set("Authorization", "Bearer "+f.tokens[role])
	}
	if method != http.MethodGet {
		f.keys++
		req.Header.Set("Idempotency-Key", fmt.Sprintf("%s-%d", f.t.Name(), f.keys))
	}
	rec := httptest.NewRecorder()
	f.handler.ServeHTTP(rec, req)
	if out != nil {
		if err := json.Unmarshal(rec.Body.Bytes(), out); err != nil {
			f.t.Fatalf("%s %s: decode %q: %v", method, path, rec.Body.String(), err)
		}
	}
	return rec
}

// problemFields returns the field:rule pairs of a problem document.
func problemFields(p Problem) map[string]string {
	out := map[string]string{}
	for _, e := range p.Errors {
		out[e.Field] = e.Rule
	}
	return out
}

// ---- helpers shared by the HTTP integration tests (appended) ----

// keySeq numbers the Idempotency-Keys send makes; goroutines share it.
var keySeq atomic.Int64

// request is one HTTP request for fixture.send.
type request struct {
	method, path string
	// token is the bearer token sent; "" sends none.
	token string
	body  []byte
	// key is the Idempotency-Key; "" makes a fresh one for a non-GET
	// request unless noKey is set.
	key   string
	noKey bool
	// ctx, when set, is the request's context (a deadline bounds the
	// handler's Temporal calls).
	ctx context.Context
	// chunked sends the body without a Content-Length.
	chunked bool
	// header holds further request headers.
	header http.Header
}

// send serves r through the fixture's handler. Unlike do it never touches
// f.t, so goroutines and fuzz targets may call it.
func (f *fixture) send(r request) *httptest.ResponseRecorder {
	var body io.Reader
	if r.body != nil {
		body = bytes.NewReader(r.body)
	}
	req := httptest.NewRequest(r.method, r.path, body)
	if r.chunked {
		req.ContentLength = -1
	}
	if r.ctx != nil {
		req = req.WithContext(r.ctx)
	}
	if r.token != "" {
		req.Header.Set("Authorization", "Bearer "+r.token)
	}
	for name, values := range r.header {
		req.Header[name] = values
	}
	if r.method != http.MethodGet && !r.noKey {
		key := r.key
		if key == "" {
			key = fmt.Sprintf("key-%d", keySeq.Add(1))
		}
		req.Header.Set("Idempotency-Key", key)
	}
	rec := httptest.NewRecorder()
	f.handler.ServeHTTP(rec, req)
	return rec
}

// customerToken creates a token of another customer and returns its secret.
func (f *fixture) customerToken(tb testing.TB, customerID string) string {
	tb.Helper()
	_, secret, err := f.store.CreateToken(context.Background(), store.TokenSpec{
		Name: "test customer " + customerID, Role: store.RoleCustomer, CustomerID: customerID, CreatedBy: "test"})
	if err != nil {
		tb.Fatal(err)
	}
	return secret
}

// tokenID returns the ID of the token whose secret is given.
func (f *fixture) tokenID(tb testing.TB, secret string) string {
	tb.Helper()
	p, err := f.store.Authenticate(context.Background(), secret)
	if err != nil {
		tb.Fatal(err)
	}
	return p.TokenID
}

// caller sends requests with one token and fails its test on transport-level
// surprises (an undecodable answer).
type caller struct {
	t     *testing.T
	f     *fixture
	token string
}

// as is a caller with the fixture's token of role.
func (f *fixture) as(t *testing.T, role store.Role) caller {
	return caller{t: t, f: f, token: f.tokens[role]}
}

// asToken is a caller with token.
func (f *fixture) asToken(t *testing.T, token string) caller {
	return caller{t: t, f: f, token: token}
}

// jsonBody encodes v unless it already is bytes or a string.
func jsonBody(tb testing.TB, v any) []byte {
	tb.Helper()
	switch b := v.(type) {
	case nil:
		return nil
	case []byte:
		return b
	case string:
		return []byte(b)
	}
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func (c caller) get(path string) *httptest.ResponseRecorder {
	return c.f.send(request{method: http.MethodGet, path: path, token: c.token})
}

// post sends body (encoded by jsonBody) with a fresh Idempotency-Key.
func (c caller) post(path string, body any) *httptest.ResponseRecorder {
	c.t.Helper()
	return c.f.send(request{method: http.MethodPost, path: path, token: c.token, body: jsonBody(c.t, body)})
}

// postKey sends body with the Idempotency-Key key.
func (c caller) postKey(path, key string, body any) *httptest.ResponseRecorder {
	c.t.Helper()
	return c.f.send(request{method: http.MethodPost, path: path, token: c.token, body: jsonBody(c.t, body), key: key})
}

// wantStatus fails the test unless rec has status want.
func wantStatus(tb testing.TB, rec *httptest.ResponseRecorder, want int) {
	tb.Helper()
	if rec.Code != want {
		tb.Fatalf("status %d, want %d: %s", rec.Code, want, rec.Body)
	}
}

// decode decodes rec's JSON body into out.
func decode(tb testing.TB, rec *httptest.ResponseRecorder, out any) {
	tb.Helper()
	if err := json.Unmarshal(rec.Body.Bytes(), out); err != nil {
		tb.Fatalf("decode %q: %v", rec.Body, err)
	}
}

// problemOf checks that rec is an RFC 9457 problem document consistent with
// its status and returns it.
func problemOf(tb testing.TB, rec *httptest.ResponseRecorder) Problem {
	tb.Helper()
	if ct := rec.Header().Get("Content-Type"); ct != ProblemContentType {
		tb.Fatalf("status %d with content type %q, want %s: %s", rec.Code, ct, ProblemContentType, rec.Body)
	}
	var p Problem
	decode(tb, rec, &p)
	if p.Status != rec.Code || !strings.HasPrefix(p.Type, "urn:sowflow:problem:") || p.Title == "" {
		tb.Fatalf("malformed problem for status %d: %s", rec.Code, rec.Body)
	}
	return p
}

// newFixtureTB is newFixture for any testing.TB, such as a fuzz target's
// *testing.F, whose fixture outlives each of its inputs. Its t is nil unless
// tb is a *testing.T: use send, not do.
func newFixtureTB(tb testing.TB, name string) *fixture {
	tb.Helper()
	env := testenv.Get(tb)
	ctx := context.Background()
	st := store.New(env.Pool)
	cals, err := store.NewCalendarSource(ctx, st, calendar.China())
	if err != nil {
		tb.Fatal(err)
	}
	f := &fixture{store: st, tokens: map[store.Role]string{}}
	if t, ok := tb.(*testing.T); ok {
		f.t = t
	}
	for _, role := range store.Roles() {
		spec := store.TokenSpec{Name: name + " " + string(role), Role: role, CreatedBy: "test"}
		if role == store.RoleCustomer {
			spec.CustomerID = "acme"
		}
		_, secret, err := st.CreateToken(ctx, spec)
		if err != nil {
			tb.Fatal(err)
		}
		f.tokens[role] = secret
	}
	taskQueue := "api-" + name
	f.worker = env.Temporal.NewWorker(taskQueue, func(r sdkworker.Registry) {
		worker.Register(r, worker.Deps{Calendar: cals.Current, Store: st})
	})
	tb.Cleanup(f.worker.Stop)
	f.temporal = env.Client()
	f.handler = New(Deps{Store: st, Calendars: cals, Temporal: f.temporal, TaskQueue: taskQueue,
		NotifyCalendar: func(context.Context, string) (int, error) { return 0, nil }})
	return f
}
