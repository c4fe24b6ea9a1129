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
