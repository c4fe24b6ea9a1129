package store

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sowflow/sowflow/testenv"
)

// uniqueEmail returns an address no other test uses.
func uniqueEmail(t *testing.T, local string) string {
	t.Helper()
	return local + "." + strings.ToLower(strings.ReplaceAll(t.Name(), "/", ".")) + "." + time.Now().Format("150405.000000000") + "@example.com"
}

func TestPersonSpecValidate(t *testing.T) {
	tests := []struct {
		name string
		spec PersonSpec
		want []string
	}{
		{"valid manager", PersonSpec{Email: "m@example.com", Name: "M", Role: RoleManager}, nil},
		{"valid customer in chinese", PersonSpec{Email: "c@example.com", Name: "张三", Role: RoleCustomer, CustomerID: "acme", Language: LanguageChinese}, nil},
		{"everything missing", PersonSpec{}, []string{"email: is required", "name: is required", `role: "" is not one of`}},
		{"display-name address", PersonSpec{Email: "M <m@example.com>", Name: "M", Role: RoleAdmin}, []string{"email: \"M <m@example.com>\" is not a plain email address"}},
		{"customer without customer id", PersonSpec{Email: "c@example.com", Name: "C", Role: RoleCustomer}, []string{"customer: is required for a person with the role customer"}},
		{"manager with customer id", PersonSpec{Email: "m@example.com", Name: "M", Role: RoleManager, CustomerID: "acme"}, []string{"customer: only customers belong to a customer, not a manager"}},
		{"unknown language", PersonSpec{Email: "m@example.com", Name: "M", Role: RoleAuditor, Language: "fr"}, []string{`language: "fr" is not one of zh-CN, en`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.spec.Validate()
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("Validate = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate = nil, want %q", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Validate = %q, want it to contain %q", err, w)
				}
			}
		})
	}
}

func TestCreatePersonEmailUniqueInAnyCase(t *testing.T) {
	ctx := context.Background()
	st := New(testenv.Get(t).Pool)
	email := uniqueEmail(t, "Wang.Li")
	p, err := st.CreatePerson(ctx, PersonSpec{Email: email, Name: "王丽", Role: RoleCustomer, CustomerID: "acme", Language: LanguageChinese})
	if err != nil {
		t.Fatal(err)
	}
	if p.HasPassword || p.Disabled || p.Language != LanguageChinese || p.CustomerID != "acme" || p.Subject() != "user:"+p.ID {
		t.Fatalf("created %+v", p)
	}
	if _, err := st.CreatePerson(ctx, PersonSpec{Email: strings.ToUpper(email), Name: "Other", Role: RoleManager}); !errors.Is(err, ErrEmailTaken) {
		t.Fatalf("second person with the email in upper case: err = %v, want ErrEmailTaken", err)
	}
	for _, ref := range []string{p.ID, strings.ToUpper(email)} {
		got, err := st.FindPerson(ctx, ref)
		if err != nil || got.ID != p.ID {
			t.Fatalf("FindPerson(%q) = %+v, %v", ref, got, err)
		}
	}
	if _, err := st.FindPerson(ctx, "nobody@example.com"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("FindPerson(unknown) err = %v, want ErrNotFound", err)
	}
	people, err := st.ListPeople(ctx)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, q := range people {
		found = found || q.ID == p.ID
	}
	if !found {
		t.Fatalf("ListPeople does not list %s", p.ID)
	}
}

func TestInvitationIsOneTimeAndExpires(t *testing.T) {
	ctx := context.Background()
	st := New(testenv.Get(t).Pool)
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	const pw = "a good long password"
	newPerson := func(t *testing.T) Person {
		p, err := st.CreatePerson(ctx, PersonSpec{Email: uniqueEmail(t, "inv"), Name: "Inv", Role: RoleManager})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	t.Run("accepted once", func(t *testing.T) {
		p := newPerson(t)
		token, expires, err := st.CreateInvitation(ctx, p.ID, now)
		if err != nil {
			t.Fatal(err)
		}
		if !expires.Equal(now.Add(7 * 24 * time.Hour)) {
			t.Fatalf("expires %v, want 7 days after %v", expires, now)
		}
		if got, err := st.InvitationPerson(ctx, token, now.Add(time.Hour)); err != nil || got.ID != p.ID {
			t.Fatalf("InvitationPerson = %+v, %v", got, err)
		}
		if _, err := st.AcceptInvitation(ctx, token, "short", now); err == nil || !strings.Contains(err.Error(), "password: must be at least 12") {
			t.Fatalf("short password: err = %v", err)
		}
		if _, err := st.AcceptInvitation(ctx, token, pw, now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if _, err := st.CheckCredentials(ctx, strings.ToUpper(p.Email), pw); err != nil {
			t.Fatalf("sign-in with the new password: %v", err)
		}
		if _, err := st.AcceptInvitation(ctx, token, "another good password", now.Add(2*time.Hour)); !errors.Is(err, ErrInvitationInvalid) {
			t.Fatalf("second use: err = %v, want ErrInvitationInvalid", err)
		}
	})
	t.Run("expires after 7 days", func(t *testing.T) {
		p := newPerson(t)
		token, _, err := st.CreateInvitation(ctx, p.ID, now)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.InvitationPerson(ctx, token, now.Add(7*24*time.Hour-time.Second)); err != nil {
			t.Fatalf("a second before expiry: %v", err)
		}
		if _, err := st.AcceptInvitation(ctx, token, pw, now.Add(7*24*time.Hour)); !errors.Is(err, ErrInvitationExpired) {
			t.Fatalf("at expiry: err = %v, want ErrInvitationExpired", err)
		}
	})
	t.Run("a newer one replaces it", func(t *testing.T) {
		p := newPerson(t)
		old, _, err := st.CreateInvitation(ctx, p.ID, now)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := st.CreateInvitation(ctx, p.ID, now.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		if _, err := st.InvitationPerson(ctx, old, now.Add(time.Hour)); !errors.Is(err, ErrInvitationInvalid) {
			t.Fatalf("replaced invitation: err = %v, want ErrInvitationInvalid", err)
		}
	})
	t.Run("unknown token", func(t *testing.T) {
		if _, err := st.InvitationPerson(ctx, "nope", now); !errors.Is(err, ErrInvitationInvalid) {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestCredentialsDisableAndReset(t *testing.T) {
	ctx := context.Background()
	st := New(testenv.Get(t).Pool)
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	const pw = "correct horse battery"
	p, err := st.CreatePerson(ctx, PersonSpec{Email: uniqueEmail(t, "cred"), Name: "Cred", Role: RoleAuditor})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CheckCredentials(ctx, p.Email, ""); !errors.Is(err, ErrBadCredentials) {
		t.Fatalf("no password set yet: err = %v", err)
	}
	if err := st.SetPassword(ctx, p.ID, pw, now); err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name, email, password string
		want                  error
	}{
		{"right", p.Email, pw, nil},
		{"wrong password", p.Email, pw + "!", ErrBadCredentials},
		{"unknown email", "nobody@example.com", pw, ErrBadCredentials},
	}
	for _, c := range checks {
		if _, err := st.CheckCredentials(ctx, c.email, c.password); !errors.Is(err, c.want) {
			t.Errorf("%s: err = %v, want %v", c.name, err, c.want)
		}
	}

	id, _, err := st.CreateSession(ctx, NewSessionRequest{PersonID: p.ID}, now)
	if err != nil {
		t.Fatal(err)
	}
	_, secret, err := st.CreateToken(ctx, TokenSpec{Name: "personal", Role: p.Role, CreatedBy: p.Subject()})
	if err != nil {
		t.Fatal(err)
	}
	if tokens, err := st.PersonalTokens(ctx, p); err != nil || len(tokens) != 1 || tokens[0].RevokedAt != nil {
		t.Fatalf("PersonalTokens = %+v, %v", tokens, err)
	}
	if _, err := st.SetPersonDisabled(ctx, p.ID, true, now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if _, err := st.CheckCredentials(ctx, p.Email, pw); !errors.Is(err, ErrBadCredentials) {
		t.Fatalf("disabled person signs in: err = %v", err)
	}
	if _, err := st.Session(ctx, id, now.Add(2*time.Minute)); !errors.Is(err, ErrNoSession) {
		t.Fatalf("disabled person's session: err = %v, want ErrNoSession", err)
	}
	if _, err := st.Authenticate(ctx, secret); !errors.Is(err, ErrUnauthenticated) {
		t.Fatalf("disabled person's personal token: err = %v, want ErrUnauthenticated", err)
	}
	if _, err := st.SetPersonDisabled(ctx, p.ID, false, now.Add(3*time.Minute)); err != nil {
		t.Fatal(err)
	}
	token, _, err := st.ResetPerson(ctx, p.ID, now.Add(4*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CheckCredentials(ctx, p.Email, pw); !errors.Is(err, ErrBadCredentials) {
		t.Fatalf("old password after reset: err = %v, want ErrBadCredentials", err)
	}
	if _, err := st.AcceptInvitation(ctx, token, "a brand new password", now.Add(5*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if _, err := st.CheckCredentials(ctx, p.Email, "a brand new password"); err != nil {
		t.Fatalf("new password after reset: %v", err)
	}
}
