package portal

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/sowflow/sowflow/history"
	"github.com/sowflow/sowflow/store"
)

// downloadInto makes the tab save downloads into dir (each named by its
// GUID) and report their progress.
func downloadInto(dir string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		events := true
		_, err := chromedp.Call(ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
			Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: &events})
		return err
	})
}

// TestBrowserAuditorVerifiesDownloadsReplays walks an auditor, in Chinese,
// through the audit pages: the audit link, every chain verified with its
// head, the search by customer, a project's history, the export downloaded
// by the browser, and that file uploaded to replay cleanly.
func TestBrowserAuditorVerifiesDownloadsReplays(t *testing.T) {
	ctx := newTab(t)
	f := newAPIFixture(t)
	customer := unique("acme")
	manager := f.person(store.RoleManager, "", "", store.LanguageChinese)
	auditor := f.person(store.RoleAuditor, "", testPassword, store.LanguageChinese)
	id := f.auditProject(manager, customer)
	base := f.srv.URL
	chain := `tr[data-chain="customer:` + customer + `"]`

	do(t, ctx, signInSteps(base, auditor.Email, testPassword)...)
	do(t, ctx, chromedp.WaitVisible(chromedp.CSS(".who")), chromedp.Click(chromedp.CSS(`nav a[href="/audit"]`)), chromedp.WaitVisible(chromedp.CSS(`#chains`)))
	if h := text(t, ctx, "h1"); h != "审计" {
		t.Fatalf("audit heading %q", h)
	}
	if v := text(t, ctx, ".audit-verdict"); !strings.Contains(v, "所有审计链完整") {
		t.Fatalf("verification says %q", v)
	}
	rep, err := f.st.VerifyAudit(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{"customer:" + customer, store.SystemChain} {
		head, ok := rep.Chain(c)
		if !ok {
			t.Fatalf("no chain %s", c)
		}
		row := text(t, ctx, `tr[data-chain="`+c+`"]`)
		if !strings.Contains(row, "校验通过") || !strings.Contains(row, "序号 "+strconv.FormatInt(head.LastSeq, 10)) ||
			!strings.Contains(row, head.Head.String()[:12]) {
			t.Fatalf("chain %s reads %q; want verified, seq %d, head %s", c, row, head.LastSeq, head.Head)
		}
	}
	// The full head opens for copying.
	do(t, ctx, chromedp.Click(chromedp.CSS(chain+` details.hash summary`)), chromedp.WaitVisible(chromedp.CSS(chain+` .hash-full`)))
	if v, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(chain+` .hash-full`))); err != nil || len(v) != 64 {
		t.Fatalf("full head %q, %v", v, err)
	}

	// Search by customer, open the project's history.
	do(t, ctx, chromedp.SetValue(chromedp.CSS(`#q`), customer), chromedp.Click(chromedp.CSS(`.audit-search button`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href="`+auditHistoryPath(id)+`"]`)), chromedp.Click(chromedp.CSS(`a[href="`+auditHistoryPath(id)+`"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.audit-timeline`)))
	if h := text(t, ctx, "h1"); h != "项目 "+id+" 的历史" {
		t.Fatalf("history heading %q", h)
	}
	if tl := text(t, ctx, ".audit-timeline"); !strings.Contains(tl, "开始客户原因延误") || !strings.Contains(tl, manager.Subject()+" (交付经理)") ||
		!strings.Contains(tl, "（北京时间）") {
		t.Fatalf("timeline reads %q", tl)
	}

	// Download the export with the browser.
	dir := t.TempDir()
	progress := chromedp.Events(ctx, cdpbrowser.DownloadProgress)
	do(t, ctx, downloadInto(dir), chromedp.Click(chromedp.CSS(`a.download`)))
	var file string
	for ev, err := range progress {
		if err != nil {
			t.Fatal(err)
		}
		if ev.State == cdpbrowser.DownloadProgressStateCompleted {
			file = filepath.Join(dir, ev.GUID)
			break
		}
		if ev.State == cdpbrowser.DownloadProgressStateCanceled {
			t.Fatal("the download was cancelled")
		}
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if runs, err := history.Parse(data); err != nil || len(runs) != 1 {
		t.Fatalf("downloaded export: %d runs, %v", len(runs), err)
	}

	// Replay it from the history page.
	do(t, ctx, chromedp.SetUploadFiles(chromedp.CSS(`#export`), []string{file}), chromedp.Click(chromedp.CSS(`.replay-form button.primary`)),
		chromedp.WaitVisible(chromedp.CSS(`.replay-result`)))
	if v := text(t, ctx, ".replay-result .audit-verdict"); !strings.Contains(v, "重放成功") {
		t.Fatalf("replay says %q", v)
	}
	if back := text(t, ctx, ".crumbs a"); back != "返回历史" {
		t.Fatalf("the replay page leads back with %q", back)
	}
}

// TestAuditScreenshots writes the auditor's pages at 1280 and 375 px wide
// in both languages, for people to look at: SOWFLOW_SCREENSHOT_DIR=/tmp go
// test ./portal -run TestAuditScreenshots.
func TestAuditScreenshots(t *testing.T) {
	dir := os.Getenv(screenshotDirVariable)
	if dir == "" {
		t.Skipf("set %s to write the audit pages' screenshots", screenshotDirVariable)
	}
	ctx := newTab(t)
	f := newAPIFixture(t)
	customer := unique("acme")
	manager := f.person(store.RoleManager, "", "", store.LanguageEnglish)
	auditor := f.person(store.RoleAuditor, "", testPassword, store.LanguageEnglish)
	id := f.auditProject(manager, customer)
	export := filepath.Join(t.TempDir(), "project-"+id+"-history.json")
	var body []byte
	{
		b := f.browser()
		b.signIn(auditor.Email, testPassword)
		res := b.get(auditHistoryPath(id) + "/export")
		res.want(t, 200)
		body = []byte(res.body)
	}
	tampered := filepath.Join(t.TempDir(), "tampered.json")
	if err := os.WriteFile(export, body, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(tampered, []byte(strings.Replace(string(body), `"activityType":{"name":"RecordProject"}`, `"activityType":{"name":"SendInvoice"}`, 1)), 0o644); err != nil {
		t.Fatal(err)
	}

	do(t, ctx, signInSteps(f.srv.URL, auditor.Email, testPassword)...)
	do(t, ctx, chromedp.WaitVisible(chromedp.CSS(".who")))
	shoot := func(name string) {
		t.Helper()
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "audit-"+name+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// The auditor reads English: each switch loads a page in the other
	// language, which the wait sees.
	for _, lang := range []string{"zh-CN", "en"} {
		do(t, ctx, chromedp.Navigate(f.srv.URL+pathHome), chromedp.WaitVisible(chromedp.CSS(`button[value="`+lang+`"]`)),
			chromedp.Click(chromedp.CSS(`button[value="`+lang+`"]`)), chromedp.WaitVisible(chromedp.CSS(`button[value="`+lang+`"][aria-current="true"]`)))
		for _, width := range []int64{1280, 375} {
			suffix := lang + "-" + strconv.FormatInt(width, 10)
			do(t, ctx, chromedp.EmulateViewport(width, 900), chromedp.Navigate(f.srv.URL+pathAudit+"?q="+customer), chromedp.WaitVisible(chromedp.CSS("main")))
			shoot("start-" + suffix)
			do(t, ctx, chromedp.Navigate(f.srv.URL+auditHistoryPath(id)), chromedp.WaitVisible(chromedp.CSS("main")),
				chromedp.Click(chromedp.CSS(`.entry-details summary`)))
			shoot("history-" + suffix)
			do(t, ctx, chromedp.SetUploadFiles(chromedp.CSS(`#export`), []string{tampered}), chromedp.Click(chromedp.CSS(`.replay-form button.primary`)),
				chromedp.WaitVisible(chromedp.CSS(`.replay-result`)))
			shoot("replay-diverged-" + suffix)
			do(t, ctx, chromedp.Click(chromedp.CSS(`.replay-form button.primary`)), chromedp.WaitVisible(chromedp.CSS(`#export-error`)))
			shoot("replay-nofile-" + suffix)
		}
	}
}
