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
