package portal

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sowflow/sowflow/store"
)

// act performs an action through the API as person and fails the test
// unless it is done.
func (f *fixture) act(person store.Person, path string, body any) {
	f.t.Helper()
	if err := f.portal.call(as(person), http.MethodPost, path, formKey(), body, nil); err != nil {
		f.t.Fatalf("POST %s as %s: %v", path, person.Role, err)
	}
}

// document is a submission of a document titled title.
func document(title string) map[string]any {
	sum := sha256.Sum256([]byte(title))
	return map[string]any{"title": title, "uri": "https://docs.example.com/" + url.PathEscape(strings.ReplaceAll(title, " ", "-")) + ".pdf",
		"sha256": hex.EncodeToString(sum[:])}
}

// sha is the SHA-256 document(title) carries.
func sha(title string) string {
	sum := sha256.Sum256([]byte(title))
	return hex.EncodeToString(sum[:])
}

// finalDeliverable is the final-acceptance deliverable of Landing Zone
// Basic, owed by its last phase.
const finalDeliverable = "it-governance-solution"

// startLandingZone starts a Landing Zone Basic project of customer and
// brings it to its last phase (technical validation), whose deliverable is
// the final-acceptance one: the investigation report submitted and
// accepted, the investigation and design phases advanced. Nothing of the
// last phase is submitted yet.
func (f *fixture) startLandingZone(manager, customer store.Person) string {
	f.t.Helper()
	id := unique("lz")
	f.act(manager, "/v1/projects", map[string]any{"project_id": id, "customer_id": customer.CustomerID, "package": "landing-zone-basic",
		"dates":   map[string]string{"purchase": "2026-12-01T10:00:00+08:00", "application": "2026-11-02T10:00:00+08:00", "order": "2026-12-01T10:00:00+08:00"},
		"options": map[string]any{"design_domains": []string{"network-planning"}}})
	base := "/v1/projects/" + id
	f.act(manager, base+"/deliverables/investigation-report/submissions", document("Investigation report"))
	f.act(customer, base+"/deliverables/investigation-report/decision", map[string]any{"decision": "accept"})
	f.act(manager, base+"/phases/investigation/advance", nil)
	f.act(manager, base+"/phases/design/advance", nil)
	return id
}

// TestProjectPageIsScopedAsTheAPI: the project page shows a project to
// those the API shows it to; another customer's project is the same 404
// page as one that does not exist.
func TestProjectPageIsScopedAsTheAPI(t *testing.T) {
	f := newAPIFixture(t)
	customer := unique("acme")
	manager := f.person(store.RoleManager, "", testPassword, store.LanguageEnglish)
	owner := f.person(store.RoleCustomer, customer, testPassword, store.LanguageEnglish)
	stranger := f.person(store.RoleCustomer, unique("globex"), testPassword, store.LanguageEnglish)
	auditor := f.person(store.RoleAuditor, "", testPassword, store.LanguageChinese)
	id := unique("dt")
	f.act(manager, "/v1/projects", map[string]any{"project_id": id, "customer_id": customer, "package": "dingtalk-pro",
		"dates": map[string]string{"purchase": "2026-11-20T09:30:00+08:00"}})
	path := projectPath(id)
	lz := unique("lz")
	f.act(manager, "/v1/projects", map[string]any{"project_id": lz, "customer_id": customer, "package": "landing-zone-basic",
		"dates":   map[string]string{"purchase": "2026-12-01T10:00:00+08:00", "application": "2026-11-02T10:00:00+08:00", "order": "2026-12-07T10:00:00+08:00"},
		"options": map[string]any{"design_domains": []string{"network-planning"}}})

	signedIn := func(p store.Person) *browser {
		b := f.browser()
		b.signIn(p.Email, testPassword)
		return b
	}
	ob, sb := signedIn(owner), signedIn(stranger)
	nope := projectPath(unique("nope"))
	missing := sb.get(nope)
	missing.want(t, http.StatusNotFound)

	tests := []struct {
		name     string
		b        *browser
		path     string
		status   int
		contains []string
		lacks    []string
	}{
		{"the owner sees the clocks with their contract text", ob, path, http.StatusOK,
			[]string{"Project " + id, "DingTalk Pro Service Package", "100% activation notified", "Deliver and notify the client of 100% activation",
				"warning at", "75 natural days", "Contract text", "Timeline", "Project started", "Validity (service period)",
				"Service Activation Confirmation Letter"},
			[]string{"/manage", "/submit"}},
		{"the home page links the project", ob, pathHome, http.StatusOK, []string{`href="` + path + `"`}, nil},
		{"a Landing Zone project shows the dates its lead times join", ob, projectPath(lz), http.StatusOK,
			[]string{"Lead times", "15 working days before the order date", "Dates the lead times join",
				"<dt>application</dt><dd>Mon 2 Nov 2026, 10:00 CST</dd>", "<dt>order</dt><dd>Mon 7 Dec 2026, 10:00 CST</dd>"},
			// Only resource-intensive applications need a month.
			[]string{"1 month before"}},
		{"a package without lead times shows no such dates", ob, path, http.StatusOK, nil, []string{"Dates the lead times join"}},
		{"the calendar shows them on their days", ob, pathCalendar + "?y=2026&m=12", http.StatusOK,
			[]string{"Contract date with a lead time: order · " + lz}, nil},
		{"in Chinese for the auditor", signedIn(auditor), projectPath(lz), http.StatusOK,
			[]string{"提前期约束的日期", "<dt>下单</dt><dd>2026年12月7日 周一 10:00（北京时间）</dd>"}, nil},
		{"a manager gets the links of the manager's pages", signedIn(manager), path, http.StatusOK,
			[]string{path + "/manage", path + "/deliverables/service-activation-confirmation-letter/submit"}, nil},
		{"an auditor reads it in Chinese, without forms", signedIn(auditor), path, http.StatusOK,
			[]string{"合同期限", "合同原文", "时间线", "项目启动"}, []string{`action="` + path}},
		{"another customer's deliverable page is not found", sb, path + "/deliverables/service-activation-confirmation-letter", http.StatusNotFound,
			[]string{"There is no such page"}, nil},
		{"a deliverable the project does not owe is not found", ob, path + "/deliverables/nothing-such", http.StatusNotFound, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := tt.b.get(tt.path)
			res.want(t, tt.status, tt.contains...)
			for _, s := range tt.lacks {
				if strings.Contains(res.body, s) {
					t.Fatalf("page contains %q", s)
				}
			}
		})
	}
	t.Run("another customer's project is exactly a missing one", func(t *testing.T) {
		res := sb.get(path)
		res.want(t, http.StatusNotFound)
		// The same page but for the path the language switch returns to.
		if strings.ReplaceAll(res.body, path, nope) != missing.body {
			t.Fatalf("another customer's project answers\n%s\nnot as a missing one:\n%s", res.body, missing.body)
		}
	})
	t.Run("signed out goes to sign-in", func(t *testing.T) {
		res := f.browser().get(path)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != pathSignIn {
			t.Fatalf("anonymous project page: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
	})
}

// TestDecisionForms walks the customer's forms through their edge cases:
// a rejection needs a reason (the form comes back with the field's error
// and nothing is decided), only the project's customer decides, a decision
// on nothing awaiting shows the rule, a form sent twice decides once, and
// final acceptance is signed once.
func TestDecisionForms(t *testing.T) {
	f := newAPIFixture(t)
	manager := f.person(store.RoleManager, "", testPassword, store.LanguageEnglish)
	owner := f.person(store.RoleCustomer, unique("acme"), testPassword, store.LanguageEnglish)
	stranger := f.person(store.RoleCustomer, unique("globex"), testPassword, store.LanguageEnglish)
	id := f.startLandingZone(manager, owner)
	f.act(manager, "/v1/projects/"+id+"/deliverables/"+finalDeliverable+"/submissions", document("IT governance solution v1"))

	page := deliverablePath(id, finalDeliverable)
	decide := page + "/decision"
	ob := f.browser()
	ob.signIn(owner.Email, testPassword)
	csrf := ob.csrf(page)
	form := func(kv ...string) url.Values {
		v := url.Values{"csrf": {csrf}, "key": {formKey()}}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	other := func(p store.Person) (*browser, string) {
		b := f.browser()
		b.signIn(p.Email, testPassword)
		return b, b.csrf(pathHome)
	}
	mb, mcsrf := other(manager)
	sb, scsrf := other(stranger)

	refused := []struct {
		name     string
		b        *browser
		form     url.Values
		status   int
		contains []string
	}{
		{"a rejection without a reason", ob, form("decision", "reject"), http.StatusUnprocessableEntity,
			[]string{"the reason is required", `aria-invalid="true"`, "IT governance solution v1"}},
		{"a reason of blanks", ob, form("decision", "reject", "reason", "  \n "), http.StatusUnprocessableEntity,
			[]string{"the reason is required"}},
		{"a reason too long", ob, form("decision", "reject", "reason", strings.Repeat("x", reasonMaxLength+1)), http.StatusUnprocessableEntity,
			[]string{"at most 2000 characters"}},
		{"a decision that is neither", ob, form("decision", "maybe"), http.StatusBadRequest, []string{"could not be read"}},
		{"without the CSRF token", ob, url.Values{"decision": {"accept"}, "key": {formKey()}}, http.StatusForbidden, []string{"did not come from this site"}},
		{"a manager may not decide", mb, url.Values{"csrf": {mcsrf}, "key": {formKey()}, "decision": {"accept"}}, http.StatusForbidden, []string{"may not"}},
		{"another customer finds no project", sb, url.Values{"csrf": {scsrf}, "key": {formKey()}, "decision": {"accept"}}, http.StatusNotFound, []string{"There is no such page"}},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			tt.b.post(decide, tt.form).want(t, tt.status, tt.contains...)
		})
	}
	if n, _ := f.countEvents(owner, id, "deliverable-rejected"); n != 0 {
		t.Fatalf("refused forms decided %d times", n)
	}

	res := ob.post(decide, form("decision", "reject", "reason", "Section 3 lacks the network plan."))
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != page+"?done=rejected" {
		t.Fatalf("reject: %d %s %q", res.StatusCode, res.Header.Get("Location"), res.body)
	}
	rejected := ob.get(page + "?done=rejected")
	rejected.want(t, http.StatusOK, "You rejected the deliverable", "Section 3 lacks the network plan.")
	// People are named by their display name, not their user:<id> subject.
	rejected.want(t, http.StatusOK, owner.Name+" ("+msg(store.LanguageEnglish, "role_customer")+")", manager.Name+" ("+msg(store.LanguageEnglish, "role_manager")+")")
	if strings.Contains(rejected.body, owner.Subject()) || strings.Contains(rejected.body, manager.Subject()) {
		t.Fatalf("the deliverable page shows a user:<id> subject: %q", rejected.body)
	}
	ob.post(decide, form("decision", "accept")).want(t, http.StatusConflict, "The action was not taken", "state")

	f.act(manager, "/v1/projects/"+id+"/deliverables/"+finalDeliverable+"/submissions", document("IT governance solution v2"))
	ob.get(pathHome).want(t, http.StatusOK, "IT governance solution v2", sha("IT governance solution v2"), "Only your acceptance accepts")
	twice := form("decision", "accept", "next", pathHome)
	for range 2 {
		res := ob.post(decide, twice)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != pathHome+"?done=accepted" {
			t.Fatalf("accept: %d %s %q", res.StatusCode, res.Header.Get("Location"), res.body)
		}
	}
	if n, subject := f.countEvents(owner, id, "deliverable-accepted"); n != 2 || subject != owner.Subject() {
		// The investigation report's acceptance and this one.
		t.Fatalf("deliverable-accepted %d times, last by %s; want 2, by %s", n, subject, owner.Subject())
	}

	home := ob.get(pathHome + "?done=accepted")
	home.want(t, http.StatusOK, "You accepted the deliverable", "Final acceptance is due", `action="`+projectPath(id)+`/final-acceptance"`)
	// The project and the final deliverable's pages offer the same form.
	for _, path := range []string{projectPath(id), page} {
		ob.get(path).want(t, http.StatusOK, `class="pc-item pc-final"`, `action="`+projectPath(id)+`/final-acceptance"`)
	}
	sign := form("next", pathHome)
	for range 2 {
		res := ob.post(projectPath(id)+"/final-acceptance", sign)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != pathHome+"?done=final" {
			t.Fatalf("final acceptance: %d %s %q", res.StatusCode, res.Header.Get("Location"), res.body)
		}
	}
	ob.post(projectPath(id)+"/final-acceptance", form()).want(t, http.StatusConflict, "The action was not taken", "ended")
	if n, _ := f.countEvents(owner, id, "final-acceptance-signed"); n != 1 {
		t.Fatalf("final acceptance signed %d times", n)
	}
	ob.get(projectPath(id)).want(t, http.StatusOK, "Final acceptance signed", "completed")
}

// TestCustomerInbox: the customer's home lists what awaits their decision,
// with the document, its SHA-256, the window's close in working days and
// the deemed warning, in their language, and only their own.
func TestCustomerInbox(t *testing.T) {
	f := newAPIFixture(t)
	manager := f.person(store.RoleManager, "", testPassword, store.LanguageEnglish)
	customer := unique("acme")
	owner := f.person(store.RoleCustomer, customer, testPassword, store.LanguageChinese)
	colleague := f.person(store.RoleCustomer, customer, testPassword, store.LanguageEnglish)
	stranger := f.person(store.RoleCustomer, unique("globex"), testPassword, store.LanguageEnglish)
	id := f.startProject(manager, customer)
	f.act(manager, "/v1/projects/"+id+"/deliverables/kickoff-meeting-report/submissions", document("Kickoff report"))

	signedIn := func(p store.Person) *browser {
		b := f.browser()
		b.signIn(p.Email, testPassword)
		return b
	}
	tests := []struct {
		name     string
		person   store.Person
		contains []string
		lacks    []string
	}{
		{"in Chinese", owner, []string{"待您决定", "Kickoff report", sha("Kickoff report"), "https://docs.example.com/Kickoff-report.pdf",
			"如您不提出异议，将于", "自动视为验收通过", "验收通过", "拒绝理由"}, nil},
		{"in English", colleague, []string{"Awaiting your decision", "IT Managed Services Project Kickoff Meeting Report",
			"Accepted automatically at", "if you do not object", `action="` + deliverablePath(id, "kickoff-meeting-report") + `/decision"`}, nil},
		{"not another customer's", stranger, []string{"Nothing awaits your decision."}, []string{"Kickoff report", id}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := signedIn(tt.person).get(pathHome)
			res.want(t, http.StatusOK, tt.contains...)
			for _, s := range tt.lacks {
				if strings.Contains(res.body, s) {
					t.Fatalf("inbox contains %q", s)
				}
			}
		})
	}
}

// TestWindowClosesInWorkingDays counts the days to a window's close in the
// working-day calendar the API has in force: the five working days from
// 2026-09-29 skip the National Day holiday.
func TestWindowClosesInWorkingDays(t *testing.T) {
	f := newAPIFixture(t)
	customer := f.person(store.RoleCustomer, unique("acme"), "", store.LanguageEnglish)
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	now := at("2026-09-29T10:00:00+08:00")
	tests := []struct {
		closes string
		lang   store.Language
		want   string
	}{
		{"2026-10-13T00:00:00+08:00", store.LanguageEnglish, "closes in 5 working days"},
		{"2026-10-13T00:00:00+08:00", store.LanguageChinese, "5 个工作日后截止"},
		{"2026-10-01T00:00:00+08:00", store.LanguageEnglish, "closes in 1 working day"},
		{"2026-09-30T00:00:00+08:00", store.LanguageEnglish, "closes today at 24:00"},
		{"2026-09-29T09:00:00+08:00", store.LanguageEnglish, "closed"},
	}
	for _, tt := range tests {
		t.Run(tt.closes+" "+string(tt.lang), func(t *testing.T) {
			r := as(customer)
			r.now, r.Lang = now, tt.lang
			if got := f.portal.workdays(r).windowCloses(tt.lang, at(tt.closes)); got != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestDueIn counts natural days to a deadline.
func TestDueIn(t *testing.T) {
	now := time.Date(2026, 9, 29, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))
	tests := []struct {
		at   time.Time
		want string
	}{
		{now.Add(-time.Minute), "passed"},
		{now.Add(time.Hour), "today"},
		{time.Date(2026, 9, 30, 0, 0, 0, 0, now.Location()), "today"},
		{time.Date(2026, 10, 1, 0, 0, 0, 0, now.Location()), "in 1 day"},
		{time.Date(2026, 12, 28, 0, 0, 0, 0, now.Location()), "in 89 days"},
	}
	for _, tt := range tests {
		if got := dueIn(store.LanguageEnglish, now, tt.at); got != tt.want {
			t.Errorf("dueIn(%s) = %q, want %q", tt.at, got, tt.want)
		}
	}
}
