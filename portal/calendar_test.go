package portal

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sowflow/sowflow/calendar"
	"github.com/sowflow/sowflow/store"
)

// year2023 is the 2023 notice (国办发明电〔2022〕16号) in the holiday-cn
// format, one member a line: loading it changes no test's deadlines (they
// are all later) while it changes days the data in force gives only by the
// rule for years without data. bad, when set, replaces line 9's entry.
func year2023(bad string) string {
	days := []string{
		`{"name": "元旦", "date": "2022-12-31", "isOffDay": true}`,
		`{"name": "元旦", "date": "2023-01-01", "isOffDay": true}`,
		`{"name": "元旦", "date": "2023-01-02", "isOffDay": true}`,
		`{"name": "春节", "date": "2023-01-21", "isOffDay": true}`,
		`{"name": "春节", "date": "2023-01-22", "isOffDay": true}`,
		`{"name": "春节", "date": "2023-01-23", "isOffDay": true}`,
		`{"name": "春节", "date": "2023-01-24", "isOffDay": true}`,
		`{"name": "春节", "date": "2023-01-25", "isOffDay": true}`,
		`{"name": "春节", "date": "2023-01-26", "isOffDay": true}`,
		`{"name": "春节", "date": "2023-01-27", "isOffDay": true}`,
		`{"name": "春节", "date": "2023-01-28", "isOffDay": false}`,
		`{"name": "春节", "date": "2023-01-29", "isOffDay": false}`,
		`{"name": "清明节", "date": "2023-04-05", "isOffDay": true}`,
		`{"name": "劳动节", "date": "2023-04-23", "isOffDay": false}`,
		`{"name": "劳动节", "date": "2023-04-29", "isOffDay": true}`,
		`{"name": "劳动节", "date": "2023-04-30", "isOffDay": true}`,
		`{"name": "劳动节", "date": "2023-05-01", "isOffDay": true}`,
		`{"name": "劳动节", "date": "2023-05-02", "isOffDay": true}`,
		`{"name": "劳动节", "date": "2023-05-03", "isOffDay": true}`,
		`{"name": "劳动节", "date": "2023-05-06", "isOffDay": false}`,
		`{"name": "端午节", "date": "2023-06-22", "isOffDay": true}`,
		`{"name": "端午节", "date": "2023-06-23", "isOffDay": true}`,
		`{"name": "端午节", "date": "2023-06-24", "isOffDay": true}`,
		`{"name": "端午节", "date": "2023-06-25", "isOffDay": false}`,
		`{"name": "中秋节、国庆节", "date": "2023-09-29", "isOffDay": true}`,
		`{"name": "中秋节、国庆节", "date": "2023-09-30", "isOffDay": true}`,
		`{"name": "中秋节、国庆节", "date": "2023-10-01", "isOffDay": true}`,
		`{"name": "中秋节、国庆节", "date": "2023-10-02", "isOffDay": true}`,
		`{"name": "中秋节、国庆节", "date": "2023-10-03", "isOffDay": true}`,
		`{"name": "中秋节、国庆节", "date": "2023-10-04", "isOffDay": true}`,
		`{"name": "中秋节、国庆节", "date": "2023-10-05", "isOffDay": true}`,
		`{"name": "中秋节、国庆节", "date": "2023-10-06", "isOffDay": true}`,
		`{"name": "中秋节、国庆节", "date": "2023-10-07", "isOffDay": false}`,
		`{"name": "中秋节、国庆节", "date": "2023-10-08", "isOffDay": false}`,
	}
	if bad != "" {
		days[4] = bad // line 5 + 4 = 9
	}
	return "{\n  \"year\": 2023,\n  \"papers\": [],\n  \"days\": [\n    " + strings.Join(days, ",\n    ") + "\n  ]\n}\n"
}

// badLine2023 is a make-up working day on a Friday: line 9 of year2023(badLine2023).
const badLine2023 = `{"name": "春节", "date": "2023-01-20", "isOffDay": false}`

// without drops the entries of holiday name from a year file.
func without(file, name string) string {
	var keep []string
	for _, l := range strings.Split(file, "\n") {
		if !strings.Contains(l, `"`+name+`"`) {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}

// loadYear loads a year file through the API as admin, so that what a
// test loads next changes known days whatever the package's other tests
// loaded before.
func (f *fixture) loadYear(admin store.Person, year, file string) {
	f.t.Helper()
	var out map[string]any
	if err := f.portal.callFile(as(admin), http.MethodPut, "/v1/calendars/cn/years/"+year, formKey(), "application/json", []byte(file), &out); err != nil {
		f.t.Fatalf("load %s: %v", year, err)
	}
}

// uploadCalendar posts the calendar-year form as a multipart form, with the
// text as the chosen file (file) or pasted.
func (b *browser) uploadCalendar(year, text string, file bool) response {
	b.f.t.Helper()
	page := b.get(pathAdminCalendar)
	m := csrfPattern.FindStringSubmatch(page.body)
	k := regexp.MustCompile(`name="key" value="([^"]+)"`).FindStringSubmatch(page.body)
	if m == nil || k == nil {
		b.f.t.Fatalf("GET %s: no form: %d %q", pathAdminCalendar, page.StatusCode, page.body)
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("csrf", m[1])
	_ = mw.WriteField("key", k[1])
	_ = mw.WriteField("year", year)
	if file {
		fw, _ := mw.CreateFormFile("file", year+".json")
		_, _ = fw.Write([]byte(text))
		_ = mw.WriteField("source", "")
	} else {
		_ = mw.WriteField("source", text)
	}
	_ = mw.Close()
	req, _ := http.NewRequest(http.MethodPost, b.f.srv.URL+pathAdminCalendar, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return b.do(req)
}

// monthQuery is the calendar page of the month t falls in (in CST).
func monthQuery(d calendar.Date) string {
	return fmt.Sprintf("%s?y=%d&m=%d", pathCalendar, d.Year, int(d.Month))
}

// dayCell is the grid cell of date d in page.
func dayCell(t *testing.T, page string, d calendar.Date) string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<td class="cal-day [^"]*" data-date="` + d.String() + `"[^>]*>.*?</td>`).FindString(page)
	if m == "" {
		t.Fatalf("no cell for %s in the page", d)
	}
	return m
}

// TestCalendarShowsEachPersonTheirDeadlines: the month shows the
// deadlines the API lets the person see, on their days, linking to their
// pages: the owner and the manager see the acceptance window of the
// owner's submitted report; another customer sees the same month without
// it. Holidays and make-up working days are marked from the API's days.
func TestCalendarShowsEachPersonTheirDeadlines(t *testing.T) {
	f := newAPIFixture(t)
	customer := unique("acme")
	manager := f.person(store.RoleManager, "", testPassword, store.LanguageEnglish)
	owner := f.person(store.RoleCustomer, customer, testPassword, store.LanguageEnglish)
	stranger := f.person(store.RoleCustomer, unique("globex"), testPassword, store.LanguageEnglish)
	auditor := f.person(store.RoleAuditor, "", testPassword, store.LanguageChinese)
	id := f.startProject(manager, customer)
	f.act(manager, "/v1/projects/"+id+"/deliverables/kickoff-meeting-report/submissions", document("Kickoff Meeting Report v1"))
	st := f.state(owner, id)
	var closes time.Time
	for _, d := range st.Deliverables {
		if d.Key == "kickoff-meeting-report" {
			closes = d.Rounds[0].Submissions[0].Window.Closes.At
		}
	}
	if closes.IsZero() {
		t.Fatal("the submission opened no window")
	}
	day := lastDay(closes)
	link := `href="` + deliverablePath(id, "kickoff-meeting-report") + `"`

	signedIn := func(p store.Person) *browser {
		b := f.browser()
		b.signIn(p.Email, testPassword)
		return b
	}
	tests := []struct {
		name   string
		person store.Person
		sees   bool
		words  string
	}{
		{"the owner sees the window on its day", owner, true, "Acceptance window closes"},
		{"the manager sees it too", manager, true, "Acceptance window closes"},
		{"an auditor reads it in Chinese", auditor, true, "验收期截止"},
		{"another customer does not see it", stranger, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := signedIn(tt.person).get(monthQuery(day))
			res.want(t, http.StatusOK)
			cell := dayCell(t, res.body, day)
			if got := strings.Contains(cell, link); got != tt.sees {
				t.Fatalf("the cell of %s links the deliverable: %v, want %v: %s", day, got, tt.sees, cell)
			}
			if got := strings.Count(res.body, link); tt.sees && got != 2 || !tt.sees && got != 0 {
				t.Fatalf("the deliverable is linked %d times (grid and list)", got)
			}
			if tt.sees && !strings.Contains(cell, tt.words) {
				t.Fatalf("the cell does not say %q: %s", tt.words, cell)
			}
		})
	}

	t.Run("holidays and make-up working days", func(t *testing.T) {
		res := signedIn(owner).get(pathCalendar + "?y=2026&m=10")
		res.want(t, http.StatusOK, "October 2026")
		if c := dayCell(t, res.body, calendar.Date{Year: 2026, Month: time.October, Day: 1}); !strings.Contains(c, "cal-day holiday") || !strings.Contains(c, "国庆节") {
			t.Errorf("1 October is not a named holiday: %s", c)
		}
		if c := dayCell(t, res.body, calendar.Date{Year: 2026, Month: time.October, Day: 10}); !strings.Contains(c, "cal-day makeup") {
			t.Errorf("Saturday 10 October (worked) is not a make-up working day: %s", c)
		}
		if c := dayCell(t, res.body, calendar.Date{Year: 2026, Month: time.October, Day: 17}); !strings.Contains(c, "cal-day weekend") {
			t.Errorf("Saturday 17 October is not a weekend: %s", c)
		}
		// Monday first: the grid starts on Monday 28 September.
		if !strings.Contains(res.body, `data-date="2026-09-28"`) || strings.Contains(res.body, `data-date="2026-09-27"`) {
			t.Error("the grid does not start on the Monday before the 1st")
		}
		if strings.Contains(res.body, "Provisional month") {
			t.Error("a month of a loaded year is marked provisional")
		}
	})
	t.Run("today", func(t *testing.T) {
		today := calendar.DateOf(f.clock.Now())
		res := signedIn(owner).get(pathCalendar)
		if c := dayCell(t, res.body, today); !strings.Contains(c, `aria-current="date"`) {
			t.Errorf("today's cell is not marked: %s", c)
		}
	})
}

// TestCalendarMarksProvisionalMonths: a month of a year without published
// data says so and why, and a deadline computed beyond the data is marked
// provisional; a loaded year's month is not.
func TestCalendarMarksProvisionalMonths(t *testing.T) {
	f := newAPIFixture(t)
	customer := unique("acme")
	manager := f.person(store.RoleManager, "", "", store.LanguageEnglish)
	owner := f.person(store.RoleCustomer, customer, testPassword, store.LanguageChinese)
	id := unique("dt")
	f.act(manager, "/v1/projects", map[string]any{"project_id": id, "customer_id": customer, "package": "dingtalk-pro",
		"dates": map[string]string{"purchase": "2026-11-20T09:30:00+08:00"}})
	st := f.state(owner, id)
	var activation time.Time
	var provisional bool
	for _, c := range st.Clocks {
		if c.Key == "activation" {
			activation, provisional = c.Deadline.At, c.Deadline.Provisional
		}
	}
	if activation.IsZero() || !provisional {
		t.Fatalf("the activation clock (%s, provisional %v) does not test a provisional deadline", activation, provisional)
	}
	var info calendarInfoAnswer
	if err := f.portal.call(as(owner), http.MethodGet, "/v1/calendars/cn", "", nil, &info); err != nil {
		t.Fatal(err)
	}
	day := lastDay(activation)
	if day.Year <= info.LastYear {
		t.Fatalf("the activation deadline %s falls in a loaded year (data to %d)", day, info.LastYear)
	}
	b := f.browser()
	b.signIn(owner.Email, testPassword)
	res := b.get(monthQuery(day))
	res.want(t, http.StatusOK, "暂定月份", fmt.Sprintf("尚未载入国务院办公厅%d年节假日安排", day.Year))
	cell := dayCell(t, res.body, day)
	for _, want := range []string{"开通期限", `href="` + projectPath(id) + `"`, `class="cal-prov"`} {
		if !strings.Contains(cell, want) {
			t.Errorf("the activation deadline's cell lacks %q: %s", want, cell)
		}
	}
	// 1 January of a year without data is still a holiday (rule 6).
	jan := b.get(fmt.Sprintf("%s?y=%d&m=1", pathCalendar, info.LastYear+1))
	if c := dayCell(t, jan.body, calendar.Date{Year: info.LastYear + 1, Month: time.January, Day: 1}); !strings.Contains(c, "cal-day holiday") {
		t.Errorf("1 January of a year without data is not a holiday: %s", c)
	}
	loaded := b.get(fmt.Sprintf("%s?y=%d&m=6", pathCalendar, info.LastYear))
	loaded.want(t, http.StatusOK)
	if strings.Contains(loaded.body, "暂定月份") {
		t.Error("a month of a loaded year is marked provisional")
	}
}

// TestCalendarMonthNavigation: previous and next links stop at the
// calendar's bounds, the picker's months are the same, and a month outside
// them or malformed is refused.
func TestCalendarMonthNavigation(t *testing.T) {
	f := newAPIFixture(t)
	owner := f.person(store.RoleCustomer, unique("acme"), testPassword, store.LanguageEnglish)
	b := f.browser()
	b.signIn(owner.Email, testPassword)
	var info calendarInfoAnswer
	if err := f.portal.call(as(owner), http.MethodGet, "/v1/calendars/cn", "", nil, &info); err != nil {
		t.Fatal(err)
	}
	now := calendar.DateOf(f.clock.Now())
	first, last := min(info.FirstYear, now.Year-1), max(info.LastYear, now.Year+2)
	tests := []struct {
		name       string
		query      string
		status     int
		prev, next string
		contains   string
	}{
		{"this month by default", "", http.StatusOK, monthQuery(calendar.Date{Year: now.Year, Month: now.Month - 1, Day: 1}), "", ""},
		{"the first month has no previous link", fmt.Sprintf("?y=%d&m=1", first), http.StatusOK, "", fmt.Sprintf("%s?y=%d&amp;m=2", pathCalendar, first), "January"},
		{"the last month has no next link", fmt.Sprintf("?y=%d&m=12", last), http.StatusOK, fmt.Sprintf("%s?y=%d&amp;m=11", pathCalendar, last), "", "December"},
		{"December links to next January", "?y=2026&m=12", http.StatusOK, pathCalendar + "?y=2026&amp;m=11", pathCalendar + "?y=2027&amp;m=1", "December 2026"},
		{"before the first month", fmt.Sprintf("?y=%d&m=12", first-1), http.StatusNotFound, "", "", "does not go that far"},
		{"after the last month", fmt.Sprintf("?y=%d&m=1", last+1), http.StatusNotFound, "", "", "does not go that far"},
		{"month 13", "?y=2026&m=13", http.StatusBadRequest, "", "", "not a month"},
		{"not a number", "?y=next&m=1", http.StatusBadRequest, "", "", "not a month"},
	}
	if now.Month == time.January {
		tests[0].prev = monthQuery(calendar.Date{Year: now.Year - 1, Month: time.December, Day: 1})
	}
	tests[0].prev = strings.ReplaceAll(tests[0].prev, "&", "&amp;")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := b.get(pathCalendar + tt.query)
			res.want(t, tt.status, tt.contains)
			if tt.status != http.StatusOK {
				return
			}
			prev := regexp.MustCompile(`href="([^"]*)" rel="prev"`).FindStringSubmatch(res.body)
			next := regexp.MustCompile(`href="([^"]*)" rel="next"`).FindStringSubmatch(res.body)
			if got := submatch(prev); got != tt.prev {
				t.Errorf("previous link %q, want %q", got, tt.prev)
			}
			if got := submatch(next); tt.next != "" && got != tt.next || tt.next == "" && tt.query != "" && got != "" {
				t.Errorf("next link %q, want %q", got, tt.next)
			}
			years := regexp.MustCompile(`<select id="cal-y" name="y">(.*?)</select>`).FindStringSubmatch(res.body)
			if years == nil || !strings.Contains(years[1], fmt.Sprintf(`value="%d"`, first)) || !strings.Contains(years[1], fmt.Sprintf(`value="%d"`, last)) ||
				strings.Contains(years[1], fmt.Sprintf(`value="%d"`, last+1)) {
				t.Errorf("the picker's years are not %d–%d: %v", first, last, years)
			}
		})
	}
}

// submatch is a regexp match's first group, or "".
func submatch(m []string) string {
	if m == nil {
		return ""
	}
	return m[1]
}

// TestAdminCalendarUpload: only admins have the page; a refused file shows
// each API error under its line (line number, the line's text, what is
// wrong), whether chosen as a file or pasted; a loaded one shows the days
// it changed and the year as uploaded.
func TestAdminCalendarUpload(t *testing.T) {
	f := newAPIFixture(t)
	admin := f.person(store.RoleAdmin, "", testPassword, store.LanguageEnglish)
	manager := f.person(store.RoleManager, "", testPassword, store.LanguageEnglish)
	mb := f.browser()
	mb.signIn(manager.Email, testPassword)
	mb.get(pathAdminCalendar).want(t, http.StatusForbidden)
	if strings.Contains(mb.get(pathCalendar).body, `href="`+pathAdminCalendar+`"`) {
		t.Error("a manager's navigation links the admin calendar page")
	}

	b := f.browser()
	b.signIn(admin.Email, testPassword)
	b.get(pathAdminCalendar).want(t, http.StatusOK, "compiled in (holiday-cn snapshot)", `name="file" type="file"`, `name="source"`)

	badLine := regexp.MustCompile(`(?s)<li id="line-9" class="bad">(.*?)</li>`)
	for _, file := range []bool{true, false} {
		t.Run(fmt.Sprintf("refused, as a file %v", file), func(t *testing.T) {
			res := b.uploadCalendar("2023", year2023(badLine2023), file)
			res.want(t, http.StatusUnprocessableEntity, "The file was not loaded", `<a href="#line-9">Line 9</a>`)
			m := badLine.FindStringSubmatch(res.body)
			if m == nil {
				t.Fatalf("line 9 is not marked bad: %s", res.body)
			}
			for _, want := range []string{`<span class="ln">9</span>`, "2023-01-20", "line 9, column", "2023-01-20 is a Friday", "must fall on a Saturday or Sunday", "days[4].isOffDay"} {
				if !strings.Contains(m[1], want) {
					t.Errorf("line 9 lacks %q: %s", want, m[1])
				}
			}
			if strings.Count(res.body, `class="bad"`) != 1 {
				t.Error("more than one line is marked bad")
			}
		})
	}
	t.Run("no file at all", func(t *testing.T) {
		b.uploadCalendar("2023", "", false).want(t, http.StatusUnprocessableEntity, "Give the year and a file")
	})
	t.Run("loaded", func(t *testing.T) {
		// The year without the Dragon Boat Festival first: the upload then
		// changes exactly its days.
		f.loadYear(admin, "2023", without(year2023(""), "端午节"))
		res := b.uploadCalendar("2023", year2023(""), true)
		res.want(t, http.StatusOK, "2023 loaded as version", "Days that changed: 4")
		changes := regexp.MustCompile(`(?s)<table class="list cal-changes">(.*?)</table>`).FindString(res.body)
		for _, want := range []string{"Thu 22 June 2023", "working day</td>", "holiday · 端午节", "Sun 25 June 2023", "make-up working day · 端午节"} {
			if !strings.Contains(changes, want) {
				t.Errorf("the changes lack %q: %s", want, changes)
			}
		}
		if strings.Contains(changes, "Tue 14 March 2023") || strings.Contains(changes, "January") {
			t.Error("an unchanged working day is listed as changed")
		}
		page := b.get(pathAdminCalendar)
		row := regexp.MustCompile(`(?s)<a href="/calendar\?y=2023&amp;m=1">2023</a></th>(.*?)</tr>`).FindStringSubmatch(page.body)
		if row == nil || !strings.Contains(row[1], "uploaded") || !strings.Contains(row[1], admin.Subject()) {
			t.Errorf("the 2023 row does not say it was uploaded by the admin: %v", row)
		}
	})
}
