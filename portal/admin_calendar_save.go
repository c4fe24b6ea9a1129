package portal

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sowflow/sowflow/api"
	"github.com/sowflow/sowflow/calendar"
)

// maxCalendarUpload bounds the calendar-year form, file included (a year's
// file is a few kilobytes; the API takes at most 1 MiB).
const maxCalendarUpload = 1 << 20

// uploadForm lets next (a p.form handler) read a multipart form, whose
// fields ParseForm leaves unread: it parses the form, file included, first.
func (p *Portal) uploadForm(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, hr *http.Request) {
		if strings.HasPrefix(hr.Header.Get("Content-Type"), "multipart/form-data") {
			hr.Body = http.MaxBytesReader(w, hr.Body, maxCalendarUpload)
			if err := hr.ParseMultipartForm(maxCalendarUpload); err != nil {
				r, ok := p.load(w, hr)
				if ok {
					p.renderError(w, r, http.StatusBadRequest, "error_bad_form")
				}
				return
			}
		}
		next(w, hr)
	}
}

// uploadCalendarYear sends the form's holiday file (the chosen file, else
// the pasted text) to PUT /v1/calendars/cn/years/{year} as the signed-in
// admin. A refused file comes back with each error under its line; a
// loaded one with the days it changed and how many projects and SLA
// periods were told to recompute their provisional deadlines.
func (p *Portal) uploadCalendarYear(w http.ResponseWriter, r *request) {
	if !p.adminOnly(w, r) {
		return
	}
	up := calUpload{Year: strings.TrimSpace(r.PostFormValue("year"))}
	source, err := uploadedText(r)
	if err != nil {
		up.Problem = msg(r.Lang, "cal_admin_file_unreadable")
		p.renderAdminCalendar(w, r, http.StatusUnprocessableEntity, adminCalendarPage{Upload: up})
		return
	}
	up.Source = strings.ReplaceAll(source, "\r\n", "\n")
	year, yerr := strconv.Atoi(up.Year)
	if up.Source == "" || yerr != nil {
		up.Problem = msg(r.Lang, "cal_admin_missing")
		p.renderAdminCalendar(w, r, http.StatusUnprocessableEntity, adminCalendarPage{Upload: up})
		return
	}
	before, berr := p.yearDays(r, year)
	var answer struct {
		Year             int    `json:"year"`
		Version          int    `json:"version"`
		CalendarVersion  string `json:"calendar_version"`
		ProjectsNotified int    `json:"projects_notified"`
	}
	err = p.callFile(r, http.MethodPut, "/v1/calendars/cn/years/"+strconv.Itoa(year), r.PostFormValue(keyField), "application/json", []byte(up.Source), &answer)
	var prob api.Problem
	switch {
	case err == nil:
	case errors.As(err, &prob) && prob.Type == api.ProblemValidation:
		up.Problem = fmt.Sprintf(msg(r.Lang, "cal_admin_refused"), len(prob.Errors))
		up.Lines, up.Unplaced = placeErrors(up.Source, prob.Errors)
		p.renderAdminCalendar(w, r, http.StatusUnprocessableEntity, adminCalendarPage{Upload: up})
		return
	default:
		p.apiFailed(w, r, "load calendar year", err)
		return
	}
	loaded := &calLoaded{Year: answer.Year, Version: answer.Version, CalendarVersion: answer.CalendarVersion, ProjectsNotified: answer.ProjectsNotified}
	if after, aerr := p.yearDays(r, year); berr == nil && aerr == nil {
		loaded.Changes = dayChanges(r, before, after)
	}
	p.renderAdminCalendar(w, r, http.StatusOK, adminCalendarPage{Loaded: loaded})
}

// uploadedText is the chosen file's text, or the pasted text when no file
// was chosen.
func uploadedText(r *request) (string, error) {
	if r.MultipartForm != nil {
		if files := r.MultipartForm.File["file"]; len(files) > 0 && files[0].Size > 0 {
			f, err := files[0].Open()
			if err != nil {
				return "", err
			}
			defer f.Close()
			b, err := io.ReadAll(io.LimitReader(f, maxCalendarUpload))
			return string(b), err
		}
	}
	return r.PostFormValue("source"), nil
}

// yearDays reads the days a file for year may list: 1 December of the
// year before to 31 January of the year after.
func (p *Portal) yearDays(r *request, year int) (dayTable, error) {
	mid := calendar.Date{Year: year, Month: time.December, Day: 1}
	a, _, err := p.calendarDays(r, calendar.Date{Year: year - 1, Month: time.December, Day: 1}, mid.AddDays(-1))
	if err != nil {
		return nil, err
	}
	b, _, err := p.calendarDays(r, mid, calendar.Date{Year: year + 1, Month: time.January, Day: 31})
	if err != nil {
		return nil, err
	}
	for d, info := range b {
		a[d] = info
	}
	return a, nil
}

// dayChanges lists the dates whose status or holiday name differ, in
// date order.
func dayChanges(r *request, before, after dayTable) []calChange {
	var dates []calendar.Date
	for d, a := range after {
		if b, ok := before[d]; !ok || b.Working != a.Working || b.Holiday != a.Holiday {
			dates = append(dates, d)
		}
	}
	slices.SortFunc(dates, calendar.Date.Compare)
	out := make([]calChange, 0, len(dates))
	for _, d := range dates {
		out = append(out, calChange{Label: dayLabel(r.Lang, d), Before: dayStatus(r, before[d]), After: dayStatus(r, after[d])})
	}
	return out
}

// dayStatus says what a day is, in words.
func dayStatus(r *request, d calendar.DayInfo) string {
	kind := "cal_kind_day_working"
	weekend := d.Date.Weekday() == time.Saturday || d.Date.Weekday() == time.Sunday
	switch {
	case d.Working && weekend:
		kind = "cal_kind_day_makeup"
	case !d.Working && d.Holiday != "":
		kind = "cal_kind_day_holiday"
	case !d.Working:
		kind = "cal_kind_day_weekend"
	}
	s := msg(r.Lang, kind)
	if d.Holiday != "" {
		s += " · " + d.Holiday
	}
	if d.Provisional {
		s += " (" + msg(r.Lang, "cal_provisional") + ")"
	}
	return s
}
