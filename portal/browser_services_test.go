package portal

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/sowflow/sowflow/store"
	"github.com/sowflow/sowflow/workflows"
)

// TestBrowserTicketOpenedAndAnswered walks a customer and a delivery
// manager, both in Chinese and each in a browser of their own, through a
// ticket: the customer opens a critical ticket from the service page and
// sees its response clock running; the manager responds and resolves it;
// the customer's open page shows the clock met without a reload; the
// customer sees the response and confirms closure.
func TestBrowserTicketOpenedAndAnswered(t *testing.T) {
	customerTab, managerTab := newTab(t), newTab(t)
	f := newAPIFixture(t)
	customerID := unique("acme")
	manager := f.person(store.RoleManager, "", testPassword, store.LanguageChinese)
	customer := f.person(store.RoleCustomer, customerID, testPassword, store.LanguageChinese)
	id := f.svcStart(manager, customerID)
	base := f.srv.URL
	servicePath := pathServices + "/" + id
	ticketPath := servicePath + "/tickets/1"

	// The customer opens a ticket from the service page.
	do(t, customerTab, signInSteps(base, customer.Email, testPassword)...)
	do(t, customerTab, chromedp.WaitVisible(chromedp.CSS(".who")), chromedp.Navigate(base+servicePath), chromedp.WaitVisible(chromedp.CSS("#title")))
	if h := text(t, customerTab, "#open-ticket"); h == "" {
		t.Fatal("the service page has no open-ticket heading")
	}
	do(t, customerTab, chromedp.SetValue(chromedp.CSS("#severity"), "critical"),
		chromedp.SendKeys(chromedp.CSS("#title"), "邮件无法发送"),
		chromedp.SendKeys(chromedp.CSS("#description"), "从 9:40 起所有外发邮件被退回。"),
		chromedp.Click(chromedp.CSS(`form[action$="/tickets"] button.primary`)), chromedp.WaitVisible(chromedp.CSS("#clock-heading")), chromedp.WaitVisible(chromedp.CSS(".notice")))
	if n := text(t, customerTab, ".notice"); n != "工单已提交，响应计时已开始。" {
		t.Fatalf("after opening the notice is %q", n)
	}
	loc, err := chromedp.Run(customerTab, chromedp.Location())
	if err != nil || !strings.Contains(loc, ticketPath) {
		t.Fatalf("after opening at %q, %v; want %s", loc, err, ticketPath)
	}
	if h := text(t, customerTab, "h1"); !strings.Contains(h, "邮件无法发送") {
		t.Fatalf("ticket heading %q", h)
	}
	if h := text(t, customerTab, "#clock-heading"); h != "响应计时" {
		t.Fatalf("clock heading %q", h)
	}
	if due := text(t, customerTab, ".big-clock .due"); !strings.HasPrefix(due, "截止 ") || !strings.Contains(due, "北京时间") {
		t.Fatalf("the response clock says %q", due)
	}
	if left := text(t, customerTab, ".big-clock .left"); !strings.HasPrefix(left, "剩余") {
		t.Fatalf("the response clock's time left is %q", left)
	}
	screenshotIfAsked(t, customerTab, "ticket-opened-customer-zh-CN")

	// The manager responds and resolves. Each action's page is awaited by
	// its form going away: the page before may show a notice too.
	do(t, managerTab, signInSteps(base, manager.Email, testPassword)...)
	do(t, managerTab, chromedp.WaitVisible(chromedp.CSS(".who")), chromedp.Navigate(base+ticketPath), chromedp.WaitVisible(chromedp.CSS("#respond-note")),
		chromedp.SendKeys(chromedp.CSS("#respond-note"), "已收到，正在排查邮件网关。"),
		chromedp.Click(chromedp.CSS("#respond")), chromedp.WaitNotPresent(chromedp.CSS("#respond")), chromedp.WaitVisible(chromedp.CSS(".notice")))
	if n := text(t, managerTab, ".notice"); n != "响应已记录，响应计时已停止。" {
		t.Fatalf("after responding the notice is %q", n)
	}
	screenshotIfAsked(t, managerTab, "ticket-responded-manager-zh-CN")
	do(t, managerTab, chromedp.WaitVisible(chromedp.CSS("#resolution")),
		chromedp.SendKeys(chromedp.CSS("#resolution"), "网关证书已续期，外发恢复。"),
		chromedp.Click(chromedp.CSS(`form[action$="/resolve"] button.primary`)), chromedp.WaitNotPresent(chromedp.CSS("#resolution")), chromedp.WaitVisible(chromedp.CSS(".notice")))
	if n := text(t, managerTab, ".notice"); n != "工单已解决，等待客户确认关闭。" {
		t.Fatalf("after resolving the notice is %q", n)
	}

	// The customer's open page brings its clock up to date without a
	// reload (clocks.js, here when the tab comes back into view).
	if _, err := chromedp.Run(customerTab, chromedp.Evaluate[bool](`document.dispatchEvent(new Event("visibilitychange"))`)); err != nil {
		t.Fatal(err)
	}
	do(t, customerTab, chromedp.WaitVisible(chromedp.CSS(".big-clock .clock.stopped")))
	if clock := text(t, customerTab, ".big-clock"); !strings.HasPrefix(clock, "已按时响应") {
		t.Fatalf("the open page's clock came up to date as %q", clock)
	}

	// The customer sees the response and confirms closure.
	do(t, customerTab, chromedp.Navigate(base+ticketPath), chromedp.WaitVisible(chromedp.CSS(`form[action$="/close"]`)))
	facts := text(t, customerTab, "dl.facts")
	for _, want := range []string{"已收到，正在排查邮件网关。", "网关证书已续期，外发恢复。", manager.Name, "已解决，待客户确认"} {
		if !strings.Contains(facts, want) {
			t.Fatalf("the customer's ticket page does not show %q: %q", want, facts)
		}
	}
	if clock := text(t, customerTab, ".big-clock"); !strings.HasPrefix(clock, "已按时响应") {
		t.Fatalf("after the response the clock says %q", clock)
	}
	screenshotIfAsked(t, customerTab, "ticket-resolved-customer-zh-CN")
	do(t, customerTab, chromedp.SendKeys(chromedp.CSS("#close-note"), "已恢复，谢谢。"),
		chromedp.Click(chromedp.CSS(`form[action$="/close"] button.primary`)), chromedp.WaitNotPresent(chromedp.CSS(`form[action$="/close"]`)), chromedp.WaitVisible(chromedp.CSS(".notice")))
	if n := text(t, customerTab, ".notice"); n != "已确认关闭，谢谢。" {
		t.Fatalf("after confirming the notice is %q", n)
	}
	if facts := text(t, customerTab, "dl.facts"); !strings.Contains(facts, "已关闭") || !strings.Contains(facts, "已恢复，谢谢。") {
		t.Fatalf("the closed ticket shows %q", facts)
	}
	if n, err := chromedp.Run(customerTab, chromedp.Evaluate[int](`document.querySelectorAll('.ticket-actions form').length`)); err != nil || n != 0 {
		t.Fatalf("a closed ticket offers %d actions, %v", n, err)
	}
	var st workflows.TicketState
	if err := f.portal.call(as(manager), http.MethodGet, "/v1/services/"+id+"/tickets/1", "", nil, &st); err != nil || st.Status != workflows.TicketClosed ||
		st.Response == nil || st.Response.Note != "已收到，正在排查邮件网关。" {
		t.Fatalf("the workflow has the ticket %+v, %v", st, err)
	}
}

// screenshotIfAsked writes the tab's page, at 375 and 1280 px wide, to
// SOWFLOW_SCREENSHOT_DIR when it is set, for people to look at.
func screenshotIfAsked(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv(screenshotDirVariable)
	if dir == "" {
		return
	}
	for _, width := range []int64{375, 1280} {
		do(t, ctx, chromedp.EmulateViewport(width, 900))
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name+"-"+strconv.FormatInt(width, 10)+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
