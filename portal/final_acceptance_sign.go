package portal

import (
	"net/http"
	"net/url"
)

// signFinalAcceptance is the customer's final acceptance of a project
// (POST /projects/{id}/final-acceptance), through the API with the form's
// one-time key; refusals (not due yet, already signed) show the rule.
func (p *Portal) signFinalAcceptance(w http.ResponseWriter, r *request) {
	id := r.PathValue("id")
	if err := p.call(r, http.MethodPost, "/v1/projects/"+url.PathEscape(id)+"/final-acceptance", r.PostFormValue(keyField), nil, nil); err != nil {
		p.apiFailed(w, r, "sign final acceptance", err)
		return
	}
	next := projectPath(id)
	if r.PostFormValue("next") == pathHome {
		next = pathHome
	}
	http.Redirect(w, r.Request, next+"?done=final", http.StatusSeeOther)
}
