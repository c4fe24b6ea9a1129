package calendar

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
)

func mustDate(t testing.TB, s string) Date {
	t.Helper()
	d, err := ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// yearJSON returns a minimal valid holiday file for year: the fixed-date
// holidays as days off, plus extra entries ("2027-02-06:work:春节").
func yearJSON(year int, extra ...string) []byte {
	var days []string
	add := func(date, name string, off bool) {
		days = append(days, fmt.Sprintf(`{"name":%q,"date":%q,"isOffDay":%v}`, name, date, off))
	}
	add(fmt.Sprintf("%d-01-01", year), "元旦", true)
	add(fmt.Sprintf("%d-05-01", year), "劳动节", true)
	for d := 1; d <= 3; d++ {
		add(fmt.Sprintf("%d-10-%02d", year, d), "国庆节", true)
	}
	for _, e := range extra {
		parts := strings.SplitN(e, ":", 3)
		add(parts[0], parts[2], parts[1] == "off")
	}
	return []byte(fmt.Sprintf(`{"year":%d,"papers":[],"days":[%s]}`, year, strings.Join(days, ",")))
}

func mustParse(t testing.TB, b []byte) YearFile {
	t.Helper()
	f, err := Parse(b)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return f
}

func TestEmbeddedData(t *testing.T) {
	c := China()
	if first, last := c.Years(); first != 2024 || last != 2026 {
		t.Fatalf("Years() = %d, %d, want 2024, 2026", first, last)
	}
	if !regexp.MustCompile(`^cn-2024-2026\+[0-9a-f]{12}$`).MatchString(c.Version()) {
		t.Errorf("Version() = %q", c.Version())
	}
	// Working-day totals from the cross-check in cn/README.md.
	for year, want := range map[int]int{2024: 251, 2025: 248, 2026: 248} {
		n := 0
		for _, d := range c.Days(Date{year, time.January, 1}, Date{year, time.December, 31}) {
			if d.Provisional {
				t.Errorf("%s provisional", d.Date)
			}
			if d.Working {
				n++
			}
		}
		if n != want {
			t.Errorf("%d: %d working days, want %d", year, n, want)
		}
	}
	// The embedded files are the shared ones, byte for byte.
	for _, y := range []string{"2024", "2025", "2026"} {
		got, err := embedded.ReadFile("cn/" + y + ".json")
		if err != nil {
			t.Fatal(err)
		}
		disk, err := os.ReadFile("cn/" + y + ".json")
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(disk) {
			t.Errorf("embedded %s.json differs from calendar/cn", y)
		}
	}
	if _, err := os.Stat("cn/README.md"); err != nil {
		t.Errorf("license notice beside the data: %v", err)
	}
}

func TestWorkingDay(t *testing.T) {
	tests := []struct {
		date        string
		working     bool
		provisional bool
	}{
		{"2026-10-10", true, false}, // make-up Saturday
		{"2026-10-11", false, false},
		{"2026-09-20", true, false}, // make-up Sunday
		{"2025-01-26", true, false}, // make-up Sunday
		{"2024-02-04", true, false}, // make-up Sunday
		{"2026-10-01", false, false},
		{"2026-10-08", true, false},
		{"2025-10-08", false, false}, // 国庆节、中秋节 runs to the 8th in 2025
		{"2026-11-23", true, false},
		{"2026-11-21", false, false},
		{"2024-02-29", true, false},
		{"2026-12-31", true, false},
		{"2027-01-01", false, true}, // rule 6: fixed-date holiday
		{"2027-01-04", true, true},
		{"2027-10-03", false, true},
		{"2027-10-04", true, true}, // rule 6 knows only 1–3 October
		{"2023-12-29", true, true},
		{"2023-12-30", false, true},
	}
	c := China()
	for _, tc := range tests {
		t.Run(tc.date, func(t *testing.T) {
			w, p := c.WorkingDay(mustDate(t, tc.date))
			if w != tc.working || p != tc.provisional {
				t.Errorf("WorkingDay = %v, %v, want %v, %v", w, p, tc.working, tc.provisional)
			}
		})
	}
}

func TestNthWorkingDay(t *testing.T) {
	tests := []struct {
		month       string
		n           int
		want        string
		provisional bool
		errField    string
	}{
		{"2026-10", 5, "2026-10-13", false, ""},
		{"2026-10", 1, "2026-10-08", false, ""},
		{"2026-10", 3, "2026-10-10", false, ""}, // make-up Saturday counts
		{"2025-02", 1, "2025-02-05", false, ""},
		{"2024-02", 3, "2024-02-04", false, ""},
		{"2024-02", 5, "2024-02-06", false, ""},
		{"2026-12", 23, "2026-12-31", false, ""},
		{"2027-01", 1, "2027-01-04", true, ""},
		{"2026-10", 0, "", false, "n"},
		{"2026-10", 19, "", false, "n"}, // October 2026 has 18 working days
		{"2026-10", 18, "2026-10-30", false, ""},
	}
	c := China()
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%s/%d", tc.month, tc.n), func(t *testing.T) {
			m := mustDate(t, tc.month+"-01")
			got, prov, err := c.NthWorkingDay(m.Year, m.Month, tc.n)
			if tc.errField != "" {
				var fe *FieldError
				if !errors.As(err, &fe) || fe.Field != tc.errField {
					t.Fatalf("err = %v, want a FieldError on %q", err, tc.errField)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.String() != tc.want || prov != tc.provisional {
				t.Errorf("NthWorkingDay = %s, %v, want %s, %v", got, prov, tc.want, tc.provisional)
			}
		})
	}
	if _, _, err := c.NthWorkingDay(2026, 13, 1); err == nil {
		t.Error("month 13 accepted")
	}
}

func TestDays(t *testing.T) {
	c := China()
	got := c.Days(mustDate(t, "2026-09-30"), mustDate(t, "2026-10-11"))
	if len(got) != 12 {
		t.Fatalf("len = %d, want 12", len(got))
	}
	want := map[string]DayInfo{
		"2026-09-30": {Working: true},
		"2026-10-01": {Working: false, Holiday: "国庆节"},
		"2026-10-07": {Working: false, Holiday: "国庆节"},
		"2026-10-08": {Working: true},
		"2026-10-10": {Working: true, Holiday: "国庆节"},
		"2026-10-11": {Working: false},
	}
	for _, d := range got {
		w, ok := want[d.Date.String()]
		if !ok {
			continue
		}
		w.Date = d.Date
		if d != w {
			t.Errorf("%s = %+v, want %+v", d.Date, d, w)
		}
	}
	prov := c.Days(mustDate(t, "2026-12-31"), mustDate(t, "2027-01-01"))
	wantProv := []DayInfo{
		{Date: mustDate(t, "2026-12-31"), Working: true},
		{Date: mustDate(t, "2027-01-01"), Holiday: "元旦", Provisional: true},
	}
	if len(prov) != 2 || prov[0] != wantProv[0] || prov[1] != wantProv[1] {
		t.Errorf("Days over new year = %+v, want %+v", prov, wantProv)
	}
	if d := c.Days(mustDate(t, "2026-10-02"), mustDate(t, "2026-10-01")); d != nil {
		t.Errorf("reversed range = %v, want nil", d)
	}
}

func TestParseRefuses(t *testing.T) {
	tests := []struct {
		name string
		data string
		want string // substring of the error
	}{
		{"not json", `{`, "invalid calendar data"},
		{"missing year", `{"days":[]}`, `missing "year"`},
		{"empty placeholder", `{"year":2027,"papers":[],"days":[]}`, "no days listed"},
		{"bad date", string(yearJSON(2027, "2027-13-01:off:x")), `"2027-13-01"`},
		{"slashes", string(yearJSON(2027, "2027/02/01:off:x")), `"2027/02/01"`},
		{"no such day", string(yearJSON(2027, "2027-02-29:off:x")), "no such day"},
		{"missing isOffDay", `{"year":2027,"days":[{"name":"x","date":"2027-01-01"}]}`, `2027-01-01: missing "isOffDay"`},
		{"contradiction", string(yearJSON(2027, "2027-02-06:work:春节", "2027-02-06:off:春节")), "2027-02-06: listed both as a day off and as a working day"},
		{"make-up on monday", string(yearJSON(2027, "2027-02-08:work:春节")), "2027-02-08: make-up working day on a Monday"},
		{"make-up on friday", string(yearJSON(2026, "2026-10-09:work:国庆节")), "2026-10-09: make-up working day on a Friday"},
		{"far before its year", string(yearJSON(2027, "2026-10-31:off:x")), "2026-10-31: more than a month outside"},
		{"far after its year", string(yearJSON(2027, "2028-02-01:off:x")), "2028-02-01: more than a month outside"},
		{"new year listed as working", string(yearJSON(2027, "2027-01-01:work:元旦")), "2027-01-01"},
		{"fixed holiday missing", `{"year":2027,"days":[{"name":"元旦","date":"2027-01-01","isOffDay":true}]}`, "2027-05-01: statutory holiday"},
		{"year out of range", `{"year":99999,"days":[{"name":"x","date":"2027-01-01","isOffDay":true}]}`, "year 99999 out of range"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.data))
			if err == nil {
				t.Fatal("Parse accepted bad data")
			}
			if !errors.Is(err, ErrInvalidData) {
				t.Errorf("error %v does not wrap ErrInvalidData", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not mention %q", err, tc.want)
			}
		})
	}
}

func TestParseAccepts(t *testing.T) {
	tests := []struct {
		name string
		data []byte
	}{
		{"minimal", yearJSON(2027)},
		{"december date in next year's file", yearJSON(2027, "2026-12-26:work:元旦", "2026-12-31:off:元旦")},
		{"january date in previous year's file", yearJSON(2027, "2028-01-02:work:元旦")},
		{"same date twice, same status", yearJSON(2027, "2027-02-06:work:春节", "2027-02-06:work:春节")},
		{"make-up on sunday", yearJSON(2027, "2027-02-07:work:春节")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Parse(tc.data); err != nil {
				t.Fatalf("Parse: %v", err)
			}
		})
	}
}

func TestNewRefuses(t *testing.T) {
	f2025 := China().Files()[1]
	f2026 := China().Files()[2]
	tests := []struct {
		name  string
		files []YearFile
		want  string
	}{
		{"no files", nil, "no year files"},
		{"duplicate year", []YearFile{f2026, f2026}, "year 2026 given twice"},
		{"gap", []YearFile{f2025, mustParse(t, yearJSON(2027))}, "year 2026 missing"},
		{"contradiction across files", []YearFile{
			mustParse(t, yearJSON(2026, "2026-12-26:off:元旦")),
			mustParse(t, yearJSON(2027, "2026-12-26:work:元旦")),
		}, "2026-12-26: a day off in year 2026's file but a working day in year 2027's file"},
		{"unvalidated file", []YearFile{{Year: 2027, Days: []Day{{Date: Date{2027, time.February, 8}, Name: "x"}}}}, "2027-02-08: make-up working day"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.files...)
			if err == nil {
				t.Fatal("New accepted bad data")
			}
			if !errors.Is(err, ErrInvalidData) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q, want ErrInvalidData mentioning %q", err, tc.want)
			}
		})
	}
}

func TestVersion(t *testing.T) {
	base := China()
	files := base.Files()
	again, err := New(files[2], files[0], files[1])
	if err != nil {
		t.Fatal(err)
	}
	if again.Version() != base.Version() {
		t.Errorf("order changed version: %s vs %s", again.Version(), base.Version())
	}

	y2027 := mustParse(t, yearJSON(2027, "2027-01-02:off:元旦", "2027-01-03:off:元旦"))
	ext, err := base.With(y2027)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(ext.Version(), "cn-2024-2027+") {
		t.Errorf("extended version = %q", ext.Version())
	}
	if first, last := base.Years(); first != 2024 || last != 2026 {
		t.Errorf("With changed the receiver: %d-%d", first, last)
	}

	// Replacing a year with different data changes the version.
	changed, err := ext.With(mustParse(t, yearJSON(2027, "2027-01-02:off:元旦")))
	if err != nil {
		t.Fatal(err)
	}
	if changed.Version() == ext.Version() {
		t.Error("replaced year kept the version")
	}
	// A different name alone changes the version too.
	renamed, err := ext.With(mustParse(t, yearJSON(2027, "2027-01-02:off:新年", "2027-01-03:off:元旦")))
	if err != nil {
		t.Fatal(err)
	}
	if renamed.Version() == ext.Version() {
		t.Error("renamed holiday kept the version")
	}
	if _, err := base.With(mustParse(t, yearJSON(2028))); err == nil {
		t.Error("With accepted a gap year")
	}
}

func TestWithNewerYearEndsProvisional(t *testing.T) {
	from := mustTime(t, "2026-12-28T10:00:00+08:00")
	spec := Spec{Kind: WorkingDays, N: 5}
	before, err := China().Deadline(from, spec)
	if err != nil {
		t.Fatal(err)
	}
	if !before.Provisional {
		t.Fatal("expected a provisional deadline before 2027 data is loaded")
	}
	// A hypothetical 2027 notice with 1–3 January off and a make-up Sunday.
	ext, err := China().With(mustParse(t, yearJSON(2027, "2027-01-02:off:元旦", "2027-01-03:off:元旦", "2026-12-27:work:元旦")))
	if err != nil {
		t.Fatal(err)
	}
	after, err := ext.Deadline(from, spec)
	if err != nil {
		t.Fatal(err)
	}
	if after.Provisional || after.CalendarVersion == before.CalendarVersion {
		t.Errorf("after loading 2027: %+v", after)
	}
	if got := after.Deadline.Format(time.RFC3339); got != "2027-01-06T00:00:00+08:00" {
		t.Errorf("deadline = %s", got)
	}
	// The make-up Sunday listed in the 2027 file counts.
	if w, p := ext.WorkingDay(mustDate(t, "2026-12-27")); !w || p {
		t.Errorf("2026-12-27 = %v, %v, want working, certain", w, p)
	}
}

func TestDate(t *testing.T) {
	tests := []struct {
		in      string
		weekday time.Weekday
		wantErr bool
	}{
		{"2026-10-10", time.Saturday, false},
		{"2024-02-29", time.Thursday, false},
		{"1970-01-01", time.Thursday, false},
		{"0001-01-01", time.Monday, false},
		{"9999-12-31", time.Friday, false},
		{"2025-02-29", 0, true},
		{"2026-00-10", 0, true},
		{"2026-1-10", 0, true},
		{"0000-01-01", 0, true},
		{"2026-10-10T00:00:00Z", 0, true},
		{"+026-10-10", 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			d, err := ParseDate(tc.in)
			if (err != nil) != tc.wantErr {
				t.Fatalf("ParseDate(%q) error = %v", tc.in, err)
			}
			if tc.wantErr {
				return
			}
			if d.String() != tc.in || d.Weekday() != tc.weekday {
				t.Errorf("got %s %s, want %s %s", d, d.Weekday(), tc.in, tc.weekday)
			}
			tt := time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, Zone())
			if !d.Start().Equal(tt) || d.Start().Location() != Zone() {
				t.Errorf("Start() = %v, want %v", d.Start(), tt)
			}
		})
	}
}

func TestDateArithmeticMatchesTime(t *testing.T) {
	start := time.Date(1899, 12, 25, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 200*366; i += 3 {
		tt := start.AddDate(0, 0, i)
		want := Date{tt.Year(), tt.Month(), tt.Day()}
		got := dateFromNum(daysFromCivil(tt.Year(), int(tt.Month()), tt.Day()))
		if got != want || got.Weekday() != tt.Weekday() {
			t.Fatalf("%v: got %v %v", tt, got, got.Weekday())
		}
		if DateOf(tt.Add(-8*time.Hour)) != want || DateOf(tt.Add(16*time.Hour-time.Nanosecond)) != want {
			t.Fatalf("DateOf around %v", tt)
		}
	}
}
