package api

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/sowflow/sowflow/store"
	"github.com/sowflow/sowflow/testenv"
)

func TestTokenRoutesRefuseNonAdmins(t *testing.T) {
	f := newFixture(t)
	victim, _, err := f.store.CreateToken(context.Background(), store.TokenSpec{Name: "victim", Role: store.RoleAuditor, CreatedBy: "test"})
	if err != nil {
		t.Fatal(err)
	}
	for _, role := range []store.Role{store.RoleManager, store.RoleCustomer, store.RoleAuditor} {
		for _, r := range []struct{ method, path, body string }{
			{http.MethodGet, "/v1/tokens", ""},
			{http.MethodPost, "/v1/tokens", `{"name":"mine","role":"admin"}`},
			{http.MethodDelete, "/v1/tokens/" + victim.ID, ""},
		} {
			t.Run(string(role)+" "+r.method, func(t *testing.T) {
				var body []byte
				if r.body != "" {
					body = []byte(r.body)
				}
				rec := f.send(request{method: r.method, path: r.path, token: f.tokens[role], body: body})
				wantStatus(t, rec, http.StatusForbidden)
				if p := problemOf(t, rec); p.Type != ProblemForbidden || !strings.Contains(p.Detail, "admin") {
					t.Errorf("problem %+v", p)
				}
			})
		}
	}
	if got, err := f.store.FindToken(context.Background(), victim.ID); err != nil || got.RevokedAt != nil {
		t.Fatalf("after the refusals the token is %+v, %v", got, err)
	}
	if rec := f.send(request{method: http.MethodGet, path: "/v1/tokens"}); rec.Code != http.StatusUnauthorized {
		t.Errorf("without a token: %d", rec.Code)
	}
}

func TestCreateTokenValidation(t *testing.T) {
	f := newFixture(t)
	admin := f.as(t, store.RoleAdmin)
	tests := []struct {
		name string
		body string
		want map[string]string
	}{
		{"empty object", `{}`, map[string]string{"name": "required", "role": "required"}},
		{"blank name", `{"name":"   ","role":"auditor"}`, map[string]string{"name": "required"}},
		{"name too long", `{"name":"` + strings.Repeat("x", 101) + `","role":"auditor"}`, map[string]string{"name": "max"}},
		{"unknown role", `{"name":"n","role":"owner"}`, map[string]string{"role": "oneof"}},
		{"customer without customer_id", `{"name":"n","role":"customer"}`, map[string]string{"customer_id": "required_if"}},
		{"manager with customer_id", `{"name":"n","role":"manager","customer_id":"acme"}`, map[string]string{"customer_id": "excluded_unless"}},
		{"bad customer_id", `{"name":"n","role":"customer","customer_id":"a b"}`, map[string]string{"customer_id": "identifier"}},
		{"every field at once", `{"name":"","role":"customer"}`, map[string]string{"name": "required", "customer_id": "required_if"}},
		{"no expiry field", `{"name":"n","role":"auditor","expires_at":"2027-01-01T00:00:00+08:00"}`, map[string]string{"expires_at": "unknown"}},
		{"wrong type", `{"name":1,"role":"auditor"}`, map[string]string{"name": "type"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := admin.post("/v1/tokens", tt.body)
			wantStatus(t, rec, http.StatusBadRequest)
			p := problemOf(t, rec)
			got := problemFields(p)
			if len(got) != len(tt.want) {
				t.Fatalf("fields %v, want %v", got, tt.want)
			}
			for field, rule := range tt.want {
				if got[field] != rule {
					t.Errorf("field %s: rule %q, want %q (%+v)", field, got[field], rule, p.Errors)
				}
			}
		})
	}
	if rec := f.send(request{method: http.MethodPost, path: "/v1/tokens", token: f.tokens[store.RoleAdmin], body: []byte(`{"name":"n","role":"auditor"}`), noKey: true}); rec.Code != http.StatusBadRequest ||
		problemFields(problemOf(t, rec))[idempotencyHeader] != "required" {
		t.Errorf("without an Idempotency-Key: %d %s", rec.Code, rec.Body)
	}
}

func TestTokenLifecycle(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	pool := testenv.Get(t).Pool
	admin := f.as(t, store.RoleAdmin)
	adminID := f.tokenID(t, f.tokens[store.RoleAdmin])
	var auditBefore int64
	if err := pool.QueryRow(ctx, `SELECT coalesce(max(seq), 0) FROM audit_log WHERE chain = $1`, store.SystemChain).Scan(&auditBefore); err != nil {
		t.Fatal(err)
	}

	// Create: 201, Location, the secret once; it works at once.
	rec := admin.postKey("/v1/tokens", "create-1", map[string]string{"name": "ERP integration", "role": "customer", "customer_id": "acme-erp"})
	wantStatus(t, rec, http.StatusCreated)
	var created tokenCreated
	decode(t, rec, &created)
	if !strings.HasPrefix(created.Secret, "sow_"+created.ID+"_") || created.Role != store.RoleCustomer || created.CustomerID != "acme-erp" ||
		created.Name != "ERP integration" || created.Revoked || created.Owner != nil || created.CreatedBy != "api:token:"+adminID ||
		rec.Header().Get("Location") != "/v1/tokens/"+created.ID {
		t.Fatalf("created %+v, Location %q", created, rec.Header().Get("Location"))
	}
	if _, off := created.CreatedAt.Zone(); off != 8*3600 {
		t.Errorf("created_at %v is not in CST", created.CreatedAt)
	}
	var me store.Principal
	decode(t, f.asToken(t, created.Secret).get("/v1/me"), &me)
	if me.TokenID != created.ID || me.Role != store.RoleCustomer || me.CustomerID != "acme-erp" {
		t.Fatalf("the new token is %+v", me)
	}

	// A retry of the same request answers the same token without its
	// secret (kept nowhere, the answer kept for retries included) and
	// makes no second one.
	again := admin.postKey("/v1/tokens", "create-1", map[string]string{"name": "ERP integration", "role": "customer", "customer_id": "acme-erp"})
	wantStatus(t, again, http.StatusCreated)
	var replayed map[string]any
	decode(t, again, &replayed)
	if again.Header().Get(replayedHeader) != "true" || replayed["id"] != created.ID || replayed["secret"] != nil ||
		again.Header().Get("Location") != "/v1/tokens/"+created.ID {
		t.Fatalf("retry: %v %s", again.Header(), again.Body)
	}
	var kept int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM idempotency_keys WHERE position($1::bytea in response_body) > 0`, []byte(created.Secret)).Scan(&kept); err != nil || kept != 0 {
		t.Fatalf("%d kept answers hold the secret, %v", kept, err)
	}
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM api_tokens WHERE name = 'ERP integration' AND created_by = $1`, created.CreatedBy).Scan(&n); err != nil || n != 1 {
		t.Fatalf("%d tokens made, %v; want 1", n, err)
	}
	// The same key for another request is refused.
	wantStatus(t, admin.postKey("/v1/tokens", "create-1", map[string]string{"name": "other", "role": "auditor"}), http.StatusUnprocessableEntity)

	// A person's own token shows its owner.
	person, err := f.store.CreatePerson(ctx, store.PersonSpec{Email: strings.ToLower(strings.ReplaceAll(t.Name(), "/", "-")) + "@example.com",
		Name: "李雷", Role: store.RoleManager, Language: store.LanguageChinese})
	if err != nil {
		t.Fatal(err)
	}
	personal, _, err := f.store.CreateToken(ctx, store.TokenSpec{Name: "laptop", Role: store.RoleManager, CreatedBy: person.Subject()})
	if err != nil {
		t.Fatal(err)
	}

	list := func() map[string]tokenInfo {
		t.Helper()
		rec := admin.get("/v1/tokens")
		wantStatus(t, rec, http.StatusOK)
		if strings.Contains(rec.Body.String(), "secret") || strings.Contains(rec.Body.String(), created.Secret) {
			t.Fatalf("the list shows a secret: %s", rec.Body)
		}
		var out tokenList
		decode(t, rec, &out)
		byID := map[string]tokenInfo{}
		for _, tk := range out.Tokens {
			byID[tk.ID] = tk
		}
		return byID
	}
	all := list()
	if got := all[created.ID]; got.Name != "ERP integration" || got.CustomerID != "acme-erp" || got.Revoked || got.Owner != nil {
		t.Errorf("listed %+v", got)
	}
	if got := all[personal.ID]; got.Owner == nil || got.Owner.ID != person.ID || got.Owner.Name != "李雷" || got.Owner.Email != person.Email {
		t.Errorf("personal token listed %+v (owner %+v)", got, got.Owner)
	}
	if _, ok := all[adminID]; !ok {
		t.Errorf("the admin's own token is not listed")
	}

	// An admin person's integration token is not their personal token.
	adminPerson, err := f.store.CreatePerson(ctx, store.PersonSpec{Email: "admin-" + strings.ToLower(strings.ReplaceAll(t.Name(), "/", "-")) + "@example.com",
		Name: "Admin", Role: store.RoleAdmin, Language: store.LanguageEnglish})
	if err != nil {
		t.Fatal(err)
	}
	byPerson := f.send(request{method: http.MethodPost, path: "/v1/tokens", body: []byte(`{"name":"monitoring","role":"auditor"}`),
		ctx: ActingAs(ctx, adminPerson.Principal())})
	wantStatus(t, byPerson, http.StatusCreated)
	if mine, err := f.store.PersonalTokens(ctx, adminPerson); err != nil || len(mine) != 0 {
		t.Errorf("the admin's personal tokens are %+v, %v; want none", mine, err)
	}

	// Revoke: the token stops working; revoking again is the same answer
	// and records nothing more; an unknown ID is 404.
	rec = f.send(request{method: http.MethodDelete, path: "/v1/tokens/" + created.ID, token: f.tokens[store.RoleAdmin], key: "revoke-1"})
	wantStatus(t, rec, http.StatusOK)
	var revoked tokenInfo
	decode(t, rec, &revoked)
	if !revoked.Revoked || revoked.RevokedAt == nil || revoked.ID != created.ID {
		t.Fatalf("revoked %+v", revoked)
	}
	wantStatus(t, f.asToken(t, created.Secret).get("/v1/me"), http.StatusUnauthorized)
	replay := f.send(request{method: http.MethodDelete, path: "/v1/tokens/" + created.ID, token: f.tokens[store.RoleAdmin], key: "revoke-1"})
	wantStatus(t, replay, http.StatusOK)
	if replay.Header().Get(replayedHeader) != "true" || replay.Body.String() != rec.Body.String() {
		t.Errorf("replayed revocation: %v %s", replay.Header(), replay.Body)
	}
	second := f.send(request{method: http.MethodDelete, path: "/v1/tokens/" + created.ID, token: f.tokens[store.RoleAdmin], key: "revoke-2"})
	wantStatus(t, second, http.StatusOK)
	decode(t, second, &revoked)
	if !revoked.Revoked {
		t.Errorf("second revocation: %s", second.Body)
	}
	if !list()[created.ID].Revoked {
		t.Errorf("the list does not show the revocation")
	}
	missing := f.send(request{method: http.MethodDelete, path: "/v1/tokens/nosuchtoken", token: f.tokens[store.RoleAdmin]})
	wantStatus(t, missing, http.StatusNotFound)
	problemOf(t, missing)

	// The system chain holds one creation and one revocation of the token,
	// by the admin, and no secret.
	rows, err := pool.Query(ctx, `SELECT action, actor_subject, actor_role, payload::text FROM audit_log
		WHERE chain = $1 AND seq > $2 AND payload->>'token_id' = $3 ORDER BY seq`, store.SystemChain, auditBefore, created.ID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var action, subject, role, payload string
		if err := rows.Scan(&action, &subject, &role, &payload); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(payload, created.Secret) {
			t.Errorf("audit payload holds the secret: %s", payload)
		}
		got = append(got, action+" "+subject+" "+role)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	want := []string{store.ActionTokenCreate + " token:" + adminID + " admin", store.ActionTokenRevoke + " token:" + adminID + " admin"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("audit records\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestOpenAPITokenSchemas(t *testing.T) {
	doc := oasLoad(t)
	const s = "#/components/schemas/"
	for _, tt := range []struct {
		pointer string
		goType  any
		kind    oasSchemaKind
	}{
		{s + "Token", tokenInfo{}, oasResponseSchema},
		{s + "Token/properties/owner", tokenOwner{}, oasResponseSchema},
		{s + "TokenList", tokenList{}, oasResponseSchema},
		{s + "TokenCreated", tokenCreated{}, oasResponseSchema},
		{s + "TokenRequest", tokenRequest{}, oasRequestSchema},
	} {
		t.Run(strings.TrimPrefix(tt.pointer, s), func(t *testing.T) {
			doc.checkSchema(t, tt.pointer, tt.goType, tt.kind)
		})
	}
}
