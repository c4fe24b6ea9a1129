package portal

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sowflow/sowflow/calendar"
	"github.com/sowflow/sowflow/catalog"
	"github.com/sowflow/sowflow/plan"
	"github.com/sowflow/sowflow/store"
)

// Starting a project takes two steps: the first picks the package from the
// catalog, the second asks exactly the dates and options that package
// needs (read from GET /v1/catalog/{code}) and starts it with
// POST /v1/projects. A refusal re-renders the form with each error next to
// its field.

// newProjectPage is the data of project_new.html.
type newProjectPage struct {
	// Packages are the first step's choices; empty in the second step.
	Packages []packageChoice
	// Package is the second step's package; nil in the first step.
	Package *packageForm
}

type packageChoice struct {
	Code, Name, Description string
}

// packageForm is the start form of one package.
type packageForm struct {
	Code, Name, Description string
	ProjectID, CustomerID   formField
	Dates                   []formField
	ContractEnd             formField
	Options                 []optionField
	// Quote is the price of the users asked, for a package priced by users.
	Quote *quoteView
	// Summary, when set, heads a refused form.
	Summary string
}

// formField is one input: its form name, the API field its errors come
// under, its label, value and error.
type formField struct {
	Name, APIField, Label, Hint, Value, Error string
	Required                                  bool
}

// optionField is one start option of the package.
type optionField struct {
	formField
	// Kind is "radio", "checkbox", "number" or "boolean".
	Kind    string
	Min     int
	Choices []optionChoice
	// Always names the members every project has (a set's always).
	Always []string
}

type optionChoice struct {
	Value, Label string
	Checked      bool
}

type quoteView struct {
	Users int
	Total string
	Lines []quoteLine
	Error string
}

type quoteLine struct {
	Description, Quantity, UnitPrice, Amount string
}

func (p *Portal) showNewProject(w http.ResponseWriter, r *request) {
	if !p.onlyManagers(w, r) {
		return
	}
	code := r.URL.Query().Get("package")
	if code == "" {
		var cat catalog.Catalog
		if err := p.call(r, http.MethodGet, "/v1/catalog", "", nil, &cat); err != nil {
			p.apiFailed(w, r, "read catalog", err)
			return
		}
		page := newProjectPage{}
		for _, pkg := range cat.Packages() {
			if pkg.Kind == catalog.KindProject {
				page.Packages = append(page.Packages, packageChoice{Code: pkg.Code, Name: pkg.Name, Description: pkg.Description})
			}
		}
		v := p.newView(r, "mgr_new_title")
		v.Page = page
		p.render(w, r, http.StatusOK, "project_new", v)
		return
	}
	pkg, ok := p.startablePackage(w, r, code)
	if !ok {
		return
	}
	form := p.packageForm(r, pkg, nil)
	p.renderNewProject(w, r, http.StatusOK, form)
}

// startablePackage reads the package code from the API; it answers and
// returns false for a package that is not there or not a project.
func (p *Portal) startablePackage(w http.ResponseWriter, r *request, code string) (catalog.Package, bool) {
	var pkg catalog.Package
	if err := p.call(r, http.MethodGet, "/v1/catalog/"+url.PathEscape(code), "", nil, &pkg); err != nil {
		p.apiFailed(w, r, "read package", err)
		return pkg, false
	}
	if pkg.Kind != catalog.KindProject {
		p.notFound(w, r)
		return pkg, false
	}
	return pkg, true
}

func (p *Portal) renderNewProject(w http.ResponseWriter, r *request, status int, form *packageForm) {
	v := p.newView(r, "mgr_new_title")
	v.Page = newProjectPage{Package: form}
	p.render(w, r, status, "project_new", v)
}

// contractEvents are the contract dates a package needs (each one
// required, as the workflow's start check requires them): the event its
// validity counts from, the events its clocks start on, and the
// application and order dates its lead times relate.
func contractEvents(pkg catalog.Package) (events []plan.Event) {
	addEvent := func(e plan.Event) {
		if isContractDate(e) && !slices.Contains(events, e) {
			events = append(events, e)
		}
	}
	addEvent(pkg.Validity.StartsOn)
	for _, c := range pkg.Clocks {
		addEvent(c.StartsOn)
	}
	for _, pr := range pkg.Prerequisites {
		if pr.LeadTime != nil && pr.Before != "" {
			addEvent(plan.EventApplication)
			addEvent(pr.Before)
		}
	}
	return events
}

func isContractDate(e plan.Event) bool {
	switch e {
	case plan.EventPurchase, plan.EventPayment, plan.EventContractEffective, plan.EventContractSigning, plan.EventApplication, plan.EventOrder:
		return true
	}
	return false
}

// dateFieldName is the form and API name of a contract date ("contract_signing").
func dateFieldName(e plan.Event) string { return strings.ReplaceAll(string(e), "-", "_") }

// packageForm builds the form of pkg with the values sent (nil: a fresh
// form).
func (p *Portal) packageForm(r *request, pkg catalog.Package, sent url.Values) *packageForm {
	get := func(name string) string { return strings.TrimSpace(sent.Get(name)) }
	f := &packageForm{Code: pkg.Code, Name: pkg.Name, Description: pkg.Description,
		ProjectID:   formField{Name: "project_id", APIField: "project_id", Label: msg(r.Lang, "mgr_field_project_id"), Hint: msg(r.Lang, "mgr_field_project_id_hint"), Value: get("project_id"), Required: true},
		CustomerID:  formField{Name: "customer_id", APIField: "customer_id", Label: msg(r.Lang, "mgr_field_customer_id"), Hint: msg(r.Lang, "mgr_field_customer_id_hint"), Value: get("customer_id"), Required: true},
		ContractEnd: formField{Name: "contract_end", APIField: "dates.contract_end", Label: msg(r.Lang, "mgr_field_contract_end"), Hint: msg(r.Lang, "mgr_field_contract_end_hint"), Value: get("contract_end")},
	}
	for _, e := range contractEvents(pkg) {
		name := dateFieldName(e)
		f.Dates = append(f.Dates, formField{Name: name, APIField: "dates." + name, Label: msg(r.Lang, "mgr_date_"+name),
			Hint: dateHint(r.Lang, pkg, e), Value: get(name), Required: true})
	}
	for _, spec := range pkg.Options {
		f.Options = append(f.Options, optionInput(r.Lang, spec, sent))
	}
	return f
}

// dateHint says why the package needs the date e.
func dateHint(lang store.Language, pkg catalog.Package, e plan.Event) string {
	var why []string
	if pkg.Validity.StartsOn == e {
		why = append(why, msg(lang, "mgr_date_hint_validity"))
	}
	for _, c := range pkg.Clocks {
		if c.StartsOn == e {
			why = append(why, fmt.Sprintf(msg(lang, "mgr_date_hint_clock"), c.Name))
		}
	}
	for _, pr := range pkg.Prerequisites {
		if pr.LeadTime != nil && (pr.Before == e || e == plan.EventApplication) {
			why = append(why, pr.Text)
			break
		}
	}
	return strings.Join(why, " ")
}

// optionInput is the input of one start option with the value sent.
func optionInput(lang store.Language, spec catalog.OptionSpec, sent url.Values) optionField {
	name := "opt_" + spec.Field
	o := optionField{formField: formField{Name: name, APIField: "options." + spec.Field, Label: msg(lang, "mgr_option_"+spec.Field),
		Hint: spec.Text, Required: spec.Required, Value: strings.TrimSpace(sent.Get(name))}, Min: spec.Min, Always: spec.Always}
	if o.Label == "" || o.Label == "mgr_option_"+spec.Field {
		o.Label = spec.Field
	}
	switch spec.Type {
	case catalog.OptionSet, catalog.OptionEnum:
		o.Kind = "radio"
		if spec.Type == catalog.OptionSet && spec.MaxChoices != 1 {
			o.Kind = "checkbox"
		}
		for _, c := range spec.Choices {
			o.Choices = append(o.Choices, optionChoice{Value: c, Label: choiceLabel(lang, c), Checked: slices.Contains(sent[name], c)})
		}
		for i, a := range o.Always {
			o.Always[i] = choiceLabel(lang, a)
		}
	case catalog.OptionInteger:
		o.Kind = "number"
		if o.Value == "" && sent == nil && spec.Min > 0 {
			o.Value = strconv.Itoa(spec.Min)
		}
	case catalog.OptionBoolean:
		o.Kind = "boolean"
		o.Required = false
	}
	return o
}

// choiceLabel is an option choice in words, or as the catalog names it.
func choiceLabel(lang store.Language, choice string) string {
	if s, ok := messages[lang]["mgr_choice_"+choice]; ok {
		return s
	}
	return choice
}

// startProjectBody is the body of POST /v1/projects built from the form.
type startProjectBody struct {
	ProjectID  string            `json:"project_id"`
	CustomerID string            `json:"customer_id"`
	Package    string            `json:"package"`
	Dates      map[string]string `json:"dates"`
	Options    catalog.Options   `json:"options"`
}

// startHour is the hour (CST) a date given without a time is taken at.
const startHour = 9

func (p *Portal) startProject(w http.ResponseWriter, r *request) {
	if !p.onlyManagers(w, r) {
		return
	}
	pkg, ok := p.startablePackage(w, r, r.PostFormValue("package"))
	if !ok {
		return
	}
	form := p.packageForm(r, pkg, r.PostForm)
	body := startProjectBody{ProjectID: form.ProjectID.Value, CustomerID: form.CustomerID.Value, Package: pkg.Code, Dates: map[string]string{}}
	local := fieldErrors{}
	for _, d := range append(slices.Clone(form.Dates), form.ContractEnd) {
		if d.Value == "" {
			continue
		}
		day, err := calendar.ParseDate(d.Value)
		if err != nil {
			local[d.APIField] = msg(r.Lang, "mgr_rule_date")
			continue
		}
		body.Dates[strings.TrimPrefix(d.APIField, "dates.")] = day.Start().Add(startHour * time.Hour).Format(time.RFC3339)
	}
	for _, o := range form.Options {
		field := strings.TrimPrefix(o.APIField, "options.")
		switch field {
		case catalog.OptionDesignDomains:
			for _, c := range o.Choices {
				if c.Checked {
					body.Options.DesignDomains = append(body.Options.DesignDomains, c.Value)
				}
			}
		case catalog.OptionIOSDistribution:
			body.Options.IOSDistribution = o.Value
		case catalog.OptionUsers:
			if o.Value != "" {
				n, err := strconv.Atoi(o.Value)
				if err != nil || n < 1 {
					local[o.APIField] = msg(r.Lang, "mgr_rule_min")
				}
				body.Options.Users = n
			}
		case catalog.OptionResourceIntensive:
			body.Options.ResourceIntensive = o.Value == "true"
		}
	}
	form.Quote = p.quote(r, pkg, body.Options.Users)
	if len(local) > 0 {
		form.Summary = msg(r.Lang, "mgr_form_errors")
		form.apply(local)
		p.renderNewProject(w, r, http.StatusUnprocessableEntity, form)
		return
	}
	if r.PostFormValue("preview") != "" {
		p.renderNewProject(w, r, http.StatusOK, form)
		return
	}
	err := p.call(r, http.MethodPost, "/v1/projects", r.PostFormValue(keyField), body, nil)
	if err != nil {
		fe, summary, ok := problemFields(r.Lang, err, form.shows)
		if !ok {
			p.apiFailed(w, r, "start project", err)
			return
		}
		form.Summary = summary
		form.apply(fe)
		p.renderNewProject(w, r, http.StatusUnprocessableEntity, form)
		return
	}
	http.Redirect(w, r.Request, managePath(body.ProjectID)+"?done=started", http.StatusSeeOther)
}

// shows reports whether the form has the API field.
func (f *packageForm) shows(field string) bool {
	switch field {
	case f.ProjectID.APIField, f.CustomerID.APIField, f.ContractEnd.APIField:
		return true
	}
	for _, d := range f.Dates {
		if d.APIField == field {
			return true
		}
	}
	for _, o := range f.Options {
		if o.APIField == field {
			return true
		}
	}
	return false
}

// apply puts the errors next to their fields.
func (f *packageForm) apply(fe fieldErrors) {
	set := func(ff *formField) {
		if e, ok := fe[ff.APIField]; ok {
			ff.Error = e
		}
	}
	set(&f.ProjectID)
	set(&f.CustomerID)
	set(&f.ContractEnd)
	for i := range f.Dates {
		set(&f.Dates[i])
	}
	for i := range f.Options {
		set(&f.Options[i].formField)
	}
}

// quote is the price of users for a package priced by its users (nil for
// others), from GET /v1/catalog/{code}/quote.
func (p *Portal) quote(r *request, pkg catalog.Package, users int) *quoteView {
	if !slices.ContainsFunc(pkg.Options, func(o catalog.OptionSpec) bool { return o.Field == catalog.OptionUsers }) || users < 1 {
		return nil
	}
	var q catalog.Quote
	qv := &quoteView{Users: users}
	if err := p.call(r, http.MethodGet, "/v1/catalog/"+url.PathEscape(pkg.Code)+"/quote?users="+strconv.Itoa(users), "", nil, &q); err != nil {
		qv.Error = msg(r.Lang, "mgr_quote_unavailable")
		return qv
	}
	money := func(n int64) string { return q.Currency + " " + groupDigits(n) }
	qv.Total = money(q.Total)
	for _, l := range q.Lines {
		qv.Lines = append(qv.Lines, quoteLine{Description: l.Description, Quantity: strconv.FormatInt(l.Quantity, 10),
			UnitPrice: money(l.UnitPrice), Amount: money(l.Amount)})
	}
	return qv
}

// groupDigits writes n with thousands separators: 189,000.
func groupDigits(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
