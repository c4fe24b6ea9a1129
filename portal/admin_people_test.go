package portal

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/sowflow/sowflow/store"
	"github.com/sowflow/sowflow/testenv"
)

var linkPattern = regexp.MustCompile(`value="https://sowflow\.example\.com/invitations/([A-Za-z0-9_-]{43})"`)

func TestAdminPeople(t *testing.T) {
	f := newFixture(t, "https://sowflow.example.com")
	ctx := context.Background()
	admin := f.person(store.RoleAdmin, "", testPassword, store.LanguageEnglish)
	b := f.browser()
	// The fixture's URL is http: sign in by hand, as Secure cookies are not
	// sent back by the jar.
	b.client.Jar = nil
	pre := b.get(pathSignIn).cookie(preSessionCookie)
	req, _ := http.NewRequest(http.MethodPost, f.srv.URL+pathSignIn, strings.NewReader(url.Values{"csrf": {pre.Value}, "email": {admin.Email}, "password": {testPassword}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(pre)
	sess := b.do(req).cookie(sessionCookie)
	if sess == nil {
		t.Fatal("admin did not sign in")
	}
	b.header.Set("Cookie", sessionCookie+"="+sess.Value)

	page := b.get(pathAdminPeople)
	page.want(t, http.StatusOK, "Invite a person", admin.Email)
	csrf := csrfPattern.FindStringSubmatch(page.body)[1]
	email := unique("wang.fang") + "@example.com"

	t.Run("refused with each field's problem", func(t *testing.T) {
		b.post(pathAdminPeople, url.Values{"csrf": {csrf}, "email": {"not an address"}, "name": {""}, "role": {"customer"}, "language": {"zh-CN"}}).
			want(t, http.StatusUnprocessableEntity, "Enter one email address", "Enter a name", "A customer needs the customer ID", `value="not an address"`)
	})
	var token string
	t.Run("created with a one-time link", func(t *testing.T) {
		res := b.post(pathAdminPeople, url.Values{"csrf": {csrf}, "email": {email}, "name": {"王芳"}, "role": {"customer"}, "customer": {"acme"}, "language": {"zh-CN"}})
		res.want(t, http.StatusCreated, "Invitation link for 王芳", email)
		m := linkPattern.FindStringSubmatch(res.body)
		if m == nil {
			t.Fatalf("no invitation link under the public URL: %q", res.body)
		}
		token = m[1]
		p, err := f.st.InvitationPerson(ctx, token, f.clock.Now())
		if err != nil || p.CustomerID != "acme" || p.Language != store.LanguageChinese {
			t.Fatalf("invited %+v, %v", p, err)
		}
	})
	t.Run("the same email again", func(t *testing.T) {
		b.post(pathAdminPeople, url.Values{"csrf": {csrf}, "email": {strings.ToUpper(email)}, "name": {"x"}, "role": {"auditor"}, "language": {"en"}}).
			want(t, http.StatusUnprocessableEntity, "Someone already has this email address")
	})
	p, err := f.st.FindPerson(ctx, email)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("disable, enable, reset", func(t *testing.T) {
		b.post(pathAdminPeople+"/"+p.ID+"/disable", url.Values{"csrf": {csrf}}).want(t, http.StatusSeeOther)
		if got, _ := f.st.FindPerson(ctx, p.ID); !got.Disabled {
			t.Fatal("not disabled")
		}
		b.post(pathAdminPeople+"/"+p.ID+"/enable", url.Values{"csrf": {csrf}}).want(t, http.StatusSeeOther)
		res := b.post(pathAdminPeople+"/"+p.ID+"/reset", url.Values{"csrf": {csrf}})
		res.want(t, http.StatusOK, "Invitation link for 王芳")
		if m := linkPattern.FindStringSubmatch(res.body); m == nil || m[1] == token {
			t.Fatalf("reset made no new link: %q", res.body)
		}
		b.post(pathAdminPeople+"/nobody/reset", url.Values{"csrf": {csrf}}).want(t, http.StatusNotFound)
		// An email is not an ID here.
		b.post(pathAdminPeople+"/"+url.PathEscape(email)+"/disable", url.Values{"csrf": {csrf}}).want(t, http.StatusNotFound)
	})
	t.Run("audited as the admin", func(t *testing.T) {
		var subject string
		err := testenv.Get(t).Pool.QueryRow(ctx, `SELECT actor_subject FROM audit_log WHERE action = $1 AND payload->>'person_id' = $2`, store.ActionPersonDisable, p.ID).Scan(&subject)
		if err != nil || subject != admin.Subject() {
			t.Fatalf("disable audited as %q, %v; want %s", subject, err, admin.Subject())
		}
	})
	t.Run("other roles may not", func(t *testing.T) {
		m := f.person(store.RoleManager, "", testPassword, store.LanguageChinese)
		mb := f.browser()
		mb.signIn(m.Email, testPassword)
		mb.get(pathAdminPeople).want(t, http.StatusForbidden, "您的角色无权打开此页面")
		mb.post(pathAdminPeople+"/"+p.ID+"/disable", url.Values{"csrf": {mb.csrf(pathHome)}}).want(t, http.StatusForbidden)
		if got, _ := f.st.FindPerson(ctx, p.ID); got.Disabled {
			t.Fatal("a manager disabled a person")
		}
	})
}
