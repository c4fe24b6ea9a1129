package activities

import (
	"errors"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/sowflow/sowflow/calendar"
	"github.com/sowflow/sowflow/sla"
	"github.com/sowflow/sowflow/workflows"
)

// runSLAActivity runs an SLA activity by its registered name, as a regular
// activity and as a local one (the workflow's way), and checks both agree.
func runSLAActivity[Out any](t *testing.T, s *SLA, name string, in any) (Out, error) {
	t.Helper()
	var suite testsuite.WorkflowTestSuite
	var outs [2]Out
	var errs [2]error
	for i, local := range []bool{false, true} {
		env := suite.NewTestActivityEnvironment()
		env.RegisterActivityWithOptions(s.ClaimWindow, activity.RegisterOptions{Name: workflows.SLAClaimWindowActivity})
		env.RegisterActivityWithOptions(s.Compute, activity.RegisterOptions{Name: workflows.SLAComputeActivity})
		var (
			val converter.EncodedValue
			err error
		)
		if local {
			fn := any(s.ClaimWindow)
			if name == workflows.SLAComputeActivity {
				fn = s.Compute
			}
			val, err = env.ExecuteLocalActivity(fn, in)
		} else {
			val, err = env.ExecuteActivity(name, in)
		}
		if errs[i] = err; err == nil {
			if err := val.Get(&outs[i]); err != nil {
				t.Fatal(err)
			}
		}
	}
	if (errs[0] == nil) != (errs[1] == nil) {
		t.Fatalf("activity error %v, local activity error %v", errs[0], errs[1])
	}
	return outs[1], errs[1]
}

// wantInvalid asserts a non-retryable InvalidSLARequest error naming field.
func wantInvalid(t *testing.T, err error, field string) {
	t.Helper()
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) || appErr.Type() != workflows.InvalidSLARequestErrorType || !appErr.NonRetryable() {
		t.Fatalf("err = %v, want a non-retryable %s application error", err, workflows.InvalidSLARequestErrorType)
	}
	var got string
	if err := appErr.Details(&got); err != nil || got != field {
		t.Errorf("details = %q (%v), want %q", got, err, field)
	}
}

func TestSLAClaimWindow(t *testing.T) {
	f2027, err := calendar.Parse([]byte(year2027))
	if err != nil {
		t.Fatal(err)
	}
	with2027, err := calendar.China().With(f2027)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name        string
		cal         *calendar.Calendar // nil: SLA.Calendar unset
		period      string
		opens       string
		closes      string
		provisional bool
	}{
		// The 5th working day of October 2026 is the 13th (8, 9, the
		// make-up Saturday 10, 12, 13); 30 November is a Monday.
		{"september", nil, "2026-09", "2026-10-14T00:00:00+08:00", "2026-12-01T00:00:00+08:00", false},
		// Claims close at the end of the second month after: 30 April.
		{"february", calendar.China(), "2026-02", "2026-03-07T00:00:00+08:00", "2026-05-01T00:00:00+08:00", false},
		{"leap february", calendar.China(), "2024-02", "2024-03-08T00:00:00+08:00", "2024-05-01T00:00:00+08:00", false},
		// 31 October 2026 is a Saturday: extended to Monday 2 November.
		{"august, extended past a weekend", calendar.China(), "2026-08", "2026-09-08T00:00:00+08:00", "2026-11-03T00:00:00+08:00", false},
		// 31 May 2025 is the Dragon Boat holiday (31 May - 2 June).
		{"march 2025, extended past a holiday", calendar.China(), "2025-03", "2025-04-09T00:00:00+08:00", "2025-06-04T00:00:00+08:00", false},
		// 28 February 2026 is a make-up working Saturday: not extended.
		{"december 2025, on a make-up working day", calendar.China(), "2025-12", "2026-01-09T00:00:00+08:00", "2026-03-01T00:00:00+08:00", false},
		// 31 January 2027 (Sunday) is past the embedded data.
		{"november 2026 provisional", calendar.China(), "2026-11", "2026-12-08T00:00:00+08:00", "2027-02-02T00:00:00+08:00", true},
		{"november 2026 with 2027 data", with2027, "2026-11", "2026-12-08T00:00:00+08:00", "2027-02-02T00:00:00+08:00", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := &SLA{}
			if tc.cal != nil {
				s.Calendar = func() *calendar.Calendar { return tc.cal }
			}
			got, err := runSLAActivity[workflows.SLAClaimWindow](t, s, workflows.SLAClaimWindowActivity, workflows.SLAClaimWindowRequest{Period: tc.period})
			if err != nil {
				t.Fatal(err)
			}
			cal := tc.cal
			if cal == nil {
				cal = calendar.China()
			}
			if o, c := got.Opens.Format(time.RFC3339), got.Closes.Format(time.RFC3339); o != tc.opens || c != tc.closes ||
				got.Provisional != tc.provisional || got.CalendarVersion != cal.Version() {
				t.Errorf("window %s to %s provisional %v version %s; want %s to %s provisional %v version %s",
					o, c, got.Provisional, got.CalendarVersion, tc.opens, tc.closes, tc.provisional, cal.Version())
			}
			// The activity is sla.ClaimWindow, nothing more.
			p, _ := sla.ParsePeriod(tc.period)
			want, err := sla.ClaimWindow(p, cal)
			if err != nil || !want.Opens.Equal(got.Opens) || !want.Closes.Equal(got.Closes) || want.Provisional != got.Provisional {
				t.Errorf("sla.ClaimWindow = %+v, %v; activity %+v", want, err, got)
			}
		})
	}
}

func TestSLAClaimWindowRefuses(t *testing.T) {
	for _, period := range []string{"", "2026-9", "2026-13", "9999-01", "2026/09"} {
		t.Run(period, func(t *testing.T) {
			_, err := runSLAActivity[workflows.SLAClaimWindow](t, &SLA{}, workflows.SLAClaimWindowActivity, workflows.SLAClaimWindowRequest{Period: period})
			wantInvalid(t, err, "period")
		})
	}
}

// sendifyFull returns n intervals with every request failed and, when valid
// is not 0, one more with failed of valid.
func sendifyFull(n int, failed, valid int64) []workflows.ErrorInterval {
	start := time.Date(2026, 9, 1, 0, 0, 0, 0, calendar.Zone())
	var out []workflows.ErrorInterval
	for i := 0; i < n; i++ {
		out = append(out, workflows.ErrorInterval{Start: start.Add(time.Duration(i) * 5 * time.Minute), Failed: 3, Valid: 3})
	}
	if valid > 0 {
		out = append(out, workflows.ErrorInterval{Start: start.Add(time.Duration(n) * 5 * time.Minute), Failed: failed, Valid: valid})
	}
	return out
}

func TestSLACompute(t *testing.T) {
	email := func(days int, minutes, fee int64) workflows.SLAComputeRequest {
		return workflows.SLAComputeRequest{Service: workflows.SLAEmail, Days: days, UnavailableMinutes: minutes, MonthlyFeeCents: fee}
	}
	sendify := func(days int, ivs []workflows.ErrorInterval, fee int64) workflows.SLAComputeRequest {
		return workflows.SLAComputeRequest{Service: workflows.SLASendify, Days: days, Intervals: ivs, MonthlyFeeCents: fee}
	}
	tests := []struct {
		name         string
		in           workflows.SLAComputeRequest
		availability string
		pct          string
		tier         int
		cents        int64
		sum          string // Sendify's error-rate sum
	}{
		{"email no outage", email(30, 0, 12345), "1/1", "100.0000", 0, 0, ""},
		{"email 43 minutes, above 99.90%", email(30, 43, 12345), "43157/43200", "99.9004", 0, 0, ""},
		{"email 44 minutes, below 99.90%", email(30, 44, 12345), "10789/10800", "99.8981", 10, 1234, ""},
		{"email exactly 99.00%", email(30, 432, 12345), "99/100", "99.0000", 10, 1234, ""},
		{"email below 99.00%", email(30, 433, 12345), "42767/43200", "98.9976", 20, 2469, ""},
		{"email exactly 95.00%", email(30, 2160, 12345), "19/20", "95.0000", 20, 2469, ""},
		{"email below 95.00%, capped at 50%", email(30, 2161, 12345), "41039/43200", "94.9976", 50, 6172, ""},
		{"email february", email(28, 110, 12345), "4021/4032", "99.7271", 10, 1234, ""},
		{"email down all month", email(31, 31*1440, 100), "0/1", "0.0000", 50, 50, ""},
		{"email no fee", email(30, 5000, 0), "191/216", "88.4259", 50, 0, ""},
		{"sendify no errors", sendify(30, nil, 12345), "1/1", "100.0000", 0, 0, "0/1"},
		{"sendify half an interval", sendify(30, []workflows.ErrorInterval{{Failed: 1, Valid: 2}}, 12345), "17279/17280", "99.9942", 0, 0, "1/2"},
		{"sendify exactly 99.90%", sendify(30, sendifyFull(8, 64, 100), 12345), "999/1000", "99.9000", 0, 0, "216/25"},
		{"sendify just below 99.90%", sendify(30, sendifyFull(8, 641, 1000), 12345), "8631359/8640000", "99.8999", 10, 1234, "8641/1000"},
		{"sendify exactly 99.00%", sendify(30, sendifyFull(86, 2, 5), 12345), "99/100", "99.0000", 10, 1234, "432/5"},
		{"sendify exactly 95.00%", sendify(30, sendifyFull(432, 0, 0), 12345), "19/20", "95.0000", 20, 2469, "432/1"},
		{"sendify just below 95.00%", sendify(30, sendifyFull(432, 1, 1000000), 12345), "8207999999/8640000000", "94.9999", 50, 6172, "432000001/1000000"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := runSLAActivity[workflows.SLAComputation](t, &SLA{}, workflows.SLAComputeActivity, tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if got.Availability != tc.availability || got.AvailabilityPct != tc.pct || got.CompensationPct != tc.tier ||
				got.CompensationCents != tc.cents || got.CommitmentMet != (tc.tier == 0) || got.ErrorRateSum != tc.sum {
				t.Errorf("got %s (%s%%) tier %d %d cents met %v sum %q; want %s (%s%%) tier %d %d cents sum %q",
					got.Availability, got.AvailabilityPct, got.CompensationPct, got.CompensationCents, got.CommitmentMet, got.ErrorRateSum,
					tc.availability, tc.pct, tc.tier, tc.cents, tc.sum)
			}
			days := int64(tc.in.Days)
			if got.Service != tc.in.Service || got.TotalMinutes != days*1440 || got.Method != SLAMethod {
				t.Errorf("service %s total %d method %s", got.Service, got.TotalMinutes, got.Method)
			}
			switch tc.in.Service {
			case workflows.SLASendify:
				if got.Intervals != days*288 || got.UnavailableMinutes != 0 {
					t.Errorf("intervals %d unavailable %d", got.Intervals, got.UnavailableMinutes)
				}
			default:
				if got.Intervals != 0 || got.UnavailableMinutes != tc.in.UnavailableMinutes {
					t.Errorf("intervals %d unavailable %d", got.Intervals, got.UnavailableMinutes)
				}
			}
		})
	}
}

func TestSLAComputeRefuses(t *testing.T) {
	ok := workflows.SLAComputeRequest{Service: workflows.SLAEmail, Days: 30, MonthlyFeeCents: 100}
	with := func(f func(*workflows.SLAComputeRequest)) workflows.SLAComputeRequest {
		r := ok
		f(&r)
		return r
	}
	tests := []struct {
		name  string
		in    workflows.SLAComputeRequest
		field string
	}{
		{"unknown service", with(func(r *workflows.SLAComputeRequest) { r.Service = "fax" }), "service"},
		{"no days", with(func(r *workflows.SLAComputeRequest) { r.Days = 0 }), "days"},
		{"32 days", with(func(r *workflows.SLAComputeRequest) { r.Days = 32 }), "days"},
		{"negative fee", with(func(r *workflows.SLAComputeRequest) { r.MonthlyFeeCents = -1 }), "monthly_fee_cents"},
		{"negative minutes", with(func(r *workflows.SLAComputeRequest) { r.UnavailableMinutes = -1 }), "unavailable_minutes"},
		{"more minutes than the month", with(func(r *workflows.SLAComputeRequest) { r.UnavailableMinutes = 30*1440 + 1 }), "unavailable_minutes"},
		{"more failed than valid", with(func(r *workflows.SLAComputeRequest) {
			r.Service, r.Intervals = workflows.SLASendify, []workflows.ErrorInterval{{Failed: 1, Valid: 1}, {Failed: 3, Valid: 2}}
		}), "intervals[1]"},
		{"negative counts", with(func(r *workflows.SLAComputeRequest) {
			r.Service, r.Intervals = workflows.SLASendify, []workflows.ErrorInterval{{Failed: -1, Valid: 2}}
		}), "intervals[0]"},
		{"more intervals than the period", with(func(r *workflows.SLAComputeRequest) {
			r.Service, r.Days, r.Intervals = workflows.SLASendify, 1, make([]workflows.ErrorInterval, 289)
		}), "intervals"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := runSLAActivity[workflows.SLAComputation](t, &SLA{}, workflows.SLAComputeActivity, tc.in)
			wantInvalid(t, err, tc.field)
		})
	}
}
