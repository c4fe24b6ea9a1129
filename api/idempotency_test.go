package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/sowflow/sowflow/store"
	"github.com/sowflow/sowflow/testenv"
	"github.com/sowflow/sowflow/workflows"
)

// wantReplay checks that rec replays first: the same status, content type,
// Location and body byte for byte, marked Idempotent-Replayed.
func wantReplay(t *testing.T, first, rec *httptest.ResponseRecorder) {
	t.Helper()
	if rec.Header().Get(replayedHeader) != "true" {
		t.Errorf("retry not marked %s: %d %s", replayedHeader, rec.Code, rec.Body)
	}
	if rec.Header().Get("Location") != first.Header().Get("Location") {
		t.Errorf("retry Location %q, first answer's %q", rec.Header().Get("Location"), first.Header().Get("Location"))
	}
	if rec.Code != first.Code || rec.Header().Get("Content-Type") != first.Header().Get("Content-Type") || !bytes.Equal(rec.Body.Bytes(), first.Body.Bytes()) {
		t.Errorf("retry answered %d %s %s\nfirst answer %d %s %s", rec.Code, rec.Header().Get("Content-Type"), rec.Body,
			first.Code, first.Header().Get("Content-Type"), first.Body)
	}
}

// countEvents counts the project's recorded events of type typ.
func countEvents(c caller, id string, typ workflows.EventType) int {
	c.t.Helper()
	n := 0
	for _, e := range c.events(id, 500) {
		if e.Type == string(typ) {
			n++
		}
	}
	return n
}

// TestIdempotentReplay retries requests with their Idempotency-Key: each retry
// gets the first answer, whatever it was, and has no effect of its own.
func TestIdempotentReplay(t *testing.T) {
	f := newFixture(t)
	sfx := unique(t)
	id := "ik-" + sfx
	mgr := f.as(t, store.RoleManager)
	cust := f.as(t, store.RoleCustomer)

	t.Run("start", func(t *testing.T) {
		key := "start-" + sfx
		first := mgr.postKey("/v1/projects", key, msStart(id, "acme"))
		wantStatus(t, first, http.StatusCreated)
		if first.Header().Get(replayedHeader) != "" {
			t.Errorf("first answer marked %s", replayedHeader)
		}
		// Without the key a second start is refused; with it, it is the
		// first start's answer.
		wantReplay(t, first, mgr.postKey("/v1/projects", key, msStart(id, "acme")))
		wantReplay(t, first, mgr.postKey("/v1/projects", key, msStart(id, "acme")))
		if n := countEvents(mgr, id, workflows.EventProjectStarted); n > 1 {
			t.Errorf("%d project-started events", n)
		}
	})

	var submitKey string
	t.Run("action", func(t *testing.T) {
		submitKey = "submit-" + sfx
		first := mgr.postKey(submissionPath(id, "kickoff-meeting-report"), submitKey, document("kickoff"))
		wantStatus(t, first, http.StatusOK)
		seq := mgr.state(id).Seq
		for range 3 {
			wantReplay(t, first, mgr.postKey(submissionPath(id, "kickoff-meeting-report"), submitKey, document("kickoff")))
		}
		st := mgr.state(id)
		if st.Seq != seq || len(st.Deliverables[0].Rounds[0].Submissions) != 1 || len(mgr.events(id, 100)) != int(seq) {
			t.Errorf("replays changed the project: seq %d → %d, %d submissions", seq, st.Seq, len(st.Deliverables[0].Rounds[0].Submissions))
		}
		if n := countEvents(mgr, id, workflows.EventDeliverableSubmitted); n != 1 {
			t.Errorf("%d submissions recorded", n)
		}
	})

	t.Run("refusal", func(t *testing.T) {
		// A refusal changed nothing and is not kept: the same request with
		// the same key, retried after the refusal's cause is gone, runs.
		key := "advance-" + sfx
		first := mgr.postKey(advancePath(id, "kickoff"), key, nil)
		wantStatus(t, first, http.StatusConflict)
		if n := idempotencyRows(t, f, mgr.token, key); n != 0 {
			t.Errorf("the refusal left %d idempotency records", n)
		}
		cust.act(decisionPath(id, "kickoff-meeting-report"), accept)
		retry := mgr.postKey(advancePath(id, "kickoff"), key, nil)
		wantStatus(t, retry, http.StatusOK)
		if retry.Header().Get(replayedHeader) != "" {
			t.Error("the retry of a refusal was a replay")
		}
		if st := mgr.state(id); st.Phase == "kickoff" {
			t.Errorf("the retried advance did not advance: phase %s", st.Phase)
		}
		wantReplay(t, retry, mgr.postKey(advancePath(id, "kickoff"), key, nil))
	})

	t.Run("validation error and not found", func(t *testing.T) {
		for _, r := range []struct{ path, body string }{
			{projectPath(id, "/termination"), `{}`},
			{projectPath("no-such-"+sfx, "/termination"), `{"reason":"x"}`},
		} {
			key := "nothing-" + sfx + r.path
			first := mgr.postKey(r.path, key, r.body)
			if first.Code < 400 || first.Code >= 500 {
				t.Fatalf("%s: status %d", r.path, first.Code)
			}
			if n := idempotencyRows(t, f, mgr.token, key); n != 0 {
				t.Errorf("%s: a %d answer left %d idempotency records", r.path, first.Code, n)
			}
		}
	})

	t.Run("same key, other request", func(t *testing.T) {
		seq := mgr.state(id).Seq
		for name, r := range map[string]request{
			"other body":   {path: submissionPath(id, "kickoff-meeting-report"), body: jsonBody(t, document("kickoff v2"))},
			"other path":   {path: submissionPath(id, "implementation-solution"), body: jsonBody(t, document("kickoff"))},
			"other action": {path: projectPath(id, "/termination"), body: []byte(`{"reason":"x"}`)},
			"empty body":   {path: submissionPath(id, "kickoff-meeting-report")},
		} {
			r.method, r.token, r.key = http.MethodPost, mgr.token, submitKey
			rec := f.send(r)
			if rec.Code != http.StatusUnprocessableEntity {
				t.Errorf("%s: status %d: %s", name, rec.Code, rec.Body)
				continue
			}
			p := problemOf(t, rec)
			if p.Type != ProblemIdempotencyMismatch || problemFields(p)[idempotencyHeader] != "reused" {
				t.Errorf("%s: problem %+v", name, p)
			}
		}
		if st := mgr.state(id); st.Seq != seq || st.Status != workflows.StatusActive {
			t.Errorf("reused keys changed the project: seq %d → %d, %s", seq, st.Seq, st.Status)
		}
	})

	t.Run("keys belong to their token", func(t *testing.T) {
		// The manager's key, sent by another token, is that token's own key.
		// (The refusal's retry above advanced the project to the second phase.)
		mgr.act(submissionPath(id, "implementation-solution"), document("solution"))
		rec := cust.postKey(decisionPath(id, "implementation-solution"), submitKey, accept)
		wantStatus(t, rec, http.StatusOK)
		if rec.Header().Get(replayedHeader) != "" {
			t.Error("another token's key replayed")
		}
	})
}

// idempotencyRecord is the record the API keeps for body sent to path with
// key by the token whose secret is given.
func idempotencyRecord(t *testing.T, f *fixture, secret, key, path string, body []byte) store.IdempotencyRequest {
	h := sha256.New()
	h.Write([]byte(http.MethodPost + "\n" + path + "\n"))
	h.Write(body)
	return store.IdempotencyRequest{TokenID: f.tokenID(t, secret), Key: key, Method: http.MethodPost, Path: path, Hash: h.Sum(nil)}
}

// TestIdempotencyKeyInUse retries a request whose first attempt still holds
// its key (as if it were running in another process): 409 until that attempt
// ends, and the retry after it does the work once.
func TestIdempotencyKeyInUse(t *testing.T) {
	f := newFixture(t)
	sfx := unique(t)
	id := "iu-" + sfx
	mgr := f.as(t, store.RoleManager)
	cust := f.as(t, store.RoleCustomer)
	mgr.start(msStart(id, "acme"))
	mgr.act(submissionPath(id, "kickoff-meeting-report"), document("kickoff"))
	ctx := context.Background()

	path, body, key := decisionPath(id, "kickoff-meeting-report"), jsonBody(t, accept), "running-"+sfx
	held := idempotencyRecord(t, f, cust.token, key, path, body)
	if outcome, _, err := f.store.BeginIdempotent(ctx, held); err != nil || outcome != store.IdempotencyProceed {
		t.Fatalf("claim: %v %v", outcome, err)
	}

	rec := cust.postKey(path, key, body)
	wantStatus(t, rec, http.StatusConflict)
	if p := problemOf(t, rec); p.Type != ProblemIdempotencyRunning {
		t.Errorf("problem %+v", p)
	}
	if rec.Header().Get("Retry-After") == "" {
		t.Error("409 without Retry-After")
	}
	// Another request under the running key is still a reuse.
	rec = cust.postKey(path, key, `{"decision":"reject","reason":"no"}`)
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	if st := cust.state(id); st.Deliverables[0].Status != workflows.DeliverableSubmitted {
		t.Fatalf("kickoff is %s while its decision never ran", st.Deliverables[0].Status)
	}

	// The first attempt fails server-side and releases the key: the retry runs.
	if err := f.store.AbandonIdempotent(ctx, held); err != nil {
		t.Fatal(err)
	}
	first := cust.postKey(path, key, body)
	wantStatus(t, first, http.StatusOK)
	if first.Header().Get(replayedHeader) != "" {
		t.Error("the retry after the release was replayed")
	}
	wantReplay(t, first, cust.postKey(path, key, body))
	if n := countEvents(cust, id, workflows.EventDeliverableAccepted); n != 1 {
		t.Errorf("%d acceptances", n)
	}

	t.Run("abandoned by a dead process", func(t *testing.T) {
		// A key held longer than the store allows belongs to a process that died
		// mid-request: a retry takes it over.
		mgr.act(advancePath(id, "kickoff"), nil)
		path, body, key := submissionPath(id, "implementation-solution"), jsonBody(t, document("solution")), "stale-"+sfx
		held := idempotencyRecord(t, f, mgr.token, key, path, body)
		if outcome, _, err := f.store.BeginIdempotent(ctx, held); err != nil || outcome != store.IdempotencyProceed {
			t.Fatalf("claim: %v %v", outcome, err)
		}
		wantStatus(t, mgr.postKey(path, key, body), http.StatusConflict)
		// The store takes a key over after two minutes (store.abandonAfter).
		if _, err := testenv.Get(t).Pool.Exec(ctx, `UPDATE idempotency_keys SET updated_at = now() - interval '3 minutes' WHERE token_id = $1 AND key = $2`,
			held.TokenID, key); err != nil {
			t.Fatal(err)
		}
		wantStatus(t, mgr.postKey(path, key, body), http.StatusOK)
		if n := countEvents(mgr, id, workflows.EventDeliverableSubmitted); n != 2 {
			t.Errorf("%d submissions, want 2", n)
		}
	})
}

// TestConcurrentDecisions sends the same decision on one deliverable from many
// goroutines at once: exactly one takes effect.
func TestConcurrentDecisions(t *testing.T) {
	f := newFixture(t)
	sfx := unique(t)
	id := "cd-" + sfx
	mgr := f.as(t, store.RoleManager)
	cust := f.as(t, store.RoleCustomer)
	mgr.start(msStart(id, "acme"))
	mgr.act(submissionPath(id, "kickoff-meeting-report"), document("kickoff"))

	const n = 8
	race := func(path string, key func(i int) string) []*httptest.ResponseRecorder {
		recs := make([]*httptest.ResponseRecorder, n)
		body := jsonBody(t, accept)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				<-start
				recs[i] = f.send(request{method: http.MethodPost, path: path, token: cust.token, body: body, key: key(i)})
			})
		}
		close(start)
		wg.Wait()
		return recs
	}

	t.Run("different keys", func(t *testing.T) {
		recs := race(decisionPath(id, "kickoff-meeting-report"), func(i int) string { return "decide-" + sfx + "-" + strconv.Itoa(i) })
		ok := 0
		for _, rec := range recs {
			switch rec.Code {
			case http.StatusOK:
				ok++
			case http.StatusConflict:
				if p := problemOf(t, rec); p.Type != ProblemRefused || p.Rule != workflows.RuleState {
					t.Errorf("refusal %+v", p)
				}
			default:
				t.Errorf("status %d: %s", rec.Code, rec.Body)
			}
		}
		if ok != 1 {
			t.Errorf("%d decisions succeeded, want 1: statuses %v", ok, statuses(recs))
		}
		if got := countEvents(cust, id, workflows.EventDeliverableAccepted); got != 1 {
			t.Errorf("%d acceptances recorded", got)
		}
		t.Logf("statuses %v", statuses(recs))
		st := cust.state(id)
		if rd := st.Deliverables[0].Rounds[0]; rd.Status != workflows.DeliverableAccepted || len(rd.Submissions) != 1 || rd.Submissions[0].Decision == nil {
			t.Errorf("kickoff round %+v", rd)
		}
	})

	t.Run("one key", func(t *testing.T) {
		mgr.act(advancePath(id, "kickoff"), nil)
		mgr.act(submissionPath(id, "implementation-solution"), document("solution"))
		recs := race(decisionPath(id, "implementation-solution"), func(int) string { return "same-" + sfx })
		var first *httptest.ResponseRecorder
		for _, rec := range recs {
			switch {
			case rec.Code == http.StatusOK && rec.Header().Get(replayedHeader) == "":
				if first != nil {
					t.Errorf("two requests with one key ran: %s and %s", first.Body, rec.Body)
				}
				first = rec
			case rec.Code == http.StatusOK:
			case rec.Code == http.StatusConflict:
				if p := problemOf(t, rec); p.Type != ProblemIdempotencyRunning {
					t.Errorf("refusal %+v", p)
				}
			default:
				t.Errorf("status %d: %s", rec.Code, rec.Body)
			}
		}
		if first == nil {
			t.Fatalf("no request ran: statuses %v", statuses(recs))
		}
		t.Logf("statuses %v", statuses(recs))
		for _, rec := range recs {
			if rec.Code == http.StatusOK {
				wantReplayBody(t, first, rec)
			}
		}
		if got := countEvents(cust, id, workflows.EventDeliverableAccepted); got != 2 {
			t.Errorf("%d acceptances recorded, want 2 (one per deliverable)", got)
		}
	})
}

// wantReplayBody checks that rec carries first's body (rec may be first).
func wantReplayBody(t *testing.T, first, rec *httptest.ResponseRecorder) {
	t.Helper()
	if !bytes.Equal(first.Body.Bytes(), rec.Body.Bytes()) {
		t.Errorf("answers differ: %s and %s", first.Body, rec.Body)
	}
}

// TestIdempotencyPanicReleasesKey: a handler that panics answers 500, and its
// key must be released like any server-side failure's, not kept with the
// empty 200 the response writer held when the panic unwound.
func TestIdempotencyPanicReleasesKey(t *testing.T) {
	f := newFixture(t)
	h := &handlers{deps: Deps{Store: f.store, Logger: discardLogger()}, metrics: newMetrics()}
	r := gin.New()
	r.Use(requestID(), recovery(h.deps.Logger))
	calls := 0
	r.POST("/boom", h.authenticate, h.idempotent, func(*gin.Context) {
		calls++
		panic("boom")
	})
	f.handler = r
	for i := range 2 {
		rec := f.send(request{method: http.MethodPost, path: "/boom", token: f.tokens[store.RoleManager], key: "boom", body: []byte(`{}`)})
		wantStatus(t, rec, http.StatusInternalServerError)
		if rec.Header().Get(replayedHeader) != "" {
			t.Errorf("attempt %d replayed", i+1)
		}
	}
	if calls != 2 {
		t.Errorf("handler ran %d times, want 2", calls)
	}
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// statuses lists the answers' statuses, replays marked with an R.
func statuses(recs []*httptest.ResponseRecorder) []string {
	out := make([]string, len(recs))
	for i, rec := range recs {
		out[i] = strconv.Itoa(rec.Code)
		if rec.Header().Get(replayedHeader) != "" {
			out[i] += "R"
		}
	}
	return out
}

// TestStartRetryAfterLostAnswer retries a start whose first answer was lost
// after the workflow started but before the key's record was stored (the
// record is released, as after a 5xx): the retry with the same key and body
// answers 201 with the first run, while another key, or the same key with
// another body, is a second start and gets 409.
func TestStartRetryAfterLostAnswer(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	sfx := unique(t)
	id := "lost-" + sfx
	mgr := f.as(t, store.RoleManager)
	key := "start-" + sfx
	body := msStart(id, "acme")
	first := mgr.postKey("/v1/projects", key, body)
	wantStatus(t, first, http.StatusCreated)
	var started startedProject
	decode(t, first, &started)
	release := func() {
		t.Helper()
		if _, err := testenv.Get(t).Pool.Exec(ctx, `DELETE FROM idempotency_keys WHERE key = $1`, key); err != nil {
			t.Fatal(err)
		}
	}
	release()

	retry := mgr.postKey("/v1/projects", key, body)
	wantStatus(t, retry, http.StatusCreated)
	if retry.Header().Get(replayedHeader) != "" {
		t.Error("the retry was replayed from a record that was released")
	}
	var again startedProject
	decode(t, retry, &again)
	if again.RunID != started.RunID || again.WorkflowID != started.WorkflowID || retry.Header().Get("Location") != projectPath(id) {
		t.Errorf("retry answered %+v at %q, want run %s", again, retry.Header().Get("Location"), started.RunID)
	}
	// The start reaches the read model with the run's first projection,
	// after the answer: wait for it, then count.
	waitFor(t, "the start in the read model", func() bool { return countEvents(mgr, id, workflows.EventProjectStarted) > 0 })
	if n := countEvents(mgr, id, workflows.EventProjectStarted); n != 1 {
		t.Errorf("%d starts", n)
	}

	release()
	other := msStart(id, "acme")
	other["dates"] = map[string]string{"contract_signing": "2026-11-03T10:00:00+08:00"}
	for name, rec := range map[string]*httptest.ResponseRecorder{
		"another key":          mgr.postKey("/v1/projects", "other-"+sfx, body),
		"same key, other body": mgr.postKey("/v1/projects", key, other),
	} {
		if rec.Code != http.StatusConflict || problemOf(t, rec).Type != ProblemExists {
			t.Errorf("%s: %d %s", name, rec.Code, rec.Body)
		}
	}
}

// idempotencyRows counts the idempotency records of key for the token whose
// secret is given.
func idempotencyRows(t *testing.T, f *fixture, secret, key string) int {
	t.Helper()
	var n int
	err := testenv.Get(t).Pool.QueryRow(t.Context(), `SELECT count(*) FROM idempotency_keys WHERE token_id = $1 AND key = $2`,
		f.tokenID(t, secret), key).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestIdempotencyRetention: a record older than the retention no longer
// answers; its key is new again.
func TestIdempotencyRetention(t *testing.T) {
	f := newFixture(t)
	sfx := unique(t)
	mgr := f.as(t, store.RoleManager)
	key := "retained-" + sfx
	first := mgr.postKey("/v1/projects", key, msStart("ret-"+sfx, "acme"))
	wantStatus(t, first, http.StatusCreated)
	wantReplay(t, first, mgr.postKey("/v1/projects", key, msStart("ret-"+sfx, "acme")))
	_, err := testenv.Get(t).Pool.Exec(t.Context(), `UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE token_id = $1 AND key = $2`,
		f.tokenID(t, mgr.token), key)
	if err != nil {
		t.Fatal(err)
	}
	// Another request with the expired key is a new request, not a reuse.
	second := mgr.postKey("/v1/projects", key, msStart("ret2-"+sfx, "acme"))
	wantStatus(t, second, http.StatusCreated)
}

// TestIdempotencyClaimLost: the claim of an Idempotency-Key is committed
// without waiting for the disk (store.BeginIdempotent), so a crash of the
// PostgreSQL server could lose it, and with it a request's record before
// its answer was stored. A retry with the same key then runs as a new
// request: it must answer what the first did and take effect once, because
// its Update carries the same update ID and Temporal deduplicates it. The
// test deletes the key's record, as the crash would, and retries.
func TestIdempotencyClaimLost(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	sfx := unique(t)
	id := "claimlost-" + sfx
	mgr := f.as(t, store.RoleManager)
	cust := f.as(t, store.RoleCustomer)
	wantStatus(t, mgr.post("/v1/projects", msStart(id, "acme")), http.StatusCreated)

	for _, tc := range []struct {
		name  string
		as    caller
		path  string
		body  any
		event workflows.EventType
	}{
		{"submit", mgr, submissionPath(id, "kickoff-meeting-report"), document("kickoff"), workflows.EventDeliverableSubmitted},
		{"accept", cust, decisionPath(id, "kickoff-meeting-report"), accept, workflows.EventDeliverableAccepted},
	} {
		t.Run(tc.name, func(t *testing.T) {
			key := "lost-" + tc.name + "-" + sfx
			first := tc.as.postKey(tc.path, key, tc.body)
			wantStatus(t, first, http.StatusOK)
			seq := mgr.state(id).Seq
			tag, err := testenv.Get(t).Pool.Exec(ctx, `DELETE FROM idempotency_keys WHERE token_id = $1 AND key = $2`,
				f.tokenID(t, tc.as.token), key)
			if err != nil || tag.RowsAffected() != 1 {
				t.Fatalf("delete the record: %v, %d rows", err, tag.RowsAffected())
			}

			retry := tc.as.postKey(tc.path, key, tc.body)
			wantStatus(t, retry, http.StatusOK)
			if retry.Header().Get(replayedHeader) != "" {
				t.Error("the retry was replayed from a record that was deleted")
			}
			var a, b workflows.ActionResult
			decode(t, first, &a)
			decode(t, retry, &b)
			if a.Seq != b.Seq || len(a.Events) == 0 || len(a.Events) != len(b.Events) || a.Events[0].Seq != b.Events[0].Seq {
				t.Errorf("the retry answered seq %d with %d events, the first seq %d with %d", b.Seq, len(b.Events), a.Seq, len(a.Events))
			}
			if st := mgr.state(id); st.Seq != seq {
				t.Errorf("the retry acted again: seq %d → %d", seq, st.Seq)
			}
			if n := countEvents(mgr, id, tc.event); n != 1 {
				t.Errorf("%d %s events recorded", n, tc.event)
			}
			// The retry's answer is stored: a further retry replays it.
			wantReplay(t, retry, tc.as.postKey(tc.path, key, tc.body))
		})
	}

	// A minimal start's answer is stored without waiting for the disk
	// (store.AnswerRederivable): losing it, the retry answers the same
	// bytes, the run the first attempt started included.
	t.Run("minimal start", func(t *testing.T) {
		key, started := "lost-start-"+sfx, "claimlost-start-"+sfx
		send := func() *httptest.ResponseRecorder {
			return f.send(request{method: http.MethodPost, path: "/v1/projects", token: mgr.token, key: key,
				body: jsonBody(t, msStart(started, "acme")), header: http.Header{"Prefer": {"return=minimal"}}})
		}
		first := send()
		wantStatus(t, first, http.StatusCreated)
		tag, err := testenv.Get(t).Pool.Exec(ctx, `DELETE FROM idempotency_keys WHERE token_id = $1 AND key = $2 AND state = 'done'`,
			f.tokenID(t, mgr.token), key)
		if err != nil || tag.RowsAffected() != 1 {
			t.Fatalf("delete the stored answer: %v, %d rows", err, tag.RowsAffected())
		}
		retry := send()
		wantStatus(t, retry, http.StatusCreated)
		if retry.Header().Get(replayedHeader) != "" {
			t.Error("the retry was replayed from a record that was deleted")
		}
		if retry.Body.String() != first.Body.String() || retry.Header().Get("Location") != first.Header().Get("Location") {
			t.Errorf("the retry answered %s at %q, the first %s at %q", retry.Body, retry.Header().Get("Location"), first.Body, first.Header().Get("Location"))
		}
		wantReplay(t, retry, send())
	})
}
