package portal

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/sowflow/sowflow/api"
	"github.com/sowflow/sowflow/store"
)

// The delivery manager's pages (dashboard_show.go, project_new.go,
// deliverable_submit.go, project_manage.go) share these helpers: the role
// check, and the API's field errors shown next to the form's fields.

// Paths of the delivery manager's pages.
const (
	pathDashboard  = "/dashboard"
	pathNewProject = "/projects/new"
)

// managePath is the project's management page.
func managePath(id string) string { return projectPath(id) + "/manage" }

// submitPath is the submission form of a deliverable.
func submitPath(project, deliverable string) string {
	return projectPath(project) + "/deliverables/" + url.PathEscape(deliverable) + "/submit"
}

// onlyManagers answers 403 and returns false unless a delivery manager is
// signed in; the API would refuse the action too, but the form should not
// be offered to a person who may not send it.
func (p *Portal) onlyManagers(w http.ResponseWriter, r *request) bool {
	if r.Session.Person.Role != store.RoleManager {
		p.renderError(w, r, http.StatusForbidden, "error_forbidden")
		return false
	}
	return true
}

// fieldErrors are a form's errors by the API's field name ("dates.purchase",
// "options.design_domains"), in the person's language.
type fieldErrors map[string]string

// add records the error of field in lang: the rule's words when the
// catalog has them, else the API's detail.
func (fe fieldErrors) add(lang store.Language, field, rule, detail string) {
	text, ok := messages[lang]["mgr_rule_"+rule]
	if !ok {
		text = detail
	}
	if prev, ok := fe[field]; ok {
		text = prev + " " + text
	}
	fe[field] = text
}

// problemFields returns the field errors of an API refusal err that names
// fields (400 or 422 with errors) and true, or false for any other error.
// Errors on fields the form does not show are returned under "".
func problemFields(lang store.Language, err error, shown func(field string) bool) (fieldErrors, string, bool) {
	var prob api.Problem
	if !errors.As(err, &prob) || (prob.Status != http.StatusBadRequest && prob.Status != http.StatusUnprocessableEntity) || len(prob.Errors) == 0 {
		return nil, "", false
	}
	fe := fieldErrors{}
	var other []string
	for _, e := range prob.Errors {
		if shown(e.Field) {
			fe.add(lang, e.Field, e.Rule, e.Detail)
			continue
		}
		other = append(other, e.Field+": "+e.Detail)
	}
	summary := msg(lang, "mgr_form_errors")
	if len(other) > 0 {
		summary += " " + strings.Join(other, "; ")
	}
	return fe, summary, true
}
