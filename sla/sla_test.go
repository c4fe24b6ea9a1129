package sla

import (
	"encoding/json"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/sowflow/sowflow/calendar"
)

func TestSLAParsePeriod(t *testing.T) {
	tests := []struct {
		in   string
		want Period
		days int
		bad  bool
	}{
		{in: "2026-09", want: Period{2026, time.September}, days: 30},
		{in: "2026-02", want: Period{2026, time.February}, days: 28},
		{in: "2024-02", want: Period{2024, time.February}, days: 29},
		{in: "2100-02", want: Period{2100, time.February}, days: 28},
		{in: "2000-02", want: Period{2000, time.February}, days: 29},
		{in: "2026-12", want: Period{2026, time.December}, days: 31},
		{in: "2026-9", bad: true},
		{in: "2026-13", bad: true},
		{in: "2026-00", bad: true},
		{in: "0000-01", bad: true},
		{in: "9999-01", bad: true},
		{in: "+026-01", bad: true},
		{in: "2026-+1", bad: true},
		{in: "2026/09", bad: true},
		{in: "", bad: true},
	}
	for _, tt := range tests {
		p, err := ParsePeriod(tt.in)
		if tt.bad {
			if err == nil {
				t.Errorf("ParsePeriod(%q) = %v, want an error", tt.in, p)
			}
			continue
		}
		if err != nil || p != tt.want || p.Days() != tt.days || p.String() != tt.in {
			t.Errorf("ParsePeriod(%q) = %v (%d days), %v; want %v (%d days)", tt.in, p, p.Days(), err, tt.want, tt.days)
		}
	}
	p := Period{2026, time.December}
	if got := p.Next(); got != (Period{2027, time.January}) {
		t.Errorf("Next = %v", got)
	}
	if got := p.End().Format(time.RFC3339); got != "2027-01-01T00:00:00+08:00" {
		t.Errorf("End = %s", got)
	}
	if got := PeriodOf(time.Date(2026, 9, 30, 16, 30, 0, 0, time.UTC)); got != (Period{2026, time.October}) {
		t.Errorf("PeriodOf(2026-09-30T16:30Z) = %v, want 2026-10 (CST)", got)
	}
	b, err := json.Marshal(struct{ P Period }{p})
	if err != nil || string(b) != `{"P":"2026-12"}` {
		t.Errorf("JSON = %s, %v", b, err)
	}
}

// pct parses an exact percentage for the tests.
func pct(t *testing.T, s string) Availability {
	t.Helper()
	a, err := ParseAvailability(s)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestSLACompensationBoundaries(t *testing.T) {
	tests := []struct {
		availability string
		want         int
	}{
		{"100", 0},
		{"99.90", 0},
		{"99.900000001", 0},
		{"99.899999999", 10},
		{"99.000000001", 10},
		{"99.00", 10},
		{"98.999999999", 20},
		{"95.000000001", 20},
		{"95", 20},
		{"94.999999999", 50},
		{"0", 50},
		// Exact fractions just either side of 99.00%.
		{"9900000001/100000000", 10},
		{"9899999999/100000000", 20},
	}
	for _, tt := range tests {
		if got := Compensation(pct(t, tt.availability)); got != tt.want {
			t.Errorf("Compensation(%s%%) = %d, want %d", tt.availability, got, tt.want)
		}
	}
	if got := Compensation(Commitment()); got != 0 {
		t.Errorf("Compensation(commitment) = %d", got)
	}
	if got := Compensation(Availability{}); got != 50 {
		t.Errorf("Compensation(zero value) = %d, want 50 (0%%)", got)
	}
}

func TestSLAEmailAvailability(t *testing.T) {
	tests := []struct {
		name        string
		days        int
		unavailable int64
		display     string
		exact       string
		tier        int
	}{
		{"issue example: exactly 99.00%", 30, 432, "99.00", "99", 10},
		{"one minute less", 30, 431, "99.00", "", 10},
		{"one minute more", 30, 433, "98.99", "", 20},
		{"display truncates below the commitment", 30, 44, "99.89", "10789/108", 10},
		{"just above the commitment", 30, 43, "99.90", "", 0},
		{"no outage", 31, 0, "100.00", "100", 0},
		{"all month down", 28, 40320, "0.00", "0", 50},
		// A 25-day period of use has 36,000 minutes: every tier boundary is
		// a whole number of minutes.
		{"25 days: exactly 99.90%", 25, 36, "99.90", "999/10", 0},
		{"25 days: one minute below 99.90%", 25, 37, "99.89", "", 10},
		{"25 days: one minute above 99.90%", 25, 35, "99.90", "", 0},
		{"25 days: exactly 99.00%", 25, 360, "99.00", "99", 10},
		{"25 days: one minute below 99.00%", 25, 361, "98.99", "", 20},
		{"25 days: one minute above 99.00%", 25, 359, "99.00", "", 10},
		{"25 days: exactly 95.00%", 25, 1800, "95.00", "95", 20},
		{"25 days: one minute below 95.00%", 25, 1801, "94.99", "", 50},
		{"25 days: one minute above 95.00%", 25, 1799, "95.00", "", 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := EmailAvailability(tt.days, tt.unavailable)
			if err != nil {
				t.Fatal(err)
			}
			if a.String() != tt.display || (tt.exact != "" && a.Exact() != tt.exact) || Compensation(a) != tt.tier {
				t.Errorf("availability %s (%s), tier %d; want %s (%s), tier %d", a, a.Exact(), Compensation(a), tt.display, tt.exact, tt.tier)
			}
			want := new(big.Rat).Mul(big.NewRat(Minutes(tt.days)-tt.unavailable, Minutes(tt.days)), big.NewRat(100, 1))
			if a.Percent().Cmp(want) != 0 {
				t.Errorf("exact = %s, want %s", a.Exact(), want.RatString())
			}
		})
	}
	for _, bad := range []struct {
		days        int
		unavailable int64
		want        string
	}{
		{30, -1, "must not be negative"},
		{30, 43201, "exceed the 43200 minutes of a 30-day period"},
		{0, 0, "1 to 31 days"},
		{32, 0, "1 to 31 days"},
	} {
		if _, err := EmailAvailability(bad.days, bad.unavailable); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("EmailAvailability(%d, %d): err = %v, want %q", bad.days, bad.unavailable, err, bad.want)
		}
	}
}

// outage returns n intervals at a 100% error rate.
func outage(n int) []ErrorRate {
	out := make([]ErrorRate, n)
	for i := range out {
		out[i] = ErrorRate{Failed: 1, Valid: 1}
	}
	return out
}

func TestSLASendifyAvailability(t *testing.T) {
	// A 30-day period has 8,640 intervals: 1% of them is 86.4, 0.1% is 8.64,
	// 5% is 432.
	tests := []struct {
		name    string
		rates   []ErrorRate
		display string
		exact   string
		tier    int
	}{
		{"no errors", nil, "100.00", "100", 0},
		{"exactly 99.90%", append(outage(8), ErrorRate{16, 25}), "99.90", "999/10", 0},
		{"just below 99.90%", append(outage(8), ErrorRate{641, 1000}), "99.89", "", 10},
		{"just above 99.90%", append(outage(8), ErrorRate{639, 1000}), "99.90", "", 0},
		{"exactly 99.00%", append(outage(86), ErrorRate{2, 5}), "99.00", "99", 10},
		{"just below 99.00%", append(outage(86), ErrorRate{401, 1000}), "98.99", "", 20},
		{"just above 99.00%", append(outage(86), ErrorRate{399, 1000}), "99.00", "", 10},
		{"exactly 95.00%", outage(432), "95.00", "95", 20},
		{"one more failed interval", outage(433), "94.98", "", 50},
		{"intervals without valid requests count 0", []ErrorRate{{0, 0}, {0, 10}, {1, 1}}, "99.98", "", 0},
		{"whole month failing", outage(8640), "0.00", "0", 50},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := SendifyAvailability(30, tt.rates)
			if err != nil {
				t.Fatal(err)
			}
			if a.String() != tt.display || (tt.exact != "" && a.Exact() != tt.exact) || Compensation(a) != tt.tier {
				t.Errorf("availability %s (%s), tier %d; want %s (%s), tier %d", a, a.Exact(), Compensation(a), tt.display, tt.exact, tt.tier)
			}
			sum := new(big.Rat)
			for _, r := range tt.rates {
				x, _ := r.Rate()
				sum.Add(sum, x)
			}
			b, err := SendifyAvailabilityFromSum(30, sum)
			if err != nil || b.Cmp(a) != 0 {
				t.Errorf("from the sum: %s, %v; want %s", b, err, a)
			}
		})
	}
	for _, bad := range []struct {
		name  string
		days  int
		rates []ErrorRate
		want  string
	}{
		{"more failed than valid", 30, []ErrorRate{{0, 5}, {6, 5}}, "interval #2: invalid 5-minute interval: 6 failed requests exceed 5 valid requests"},
		{"failures without valid requests", 30, []ErrorRate{{1, 0}}, "interval #1: invalid 5-minute interval"},
		{"negative", 30, []ErrorRate{{-1, 5}}, "must not be negative"},
		{"too many intervals", 1, outage(289), "289 intervals listed, but a 1-day period has only 288"},
		{"no days", 0, nil, "1 to 31 days"},
	} {
		if _, err := SendifyAvailability(bad.days, bad.rates); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%s: err = %v, want %q", bad.name, err, bad.want)
		}
	}
	if _, err := SendifyAvailabilityFromSum(30, big.NewRat(8641, 1)); err == nil {
		t.Error("a sum above the interval count was accepted")
	}
	if _, err := SendifyAvailabilityFromSum(30, big.NewRat(-1, 2)); err == nil {
		t.Error("a negative sum was accepted")
	}
}

func TestSLAAvailabilityText(t *testing.T) {
	a, _ := EmailAvailability(30, 44)
	b, err := json.Marshal(a)
	if err != nil || string(b) != `"10789/108"` {
		t.Fatalf("JSON = %s, %v", b, err)
	}
	var back Availability
	if err := json.Unmarshal(b, &back); err != nil || back.Cmp(a) != 0 {
		t.Errorf("round trip = %s, %v", back.Exact(), err)
	}
	for _, bad := range []string{"", "1e2", "99.9%", "010/2", "100.01", "-1", "1/0", "0x10", "abc"} {
		if _, err := ParseAvailability(bad); err == nil {
			t.Errorf("ParseAvailability(%q) accepted", bad)
		}
	}
	// The display keeps a value on its side of every tier boundary.
	for _, s := range []string{"99.8999999", "98.9999", "94.99999", "0.004"} {
		a := pct(t, s)
		shown := pct(t, a.String())
		if Compensation(shown) != Compensation(a) {
			t.Errorf("%s%% shows as %s%%, which earns a different tier", s, a)
		}
	}
}

func TestSLAAmount(t *testing.T) {
	tests := []struct {
		name      string
		paid      int64
		months    int
		percent   int
		wantExact string
		wantCents int64
	}{
		{"10% of 12.00", 1200, 1, 10, "120", 120},
		{"20% of 12.34", 1234, 1, 20, "1234/5", 246},
		{"50% of 12.35", 1235, 1, 50, "1235/2", 617},
		{"nothing", 1200, 1, 0, "0", 0},
		{"capped at 50%", 1000, 1, 80, "500", 500},
		{"lump sum of 12 months", 12000, 12, 10, "100", 100},
		{"lump sum apportioned to a fraction of a cent", 1000, 3, 20, "200/3", 66},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fee, err := MonthlyFee(tt.paid, tt.months)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Amount(fee, tt.percent)
			if err != nil {
				t.Fatal(err)
			}
			if got.RatString() != tt.wantExact || FloorCents(got) != tt.wantCents {
				t.Errorf("amount = %s (%d cents), want %s (%d cents)", got.RatString(), FloorCents(got), tt.wantExact, tt.wantCents)
			}
		})
	}
	if _, err := MonthlyFee(-1, 1); err == nil {
		t.Error("negative fee accepted")
	}
	if _, err := MonthlyFee(100, 0); err == nil {
		t.Error("zero months accepted")
	}
	if _, err := Amount(big.NewRat(100, 1), 101); err == nil {
		t.Error("101% accepted")
	}
	if _, err := Amount(nil, 10); err == nil {
		t.Error("nil fee accepted")
	}
	for cents, want := range map[int64]string{0: "0.00", 5: "0.05", 123456: "1234.56", -150: "-1.50"} {
		if got := FormatCents(cents); got != want {
			t.Errorf("FormatCents(%d) = %s, want %s", cents, got, want)
		}
	}
}

func TestSLAClaimWindow(t *testing.T) {
	cal := calendar.China()
	tests := []struct {
		name        string
		period      string
		opens       string
		closes      string
		provisional bool
	}{
		// October's 5th working day: 1–7 October are National Day, the
		// make-up Saturday 10 October counts: 8, 9, 10, 12, 13.
		{"national day pushes the opening", "2026-09", "2026-10-14T00:00:00+08:00", "2026-12-01T00:00:00+08:00", false},
		// January 2026: 1–3 off, Sunday 4 January a make-up working day.
		// Saturday 28 February 2026 is a make-up working day too.
		{"make-up sunday counts", "2025-12", "2026-01-09T00:00:00+08:00", "2026-03-01T00:00:00+08:00", false},
		{"january", "2026-01", "2026-02-07T00:00:00+08:00", "2026-04-01T00:00:00+08:00", false},
		// The last day of the second month, not the 28th two months on.
		{"february", "2026-02", "2026-03-07T00:00:00+08:00", "2026-05-01T00:00:00+08:00", false},
		{"june closes on 31 august", "2026-06", "2026-07-08T00:00:00+08:00", "2026-09-01T00:00:00+08:00", false},
		// Saturday 31 January 2026 → Monday 2 February.
		{"november closes on 31 january, a saturday", "2025-11", "2025-12-06T00:00:00+08:00", "2026-02-03T00:00:00+08:00", false},
		// 2024 is a leap year: claims close at 24:00 on Thursday 29 February.
		{"leap year", "2023-12", "2024-01-09T00:00:00+08:00", "2024-03-01T00:00:00+08:00", false},
		// 31 May 2025 is Dragon Boat Festival (31 May–2 June).
		{"last day a holiday", "2025-03", "2025-04-09T00:00:00+08:00", "2025-06-04T00:00:00+08:00", false},
		// Saturday 31 October 2026 → Monday 2 November.
		{"last day a saturday", "2026-08", "2026-09-08T00:00:00+08:00", "2026-11-03T00:00:00+08:00", false},
		{"closing on new year's eve", "2026-10", "2026-11-07T00:00:00+08:00", "2027-01-01T00:00:00+08:00", false},
		// Sunday 31 January 2027 is past the data: Monday 1 February, provisional.
		{"closing past the data", "2026-11", "2026-12-08T00:00:00+08:00", "2027-02-02T00:00:00+08:00", true},
		// January 2027 is past the data: 1 January off (fixed), 4–8 January;
		// 28 February 2027 is a Sunday.
		{"window past the data", "2026-12", "2027-01-09T00:00:00+08:00", "2027-03-02T00:00:00+08:00", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ParsePeriod(tt.period)
			if err != nil {
				t.Fatal(err)
			}
			w, err := ClaimWindow(p, cal)
			if err != nil {
				t.Fatal(err)
			}
			if got := w.Opens.Format(time.RFC3339); got != tt.opens {
				t.Errorf("opens %s, want %s", got, tt.opens)
			}
			if got := w.Closes.Format(time.RFC3339); got != tt.closes {
				t.Errorf("closes %s, want %s", got, tt.closes)
			}
			if w.Provisional != tt.provisional || w.CalendarVersion != cal.Version() || w.Period != p {
				t.Errorf("provisional %v, calendar %s, period %s", w.Provisional, w.CalendarVersion, w.Period)
			}

			// Claims one minute either side of each edge.
			edges := []struct {
				at   time.Time
				want error
			}{
				{w.Opens.Add(-time.Minute), ErrClaimNotOpen},
				{w.Opens, nil},
				{w.Opens.Add(time.Minute), nil},
				{w.Closes.Add(-time.Minute), nil},
				{w.Closes, ErrClaimClosed},
				{w.Closes.Add(time.Minute), ErrClaimClosed},
			}
			for _, e := range edges {
				err := CheckClaim(e.at, w)
				if !errors.Is(err, e.want) || (e.want == nil) != (err == nil) || w.Contains(e.at) != (e.want == nil) {
					t.Errorf("claim at %s: %v, want %v", e.at.Format(time.RFC3339), err, e.want)
				}
				var ce *ClaimError
				if err != nil && (!errors.As(err, &ce) || !strings.Contains(err.Error(), "opens "+tt.opens+", closes "+tt.closes)) {
					t.Errorf("error %q does not name the window", err)
				}
			}
		})
	}
}

func TestSLAClaimErrorMessage(t *testing.T) {
	w, err := ClaimWindow(Period{2026, time.September}, calendar.China())
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 10, 13, 15, 59, 0, 0, time.UTC) // 23:59 CST
	want := "claim at 2026-10-13T23:59:00+08:00 refused: the claim window is not open yet (period 2026-09: opens 2026-10-14T00:00:00+08:00, closes 2026-12-01T00:00:00+08:00)"
	if err := CheckClaim(at, w); err == nil || err.Error() != want {
		t.Errorf("err = %v\nwant  %s", err, want)
	}
	w, _ = ClaimWindow(Period{2026, time.December}, calendar.China())
	if err := CheckClaim(w.Closes, w); err == nil || !strings.HasSuffix(err.Error(), ", provisional)") || !errors.Is(err, ErrClaimClosed) {
		t.Errorf("provisional window: err = %v", err)
	}
}

func TestSLAClaimWindowNewerData(t *testing.T) {
	// Loading (hypothetical) 2027 data makes the 2026-12 window certain and
	// moves its opening when January has another day off.
	f, err := calendar.Parse([]byte(`{"year":2027,"papers":[],"days":[
		{"name":"元旦","date":"2027-01-01","isOffDay":true},
		{"name":"元旦","date":"2027-01-04","isOffDay":true},
		{"name":"劳动节","date":"2027-05-01","isOffDay":true},
		{"name":"国庆节","date":"2027-10-01","isOffDay":true},
		{"name":"国庆节","date":"2027-10-02","isOffDay":true},
		{"name":"国庆节","date":"2027-10-03","isOffDay":true}]}`))
	if err != nil {
		t.Fatal(err)
	}
	cal, err := calendar.China().With(f)
	if err != nil {
		t.Fatal(err)
	}
	w, err := ClaimWindow(Period{2026, time.December}, cal)
	if err != nil {
		t.Fatal(err)
	}
	// 5, 6, 7, 8, 11 January.
	if got := w.Opens.Format(time.RFC3339); got != "2027-01-12T00:00:00+08:00" || w.Provisional {
		t.Errorf("opens %s provisional %v, want 2027-01-12T00:00:00+08:00 certain", got, w.Provisional)
	}
}

func TestSLAParseService(t *testing.T) {
	for _, s := range []string{"email", "sendify"} {
		if got, err := ParseService(s); err != nil || string(got) != s {
			t.Errorf("ParseService(%q) = %q, %v", s, got, err)
		}
	}
	if _, err := ParseService("Email"); err == nil {
		t.Error("ParseService is case-insensitive")
	}
}
