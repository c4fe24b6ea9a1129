// Package calendar is sowflow's contract-time arithmetic: China's working
// days (holidays and weekend make-up working days from the State Council
// notices), business-hour clocks and the deadline rules of DESIGN.md
// ("Contract-time rules" 1–6), which follow PRC Civil Code articles 201–204.
//
// The package is pure: no I/O, no clock. Everything is computed from an
// immutable Calendar value and the instants passed in. China() returns the
// calendar built from the data embedded from calendar/cn; With adds years
// loaded at run time. Every Result carries the calendar's Version and says
// whether it depended on a date outside the published data (Provisional).
//
// All civil dates are in China Standard Time (UTC+8, no daylight saving).
package calendar

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Day flags in Calendar.flags.
const (
	flagWorking     = 1 << 0
	flagProvisional = 1 << 1
)

// Calendar is an immutable working-day calendar over the years of its data
// files. Dates outside those years follow rule 6 of DESIGN.md: Monday–Friday
// are working days except the fixed-date holidays (1 January, 1 May,
// 1–3 October), and anything computed from them is provisional.
//
// Dates listed in a file but lying outside the covered years (late December
// in next year's file) are used as listed and are not provisional. The
// reverse case is not detected: until next year's file is loaded, a late
// December date of the last covered year counts as certain even though next
// year's notice could still list it.
//
// A Calendar is safe for concurrent use.
type Calendar struct {
	files       []YearFile // sorted by year, contiguous
	first, last int        // covered years
	version     string
	listed      map[int]Day // listed dates by day number

	// Dense per-day tables over [lo, lo+len(flags)): from 1 January of
	// first-1 to 31 December of last+2, so that every listed date and the
	// first provisional years are inside them.
	lo       int
	flags    []uint8
	cumWork  []int32 // cumWork[i]: working days among flags[:i]
	cumProv  []int32 // cumProv[i]: provisional days among flags[:i]
	workDays []int32 // indexes into flags of the working days, ascending
}

// New builds a calendar from one or more year files. The files must cover a
// contiguous run of years, each year once. Files are merged by date: a date
// may be listed in two files (late December in next year's file) but must
// then agree on whether it is a day off. Each file is checked with
// YearFile.Validate. Errors wrap ErrInvalidData and name the date and rule.
func New(files ...YearFile) (*Calendar, error) {
	if len(files) == 0 {
		return nil, fmt.Errorf("%w: no year files", ErrInvalidData)
	}
	sorted := make([]YearFile, len(files))
	for i, f := range files { // deep copy: the caller keeps its slices
		f.Papers = append([]string(nil), f.Papers...)
		f.Days = append([]Day(nil), f.Days...)
		sorted[i] = f
	}
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Year < sorted[j].Year })
	for i, f := range sorted {
		if err := f.Validate(); err != nil {
			return nil, err
		}
		if i > 0 {
			switch prev := sorted[i-1].Year; {
			case f.Year == prev:
				return nil, fmt.Errorf("%w: year %d given twice", ErrInvalidData, f.Year)
			case f.Year == prev+2:
				return nil, fmt.Errorf("%w: year %d missing (files must cover contiguous years)", ErrInvalidData, prev+1)
			case f.Year != prev+1:
				return nil, fmt.Errorf("%w: years %d to %d missing (files must cover contiguous years)", ErrInvalidData, prev+1, f.Year-1)
			}
		}
	}

	c := &Calendar{
		files:  sorted,
		first:  sorted[0].Year,
		last:   sorted[len(sorted)-1].Year,
		listed: make(map[int]Day),
	}
	from := make(map[int]int) // day number -> year of the file that listed it first
	for _, f := range sorted {
		for _, d := range f.Days {
			n := d.Date.num()
			if prev, ok := c.listed[n]; ok {
				if prev.Off != d.Off {
					return nil, fmt.Errorf("%w: %s: %s in year %d's file but %s in year %d's file",
						ErrInvalidData, d.Date, offWord(prev.Off), from[n], offWord(d.Off), f.Year)
				}
				continue
			}
			c.listed[n] = d
			from[n] = f.Year
		}
	}
	c.buildTables()
	c.version = c.computeVersion()
	return c, nil
}

func offWord(off bool) string {
	if off {
		return "a day off"
	}
	return "a working day"
}

// With returns a new calendar with the given year files added; a file for a
// year already covered replaces that year's data. The receiver is unchanged.
// The result must still cover contiguous years, and its Version differs
// whenever the merged data differ.
func (c *Calendar) With(files ...YearFile) (*Calendar, error) {
	byYear := make(map[int]YearFile, len(c.files)+len(files))
	for _, f := range c.files {
		byYear[f.Year] = f
	}
	for _, f := range files {
		byYear[f.Year] = f
	}
	all := make([]YearFile, 0, len(byYear))
	for _, f := range byYear {
		all = append(all, f)
	}
	return New(all...)
}

// Version identifies the data a result was computed from, for example
// "cn-2024-2026+3f2a9c1b0d4e": the covered years and the first 12 hex digits
// of a SHA-256 over the canonical merged list of dates. Two calendars with the
// same covered years and the same merged days have the same version.
func (c *Calendar) Version() string { return c.version }

// Years returns the first and last year covered by data.
func (c *Calendar) Years() (first, last int) { return c.first, c.last }

// Files returns copies of the year files the calendar was built from,
// ascending by year.
func (c *Calendar) Files() []YearFile {
	out := make([]YearFile, len(c.files))
	for i, f := range c.files {
		f.Papers = append([]string(nil), f.Papers...)
		f.Days = append([]Day(nil), f.Days...)
		out[i] = f
	}
	return out
}

// Covers reports whether d lies in a year covered by data.
func (c *Calendar) Covers(d Date) bool { return d.Year >= c.first && d.Year <= c.last }

func (c *Calendar) computeVersion() string {
	nums := make([]int, 0, len(c.listed))
	for n := range c.listed {
		nums = append(nums, n)
	}
	sort.Ints(nums)
	var b strings.Builder
	fmt.Fprintf(&b, "cn %d-%d\n", c.first, c.last)
	for _, n := range nums {
		d := c.listed[n]
		kind := "work"
		if d.Off {
			kind = "off"
		}
		fmt.Fprintf(&b, "%s %s %s\n", d.Date, kind, d.Name)
	}
	sum := sha256.Sum256([]byte(b.String()))
	return fmt.Sprintf("cn-%d-%d+%s", c.first, c.last, hex.EncodeToString(sum[:])[:12])
}

func (c *Calendar) buildTables() {
	c.lo = daysFromCivil(c.first-1, 1, 1)
	hi := daysFromCivil(c.last+3, 1, 1) // exclusive
	n := hi - c.lo
	c.flags = make([]uint8, n)
	c.cumWork = make([]int32, n+1)
	c.cumProv = make([]int32, n+1)
	c.workDays = make([]int32, 0, n*5/7+16)
	for i := 0; i < n; i++ {
		w, p := c.computeStatus(c.lo + i)
		var f uint8
		if w {
			f |= flagWorking
			c.workDays = append(c.workDays, int32(i))
		}
		if p {
			f |= flagProvisional
		}
		c.flags[i] = f
		c.cumWork[i+1] = c.cumWork[i] + int32(f&flagWorking)
		c.cumProv[i+1] = c.cumProv[i] + int32((f&flagProvisional)>>1)
	}
}

// computeStatus applies rules 1 and 6 to one day, without the tables.
func (c *Calendar) computeStatus(n int) (working, provisional bool) {
	if d, ok := c.listed[n]; ok {
		return !d.Off, false
	}
	wd := weekdayOf(n)
	weekday := wd != time.Saturday && wd != time.Sunday
	y, _, _ := civilFromDays(n)
	if y >= c.first && y <= c.last {
		return weekday, false
	}
	return weekday && fixedHoliday(dateFromNum(n)) == "", true
}

// status returns a day's working and provisional flags, from the tables when
// the day is inside them.
func (c *Calendar) status(n int) (working, provisional bool) {
	if i := n - c.lo; i >= 0 && i < len(c.flags) {
		f := c.flags[i]
		return f&flagWorking != 0, f&flagProvisional != 0
	}
	return c.computeStatus(n)
}

// anyProvisional reports whether any day in [a, b] is provisional.
func (c *Calendar) anyProvisional(a, b int) bool {
	if a > b {
		return false
	}
	hi := c.lo + len(c.flags) - 1
	if a < c.lo || b > hi {
		return true // every day outside the tables is provisional
	}
	return c.cumProv[b-c.lo+1]-c.cumProv[a-c.lo] > 0
}

// nthWorkingAfter returns the day number of the n-th working day strictly
// after day d (d itself when n is 0). It walks day by day outside the tables
// and jumps inside them; callers bound n (MaxWorkingDays).
func (c *Calendar) nthWorkingAfter(d, n int) int {
	cur := d
	for n > 0 && cur+1 < c.lo {
		cur++
		if w, _ := c.computeStatus(cur); w {
			n--
		}
	}
	if n == 0 {
		return cur
	}
	if i := cur + 1 - c.lo; i < len(c.flags) {
		k := int(c.cumWork[i]) + n - 1 // index in workDays of the answer
		if k < len(c.workDays) {
			return c.lo + int(c.workDays[k])
		}
		n -= len(c.workDays) - int(c.cumWork[i])
		cur = c.lo + len(c.flags) - 1
	}
	for n > 0 {
		cur++
		if w, _ := c.computeStatus(cur); w {
			n--
		}
	}
	return cur
}

// firstWorkingFrom returns the first working day on or after day d, walking
// at most maxDays days.
func (c *Calendar) firstWorkingFrom(d int) (int, bool) {
	for i := 0; i <= maxDays; i++ {
		if w, _ := c.status(d + i); w {
			return d + i, true
		}
	}
	return 0, false
}

// WorkingDay reports whether d is a working day (rule 1) and whether that
// answer is provisional because d is outside the data (rule 6).
func (c *Calendar) WorkingDay(d Date) (working, provisional bool) {
	return c.status(d.num())
}

// DayInfo describes one date for listings such as the API's days endpoint.
type DayInfo struct {
	Date    Date `json:"date"`
	Working bool `json:"working"`
	// Holiday is the name of the holiday the date belongs to in the data
	// (for a make-up working day, the holiday it makes up for), or under
	// rule 6 the fixed-date holiday's name; empty for an ordinary day.
	Holiday string `json:"holiday,omitempty"`
	// Provisional is set for dates outside the data (rule 6).
	Provisional bool `json:"provisional"`
}

// Days lists every date from from to to inclusive (nil when to is before
// from). Callers exposing it should bound the range.
func (c *Calendar) Days(from, to Date) []DayInfo {
	a, b := from.num(), to.num()
	if b < a {
		return nil
	}
	out := make([]DayInfo, 0, b-a+1)
	for n := a; n <= b; n++ {
		w, p := c.status(n)
		info := DayInfo{Date: dateFromNum(n), Working: w, Provisional: p}
		if d, ok := c.listed[n]; ok {
			info.Holiday = d.Name
		} else if p && !w {
			info.Holiday = fixedHoliday(info.Date)
		}
		out = append(out, info)
	}
	return out
}

// NthWorkingDay returns the n-th working day (n ≥ 1) of the given month, for
// clauses such as "claims open after the 5th working day of the next month".
// provisional is set when any day of the month up to the answer is outside
// the data. It is an error when n is below 1 or the month has fewer working
// days.
func (c *Calendar) NthWorkingDay(year int, month time.Month, n int) (d Date, provisional bool, err error) {
	first := Date{Year: year, Month: month, Day: 1}
	if !first.Valid() {
		return Date{}, false, &FieldError{Field: "month", Problem: fmt.Sprintf("%04d-%02d is not a month in years 0001-9999", year, int(month))}
	}
	if n < 1 {
		return Date{}, false, &FieldError{Field: "n", Problem: fmt.Sprintf("must be at least 1 (got %d)", n)}
	}
	start := first.num()
	end := start + daysIn(year, month) - 1
	count := 0
	for day := start; day <= end; day++ {
		if w, _ := c.status(day); w {
			count++
			if count == n {
				return dateFromNum(day), c.anyProvisional(start, day), nil
			}
		}
	}
	return Date{}, false, &FieldError{Field: "n", Problem: fmt.Sprintf("%04d-%02d has only %d working days (got %d)", year, int(month), count, n)}
}
