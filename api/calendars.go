package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/sowflow/sowflow/calendar"
	"github.com/sowflow/sowflow/store"
)

// maxListedDays bounds GET /v1/calendars/cn/days.
const maxListedDays = 366

// CalendarNotifier tells running projects and SLA periods that the calendar
// changed, so they recompute their provisional deadlines and claim windows.
// It returns how many were told, both kinds counted (the answer's
// projects_notified).
type CalendarNotifier func(ctx context.Context, calendarVersion string) (int, error)

type deadlineQuery struct {
	From            string `form:"from" validate:"required,rfc3339"`
	WorkingDays     *int   `form:"working_days" validate:"omitempty,min=0"`
	NaturalDays     *int   `form:"natural_days" validate:"omitempty,min=0"`
	Months          *int   `form:"months" validate:"omitempty,min=0"`
	BusinessMinutes *int   `form:"business_minutes" validate:"omitempty,min=0"`
	Minutes         *int   `form:"minutes" validate:"omitempty,min=0"`
	Hours           string `form:"hours" validate:"omitempty,hours"`
}

// spec picks the one clock the query asks for.
func (q deadlineQuery) spec() (calendar.Spec, *FieldError) {
	var chosen []calendar.Spec
	for _, k := range []struct {
		kind calendar.Kind
		n    *int
	}{
		{calendar.WorkingDays, q.WorkingDays}, {calendar.NaturalDays, q.NaturalDays}, {calendar.Months, q.Months},
		{calendar.BusinessMinutes, q.BusinessMinutes}, {calendar.Minutes, q.Minutes},
	} {
		if k.n != nil {
			chosen = append(chosen, calendar.Spec{Kind: k.kind, N: *k.n})
		}
	}
	if len(chosen) != 1 {
		return calendar.Spec{}, &FieldError{Field: "working_days", Rule: "exactly_one",
			Detail: "give exactly one of working_days, natural_days, months, business_minutes, minutes"}
	}
	s := chosen[0]
	if q.Hours != "" && s.Kind != calendar.BusinessMinutes {
		return calendar.Spec{}, &FieldError{Field: "hours", Rule: "business_minutes_only", Detail: "applies only with business_minutes"}
	}
	if s.Kind == calendar.BusinessMinutes {
		hours := q.Hours
		if hours == "" {
			hours = "09:00-17:00"
		}
		s.Hours, _ = calendar.ParseHours(hours) // validated by the hours rule
	}
	return s, nil
}

// deadline computes one contract clock, the same computation as the CLI's
// `sowflow calendar add` and the workflows' deadline activity.
func (h *handlers) deadline(c *gin.Context) {
	var q deadlineQuery
	if !bindQuery(c, &q) {
		return
	}
	spec, ferr := q.spec()
	if ferr != nil {
		invalid(c, "the clock is not fully described", *ferr)
		return
	}
	from, _ := time.Parse(time.RFC3339, q.From)
	res, err := h.deps.Calendars.Current().Deadline(from, spec)
	if err != nil {
		var fe *calendar.FieldError
		if errors.As(err, &fe) {
			invalid(c, "the clock cannot be computed", FieldError{Field: queryField(fe.Field, spec.Kind), Rule: "range", Detail: fe.Problem})
			return
		}
		h.internal(c, "compute deadline", err)
		return
	}
	c.JSON(http.StatusOK, res)
}

// queryField maps a calendar.Spec field to the query parameter that set it.
func queryField(field string, kind calendar.Kind) string {
	switch field {
	case "n", "kind":
		return string(kind)
	}
	return field
}

type daysQuery struct {
	From string `form:"from" validate:"required,civildate"`
	To   string `form:"to" validate:"required,civildate"`
}

type daysResponse struct {
	CalendarVersion string             `json:"calendar_version"`
	Days            []calendar.DayInfo `json:"days"`
}

// days lists each date of a range as working or off, with the holiday name.
func (h *handlers) days(c *gin.Context) {
	var q daysQuery
	if !bindQuery(c, &q) {
		return
	}
	from, _ := calendar.ParseDate(q.From)
	to, _ := calendar.ParseDate(q.To)
	if to.Before(from) {
		invalid(c, "the range is empty", FieldError{Field: "to", Rule: "gtefield", Detail: "must not be before from"})
		return
	}
	if from.AddDays(maxListedDays - 1).Before(to) {
		invalid(c, "the range is too long", FieldError{Field: "to", Rule: "max_range", Detail: fmt.Sprintf("must be at most %d days after from", maxListedDays-1)})
		return
	}
	cal := h.deps.Calendars.Current()
	c.JSON(http.StatusOK, daysResponse{CalendarVersion: cal.Version(), Days: cal.Days(from, to)})
}

type calendarSummary struct {
	Region          string               `json:"region"`
	CalendarVersion string               `json:"calendar_version"`
	FirstYear       int                  `json:"first_year"`
	LastYear        int                  `json:"last_year"`
	LoadedYears     []store.CalendarYear `json:"loaded_years"`
}

// calendarInfo says which data is in force and which years admins loaded.
func (h *handlers) calendarInfo(c *gin.Context) {
	loaded, err := h.deps.Store.CalendarYears(c.Request.Context(), store.RegionCN)
	if err != nil {
		h.internal(c, "list calendar years", err)
		return
	}
	cal := h.deps.Calendars.Current()
	first, last := cal.Years()
	if loaded == nil {
		loaded = []store.CalendarYear{}
	}
	for i := range loaded {
		loaded[i].LoadedAt = cst(loaded[i].LoadedAt)
	}
	c.JSON(http.StatusOK, calendarSummary{Region: store.RegionCN, CalendarVersion: cal.Version(), FirstYear: first, LastYear: last, LoadedYears: loaded})
}

type yearLoaded struct {
	store.CalendarYear
	CalendarVersion string `json:"calendar_version"`
	// ProjectsNotified counts the workflows told: projects and SLA periods.
	ProjectsNotified int `json:"projects_notified"`
}

// putYear loads a year's holiday file (the holiday-cn JSON format), validated
// exactly as the embedded data is, stores it as the year's next version and
// puts it in force. A refused file is answered with an error per bad entry,
// each with its line and column (placeHolidayErrors).
func (h *handlers) putYear(c *gin.Context) {
	year, err := strconv.Atoi(c.Param("year"))
	if err != nil || year < 1990 || year > 2200 {
		invalid(c, "the year in the path is not a year", FieldError{Field: "year", Rule: "year", Detail: "must be a year between 1990 and 2200"})
		return
	}
	body, ok := readBody(c)
	if !ok {
		return
	}
	if fe := strictJSON(body, nil); fe != nil {
		invalid(c, "the holiday file is refused", *fe)
		return
	}
	file, err := calendar.Parse(body)
	if err != nil {
		invalid(c, "the holiday file is refused", placeHolidayErrors(body, err)...)
		return
	}
	if file.Year != year {
		doc := scanHolidayFile(body)
		invalid(c, "the file is for another year", FieldError{Field: "year", Rule: "matches_path", Detail: fmt.Sprintf("the file says %d, the path says %d", file.Year, year),
			Line: doc.yearLine, Column: doc.yearColumn})
		return
	}
	cal, err := h.deps.Calendars.Current().With(file)
	if err != nil {
		invalid(c, "the holiday file does not fit the calendar", FieldError{Field: "body", Rule: "holiday_data", Detail: err.Error()})
		return
	}
	ctx := c.Request.Context()
	row, err := h.deps.Store.SaveCalendarYear(ctx, store.RegionCN, year, body, principal(c).Subject())
	if err != nil {
		h.internal(c, "store calendar year", err)
		return
	}
	if err := h.deps.Calendars.Reload(ctx); err != nil {
		h.internal(c, "reload calendar", err)
		return
	}
	row.LoadedAt = cst(row.LoadedAt)
	out := yearLoaded{CalendarYear: row, CalendarVersion: h.deps.Calendars.Current().Version()}
	if out.CalendarVersion != cal.Version() {
		h.deps.Logger.Warn("calendar changed concurrently", "expected", cal.Version(), "in_force", out.CalendarVersion)
	}
	if h.deps.NotifyCalendar != nil {
		n, err := h.deps.NotifyCalendar(ctx, out.CalendarVersion)
		if err != nil {
			// The year is stored and in force; the answer's projects_notified
			// says how many were told, and loading the year again tells the rest.
			h.deps.Logger.Warn("notify projects and sla periods of the new calendar", "request_id", c.GetString(requestIDKey), "error", err.Error())
		}
		out.ProjectsNotified = n
	}
	c.JSON(http.StatusCreated, out)
}
