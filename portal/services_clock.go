package portal

import (
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/sowflow/sowflow/calendar"
	"github.com/sowflow/sowflow/store"
	"github.com/sowflow/sowflow/workflows"
)

// dayTable is China's working days over a range, as the API's
// /v1/calendars/cn/days lists them (uploaded years included).
type dayTable map[calendar.Date]calendar.DayInfo

// maxDayRange is the longest range the API lists in one call.
const maxDayRange = 366

// days reads the working days from..to (inclusive, at most maxDayRange
// days, clipped) through the API as the signed-in person.
func (p *Portal) calendarDays(r *request, from, to calendar.Date) (dayTable, string, error) {
	if to.Before(from) {
		to = from
	}
	if from.AddDays(maxDayRange - 1).Before(to) {
		to = from.AddDays(maxDayRange - 1)
	}
	var out struct {
		CalendarVersion string             `json:"calendar_version"`
		Days            []calendar.DayInfo `json:"days"`
	}
	q := url.Values{"from": {from.String()}, "to": {to.String()}}
	if err := p.call(r, http.MethodGet, "/v1/calendars/cn/days?"+q.Encode(), "", nil, &out); err != nil {
		return nil, "", err
	}
	t := make(dayTable, len(out.Days))
	for _, d := range out.Days {
		t[d.Date] = d
	}
	return t, out.CalendarVersion, nil
}

// working reports whether d is a working day; a date the table does not
// hold counts as one on Monday–Friday.
func (t dayTable) working(d calendar.Date) bool {
	if info, ok := t[d]; ok {
		return info.Working
	}
	wd := d.Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// svcClock is a response clock as a page shows it: when it is due, how
// much is left, and, for a business-hour clock outside its hours, when it
// runs again.
type svcClock struct {
	Due      string
	Left     string
	Paused   string
	Overdue  bool
	Stopped  string
	Business bool
	// DueISO is the deadline in RFC 3339, on the clock's element for scripts.
	DueISO string
}

// defaultBusinessHours are the hours of a business-minute clock that names
// none.
var defaultBusinessHours = calendar.Hours{Open: 9 * time.Hour, Close: 17 * time.Hour}

// describeClock describes the deadline d of a clock of spec at now, using
// the working days t (which must cover now to the deadline, plus a
// fortnight for a pause).
func describeClock(lang store.Language, spec calendar.Spec, due time.Time, now time.Time, t dayTable) svcClock {
	v := svcClock{Due: fmt.Sprintf(msg(lang, "svc_clock_due"), formatInstant(lang, due)), DueISO: due.Format(time.RFC3339)}
	if !due.After(now) {
		v.Overdue = true
		v.Left = fmt.Sprintf(msg(lang, "svc_clock_overdue_by"), svcSpan(lang, now.Sub(due)))
		return v
	}
	if spec.Kind != calendar.BusinessMinutes {
		v.Left = fmt.Sprintf(msg(lang, "svc_clock_left"), svcSpan(lang, due.Sub(now)))
		return v
	}
	v.Business = true
	hours := spec.Hours
	if hours.IsZero() {
		hours = defaultBusinessHours
	}
	v.Left = fmt.Sprintf(msg(lang, "svc_clock_business_left"), svcSpan(lang, businessTime(hours, now, due, t)), hours.String())
	if resume, paused := nextOpening(hours, now, t); paused {
		v.Paused = fmt.Sprintf(msg(lang, "svc_clock_paused_until"), formatResume(lang, resume, now))
	}
	return v
}

// businessTime is the time inside hours on working days between a and b.
func businessTime(hours calendar.Hours, a, b time.Time, t dayTable) time.Duration {
	var total time.Duration
	a, b = a.In(calendar.Zone()), b.In(calendar.Zone())
	for d := calendar.DateOf(a); !d.After(calendar.DateOf(b)); d = d.AddDays(1) {
		if !t.working(d) {
			continue
		}
		open, closing := d.Start().Add(hours.Open), d.Start().Add(hours.Close)
		lo, hi := laterOf(open, a), earlierOf(closing, b)
		if hi.After(lo) {
			total += hi.Sub(lo)
		}
	}
	return total
}

// nextOpening is when a business-hour clock runs again after now, and
// whether it is paused at now at all.
func nextOpening(hours calendar.Hours, now time.Time, t dayTable) (time.Time, bool) {
	now = now.In(calendar.Zone())
	today := calendar.DateOf(now)
	for d := today; d.Before(today.AddDays(maxDayRange)); d = d.AddDays(1) {
		if !t.working(d) {
			continue
		}
		open, closing := d.Start().Add(hours.Open), d.Start().Add(hours.Close)
		switch {
		case !now.Before(open) && now.Before(closing):
			return time.Time{}, false
		case now.Before(open):
			return open, true
		}
	}
	return time.Time{}, false
}

func laterOf(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earlierOf(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// svcSpan writes d as days, hours and minutes ("2 h 05 min").
func svcSpan(lang store.Language, d time.Duration) string {
	d = d.Round(time.Minute)
	days, hours, mins := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour), int(d%time.Hour/time.Minute)
	switch {
	case days > 0:
		return fmt.Sprintf(msg(lang, "svc_span_days"), days, hours)
	case hours > 0:
		return fmt.Sprintf(msg(lang, "svc_span_hours"), hours, mins)
	}
	return fmt.Sprintf(msg(lang, "svc_span_minutes"), mins)
}

// formatResume writes when a paused clock runs again: the weekday and
// the time ("Mon 09:00"), with the date when it is not within a week.
func formatResume(lang store.Language, at, now time.Time) string {
	at = at.In(calendar.Zone())
	wd := msg(lang, fmt.Sprintf("weekday_%d", int(at.Weekday())))
	if at.Sub(now) < 6*24*time.Hour {
		return fmt.Sprintf(msg(lang, "svc_resume_soon"), wd, at.Format("15:04"))
	}
	return formatInstant(lang, at)
}

// ticketClock describes a ticket's response clock as the ticket page and
// the service's ticket list show it; a decided clock says how it ended.
func ticketClock(lang store.Language, c workflows.TicketClock, sla workflows.TicketSLA, now time.Time, t dayTable) svcClock {
	if sla.Decided {
		v := svcClock{Due: fmt.Sprintf(msg(lang, "svc_clock_due"), formatInstant(lang, c.Deadline.At))}
		key := "svc_clock_breached"
		if sla.Met {
			key = "svc_clock_met"
		}
		v.Stopped = fmt.Sprintf(msg(lang, key), formatInstant(lang, sla.DecidedAt))
		v.Overdue = !sla.Met
		return v
	}
	if c.Deadline.IsZero() {
		return svcClock{Due: msg(lang, "none")}
	}
	return describeClock(lang, c.Deadline.Spec, c.Deadline.At, now, t)
}
