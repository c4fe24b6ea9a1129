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
