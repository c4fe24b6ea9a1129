package portal

import (
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/sowflow/sowflow/store"
)

// createPersonalToken makes an API token with the person's role (and
// customer) and shows its secret once.
func (p *Portal) createPersonalToken(w http.ResponseWriter, r *request) {
	name := strings.TrimSpace(r.PostFormValue("name"))
	if name == "" || utf8.RuneCountInString(name) > 100 {
		p.renderProfile(w, r, http.StatusUnprocessableEntity, profilePage{TokenName: name, Problem: msg(r.Lang, "problem_token_name")})
		return
	}
	_, secret, err := p.deps.Store.CreateToken(r.Context(), personalTokenSpec(r.Session.Person, name))
	if err != nil {
		p.internal(w, r, "create personal token", err)
		return
	}
	p.renderProfile(w, r, http.StatusCreated, profilePage{Secret: secret})
}

// revokePersonalToken revokes one of the person's own tokens; another's is
// 404, as one that does not exist.
func (p *Portal) revokePersonalToken(w http.ResponseWriter, r *request) {
	tokens, err := p.deps.Store.PersonalTokens(r.Context(), r.Session.Person)
	if err != nil {
		p.internal(w, r, "list personal tokens", err)
		return
	}
	id := r.PathValue("id")
	if !slices.ContainsFunc(tokens, func(t store.Token) bool { return t.ID == id }) {
		p.notFound(w, r)
		return
	}
	if err := p.deps.Store.RevokeToken(r.Context(), id); err != nil {
		p.internal(w, r, "revoke personal token", err)
		return
	}
	http.Redirect(w, r.Request, pathProfile, http.StatusSeeOther)
}
