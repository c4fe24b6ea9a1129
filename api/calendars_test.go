package api

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/serviceerror"

	"github.com/sowflow/sowflow/calendar"
	"github.com/sowflow/sowflow/store"
	"github.com/sowflow/sowflow/workflows"
)

// testYear2027 is a made-up 2027 file for tests (the real notice is not
// published in the data sowflow embeds): the fixed-date holidays, a Labour
// Day and National Day block, and one Saturday make-up working day.
func testYear2027(extra ...string) []byte {
	days := []string{
		`{"name":"元旦","date":"2027-01-01","isOffDay":true}`,
		`{"name":"劳动节","date":"2027-05-01","isOffDay":true}`,
		`{"name":"劳动节","date":"2027-05-03","isOffDay":true}`,
		`{"name":"国庆节","date":"2027-10-01","isOffDay":true}`,
		`{"name":"国庆节","date":"2027-10-02","isOffDay":true}`,
		`{"name":"国庆节","date":"2027-10-03","isOffDay":true}`,
		`{"name":"国庆节","date":"2027-10-04","isOffDay":true}`,
		`{"name":"国庆节","date":"2027-10-09","isOffDay":false}`,
	}
	days = append(days, extra...)
	return []byte(`{"year":2027,"papers":[],"days":[` + strings.Join(days, ",") + `]}`)
}

func TestDeadlineEndpoint(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name         string
		query        string
		wantStatus   int
		wantDeadline string
		provisional  bool
		wantField    string
		wantRule     string
	}{
		{"five working days over National Day", "from=2026-09-29T10:00:00%2B08:00&working_days=5", 200, "2026-10-13T00:00:00+08:00", false, "", ""},
		{"UTC evening is the next CST date", "from=2026-09-29T17:30:00Z&working_days=5", 200, "2026-10-14T00:00:00+08:00", false, "", ""},
		{"natural days", "from=2026-01-01T00:00:00%2B08:00&natural_days=90", 200, "2026-04-02T00:00:00+08:00", false, "", ""},
		{"months on 29 February", "from=2024-02-29T12:00:00%2B08:00&months=12", 200, "2025-03-01T00:00:00+08:00", false, "", ""},
		{"business minutes with default hours", "from=2026-10-09T16:00:00%2B08:00&business_minutes=120", 200, "2026-10-10T10:00:00+08:00", false, "", ""},
		{"business minutes with given hours", "from=2026-10-09T16:00:00%2B08:00&business_minutes=120&hours=09:00-18:00", 200, "2026-10-09T18:00:00+08:00", false, "", ""},
		{"7x24 minutes", "from=2026-10-01T23:50:00%2B08:00&minutes=15", 200, "2026-10-02T00:05:00+08:00", false, "", ""},
		{"past the data is provisional", "from=2026-12-28T10:00:00%2B08:00&working_days=5", 200, "2027-01-06T00:00:00+08:00", true, "", ""},
		{"from missing", "working_days=5", 400, "", false, "from", "required"},
		{"from not an instant", "from=yesterday&working_days=5", 400, "", false, "from", "rfc3339"},
		{"no clock", "from=2026-09-29T10:00:00Z", 400, "", false, "working_days", "exactly_one"},
		{"two clocks", "from=2026-09-29T10:00:00Z&working_days=5&months=1", 400, "", false, "working_days", "exactly_one"},
		{"negative count", "from=2026-09-29T10:00:00Z&working_days=-1", 400, "", false, "working_days", "min"},
		{"count too large", "from=2026-09-29T10:00:00Z&working_days=99999999", 400, "", false, "working_days", "range"},
		{"hours without business minutes", "from=2026-09-29T10:00:00Z&working_days=5&hours=09:00-17:00", 400, "", false, "hours", "business_minutes_only"},
		{"malformed hours", "from=2026-09-29T10:00:00Z&business_minutes=5&hours=9-5", 400, "", false, "hours", "hours"},
		{"unknown parameter", "from=2026-09-29T10:00:00Z&working_day=5", 400, "", false, "working_day", "unknown"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body json.RawMessage
			rec := f.do(http.MethodGet, "/v1/calendars/cn/deadline?"+tt.query, store.RoleCustomer, nil, &body)
			if rec.Code != tt.wantStatus {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.wantStatus, body)
			}
			if tt.wantStatus == http.StatusOK {
				var res struct {
					Deadline        string `json:"deadline"`
					Provisional     bool   `json:"provisional"`
					CalendarVersion string `json:"calendar_version"`
				}
				if err := json.Unmarshal(body, &res); err != nil {
					t.Fatal(err)
				}
				if res.Deadline != tt.wantDeadline || res.Provisional != tt.provisional || res.CalendarVersion != calendar.China().Version() {
					t.Errorf("got %+v, want %s provisional=%v", res, tt.wantDeadline, tt.provisional)
				}
				return
			}
			var p Problem
			if err := json.Unmarshal(body, &p); err != nil {
				t.Fatal(err)
			}
			if got := problemFields(p)[tt.wantField]; got != tt.wantRule || p.Type != ProblemValidation {
				t.Errorf("problem %+v, want field %s rule %s", p, tt.wantField, tt.wantRule)
			}
		})
	}
}

func TestDaysEndpoint(t *testing.T) {
	f := newFixture(t)
	var res daysResponse
	if rec := f.do(http.MethodGet, "/v1/calendars/cn/days?from=2026-09-30&to=2026-10-10", store.RoleAuditor, nil, &res); rec.Code != 200 {
		t.Fatalf("status %d", rec.Code)
	}
	if len(res.Days) != 11 {
		t.Fatalf("%d days, want 11", len(res.Days))
	}
	byDate := map[string]calendar.DayInfo{}
	for _, d := range res.Days {
		byDate[d.Date.String()] = d
	}
	for date, want := range map[string]struct {
		working bool
		holiday string
	}{
		"2026-09-30": {true, ""},
		"2026-10-01": {false, "国庆节"},
		"2026-10-07": {false, "国庆节"},
		"2026-10-08": {true, ""},
		"2026-10-10": {true, "国庆节"}, // Saturday make-up working day
	} {
		got := byDate[date]
		if got.Working != want.working || got.Holiday != want.holiday {
			t.Errorf("%s: got %+v, want working=%v holiday=%q", date, got, want.working, want.holiday)
		}
	}

	for _, tt := range []struct{ query, field, rule string }{
		{"from=2026-10-10&to=2026-10-01", "to", "gtefield"},
		{"from=2026-01-01&to=2027-06-01", "to", "max_range"},
		{"from=2026-13-01&to=2026-12-01", "from", "civildate"},
		{"to=2026-12-01", "from", "required"},
	} {
		var p Problem
		if rec := f.do(http.MethodGet, "/v1/calendars/cn/days?"+tt.query, store.RoleAuditor, nil, &p); rec.Code != 400 {
			t.Errorf("%s: status %d", tt.query, rec.Code)
		}
		if problemFields(p)[tt.field] != tt.rule {
			t.Errorf("%s: problem %+v, want %s/%s", tt.query, p, tt.field, tt.rule)
		}
	}
}

func TestLoadYear(t *testing.T) {
	f := newFixture(t)
	deadline := func() (string, bool, string) {
		var res calendar.Result
		f.do(http.MethodGet, "/v1/calendars/cn/deadline?from="+url.QueryEscape("2027-09-29T10:00:00+08:00")+"&working_days=5", store.RoleManager, nil, &res)
		return res.Deadline.Format("2006-01-02T15:04:05Z07:00"), res.Provisional, res.CalendarVersion
	}
	before, provisional, versionBefore := deadline()
	if !provisional {
		t.Fatalf("a 2027 deadline before 2027 is loaded must be provisional (got %s)", before)
	}

	refusals := []struct {
		name  string
		role  store.Role
		path  string
		body  []byte
		want  int
		field string
	}{
		{"manager may not load", store.RoleManager, "/v1/calendars/cn/years/2027", testYear2027(), http.StatusForbidden, ""},
		{"customer may not load", store.RoleCustomer, "/v1/calendars/cn/years/2027", testYear2027(), http.StatusForbidden, ""},
		{"not JSON", store.RoleAdmin, "/v1/calendars/cn/years/2027", []byte("{"), http.StatusBadRequest, "body"},
		{"year differs from path", store.RoleAdmin, "/v1/calendars/cn/years/2028", testYear2027(), http.StatusBadRequest, "year"},
		{"path is not a year", store.RoleAdmin, "/v1/calendars/cn/years/next", testYear2027(), http.StatusBadRequest, "year"},
		{"make-up day on a weekday", store.RoleAdmin, "/v1/calendars/cn/years/2027", testYear2027(`{"name":"x","date":"2027-10-08","isOffDay":false}`), http.StatusBadRequest, "days[8].isOffDay"},
		{"contradiction", store.RoleAdmin, "/v1/calendars/cn/years/2027", testYear2027(`{"name":"x","date":"2027-10-09","isOffDay":true}`), http.StatusBadRequest, "days[8].isOffDay"},
		{"too large", store.RoleAdmin, "/v1/calendars/cn/years/2027", bytes.Repeat([]byte(" "), maxBodyBytes+1), http.StatusRequestEntityTooLarge, ""},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			var p Problem
			rec := f.do(http.MethodPut, tt.path, tt.role, tt.body, &p)
			if rec.Code != tt.want {
				t.Fatalf("status %d, want %d: %+v", rec.Code, tt.want, p)
			}
			if tt.field != "" && problemFields(p)[tt.field] == "" {
				t.Errorf("problem does not name %s: %+v", tt.field, p)
			}
		})
	}
	if _, provisional, v := deadline(); !provisional || v != versionBefore {
		t.Fatal("a refused load changed the calendar in force")
	}

	for version := 1; version <= 2; version++ {
		var loaded yearLoaded
		rec := f.do(http.MethodPut, "/v1/calendars/cn/years/2027", store.RoleAdmin, testYear2027(), &loaded)
		if rec.Code != http.StatusCreated {
			t.Fatalf("load %d: status %d: %s", version, rec.Code, rec.Body)
		}
		if loaded.Version != version || loaded.Year != 2027 || loaded.ProjectsNotified != 2 || loaded.LoadedBy == "" {
			t.Errorf("load %d answered %+v", version, loaded)
		}
	}
	after, provisional, versionAfter := deadline()
	if provisional || versionAfter == versionBefore {
		t.Fatalf("after loading 2027: %s provisional=%v version %s (before %s)", after, provisional, versionAfter, versionBefore)
	}
	// 2027-09-29 (Wed) + 5 working days, with 10-01..10-04 off and Saturday 10-09 worked:
	// 09-30, 10-05, 10-06, 10-07, 10-08 → closes at 24:00 on 10-08.
	if after != "2027-10-09T00:00:00+08:00" {
		t.Errorf("deadline with 2027 loaded = %s", after)
	}
	if len(f.notified) != 2 || f.notified[1] != versionAfter {
		t.Errorf("projects notified with versions %v, want the new version %s", f.notified, versionAfter)
	}

	var info calendarSummary
	f.do(http.MethodGet, "/v1/calendars/cn", store.RoleAuditor, nil, &info)
	if info.LastYear != 2027 || len(info.LoadedYears) != 1 || info.LoadedYears[0].Version != 2 || info.CalendarVersion != versionAfter {
		t.Errorf("calendar info %+v", info)
	}
}

// TestCalendarNotifierSLAPeriods checks that a calendar load tells the SLA
// periods whose claim window is provisional and not closed (and only
// those), with the calendar-updated signal from the system naming the new
// version, counting those told; a period whose workflow is gone is not
// counted.
func TestCalendarNotifierSLAPeriods(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	suffix := strings.ToLower(strings.ReplaceAll(t.Name(), "/", "-"))
	at := time.Date(2026, 11, 1, 0, 0, 0, 0, calendar.Zone())
	periods := []struct {
		account, status string
		provisional     bool
		gone            bool // the workflow is not found
		told            bool
	}{
		{"collecting@" + suffix, string(workflows.SLACollecting), true, false, true},
		{"open@" + suffix, string(workflows.SLAClaimOpen), true, false, true},
		{"gone@" + suffix, string(workflows.SLAComputed), true, true, false},
		{"certain@" + suffix, string(workflows.SLACollecting), false, false, false},
		{"closed@" + suffix, string(workflows.SLAClosed), true, false, false},
	}
	for _, p := range periods {
		snap := store.SLAPeriodSnapshot{Account: p.account, Period: "2026-11", CustomerID: "acme", Service: "email", Status: p.status,
			ProvisionalWindow: p.provisional, State: json.RawMessage(`{}`), Seq: 1, StartedAt: at, UpdatedAt: at}
		if _, err := f.store.RecordSLAPeriod(ctx, snap, nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	var sent []string
	told, err := calendarNotifier(f.store, func(_ context.Context, id string, sig workflows.CalendarUpdated) error {
		if sig.CalendarVersion != "v-test" || sig.Actor != workflows.SystemActor {
			t.Errorf("signal to %s: %+v", id, sig)
		}
		sent = append(sent, id)
		for _, p := range periods {
			if p.gone && id == workflows.SLAPeriodWorkflowID(p.account, "2026-11") {
				return serviceerror.NewNotFound("workflow not found")
			}
		}
		return nil
	})(ctx, "v-test")
	if err != nil {
		t.Fatal(err)
	}
	if told != len(sent)-1 {
		t.Errorf("told %d of %d signalled, want all but the one gone", told, len(sent))
	}
	for _, p := range periods {
		id := workflows.SLAPeriodWorkflowID(p.account, "2026-11")
		if got, want := slices.Contains(sent, id), p.told || p.gone; got != want {
			t.Errorf("%s signalled %v, want %v (signalled %v)", id, got, want, sent)
		}
	}
}
