package portal

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/sowflow/sowflow/store"
)

// TestBrowserManagerStartsSubmitsAdvances walks a delivery manager, in
// Chinese, through a Landing Zone Basic: the start form refuses a missing
// design domain next to its field, then starts the project; the
// investigation report is submitted from the management page; the
// dashboard shows its acceptance window closing; once the customer accepts
// it (through the API as the customer), the phase advances.
func TestBrowserManagerStartsSubmitsAdvances(t *testing.T) {
	ctx := newTab(t)
	f := newAPIFixture(t)
	customerID := unique("acme")
	manager := f.person(store.RoleManager, "", testPassword, store.LanguageChinese)
	customer := f.person(store.RoleCustomer, customerID, "", store.LanguageChinese)
	base := f.srv.URL
	project := unique("lz")

	do(t, ctx, signInSteps(base, manager.Email, testPassword)...)
	do(t, ctx, chromedp.WaitVisible(chromedp.CSS(".who")), chromedp.Click(chromedp.CSS(`nav a[href="/projects/new"]`)),
		chromedp.WaitVisible(chromedp.CSS(`input[value="landing-zone-basic"]`)),
		chromedp.Click(chromedp.CSS(`input[value="landing-zone-basic"]`)), chromedp.Click(chromedp.CSS(`button.primary`)),
		chromedp.WaitVisible(chromedp.CSS(`#project_id`)))
	if h := text(t, ctx, "h1"); h != "新建项目" {
		t.Fatalf("form heading %q", h)
	}
	fill := []chromedp.Action[chromedp.Void]{
		chromedp.SetValue(chromedp.CSS(`#project_id`), project), chromedp.SetValue(chromedp.CSS(`#customer_id`), customerID),
		chromedp.SetValue(chromedp.CSS(`#purchase`), "2026-11-02"), chromedp.SetValue(chromedp.CSS(`#application`), "2026-10-01"),
		chromedp.SetValue(chromedp.CSS(`#order`), "2026-10-30"),
	}
	do(t, ctx, fill...)
	do(t, ctx, chromedp.Click(chromedp.CSS(`button.primary`)), chromedp.WaitVisible(chromedp.CSS(`#opt_design_domains-error`)))
	if msg := text(t, ctx, `#opt_design_domains-error`); msg != "请恰好选择一项。" {
		t.Fatalf("missing domain says %q", msg)
	}
	if summary := text(t, ctx, `.error`); !strings.Contains(summary, "项目未创建") {
		t.Fatalf("refused form's summary %q", summary)
	}
	// The values typed are kept; choosing the domain starts the project.
	do(t, ctx, chromedp.Click(chromedp.CSS(`input[value="security-protection"]`)), chromedp.Click(chromedp.CSS(`button.primary`)), chromedp.WaitVisible(chromedp.CSS(`.notice`)))
	if n := text(t, ctx, ".notice"); n != "项目已创建。" {
		t.Fatalf("after the start the notice is %q", n)
	}

	// Submit the investigation report from the management page.
	do(t, ctx, chromedp.Click(chromedp.CSS(`a[href$="/deliverables/investigation-report/submit"]`)), chromedp.WaitVisible(chromedp.CSS(`#uri`)),
		chromedp.SetValue(chromedp.CSS(`#uri`), "https://docs.example.com/investigation.pdf"),
		chromedp.SetValue(chromedp.CSS(`#sha256`), strings.Repeat("0f", 32)),
		chromedp.Click(chromedp.CSS(`button.primary`)), chromedp.WaitVisible(chromedp.CSS(`.notice`)))
	if n := text(t, ctx, ".notice"); !strings.Contains(n, "交付物已提交") {
		t.Fatalf("after the submission the notice is %q", n)
	}

	// The dashboard shows the window closing within 5 working days; the
	// customer filter (the GET form's) keeps out the projects of the package's other tests.
	do(t, ctx, chromedp.Navigate(base+pathDashboard+"?status=active&customer="+customerID), chromedp.WaitVisible(chromedp.CSS(`#closing`)))
	if v, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(`#f-customer`))); err != nil || v != customerID {
		t.Fatalf("the customer filter shows %q, %v", v, err)
	}
	closing := text(t, ctx, `#closing`)
	if !strings.Contains(closing, project) || !strings.Contains(closing, "Landing Zone Investigation Report") || !strings.Contains(closing, "个工作日") {
		t.Fatalf("dashboard's closing windows: %q", closing)
	}
	if h := text(t, ctx, `#closing-title`); !strings.Contains(h, "未来 5 个工作日内截止的验收窗口") {
		t.Fatalf("closing section heading %q", h)
	}

	// The customer accepts; the manager advances the phase.
	if err := f.portal.call(as(customer), http.MethodPost, "/v1/projects/"+project+"/deliverables/investigation-report/decision", formKey(),
		map[string]any{"decision": "accept"}, nil); err != nil {
		t.Fatalf("customer's acceptance: %v", err)
	}
	do(t, ctx, chromedp.Navigate(base+managePath(project)), chromedp.WaitVisible(chromedp.CSS(`form[action$="/phases/investigation/advance"] button`)),
		chromedp.Click(chromedp.CSS(`form[action$="/phases/investigation/advance"] button`)), chromedp.WaitVisible(chromedp.CSS(`.notice`)))
	if n := text(t, ctx, ".notice"); n != "已进入下一阶段。" {
		t.Fatalf("after advancing the notice is %q", n)
	}
	if cur := text(t, ctx, `li.phase.current .phase-name`); cur == "" || strings.Contains(cur, "investigation") {
		t.Fatalf("current phase after advancing: %q", cur)
	}
	if st := f.state(manager, project); st.Phase == "investigation" {
		t.Fatalf("project still in phase %s", st.Phase)
	}
}
