package portal

import (
	"net/http"
	"strconv"

	"github.com/sowflow/sowflow/api"
	"github.com/sowflow/sowflow/store"
)

// The calendar-year page for admins: which years of China's holiday data
// are in force and where each comes from, and a form that loads a year
// through the API (PUT /v1/calendars/cn/years/{year}), which validates it,
// stores it and tells running projects to recompute provisional deadlines.

const pathAdminCalendar = "/admin/calendar"

func init() {
	addNav(navEntry{Order: 75, Path: pathAdminCalendar, Key: "cal_admin_nav", Roles: []store.Role{store.RoleAdmin}})
}

// adminCalendarPage is the data of GET /admin/calendar.
type adminCalendarPage struct {
	CalendarVersion string
	Years           []calYearRow
	Upload          calUpload
	// Loaded is the answer of a successful upload, shown above the form.
	Loaded *calLoaded
}

// calYearRow is one year of data in force.
type calYearRow struct {
	Year     int
	Source   string
	Version  string
	LoadedBy string
	LoadedAt string
	SHA256   string
}

// calUpload is the upload form: its values and, after a refusal, the
// file's lines with the API's errors under them.
type calUpload struct {
	Year    string
	Source  string
	Problem string
	Lines   []uploadLine
	// Unplaced are errors without a line.
	Unplaced []api.FieldError
}

// calLoaded is what a successful upload changed.
type calLoaded struct {
	Year, Version    int
	CalendarVersion  string
	ProjectsNotified int
	Changes          []calChange
}

// calChange is a date whose status the upload changed.
type calChange struct {
	Label, Before, After string
}

func (p *Portal) showAdminCalendar(w http.ResponseWriter, r *request) {
	if !p.adminOnly(w, r) {
		return
	}
	p.renderAdminCalendar(w, r, http.StatusOK, adminCalendarPage{})
}

// renderAdminCalendar reads the years in force and shows the page with
// page's upload form and result.
func (p *Portal) renderAdminCalendar(w http.ResponseWriter, r *request, status int, page adminCalendarPage) {
	var info calendarInfoAnswer
	if err := p.call(r, http.MethodGet, "/v1/calendars/cn", "", nil, &info); err != nil {
		p.apiFailed(w, r, "read calendar", err)
		return
	}
	page.CalendarVersion = info.CalendarVersion
	loaded := map[int]store.CalendarYear{}
	for _, y := range info.LoadedYears {
		if y.Version > loaded[y.Year].Version {
			loaded[y.Year] = y
		}
	}
	for y := info.LastYear; y >= info.FirstYear && y > 0; y-- {
		row := calYearRow{Year: y, Source: msg(r.Lang, "cal_admin_source_embedded"), Version: "—"}
		if l, ok := loaded[y]; ok {
			row.Source = msg(r.Lang, "cal_admin_source_uploaded")
			row.Version = strconv.Itoa(l.Version)
			row.LoadedBy, row.LoadedAt = l.LoadedBy, formatInstant(r.Lang, l.LoadedAt)
			row.SHA256 = l.SHA256[:min(12, len(l.SHA256))]
		}
		page.Years = append(page.Years, row)
	}
	if page.Upload.Year == "" {
		page.Upload.Year = strconv.Itoa(info.LastYear + 1)
	}
	v := p.newView(r, "cal_admin_title")
	v.Page = page
	p.render(w, r, status, "admin_calendar", v)
}
