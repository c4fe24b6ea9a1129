package main

import (
	"context"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/sowflow/sowflow/api"
	"github.com/sowflow/sowflow/calendar"
	"github.com/sowflow/sowflow/config"
	"github.com/sowflow/sowflow/store"
	"github.com/sowflow/sowflow/testenv"
	"github.com/sowflow/sowflow/worker"
)

// screenshotsVariable names the folder make screenshots writes to; without
// it TestScreenshots is skipped.
const screenshotsVariable = "SOWFLOW_SCREENSHOTS"

// screenshotPages are the portal's main pages as the demo people see them.
var screenshotPages = []struct {
	name string
	role store.Role // "" for a visitor who is not signed in
	path string
}{
	{"sign-in", "", "/sign-in"},
	{"customer-home", store.RoleCustomer, "/"},
	{"customer-project", store.RoleCustomer, "/projects/demo-ms-2"},
	{"customer-deliverable", store.RoleCustomer, "/projects/demo-ms-1/deliverables/kickoff-meeting-report"},
	{"customer-service", store.RoleCustomer, "/services/demo-svc-1"},
	{"customer-calendar", store.RoleCustomer, "/calendar"},
	{"manager-dashboard", store.RoleManager, "/dashboard"},
	{"manager-new-project", store.RoleManager, "/projects/new?package=landing-zone-basic"},
	{"manager-manage", store.RoleManager, "/projects/demo-ms-3/manage"},
	{"customer-ticket", store.RoleCustomer, "/services/demo-svc-1/tickets/1"},
	{"manager-calendar", store.RoleManager, "/calendar"},
	{"auditor-audit", store.RoleAuditor, "/audit"},
	{"auditor-history", store.RoleAuditor, "/audit/projects/demo-ms-2"},
	{"admin-people", store.RoleAdmin, "/admin/people"},
	{"admin-tokens", store.RoleAdmin, "/admin/tokens"},
	{"admin-calendar", store.RoleAdmin, "/admin/calendar"},
	{"admin-catalog", store.RoleAdmin, "/admin/catalog"},
}

// screenshotSizes are the window sizes of each screenshot.
var screenshotSizes = []struct {
	name          string
	width, height int64
	mobile        bool
}{
	{"desktop", 1280, 860, false},
	{"mobile", 375, 740, true},
}

// TestScreenshots (make screenshots) serves sowflow with the demo data of
// sowflow dev --demo and writes a PNG of each main page, in both languages,
// on a desktop and a phone, to $SOWFLOW_SCREENSHOTS. A page that answers
// with the error page fails it.
func TestScreenshots(t *testing.T) {
	dir := os.Getenv(screenshotsVariable)
	if dir == "" {
		t.Skipf("set %s to a folder to write the portal's screenshots (make screenshots)", screenshotsVariable)
	}
	// SOWFLOW_SCREENSHOTS_ONLY names the pages to take (comma-separated).
	only := os.Getenv("SOWFLOW_SCREENSHOTS_ONLY")
	browser, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatalf("make screenshots needs chromium on PATH: %v", err)
	}
	ctx := context.Background()
	env := testenv.Get(t)
	pool, err := openDatabase(ctx, testenv.EmptyDatabase(t), true, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	st := store.New(pool)
	if _, err := ensureDevPeople(ctx, st); err != nil {
		t.Fatal(err)
	}
	const password = "screenshots-demo-password"
	people := map[store.Role]store.Person{}
	for _, spec := range devPeopleSpecs() {
		p, err := st.FindPerson(ctx, spec.Email)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.SetPassword(ctx, p.ID, password, time.Now()); err != nil {
			t.Fatal(err)
		}
		people[p.Role] = p
	}
	cals, err := store.NewCalendarSource(ctx, st, calendar.China())
	if err != nil {
		t.Fatal(err)
	}
	w := env.Temporal.NewWorker("screenshots", func(r sdkworker.Registry) {
		worker.Register(r, worker.Deps{Calendar: cals.Current, Store: st})
	})
	defer w.Stop()
	deps := api.Deps{Store: st, Calendars: cals, Temporal: env.Client(), TaskQueue: "screenshots"}
	apiHandler := api.New(deps)
	if _, err := seedDemo(ctx, apiHandler, "", st, time.Now()); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	handler, err := withPortal(ctx, apiHandler, deps, config.Config{}, l)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(l) }()
	defer srv.Close()
	base := "http://" + l.Addr().String()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}

	for _, lang := range []store.Language{store.LanguageEnglish, store.LanguageChinese} {
		for _, role := range append([]store.Role{""}, store.Roles()...) {
			tab := newScreenshotTab(t, browser, lang)
			if role != "" {
				if err := st.SetPersonLanguage(ctx, people[role].ID, lang, time.Now()); err != nil {
					t.Fatal(err)
				}
				if err := chromedp.Do(tab, chromedp.Navigate(base+"/sign-in"), chromedp.WaitVisible(chromedp.CSS("#email")),
					chromedp.SendKeys(chromedp.CSS("#email"), people[role].Email), chromedp.SendKeys(chromedp.CSS("#password"), password),
					chromedp.Click(chromedp.CSS("button.primary")), chromedp.WaitVisible(chromedp.CSS(".who"))); err != nil {
					t.Fatalf("sign in as %s: %v", role, err)
				}
			}
			for _, pg := range screenshotPages {
				if pg.role != role || (only != "" && !slices.Contains(strings.Split(only, ","), pg.name)) {
					continue
				}
				for _, size := range screenshotSizes {
					png, failed, err := screenshot(tab, base+pg.path, size.width, size.height, size.mobile)
					if err != nil {
						t.Fatalf("%s %s: %v", pg.name, size.name, err)
					}
					if failed {
						t.Errorf("%s (%s) shows the error page", pg.name, pg.path)
						continue
					}
					name := filepath.Join(dir, pg.name+"-"+string(lang)+"-"+size.name+".png")
					if err := os.WriteFile(name, png, 0o644); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
	}
}

// screenshot opens url in tab at the size given and takes a PNG of the
// whole page; failed reports that the page is sowflow's error page.
func screenshot(tab context.Context, url string, width, height int64, mobile bool) (png []byte, failed bool, err error) {
	tab, cancel := context.WithTimeout(tab, screenshotPageTimeout)
	defer cancel()
	// main as a CSS selector: a plain string is also searched as text, and
	// a page that mentions "domains" has hidden text matching it.
	if err := chromedp.Do(tab, chromedp.EmulateViewport(width, height, chromedp.EmulateScale(1), emulateMobile(mobile)),
		chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS("main"))); err != nil {
		return nil, false, err
	}
	if failed, err = chromedp.Run(tab, chromedp.Evaluate[bool](`document.querySelector('main section.card.narrow > p.error[role="alert"]') !== null && document.querySelector('main form') === null`)); err != nil {
		return nil, false, err
	}
	png, err = chromedp.Run(tab, chromedp.FullScreenshot(100))
	return png, failed, err
}

// screenshotPageTimeout bounds one page's screenshot in one size (the
// sign-in's too): a dashboard reads every demo project's state.
const screenshotPageTimeout = 2 * time.Minute

// emulateMobile marks a phone's viewport as mobile.
func emulateMobile(mobile bool) chromedp.EmulateViewportOption {
	if mobile {
		return chromedp.EmulateMobile
	}
	return func(*emulation.SetDeviceMetricsOverrideParams, *emulation.SetTouchEmulationEnabledParams) {}
}

// newScreenshotTab starts a headless browser asking for lang.
func newScreenshotTab(t *testing.T, browser string, lang store.Language) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(browser), chromedp.NoSandbox,
		chromedp.Flag("lang", string(lang)), chromedp.Flag("accept-lang", string(lang)), chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("user-data-dir", t.TempDir()))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	tab, cancelTab := chromedp.NewContext(actx)
	// The browser starts now, on the tab's own context: a page's timeout
	// (a child context) must not end it.
	if err := chromedp.Do(tab); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc()
	})
	return tab
}
