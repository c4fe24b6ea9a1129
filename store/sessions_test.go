package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/sowflow/sowflow/testenv"
)

func TestSessionTimeouts(t *testing.T) {
	ctx := context.Background()
	st := New(testenv.Get(t).Pool)
	start := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	p, err := st.CreatePerson(ctx, PersonSpec{Email: uniqueEmail(t, "sess"), Name: "S", Role: RoleManager})
	if err != nil {
		t.Fatal(err)
	}
	newSession := func(t *testing.T) string {
		id, sess, err := st.CreateSession(ctx, NewSessionRequest{PersonID: p.ID, Address: "192.0.2.1", UserAgent: "test"}, start)
		if err != nil {
			t.Fatal(err)
		}
		if len(id) != 43 || sess.CSRFToken == "" || sess.Person.ID != p.ID || !sess.ExpiresAt.Equal(start.Add(7*24*time.Hour)) {
			t.Fatalf("CreateSession = %q, %+v", id, sess)
		}
		return id
	}
	t.Run("idle 12 hours ends it", func(t *testing.T) {
		id := newSession(t)
		if _, err := st.Session(ctx, id, start.Add(12*time.Hour-time.Second)); err != nil {
			t.Fatalf("just under 12 h idle: %v", err)
		}
		// The request above moved the idle timeout.
		if _, err := st.Session(ctx, id, start.Add(24*time.Hour-2*time.Second)); err != nil {
			t.Fatalf("12 h after the last request less a second: %v", err)
		}
		if _, err := st.Session(ctx, id, start.Add(36*time.Hour)); !errors.Is(err, ErrNoSession) {
			t.Fatalf("12 h idle: err = %v, want ErrNoSession", err)
		}
	})
	t.Run("7 days end it however active", func(t *testing.T) {
		id := newSession(t)
		at := start
		for at.Before(start.Add(7*24*time.Hour - 10*time.Hour)) {
			at = at.Add(10 * time.Hour)
			if _, err := st.Session(ctx, id, at); err != nil {
				t.Fatalf("active at %v: %v", at, err)
			}
		}
		if _, err := st.Session(ctx, id, start.Add(7*24*time.Hour)); !errors.Is(err, ErrNoSession) {
			t.Fatalf("after 7 days: err = %v, want ErrNoSession", err)
		}
	})
	t.Run("revoked", func(t *testing.T) {
		id := newSession(t)
		if err := st.RevokeSession(ctx, id, start.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		if _, err := st.Session(ctx, id, start.Add(2*time.Minute)); !errors.Is(err, ErrNoSession) {
			t.Fatalf("revoked: err = %v", err)
		}
	})
	t.Run("sign out everywhere", func(t *testing.T) {
		a, b := newSession(t), newSession(t)
		n, err := st.RevokePersonSessions(ctx, p.ID, start.Add(time.Minute))
		if err != nil || n < 2 {
			t.Fatalf("RevokePersonSessions = %d, %v; want at least 2", n, err)
		}
		for _, id := range []string{a, b} {
			if _, err := st.Session(ctx, id, start.Add(2*time.Minute)); !errors.Is(err, ErrNoSession) {
				t.Fatalf("after sign out everywhere: err = %v", err)
			}
		}
	})
	t.Run("unknown", func(t *testing.T) {
		if _, err := st.Session(ctx, "not-a-session", start); !errors.Is(err, ErrNoSession) {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestSignInFailures(t *testing.T) {
	ctx := context.Background()
	st := New(testenv.Get(t).Pool)
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	key := "account:" + uniqueEmail(t, "f")
	for i := range 3 {
		if err := st.RecordSignInFailure(ctx, []string{key, "address:198.51.100.7"}, at.Add(time.Duration(i)*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := st.SignInFailures(ctx, key, at, at.Add(time.Hour)); err != nil || n != 2 {
		t.Fatalf("failures after the first = %d, %v; want 2", n, err)
	}
	if oldest, err := st.OldestSignInFailure(ctx, key, at.Add(30*time.Second), at.Add(time.Hour)); err != nil || !oldest.Equal(at.Add(time.Minute)) {
		t.Fatalf("oldest = %v, %v", oldest, err)
	}
	if n, err := st.SignInFailures(ctx, key, at.Add(-time.Second), at.Add(time.Minute-time.Second)); err != nil || n != 1 {
		t.Fatalf("failures in the first minute = %d, %v; want 1", n, err)
	}
	if err := st.ClearSignInFailures(ctx, key); err != nil {
		t.Fatal(err)
	}
	if n, _ := st.SignInFailures(ctx, key, at.Add(-time.Hour), at.Add(time.Hour)); n != 0 {
		t.Fatalf("after clearing: %d failures", n)
	}
}
