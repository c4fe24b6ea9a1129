package portal

import (
	"fmt"
	"net/http"
	"time"

	"github.com/sowflow/sowflow/calendar"
	"github.com/sowflow/sowflow/store"
)

// workdaysAhead is how far ahead the working-day calendar is read for the
// relative times of a page: a year, the most GET /v1/calendars/cn/days
// lists at once.
const workdaysAhead = 365

// workdays is the China working-day calendar in force, as the API gives it
// (GET /v1/calendars/cn/days), from the request's day a year ahead: what
// "closes in 3 working days" is counted in. It is read once per page, on
// first use.
type workdays struct {
	p      *Portal
	r      *request
	loaded bool
	today  calendar.Date
	// working holds the working days after today, by date.
	working map[calendar.Date]bool
	last    calendar.Date
}

func (p *Portal) workdays(r *request) *workdays {
	return &workdays{p: p, r: r, today: calendar.DateOf(r.now)}
}

func (wd *workdays) load() bool {
	if wd.loaded {
		return wd.working != nil
	}
	wd.loaded = true
	var out struct {
		Days []calendar.DayInfo `json:"days"`
	}
	path := fmt.Sprintf("/v1/calendars/cn/days?from=%s&to=%s", wd.today.AddDays(1), wd.today.AddDays(workdaysAhead))
	if err := wd.p.call(wd.r, http.MethodGet, path, "", nil, &out); err != nil {
		// The relative times are a help; the absolute ones stay.
		wd.p.deps.Logger.Warn("portal: read the working-day calendar", "error", err.Error())
		return false
	}
	wd.working = map[calendar.Date]bool{}
	for _, d := range out.Days {
		wd.working[d.Date] = d.Working
	}
	wd.last = wd.today.AddDays(workdaysAhead)
	return true
}

// lastDay is the date a deadline falls on: 24:00 of a day, which the API
// gives as 00:00 of the next, belongs to that day.
func lastDay(t time.Time) calendar.Date {
	return calendar.DateOf(t.Add(-time.Nanosecond))
}

// windowCloses says, in working days, when a contract window closing at t
// closes: "closes in 3 working days", "closes today", "closed". Empty when
// the calendar cannot be read or t is more than a year ahead.
func (wd *workdays) windowCloses(lang store.Language, t time.Time) string {
	if !t.After(wd.r.now) {
		return msg(lang, "pc_rel_closed")
	}
	day := lastDay(t)
	if day == wd.today {
		return msg(lang, "pc_rel_closes_today")
	}
	if !wd.load() || day.After(wd.last) {
		return ""
	}
	n := 0
	for d := wd.today.AddDays(1); !d.After(day); d = d.AddDays(1) {
		if wd.working[d] {
			n++
		}
	}
	if n == 1 {
		return msg(lang, "pc_rel_closes_in_one_working_day")
	}
	return fmt.Sprintf(msg(lang, "pc_rel_closes_in_working_days"), n)
}

// dueIn says, in natural days, when a deadline at t falls: "in 12 days",
// "today", "passed".
func dueIn(lang store.Language, now, t time.Time) string {
	if !t.After(now) {
		return msg(lang, "pc_rel_passed")
	}
	today, day := calendar.DateOf(now), lastDay(t)
	if day == today {
		return msg(lang, "pc_rel_today")
	}
	n := int(day.Start().Sub(today.Start()).Hours() / 24)
	if n == 1 {
		return msg(lang, "pc_rel_in_one_day")
	}
	return fmt.Sprintf(msg(lang, "pc_rel_in_days"), n)
}
