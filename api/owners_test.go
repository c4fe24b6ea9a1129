package api

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/sowflow/sowflow/calendar"
	"github.com/sowflow/sowflow/store"
)

// countingClient is a Temporal client that counts the calls the API makes
// to find, read or act on a workflow.
type countingClient struct {
	client.Client
	calls atomic.Int64
}

func (c *countingClient) ExecuteWorkflow(ctx context.Context, o client.StartWorkflowOptions, w any, args ...any) (client.WorkflowRun, error) {
	c.calls.Add(1)
	return c.Client.ExecuteWorkflow(ctx, o, w, args...)
}

func (c *countingClient) GetWorkflow(ctx context.Context, id, runID string) client.WorkflowRun {
	c.calls.Add(1)
	return c.Client.GetWorkflow(ctx, id, runID)
}

func (c *countingClient) SignalWorkflow(ctx context.Context, id, runID, name string, arg any) error {
	c.calls.Add(1)
	return c.Client.SignalWorkflow(ctx, id, runID, name, arg)
}

func (c *countingClient) GetWorkflowHistory(ctx context.Context, id, runID string, long bool, f enumspb.HistoryEventFilterType) client.HistoryEventIterator {
	c.calls.Add(1)
	return c.Client.GetWorkflowHistory(ctx, id, runID, long, f)
}

func (c *countingClient) QueryWorkflow(ctx context.Context, id, runID, q string, args ...any) (converter.EncodedValue, error) {
	c.calls.Add(1)
	return c.Client.QueryWorkflow(ctx, id, runID, q, args...)
}

func (c *countingClient) QueryWorkflowWithOptions(ctx context.Context, r *client.QueryWorkflowWithOptionsRequest) (*client.QueryWorkflowWithOptionsResponse, error) {
	c.calls.Add(1)
	return c.Client.QueryWorkflowWithOptions(ctx, r)
}

func (c *countingClient) DescribeWorkflowExecution(ctx context.Context, id, runID string) (*workflowservice.DescribeWorkflowExecutionResponse, error) {
	c.calls.Add(1)
	return c.Client.DescribeWorkflowExecution(ctx, id, runID)
}

func (c *countingClient) UpdateWorkflow(ctx context.Context, o client.UpdateWorkflowOptions) (client.WorkflowUpdateHandle, error) {
	c.calls.Add(1)
	return c.Client.UpdateWorkflow(ctx, o)
}

// TestAnotherCustomersObjectAsksNoWorkflow: a customer's request for an
// object it does not own — another customer's, or one that does not exist
// — is answered 404 from the read model alone, the same answer both ways,
// without a Temporal call; the owner's own request does reach its workflow.
func TestAnotherCustomersObjectAsksNoWorkflow(t *testing.T) {
	f := newFixture(t)
	sfx := unique(t)
	mgr := f.as(t, store.RoleManager)
	now := time.Now().In(calendar.Zone())
	project, service, account, period := "own-p-"+sfx, "own-s-"+sfx, "own-a-"+sfx+"@acme.example", now.Format("2006-01")
	wantStatus(t, mgr.post("/v1/projects", msStart(project, "acme")), http.StatusCreated)
	wantStatus(t, mgr.post("/v1/services", map[string]any{"service_id": service, "customer_id": "acme", "package": "partner-premium",
		"start": now.Format(time.RFC3339)}), http.StatusCreated)
	wantStatus(t, mgr.post("/v1/sla-periods", map[string]any{"account": account, "customer_id": "acme", "service": "email",
		"period": period, "monthly_fee_cents": 100_00}), http.StatusCreated)

	counting := &countingClient{Client: f.temporal}
	probe := New(Deps{Store: f.store, Temporal: counting, TaskQueue: "unused"})
	other := f.customerToken(t, "globex-"+sfx)
	accept := map[string]any{"decision": "accept"}
	routes := []struct {
		method string
		// real names the object of the route, madeUp one that does not
		// exist.
		real, madeUp string
		body         any
	}{
		{http.MethodGet, projectPath(project), projectPath("nope-" + sfx), nil},
		{http.MethodGet, projectPath(project, "/events"), projectPath("nope-"+sfx, "/events"), nil},
		{http.MethodGet, projectPath(project, "/history"), projectPath("nope-"+sfx, "/history"), nil},
		{http.MethodPost, decisionPath(project, "kickoff-meeting-report"), decisionPath("nope-"+sfx, "kickoff-meeting-report"), accept},
		{http.MethodGet, "/v1/services/" + service, "/v1/services/nope-" + sfx, nil},
		{http.MethodGet, "/v1/services/" + service + "/tickets", "/v1/services/nope-" + sfx + "/tickets", nil},
		{http.MethodGet, "/v1/services/" + service + "/tickets/1", "/v1/services/nope-" + sfx + "/tickets/1", nil},
		{http.MethodGet, "/v1/services/" + service + "/tickets/1/events", "/v1/services/nope-" + sfx + "/tickets/1/events", nil},
		{http.MethodPost, "/v1/services/" + service + "/tickets", "/v1/services/nope-" + sfx + "/tickets", map[string]any{"severity": "low", "title": "x"}},
		{http.MethodPost, "/v1/services/" + service + "/tickets/1/closure", "/v1/services/nope-" + sfx + "/tickets/1/closure", nil},
		{http.MethodGet, slaPeriodPath(account, period), slaPeriodPath("nope-"+sfx, period), nil},
		{http.MethodGet, slaPeriodPath(account, period) + "/events", slaPeriodPath("nope-"+sfx, period) + "/events", nil},
		{http.MethodPost, slaPeriodPath(account, period) + "/claim", slaPeriodPath("nope-"+sfx, period) + "/claim", nil},
		{http.MethodGet, slaAccountPath(account), slaAccountPath("nope-" + sfx), nil},
	}
	send := func(method, path, token string, body any) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, path, bytes.NewReader(jsonBody(t, body)))
		req.Header.Set("Authorization", "Bearer "+token)
		if method != http.MethodGet {
			req.Header.Set("Idempotency-Key", "probe-"+sfx+"-"+method+path)
		}
		rec := httptest.NewRecorder()
		probe.ServeHTTP(rec, req)
		return rec
	}
	for _, r := range routes {
		t.Run(r.method+" "+r.real, func(t *testing.T) {
			counting.calls.Store(0)
			got, absent := send(r.method, r.real, other, r.body), send(r.method, r.madeUp, other, r.body)
			wantStatus(t, got, http.StatusNotFound)
			wantStatus(t, absent, http.StatusNotFound)
			pg, pa := problemOf(t, got), problemOf(t, absent)
			if pg.Type != pa.Type || pg.Detail != pa.Detail {
				t.Errorf("another customer's object answers %+v, a made-up one %+v", pg, pa)
			}
			if n := counting.calls.Load(); n != 0 {
				t.Errorf("%d Temporal calls for objects the customer does not own", n)
			}
		})
	}
	// The owner's own read does reach the workflow (the counter counts).
	counting.calls.Store(0)
	wantStatus(t, send(http.MethodGet, projectPath(project), f.tokens[store.RoleCustomer], nil), http.StatusOK)
	if counting.calls.Load() == 0 {
		t.Error("the owner's read made no Temporal call: the counter counts nothing")
	}
}

// TestSLAAccountNameRace starts, at the same moment, a period of an account
// name for one customer and an account of the same name for another: one
// start wins and the other is 409 account-taken, every time.
func TestSLAAccountNameRace(t *testing.T) {
	f := newFixture(t)
	sfx := unique(t)
	mgr := f.tokens[store.RoleManager]
	period := time.Now().In(calendar.Zone()).Format("2006-01")
	const tries = 10
	for i := range tries {
		account := "race-" + sfx + "-" + string(rune('a'+i)) + "@example.com"
		bodies := [][]byte{
			jsonBody(t, map[string]any{"account": account, "customer_id": "other-" + sfx, "service": "email", "period": period, "monthly_fee_cents": 100_00}),
			jsonBody(t, map[string]any{"account": account, "customer_id": "acme", "service": "email", "first_period": period, "monthly_fee_cents": 100_00}),
		}
		paths := []string{"/v1/sla-periods", "/v1/sla-accounts"}
		recs := make([]*httptest.ResponseRecorder, 2)
		var wg sync.WaitGroup
		ready := make(chan struct{})
		for j := range recs {
			wg.Go(func() {
				<-ready
				recs[j] = f.send(request{method: http.MethodPost, path: paths[j], token: mgr, body: bodies[j]})
			})
		}
		close(ready)
		wg.Wait()
		created := 0
		for j, rec := range recs {
			switch rec.Code {
			case http.StatusCreated:
				created++
			case http.StatusConflict:
				if p := problemOf(t, rec); p.Rule != "account-taken" {
					t.Errorf("try %d: %s answered 409 %+v", i, paths[j], p)
				}
			default:
				t.Fatalf("try %d: %s answered %d: %s", i, paths[j], rec.Code, rec.Body)
			}
		}
		if created != 1 {
			t.Errorf("try %d: %d of the two starts of account %s for different customers succeeded", i, created, account)
		}
	}
}
