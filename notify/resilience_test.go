package notify

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sowflow/sowflow/store"
	"github.com/sowflow/sowflow/testenv"
)

// TestRelayBacksOffWhilePostgresIsUnreachable: the relay's store cannot
// reach PostgreSQL (every connection it takes fails, as when the server is
// down; the shared server itself stays up for the other tests). Run backs
// off, doubling its wait after each failed pass, and once PostgreSQL is
// back it delivers the event queued meanwhile, once.
func TestRelayBacksOffWhilePostgresIsUnreachable(t *testing.T) {
	f := newFixture(t)
	env := testenv.Get(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	cfg, err := pgxpool.ParseConfig(env.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	var (
		down     atomic.Bool
		mu       sync.Mutex
		failedAt []time.Time
	)
	const failuresSeen = 5
	enoughFailures := make(chan struct{})
	cfg.PrepareConn = func(context.Context, *pgx.Conn) (bool, error) {
		if !down.Load() {
			return true, nil
		}
		mu.Lock()
		defer mu.Unlock()
		failedAt = append(failedAt, time.Now())
		if len(failedAt) == failuresSeen {
			close(enoughFailures)
		}
		return false, errors.New("connection refused (postgres is down)")
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	st := store.New(pool)

	rc := &receiver{t: t}
	delivered := make(chan struct{}, 100)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc.ServeHTTP(w, r)
		delivered <- struct{}{}
	}))
	defer srv.Close()
	f.project(t, "p-pg-down", "acme")
	rc.secret = f.endpoint(t, srv.URL, "", "ticket-warning").Secret

	down.Store(true)
	// Queued through the package's own pool: the workflows' projection
	// would write it once PostgreSQL is back, too.
	f.queue(t, "p-pg-down", 1, "ticket-warning", "manager")
	const interval = 5 * time.Millisecond
	r := &Relay{Store: st, Interval: interval, MaxBackoff: 80 * time.Millisecond, Channels: []Channel{{
		Name: store.ChannelWebhook, Sender: &Webhook{Store: st, Client: srv.Client()}, Retry: WebhookRetry}}}
	done := make(chan struct{})
	go func() {
		defer close(done)
		r.Run(ctx)
	}()
	select {
	case <-enoughFailures:
	case <-time.After(30 * time.Second):
		t.Fatal("the relay did not try PostgreSQL again")
	}
	mu.Lock()
	for i := 1; i < failuresSeen; i++ {
		if gap, want := failedAt[i].Sub(failedAt[i-1]), r.backoff(interval, i); gap < want {
			t.Errorf("pass %d came %s after the failed one, want at least %s", i+1, gap, want)
		}
	}
	mu.Unlock()
	select {
	case <-delivered:
		t.Fatal("delivered while PostgreSQL was down")
	default:
	}

	down.Store(false)
	select {
	case <-delivered:
	case <-time.After(30 * time.Second):
		t.Fatal("nothing delivered after PostgreSQL came back")
	}
	// Stopping the relay may roll back the transaction recording the
	// send; a relay started again sends that delivery again, with the same
	// webhook-id (at least once on the wire, once in the delivery log).
	cancel()
	<-done
	// The stopped relay's transaction may hold its row lock a moment
	// after its connection is gone, and a relay skips locked rows: wait
	// for the lock itself before draining.
	if err := pgx.BeginFunc(context.Background(), f.pool, func(tx pgx.Tx) error {
		_, err := tx.Exec(context.Background(), `SELECT 1 FROM deliveries WHERE channel = 'webhook' FOR UPDATE`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	drain(context.Background(), t, r)
	got := rc.messages()
	if len(got) == 0 || got[0].event.Data.ProjectID != "p-pg-down" {
		t.Errorf("receiver got %+v, want the event", got)
	}
	for _, m := range got {
		if m.id != got[0].id {
			t.Errorf("receiver got two events, %s and %s, want one", got[0].id, m.id)
		}
	}
	var sent int
	if err := f.pool.QueryRow(context.Background(), `SELECT count(*) FROM deliveries WHERE channel = 'webhook' AND sent_at IS NOT NULL`).Scan(&sent); err != nil || sent != 1 {
		t.Errorf("%d deliveries sent (%v), want 1", sent, err)
	}
}

func TestRelayBackoffDoublesUpToItsLimit(t *testing.T) {
	r := &Relay{MaxBackoff: time.Minute}
	for _, c := range []struct {
		failures int
		want     time.Duration
	}{{1, 4 * time.Second}, {2, 8 * time.Second}, {4, 32 * time.Second}, {5, time.Minute}, {50, time.Minute}} {
		if got := r.backoff(2*time.Second, c.failures); got != c.want {
			t.Errorf("after %d failures: %s, want %s", c.failures, got, c.want)
		}
	}
}

// TestReceiverDownForTenMinutes: a receiver down for ten minutes, on the
// relay's own clock, is retried on the webhook schedule (30 s, 1, 2, 4
// and 8 minutes, ±20%), gets every event once and in order when it is
// back, and the endpoint is not disabled. The clock moves to each next
// attempt instead of the test waiting for it.
func TestReceiverDownForTenMinutes(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.project(t, "p-ten", "acme")
	const events = 4
	for seq := int64(1); seq <= events; seq++ {
		f.queue(t, "p-ten", seq, "ticket-warning", "manager")
	}
	// The relay's clock starts an hour ago, so every attempt it schedules
	// is due at once in PostgreSQL's time.
	var clockMu sync.Mutex
	start := time.Now().Add(-time.Hour)
	now := start
	clock := func() time.Time {
		clockMu.Lock()
		defer clockMu.Unlock()
		return now
	}
	upAt := start.Add(10 * time.Minute)
	rc := &receiver{t: t}
	var refused atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if clock().Before(upAt) {
			refused.Add(1)
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		rc.ServeHTTP(w, r)
	}))
	defer srv.Close()
	ep := f.endpoint(t, srv.URL, "", "ticket-warning")
	rc.secret = ep.Secret
	r := &Relay{Store: f.st, Now: clock, Channels: []Channel{{
		Name: store.ChannelWebhook, Sender: &Webhook{Store: f.st, Client: srv.Client(), Now: clock}, Retry: WebhookRetry}}}
	for pass := 0; len(rc.messages()) < events; pass++ {
		if pass > 50 {
			t.Fatalf("still undelivered after 50 passes: %d refused, %d received", refused.Load(), len(rc.messages()))
		}
		if _, err := r.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		// Wait, on the relay's clock, for the next retry.
		var next *time.Time
		if err := f.pool.QueryRow(ctx, `SELECT min(next_attempt_at) FROM deliveries WHERE sent_at IS NULL AND failed_at IS NULL AND attempts > 0`).Scan(&next); err != nil {
			t.Fatal(err)
		}
		if next != nil {
			clockMu.Lock()
			now = *next
			clockMu.Unlock()
		}
	}
	if n := refused.Load(); n != 5 {
		t.Errorf("the receiver refused %d attempts, want 5 (at 0 s, 30 s, 1.5, 3.5 and 7.5 minutes)", n)
	}
	got := rc.messages()
	if len(got) != events {
		t.Fatalf("receiver got %d events, want %d", len(got), events)
	}
	for i, m := range got {
		if m.event.Data.Seq != int64(i+1) {
			t.Errorf("event %d has seq %d: %s", i, m.event.Data.Seq, seqs(got))
		}
	}
	log, err := f.st.Deliveries(ctx, store.ChannelWebhook, ep.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	for i, d := range log {
		want := 1
		if i == 0 {
			want = 6
		}
		if d.SentAt == nil || d.Attempts != want || d.LastError != "" {
			t.Errorf("delivery %d: %+v, want sent after %d attempts", i, d, want)
		}
	}
	if e, err := f.st.WebhookEndpoint(ctx, ep.ID); err != nil || e.DisabledAt != nil || e.FailingSince != nil {
		t.Errorf("endpoint after the outage: %+v (%v), want enabled and healthy", e, err)
	}
}
