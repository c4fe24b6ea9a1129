package portal

import (
	"net/http"
	"time"

	"github.com/sowflow/sowflow/store"
)

// The API tokens page: every token (never a secret), a form that makes one
// and shows its secret once, and Revoke behind a confirmation step. Every
// read and action goes through the API as the signed-in admin
// (/v1/tokens), so the role check, the validation and the audit are the
// API's.

const pathAdminTokens = "/admin/tokens"

func init() {
	addNav(navEntry{Order: 85, Path: pathAdminTokens, Key: "tok_nav", Roles: []store.Role{store.RoleAdmin}})
}

// apiToken is a token as GET /v1/tokens answers it.
type apiToken struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	Role       store.Role `json:"role"`
	CustomerID string     `json:"customer_id"`
	Owner      *struct {
		ID    string `json:"id"`
		Name  string `json:"name"`
		Email string `json:"email"`
	} `json:"owner"`
	CreatedBy string     `json:"created_by"`
	CreatedAt time.Time  `json:"created_at"`
	Revoked   bool       `json:"revoked"`
	RevokedAt *time.Time `json:"revoked_at"`
}

// tokenRow is one line of the tokens list, in the reader's language.
type tokenRow struct {
	ID, Name, Role, Customer, Owner, Created, Status string
	Revoked                                          bool
}

// tokenForm is the create form's values and its problems by field.
type tokenForm struct {
	Name, Role, Customer string
	Problems             map[string]string
}

// newSecret is a token just made: its secret, shown this once.
type newSecret struct {
	// Heading names the token in the reader's language.
	Heading, Secret string
}

// adminTokensPage is the tokens page's data.
type adminTokensPage struct {
	Tokens  []tokenRow
	Roles   []roleOption
	Form    tokenForm
	Created *newSecret
	// Already says the form was sent again: its token was made, and its
	// secret shown, the first time.
	Already string
	// Confirm is the token whose revocation is being confirmed.
	Confirm *tokenRow
}

func (p *Portal) showAdminTokens(w http.ResponseWriter, r *request) {
	p.renderAdminTokens(w, r, http.StatusOK, adminTokensPage{})
}

// showRevokeToken asks the admin to confirm a token's revocation.
func (p *Portal) showRevokeToken(w http.ResponseWriter, r *request) {
	p.renderAdminTokens(w, r, http.StatusOK, adminTokensPage{Confirm: &tokenRow{ID: r.PathValue("id")}})
}

// renderAdminTokens lists the tokens under page's form, new secret or
// confirmation; a confirmation of a token not listed is 404.
func (p *Portal) renderAdminTokens(w http.ResponseWriter, r *request, status int, page adminTokensPage) {
	var list struct {
		Tokens []apiToken `json:"tokens"`
	}
	if err := p.call(r, http.MethodGet, "/v1/tokens", "", nil, &list); err != nil {
		p.apiFailed(w, r, "list tokens", err)
		return
	}
	for _, t := range list.Tokens {
		row := tokenRow{ID: t.ID, Name: t.Name, Role: msg(r.Lang, "role_"+string(t.Role)), Customer: t.CustomerID,
			Created: formatInstant(r.Lang, t.CreatedAt), Status: msg(r.Lang, "tok_status_active"), Revoked: t.Revoked}
		if row.Customer == "" {
			row.Customer = "—"
		}
		switch {
		case t.Owner != nil && t.Owner.Name != "":
			row.Owner = t.Owner.Name + " (" + t.Owner.Email + ")"
		case t.Owner != nil:
			row.Owner = t.Owner.ID
		default:
			row.Owner = msg(r.Lang, "tok_owner_none")
		}
		if t.RevokedAt != nil {
			row.Status = msg(r.Lang, "tok_status_revoked") + " " + formatInstant(r.Lang, *t.RevokedAt)
		}
		if page.Confirm != nil && page.Confirm.ID == t.ID {
			page.Confirm = &row
		}
		page.Tokens = append(page.Tokens, row)
	}
	if page.Confirm != nil && page.Confirm.Name == "" {
		p.notFound(w, r)
		return
	}
	for _, role := range store.Roles() {
		page.Roles = append(page.Roles, roleOption{Value: string(role), Name: msg(r.Lang, "role_"+string(role))})
	}
	v := p.newView(r, "tok_title")
	if r.URL.Query().Get(doneField) == "revoked" {
		v.Notice = msg(r.Lang, "tok_revoked_notice")
	}
	v.Page = page
	p.render(w, r, status, "admin_tokens", v)
}
