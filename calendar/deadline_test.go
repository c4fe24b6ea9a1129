package calendar

import (
	"encoding/json"
	"errors"
	"testing"
	"time"
)

func mustTime(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatalf("parse %q: %v", s, err)
	}
	return v
}

func mustHours(t testing.TB, s string) Hours {
	t.Helper()
	h, err := ParseHours(s)
	if err != nil {
		t.Fatalf("ParseHours(%q): %v", s, err)
	}
	return h
}

type deadlineCase struct {
	name        string
	from        string
	n           int
	hours       string // business minutes only
	want        string
	provisional bool
}

func runDeadlineCases(t *testing.T, kind Kind, cases []deadlineCase) {
	t.Helper()
	c := China()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			spec := Spec{Kind: kind, N: tc.n}
			if tc.hours != "" {
				spec.Hours = mustHours(t, tc.hours)
			}
			got, err := c.Deadline(mustTime(t, tc.from), spec)
			if err != nil {
				t.Fatalf("Deadline: %v", err)
			}
			if s := got.Deadline.Format(time.RFC3339Nano); s != tc.want {
				t.Errorf("deadline = %s, want %s", s, tc.want)
			}
			if got.Provisional != tc.provisional {
				t.Errorf("provisional = %v, want %v", got.Provisional, tc.provisional)
			}
			if got.CalendarVersion != c.Version() {
				t.Errorf("calendar version = %q, want %q", got.CalendarVersion, c.Version())
			}
		})
	}
}

func TestDeadlineWorkingDays(t *testing.T) {
	runDeadlineCases(t, WorkingDays, []deadlineCase{
		{"design example across national day", "2026-09-29T10:00:00+08:00", 5, "", "2026-10-13T00:00:00+08:00", false},
		{"late night UTC is next CST date", "2026-09-29T17:30:00Z", 5, "", "2026-10-14T00:00:00+08:00", false},
		{"last second of CST date", "2026-09-29T15:59:59Z", 5, "", "2026-10-13T00:00:00+08:00", false},
		{"other offset", "2026-09-28T23:00:00-05:00", 5, "", "2026-10-13T00:00:00+08:00", false},
		{"make-up sunday 2026-09-20", "2026-09-18T10:00:00+08:00", 1, "", "2026-09-21T00:00:00+08:00", false},
		{"make-up saturday 2026-10-10", "2026-10-09T10:00:00+08:00", 1, "", "2026-10-11T00:00:00+08:00", false},
		{"submitted on a holiday", "2026-10-03T12:00:00+08:00", 1, "", "2026-10-09T00:00:00+08:00", false},
		{"submitted on a make-up day", "2026-10-10T12:00:00+08:00", 1, "", "2026-10-13T00:00:00+08:00", false},
		{"make-up sunday 2025-01-26", "2025-01-24T10:00:00+08:00", 2, "", "2025-01-28T00:00:00+08:00", false},
		{"spring festival 2025", "2025-01-27T10:00:00+08:00", 1, "", "2025-02-06T00:00:00+08:00", false},
		{"spring festival 2024", "2024-02-08T10:00:00+08:00", 3, "", "2024-02-20T00:00:00+08:00", false},
		{"make-up sunday 2024-09-29", "2024-09-27T10:00:00+08:00", 2, "", "2024-10-01T00:00:00+08:00", false},
		{"national day 2024", "2024-09-30T10:00:00+08:00", 1, "", "2024-10-09T00:00:00+08:00", false},
		{"leap day 2024", "2024-02-28T10:00:00+08:00", 1, "", "2024-03-01T00:00:00+08:00", false},
		{"zero is end of start date", "2026-10-03T12:00:00+08:00", 0, "", "2026-10-04T00:00:00+08:00", false},
		{"ends on last data day", "2026-12-24T10:00:00+08:00", 5, "", "2027-01-01T00:00:00+08:00", false},
		{"runs into 2027", "2026-12-28T10:00:00+08:00", 5, "", "2027-01-06T00:00:00+08:00", true},
		{"wholly in 2027", "2027-03-01T10:00:00+08:00", 5, "", "2027-03-09T00:00:00+08:00", true},
		{"before the data", "2023-12-28T10:00:00+08:00", 1, "", "2023-12-30T00:00:00+08:00", true},
		{"from before the data into it", "2023-12-29T10:00:00+08:00", 1, "", "2024-01-03T00:00:00+08:00", true},
		{"start before data, window inside", "2023-12-31T23:00:00+08:00", 1, "", "2024-01-03T00:00:00+08:00", false},
		{"far beyond the tables", "2040-10-01T10:00:00+08:00", 3, "", "2040-10-09T00:00:00+08:00", true},
		{"far before the tables", "2000-09-29T10:00:00+08:00", 2, "", "2000-10-06T00:00:00+08:00", true},
	})
}

func TestDeadlineNaturalDays(t *testing.T) {
	runDeadlineCases(t, NaturalDays, []deadlineCase{
		{"ends in national day, extended", "2026-09-29T10:00:00+08:00", 5, "", "2026-10-09T00:00:00+08:00", false},
		{"ends on make-up saturday", "2026-10-05T10:00:00+08:00", 5, "", "2026-10-11T00:00:00+08:00", false},
		{"90 days from late night UTC", "2026-09-29T17:30:00Z", 90, "", "2026-12-30T00:00:00+08:00", false},
		{"ends on ordinary weekend", "2026-11-16T10:00:00+08:00", 5, "", "2026-11-24T00:00:00+08:00", false},
		{"ends on working day", "2026-11-16T10:00:00+08:00", 3, "", "2026-11-20T00:00:00+08:00", false},
		{"into 2027 holiday", "2026-12-31T10:00:00+08:00", 1, "", "2027-01-05T00:00:00+08:00", true},
		{"ends on last data day", "2026-12-30T10:00:00+08:00", 1, "", "2027-01-01T00:00:00+08:00", false},
		{"leap day", "2024-02-28T10:00:00+08:00", 1, "", "2024-03-01T00:00:00+08:00", false},
		{"zero on a holiday", "2026-10-01T10:00:00+08:00", 0, "", "2026-10-09T00:00:00+08:00", false},
		{"spring festival 2025", "2025-01-20T10:00:00+08:00", 8, "", "2025-02-06T00:00:00+08:00", false},
		{"ends on make-up sunday 2025-01-26", "2025-01-16T10:00:00+08:00", 10, "", "2025-01-27T00:00:00+08:00", false},
	})
}

func TestDeadlineMonths(t *testing.T) {
	runDeadlineCases(t, Months, []deadlineCase{
		{"29 feb plus 12", "2024-02-29T10:00:00+08:00", 12, "", "2025-03-01T00:00:00+08:00", false},
		{"29 feb plus 48", "2024-02-29T10:00:00+08:00", 48, "", "2028-03-01T00:00:00+08:00", false},
		{"31 jan plus 1", "2026-01-31T10:00:00+08:00", 1, "", "2026-03-01T00:00:00+08:00", false},
		{"31 jan plus 1 leap", "2024-01-31T10:00:00+08:00", 1, "", "2024-03-01T00:00:00+08:00", false},
		{"31 mar plus 1", "2026-03-31T10:00:00+08:00", 1, "", "2026-05-01T00:00:00+08:00", false},
		{"31 dec plus 2", "2025-12-31T10:00:00+08:00", 2, "", "2026-03-01T00:00:00+08:00", false},
		{"ends on a holiday, no extension", "2025-10-01T10:00:00+08:00", 12, "", "2026-10-02T00:00:00+08:00", false},
		{"late night UTC", "2026-09-29T17:30:00Z", 1, "", "2026-10-31T00:00:00+08:00", false},
		{"into 2027 is not provisional", "2026-11-23T10:00:00+08:00", 12, "", "2027-11-24T00:00:00+08:00", false},
		{"zero", "2026-11-23T10:00:00+08:00", 0, "", "2026-11-24T00:00:00+08:00", false},
		{"december to january", "2026-12-15T10:00:00+08:00", 1, "", "2027-01-16T00:00:00+08:00", false},
	})
}

func TestDeadlineBusinessMinutes(t *testing.T) {
	runDeadlineCases(t, BusinessMinutes, []deadlineCase{
		{"inside hours", "2026-11-23T10:00:00+08:00", 120, "09:00-17:00", "2026-11-23T12:00:00+08:00", false},
		{"spills to next day", "2026-11-23T16:00:00+08:00", 120, "09:00-17:00", "2026-11-24T10:00:00+08:00", false},
		{"before opening", "2026-11-23T07:30:00+08:00", 120, "09:00-17:00", "2026-11-23T11:00:00+08:00", false},
		{"after closing", "2026-11-23T18:00:00+08:00", 120, "09:00-17:00", "2026-11-24T11:00:00+08:00", false},
		{"at closing", "2026-11-23T17:00:00+08:00", 1, "09:00-17:00", "2026-11-24T09:01:00+08:00", false},
		{"runs out at closing", "2026-11-23T15:00:00+08:00", 120, "09:00-17:00", "2026-11-23T17:00:00+08:00", false},
		{"spans national day", "2026-09-30T16:00:00+08:00", 120, "09:00-17:00", "2026-10-08T10:00:00+08:00", false},
		{"into make-up saturday", "2026-10-09T16:30:00+08:00", 120, "09:00-17:00", "2026-10-10T10:30:00+08:00", false},
		{"on make-up sunday", "2026-09-20T09:30:00+08:00", 120, "09:00-17:00", "2026-09-20T11:30:00+08:00", false},
		{"on make-up sunday 2025", "2025-01-26T16:00:00+08:00", 120, "09:00-17:00", "2025-01-27T10:00:00+08:00", false},
		{"ordinary weekend", "2026-11-21T10:00:00+08:00", 120, "09:00-17:00", "2026-11-23T11:00:00+08:00", false},
		{"on a holiday", "2026-10-01T10:00:00+08:00", 120, "09:00-17:00", "2026-10-08T11:00:00+08:00", false},
		{"nine to six", "2026-11-23T17:00:00+08:00", 120, "09:00-18:00", "2026-11-24T10:00:00+08:00", false},
		{"late night UTC", "2026-09-29T17:30:00Z", 120, "09:00-17:00", "2026-09-30T11:00:00+08:00", false},
		{"two full days", "2026-09-30T09:00:00+08:00", 960, "09:00-17:00", "2026-10-08T17:00:00+08:00", false},
		{"into 2027", "2026-12-31T16:00:00+08:00", 120, "09:00-17:00", "2027-01-04T10:00:00+08:00", true},
		{"last data day", "2026-12-31T10:00:00+08:00", 120, "09:00-17:00", "2026-12-31T12:00:00+08:00", false},
		{"keeps seconds", "2026-11-23T10:00:30.5+08:00", 1, "09:00-17:00", "2026-11-23T10:01:30.5+08:00", false},
		{"zero outside hours", "2026-11-23T18:00:00+08:00", 0, "09:00-17:00", "2026-11-24T09:00:00+08:00", false},
		{"zero inside hours", "2026-11-23T10:00:00+08:00", 0, "09:00-17:00", "2026-11-23T10:00:00+08:00", false},
		{"round the clock hours", "2026-11-23T23:00:00+08:00", 120, "00:00-24:00", "2026-11-24T01:00:00+08:00", false},
		{"spring festival 2024", "2024-02-09T16:00:00+08:00", 120, "09:00-17:00", "2024-02-18T10:00:00+08:00", false},
	})
}

func TestDeadlineMinutes(t *testing.T) {
	runDeadlineCases(t, Minutes, []deadlineCase{
		{"late night UTC", "2026-09-29T17:30:00Z", 15, "", "2026-09-30T01:45:00+08:00", false},
		{"over new year 2027", "2026-12-31T23:30:00+08:00", 60, "", "2027-01-01T00:30:00+08:00", false},
		{"on a holiday", "2026-10-01T10:00:00+08:00", 60, "", "2026-10-01T11:00:00+08:00", false},
	})
}

func TestSpecValidate(t *testing.T) {
	tests := []struct {
		name  string
		spec  Spec
		field string // "" when valid
	}{
		{"working days", Spec{Kind: WorkingDays, N: 5}, ""},
		{"business minutes", Spec{Kind: BusinessMinutes, N: 120, Hours: Hours{Open: 9 * time.Hour, Close: 17 * time.Hour}}, ""},
		{"unknown kind", Spec{Kind: "fortnights", N: 1}, "kind"},
		{"empty kind", Spec{N: 1}, "kind"},
		{"negative", Spec{Kind: WorkingDays, N: -1}, "n"},
		{"negative minutes", Spec{Kind: Minutes, N: -5}, "n"},
		{"too many", Spec{Kind: Months, N: MaxMonths + 1}, "n"},
		{"missing hours", Spec{Kind: BusinessMinutes, N: 1}, "hours"},
		{"reversed hours", Spec{Kind: BusinessMinutes, N: 1, Hours: Hours{Open: 17 * time.Hour, Close: 9 * time.Hour}}, "hours"},
		{"hours on other kind", Spec{Kind: WorkingDays, N: 1, Hours: Hours{Open: 9 * time.Hour, Close: 17 * time.Hour}}, "hours"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.spec.Validate()
			if tc.field == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != tc.field {
				t.Fatalf("Validate = %v, want a FieldError on %q", err, tc.field)
			}
			if _, err := China().Deadline(mustTime(t, "2026-01-05T10:00:00+08:00"), tc.spec); !errors.As(err, &fe) {
				t.Fatalf("Deadline error = %v, want a FieldError", err)
			}
		})
	}
}

func TestDeadlineLimits(t *testing.T) {
	c := China()
	tests := []struct {
		name  string
		from  string
		spec  Spec
		field string
	}{
		{"from too late", "9900-01-01T00:00:00+08:00", Spec{Kind: WorkingDays, N: 1}, "from"},
		{"from before year 1", "0000-12-31T00:00:00+08:00", Spec{Kind: Minutes, N: 1}, "from"},
		{"business minutes span too long", "2026-01-05T10:00:00+08:00", Spec{Kind: BusinessMinutes, N: MaxMinutes, Hours: Hours{Open: 9 * time.Hour, Close: 9*time.Hour + time.Minute}}, "n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.Deadline(mustTime(t, tc.from), tc.spec)
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != tc.field {
				t.Fatalf("Deadline = %v, want a FieldError on %q", err, tc.field)
			}
		})
	}
	// The largest allowed inputs finish and stay inside year 9999.
	for _, k := range Kinds() {
		spec := Spec{Kind: k, N: k.max()}
		if k == BusinessMinutes {
			spec.N = MaxWorkingDays * 24 * 60
			spec.Hours = Hours{Open: 0, Close: 24 * time.Hour}
		}
		res, err := c.Deadline(mustTime(t, "9849-12-31T23:59:59+08:00"), spec)
		if err != nil {
			t.Fatalf("%s max: %v", k, err)
		}
		if y := DateOf(res.Deadline).Year; y > 9999 {
			t.Errorf("%s max: deadline year %d", k, y)
		}
	}
}

func TestParseHours(t *testing.T) {
	tests := []struct {
		in      string
		want    Hours
		wantErr bool
	}{
		{"09:00-17:00", Hours{9 * time.Hour, 17 * time.Hour}, false},
		{"09:00-18:00", Hours{9 * time.Hour, 18 * time.Hour}, false},
		{"08:30-12:15", Hours{8*time.Hour + 30*time.Minute, 12*time.Hour + 15*time.Minute}, false},
		{"00:00-24:00", Hours{0, 24 * time.Hour}, false},
		{"17:00-09:00", Hours{}, true},
		{"09:00-09:00", Hours{}, true},
		{"9:00-17:00", Hours{}, true},
		{"09:60-17:00", Hours{}, true},
		{"24:00-24:00", Hours{}, true},
		{"24:30-24:45", Hours{}, true},
		{"09:00~17:00", Hours{}, true},
		{"", Hours{}, true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseHours(tc.in)
			if (err != nil) != tc.wantErr {
				t.Fatalf("ParseHours(%q) error = %v, want error %v", tc.in, err, tc.wantErr)
			}
			if got != tc.want {
				t.Errorf("ParseHours(%q) = %+v, want %+v", tc.in, got, tc.want)
			}
			if !tc.wantErr && got.String() != tc.in {
				t.Errorf("String() = %q, want %q", got.String(), tc.in)
			}
		})
	}
}

func TestJSONRoundTrip(t *testing.T) {
	req := DeadlineRequest{
		From: mustTime(t, "2026-09-29T10:00:00+08:00"),
		Spec: Spec{Kind: BusinessMinutes, N: 120, Hours: mustHours(t, "09:00-18:00")},
	}
	b, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"from":"2026-09-29T10:00:00+08:00","spec":{"kind":"business_minutes","n":120,"hours":"09:00-18:00"}}`
	if string(b) != want {
		t.Errorf("json = %s, want %s", b, want)
	}
	var back DeadlineRequest
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !back.From.Equal(req.From) || back.Spec != req.Spec {
		t.Errorf("round trip = %+v, want %+v", back, req)
	}

	b, err = json.Marshal(Spec{Kind: WorkingDays, N: 5})
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `{"kind":"working_days","n":5}` {
		t.Errorf("json = %s", b)
	}

	res, err := China().Deadline(req.From, Spec{Kind: WorkingDays, N: 5})
	if err != nil {
		t.Fatal(err)
	}
	b, err = json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	wantRes := `{"deadline":"2026-10-13T00:00:00+08:00","provisional":false,"calendar_version":"` + China().Version() + `"}`
	if string(b) != wantRes {
		t.Errorf("json = %s, want %s", b, wantRes)
	}
}

func TestMonthsChainedWithExtension(t *testing.T) {
	c := China()
	months, err := c.Deadline(mustTime(t, "2025-10-01T10:00:00+08:00"), Spec{Kind: Months, N: 12})
	if err != nil {
		t.Fatal(err)
	}
	extended, err := c.Deadline(months.Deadline.Add(-time.Nanosecond), Spec{Kind: NaturalDays})
	if err != nil {
		t.Fatal(err)
	}
	if got := extended.Deadline.Format(time.RFC3339); got != "2026-10-09T00:00:00+08:00" {
		t.Errorf("extended = %s, want 2026-10-09T00:00:00+08:00", got)
	}
}
