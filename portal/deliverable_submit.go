package portal

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/sowflow/sowflow/catalog"
	"github.com/sowflow/sowflow/workflows"
)

// The submission form of a deliverable: title, document URI, its SHA-256
// and, where the contract sets thresholds on the deliverable, the measured
// values; sent as POST /v1/projects/{id}/deliverables/{key}/submissions.

// submitPage is the data of deliverable_submit.html.
type submitPage struct {
	ProjectID, ProjectName string
	Deliverable            workflows.DeliverableState
	Title, URI, SHA256     formField
	Measured               []measuredField
	Summary                string
}

// measuredField is the input of one threshold's measured value.
type measuredField struct {
	formField
	Rule string
}

// sha256Pattern is a SHA-256 digest in hex, as the API takes it.
var sha256Pattern = regexp.MustCompile(`^[0-9a-fA-F]{64}$`)

// submitForm reads the project and builds the form of its deliverable;
// it answers and returns false when either is missing.
func (p *Portal) submitForm(w http.ResponseWriter, r *request, sent url.Values) (*submitPage, bool) {
	if !p.onlyManagers(w, r) {
		return nil, false
	}
	id, key := r.PathValue("id"), r.PathValue("key")
	var st workflows.ProjectState
	if err := p.call(r, http.MethodGet, "/v1/projects/"+url.PathEscape(id), "", nil, &st); err != nil {
		p.apiFailed(w, r, "read project", err)
		return nil, false
	}
	page := &submitPage{ProjectID: st.ProjectID, ProjectName: st.Package.Name}
	found := false
	for _, d := range st.Deliverables {
		if d.Key == key {
			page.Deliverable, found = d, true
		}
	}
	if !found {
		p.notFound(w, r)
		return nil, false
	}
	get := func(name string) string { return strings.TrimSpace(sent.Get(name)) }
	page.Title = formField{Name: "title", APIField: "title", Label: msg(r.Lang, "mgr_field_title"), Value: get("title"), Required: true}
	if page.Title.Value == "" && sent == nil {
		page.Title.Value = page.Deliverable.Name
	}
	page.URI = formField{Name: "uri", APIField: "uri", Label: msg(r.Lang, "mgr_field_uri"), Hint: msg(r.Lang, "mgr_field_uri_hint"), Value: get("uri"), Required: true}
	page.SHA256 = formField{Name: "sha256", APIField: "sha256", Label: msg(r.Lang, "mgr_field_sha256"), Hint: msg(r.Lang, "mgr_field_sha256_hint"), Value: get("sha256"), Required: true}
	var pkg catalog.Package
	if err := p.call(r, http.MethodGet, "/v1/catalog/"+url.PathEscape(st.Package.Code), "", nil, &pkg); err == nil {
		for _, t := range pkg.Thresholds {
			if t.Deliverable != key {
				continue
			}
			name := "measured_" + t.Metric
			page.Measured = append(page.Measured, measuredField{
				formField: formField{Name: name, APIField: "measured." + t.Metric, Label: t.Metric, Hint: t.Text, Value: get(name), Required: true},
				Rule:      string(t.Comparison) + " " + strconv.FormatFloat(t.Value, 'f', -1, 64) + " " + string(t.Unit)})
		}
	}
	return page, true
}

func (p *Portal) showSubmitDeliverable(w http.ResponseWriter, r *request) {
	page, ok := p.submitForm(w, r, nil)
	if !ok {
		return
	}
	p.renderSubmit(w, r, http.StatusOK, page)
}

func (p *Portal) renderSubmit(w http.ResponseWriter, r *request, status int, page *submitPage) {
	v := p.newView(r, "mgr_submit_title")
	v.Page = page
	p.render(w, r, status, "deliverable_submit", v)
}

// submitBody is the body of POST …/submissions.
type submitBody struct {
	Title    string             `json:"title"`
	URI      string             `json:"uri"`
	SHA256   string             `json:"sha256"`
	Measured map[string]float64 `json:"measured,omitempty"`
}

func (p *Portal) submitDeliverable(w http.ResponseWriter, r *request) {
	page, ok := p.submitForm(w, r, r.PostForm)
	if !ok {
		return
	}
	body := submitBody{Title: page.Title.Value, URI: page.URI.Value, SHA256: strings.ToLower(page.SHA256.Value)}
	local := fieldErrors{}
	for _, f := range []formField{page.Title, page.URI, page.SHA256} {
		if f.Value == "" {
			local[f.APIField] = msg(r.Lang, "mgr_rule_required")
		}
	}
	if body.SHA256 != "" && !sha256Pattern.MatchString(body.SHA256) {
		local["sha256"] = msg(r.Lang, "mgr_rule_sha256hex")
	}
	for _, m := range page.Measured {
		if m.Value == "" {
			local[m.APIField] = msg(r.Lang, "mgr_rule_required")
			continue
		}
		n, err := strconv.ParseFloat(m.Value, 64)
		if err != nil {
			local[m.APIField] = msg(r.Lang, "mgr_rule_number")
			continue
		}
		if body.Measured == nil {
			body.Measured = map[string]float64{}
		}
		body.Measured[strings.TrimPrefix(m.APIField, "measured.")] = n
	}
	if len(local) == 0 {
		err := p.call(r, http.MethodPost, "/v1/projects/"+url.PathEscape(page.ProjectID)+"/deliverables/"+url.PathEscape(page.Deliverable.Key)+"/submissions",
			r.PostFormValue(keyField), body, nil)
		if err == nil {
			http.Redirect(w, r.Request, managePath(page.ProjectID)+"?done=submitted", http.StatusSeeOther)
			return
		}
		fe, summary, ok := problemFields(r.Lang, err, page.shows)
		if !ok {
			p.apiFailed(w, r, "submit deliverable", err)
			return
		}
		local, page.Summary = fe, summary
	} else {
		page.Summary = msg(r.Lang, "mgr_form_errors")
	}
	for _, f := range []*formField{&page.Title, &page.URI, &page.SHA256} {
		f.Error = local[f.APIField]
	}
	for i := range page.Measured {
		page.Measured[i].Error = local[page.Measured[i].APIField]
	}
	p.renderSubmit(w, r, http.StatusUnprocessableEntity, page)
}

// shows reports whether the form has the API field.
func (s *submitPage) shows(field string) bool {
	switch field {
	case "title", "uri", "sha256":
		return true
	}
	for _, m := range s.Measured {
		if m.APIField == field {
			return true
		}
	}
	return false
}
