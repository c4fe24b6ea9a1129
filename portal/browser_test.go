package portal

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sowflow/sowflow/store"
)

// browserRequiredVariable, set (as .ci/run does), makes a missing browser
// fail the browser tests instead of skipping them.
const browserRequiredVariable = "SOWFLOW_BROWSER_TESTS"

// findBrowser returns Debian's chromium (or another Chrome) on PATH; without
// one the test is skipped loudly, or fails when browsers are required.
func findBrowser(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv(browserRequiredVariable) == "required" {
		t.Fatalf("no chromium on PATH and %s=required: install it (apt-get install -y chromium)", browserRequiredVariable)
	}
	t.Skipf("SKIPPING the portal's browser tests: no chromium on PATH (apt-get install -y chromium; .ci/run installs it and sets %s=required)", browserRequiredVariable)
	return ""
}

// newTab starts a headless browser for one test and returns a tab's context.
func newTab(t *testing.T) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(findBrowser(t)), chromedp.NoSandbox, chromedp.Flag("lang", "zh-CN"), chromedp.Flag("accept-lang", "zh-CN,zh"),
		chromedp.Flag("disable-gpu", true), chromedp.Flag("user-data-dir", t.TempDir()))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	// Generous: a busy CI machine runs other packages' tests beside these.
	ctx, cancelTimeout := context.WithTimeout(ctx, 4*time.Minute)
	t.Cleanup(func() {
		cancelTimeout()
		cancelTab()
		cancelAlloc()
	})
	return ctx
}

// text returns the text of the first element matching sel.
func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

func do(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
}

// signInSteps fill and send the sign-in form.
func signInSteps(base, email, password string) []chromedp.Action[chromedp.Void] {
	return []chromedp.Action[chromedp.Void]{
		chromedp.Navigate(base + pathSignIn),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), email),
		chromedp.SendKeys(chromedp.CSS("#password"), password),
		chromedp.Click(chromedp.CSS(`button.primary`)),
	}
}

// TestBrowserCustomerSignsIn walks the sign-in of a customer in a real
// browser, in Chinese and then English: their projects only, the language
// switch, a forged form refused, sign-out.
func TestBrowserCustomerSignsIn(t *testing.T) {
	ctx := newTab(t)
	f := newFixture(t, "http://127.0.0.1")
	mine, theirs := unique("acme"), unique("globex")
	recordProjects(t, f, mine, theirs)
	p := f.person(store.RoleCustomer, mine, testPassword, store.LanguageChinese)
	base := f.srv.URL

	do(t, ctx, signInSteps(base, p.Email, testPassword)...)
	do(t, ctx, chromedp.WaitVisible(chromedp.CSS(".who")))
	if h := text(t, ctx, "h1"); h != "您的项目" {
		t.Fatalf("home heading %q, want 您的项目", h)
	}
	table := text(t, ctx, "table.list")
	if !strings.Contains(table, mine+"-p1") || strings.Contains(table, theirs) {
		t.Fatalf("customer's home lists %q; want only %s's projects", table, mine)
	}

	do(t, ctx, chromedp.Click(chromedp.CSS(`button[value="en"]`)), chromedp.WaitVisible(chromedp.CSS(`button[value="en"][aria-current="true"]`)))
	if h := text(t, ctx, "h1"); h != "Your projects" {
		t.Fatalf("after the switch the heading is %q", h)
	}

	// A forged sign-out (a wrong token) is refused and changes nothing.
	do(t, ctx, chromedp.SetValue(chromedp.CSS(`form[action="/sign-out"] input[name="csrf"]`), "forged"),
		chromedp.Click(chromedp.CSS(`form[action="/sign-out"] button`)), chromedp.WaitVisible(chromedp.CSS(".error")))
	if msg := text(t, ctx, ".error"); !strings.Contains(msg, "did not come from this site") {
		t.Fatalf("forged form answered %q", msg)
	}
	do(t, ctx, chromedp.Navigate(base+pathHome), chromedp.WaitVisible(chromedp.CSS(".who")),
		chromedp.Click(chromedp.CSS(`form[action="/sign-out"] button`)), chromedp.WaitVisible(chromedp.CSS("#email")))
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil || !strings.HasSuffix(loc, pathSignIn) {
		t.Fatalf("after sign-out at %q, %v", loc, err)
	}
}

// TestBrowserSignInThrottling shows the throttling message in the browser.
func TestBrowserSignInThrottling(t *testing.T) {
	ctx := newTab(t)
	f := newFixture(t, "http://127.0.0.1")
	p := f.person(store.RoleManager, "", testPassword, store.LanguageChinese)
	for range accountFailureLimit {
		do(t, ctx, signInSteps(f.srv.URL, p.Email, "not the password")...)
		do(t, ctx, chromedp.WaitVisible(chromedp.CSS(".error")))
	}
	do(t, ctx, signInSteps(f.srv.URL, p.Email, testPassword)...)
	do(t, ctx, chromedp.WaitVisible(chromedp.CSS(".error")))
	// The browser asks for Chinese (--accept-lang).
	if msg := text(t, ctx, ".error"); !strings.Contains(msg, "该账号登录失败次数过多") {
		t.Fatalf("throttled sign-in says %q", msg)
	}
}
