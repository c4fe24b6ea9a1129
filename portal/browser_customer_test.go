package portal

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/sowflow/sowflow/store"
)

// waitText waits until the first element matching sel shows want (the
// page after a form's redirect may take a moment to arrive).
func waitText(t *testing.T, ctx context.Context, sel, want string) {
	t.Helper()
	do(t, ctx, chromedp.WaitVisible(chromedp.CSS(sel)))
	if got := text(t, ctx, sel); !strings.Contains(got, want) {
		t.Fatalf("%s says %q; want %q", sel, got, want)
	}
}

// TestBrowserCustomerRejectsAcceptsAndSignsFinal walks the customer's
// decisions in a real browser, in Chinese: the submitted report in the
// inbox, rejected with a reason; the resubmission accepted from the inbox;
// final acceptance signed once it is due.
func TestBrowserCustomerRejectsAcceptsAndSignsFinal(t *testing.T) {
	ctx := newTab(t)
	f := newAPIFixture(t)
	manager := f.person(store.RoleManager, "", testPassword, store.LanguageEnglish)
	customer := f.person(store.RoleCustomer, unique("acme"), testPassword, store.LanguageChinese)
	id := f.startLandingZone(manager, customer)
	submissions := "/v1/projects/" + id + "/deliverables/" + finalDeliverable + "/submissions"
	f.act(manager, submissions, document("IT governance solution v1"))
	item := `#inbox-` + id + `-` + finalDeliverable + `-1`

	do(t, ctx, signInSteps(f.srv.URL, customer.Email, testPassword)...)
	waitText(t, ctx, "#inbox-title", "待您决定")
	got := text(t, ctx, item)
	for _, want := range []string{"IT governance solution v1", sha("IT governance solution v1"), "验收期截止", "工作日后截止", "此交付物只有经您验收才算通过"} {
		if !strings.Contains(got, want) {
			t.Fatalf("inbox item says %q; want %q", got, want)
		}
	}

	// Rejecting without a reason brings the form back with the field's error.
	do(t, ctx, chromedp.Click(chromedp.CSS(item+` button[value="reject"]`)))
	waitText(t, ctx, "#reason-problem", "理由为必填项")
	do(t, ctx, chromedp.SendKeys(chromedp.CSS("#reason"), "第 3 节缺少网络规划。"), chromedp.Click(chromedp.CSS(`button[value="reject"]`)))
	waitText(t, ctx, ".notice", "您已拒绝该交付物")
	if n, _ := f.countEvents(customer, id, "deliverable-rejected"); n != 1 {
		t.Fatalf("rejected %d times", n)
	}

	f.act(manager, submissions, document("IT governance solution v2"))
	do(t, ctx, chromedp.Navigate(f.srv.URL+pathHome))
	waitText(t, ctx, item, "IT governance solution v2")
	do(t, ctx, chromedp.Click(chromedp.CSS(item+` button[value="accept"]`)))
	waitText(t, ctx, ".notice", "您已验收通过该交付物")
	waitText(t, ctx, ".pc-final", "可以签署最终验收")
	// The page with the button still shows the acceptance's notice: wait
	// for the signed page, which has no button, before reading its notice.
	do(t, ctx, chromedp.Click(chromedp.CSS(`.pc-final button`)), chromedp.WaitNotPresent(chromedp.CSS(`.pc-final button`)))
	waitText(t, ctx, ".notice", "您已签署最终验收")
	if n, subject := f.countEvents(customer, id, "final-acceptance-signed"); n != 1 || subject != customer.Subject() {
		t.Fatalf("final acceptance signed %d times, by %s", n, subject)
	}

	do(t, ctx, chromedp.Navigate(f.srv.URL+projectPath(id)))
	waitText(t, ctx, "h1", "项目 "+id)
	waitText(t, ctx, ".intro", "已完成")
	waitText(t, ctx, ".pc-timeline", "已签署最终验收")
	waitText(t, ctx, ".pc-timeline", "第 3 节缺少网络规划。")
}

// TestBrowserOtherCustomersProjectIsNotFound: a customer typing another
// customer's project URL gets the 404 page, in their language.
func TestBrowserOtherCustomersProjectIsNotFound(t *testing.T) {
	ctx := newTab(t)
	f := newAPIFixture(t)
	manager := f.person(store.RoleManager, "", "", store.LanguageEnglish)
	stranger := f.person(store.RoleCustomer, unique("globex"), testPassword, store.LanguageChinese)
	id := f.startProject(manager, unique("acme"))

	do(t, ctx, signInSteps(f.srv.URL, stranger.Email, testPassword)...)
	do(t, ctx, chromedp.WaitVisible(chromedp.CSS(".who")))
	for _, path := range []string{projectPath(id), deliverablePath(id, "kickoff-meeting-report")} {
		res, err := chromedp.Run(ctx, chromedp.NavigateResponse(f.srv.URL+path))
		if err != nil {
			t.Fatal(err)
		}
		if res.Status != http.StatusNotFound {
			t.Fatalf("%s answered %d", path, res.Status)
		}
		waitText(t, ctx, ".error", "页面不存在，或您无权查看")
		if strings.Contains(text(t, ctx, "main"), id) {
			t.Fatalf("the 404 page names the project")
		}
	}
}

// TestBrowserDoubleClickedAcceptDecidesOnce: a double click on Accept
// sends the form's one-time key twice at most; one decision is made.
func TestBrowserDoubleClickedAcceptDecidesOnce(t *testing.T) {
	ctx := newTab(t)
	f := newAPIFixture(t)
	manager := f.person(store.RoleManager, "", "", store.LanguageEnglish)
	customer := f.person(store.RoleCustomer, unique("acme"), testPassword, store.LanguageChinese)
	id := f.startProject(manager, customer.CustomerID)
	f.act(manager, "/v1/projects/"+id+"/deliverables/kickoff-meeting-report/submissions", document("Kickoff report"))

	do(t, ctx, signInSteps(f.srv.URL, customer.Email, testPassword)...)
	do(t, ctx, chromedp.WaitVisible(chromedp.CSS(".who")), chromedp.Navigate(f.srv.URL+deliverablePath(id, "kickoff-meeting-report")))
	waitText(t, ctx, ".pc-warning", "自动视为验收通过")
	do(t, ctx, chromedp.ScrollIntoView(chromedp.CSS(".pc-accept button")))
	box, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`(() => { const r = document.querySelector('.pc-accept button').getBoundingClientRect(); return [r.x + r.width/2, r.y + r.height/2]; })()`))
	if err != nil {
		t.Fatal(err)
	}
	do(t, ctx, chromedp.MouseClickXY(box[0], box[1]), chromedp.MouseClickXY(box[0], box[1], chromedp.ClickCount(2)))
	waitText(t, ctx, ".notice", "您已验收通过该交付物")
	if n, subject := f.countEvents(customer, id, "deliverable-accepted"); n != 1 || subject != customer.Subject() {
		t.Fatalf("a double-clicked Accept made %d decisions (last by %s)", n, subject)
	}
}
