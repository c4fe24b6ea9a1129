package portal

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/sowflow/sowflow/store"
	"github.com/sowflow/sowflow/testenv"
)

var tokSecretPattern = regexp.MustCompile(`id="new-secret"[^>]*value="(sow_[^"]+)"`)

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
