package portal

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/sowflow/sowflow/store"
	"github.com/sowflow/sowflow/workflows"
)

// signedInManager signs a new delivery manager in (English) and returns
// the browser.
func (f *fixture) signedIn(role store.Role, customer string, lang store.Language) (*browser, store.Person) {
	f.t.Helper()
	p := f.person(role, customer, testPassword, lang)
	b := f.browser()
	b.signIn(p.Email, testPassword)
	return b, p
}

// postForm sends form to path with the CSRF token and a fresh one-time key
// of the page at from.
func (b *browser) postForm(from, path string, form url.Values) response {
	b.f.t.Helper()
	form.Set("csrf", b.csrf(from))
	if form.Get("key") == "" {
		form.Set("key", formKey())
	}
	return b.post(path, form)
}

// lzBasicForm is a complete start form of a Landing Zone Basic project.
func lzBasicForm(id, customer string) url.Values {
	return url.Values{"package": {"landing-zone-basic"}, "project_id": {id}, "customer_id": {customer},
		"purchase": {"2026-11-02"}, "application": {"2026-10-01"}, "order": {"2026-10-30"}, "opt_design_domains": {"network-planning"}}
}

// TestManagerStartsAProject: the two-step form asks what the package
// needs; refusals come back next to their fields in the person's language;
// a complete form starts the project once.
func TestManagerStartsAProject(t *testing.T) {
	f := newAPIFixture(t)
	b, _ := f.signedIn(store.RoleManager, "", store.LanguageEnglish)
	customer := unique("acme")

	b.get(pathNewProject).want(t, http.StatusOK, "Landing Zone Basic edition", `name="package"`)
	b.get(pathNewProject+"?package=landing-zone-basic").want(t, http.StatusOK,
		`name="opt_design_domains" value="network-planning"`, `name="purchase"`, `name="order"`, `name="application"`, "Account management")
	b.get(pathNewProject+"?package=dingtalk-app-customization").want(t, http.StatusOK, `name="opt_ios_distribution" value="ABM"`)
	b.get(pathNewProject+"?package=hybrid-base-remote-om").want(t, http.StatusOK, `name="opt_users"`)
	b.get(pathNewProject+"?package=no-such-package").want(t, http.StatusNotFound)

	tests := []struct {
		name    string
		edit    func(url.Values)
		status  int
		contain []string
	}{
		{"no domain chosen", func(v url.Values) { v.Del("opt_design_domains") }, http.StatusUnprocessableEntity,
			[]string{`<p class="field-error" id="opt_design_domains-error">Choose exactly one.</p>`}},
		{"no purchase date", func(v url.Values) { v.Del("purchase") }, http.StatusUnprocessableEntity,
			[]string{`id="purchase-error">This is required.`}},
		{"a date that is not one", func(v url.Values) { v.Set("purchase", "2026-02-30") }, http.StatusUnprocessableEntity,
			[]string{`id="purchase-error">Enter a date as YYYY-MM-DD.`}},
		{"a bad project ID", func(v url.Values) { v.Set("project_id", "has space") }, http.StatusUnprocessableEntity,
			[]string{`id="project_id-error">`}},
		{"an order too soon after the application", func(v url.Values) { v.Set("application", "2026-10-26"); v.Set("order", "2026-10-28") },
			http.StatusUnprocessableEntity, []string{`id="order-error">Too early for the contract`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			form := lzBasicForm(unique("lz"), customer)
			tt.edit(form)
			res := b.postForm(pathNewProject+"?package=landing-zone-basic", pathNewProject, form)
			res.want(t, tt.status, tt.contain...)
		})
	}

	id := unique("lz")
	form := lzBasicForm(id, customer)
	form.Set("key", formKey())
	res := b.postForm(pathNewProject+"?package=landing-zone-basic", pathNewProject, form)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != managePath(id)+"?done=started" {
		t.Fatalf("start: %d %s %q", res.StatusCode, res.Header.Get("Location"), res.body)
	}
	// The same form sent again (a double click) starts nothing more.
	again := b.postForm(pathNewProject+"?package=landing-zone-basic", pathNewProject, form)
	if again.StatusCode != http.StatusSeeOther {
		t.Fatalf("the same form again: %d %q", again.StatusCode, again.body)
	}
	b.get(managePath(id)+"?done=started").want(t, http.StatusOK, "The project was started.", "Landing Zone Investigation Report")

	// In Chinese the refusal is in Chinese.
	zh, _ := f.signedIn(store.RoleManager, "", store.LanguageChinese)
	bad := lzBasicForm(unique("lz"), customer)
	bad.Del("opt_design_domains")
	zh.postForm(pathNewProject+"?package=landing-zone-basic", pathNewProject, bad).want(t, http.StatusUnprocessableEntity, "请恰好选择一项。", "项目未创建")
}

// TestManagerPagesRefuseOtherRoles: a customer or auditor gets the 403
// page; a project that does not exist is the 404 page.
func TestManagerPagesRefuseOtherRoles(t *testing.T) {
	f := newAPIFixture(t)
	customer := unique("acme")
	manager := f.person(store.RoleManager, "", "", store.LanguageEnglish)
	project := f.startProject(manager, customer)
	for _, role := range []store.Role{store.RoleCustomer, store.RoleAuditor} {
		of := customer
		if role != store.RoleCustomer {
			of = ""
		}
		b, _ := f.signedIn(role, of, store.LanguageEnglish)
		for _, path := range []string{pathDashboard, pathNewProject, managePath(project), submitPath(project, "kickoff-meeting-report")} {
			b.get(path).want(t, http.StatusForbidden, "Your role may not open this page.")
		}
		csrf := b.csrf(pathProfile)
		b.post(managePath(project)[:len(managePath(project))-len("/manage")]+"/terminate",
			url.Values{"csrf": {csrf}, "key": {formKey()}, "reason": {"x"}, "confirm": {"yes"}}).want(t, http.StatusForbidden)
	}
	b, _ := f.signedIn(store.RoleManager, "", store.LanguageEnglish)
	b.get(managePath(unique("nope"))).want(t, http.StatusNotFound)
	b.get(submitPath(project, "no-such-deliverable")).want(t, http.StatusNotFound)
}

// TestManagerSubmitsAndActs: the submission form checks its fields before
// the API does; actions refused by the contract show the rule and what is
// missing; a termination needs its confirmation.
func TestManagerSubmitsAndActs(t *testing.T) {
	f := newAPIFixture(t)
	customer := unique("acme")
	b, manager := f.signedIn(store.RoleManager, "", store.LanguageEnglish)
	project := f.startProject(manager, customer)
	form := submitPath(project, "kickoff-meeting-report")
	good := strings.Repeat("ab", 32)

	b.get(form).want(t, http.StatusOK, `name="sha256"`, `name="uri"`)
	tests := []struct {
		name    string
		values  url.Values
		contain string
	}{
		{"missing title", url.Values{"title": {""}, "uri": {"https://docs.example.com/k"}, "sha256": {good}}, `id="title-error">This is required.`},
		{"missing URI", url.Values{"title": {"Kickoff"}, "uri": {""}, "sha256": {good}}, `id="uri-error">This is required.`},
		{"bad SHA-256", url.Values{"title": {"Kickoff"}, "uri": {"https://docs.example.com/k"}, "sha256": {"abc123"}}, `id="sha256-error">A SHA-256 is 64 hexadecimal characters`},
		{"URI the API refuses", url.Values{"title": {"Kickoff"}, "uri": {"not a uri"}, "sha256": {good}}, `id="uri-error">`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b.postForm(form, form, tt.values).want(t, http.StatusUnprocessableEntity, tt.contain)
		})
	}
	if subs := submissions(f.state(manager, project), "kickoff-meeting-report"); len(subs) != 0 {
		t.Fatalf("refused forms submitted %+v", subs)
	}

	res := b.postForm(form, form, url.Values{"title": {"Kickoff"}, "uri": {"https://docs.example.com/k"}, "sha256": {strings.ToUpper(good)}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != managePath(project)+"?done=submitted" {
		t.Fatalf("submit: %d %s %q", res.StatusCode, res.Header.Get("Location"), res.body)
	}
	b.get(managePath(project)+"?done=submitted").want(t, http.StatusOK, "awaiting the customer")

	// Advancing before the deliverable is accepted is refused with what is missing.
	page := b.get(managePath(project))
	phase := between(page.body, `action="/projects/`+project+`/phases/`, `/advance"`)
	b.postForm(managePath(project), projectPath(project)+"/phases/"+phase+"/advance", url.Values{}).
		want(t, http.StatusConflict, "kickoff-meeting-report")

	// A delay needs a reason; then it opens and closes.
	b.postForm(managePath(project), projectPath(project)+"/delays/open", url.Values{"reason": {" "}}).
		want(t, http.StatusUnprocessableEntity, `id="delay-reason-error">Give the reason.`)
	res = b.postForm(managePath(project), projectPath(project)+"/delays/open", url.Values{"reason": {"no VPN access yet"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("open delay: %d %q", res.StatusCode, res.body)
	}
	b.get(managePath(project)).want(t, http.StatusOK, "no VPN access yet", "Close the delay")
	if res := b.postForm(managePath(project), projectPath(project)+"/delays/close", url.Values{}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("close delay: %d %q", res.StatusCode, res.body)
	}

	// Termination: the first step only asks for confirmation.
	b.postForm(managePath(project), projectPath(project)+"/terminate", url.Values{"reason": {"customer withdrew"}}).
		want(t, http.StatusOK, "Terminate this project?", "customer withdrew")
	if st := f.state(manager, project); st.Status != workflows.StatusActive {
		t.Fatalf("status %s before the confirmation", st.Status)
	}
	res = b.postForm(managePath(project), projectPath(project)+"/terminate", url.Values{"reason": {"customer withdrew"}, "confirm": {"yes"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("terminate: %d %q", res.StatusCode, res.body)
	}
	b.get(managePath(project)).want(t, http.StatusOK, "This project has ended")
}

// between returns the text of s between the first before and the next after.
func between(s, before, after string) string {
	i := strings.Index(s, before)
	if i < 0 {
		return ""
	}
	s = s[i+len(before):]
	j := strings.Index(s, after)
	if j < 0 {
		return ""
	}
	return s[:j]
}
