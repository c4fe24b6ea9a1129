package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sowflow/sowflow/store"
	"github.com/sowflow/sowflow/testenv"
)

// receiver is a webhook endpoint that verifies each message's signature,
// decodes its body and answers with the next status of its script (200
// once the script is used up).
type receiver struct {
	t      *testing.T
	secret string
	mu     sync.Mutex
	script []int
	got    []received
}

type received struct {
	id    string
	event Event
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		rc.t.Errorf("read webhook body: %v", err)
	}
	id, ts := r.Header.Get("webhook-id"), r.Header.Get("webhook-timestamp")
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		rc.t.Errorf("webhook-timestamp %q: %v", ts, err)
	}
	want, err := Sign(rc.secret, id, sec, body)
	if err != nil || r.Header.Get("webhook-signature") != want {
		rc.t.Errorf("message %s: signature %q, want %q (%v)", id, r.Header.Get("webhook-signature"), want, err)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	var e Event
	if err := json.Unmarshal(body, &e); err != nil {
		rc.t.Errorf("message %s: body %s: %v", id, body, err)
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	status := http.StatusOK
	if len(rc.script) > 0 {
		status, rc.script = rc.script[0], rc.script[1:]
	}
	if status < 300 {
		rc.got = append(rc.got, received{id, e})
	}
	w.WriteHeader(status)
}

func (rc *receiver) messages() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]received(nil), rc.got...)
}

// fixture is a clean delivery log and outbox over the package's database.
type fixture struct {
	pool *pgxpool.Pool
	st   *store.Store
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	env := testenv.Get(t)
	ctx := context.Background()
	for _, q := range []string{`DELETE FROM deliveries`, `DELETE FROM webhook_endpoints`, `DELETE FROM outbox`, `DELETE FROM owners`} {
		if _, err := env.Pool.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	return fixture{pool: env.Pool, st: store.New(env.Pool)}
}

// project makes a project owned by customer.
func (f fixture) project(t *testing.T, id, customer string) {
	t.Helper()
	if _, err := f.pool.Exec(context.Background(), `INSERT INTO owners (kind, id, customer_id) VALUES ('project', $1, $2)`, id, customer); err != nil {
		t.Fatal(err)
	}
}

// queue adds an outbox entry of a project's event for a recipient role.
func (f fixture) queue(t *testing.T, project string, seq int64, kind, role string) {
	t.Helper()
	if _, err := f.pool.Exec(context.Background(), `
		INSERT INTO outbox (source, subject_id, event_seq, kind, recipient, payload) VALUES ('project', $1, $2, $3, $4, $5)`,
		project, seq, kind, role, fmt.Sprintf(`{"deliverable":"d%d"}`, seq)); err != nil {
		t.Fatal(err)
	}
}

func (f fixture) endpoint(t *testing.T, url, customer string, events ...string) store.WebhookEndpoint {
	t.Helper()
	e, err := f.st.CreateWebhookEndpoint(context.Background(), store.WebhookEndpointSpec{URL: url, Events: events, CustomerID: customer})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func (f fixture) relay(client *http.Client, retry Retry) *Relay {
	return &Relay{Store: f.st, Batch: 3, Channels: []Channel{{
		Name: store.ChannelWebhook, Sender: &Webhook{Store: f.st, Client: client, PublicURL: "https://sowflow.example"}, Retry: retry}}}
}

// drain runs r until a pass finds no work.
func drain(ctx context.Context, t *testing.T, r *Relay) {
	for range 1000 {
		busy, err := r.RunOnce(ctx)
		if err != nil {
			t.Error(err)
			return
		}
		if !busy {
			return
		}
	}
	t.Error("relay still busy after 1000 passes")
}

func TestRelaysDeliverEachEventOnce(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.project(t, "p-acme", "acme")
	f.project(t, "p-globex", "globex")
	const events = 20
	for seq := int64(1); seq <= events; seq++ {
		// Each event is queued for both roles, as the projections do; a
		// webhook endpoint gets it once.
		f.queue(t, "p-acme", seq, "DeliverableSubmitted", "customer")
		f.queue(t, "p-acme", seq, "DeliverableSubmitted", "manager")
		f.queue(t, "p-globex", seq, "DeliverableSubmitted", "customer")
		f.queue(t, "p-acme", seq, "PhaseAdvanced", "customer")
	}
	all := &receiver{t: t}
	acme := &receiver{t: t}
	allSrv, acmeSrv := httptest.NewServer(all), httptest.NewServer(acme)
	defer allSrv.Close()
	defer acmeSrv.Close()
	all.secret = f.endpoint(t, allSrv.URL, "", "DeliverableSubmitted").Secret
	acme.secret = f.endpoint(t, acmeSrv.URL, "acme", "DeliverableSubmitted", "PhaseAdvanced").Secret

	var wg sync.WaitGroup
	for range 2 {
		r := f.relay(allSrv.Client(), WebhookRetry)
		wg.Go(func() { drain(ctx, t, r) })
	}
	wg.Wait()
	// A relay that found everything locked by the other may have stopped
	// early; one more pass proves nothing is left.
	drain(ctx, t, f.relay(allSrv.Client(), WebhookRetry))

	check := func(name string, rc *receiver, want int) {
		t.Helper()
		got := rc.messages()
		seen := map[string]bool{}
		events := map[string]bool{}
		for _, m := range got {
			if seen[m.id] {
				t.Errorf("%s: message %s received twice", name, m.id)
			}
			seen[m.id] = true
			key := fmt.Sprintf("%s/%s/%d", m.event.Type, m.event.Data.ProjectID, m.event.Data.Seq)
			if events[key] {
				t.Errorf("%s: event %s received under two ids", name, key)
			}
			events[key] = true
		}
		if len(got) != want {
			t.Errorf("%s: %d messages, want %d", name, len(got), want)
		}
	}
	check("all customers", all, 2*events)
	check("acme only", acme, 2*events)
	for _, m := range acme.messages() {
		if m.event.Data.CustomerID != "acme" || m.event.Data.ProjectID != "p-acme" {
			t.Errorf("acme endpoint got %+v", m.event.Data)
		}
	}

	// Expanding every entry again adds no delivery and sends nothing more.
	if _, err := f.pool.Exec(ctx, `UPDATE outbox SET expanded_at = NULL`); err != nil {
		t.Fatal(err)
	}
	drain(ctx, t, f.relay(allSrv.Client(), WebhookRetry))
	var rows, unsent int
	if err := f.pool.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE sent_at IS NULL) FROM deliveries`).Scan(&rows, &unsent); err != nil {
		t.Fatal(err)
	}
	if rows != 4*events || unsent != 0 {
		t.Errorf("delivery log has %d rows (%d unsent), want %d, all sent", rows, unsent, 4*events)
	}
	if n := len(all.messages()) + len(acme.messages()); n != 4*events {
		t.Errorf("receivers got %d messages after re-expansion, want %d", n, 4*events)
	}
}

func TestRelayRetriesAFailingReceiver(t *testing.T) {
	tests := []struct {
		name       string
		script     []int
		sent       bool
		attempts   int
		lastErrors string
	}{
		{"succeeds at once", nil, true, 1, ""},
		{"down twice then up", []int{http.StatusServiceUnavailable, http.StatusTooManyRequests}, true, 3, ""},
		{"refuses for good", []int{http.StatusGone}, false, 1, "410 Gone"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			ctx := context.Background()
			f.project(t, "p1", "acme")
			f.queue(t, "p1", 7, "DeliverableRejected", "manager")
			rc := &receiver{t: t, script: tt.script}
			srv := httptest.NewServer(rc)
			defer srv.Close()
			ep := f.endpoint(t, srv.URL, "", "DeliverableRejected")
			rc.secret = ep.Secret
			// No backoff: each failed attempt is due again at once.
			drain(ctx, t, f.relay(srv.Client(), Retry{}))

			log, err := f.st.Deliveries(ctx, store.ChannelWebhook, ep.ID, 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(log) != 1 {
				t.Fatalf("delivery log %+v, want one row", log)
			}
			d := log[0]
			if (d.SentAt != nil) != tt.sent || (d.FailedAt != nil) == tt.sent || d.Attempts != tt.attempts {
				t.Errorf("delivery %+v, want sent %v after %d attempts", d, tt.sent, tt.attempts)
			}
			if tt.lastErrors == "" && d.LastError != "" || tt.lastErrors != "" && !strings.Contains(d.LastError, tt.lastErrors) {
				t.Errorf("last error %q, want %q", d.LastError, tt.lastErrors)
			}
			got := rc.messages()
			if !tt.sent {
				if len(got) != 0 {
					t.Errorf("receiver kept %d messages", len(got))
				}
				return
			}
			if len(got) != 1 {
				t.Fatalf("receiver kept %d messages, want 1", len(got))
			}
			m := got[0]
			if want := store.EventID("project:p1:0:7:DeliverableRejected"); m.id != want || d.EventID != want {
				t.Errorf("webhook-id %s, delivery log's event id %s, want %s", m.id, d.EventID, want)
			}
			e := m.event
			if e.Type != "DeliverableRejected" || e.Data.Source != "project" || e.Data.ProjectID != "p1" || e.Data.Seq != 7 ||
				e.Data.Audience != "manager" || e.Data.CustomerID != "acme" || string(e.Data.Payload) != `{"deliverable":"d7"}` ||
				e.Data.Links["self"] != "https://sowflow.example/v1/projects/p1" || e.Timestamp.IsZero() {
				t.Errorf("received event %+v (payload %s)", e, e.Data.Payload)
			}
		})
	}
}

func TestRetryDelay(t *testing.T) {
	r := Retry{Base: 30 * time.Second, Max: time.Hour}
	tests := []struct {
		attempts int
		want     time.Duration
	}{
		{1, 30 * time.Second},
		{2, time.Minute},
		{3, 2 * time.Minute},
		{8, time.Hour},
		{40, time.Hour},
	}
	for _, tt := range tests {
		got := r.delay(tt.attempts)
		if lo, hi := tt.want*8/10, tt.want*12/10; got < lo || got > hi {
			t.Errorf("delay(%d) = %v, want %v ± 20%%", tt.attempts, got, tt.want)
		}
	}
	if d := (Retry{}).delay(3); d != 0 {
		t.Errorf("zero policy waits %v", d)
	}
}

func TestSignMatchesStandardWebhooksVector(t *testing.T) {
	got, err := Sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, []byte(`{"test": 2432232314}`))
	if err != nil {
		t.Fatal(err)
	}
	if want := "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="; got != want {
		t.Errorf("signature %s, want %s", got, want)
	}
}

// crashAfterSend sends, then ends the relay's context as a crash would,
// before the relay records the send.
type crashAfterSend struct {
	inner Sender
	crash context.CancelFunc
}

func (c crashAfterSend) Send(ctx context.Context, d store.Delivery) error {
	err := c.inner.Send(ctx, d)
	c.crash()
	return err
}

func TestCrashBetweenSendAndRecordResendsOnceWithTheSameID(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.project(t, "p1", "acme")
	f.queue(t, "p1", 3, "DeliverableSubmitted", "customer")
	rc := &receiver{t: t}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	ep := f.endpoint(t, srv.URL, "", "DeliverableSubmitted")
	rc.secret = ep.Secret

	crashing := f.relay(srv.Client(), WebhookRetry)
	crashCtx, crash := context.WithCancel(ctx)
	crashing.Channels[0].Sender = crashAfterSend{inner: crashing.Channels[0].Sender, crash: crash}
	if _, err := crashing.RunOnce(crashCtx); err == nil {
		t.Fatal("relay recorded a send after its context ended")
	}
	if n := len(rc.messages()); n != 1 {
		t.Fatalf("receiver got %d messages before the crash, want 1", n)
	}
	// The crashed transaction keeps its row lock until PostgreSQL sees
	// the connection close; a second relay sends the row once it can.
	waitCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var log []store.DeliveryState
	for {
		drain(ctx, t, f.relay(srv.Client(), WebhookRetry))
		var err error
		if log, err = f.st.Deliveries(ctx, store.ChannelWebhook, ep.ID, 10); err != nil {
			t.Fatal(err)
		}
		if len(log) != 1 || log[0].SentAt != nil || waitCtx.Err() != nil {
			break
		}
	}
	if len(log) != 1 || log[0].SentAt == nil || log[0].Attempts != 1 {
		t.Fatalf("delivery log %+v, want one row sent in one recorded attempt", log)
	}
	got := rc.messages()
	if len(got) != 2 || got[0].id != got[1].id || got[0].id != log[0].EventID {
		t.Errorf("receiver got %+v, want the message twice under id %s", got, log[0].EventID)
	}
}
