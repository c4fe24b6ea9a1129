package portal

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"github.com/sowflow/sowflow/store"
)

var secretPattern = regexp.MustCompile(`value="(sow_[A-Za-z0-9_-]+)"`)

func TestPersonalTokens(t *testing.T) {
	f := newFixture(t, "http://127.0.0.1:8080")
	ctx := context.Background()
	p := f.person(store.RoleCustomer, "acme", testPassword, store.LanguageEnglish)
	b := f.browser()
	b.signIn(p.Email, testPassword)
	b.get(pathProfile).want(t, http.StatusOK, p.Email, "Personal API tokens")
	csrf := b.csrf(pathProfile)

	b.post(pathProfile+"/tokens", url.Values{"csrf": {csrf}, "name": {" "}}).want(t, http.StatusUnprocessableEntity, "Name the token")
	res := b.post(pathProfile+"/tokens", url.Values{"csrf": {csrf}, "name": {"reporting script"}})
	res.want(t, http.StatusCreated, "Copy it now", "reporting script")
	m := secretPattern.FindStringSubmatch(res.body)
	if m == nil {
		t.Fatalf("no secret shown: %q", res.body)
	}
	principal, err := f.st.Authenticate(ctx, m[1])
	if err != nil || principal.Role != store.RoleCustomer || principal.CustomerID != "acme" {
		t.Fatalf("the token authenticates as %+v, %v; want the person's role and customer", principal, err)
	}
	// The secret is shown once.
	if secretPattern.MatchString(b.get(pathProfile).body) {
		t.Fatal("the profile shows the secret again")
	}

	// Another person's token cannot be revoked from here.
	other := f.person(store.RoleManager, "", testPassword, store.LanguageEnglish)
	ot, osecret, err := f.st.CreateToken(ctx, personalTokenSpec(other, "theirs"))
	if err != nil {
		t.Fatal(err)
	}
	b.post(pathProfile+"/tokens/"+ot.ID+"/revoke", url.Values{"csrf": {csrf}}).want(t, http.StatusNotFound)
	if _, err := f.st.Authenticate(ctx, osecret); err != nil {
		t.Fatalf("another person's token was revoked: %v", err)
	}

	b.post(pathProfile+"/tokens/"+principal.TokenID+"/revoke", url.Values{"csrf": {csrf}}).want(t, http.StatusSeeOther)
	if _, err := f.st.Authenticate(ctx, m[1]); !errors.Is(err, store.ErrUnauthenticated) {
		t.Fatalf("revoked token still authenticates: %v", err)
	}
	b.get(pathProfile).want(t, http.StatusOK, "revoked")
}

func TestChangePassword(t *testing.T) {
	f := newFixture(t, "http://127.0.0.1:8080")
	ctx := context.Background()
	p := f.person(store.RoleAuditor, "", testPassword, store.LanguageEnglish)
	laptop, phone := f.browser(), f.browser()
	laptop.signIn(p.Email, testPassword)
	phone.signIn(p.Email, testPassword)
	csrf := laptop.csrf(pathProfile)
	const newPassword = "an entirely new password"
	tests := []struct {
		name, current, password, confirm, want string
	}{
		{"wrong current password", "not it at all", newPassword, newPassword, "The current password is wrong."},
		{"too short", testPassword, "short", "short", "at least 12 characters"},
		{"not repeated", testPassword, newPassword, newPassword + "!", "The two passwords are not the same."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			laptop.post(pathProfile+"/password", url.Values{"csrf": {csrf}, "current": {tt.current}, "password": {tt.password}, "confirm": {tt.confirm}}).
				want(t, http.StatusUnprocessableEntity, tt.want)
		})
	}
	res := laptop.post(pathProfile+"/password", url.Values{"csrf": {csrf}, "current": {testPassword}, "password": {newPassword}, "confirm": {newPassword}})
	if res.StatusCode != http.StatusSeeOther || res.cookie(sessionCookie) == nil {
		t.Fatalf("change: %d %q; want a redirect with a new session", res.StatusCode, res.body)
	}
	laptop.get(res.Header.Get("Location")).want(t, http.StatusOK, "Your password was changed")
	if r := phone.get(pathHome); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("the other device is still signed in: %d", r.StatusCode)
	}
	if _, err := f.st.CheckCredentials(ctx, p.Email, newPassword); err != nil {
		t.Fatalf("new password: %v", err)
	}
	if _, err := f.st.CheckCredentials(ctx, p.Email, testPassword); !errors.Is(err, store.ErrBadCredentials) {
		t.Fatalf("old password still works: %v", err)
	}
}
