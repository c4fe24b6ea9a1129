package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sowflow/sowflow/testenv"
)

func TestCanonicalJSON(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"whitespace goes", " { \"b\" : 1 ,\n\t\"a\" : [ true , false , null ] } ", `{"a":[true,false,null],"b":1}`},
		{"nested objects are sorted", `{"z":{"y":1,"x":{"b":[],"a":{}}},"a":""}`, `{"a":"","z":{"x":{"a":{},"b":[]},"y":1}}`},
		{"numbers are kept as written", `[1.0, 1e2, -0, 0.10, 1E-7, 123456789012345678901234567890]`, `[1.0,1e2,-0,0.10,1E-7,123456789012345678901234567890]`},
		{"keys in code-point order", `{"é":1,"z":2,"A":3,"aa":4,"a":5,"":6,"😀":7,"\ue000":8}`, "{\"\":6,\"A\":3,\"a\":5,\"aa\":4,\"z\":2,\"é\":1,\"\ue000\":8,\"😀\":7}"},
		{"last duplicate key wins", `{"a":1,"b":0,"a":2}`, `{"a":2,"b":0}`},
		{"string escapes", `"\u0041\u00e9\/<>&\u2028\"\\\b\f\n\r\t\u0001\u001F\u007f"`, "\"Aé/<>&\u2028\\\"\\\\\\b\\f\\n\\r\\t\\u0001\\u001f\x7f\""},
		{"scalars", `"x"`, `"x"`},
		{"surrogate pair", `"\ud83d\ude00"`, `"😀"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := CanonicalJSON([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Fatalf("got  %s\nwant %s", got, tt.want)
			}
			again, err := CanonicalJSON(got)
			if err != nil || string(again) != string(got) {
				t.Errorf("not idempotent: %s (%v)", again, err)
			}
		})
	}

	refused := []struct{ name, in string }{
		{"empty", ``},
		{"two values", `{} {}`},
		{"truncated", `{"a":`},
		{"invalid utf-8", "\"\xff\""},
		{"bare word", `nope`},
	}
	for _, tt := range refused {
		t.Run("refuses "+tt.name, func(t *testing.T) {
			if got, err := CanonicalJSON([]byte(tt.in)); err == nil {
				t.Fatalf("accepted %q as %s", tt.in, got)
			}
		})
	}
}

// TestCanonicalJSONSurvivesJSONB checks the property hashing relies on:
// storing the canonical form of a jsonb value in jsonb again gives back the
// same canonical form.
func TestCanonicalJSONSurvivesJSONB(t *testing.T) {
	ctx := context.Background()
	pool := testenv.Get(t).Pool
	inputs := []string{
		`{"b":1.50e1,"a":1E+2,"c":[0.10,-0,1e-7,12345678901234567890.000]}`,
		`{"a":1,"a":{"z":"\u00e9\u2028","y":"tab\there","x":"😀"}}`,
		`[null,true,false,"",{},[]]`,
		`{"long key first":1,"b":2,"aa":3}`,
	}
	for _, in := range inputs {
		var once string
		if err := pool.QueryRow(ctx, `SELECT $1::jsonb::text`, in).Scan(&once); err != nil {
			t.Fatal(err)
		}
		c1, err := CanonicalJSON([]byte(once))
		if err != nil {
			t.Fatal(err)
		}
		var twice string
		if err := pool.QueryRow(ctx, `SELECT $1::jsonb::text`, string(c1)).Scan(&twice); err != nil {
			t.Fatal(err)
		}
		c2, err := CanonicalJSON([]byte(twice))
		if err != nil {
			t.Fatal(err)
		}
		if string(c1) != string(c2) {
			t.Errorf("%s: canonical %s, after another jsonb round trip %s", in, c1, c2)
		}
	}
}

// TestAuditRecordHash pins the hashed content of a record, byte for byte.
func TestAuditRecordHash(t *testing.T) {
	r := AuditRecord{
		Chain: "customer:acme", Seq: 7, ActorSubject: "token:ab12", ActorRole: "manager", RequestID: "req-1",
		OccurredAt: time.Date(2026, 9, 29, 10, 0, 0, 123400000, time.FixedZone("CST", 8*3600)),
		Action:     "project.deliverable_submitted", ProjectID: "p-1",
		Payload:  json.RawMessage(`{"event_seq": 3, "event": {"title": "Plan <v2>", "pass_rate": 1.0}}`),
		PrevHash: make(Digest, 32),
	}
	const want = `{"action":"project.deliverable_submitted","actor":{"role":"manager","subject":"token:ab12"},` +
		`"chain":"customer:acme","occurred_at":"2026-09-29T02:00:00.1234Z",` +
		`"payload":{"event":{"pass_rate":1.0,"title":"Plan <v2>"},"event_seq":3},"project_id":"p-1","request_id":"req-1","seq":7}`
	content, err := r.CanonicalContent()
	if err != nil {
		t.Fatal(err)
	}
	if string(content) != want {
		t.Fatalf("content\n got %s\nwant %s", content, want)
	}
	sum := sha256.Sum256(append(make([]byte, 32), want...))
	hash, err := r.ComputeHash()
	if err != nil || hash.String() != hex.EncodeToString(sum[:]) {
		t.Fatalf("hash %s (%v), want %x", hash, err, sum)
	}

	r.ProjectID = ""
	content, _ = r.CanonicalContent()
	if !strings.Contains(string(content), `"project_id":null`) {
		t.Errorf("no project must hash as null: %s", content)
	}
}

// testChain returns a chain name no other test uses.
func testChain(t *testing.T) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return "customer:" + strings.NewReplacer("/", "-", " ", "-").Replace(t.Name()) + "-" + hex.EncodeToString(b[:])
}

// appendN appends n records to chain and returns them.
func appendN(t *testing.T, st *Store, chain string, n int) []AuditRecord {
	t.Helper()
	out := make([]AuditRecord, 0, n)
	for i := range n {
		r, err := st.AppendAudit(context.Background(), AuditEntry{
			Chain: chain, Actor: Actor{Subject: "token:t1", Role: "manager", RequestID: fmt.Sprintf("req-%d", i)},
			Action: "test.append", ProjectID: "p-audit",
			Payload: json.RawMessage(fmt.Sprintf(`{"i": %d, "ratio": 1.50e1, "dup": 1, "dup": 2, "text": "é\u2028"}`, i)),
		})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

// verifyChain verifies the whole log and returns the report of chain.
func verifyChain(t *testing.T, st *Store, chain string) AuditChainReport {
	t.Helper()
	rep, err := st.VerifyAudit(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	c, ok := rep.Chain(chain)
	if !ok {
		t.Fatalf("chain %s not in the report", chain)
	}
	if rep.OK != (len(rep.Broken) == 0) {
		t.Errorf("report ok=%v with %d broken chains", rep.OK, len(rep.Broken))
	}
	return c
}

// asOwner runs fn with the append-only trigger disabled, as an attacker with
// the table owner's rights could; other sessions never see the trigger off.
func asOwner(t *testing.T, pool *pgxpool.Pool, fn func(tx pgx.Tx) error) {
	t.Helper()
	ctx := context.Background()
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only`); err != nil {
			return err
		}
		if err := fn(tx); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// dropChain removes a test's chain behind the trigger's back, so a chain a
// test broke does not fail later tests' verification.
func dropChain(t *testing.T, pool *pgxpool.Pool, chain string) {
	t.Cleanup(func() {
		asOwner(t, pool, func(tx pgx.Tx) error {
			_, err := tx.Exec(context.Background(), `DELETE FROM audit_log WHERE chain = $1`, chain)
			return err
		})
	})
}

func TestAuditAppendAndVerify(t *testing.T) {
	ctx := context.Background()
	st := New(testenv.Get(t).Pool)
	chain := testChain(t)
	appended := appendN(t, st, chain, 5)

	got, err := st.AuditRecords(ctx, chain, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 5 {
		t.Fatalf("%d records, want 5", len(got))
	}
	prev := make(Digest, 32)
	for i, r := range got {
		if r.Seq != int64(i+1) || r.ID != appended[i].ID || r.Hash.String() != appended[i].Hash.String() {
			t.Errorf("record %d: seq %d id %d hash %s; appended id %d hash %s", i, r.Seq, r.ID, r.Hash, appended[i].ID, appended[i].Hash)
		}
		if r.PrevHash.String() != prev.String() {
			t.Errorf("seq %d: prev_hash %s, want %s", r.Seq, r.PrevHash, prev)
		}
		// The hash covers the payload as jsonb keeps it: normalised number,
		// last duplicate.
		var p map[string]any
		if err := json.Unmarshal(r.Payload, &p); err != nil || p["ratio"] != 15.0 || p["dup"] != 2.0 {
			t.Errorf("seq %d: payload %s (%v)", r.Seq, r.Payload, err)
		}
		if r.ActorSubject != "token:t1" || r.ActorRole != "manager" || r.RequestID != fmt.Sprintf("req-%d", i) || r.ProjectID != "p-audit" {
			t.Errorf("seq %d: %+v", r.Seq, r)
		}
		prev = r.Hash
	}
	page, err := st.AuditRecords(ctx, chain, 3, 1)
	if err != nil || len(page) != 1 || page[0].Seq != 4 {
		t.Errorf("page after seq 3: %+v (%v)", page, err)
	}

	c := verifyChain(t, st, chain)
	if !c.OK || c.Records != 5 || c.LastSeq != 5 || c.Head.String() != got[4].Hash.String() || c.Broken != nil {
		t.Errorf("chain report %+v", c)
	}
}

func TestAuditVerifyNamesTheTamperedRecord(t *testing.T) {
	ctx := context.Background()
	pool := testenv.Get(t).Pool
	st := New(pool)
	tests := []struct {
		name    string
		tamper  func(tx pgx.Tx, recs []AuditRecord) error
		seq     int64 // the record verify must name (1-based)
		problem AuditProblem
		detail  string
	}{
		{"payload altered", func(tx pgx.Tx, recs []AuditRecord) error {
			_, err := tx.Exec(ctx, `UPDATE audit_log SET payload = jsonb_set(payload, '{i}', '99') WHERE id = $1`, recs[2].ID)
			return err
		}, 3, AuditHashMismatch, "altered"},
		{"actor altered", func(tx pgx.Tx, recs []AuditRecord) error {
			_, err := tx.Exec(ctx, `UPDATE audit_log SET actor_subject = 'token:someone-else' WHERE id = $1`, recs[1].ID)
			return err
		}, 2, AuditHashMismatch, "altered"},
		{"time altered", func(tx pgx.Tx, recs []AuditRecord) error {
			_, err := tx.Exec(ctx, `UPDATE audit_log SET occurred_at = occurred_at - interval '1 day' WHERE id = $1`, recs[3].ID)
			return err
		}, 4, AuditHashMismatch, "altered"},
		{"prev_hash altered", func(tx pgx.Tx, recs []AuditRecord) error {
			_, err := tx.Exec(ctx, `UPDATE audit_log SET prev_hash = $2 WHERE id = $1`, recs[2].ID, make([]byte, 32))
			return err
		}, 3, AuditPrevHashMismatch, "prev_hash is 0000"},
		{"payload altered and its hash recomputed", func(tx pgx.Tx, recs []AuditRecord) error {
			r := recs[1]
			r.Payload = json.RawMessage(`{"i":99}`)
			h, err := r.ComputeHash()
			if err != nil {
				return err
			}
			_, err = tx.Exec(ctx, `UPDATE audit_log SET payload = $2, hash = $3 WHERE id = $1`, r.ID, string(r.Payload), []byte(h))
			return err
		}, 3, AuditPrevHashMismatch, "previous record's hash"},
		{"record deleted", func(tx pgx.Tx, recs []AuditRecord) error {
			_, err := tx.Exec(ctx, `DELETE FROM audit_log WHERE id = $1`, recs[1].ID)
			return err
		}, 3, AuditGap, "seq 3 follows seq 1: seq 2 missing"},
		{"first two records deleted", func(tx pgx.Tx, recs []AuditRecord) error {
			_, err := tx.Exec(ctx, `DELETE FROM audit_log WHERE id = ANY($1)`, []int64{recs[0].ID, recs[1].ID})
			return err
		}, 3, AuditGap, "starts at seq 3: seq 1 to 2 missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			chain := testChain(t)
			dropChain(t, pool, chain)
			other := testChain(t)
			dropChain(t, pool, other)
			recs := appendN(t, st, chain, 5)
			appendN(t, st, other, 2)
			if c := verifyChain(t, st, chain); !c.OK {
				t.Fatalf("before tampering: %+v", c.Broken)
			}
			asOwner(t, pool, func(tx pgx.Tx) error { return tt.tamper(tx, recs) })

			rep, err := st.VerifyAudit(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if rep.OK {
				t.Fatal("verify passed a tampered log")
			}
			var found []AuditBreak
			for _, b := range rep.Broken {
				if b.Chain == chain || b.Chain == other {
					found = append(found, b)
				}
			}
			want := recs[tt.seq-1]
			if len(found) != 1 || found[0].Chain != chain || found[0].Seq != want.Seq || found[0].ID != want.ID || found[0].Problem != tt.problem {
				t.Fatalf("broken %+v; want only chain %s seq %d id %d %s", found, chain, want.Seq, want.ID, tt.problem)
			}
			if !strings.Contains(found[0].Detail, tt.detail) {
				t.Errorf("detail %q does not say %q", found[0].Detail, tt.detail)
			}
			c, _ := rep.Chain(chain)
			if c.OK || c.Broken == nil || *c.Broken != found[0] {
				t.Errorf("chain report %+v", c)
			}
			if c, _ := rep.Chain(other); !c.OK {
				t.Errorf("untouched chain reported broken: %+v", c.Broken)
			}
		})
	}
}

func TestAuditLogIsAppendOnly(t *testing.T) {
	ctx := context.Background()
	pool := testenv.Get(t).Pool
	st := New(pool)
	chain := testChain(t)
	recs := appendN(t, st, chain, 2)
	statements := []string{
		`UPDATE audit_log SET payload = '{}' WHERE id = ` + fmt.Sprint(recs[0].ID),
		`UPDATE audit_log SET chain = chain WHERE false`,
		`DELETE FROM audit_log WHERE id = ` + fmt.Sprint(recs[1].ID),
		`TRUNCATE audit_log`,
	}
	for _, stmt := range statements {
		t.Run(strings.Fields(stmt)[0], func(t *testing.T) {
			_, err := pool.Exec(ctx, stmt)
			var pgErr *pgconn.PgError
			if !errors.As(err, &pgErr) || pgErr.Code != "42501" || !strings.Contains(pgErr.Message, "append-only") {
				t.Fatalf("%s: error %v, want the append-only refusal", stmt, err)
			}
		})
	}
	if c := verifyChain(t, st, chain); !c.OK || c.Records != 2 {
		t.Errorf("after refused changes: %+v", c)
	}

	// A non-owning application role, granted as the migration advises, can
	// append and read but neither change rows nor switch the trigger off.
	// Everything here is rolled back, the role included.
	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	role := pgx.Identifier{"sowflow_app_" + strings.ToLower(hex.EncodeToString([]byte(chain[len(chain)-8:])))}.Sanitize()
	for _, stmt := range []string{
		`CREATE ROLE ` + role + ` NOLOGIN`,
		`GRANT SELECT, INSERT ON audit_log TO ` + role,
		`SET LOCAL ROLE ` + role,
	} {
		if _, err := tx.Exec(ctx, stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	if _, err := appendAudit(ctx, tx, chain, []AuditEntry{{Action: "test.as_app", Actor: Actor{Subject: "app"}}}); err != nil {
		t.Fatalf("the application role cannot append: %v", err)
	}
	for _, stmt := range []string{
		`UPDATE audit_log SET payload = '{}' WHERE id = ` + fmt.Sprint(recs[0].ID),
		`DELETE FROM audit_log WHERE id = ` + fmt.Sprint(recs[0].ID),
		`ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only`,
	} {
		sp, err := tx.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		_, err = sp.Exec(ctx, stmt)
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != "42501" {
			t.Errorf("as the application role, %s: error %v, want permission denied", stmt, err)
		}
		_ = sp.Rollback(ctx)
	}
}

func TestAuditConcurrentWritersKeepOneChain(t *testing.T) {
	ctx := context.Background()
	st := New(testenv.Get(t).Pool)
	customer := strings.TrimPrefix(testChain(t), "customer:")
	chain := CustomerChain(customer)
	const writers, each = 20, 3
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				var err error
				if w%2 == 0 {
					// Direct appends…
					_, err = st.AppendAudit(ctx, AuditEntry{Chain: chain, Actor: Actor{Subject: fmt.Sprintf("writer-%d", w)}, Action: "test.concurrent",
						Payload: json.RawMessage(fmt.Sprintf(`{"writer":%d,"i":%d}`, w, i))})
				} else {
					// …interleaved with projects of the same customer recording events.
					_, err = st.RecordProject(ctx, testSnapshot(fmt.Sprintf("p-conc-%s-%d", customer, w), customer, int64(i+1)),
						[]ProjectEvent{testEvent(int64(i + 1))}, nil)
				}
				if err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	recs, err := st.AuditRecords(ctx, chain, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != writers*each {
		t.Fatalf("%d records, want %d", len(recs), writers*each)
	}
	for i, r := range recs {
		if r.Seq != int64(i+1) {
			t.Fatalf("record %d has seq %d", i, r.Seq)
		}
		if i > 0 && r.PrevHash.String() != recs[i-1].Hash.String() {
			t.Fatalf("seq %d does not link to seq %d", r.Seq, recs[i-1].Seq)
		}
	}
	if c := verifyChain(t, st, chain); !c.OK || c.Records != writers*each {
		t.Errorf("chain report %+v", c)
	}
}

func testSnapshot(id, customer string, seq int64) ProjectSnapshot {
	at := time.Date(2026, 9, 29, 2, 0, 0, 0, time.UTC)
	return ProjectSnapshot{ID: id, CustomerID: customer, PackageCode: "managed-services", CatalogVersion: "test",
		Status: "active", Phase: "kickoff", State: json.RawMessage(`{}`), Seq: seq, StartedAt: at, UpdatedAt: at}
}

func testEvent(seq int64) ProjectEvent {
	return ProjectEvent{Event: Event{Seq: seq, Type: "deliverable_submitted", ActorSubject: "token:mgr", ActorRole: "manager",
		RequestID: fmt.Sprintf("req-%d", seq), OccurredAt: time.Date(2026, 9, 29, 2, 0, int(seq), 1500, time.UTC),
		Payload: json.RawMessage(fmt.Sprintf(`{"deliverable":"plan","n":%d}`, seq))}}
}

func TestRecordProjectAuditsEachEventOnce(t *testing.T) {
	ctx := context.Background()
	st := New(testenv.Get(t).Pool)
	customer := strings.TrimPrefix(testChain(t), "customer:")
	id := "p-once-" + customer
	steps := []struct {
		name   string
		events []ProjectEvent
	}{
		{"first record", []ProjectEvent{testEvent(1), testEvent(2)}},
		{"retried", []ProjectEvent{testEvent(1), testEvent(2)}},
		{"overlapping with one new event", []ProjectEvent{testEvent(2), testEvent(3)}},
		{"nothing new", nil},
	}
	for i, s := range steps {
		if _, err := st.RecordProject(ctx, testSnapshot(id, customer, int64(i+1)), s.events, nil); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
	}
	recs, err := st.AuditRecords(ctx, CustomerChain(customer), 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 {
		t.Fatalf("%d audit records for 3 distinct events: %+v", len(recs), recs)
	}
	for i, r := range recs {
		e := testEvent(int64(i + 1))
		var p struct {
			EventSeq int64           `json:"event_seq"`
			Event    json.RawMessage `json:"event"`
		}
		if err := json.Unmarshal(r.Payload, &p); err != nil {
			t.Fatal(err)
		}
		if r.Seq != int64(i+1) || r.Action != "project.deliverable_submitted" || r.ProjectID != id || p.EventSeq != e.Seq ||
			r.ActorSubject != e.ActorSubject || r.ActorRole != e.ActorRole || r.RequestID != e.RequestID ||
			!r.OccurredAt.Equal(e.OccurredAt.Truncate(time.Microsecond)) || !strings.Contains(string(p.Event), `"n": `+fmt.Sprint(e.Seq)) {
			t.Errorf("record %d: %+v payload %s", i, r, r.Payload)
		}
	}
	if c := verifyChain(t, st, CustomerChain(customer)); !c.OK {
		t.Errorf("chain broken: %+v", c.Broken)
	}
}

func TestTokenAndCalendarChangesAreAudited(t *testing.T) {
	ctx := context.Background()
	pool := testenv.Get(t).Pool
	st := New(pool)
	var head int64
	if err := pool.QueryRow(ctx, `SELECT coalesce(max(seq), 0) FROM audit_log WHERE chain = 'system'`).Scan(&head); err != nil {
		t.Fatal(err)
	}
	admin := WithActor(ctx, Actor{Subject: "token:admin1", Role: "admin", RequestID: "req-admin"})
	tok, secret, err := st.CreateToken(admin, TokenSpec{Name: "audited", Role: RoleCustomer, CustomerID: "acme", CreatedBy: "token:admin1"})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.RevokeToken(admin, tok.ID); err != nil {
		t.Fatal(err)
	}
	if err := st.RevokeToken(admin, tok.ID); err != nil { // a repeat changes nothing and is not audited
		t.Fatal(err)
	}
	if err := st.RevokeToken(admin, "nope"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("revoke unknown token: %v", err)
	}
	// Without an actor on the context, the creator named in the spec is the actor.
	if _, _, err := st.CreateToken(ctx, TokenSpec{Name: "cli made", Role: RoleAuditor, CreatedBy: "cli"}); err != nil {
		t.Fatal(err)
	}
	year, err := st.SaveCalendarYear(admin, RegionCN, 2027, year2027("2027-10-09"), "token:admin1")
	if err != nil {
		t.Fatal(err)
	}

	recs, err := st.AuditRecords(ctx, SystemChain, head, 100)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		action, subject, role, requestID, payload string
	}{
		{ActionTokenCreate, "token:admin1", "admin", "req-admin", `"token_id": "` + tok.ID + `"`},
		{ActionTokenRevoke, "token:admin1", "admin", "req-admin", `"customer_id": "acme"`},
		{ActionTokenCreate, "cli", "", "", `"name": "cli made"`},
		{ActionCalendarLoad, "token:admin1", "admin", "req-admin", fmt.Sprintf(`"sha256": "%s"`, year.SHA256)},
	}
	if len(recs) != len(want) {
		t.Fatalf("%d system records, want %d: %+v", len(recs), len(want), recs)
	}
	for i, w := range want {
		r := recs[i]
		if r.Chain != SystemChain || r.Action != w.action || r.ActorSubject != w.subject || r.ActorRole != w.role ||
			r.RequestID != w.requestID || r.ProjectID != "" || !strings.Contains(string(r.Payload), w.payload) {
			t.Errorf("record %d: %+v payload %s; want %+v", i, r, r.Payload, w)
		}
		if strings.Contains(string(r.Payload), secret) || strings.Contains(string(r.Payload), "secret") {
			t.Errorf("record %d leaks the token secret: %s", i, r.Payload)
		}
	}
	if c := verifyChain(t, st, SystemChain); !c.OK {
		t.Errorf("system chain broken: %+v", c.Broken)
	}
}
