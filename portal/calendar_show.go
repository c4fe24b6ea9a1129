package portal

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/sowflow/sowflow/calendar"
	"github.com/sowflow/sowflow/store"
)

// The calendar page: a month of China's working days as the API gives
// them (GET /v1/calendars/cn/days), Monday first, with the signed-in
// person's deadlines on their days (calendar_deadlines.go), and the same
// month as a list for narrow screens.

const pathCalendar = "/calendar"

func init() {
	addNav(navEntry{Order: 40, Path: pathCalendar, Key: "cal_nav"})
}

// calendarYearsAhead is how many years after the current one the calendar
// goes: far enough for a service year or a 12-month validity started now.
const calendarYearsAhead = 2

// calendarInfoAnswer is GET /v1/calendars/cn.
type calendarInfoAnswer struct {
	CalendarVersion string               `json:"calendar_version"`
	FirstYear       int                  `json:"first_year"`
	LastYear        int                  `json:"last_year"`
	LoadedYears     []store.CalendarYear `json:"loaded_years"`
}

// calendarPage is the data of GET /calendar.
type calendarPage struct {
	Title      string
	Year       int
	Month      int
	Prev, Next string
	PrevLabel  string
	NextLabel  string
	// Years and Months are the month picker's choices.
	Years    []calOption
	Months   []calOption
	Weekdays []string
	Weeks    [][]calDay
	// List is the month's days that have a holiday, a make-up working
	// day, a deadline or are today, for the list view.
	List []calDay
	// Provisional is set when the month's year has no published data.
	Provisional     bool
	ProvisionalNote string
	CalendarVersion string
	Covered         string
	Deadlines       int
	// Partial is set when some deadlines could not be read.
	Partial bool
}

// calOption is one choice of a picker.
type calOption struct {
	Value    int
	Label    string
	Selected bool
}

// calDay is one day of the grid.
type calDay struct {
	Date    string
	Day     int
	Label   string
	InMonth bool
	// Kind is working, weekend, holiday (a day off the notice gives) or
	// makeup (a weekend day that is worked).
	Kind        string
	KindLabel   string
	Holiday     string
	Today       bool
	Provisional bool
	Deadlines   []calDeadline
}

// monthBounds are the first and last month the calendar shows: from the
// first year with data (or last year, if earlier) to calendarYearsAhead
// years after this one (or the last year loaded, if later).
func monthBounds(info calendarInfoAnswer, today calendar.Date) (lo, hi calendar.Date) {
	first := min(info.FirstYear, today.Year-1)
	if info.FirstYear == 0 {
		first = today.Year - 1
	}
	last := max(info.LastYear, today.Year+calendarYearsAhead)
	return calendar.Date{Year: first, Month: time.January, Day: 1}, calendar.Date{Year: last, Month: time.December, Day: 1}
}

// parseMonth reads the month asked for: y and m, or the current month
// when neither is given. ok is false for a malformed month.
func parseMonth(q url.Values, today calendar.Date) (calendar.Date, bool) {
	ys, ms := q.Get("y"), q.Get("m")
	if ys == "" && ms == "" {
		return calendar.Date{Year: today.Year, Month: today.Month, Day: 1}, true
	}
	y, err1 := strconv.Atoi(ys)
	m, err2 := strconv.Atoi(ms)
	if err1 != nil || err2 != nil || m < 1 || m > 12 || y < 1 || y > 9998 {
		return calendar.Date{}, false
	}
	return calendar.Date{Year: y, Month: time.Month(m), Day: 1}, true
}

// monthLink is the calendar page of month d.
func monthLink(d calendar.Date) string {
	return fmt.Sprintf("%s?y=%d&m=%d", pathCalendar, d.Year, int(d.Month))
}

// addMonths is the first day of the month n months after d's.
func addMonths(d calendar.Date, n int) calendar.Date {
	m := d.Year*12 + int(d.Month) - 1 + n
	return calendar.Date{Year: m / 12, Month: time.Month(m%12 + 1), Day: 1}
}

// monthTitle names month d in lang.
func monthTitle(lang store.Language, d calendar.Date) string {
	return fmt.Sprintf(msg(lang, "cal_month_format"), d.Year, int(d.Month), msg(lang, fmt.Sprintf("cal_month_%d", int(d.Month))))
}

// dayLabel names date d with its weekday in lang.
func dayLabel(lang store.Language, d calendar.Date) string {
	return fmt.Sprintf(msg(lang, "cal_day_format"), d.Year, int(d.Month), d.Day,
		msg(lang, fmt.Sprintf("weekday_%d", int(d.Weekday()))), msg(lang, fmt.Sprintf("cal_month_%d", int(d.Month))))
}

func (p *Portal) showCalendar(w http.ResponseWriter, r *request) {
	lang := r.Lang
	today := calendar.DateOf(r.now)
	var info calendarInfoAnswer
	if err := p.call(r, http.MethodGet, "/v1/calendars/cn", "", nil, &info); err != nil {
		p.apiFailed(w, r, "read calendar", err)
		return
	}
	lo, hi := monthBounds(info, today)
	month, ok := parseMonth(r.URL.Query(), today)
	if !ok {
		p.renderError(w, r, http.StatusBadRequest, "cal_bad_month")
		return
	}
	if month.Before(lo) || month.After(hi) {
		p.renderError(w, r, http.StatusNotFound, "cal_month_out_of_range")
		return
	}
	// The grid: Monday on or before the 1st to Sunday on or after the last.
	last := addMonths(month, 1).AddDays(-1)
	gridFrom := month.AddDays(-((int(month.Weekday()) + 6) % 7))
	gridTo := last.AddDays((7 - int(last.Weekday())) % 7)
	days, version, err := p.calendarDays(r, gridFrom, gridTo)
	if err != nil {
		p.apiFailed(w, r, "read working days", err)
		return
	}
	deadlines, partial := p.calendarDeadlines(r, gridFrom, gridTo)
	byDay := map[calendar.Date][]calDeadline{}
	for _, d := range deadlines {
		byDay[d.Day] = append(byDay[d.Day], d)
	}

	page := calendarPage{Title: monthTitle(lang, month), Year: month.Year, Month: int(month.Month),
		CalendarVersion: version, Partial: partial,
		Covered: fmt.Sprintf(msg(lang, "cal_covered"), info.FirstYear, info.LastYear)}
	if prev := addMonths(month, -1); !prev.Before(lo) {
		page.Prev, page.PrevLabel = monthLink(prev), monthTitle(lang, prev)
	}
	if next := addMonths(month, 1); !next.After(hi) {
		page.Next, page.NextLabel = monthLink(next), monthTitle(lang, next)
	}
	for y := lo.Year; y <= hi.Year; y++ {
		page.Years = append(page.Years, calOption{Value: y, Label: strconv.Itoa(y), Selected: y == month.Year})
	}
	for m := 1; m <= 12; m++ {
		page.Months = append(page.Months, calOption{Value: m, Label: msg(lang, fmt.Sprintf("cal_month_%d", m)), Selected: m == int(month.Month)})
	}
	for i := 1; i <= 7; i++ {
		page.Weekdays = append(page.Weekdays, msg(lang, fmt.Sprintf("weekday_%d", i%7)))
	}
	var week []calDay
	for d := gridFrom; !d.After(gridTo); d = d.AddDays(1) {
		day := calDay{Date: d.String(), Day: d.Day, Label: dayLabel(lang, d), InMonth: d.Month == month.Month,
			Today: d == today, Deadlines: byDay[d]}
		info, known := days[d]
		weekend := d.Weekday() == time.Saturday || d.Weekday() == time.Sunday
		working := days.working(d)
		switch {
		case known && info.Holiday != "" && !working:
			day.Kind, day.Holiday = "holiday", info.Holiday
		case working && weekend:
			day.Kind, day.Holiday = "makeup", info.Holiday
		case !working:
			day.Kind = "weekend"
		default:
			day.Kind = "working"
		}
		day.KindLabel = msg(lang, "cal_kind_day_"+day.Kind)
		day.Provisional = info.Provisional
		if day.InMonth && day.Provisional {
			page.Provisional = true
		}
		if day.InMonth {
			page.Deadlines += len(day.Deadlines)
			if day.Kind == "holiday" || day.Kind == "makeup" || day.Today || len(day.Deadlines) > 0 {
				page.List = append(page.List, day)
			}
		}
		week = append(week, day)
		if len(week) == 7 {
			page.Weeks = append(page.Weeks, week)
			week = nil
		}
	}
	if page.Provisional {
		page.ProvisionalNote = fmt.Sprintf(msg(lang, "cal_provisional_note"), month.Year, info.FirstYear, info.LastYear)
	}
	v := p.newView(r, "cal_title")
	v.Title = page.Title + " · " + v.Title
	v.Page = page
	p.render(w, r, http.StatusOK, "calendar", v)
}
