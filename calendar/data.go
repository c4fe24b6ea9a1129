package calendar

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"sync"
	"time"
)

// ErrInvalidData is wrapped by every error that refuses holiday data, so
// callers (the admin upload, for one) can tell bad data from other failures.
var ErrInvalidData = errors.New("invalid calendar data")

// Day is one date listed in a holiday file: a day off (Off) or a make-up
// working day (!Off), with the name of the holiday it belongs to.
type Day struct {
	Date Date   `json:"date"`
	Name string `json:"name"`
	Off  bool   `json:"isOffDay"`
}

// YearFile is one year's holiday file in the holiday-cn format (see
// cn/README.md): the days the State Council notice for Year changes. Some of
// them may lie in a neighbouring year (late December in next year's file).
type YearFile struct {
	Year   int      `json:"year"`
	Papers []string `json:"papers"`
	Days   []Day    `json:"days"`
}

// rawFile mirrors the JSON layout; pointers tell missing fields from zero.
type rawFile struct {
	Year   *int     `json:"year"`
	Papers []string `json:"papers"`
	Days   []struct {
		Name     string `json:"name"`
		Date     string `json:"date"`
		IsOffDay *bool  `json:"isOffDay"`
	} `json:"days"`
}

// Parse decodes and validates one holiday-cn year file (the JSON format
// described in cn/README.md). See YearFile.Validate for what it refuses.
func Parse(data []byte) (YearFile, error) {
	var raw rawFile
	if err := json.Unmarshal(data, &raw); err != nil {
		return YearFile{}, fmt.Errorf("%w: %w", ErrInvalidData, err)
	}
	if raw.Year == nil {
		return YearFile{}, fmt.Errorf("%w: missing \"year\"", ErrInvalidData)
	}
	f := YearFile{Year: *raw.Year, Papers: raw.Papers, Days: make([]Day, 0, len(raw.Days))}
	for i, rd := range raw.Days {
		d, err := ParseDate(rd.Date)
		if err != nil {
			return YearFile{}, fmt.Errorf("%w: year %d: days[%d]: %w", ErrInvalidData, f.Year, i, err)
		}
		if rd.IsOffDay == nil {
			return YearFile{}, fmt.Errorf("%w: year %d: %s: missing \"isOffDay\"", ErrInvalidData, f.Year, d)
		}
		f.Days = append(f.Days, Day{Date: d, Name: rd.Name, Off: *rd.IsOffDay})
	}
	if err := f.Validate(); err != nil {
		return YearFile{}, err
	}
	return f, nil
}

// fixedHolidays are the statutory holidays whose date never moves: New Year's
// Day, Labour Day and the first three days of National Day. Every real notice
// lists them as days off, and rule 6 assumes them for years without data.
var fixedHolidays = [...]struct {
	month time.Month
	day   int
	name  string
}{
	{time.January, 1, "元旦"},
	{time.May, 1, "劳动节"},
	{time.October, 1, "国庆节"},
	{time.October, 2, "国庆节"},
	{time.October, 3, "国庆节"},
}

// fixedHoliday returns the name of the fixed-date statutory holiday on d, or "".
func fixedHoliday(d Date) string {
	for _, h := range fixedHolidays {
		if d.Month == h.month && d.Day == h.day {
			return h.name
		}
	}
	return ""
}

// Validate checks one file on its own. It refuses a year outside 0002–9998,
// an empty file (upstream publishes empty placeholders before the notice is
// out), an invalid date, a date more than a month outside the file's year
// (before 1 December of the previous year or after 31 January of the next),
// a date listed twice with different isOffDay, a make-up working day on a
// Monday–Friday, and a file that does not list every fixed-date statutory
// holiday of its year (1 January, 1 May, 1–3 October) as a day off.
func (f YearFile) Validate() error {
	if f.Year <= minYear || f.Year >= maxYear {
		return fmt.Errorf("%w: year %d out of range", ErrInvalidData, f.Year)
	}
	if len(f.Days) == 0 {
		return fmt.Errorf("%w: year %d: no days listed (an unpublished placeholder?)", ErrInvalidData, f.Year)
	}
	lo := Date{Year: f.Year - 1, Month: time.December, Day: 1}
	hi := Date{Year: f.Year + 1, Month: time.January, Day: 31}
	seen := make(map[Date]bool, len(f.Days))
	for _, d := range f.Days {
		if !d.Date.Valid() {
			return fmt.Errorf("%w: year %d: %s: no such day", ErrInvalidData, f.Year, d.Date)
		}
		if d.Date.Before(lo) || d.Date.After(hi) {
			return fmt.Errorf("%w: year %d: %s: more than a month outside the file's year", ErrInvalidData, f.Year, d.Date)
		}
		if off, dup := seen[d.Date]; dup && off != d.Off {
			return fmt.Errorf("%w: year %d: %s: listed both as a day off and as a working day", ErrInvalidData, f.Year, d.Date)
		}
		seen[d.Date] = d.Off
		if !d.Off {
			if wd := d.Date.Weekday(); wd != time.Saturday && wd != time.Sunday {
				return fmt.Errorf("%w: year %d: %s: make-up working day on a %s (make-up days fall on weekends)", ErrInvalidData, f.Year, d.Date, wd)
			}
		}
	}
	for _, h := range fixedHolidays {
		d := Date{Year: f.Year, Month: h.month, Day: h.day}
		if off, ok := seen[d]; !ok || !off {
			return fmt.Errorf("%w: year %d: %s: statutory holiday (%s) not listed as a day off", ErrInvalidData, f.Year, d, h.name)
		}
	}
	return nil
}

//go:embed cn/*.json
var embedded embed.FS

// china parses the embedded data once. The data is checked by the package's
// tests, so a failure here is a build defect, not a run-time condition.
var china = sync.OnceValue(func() *Calendar {
	names, err := fs.Glob(embedded, "cn/*.json")
	if err != nil {
		panic(fmt.Sprintf("calendar: embedded data: %v", err))
	}
	sort.Strings(names)
	files := make([]YearFile, 0, len(names))
	for _, name := range names {
		b, err := embedded.ReadFile(name)
		if err != nil {
			panic(fmt.Sprintf("calendar: embedded %s: %v", name, err))
		}
		f, err := Parse(b)
		if err != nil {
			panic(fmt.Sprintf("calendar: embedded %s: %v", name, err))
		}
		files = append(files, f)
	}
	c, err := New(files...)
	if err != nil {
		panic(fmt.Sprintf("calendar: embedded data: %v", err))
	}
	return c
})

// China returns the calendar built from the holiday data embedded from
// calendar/cn (2024–2026 at the time of writing). The value is built once and
// shared; Calendar values are immutable, so this is safe for concurrent use.
// Use With to add years loaded at run time.
func China() *Calendar { return china() }
