package portal

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/sowflow/sowflow/api"
)

// createAdminToken answers the tokens page's create form: the new token's
// secret, shown once, or the form again with the API's refusal beside each
// field.
func (p *Portal) createAdminToken(w http.ResponseWriter, r *request) {
	form := tokenForm{Name: strings.TrimSpace(r.PostFormValue("name")), Role: r.PostFormValue("role"),
		Customer: strings.TrimSpace(r.PostFormValue("customer"))}
	body := map[string]string{"name": form.Name, "role": form.Role}
	if form.Customer != "" {
		body["customer_id"] = form.Customer
	}
	var created struct {
		Name   string `json:"name"`
		Secret string `json:"secret"`
	}
	err := p.call(r, http.MethodPost, "/v1/tokens", r.PostFormValue(keyField), body, &created)
	var prob api.Problem
	if errors.As(err, &prob) && prob.Status == http.StatusBadRequest && len(prob.Errors) > 0 {
		if problems, ok := tokenProblems(r, prob.Errors); ok {
			form.Problems = problems
			p.renderAdminTokens(w, r, http.StatusUnprocessableEntity, adminTokensPage{Form: form})
			return
		}
	}
	if err != nil {
		p.apiFailed(w, r, "create token", err)
		return
	}
	if created.Secret == "" {
		// The same form sent again: the API answers the token it made the
		// first time, without the secret it showed then.
		v := fmt.Sprintf(msg(r.Lang, "tok_already_made"), created.Name)
		p.renderAdminTokens(w, r, http.StatusOK, adminTokensPage{Already: v})
		return
	}
	p.renderAdminTokens(w, r, http.StatusCreated, adminTokensPage{Created: &newSecret{Heading: fmt.Sprintf(msg(r.Lang, "tok_created"), created.Name), Secret: created.Secret}})
}

// tokenFormFields are the create form's fields by the API's field names.
var tokenFormFields = map[string]string{"name": "name", "role": "role", "customer_id": "customer"}

// tokenProblems puts each of the API's field errors beside its form field,
// in the reader's language; ok is false when one names no form field (the
// refusal page shows those).
func tokenProblems(r *request, errs []api.FieldError) (map[string]string, bool) {
	out := map[string]string{}
	for _, e := range errs {
		field, ok := tokenFormFields[e.Field]
		if !ok {
			return nil, false
		}
		text, ok := messages[r.Lang]["tok_problem_"+e.Field+"_"+e.Rule]
		if !ok {
			text = msg(r.Lang, "tok_problem_"+e.Field)
		}
		out[field] = text
	}
	return out, true
}

// revokeAdminToken revokes a token through the API once the admin has
// confirmed it, and returns to the list.
func (p *Portal) revokeAdminToken(w http.ResponseWriter, r *request) {
	if err := p.call(r, http.MethodDelete, "/v1/tokens/"+url.PathEscape(r.PathValue("id")), r.PostFormValue(keyField), nil, nil); err != nil {
		p.apiFailed(w, r, "revoke token", err)
		return
	}
	http.Redirect(w, r.Request, pathAdminTokens+"?"+doneField+"=revoked", http.StatusSeeOther)
}
