package portal

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/sowflow/sowflow/api"
)

// reasonMaxLength is the API's limit on a rejection's reason.
const reasonMaxLength = 2000

// decideDeliverable is the customer's decision on a submitted deliverable
// (POST /projects/{id}/deliverables/{key}/decision): accept, or reject with
// a required reason, through the API with the form's one-time key. A
// missing reason re-renders the deliverable page with the field's error.
func (p *Portal) decideDeliverable(w http.ResponseWriter, r *request) {
	id, key := r.PathValue("id"), r.PathValue("key")
	decision := r.PostFormValue("decision")
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	body := map[string]any{"decision": decision}
	switch decision {
	case "accept":
	case "reject":
		switch {
		case reason == "":
			p.renderDeliverable(w, r, http.StatusUnprocessableEntity, reason, msg(r.Lang, "pc_problem_reason_required"))
			return
		case utf8.RuneCountInString(reason) > reasonMaxLength:
			p.renderDeliverable(w, r, http.StatusUnprocessableEntity, reason, msg(r.Lang, "pc_problem_reason_too_long"))
			return
		}
		body["reason"] = reason
	default:
		p.renderError(w, r, http.StatusBadRequest, "error_bad_form")
		return
	}
	if n, err := strconv.Atoi(r.PostFormValue("round")); err == nil && n > 0 {
		body["round"] = n
	}
	path := "/v1/projects/" + url.PathEscape(id) + "/deliverables/" + url.PathEscape(key) + "/decision"
	if err := p.call(r, http.MethodPost, path, r.PostFormValue(keyField), body, nil); err != nil {
		var prob api.Problem
		if errors.As(err, &prob) && prob.Status == http.StatusBadRequest && fieldError(prob, "reason") {
			p.renderDeliverable(w, r, http.StatusUnprocessableEntity, reason, msg(r.Lang, "pc_problem_reason_required"))
			return
		}
		p.apiFailed(w, r, "decide deliverable", err)
		return
	}
	done := "accepted"
	if decision == "reject" {
		done = "rejected"
	}
	next := deliverablePath(id, key)
	if r.PostFormValue("next") == pathHome {
		next = pathHome
	}
	http.Redirect(w, r.Request, next+"?done="+done, http.StatusSeeOther)
}

// fieldError reports whether the API's problem names field.
func fieldError(prob api.Problem, field string) bool {
	for _, e := range prob.Errors {
		if e.Field == field {
			return true
		}
	}
	return false
}
