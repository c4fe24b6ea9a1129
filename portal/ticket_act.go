package portal

import (
	"net/http"
	"strings"
)

// ticketAction is one action on a ticket as its form sends it: the API
// path it posts to, the form fields it sends (the first required ones
// named by required), and the notice after it.
type ticketActionSpec struct {
	api      string
	fields   []string
	required []string
	done     string
}

// ticketActions are the ticket forms by the last segment of their path.
var ticketActions = map[string]ticketActionSpec{
	"respond":  {api: "response", fields: []string{"note"}, done: "responded"},
	"resolve":  {api: "resolution", fields: []string{"resolution"}, required: []string{"resolution"}, done: "resolved"},
	"close":    {api: "closure", fields: []string{"note"}, done: "closed"},
	"reopen":   {api: "reopen", fields: []string{"reason"}, required: []string{"reason"}, done: "reopened"},
	"severity": {api: "severity", fields: []string{"severity", "reason"}, required: []string{"severity", "reason"}, done: "severity"},
}

// actOnTicket performs one ticket action through the API as the person and
// returns to the ticket's page.
func (p *Portal) actOnTicket(action string) handler {
	spec := ticketActions[action]
	return func(w http.ResponseWriter, r *request) {
		id, n := r.PathValue("id"), r.PathValue("n")
		body := map[string]string{}
		for _, f := range spec.fields {
			if v := strings.TrimSpace(r.PostFormValue(f)); v != "" {
				body[f] = v
			}
		}
		for _, f := range spec.required {
			if body[f] == "" {
				p.renderError(w, r, http.StatusUnprocessableEntity, "svc_problem_required_"+f)
				return
			}
		}
		page := pathServices + "/" + id + "/tickets/" + n
		if err := p.call(r, http.MethodPost, "/v1/services/"+id+"/tickets/"+n+"/"+spec.api, r.PostFormValue(keyField), body, nil); err != nil {
			p.apiFailed(w, r, "ticket "+action, err)
			return
		}
		http.Redirect(w, r.Request, page+"?"+doneField+"="+spec.done, http.StatusSeeOther)
	}
}
