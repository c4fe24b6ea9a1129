package portal

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sowflow/sowflow/calendar"
	"github.com/sowflow/sowflow/store"
)

// windowCloses is when the acceptance window of the first submission of
// deliverable key of project id closes.
func (f *fixture) windowCloses(person store.Person, id, key string) time.Time {
	f.t.Helper()
	for _, d := range f.state(person, id).Deliverables {
		if d.Key == key && len(d.Rounds) > 0 && len(d.Rounds[0].Submissions) > 0 {
			return d.Rounds[0].Submissions[0].Window.Closes.At
		}
	}
	f.t.Fatalf("%s of %s has no submission", key, id)
	return time.Time{}
}

// TestBrowserCalendarUploadAndMonth, in Chinese: an admin loads a calendar
// year with a make-up working day on a Friday, sees the error under its
// line, fixes the line and loads it; then a customer opens the calendar,
// sees their acceptance window's close on its day, follows it to the
// deliverable, and picks October 2026 with the month picker to see 国庆节.
func TestBrowserCalendarUploadAndMonth(t *testing.T) {
	ctx := newTab(t)
	f := newAPIFixture(t)
	admin := f.person(store.RoleAdmin, "", testPassword, store.LanguageChinese)
	manager := f.person(store.RoleManager, "", "", store.LanguageEnglish)
	customer := f.person(store.RoleCustomer, unique("acme"), testPassword, store.LanguageChinese)
	id := f.startProject(manager, customer.CustomerID)
	f.act(manager, "/v1/projects/"+id+"/deliverables/kickoff-meeting-report/submissions", document("Kickoff Meeting Report v1"))
	day := lastDay(f.windowCloses(customer, id, "kickoff-meeting-report"))

	// The year without the Dragon Boat Festival is in force before: the
	// upload then changes its days, whatever other tests loaded.
	f.loadYear(admin, "2023", without(year2023(""), "端午节"))

	do(t, ctx, signInSteps(f.srv.URL, admin.Email, testPassword)...)
	do(t, ctx, chromedp.WaitVisible(chromedp.CSS(".who")), chromedp.Navigate(f.srv.URL+pathAdminCalendar), chromedp.WaitVisible(chromedp.CSS("#cal-source")))
	waitText(t, ctx, "h1", "日历年份")
	do(t, ctx, chromedp.SetValue(chromedp.CSS("#cal-year"), "2023"), chromedp.SetValue(chromedp.CSS("#cal-source"), year2023(badLine2023)),
		chromedp.Click(chromedp.CSS(`.cal-upload button.primary`)))
	waitText(t, ctx, "#upload-problem", "文件未载入")
	waitText(t, ctx, "#line-9.bad", "2023-01-20")
	waitText(t, ctx, "#line-9.bad .field-error", "第 9 行")
	waitText(t, ctx, "#line-9.bad .field-error", "调休上班日（isOffDay 为 false）必须是周六或周日")
	if got := text(t, ctx, "#line-10"); strings.Contains(got, "↑") {
		t.Fatalf("line 10 carries an error: %q", got)
	}
	// Fix line 9 in the pasted text the page kept, and load it.
	kept, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS("#cal-source")))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(kept, badLine2023) {
		t.Fatalf("the form did not keep the pasted file: %q", kept)
	}
	fixed := strings.Replace(kept, badLine2023, `{"name": "春节", "date": "2023-01-22", "isOffDay": true}`, 1)
	do(t, ctx, chromedp.SetValue(chromedp.CSS("#cal-source"), fixed), chromedp.Click(chromedp.CSS(`.cal-upload button.primary`)))
	waitText(t, ctx, "#cal-loaded-title", "2023年已载入为第")
	waitText(t, ctx, ".cal-changes", "调休上班 · 端午节")
	do(t, ctx, chromedp.Click(chromedp.CSS(`form[action="/sign-out"] button`)), chromedp.WaitVisible(chromedp.CSS("#email")))

	do(t, ctx, signInSteps(f.srv.URL, customer.Email, testPassword)...)
	do(t, ctx, chromedp.WaitVisible(chromedp.CSS(".who")), chromedp.Click(chromedp.CSS(`nav.nav a[href="/calendar"]`)), chromedp.WaitVisible(chromedp.CSS(".cal-grid")))
	if got := text(t, ctx, "h1"); !strings.Contains(got, "日历") {
		t.Fatalf("the calendar's heading is %q", got)
	}
	do(t, ctx, chromedp.Navigate(f.srv.URL+monthQuery(day)), chromedp.WaitVisible(chromedp.CSS(".cal-grid")))
	cell := `td[data-date="` + day.String() + `"]`
	waitText(t, ctx, cell, "验收期截止")
	waitText(t, ctx, `.cal-item[data-date="`+day.String()+`"]`, "Kickoff Meeting Report")
	do(t, ctx, chromedp.Click(chromedp.CSS(cell+` a[href="`+deliverablePath(id, "kickoff-meeting-report")+`"]`)))
	waitText(t, ctx, ".pc-back", id)
	waitText(t, ctx, "h1", "Kickoff Meeting Report")

	do(t, ctx, chromedp.Navigate(f.srv.URL+pathCalendar), chromedp.WaitVisible(chromedp.CSS("#cal-y")),
		chromedp.SetValue(chromedp.CSS("#cal-y"), "2026"), chromedp.SetValue(chromedp.CSS("#cal-m"), "10"), chromedp.Click(chromedp.CSS(`.cal-pick button`)))
	waitText(t, ctx, `td[data-date="2026-10-01"]`, "国庆节")
	waitText(t, ctx, "h1", "2026年10月")
	waitText(t, ctx, `td[data-date="2026-10-01"]`, "国庆节")
	waitText(t, ctx, `td[data-date="2026-10-10"]`, "调休上班")
}

// TestCalendarScreenshots writes the calendar pages at 1280 and 375 px
// wide in both languages: a month with a deadline, a provisional month,
// and the admin's upload with an error under its line. Set
// SOWFLOW_SCREENSHOT_DIR to run it.
func TestCalendarScreenshots(t *testing.T) {
	dir := os.Getenv(screenshotDirVariable)
	if dir == "" {
		t.Skipf("set %s to write the calendar pages' screenshots", screenshotDirVariable)
	}
	ctx := newTab(t)
	f := newAPIFixture(t)
	manager := f.person(store.RoleManager, "", "", store.LanguageEnglish)
	customer := f.person(store.RoleCustomer, unique("acme"), testPassword, store.LanguageEnglish)
	admin := f.person(store.RoleAdmin, "", testPassword, store.LanguageEnglish)
	ms := f.startProject(manager, customer.CustomerID)
	f.act(manager, "/v1/projects/"+ms+"/deliverables/kickoff-meeting-report/submissions", document("Kickoff Meeting Report v1"))
	dt := unique("dt")
	f.act(manager, "/v1/projects", map[string]any{"project_id": dt, "customer_id": customer.CustomerID, "package": "dingtalk-pro",
		"dates": map[string]string{"purchase": "2026-11-20T09:30:00+08:00"}})
	day := lastDay(f.windowCloses(customer, ms, "kickoff-meeting-report"))

	shoot := func(name string) {
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// Both people read English first; the switch waits for the new
	// language's page.
	switchTo := func(lang string) {
		if lang == "en" {
			return
		}
		do(t, ctx, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(f.srv.URL+pathCalendar), chromedp.WaitVisible(chromedp.CSS(`button[value="`+lang+`"]`)),
			chromedp.Click(chromedp.CSS(`button[value="`+lang+`"]`)), chromedp.WaitVisible(chromedp.CSS(`button[value="`+lang+`"][aria-current="true"]`)))
	}
	do(t, ctx, signInSteps(f.srv.URL, customer.Email, testPassword)...)
	do(t, ctx, chromedp.WaitVisible(chromedp.CSS(".who")))
	provisional := calendar.Date{Year: 2027, Month: time.February, Day: 1}
	for _, lang := range []string{"en", "zh-CN"} {
		switchTo(lang)
		for _, width := range []int64{1280, 375} {
			for name, path := range map[string]string{"month": monthQuery(day), "provisional": monthQuery(provisional), "october": pathCalendar + "?y=2026&m=10"} {
				do(t, ctx, chromedp.EmulateViewport(width, 900), chromedp.Navigate(f.srv.URL+path), chromedp.WaitVisible(chromedp.CSS("main")))
				shoot("calendar-" + name + "-" + lang + "-" + strconv.FormatInt(width, 10))
			}
		}
	}
	do(t, ctx, chromedp.Click(chromedp.CSS(`form[action="/sign-out"] button`)), chromedp.WaitVisible(chromedp.CSS("#email")))
	do(t, ctx, signInSteps(f.srv.URL, admin.Email, testPassword)...)
	do(t, ctx, chromedp.WaitVisible(chromedp.CSS(".who")))
	for _, lang := range []string{"en", "zh-CN"} {
		switchTo(lang)
		for _, width := range []int64{1280, 375} {
			do(t, ctx, chromedp.EmulateViewport(width, 900), chromedp.Navigate(f.srv.URL+pathAdminCalendar), chromedp.WaitVisible(chromedp.CSS("#cal-source")),
				chromedp.SetValue(chromedp.CSS("#cal-year"), "2023"), chromedp.SetValue(chromedp.CSS("#cal-source"), year2023(badLine2023)),
				chromedp.Click(chromedp.CSS(`.cal-upload button.primary`)), chromedp.WaitVisible(chromedp.CSS("#upload-problem")))
			shoot("admin-calendar-refused-" + lang + "-" + strconv.FormatInt(width, 10))
			f.loadYear(admin, "2023", without(year2023(""), "端午节"))
			do(t, ctx, chromedp.SetValue(chromedp.CSS("#cal-source"), year2023("")), chromedp.Click(chromedp.CSS(`.cal-upload button.primary`)), chromedp.WaitVisible(chromedp.CSS("#cal-loaded-title")))
			shoot("admin-calendar-loaded-" + lang + "-" + strconv.FormatInt(width, 10))
		}
	}
}
