package portal

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/sowflow/sowflow/store"
	"github.com/sowflow/sowflow/testenv"
)

var tokSecretPattern = regexp.MustCompile(`id="new-secret"[^>]*>(sow_[^<]+)</textarea>`)

// tokFormFields returns the CSRF token and one-time key of the first form on body.
func tokFormFields(t *testing.T, body string) url.Values {
	t.Helper()
	c, k := csrfPattern.FindStringSubmatch(body), formKeyPattern.FindStringSubmatch(body)
	if c == nil || k == nil {
		t.Fatalf("no form with a CSRF field and key in %q", body)
	}
	return url.Values{"csrf": {c[1]}, keyField: {k[1]}}
}

func TestAdminTokens(t *testing.T) {
	f := newAPIFixture(t)
	ctx := context.Background()
	admin := f.person(store.RoleAdmin, "", testPassword, store.LanguageEnglish)
	b := f.browser()
	b.signIn(admin.Email, testPassword)

	page := b.get(pathAdminTokens)
	page.want(t, http.StatusOK, "Make a token", `href="/admin/tokens" aria-current="page"`)

	t.Run("refusals beside their fields", func(t *testing.T) {
		tests := []struct {
			name string
			form url.Values
			want []string
		}{
			{"nothing filled in", url.Values{}, []string{`id="name-problem">Give the token a name.`, `id="role-problem">Choose the token&#39;s role.`}},
			{"customer without ID", url.Values{"name": {"ERP"}, "role": {"customer"}},
				[]string{`id="customer-problem">A customer token needs the customer&#39;s ID.`, `value="ERP"`}},
			{"manager with a customer", url.Values{"name": {"ERP"}, "role": {"manager"}, "customer": {"acme"}},
				[]string{`id="customer-problem">Only a customer token belongs to a customer`, `value="acme"`}},
			{"bad customer ID", url.Values{"name": {"ERP"}, "role": {"customer"}, "customer": {"a b"}},
				[]string{`id="customer-problem">Enter a customer ID`}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				form := tokFormFields(t, b.get(pathAdminTokens).body)
				for k, v := range tt.form {
					form[k] = v
				}
				res := b.post(pathAdminTokens, form)
				res.want(t, http.StatusUnprocessableEntity, tt.want...)
				if strings.Contains(res.body, "sow_") {
					t.Errorf("a refused form shows a secret")
				}
			})
		}
	})

	var secret, tokenID string
	t.Run("made, its secret shown once", func(t *testing.T) {
		form := tokFormFields(t, b.get(pathAdminTokens).body)
		form.Set("name", "ERP integration")
		form.Set("role", "customer")
		form.Set("customer", "acme-erp")
		res := b.post(pathAdminTokens, form)
		res.want(t, http.StatusCreated, "Token “ERP integration” is made", "It will not be shown again", "(⌘C on a Mac)")
		m := tokSecretPattern.FindStringSubmatch(res.body)
		if m == nil {
			t.Fatalf("no secret shown: %q", res.body)
		}
		secret = html.UnescapeString(m[1])
		p, err := f.st.Authenticate(ctx, secret)
		if err != nil || p.Role != store.RoleCustomer || p.CustomerID != "acme-erp" {
			t.Fatalf("the shown secret is %+v, %v", p, err)
		}
		tokenID = p.TokenID
		// The same form sent again makes no second token and shows no secret.
		again := b.post(pathAdminTokens, form)
		again.want(t, http.StatusOK, "This form was already sent: token “ERP integration” was made then")
		if strings.Contains(again.body, secret) || strings.Contains(again.body, `id="new-secret"`) {
			t.Error("the form sent again shows the secret")
		}
		// The list shows the token, never a secret.
		list := b.get(pathAdminTokens)
		list.want(t, http.StatusOK, "ERP integration", "acme-erp", "/admin/tokens/"+tokenID+"/revoke")
		if strings.Contains(list.body, secret) {
			t.Error("the list shows the secret again")
		}
	})

	t.Run("revoked after confirmation", func(t *testing.T) {
		confirm := b.get(pathAdminTokens + "/" + tokenID + "/revoke")
		confirm.want(t, http.StatusOK, "Revoke this token?", "ERP integration", "Yes, revoke it")
		if p, err := f.st.Authenticate(ctx, secret); err != nil || p.TokenID != tokenID {
			t.Fatalf("showing the confirmation revoked the token: %v", err)
		}
		form := tokFormFields(t, confirm.body)
		res := b.post(pathAdminTokens+"/"+tokenID+"/revoke", form)
		res.want(t, http.StatusSeeOther)
		if loc := res.Header.Get("Location"); loc != pathAdminTokens+"?done=revoked" {
			t.Fatalf("redirected to %q", loc)
		}
		if _, err := f.st.Authenticate(ctx, secret); err == nil {
			t.Fatal("the token still works")
		}
		b.get(pathAdminTokens+"?done=revoked").want(t, http.StatusOK, "The token is revoked.", "revoked ")
		// The same form sent again (a double click) answers the same.
		b.post(pathAdminTokens+"/"+tokenID+"/revoke", form).want(t, http.StatusSeeOther)
		var n int
		err := testenv.Get(t).Pool.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE action = $1 AND payload->>'token_id' = $2 AND actor_subject = $3`,
			store.ActionTokenRevoke, tokenID, admin.Subject()).Scan(&n)
		if err != nil || n != 1 {
			t.Fatalf("%d revocations audited as the admin, %v; want 1", n, err)
		}
		b.get(pathAdminTokens+"/nosuchtoken/revoke").want(t, http.StatusNotFound)
	})

	t.Run("in Chinese", func(t *testing.T) {
		zh := f.person(store.RoleAdmin, "", testPassword, store.LanguageChinese)
		zb := f.browser()
		zb.signIn(zh.Email, testPassword)
		form := tokFormFields(t, zb.get(pathAdminTokens).body)
		form.Set("role", "customer")
		zb.post(pathAdminTokens, form).want(t, http.StatusUnprocessableEntity, "请填写令牌名称。", "客户令牌须填写客户 ID。", "API 令牌")
	})

	t.Run("other roles may not", func(t *testing.T) {
		m := f.person(store.RoleManager, "", testPassword, store.LanguageEnglish)
		mb := f.browser()
		mb.signIn(m.Email, testPassword)
		if home := mb.get(pathHome); strings.Contains(home.body, `href="/admin/tokens"`) {
			t.Error("a manager's navigation links the tokens page")
		}
		mb.get(pathAdminTokens).want(t, http.StatusForbidden)
		form := url.Values{"csrf": {mb.csrf(pathHome)}, keyField: {"k1"}, "name": {"mine"}, "role": {"admin"}}
		mb.post(pathAdminTokens, form).want(t, http.StatusForbidden)
		all, err := f.st.ListTokens(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, tk := range all {
			if tk.Name == "mine" && strings.HasSuffix(tk.CreatedBy, m.Subject()) {
				t.Fatalf("a manager made token %+v", tk)
			}
		}
	})
}

// TestAdminTokensScreenshots writes the tokens page (the list with a secret
// just shown, a refused form, the revoke confirmation) at 1280 and 375 px
// wide in both languages: SOWFLOW_SCREENSHOT_DIR=/tmp go test ./portal -run
// TestAdminTokensScreenshots.
func TestAdminTokensScreenshots(t *testing.T) {
	dir := os.Getenv(screenshotDirVariable)
	if dir == "" {
		t.Skipf("set %s to write the tokens page's screenshots", screenshotDirVariable)
	}
	ctx := newTab(t)
	f := newAPIFixture(t)
	bg := context.Background()
	admin := f.person(store.RoleAdmin, "", testPassword, store.LanguageEnglish)
	owner := f.person(store.RoleManager, "", "", store.LanguageChinese)
	if _, _, err := f.st.CreateToken(bg, store.TokenSpec{Name: "王经理的笔记本", Role: store.RoleManager, CreatedBy: owner.Subject()}); err != nil {
		t.Fatal(err)
	}
	old, _, err := f.st.CreateToken(bg, store.TokenSpec{Name: "Old monitoring", Role: store.RoleAuditor, CreatedBy: "cli"})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.st.RevokeToken(bg, old.ID); err != nil {
		t.Fatal(err)
	}
	do(t, ctx, signInSteps(f.srv.URL, admin.Email, testPassword)...)
	do(t, ctx, chromedp.WaitVisible(chromedp.CSS(".who")))
	shot := func(name string) {
		t.Helper()
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, lang := range []string{"en", "zh-CN"} {
		do(t, ctx, chromedp.Navigate(f.srv.URL+pathAdminTokens), chromedp.WaitVisible(chromedp.CSS(`button[value="`+lang+`"]`)),
			chromedp.Click(chromedp.CSS(`button[value="`+lang+`"]`)), chromedp.WaitVisible(chromedp.CSS(`button[value="`+lang+`"][aria-current="true"]`)))
		for _, width := range []int64{1280, 375} {
			suffix := "-" + lang + "-" + strconv.FormatInt(width, 10)
			do(t, ctx, chromedp.EmulateViewport(width, 900), chromedp.Navigate(f.srv.URL+pathAdminTokens), chromedp.WaitVisible(chromedp.CSS("#name")),
				chromedp.SetValue(chromedp.CSS("#role"), "customer"), chromedp.Click(chromedp.CSS(`form[action="/admin/tokens"] button.primary`)), chromedp.WaitVisible(chromedp.CSS("#name-problem")))
			shot("tokens-refused" + suffix)
			do(t, ctx, chromedp.SetValue(chromedp.CSS("#name"), "ERP integration "+lang), chromedp.SetValue(chromedp.CSS("#customer"), "acme-erp"),
				chromedp.Click(chromedp.CSS(`form[action="/admin/tokens"] button.primary`)), chromedp.WaitVisible(chromedp.CSS("#new-secret")))
			shot("tokens-created" + suffix)
			do(t, ctx, chromedp.Click(chromedp.CSS(`a.tok-link`)), chromedp.WaitVisible(chromedp.CSS(".tok-confirm")))
			shot("tokens-confirm" + suffix)
		}
	}
}
