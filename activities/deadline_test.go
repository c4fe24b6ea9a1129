package activities

import (
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/sowflow/sowflow/calendar"
)

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// year2027 is a hypothetical 2027 notice, to show a runtime reload.
const year2027 = `{"year":2027,"days":[
{"name":"元旦","date":"2027-01-01","isOffDay":true},
{"name":"元旦","date":"2027-01-04","isOffDay":true},
{"name":"劳动节","date":"2027-05-01","isOffDay":true},
{"name":"国庆节","date":"2027-10-01","isOffDay":true},
{"name":"国庆节","date":"2027-10-02","isOffDay":true},
{"name":"国庆节","date":"2027-10-03","isOffDay":true}]}`

func TestComputeDeadline(t *testing.T) {
	f2027, err := calendar.Parse([]byte(year2027))
	if err != nil {
		t.Fatal(err)
	}
	with2027, err := calendar.China().With(f2027)
	if err != nil {
		t.Fatal(err)
	}
	hours := calendar.Hours{Open: 9 * time.Hour, Close: 17 * time.Hour}

	tests := []struct {
		name        string
		cal         *calendar.Calendar // nil: Deadlines.Calendar unset
		req         calendar.DeadlineRequest
		want        string
		provisional bool
		version     string
	}{
		{"embedded default", nil,
			calendar.DeadlineRequest{From: mustTime(t, "2026-09-29T10:00:00+08:00"), Spec: calendar.Spec{Kind: calendar.WorkingDays, N: 5}},
			"2026-10-13T00:00:00+08:00", false, calendar.China().Version()},
		{"business minutes over a make-up day", calendar.China(),
			calendar.DeadlineRequest{From: mustTime(t, "2026-10-09T16:30:00+08:00"), Spec: calendar.Spec{Kind: calendar.BusinessMinutes, N: 120, Hours: hours}},
			"2026-10-10T10:30:00+08:00", false, calendar.China().Version()},
		{"provisional without 2027", calendar.China(),
			calendar.DeadlineRequest{From: mustTime(t, "2026-12-28T10:00:00+08:00"), Spec: calendar.Spec{Kind: calendar.WorkingDays, N: 5}},
			"2027-01-06T00:00:00+08:00", true, calendar.China().Version()},
		{"certain with 2027", with2027,
			calendar.DeadlineRequest{From: mustTime(t, "2026-12-28T10:00:00+08:00"), Spec: calendar.Spec{Kind: calendar.WorkingDays, N: 5}},
			"2027-01-07T00:00:00+08:00", false, with2027.Version()},
	}
	var suite testsuite.WorkflowTestSuite
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := &Deadlines{}
			if tc.cal != nil {
				d.Calendar = func() *calendar.Calendar { return tc.cal }
			}
			for _, local := range []bool{false, true} {
				env := suite.NewTestActivityEnvironment()
				env.RegisterActivityWithOptions(d.ComputeDeadline, activity.RegisterOptions{Name: calendar.ComputeDeadlineActivity})
				var (
					val converter.EncodedValue
					err error
				)
				if local {
					val, err = env.ExecuteLocalActivity(d.ComputeDeadline, tc.req)
				} else {
					val, err = env.ExecuteActivity(calendar.ComputeDeadlineActivity, tc.req)
				}
				if err != nil {
					t.Fatalf("local=%v: %v", local, err)
				}
				var res calendar.Result
				if err := val.Get(&res); err != nil {
					t.Fatal(err)
				}
				if got := res.Deadline.Format(time.RFC3339); got != tc.want || res.Provisional != tc.provisional || res.CalendarVersion != tc.version {
					t.Errorf("local=%v: got %s %v %s, want %s %v %s", local, got, res.Provisional, res.CalendarVersion, tc.want, tc.provisional, tc.version)
				}
			}
		})
	}
}

func TestComputeDeadlineSeesReload(t *testing.T) {
	var current atomic.Pointer[calendar.Calendar]
	current.Store(calendar.China())
	d := &Deadlines{Calendar: current.Load}
	req := calendar.DeadlineRequest{From: mustTime(t, "2026-12-28T10:00:00+08:00"), Spec: calendar.Spec{Kind: calendar.WorkingDays, N: 5}}

	before, err := d.ComputeDeadline(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	f2027, err := calendar.Parse([]byte(year2027))
	if err != nil {
		t.Fatal(err)
	}
	next, err := calendar.China().With(f2027)
	if err != nil {
		t.Fatal(err)
	}
	current.Store(next)
	after, err := d.ComputeDeadline(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	if !before.Provisional || after.Provisional || before.CalendarVersion == after.CalendarVersion {
		t.Errorf("before %+v, after %+v", before, after)
	}
}

func TestComputeDeadlineRefuses(t *testing.T) {
	tests := []struct {
		name  string
		spec  calendar.Spec
		field string
	}{
		{"negative", calendar.Spec{Kind: calendar.WorkingDays, N: -1}, "n"},
		{"unknown kind", calendar.Spec{Kind: "weeks", N: 1}, "kind"},
		{"no hours", calendar.Spec{Kind: calendar.BusinessMinutes, N: 120}, "hours"},
	}
	var suite testsuite.WorkflowTestSuite
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := suite.NewTestActivityEnvironment()
			d := &Deadlines{}
			env.RegisterActivityWithOptions(d.ComputeDeadline, activity.RegisterOptions{Name: calendar.ComputeDeadlineActivity})
			_, err := env.ExecuteActivity(calendar.ComputeDeadlineActivity, calendar.DeadlineRequest{From: mustTime(t, "2026-09-29T10:00:00+08:00"), Spec: tc.spec})
			var appErr *temporal.ApplicationError
			if !errors.As(err, &appErr) || appErr.Type() != calendar.InvalidSpecErrorType || !appErr.NonRetryable() {
				t.Fatalf("err = %v, want a non-retryable %s application error", err, calendar.InvalidSpecErrorType)
			}
			var field string
			if err := appErr.Details(&field); err != nil || field != tc.field {
				t.Errorf("details = %q (%v), want %q", field, err, tc.field)
			}
		})
	}
}
