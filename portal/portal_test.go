package portal

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sowflow/sowflow/store"
)

const testPassword = "a long test password"

func TestSecurityHeaders(t *testing.T) {
	f := newFixture(t, "http://127.0.0.1:8080")
	b := f.browser()
	for _, path := range []string{pathSignIn, "/assets/portal.css", "/invitations/unknown", pathHome} {
		t.Run(path, func(t *testing.T) {
			res := b.get(path)
			h := res.Header
			csp := h.Get("Content-Security-Policy")
			for _, want := range []string{"default-src 'none'", "script-src 'self'", "connect-src 'self'", "frame-ancestors 'none'", "form-action 'self'"} {
				if !strings.Contains(csp, want) {
					t.Errorf("Content-Security-Policy %q lacks %q", csp, want)
				}
			}
			if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
				t.Errorf("Content-Security-Policy %q allows inline code", csp)
			}
			if got := h.Get("Referrer-Policy"); got != "same-origin" {
				t.Errorf("Referrer-Policy = %q", got)
			}
			if got := h.Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("X-Content-Type-Options = %q", got)
			}
			// The policy forbids inline script and style: the pages have none.
			if strings.Contains(res.body, "<script>") || strings.Contains(res.body, "style=") || strings.Contains(res.body, "<style") {
				t.Errorf("page has inline script or style: %q", res.body)
			}
		})
	}
}

func TestSignInSessionAndSignOut(t *testing.T) {
	f := newFixture(t, "http://127.0.0.1:8080")
	p := f.person(store.RoleManager, "", testPassword, store.LanguageEnglish)
	b := f.browser()
	if res := b.get(pathHome); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != pathSignIn {
		t.Fatalf("home before sign-in: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	res := b.post(pathSignIn, url.Values{"csrf": {b.csrf(pathSignIn)}, "email": {strings.ToUpper(p.Email)}, "password": {testPassword}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in: %d %q", res.StatusCode, res.body)
	}
	c := res.cookie(sessionCookie)
	if c == nil || len(c.Value) != 43 || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Secure || c.Path != "/" {
		t.Fatalf("session cookie %+v: want a 256-bit value, HttpOnly, SameSite=Lax, not Secure over http", c)
	}
	b.get(pathHome).want(t, http.StatusOK, p.Name, "Sign out")
	// The session's CSRF token, not the pre-session one, signs its forms.
	token := b.csrf(pathHome)
	b.post(pathSignOut, url.Values{"csrf": {token}}).want(t, http.StatusSeeOther)
	if res := b.get(pathHome); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("home after sign-out: %d", res.StatusCode)
	}
	// The old cookie no longer opens a session.
	replay := f.browser()
	u, _ := url.Parse(f.srv.URL)
	replay.client.Jar.SetCookies(u, []*http.Cookie{{Name: sessionCookie, Value: c.Value}})
	if res := replay.get(pathHome); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("home with the signed-out cookie: %d", res.StatusCode)
	}
}

func TestSecureCookieWhenPublicURLIsHTTPS(t *testing.T) {
	f := newFixture(t, "https://sowflow.example.com")
	p := f.person(store.RoleAuditor, "", testPassword, store.LanguageEnglish)
	b := f.browser()
	pre := b.get(pathSignIn).cookie(preSessionCookie)
	if pre == nil || !pre.Secure || !pre.HttpOnly {
		t.Fatalf("pre-session cookie %+v: want Secure and HttpOnly", pre)
	}
	// The jar will not send Secure cookies over http; send the token by hand.
	req, _ := http.NewRequest(http.MethodPost, f.srv.URL+pathSignIn, strings.NewReader(url.Values{"csrf": {pre.Value}, "email": {p.Email}, "password": {testPassword}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: preSessionCookie, Value: pre.Value})
	res := b.do(req)
	c := res.cookie(sessionCookie)
	if res.StatusCode != http.StatusSeeOther || c == nil || !c.Secure {
		t.Fatalf("sign-in over an https public URL: %d, cookie %+v; want a Secure session cookie", res.StatusCode, c)
	}
}

func TestFormsWithoutTheirCSRFTokenAreRefused(t *testing.T) {
	f := newFixture(t, "http://127.0.0.1:8080")
	p := f.person(store.RoleManager, "", testPassword, store.LanguageEnglish)
	other := f.person(store.RoleManager, "", testPassword, store.LanguageEnglish)
	b := f.browser()
	b.signIn(p.Email, testPassword)
	ob := f.browser()
	ob.signIn(other.Email, testPassword)
	otherToken := ob.csrf(pathHome)
	preToken := f.browser().csrf(pathSignIn)

	tests := []struct {
		name, path string
		form       url.Values
	}{
		{"sign-out without a token", pathSignOut, url.Values{}},
		{"sign-out with an empty token", pathSignOut, url.Values{"csrf": {""}}},
		{"sign-out with another session's token", pathSignOut, url.Values{"csrf": {otherToken}}},
		{"sign-out with another browser's pre-session token", pathSignOut, url.Values{"csrf": {preToken}}},
		{"sign out everywhere without a token", pathSignOutAll, url.Values{}},
		{"language without a token", pathLanguage, url.Values{"lang": {"zh-CN"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b.post(tt.path, tt.form).want(t, http.StatusForbidden, "This form has expired or did not come from this site")
			// Nothing happened: still signed in, still in English.
			b.get(pathHome).want(t, http.StatusOK, p.Name, `lang="en"`)
		})
	}
	t.Run("sign-in without a token", func(t *testing.T) {
		anon := f.browser()
		anon.get(pathSignIn)
		anon.post(pathSignIn, url.Values{"email": {p.Email}, "password": {testPassword}}).want(t, http.StatusForbidden)
		if res := anon.get(pathHome); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("signed in without a CSRF token: %d", res.StatusCode)
		}
	})
}

func TestSignInIsThrottledPerAccount(t *testing.T) {
	f := newFixture(t, "http://127.0.0.1:8080")
	p := f.person(store.RoleCustomer, "acme", testPassword, store.LanguageEnglish)
	b := f.browser()
	token := b.csrf(pathSignIn)
	for i := range accountFailureLimit {
		b.post(pathSignIn, url.Values{"csrf": {token}, "email": {p.Email}, "password": {"wrong guess " + string(rune('a'+i))}}).
			want(t, http.StatusUnauthorized, "The email or password is wrong")
		f.clock.Advance(time.Minute)
	}
	// Even the right password is refused now, with the wait named.
	res := b.post(pathSignIn, url.Values{"csrf": {token}, "email": {p.Email}, "password": {testPassword}})
	res.want(t, http.StatusTooManyRequests, "Too many failed sign-ins for this account", "try again in 10 minutes")
	if res.Header.Get("Retry-After") == "" {
		t.Error("no Retry-After")
	}
	if res.cookie(sessionCookie) != nil {
		t.Fatal("a throttled sign-in set a session cookie")
	}
	// Another account from the same address is not affected.
	q := f.person(store.RoleManager, "", testPassword, store.LanguageEnglish)
	f.browser().signIn(q.Email, testPassword)
	// Once the first failure is over 15 minutes old, the right password works.
	f.clock.Advance(10*time.Minute + time.Second)
	b.signIn(p.Email, testPassword)
}

func TestSignInIsThrottledPerAddress(t *testing.T) {
	f := newFixture(t, "http://127.0.0.1:8080")
	// Every test signs in from 127.0.0.1: this one's failures are dated
	// long ago, out of the other tests' windows.
	f.clock.Advance(-1000 * time.Hour)
	p := f.person(store.RoleManager, "", testPassword, store.LanguageChinese)
	b := f.browser()
	token := b.csrf(pathSignIn)
	for range addressFailureLimit {
		b.post(pathSignIn, url.Values{"csrf": {token}, "email": {unique("nobody") + "@example.com"}, "password": {"guess"}}).
			want(t, http.StatusUnauthorized)
	}
	b.header.Set("Accept-Language", "zh-CN,zh;q=0.9")
	b.post(pathSignIn, url.Values{"csrf": {token}, "email": {p.Email}, "password": {testPassword}}).
		want(t, http.StatusTooManyRequests, "您所在网络的登录失败次数过多，请 15 分钟后再试。")
	f.clock.Advance(15 * time.Minute)
	b.signIn(p.Email, testPassword)
}

func TestInvitation(t *testing.T) {
	f := newFixture(t, "http://127.0.0.1:8080")
	ctx := context.Background()
	p := f.person(store.RoleCustomer, "acme", "", store.LanguageChinese)
	token, _, err := f.st.CreateInvitation(ctx, p.ID, f.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	link := strings.TrimPrefix(InvitationURL("http://x", token), "http://x")
	b := f.browser()
	// In the invited person's language, greeting them by name.
	b.get(link).want(t, http.StatusOK, `lang="zh-CN"`, "设置密码", p.Name+"，您好")
	csrf := b.csrf(link)
	tests := []struct {
		name, password, confirm, want string
	}{
		{"too short", "short", "short", "密码至少需要 12 个字符。"},
		{"not repeated", testPassword, testPassword + "x", "两次输入的密码不一致。"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b.post(link, url.Values{"csrf": {csrf}, "password": {tt.password}, "confirm": {tt.confirm}}).
				want(t, http.StatusUnprocessableEntity, tt.want)
		})
	}
	res := b.post(link, url.Values{"csrf": {csrf}, "password": {testPassword}, "confirm": {testPassword}})
	if res.StatusCode != http.StatusSeeOther || res.cookie(sessionCookie) == nil {
		t.Fatalf("accepting: %d %q; want a redirect that signs in", res.StatusCode, res.body)
	}
	b.get(pathHome).want(t, http.StatusOK, p.Name)
	// One time only.
	f.browser().get(link).want(t, http.StatusGone, "This invitation link has already been used")
	f.browser().signIn(p.Email, testPassword)

	t.Run("expires after 7 days", func(t *testing.T) {
		q := f.person(store.RoleManager, "", "", store.LanguageEnglish)
		token, _, err := f.st.CreateInvitation(ctx, q.ID, f.clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		link := pathInvitations + token
		b := f.browser()
		csrf := b.csrf(link)
		f.clock.Advance(7 * 24 * time.Hour)
		b.get(link).want(t, http.StatusGone, "This invitation link has expired")
		b.post(link, url.Values{"csrf": {csrf}, "password": {testPassword}, "confirm": {testPassword}}).
			want(t, http.StatusGone, "This invitation link has expired")
		if _, err := f.st.CheckCredentials(ctx, q.Email, testPassword); err == nil {
			t.Fatal("an expired invitation set a password")
		}
	})
}

func TestSessionEnds(t *testing.T) {
	f := newFixture(t, "http://127.0.0.1:8080")
	p := f.person(store.RoleAuditor, "", testPassword, store.LanguageEnglish)
	t.Run("after 12 idle hours", func(t *testing.T) {
		b := f.browser()
		b.signIn(p.Email, testPassword)
		f.clock.Advance(11 * time.Hour)
		b.get(pathHome).want(t, http.StatusOK)
		f.clock.Advance(12 * time.Hour)
		if res := b.get(pathHome); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("after 12 idle hours: %d", res.StatusCode)
		}
	})
	t.Run("everywhere at once", func(t *testing.T) {
		phone, laptop := f.browser(), f.browser()
		phone.signIn(p.Email, testPassword)
		laptop.signIn(p.Email, testPassword)
		res := laptop.post(pathSignOutAll, url.Values{"csrf": {laptop.csrf(pathHome)}})
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), pathSignIn+"?ended=") {
			t.Fatalf("sign out everywhere: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		laptop.get(res.Header.Get("Location")).want(t, http.StatusOK, "You were signed out everywhere")
		for name, b := range map[string]*browser{"phone": phone, "laptop": laptop} {
			if res := b.get(pathHome); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("%s after sign out everywhere: %d", name, res.StatusCode)
			}
		}
	})
}

func TestHomeListsProjectsAsTheAPIScopesThem(t *testing.T) {
	f := newFixture(t, "http://127.0.0.1:8080")
	mine, theirs := unique("acme"), unique("globex")
	recordProjects(t, f, mine, theirs)
	tests := []struct {
		name          string
		role          store.Role
		customer      string
		lang          store.Language
		want, notWant []string
	}{
		{"customer sees only theirs", store.RoleCustomer, mine, store.LanguageEnglish,
			[]string{mine + "-p1", "Mon 12 Oct 2026, 24:00 CST"}, []string{theirs + "-p1"}},
		{"in chinese", store.RoleCustomer, mine, store.LanguageChinese,
			[]string{"2026年10月12日 周一 24:00（北京时间）", "进行中"}, []string{theirs + "-p1"}},
		{"manager sees all", store.RoleManager, "", store.LanguageEnglish, []string{mine + "-p1", theirs + "-p1"}, nil},
		{"auditor sees all", store.RoleAuditor, "", store.LanguageEnglish, []string{mine + "-p1", theirs + "-p1"}, nil},
		{"admin reads no projects", store.RoleAdmin, "", store.LanguageEnglish, []string{"Administrators manage people"}, []string{mine + "-p1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := f.person(tt.role, tt.customer, testPassword, tt.lang)
			b := f.browser()
			b.signIn(p.Email, testPassword)
			res := b.get(pathHome)
			res.want(t, http.StatusOK, tt.want...)
			for _, nw := range tt.notWant {
				if strings.Contains(res.body, nw) {
					t.Errorf("home shows %q", nw)
				}
			}
		})
	}
}

// recordProjects puts one project per customer in the read model, each
// with a deadline at the end of Monday 12 October 2026.
func recordProjects(t *testing.T, f *fixture, customers ...string) {
	t.Helper()
	deadline := time.Date(2026, 10, 13, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))
	for _, c := range customers {
		snap := store.ProjectSnapshot{ID: c + "-p1", CustomerID: c, PackageCode: "managed-services", CatalogVersion: "test",
			Status: "active", Phase: "kickoff", State: json.RawMessage(`{}`), Seq: 1, NextDeadline: &deadline,
			StartedAt: f.clock.Now(), UpdatedAt: f.clock.Now()}
		if _, err := f.st.RecordProject(context.Background(), snap, nil, nil); err != nil {
			t.Fatal(err)
		}
	}
}

func TestLanguage(t *testing.T) {
	f := newFixture(t, "http://127.0.0.1:8080")
	b := f.browser()
	b.header.Set("Accept-Language", "zh-CN,zh;q=0.9,en;q=0.8")
	b.get(pathSignIn).want(t, http.StatusOK, `<html lang="zh-CN">`, "登录")
	// The switch wins over Accept-Language and returns to the page.
	res := b.post(pathLanguage, url.Values{"csrf": {b.csrf(pathSignIn)}, "lang": {"en"}, "next": {pathSignIn}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != pathSignIn {
		t.Fatalf("switch: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	b.get(pathSignIn).want(t, http.StatusOK, `<html lang="en">`, "Sign in")
	// A signed-in person's choice is kept on their account.
	p := f.person(store.RoleManager, "", testPassword, store.LanguageEnglish)
	b.signIn(p.Email, testPassword)
	b.post(pathLanguage, url.Values{"csrf": {b.csrf(pathHome)}, "lang": {"zh-CN"}, "next": {"//evil.example.com/"}}).want(t, http.StatusSeeOther)
	got, err := f.st.FindPerson(context.Background(), p.ID)
	if err != nil || got.Language != store.LanguageChinese {
		t.Fatalf("language on the account = %q, %v; want zh-CN", got.Language, err)
	}
	b.get(pathHome).want(t, http.StatusOK, "您的项目")
}

func TestFromAcceptLanguage(t *testing.T) {
	tests := []struct {
		header string
		want   store.Language
	}{
		{"", store.LanguageEnglish},
		{"zh-CN,zh;q=0.9,en;q=0.8", store.LanguageChinese},
		{"zh-TW", store.LanguageChinese},
		{"en-US,en;q=0.9,zh-CN;q=0.8", store.LanguageEnglish},
		{"fr-FR, zh;q=0.5, en;q=0.4", store.LanguageChinese},
		{"zh;q=0, en", store.LanguageEnglish},
		{"de, fr", store.LanguageEnglish},
		{"en;q=0.2, ZH-cn;q=0.7", store.LanguageChinese},
	}
	for _, tt := range tests {
		if got := fromAcceptLanguage(tt.header); got != tt.want {
			t.Errorf("fromAcceptLanguage(%q) = %s, want %s", tt.header, got, tt.want)
		}
	}
}

func TestLocalPath(t *testing.T) {
	tests := []struct{ next, want string }{
		{"/sign-in", "/sign-in"},
		{"/invitations/abc", "/invitations/abc"},
		{"", "/"},
		{"https://evil.example.com/", "/"},
		{"//evil.example.com/", "/"},
		{"/\\evil.example.com", "/"},
		{"/a\r\nSet-Cookie: x=y", "/"},
	}
	for _, tt := range tests {
		if got := localPath(tt.next); got != tt.want {
			t.Errorf("localPath(%q) = %q, want %q", tt.next, got, tt.want)
		}
	}
}

func TestCatalogsHaveTheSameKeys(t *testing.T) {
	en, zh := messages[store.LanguageEnglish], messages[store.LanguageChinese]
	for k := range en {
		if _, ok := zh[k]; !ok {
			t.Errorf("zh-CN has no message %q", k)
		}
	}
	for k := range zh {
		if _, ok := en[k]; !ok {
			t.Errorf("en has no message %q", k)
		}
	}
}

func TestOwns(t *testing.T) {
	for path, want := range map[string]bool{
		"/": true, "/sign-in": true, "/sign-out": true, "/sign-out-everywhere": true, "/language": true,
		"/invitations/abc": true, "/assets/portal.css": true, "/profile": true, "/profile/tokens": true, "/admin/people": true,
		"/projects/p-1": true, "/v1x": true,
		"/v1/projects": false, "/v1": false, "/healthz": false, "/readyz": false, "/metrics": false, "/openapi.yaml": false, "/dev/codec/x/encode": false,
	} {
		if got := Owns(path); got != want {
			t.Errorf("Owns(%q) = %v, want %v", path, got, want)
		}
	}
}

// TestLogNamesRoutesNotSecrets checks that the request log names the route
// and never a password, a session ID or an invitation token.
func TestLogNamesRoutesNotSecrets(t *testing.T) {
	var buf safeBuffer
	f := newFixture(t, "http://127.0.0.1:8080")
	p, err := New(Deps{Store: f.st, PublicURL: "http://127.0.0.1:8080", Now: f.clock.Now, Logger: slog.New(slog.NewTextHandler(&buf, nil))})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(p)
	defer srv.Close()
	f.srv = srv
	person := f.person(store.RoleManager, "", testPassword, store.LanguageEnglish)
	token, _, err := f.st.CreateInvitation(context.Background(), person.ID, f.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	b := f.browser()
	b.signIn(person.Email, testPassword)
	b.get(pathInvitations + token)
	logged := buf.String()
	if !strings.Contains(logged, `route="GET /invitations/{token}"`) || !strings.Contains(logged, `route="POST /sign-in" status=303`) {
		t.Fatalf("log does not name the routes: %s", logged)
	}
	for _, secret := range []string{testPassword, token, b.cookieValue(sessionCookie)} {
		if secret != "" && strings.Contains(logged, secret) {
			t.Fatalf("log holds a secret %q: %s", secret, logged)
		}
	}
}
