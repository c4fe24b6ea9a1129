package api

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/sowflow/sowflow/notify"
	"github.com/sowflow/sowflow/store"
	"github.com/sowflow/sowflow/testenv"
)

func TestWebhookEndpoints(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	pool := testenv.Get(t).Pool
	// Other tests' projects write to the outbox too: this test's endpoints
	// receive only its own customer's events.
	for _, q := range []string{`DELETE FROM deliveries`, `DELETE FROM webhook_endpoints`,
		`DELETE FROM outbox WHERE subject_id = 'hook-p1'`} {
		if _, err := pool.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}

	// A receiver that checks each message's signature with the secret the
	// API answered, and keeps the message.
	var (
		mu     sync.Mutex
		secret string
		got    []notify.Event
	)
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		ts, _ := strconv.ParseInt(r.Header.Get("webhook-timestamp"), 10, 64)
		mu.Lock()
		defer mu.Unlock()
		want, err := notify.Sign(secret, r.Header.Get("webhook-id"), ts, body)
		if err != nil || r.Header.Get("webhook-signature") != want {
			t.Errorf("signature %q, want %q (%v)", r.Header.Get("webhook-signature"), want, err)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		var e notify.Event
		if err := json.Unmarshal(body, &e); err != nil {
			t.Errorf("body %s: %v", body, err)
		}
		got = append(got, e)
	}))
	defer srv.Close()

	tests := []struct {
		name   string
		role   store.Role
		body   string
		status int
		field  string
	}{
		{"plain http refused", store.RoleAdmin, `{"url":"http://hooks.example/x","events":["window-closing"]}`, http.StatusBadRequest, "url"},
		{"no events", store.RoleAdmin, `{"url":"https://hooks.example/x","events":[]}`, http.StatusBadRequest, "events"},
		{"manager without customer", store.RoleManager, `{"url":"https://hooks.example/x","events":["window-closing"]}`, http.StatusBadRequest, "customer_id"},
		{"customer may not", store.RoleCustomer, `{"url":"https://hooks.example/x","events":["window-closing"]}`, http.StatusForbidden, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p Problem
			rec := f.do(http.MethodPost, "/v1/webhooks", tt.role, []byte(tt.body), &p)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.status, rec.Body)
			}
			if tt.field != "" && (len(p.Errors) == 0 || p.Errors[0].Field != tt.field) {
				t.Errorf("problem %+v, want field %s", p, tt.field)
			}
		})
	}

	var created map[string]any
	rec := f.do(http.MethodPost, "/v1/webhooks", store.RoleAdmin, []byte(`{"url":"`+srv.URL+`/hook","events":["window-closing"],"customer_id":"hooks-co"}`), &created)
	if rec.Code != http.StatusCreated {
		t.Fatalf("create: %d %s", rec.Code, rec.Body)
	}
	id, _ := created["id"].(string)
	secret, _ = created["secret"].(string)
	if !strings.HasPrefix(secret, "whsec_") || rec.Header().Get("Location") != "/v1/webhooks/"+id {
		t.Fatalf("created %v, Location %q", created, rec.Header().Get("Location"))
	}
	var unfiltered map[string]any
	if rec := f.do(http.MethodPost, "/v1/webhooks", store.RoleAdmin, []byte(`{"url":"https://hooks.example/all","events":["ticket-breached"]}`), &unfiltered); rec.Code != http.StatusCreated {
		t.Fatalf("create unfiltered: %d %s", rec.Code, rec.Body)
	}
	allID, _ := unfiltered["id"].(string)
	var byManager map[string]any
	if rec := f.do(http.MethodPost, "/v1/webhooks", store.RoleManager, []byte(`{"url":"https://hooks.example/acme","events":["ticket-breached"],"customer_id":"acme"}`), &byManager); rec.Code != http.StatusCreated {
		t.Fatalf("manager create: %d %s", rec.Code, rec.Body)
	}

	// An event queued for the subscribed kind reaches the receiver.
	if _, err := pool.Exec(ctx, `INSERT INTO owners (kind, id, customer_id) VALUES ('project', 'hook-p1', 'hooks-co') ON CONFLICT DO NOTHING`); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `INSERT INTO outbox (source, subject_id, event_seq, kind, recipient, payload)
		VALUES ('project', 'hook-p1', 4, 'window-closing', 'customer', '{"deliverable":"d1"}')`); err != nil {
		t.Fatal(err)
	}
	relay := &notify.Relay{Store: f.store, Channels: []notify.Channel{{Name: store.ChannelWebhook,
		Sender: &notify.Webhook{Store: f.store, Client: srv.Client()}, Retry: notify.WebhookRetry}}}
	for busy := true; busy; {
		var err error
		if busy, err = relay.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
	}
	mu.Lock()
	if len(got) != 1 || got[0].Type != "window-closing" || got[0].Data.ProjectID != "hook-p1" || got[0].Data.CustomerID != "hooks-co" ||
		string(got[0].Data.Payload) != `{"deliverable":"d1"}` {
		t.Errorf("receiver got %+v", got)
	}
	mu.Unlock()

	var log struct{ Deliveries []store.DeliveryState }
	if rec := f.do(http.MethodGet, "/v1/webhooks/"+id+"/deliveries", store.RoleAdmin, nil, &log); rec.Code != http.StatusOK ||
		len(log.Deliveries) != 1 || log.Deliveries[0].SentAt == nil || log.Deliveries[0].Attempts != 1 {
		t.Errorf("delivery log: %d %s", rec.Code, rec.Body)
	}
	if rec := f.do(http.MethodGet, "/v1/webhooks/"+allID+"/deliveries", store.RoleManager, nil, nil); rec.Code != http.StatusNotFound {
		t.Errorf("manager reads the all-customers endpoint's log: %d %s", rec.Code, rec.Body)
	}

	list := func(role store.Role) []map[string]any {
		t.Helper()
		var out struct{ Webhooks []map[string]any }
		if rec := f.do(http.MethodGet, "/v1/webhooks", role, nil, &out); rec.Code != http.StatusOK {
			t.Fatalf("list as %s: %d %s", role, rec.Code, rec.Body)
		}
		for _, w := range out.Webhooks {
			if _, ok := w["secret"]; ok {
				t.Errorf("list as %s shows a secret: %v", role, w)
			}
		}
		return out.Webhooks
	}
	if all := list(store.RoleAdmin); len(all) != 3 {
		t.Errorf("admin lists %v, want all three endpoints", all)
	}
	if mine := list(store.RoleManager); len(mine) != 2 || mine[0]["customer_id"] != "hooks-co" || mine[1]["customer_id"] != "acme" {
		t.Errorf("manager lists %v, want the two customer-filtered endpoints", mine)
	}
	if rec := f.do(http.MethodDelete, "/v1/webhooks/"+allID, store.RoleManager, nil, nil); rec.Code != http.StatusNotFound {
		t.Errorf("manager deletes the all-customers endpoint: %d %s", rec.Code, rec.Body)
	}
	if rec := f.do(http.MethodDelete, "/v1/webhooks/"+id, store.RoleAdmin, nil, nil); rec.Code != http.StatusNoContent {
		t.Errorf("admin delete: %d %s", rec.Code, rec.Body)
	}
	if all := list(store.RoleAdmin); len(all) != 2 {
		t.Errorf("after delete admin lists %v", all)
	}
}

// TestWebhookEndpointEnabledAgain: an endpoint disabled after 24 hours of
// failures is enabled again by its owner or an admin, recorded on the
// endpoint and the customer's audit chain, and receives new events again.
func TestWebhookEndpointEnabledAgain(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	pool := testenv.Get(t).Pool
	for _, q := range []string{`DELETE FROM deliveries`, `DELETE FROM webhook_endpoints`, `DELETE FROM outbox WHERE subject_id = 'enable-p1'`} {
		if _, err := pool.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	var (
		mu   sync.Mutex
		down = true
		got  int
	)
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if down {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		got++
	}))
	defer srv.Close()
	var created store.WebhookEndpoint
	if rec := f.do(http.MethodPost, "/v1/webhooks", store.RoleManager, []byte(`{"url":"`+srv.URL+`/hook","events":["window-closing"],"customer_id":"enable-co"}`), &created); rec.Code != http.StatusCreated {
		t.Fatalf("create: %d %s", rec.Code, rec.Body)
	}
	var all store.WebhookEndpoint
	if rec := f.do(http.MethodPost, "/v1/webhooks", store.RoleAdmin, []byte(`{"url":"https://hooks.example/all","events":["ticket-breached"]}`), &all); rec.Code != http.StatusCreated {
		t.Fatalf("create unfiltered: %d %s", rec.Code, rec.Body)
	}
	if _, err := pool.Exec(ctx, `INSERT INTO owners (kind, id, customer_id) VALUES ('project', 'enable-p1', 'enable-co') ON CONFLICT DO NOTHING`); err != nil {
		t.Fatal(err)
	}
	relay := &notify.Relay{Store: f.store, Channels: []notify.Channel{{Name: store.ChannelWebhook,
		Sender: &notify.Webhook{Store: f.store, Client: srv.Client()}, Retry: notify.WebhookRetry}}}
	queueAndRelay := func(seq int) {
		t.Helper()
		if _, err := pool.Exec(ctx, `INSERT INTO outbox (source, subject_id, event_seq, kind, recipient, payload)
			VALUES ('project', 'enable-p1', $1, 'window-closing', 'customer', '{"deliverable":"d1"}')`, seq); err != nil {
			t.Fatal(err)
		}
		for busy := true; busy; {
			var err error
			if busy, err = relay.RunOnce(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	// The receiver has been failing for a day: the next failure disables it.
	if _, err := pool.Exec(ctx, `UPDATE webhook_endpoints SET failing_since = now() - interval '25 hours' WHERE id = $1`, created.ID); err != nil {
		t.Fatal(err)
	}
	queueAndRelay(1)
	e, err := f.store.WebhookEndpoint(ctx, created.ID)
	if err != nil || e.DisabledAt == nil {
		t.Fatalf("endpoint after a day of failures: %+v (%v), want disabled", e, err)
	}
	audited := func() int {
		t.Helper()
		recs, err := f.store.AuditRecords(ctx, store.CustomerChain("enable-co"), 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, r := range recs {
			if r.Action == store.ActionWebhookEnable {
				n++
			}
		}
		return n
	}

	for _, c := range []struct {
		name   string
		role   store.Role
		id     string
		status int
	}{
		{"a customer may not", store.RoleCustomer, created.ID, http.StatusForbidden},
		{"a manager may not enable an all-customers endpoint", store.RoleManager, all.ID, http.StatusNotFound},
		{"no such endpoint", store.RoleAdmin, "whe_missing", http.StatusNotFound},
		{"the manager enables it", store.RoleManager, created.ID, http.StatusOK},
		{"enabling an enabled one changes nothing", store.RoleAdmin, created.ID, http.StatusOK},
	} {
		t.Run(c.name, func(t *testing.T) {
			var out store.WebhookEndpoint
			rec := f.do(http.MethodPost, "/v1/webhooks/"+c.id+"/enable", c.role, nil, nil)
			if rec.Code != c.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, c.status, rec.Body)
			}
			if c.status != http.StatusOK {
				return
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
				t.Fatal(err)
			}
			if out.DisabledAt != nil || out.FailingSince != nil || out.EnabledAgainAt == nil || !strings.HasPrefix(out.EnabledAgainBy, "token:") && !strings.HasPrefix(out.EnabledAgainBy, "user:") {
				t.Errorf("enabled endpoint %s", rec.Body)
			}
		})
	}
	if n := audited(); n != 1 {
		t.Errorf("%d %s audit records, want 1", n, store.ActionWebhookEnable)
	}

	// Up again, it receives the next event.
	mu.Lock()
	down = false
	mu.Unlock()
	queueAndRelay(2)
	mu.Lock()
	defer mu.Unlock()
	if got != 1 {
		t.Errorf("enabled endpoint got %d messages, want 1", got)
	}
}

func TestDingTalkEndpointLanguage(t *testing.T) {
	f := newFixture(t)
	for _, c := range []struct {
		name, body string
		status     int
		field      string
		language   string
	}{
		{"a robot speaks Chinese by default", `{"kind":"dingtalk","secret":"SECx","url":"https://oapi.dingtalk.com/robot/send?access_token=a","events":["window-closing"],"customer_id":"acme"}`, http.StatusCreated, "", "zh-CN"},
		{"or English", `{"kind":"dingtalk","language":"en","secret":"SECx","url":"https://oapi.dingtalk.com/robot/send?access_token=b","events":["window-closing"],"customer_id":"acme"}`, http.StatusCreated, "", "en"},
		{"no other language", `{"kind":"dingtalk","language":"fr","secret":"SECx","url":"https://oapi.dingtalk.com/robot/send?access_token=c","events":["window-closing"],"customer_id":"acme"}`, http.StatusBadRequest, "language", ""},
		{"a standard endpoint has none", `{"language":"en","url":"https://hooks.example/x","events":["window-closing"],"customer_id":"acme"}`, http.StatusBadRequest, "language", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			rec := f.do(http.MethodPost, "/v1/webhooks", store.RoleManager, []byte(c.body), nil)
			if rec.Code != c.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, c.status, rec.Body)
			}
			var out struct {
				Language string
				Errors   []FieldError
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
				t.Fatal(err)
			}
			if out.Language != c.language || c.field != "" && (len(out.Errors) == 0 || out.Errors[0].Field != c.field) {
				t.Errorf("answer %s, want language %q, field %q", rec.Body, c.language, c.field)
			}
		})
	}
}
