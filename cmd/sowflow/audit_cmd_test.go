package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/sowflow/sowflow/store"
	"github.com/sowflow/sowflow/testenv"
)

func TestAuditCommandUsage(t *testing.T) {
	t.Setenv("DATABASE_URL", testenv.Get(t).DatabaseURL)
	tests := []struct {
		args     []string
		wantCode int
		want     string
	}{
		{[]string{"audit"}, 2, "sowflow audit verify"},
		{[]string{"audit", "--help"}, 0, "Usage"},
		{[]string{"audit", "verify", "--help"}, 0, "DATABASE_URL"},
		{[]string{"audit", "rewrite"}, 2, `unknown subcommand "rewrite"`},
		{[]string{"audit", "verify", "now"}, 2, `unexpected argument "now"`},
		{[]string{"audit", "verify", "--fast"}, 2, "flag provided but not defined"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), tt.args, &stdout, &stderr)
			if out := stdout.String() + stderr.String(); code != tt.wantCode || !strings.Contains(out, tt.want) {
				t.Fatalf("exit %d, output %q; want exit %d and %q", code, out, tt.wantCode, tt.want)
			}
		})
	}
}

func TestAuditVerifyCommand(t *testing.T) {
	env := testenv.Get(t)
	t.Setenv("DATABASE_URL", env.DatabaseURL)
	ctx := context.Background()
	st := store.New(env.Pool)
	if _, _, err := st.CreateToken(ctx, store.TokenSpec{Name: "audit cmd", Role: store.RoleAuditor, CreatedBy: "test"}); err != nil {
		t.Fatal(err)
	}
	chain := store.CustomerChain("audit-cmd")
	var recs []store.AuditRecord
	for i := range 3 {
		r, err := st.AppendAudit(ctx, store.AuditEntry{Chain: chain, Actor: store.Actor{Subject: "token:m", Role: "manager"},
			Action: "test.cmd", Payload: json.RawMessage(fmt.Sprintf(`{"i":%d}`, i))})
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, r)
	}
	verify := func(args ...string) (int, string, string) {
		var stdout, stderr bytes.Buffer
		code := run(ctx, append([]string{"audit", "verify"}, args...), &stdout, &stderr)
		return code, stdout.String(), stderr.String()
	}

	code, out, errOut := verify()
	if code != 0 || !strings.Contains(out, "audit log intact") || !strings.Contains(out, chain) || !strings.Contains(out, store.SystemChain) {
		t.Fatalf("intact log: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if line := lineWith(out, chain); !strings.HasPrefix(line, "ok ") || !strings.Contains(line, "seq 3 "+recs[2].Hash.String()) {
		t.Errorf("chain line %q", line)
	}

	// An attacker with the owner's rights edits the middle record.
	err := pgx.BeginFunc(ctx, env.Pool, func(tx pgx.Tx) error {
		for _, stmt := range []string{
			`ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only`,
			fmt.Sprintf(`UPDATE audit_log SET payload = '{"i": 42}' WHERE id = %d`, recs[1].ID),
			`ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only`,
		} {
			if _, err := tx.Exec(ctx, stmt); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// Put the record back, so that later tests see an intact log.
		_ = pgx.BeginFunc(ctx, env.Pool, func(tx pgx.Tx) error {
			_, _ = tx.Exec(ctx, `ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only`)
			_, _ = tx.Exec(ctx, `UPDATE audit_log SET payload = $2::text::jsonb WHERE id = $1`, recs[1].ID, string(recs[1].Payload))
			_, err := tx.Exec(ctx, `ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only`)
			return err
		})
	})

	code, out, errOut = verify()
	want := fmt.Sprintf("chain %s is broken at seq 2 (id %d): hash_mismatch", chain, recs[1].ID)
	if code != 1 || !strings.Contains(errOut, want) {
		t.Fatalf("tampered log: exit %d, stderr %q; want exit 1 and %q", code, errOut, want)
	}
	if line := lineWith(out, chain); !strings.HasPrefix(line, "BROKEN") || !strings.Contains(line, fmt.Sprintf("seq 2 (id %d): hash_mismatch", recs[1].ID)) {
		t.Errorf("chain line %q", line)
	}
	if line := lineWith(out, store.SystemChain); !strings.HasPrefix(line, "ok ") {
		t.Errorf("untouched chain line %q", line)
	}
	if !strings.Contains(out, "audit log BROKEN (1 of") {
		t.Errorf("summary missing: %q", out)
	}

	code, out, _ = verify("--json")
	var rep store.AuditReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("--json: %v in %q", err, out)
	}
	if code != 1 || rep.OK || len(rep.Broken) != 1 || rep.Broken[0].Chain != chain || rep.Broken[0].Seq != 2 || rep.Broken[0].ID != recs[1].ID {
		t.Errorf("--json: exit %d, report %+v", code, rep)
	}
}

// lineWith returns the first line of out whose fields include word.
func lineWith(out, word string) string {
	for _, line := range strings.Split(out, "\n") {
		for _, f := range strings.Fields(line) {
			if f == word {
				return line
			}
		}
	}
	return ""
}
