package portal

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/sowflow/sowflow/store"
)

// screenshotDirVariable names the directory TestCustomerScreenshots writes
// its PNGs to; without it the test is skipped.
const screenshotDirVariable = "SOWFLOW_SCREENSHOT_DIR"

// TestCustomerScreenshots writes the customer's pages (inbox, project page,
// deliverable page with a refused rejection) at 1280 and 375 px wide in
// both languages, for people to look at: SOWFLOW_SCREENSHOT_DIR=/tmp go
// test ./portal -run TestCustomerScreenshots.
func TestCustomerScreenshots(t *testing.T) {
	dir := os.Getenv(screenshotDirVariable)
	if dir == "" {
		t.Skipf("set %s to write the customer pages' screenshots", screenshotDirVariable)
	}
	ctx := newTab(t)
	f := newAPIFixture(t)
	manager := f.person(store.RoleManager, "", "", store.LanguageEnglish)
	customer := f.person(store.RoleCustomer, unique("acme"), testPassword, store.LanguageEnglish)
	ms := f.startProject(manager, customer.CustomerID)
	f.act(manager, "/v1/projects/"+ms+"/deliverables/kickoff-meeting-report/submissions", document("Kickoff Meeting Report v1"))
	lz := f.startLandingZone(manager, customer)
	f.act(manager, "/v1/projects/"+lz+"/deliverables/"+finalDeliverable+"/submissions", document("IT governance solution v1"))
	dt := unique("dt")
	f.act(manager, "/v1/projects", map[string]any{"project_id": dt, "customer_id": customer.CustomerID, "package": "dingtalk-pro",
		"dates": map[string]string{"purchase": "2026-11-20T09:30:00+08:00"}})
	f.act(manager, "/v1/projects/"+dt+"/delays/open", map[string]string{"reason": "admin account not provided"})

	do(t, ctx, signInSteps(f.srv.URL, customer.Email, testPassword)...)
	do(t, ctx, chromedp.WaitVisible(chromedp.CSS(".who")))
	pages := []struct{ name, path string }{
		{"inbox", pathHome},
		{"project-lz", projectPath(lz)},
		{"project-dingtalk", projectPath(dt)},
		{"deliverable", deliverablePath(ms, "kickoff-meeting-report")},
	}
	for _, lang := range []string{"en", "zh-CN"} {
		do(t, ctx, chromedp.Navigate(f.srv.URL+pathHome), chromedp.WaitVisible(chromedp.CSS(`button[value="`+lang+`"]`)),
			chromedp.Click(chromedp.CSS(`button[value="`+lang+`"]`)), chromedp.WaitVisible(chromedp.CSS(`button[value="`+lang+`"][aria-current="true"]`)))
		for _, width := range []int64{1280, 375} {
			for _, pg := range pages {
				do(t, ctx, chromedp.EmulateViewport(width, 900), chromedp.Navigate(f.srv.URL+pg.path), chromedp.WaitVisible(chromedp.CSS("main")))
				png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
				if err != nil {
					t.Fatal(err)
				}
				name := filepath.Join(dir, "customer-"+pg.name+"-"+lang+"-"+strconv.FormatInt(width, 10)+".png")
				if err := os.WriteFile(name, png, 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
}
