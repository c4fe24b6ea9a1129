package notify

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sowflow/sowflow/store"
	"github.com/sowflow/sowflow/testenv"
)

// crashChildEnv makes the test binary a relay process on the database it
// names (TestMain), for the crash test to kill.
const crashChildEnv = "SOWFLOW_NOTIFY_CRASH_CHILD"

// runCrashChild relays until it is killed.
func runCrashChild(url string) int {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		return 1
	}
	st := store.New(pool)
	r := &Relay{Store: st, Batch: 1, Interval: 10 * time.Millisecond, Channels: []Channel{{
		Name: store.ChannelWebhook, Sender: &Webhook{Store: st}, Retry: WebhookRetry}}}
	r.Run(ctx)
	return 0
}

// hangingReceiver takes messages; while hang is set it signals arrived
// and never answers, as a receiver mid-request when its sender dies.
type hangingReceiver struct {
	receiver
	hang    bool
	arrived chan struct{}
	// release ends the hanging request (its sender is dead by then).
	release chan struct{}
	once    sync.Once
}

func (h *hangingReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	hang := h.hang
	h.mu.Unlock()
	if hang {
		h.once.Do(func() { close(h.arrived) })
		select {
		case <-r.Context().Done():
		case <-h.release:
		}
		return
	}
	h.receiver.ServeHTTP(w, r)
}

// TestProcessKilledMidSendLosesNothing kills a relay process (SIGKILL)
// while it is sending: another relay then sends the delivery, once more
// with the same webhook-id, and the delivery log holds one row, sent.
func TestProcessKilledMidSendLosesNothing(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.project(t, "p-crash", "acme")
	f.queue(t, "p-crash", 1, "clock-breached", "manager")
	rc := &hangingReceiver{receiver: receiver{t: t}, hang: true, arrived: make(chan struct{}), release: make(chan struct{})}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	ep := f.endpoint(t, srv.URL, "", "clock-breached")
	rc.secret = ep.Secret

	child := exec.Command(os.Args[0], "-test.run=^$")
	child.Env = append(os.Environ(), crashChildEnv+"="+testenv.Get(t).DatabaseURL, "SOWFLOW_ALLOW_HTTP_DOCUMENT_URIS=true")
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-rc.arrived:
	case <-time.After(2 * time.Minute):
		_ = child.Process.Kill()
		t.Fatal("the relay process sent nothing")
	}
	if err := child.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = child.Wait()
	rc.mu.Lock()
	rc.hang = false
	rc.mu.Unlock()
	close(rc.release)

	// The killed process's row lock goes when PostgreSQL sees its
	// connection close; then this relay sends the row.
	deadline := time.Now().Add(time.Minute)
	var log []store.DeliveryState
	for {
		drain(ctx, t, f.relay(srv.Client(), WebhookRetry))
		var err error
		if log, err = f.st.Deliveries(ctx, store.ChannelWebhook, ep.ID, 10); err != nil {
			t.Fatal(err)
		}
		if len(log) != 1 || log[0].SentAt != nil || time.Now().After(deadline) {
			break
		}
	}
	if len(log) != 1 || log[0].SentAt == nil || log[0].Attempts != 1 {
		t.Fatalf("delivery log %+v, want one row sent in one recorded attempt", log)
	}
	got := rc.messages()
	if len(got) != 1 || got[0].id != log[0].EventID {
		t.Errorf("receiver kept %+v, want the message once under %s", got, log[0].EventID)
	}
}
