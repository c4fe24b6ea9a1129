package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/sowflow/sowflow/store"
)

// The token routes let an admin do through the API what `sowflow token`
// does at the command line: list every token (never a secret), make one
// (its secret answered once) and revoke one. The store appends each
// creation and revocation to the system audit chain, attributed to the
// calling admin.

// apiMadePrefix starts the created_by of a token made through the API:
// "api:" and the admin's subject. A created_by of "user:<id>" marks a
// person's personal token (store.PersonalTokens, notices, the delivery
// manager), which a token an admin makes for someone else must not be.
const apiMadePrefix = "api:"

// tokenRequest is the body of POST /v1/tokens.
type tokenRequest struct {
	// Name says what the token is for.
	Name string `json:"name" validate:"required,max=100"`
	Role string `json:"role" validate:"required,oneof=manager customer auditor admin"`
	// CustomerID is the customer a customer token belongs to; required for
	// the customer role, refused for every other.
	CustomerID string `json:"customer_id" validate:"required_if=Role customer,excluded_unless=Role customer,omitempty,max=64,identifier"`
}

// tokenOwner is the person a personal token belongs to.
type tokenOwner struct {
	ID    string `json:"id"`
	Name  string `json:"name,omitempty"`
	Email string `json:"email,omitempty"`
}

// tokenInfo is a token as the API answers it: its metadata, never its
// secret, and whose it is when it is a person's own.
type tokenInfo struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	Role       store.Role `json:"role"`
	CustomerID string     `json:"customer_id,omitempty"`
	// Owner is set for a personal token (one a person made on their
	// profile page).
	Owner     *tokenOwner `json:"owner,omitempty"`
	CreatedBy string      `json:"created_by"`
	CreatedAt time.Time   `json:"created_at"`
	Revoked   bool        `json:"revoked"`
	RevokedAt *time.Time  `json:"revoked_at,omitempty"`
}

// tokenList is GET /v1/tokens's answer.
type tokenList struct {
	Tokens []tokenInfo `json:"tokens"`
}

// tokenCreated is a new token with its secret, shown this once.
type tokenCreated struct {
	tokenInfo
	Secret string `json:"secret"`
}

// newTokenInfo presents t; people maps person IDs to the people who may
// own personal tokens (nil: owners are named by ID only).
func newTokenInfo(t store.Token, people map[string]store.Person) tokenInfo {
	out := tokenInfo{ID: t.ID, Name: t.Name, Role: t.Role, CustomerID: t.CustomerID, CreatedBy: t.CreatedBy,
		CreatedAt: cst(t.CreatedAt), Revoked: t.RevokedAt != nil, RevokedAt: cstPtr(t.RevokedAt)}
	if id, ok := strings.CutPrefix(t.CreatedBy, "user:"); ok {
		owner := tokenOwner{ID: id}
		if p, ok := people[id]; ok {
			owner.Name, owner.Email = p.Name, p.Email
		}
		out.Owner = &owner
	}
	return out
}

// listTokens answers every token, newest first, revoked ones included.
func (h *handlers) listTokens(c *gin.Context) {
	ctx := c.Request.Context()
	tokens, err := h.deps.Store.ListTokens(ctx)
	if err != nil {
		h.internal(c, "list tokens", err)
		return
	}
	people, err := h.peopleByID(c)
	if err != nil {
		h.internal(c, "list token owners", err)
		return
	}
	out := tokenList{Tokens: make([]tokenInfo, 0, len(tokens))}
	for _, t := range tokens {
		out.Tokens = append(out.Tokens, newTokenInfo(t, people))
	}
	c.JSON(http.StatusOK, out)
}

// peopleByID maps every person's ID to them.
func (h *handlers) peopleByID(c *gin.Context) (map[string]store.Person, error) {
	people, err := h.deps.Store.ListPeople(c.Request.Context())
	if err != nil {
		return nil, err
	}
	out := make(map[string]store.Person, len(people))
	for _, p := range people {
		out[p.ID] = p
	}
	return out, nil
}

// createToken makes a token and answers its secret, which is not kept and
// is never shown again: a retry with the same Idempotency-Key answers the
// token without it.
func (h *handlers) createToken(c *gin.Context) {
	var req tokenRequest
	if !bindJSON(c, &req) {
		return
	}
	if strings.TrimSpace(req.Name) == "" {
		invalid(c, "some fields are invalid", FieldError{Field: "name", Rule: "required", Detail: "is required"})
		return
	}
	spec := store.TokenSpec{Name: strings.TrimSpace(req.Name), Role: store.Role(req.Role), CustomerID: req.CustomerID,
		CreatedBy: apiMadePrefix + principal(c).Subject()}
	t, secret, err := h.deps.Store.CreateToken(c.Request.Context(), spec)
	if err != nil {
		h.internal(c, "create token", err)
		return
	}
	info := newTokenInfo(t, nil)
	// A retry gets the token without its secret: the answer kept for
	// retries is stored, and the secret is kept nowhere.
	kept, err := json.Marshal(info)
	if err != nil {
		h.internal(c, "encode token", err)
		return
	}
	c.Set(idempotencyKeptBodyKey, kept)
	c.Header("Location", "/v1/tokens/"+t.ID)
	c.JSON(http.StatusCreated, tokenCreated{tokenInfo: info, Secret: secret})
}

// revokeToken revokes a token; revoking a revoked one answers it again and
// records nothing more.
func (h *handlers) revokeToken(c *gin.Context) {
	ctx := c.Request.Context()
	id := c.Param("id")
	err := h.deps.Store.RevokeToken(ctx, id)
	var t store.Token
	if err == nil {
		t, err = h.deps.Store.FindToken(ctx, id)
	}
	var people map[string]store.Person
	if err == nil {
		people, err = h.peopleByID(c)
	}
	switch {
	case errors.Is(err, store.ErrNotFound):
		writeProblem(c, Problem{Type: ProblemNotFound, Status: http.StatusNotFound, Detail: "no token " + id})
	case err != nil:
		h.internal(c, "revoke token", err)
	default:
		c.JSON(http.StatusOK, newTokenInfo(t, people))
	}
}
