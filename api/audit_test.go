package api

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/sowflow/sowflow/store"
	"github.com/sowflow/sowflow/testenv"
)

func TestAuditVerify(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	chain := store.CustomerChain("audit-api-" + unique(t))
	var recs []store.AuditRecord
	for _, payload := range []string{`{"n":1}`, `{"n":2}`, `{"n":3}`} {
		r, err := f.store.AppendAudit(ctx, store.AuditEntry{Chain: chain, Actor: store.Actor{Subject: "token:x", Role: "manager"},
			Action: "test.api", Payload: json.RawMessage(payload)})
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, r)
	}

	roles := []struct {
		role store.Role
		want int
	}{
		{store.RoleAuditor, http.StatusOK},
		{store.RoleAdmin, http.StatusOK},
		{store.RoleManager, http.StatusForbidden},
		{store.RoleCustomer, http.StatusForbidden},
		{"", http.StatusUnauthorized},
	}
	for _, tt := range roles {
		t.Run("as "+string(tt.role), func(t *testing.T) {
			var rep store.AuditReport
			var out any
			if tt.want == http.StatusOK {
				out = &rep
			}
			rec := f.do(http.MethodGet, "/v1/audit/verify", tt.role, nil, out)
			if rec.Code != tt.want {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.want, rec.Body)
			}
			if tt.want != http.StatusOK {
				return
			}
			if !rep.OK || len(rep.Broken) != 0 || rep.ChainsChecked < 2 || rep.RecordsChecked < 3 {
				t.Errorf("intact log reported as %+v", rep)
			}
			// The fixture's tokens were audited on the system chain.
			if c, ok := rep.Chain(store.SystemChain); !ok || !c.OK || c.Records < int64(len(store.Roles())) {
				t.Errorf("system chain %+v", c)
			}
		})
	}

	// Someone with the table owner's rights rewrites one record's actor.
	pool := testenv.Get(t).Pool
	bypass := func(stmt string, args ...any) {
		t.Helper()
		err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only`); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, stmt, args...); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only`)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	bypass(`UPDATE audit_log SET actor_subject = 'token:innocent' WHERE id = $1`, recs[2].ID)
	// Later tests in this package verify too: put the record back.
	t.Cleanup(func() {
		bypass(`UPDATE audit_log SET actor_subject = $2 WHERE id = $1`, recs[2].ID, recs[2].ActorSubject)
	})

	var rep store.AuditReport
	if rec := f.do(http.MethodGet, "/v1/audit/verify", store.RoleAuditor, nil, &rep); rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	want := store.AuditBreak{Chain: chain, Seq: recs[2].Seq, ID: recs[2].ID, Problem: store.AuditHashMismatch}
	if rep.OK || len(rep.Broken) != 1 {
		t.Fatalf("tampered log reported as %+v", rep)
	}
	if got := rep.Broken[0]; got.Chain != want.Chain || got.Seq != want.Seq || got.ID != want.ID || got.Problem != want.Problem || got.Detail == "" {
		t.Errorf("broken %+v, want %+v", got, want)
	}
	if c, _ := rep.Chain(chain); c.OK || c.Broken == nil || c.Broken.ID != recs[2].ID {
		t.Errorf("chain report %+v", c)
	}
}
