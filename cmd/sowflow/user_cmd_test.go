package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sowflow/sowflow/store"
	"github.com/sowflow/sowflow/testenv"
)

// runUserCmd runs `sowflow user ...` with stdin as its standard input.
func runUserCmd(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	userStdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), append([]string{"user"}, args...), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestUserCommandRefusesBadInput(t *testing.T) {
	t.Setenv("DATABASE_URL", testenv.Get(t).DatabaseURL)
	tests := []struct {
		name     string
		stdin    string
		args     []string
		wantCode int
		want     []string
	}{
		{"no subcommand", "", nil, 2, []string{"sowflow user create"}},
		{"help", "", []string{"--help"}, 0, []string{"invitation link"}},
		{"unknown subcommand", "", []string{"delete", "x"}, 2, []string{`unknown subcommand`}},
		{"create without anything", "", []string{"create"}, 2, []string{"--email: is required", "--name: is required", "--role: \"\" is not one of manager, customer, auditor, admin"}},
		{"customer without customer", "", []string{"create", "--email", "c@example.com", "--name", "C", "--role", "customer"}, 2, []string{"--customer: is required for a person with the role customer"}},
		{"manager with customer", "", []string{"create", "--email", "m@example.com", "--name", "M", "--role", "manager", "--customer", "acme"}, 2, []string{"--customer: only customers belong to a customer"}},
		{"bad language", "", []string{"create", "--email", "m@example.com", "--name", "M", "--role", "manager", "--language", "de"}, 2, []string{`--language: "de" is not one of zh-CN, en`}},
		{"bad email", "", []string{"create", "--email", "m at example.com", "--name", "M", "--role", "manager"}, 2, []string{`--email: "m at example.com" is not a plain email address`}},
		{"short password", "short\n", []string{"create", "--email", "m@example.com", "--name", "M", "--role", "manager", "--password-stdin"}, 2, []string{"password: must be at least 12 characters (it has 5)"}},
		{"disable nobody", "", []string{"disable"}, 2, []string{"want exactly one person"}},
		{"disable unknown", "", []string{"disable", "nobody@example.com"}, 2, []string{"person nobody@example.com: not found"}},
		{"password-stdin on disable", "", []string{"disable", "x@example.com", "--password-stdin"}, 2, []string{"--password-stdin is for create and reset"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runUserCmd(t, tt.stdin, tt.args...)
			out := stdout + stderr
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d; output %q", code, tt.wantCode, out)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("output %q lacks %q", out, w)
				}
			}
		})
	}
}

var invitationLink = regexp.MustCompile(`https://portal\.example\.com/invitations/([A-Za-z0-9_-]{43})\n`)

func TestUserCommandLifecycle(t *testing.T) {
	env := testenv.Get(t)
	t.Setenv("DATABASE_URL", env.DatabaseURL)
	t.Setenv("SOWFLOW_PUBLIC_URL", "https://portal.example.com/")
	ctx := context.Background()
	st := store.New(env.Pool)
	email := fmt.Sprintf("Zhang.Wei.%d@Example.com", time.Now().UnixNano())

	code, stdout, stderr := runUserCmd(t, "", "create", "--email", email, "--name", "张伟", "--role", "customer", "--customer", "acme", "--language", "zh-CN")
	if code != 0 {
		t.Fatalf("create: exit %d, %q %q", code, stdout, stderr)
	}
	m := invitationLink.FindStringSubmatch(stdout)
	if m == nil {
		t.Fatalf("create printed no invitation link under SOWFLOW_PUBLIC_URL: %q", stdout)
	}
	p, err := st.InvitationPerson(ctx, m[1], time.Now())
	if err != nil || p.Name != "张伟" || p.CustomerID != "acme" || p.Language != store.LanguageChinese || p.HasPassword {
		t.Fatalf("the link's person = %+v, %v", p, err)
	}

	if code, _, stderr := runUserCmd(t, "", "create", "--email", strings.ToLower(email), "--name", "Dup", "--role", "auditor"); code != 2 || !strings.Contains(stderr, "email: another person already has this address") {
		t.Fatalf("duplicate email in another case: exit %d, %q", code, stderr)
	}

	code, stdout, _ = runUserCmd(t, "", "list", "--json")
	var people []store.Person
	if err := json.Unmarshal([]byte(stdout), &people); code != 0 || err != nil {
		t.Fatalf("list --json: exit %d, %v, %q", code, err, stdout)
	}
	found := false
	for _, q := range people {
		found = found || (q.ID == p.ID && !q.HasPassword && !q.Disabled)
	}
	if !found {
		t.Fatalf("list does not show %s as invited: %q", p.ID, stdout)
	}
	if code, stdout, _ = runUserCmd(t, "", "list"); code != 0 || !strings.Contains(stdout, email) || !strings.Contains(stdout, "invited") {
		t.Fatalf("list: exit %d, %q", code, stdout)
	}

	// reset --password-stdin sets a password directly.
	const pw = "a sufficiently long password"
	if code, stdout, stderr := runUserCmd(t, pw+"\n", "reset", email, "--password-stdin"); code != 0 || !strings.Contains(stdout, "set a new password") {
		t.Fatalf("reset --password-stdin: exit %d, %q %q", code, stdout, stderr)
	}
	if _, err := st.CheckCredentials(ctx, email, pw); err != nil {
		t.Fatalf("sign-in with the password set: %v", err)
	}
	if _, err := st.InvitationPerson(ctx, m[1], time.Now()); !errors.Is(err, store.ErrInvitationInvalid) {
		t.Fatalf("the first link after a password was set: %v", err)
	}

	if code, stdout, _ := runUserCmd(t, "", "disable", p.ID); code != 0 || !strings.Contains(stdout, "disabled "+p.ID) {
		t.Fatalf("disable: exit %d, %q", code, stdout)
	}
	if _, err := st.CheckCredentials(ctx, email, pw); !errors.Is(err, store.ErrBadCredentials) {
		t.Fatalf("a disabled person signs in: %v", err)
	}
	if code, _, _ := runUserCmd(t, "", "enable", email); code != 0 {
		t.Fatal("enable failed")
	}

	// reset without a password: the old one stops working, a new link is printed.
	code, stdout, _ = runUserCmd(t, "", "reset", email)
	m2 := invitationLink.FindStringSubmatch(stdout)
	if code != 0 || m2 == nil {
		t.Fatalf("reset: exit %d, %q", code, stdout)
	}
	if _, err := st.CheckCredentials(ctx, email, pw); !errors.Is(err, store.ErrBadCredentials) {
		t.Fatalf("the old password after reset: %v", err)
	}
	if _, err := st.InvitationPerson(ctx, m2[1], time.Now()); err != nil {
		t.Fatalf("the reset link: %v", err)
	}

	// A manager created with --password-stdin can sign in at once.
	mgr := fmt.Sprintf("mgr.%d@example.com", time.Now().UnixNano())
	if code, stdout, stderr := runUserCmd(t, pw+"\r\n", "create", "--email", mgr, "--name", "Mia", "--role", "manager", "--password-stdin"); code != 0 || strings.Contains(stdout, "/invitations/") || strings.Contains(stdout+stderr, pw) {
		t.Fatalf("create --password-stdin: exit %d, %q %q (no link, no password echoed)", code, stdout, stderr)
	}
	if _, err := st.CheckCredentials(ctx, mgr, pw); err != nil {
		t.Fatalf("sign-in of a person created with --password-stdin: %v", err)
	}
}
