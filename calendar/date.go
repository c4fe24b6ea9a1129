package calendar

import (
	"fmt"
	"time"
)

// cst is China Standard Time. China has observed no daylight saving time
// since 1991, so a fixed offset is exact for every date this package handles.
var cst = time.FixedZone("CST", 8*3600)

const (
	cstOffset  = 8 * 3600 // seconds east of UTC
	secPerDay  = 86400
	nsPerDay   = int64(secPerDay) * int64(time.Second)
	minYear    = 1
	maxYear    = 9999
	unixEpochW = 4 // 1970-01-01 was a Thursday
)

// Zone returns China Standard Time (UTC+8, no daylight saving time), the zone
// every contract clock runs in and every deadline is returned in.
func Zone() *time.Location { return cst }

// Date is a civil date in China. The zero value is not a valid date.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns t's civil date in China Standard Time, whatever t's own
// location: 2026-09-29T17:30:00Z is already 2026-09-30 in China.
func DateOf(t time.Time) Date {
	day, _ := splitInstant(t)
	return dateFromNum(day)
}

// ParseDate parses a date written as YYYY-MM-DD (exactly four, two and two
// digits) and refuses dates that do not exist, such as 2026-02-29.
func ParseDate(s string) (Date, error) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return Date{}, fmt.Errorf("date %q: want YYYY-MM-DD", s)
	}
	y, ok1 := digits(s[0:4])
	m, ok2 := digits(s[5:7])
	d, ok3 := digits(s[8:10])
	if !ok1 || !ok2 || !ok3 {
		return Date{}, fmt.Errorf("date %q: want YYYY-MM-DD", s)
	}
	date := Date{Year: y, Month: time.Month(m), Day: d}
	if !date.Valid() {
		return Date{}, fmt.Errorf("date %q: no such day", s)
	}
	return date, nil
}

// digits parses a run of ASCII digits.
func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// Valid reports whether d names an existing day in years 0001–9999.
func (d Date) Valid() bool {
	return d.Year >= minYear && d.Year <= maxYear &&
		d.Month >= time.January && d.Month <= time.December &&
		d.Day >= 1 && d.Day <= daysIn(d.Year, d.Month)
}

// String formats d as YYYY-MM-DD.
func (d Date) String() string {
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// MarshalText formats d as YYYY-MM-DD, so dates are JSON strings.
func (d Date) MarshalText() ([]byte, error) {
	if !d.Valid() {
		return nil, fmt.Errorf("date %s: no such day", d)
	}
	return []byte(d.String()), nil
}

// UnmarshalText parses YYYY-MM-DD as ParseDate does.
func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday { return weekdayOf(d.num()) }

// AddDays returns the date n days after d (before d when n is negative).
func (d Date) AddDays(n int) Date { return dateFromNum(d.num() + n) }

// Compare returns -1, 0 or +1 as d is before, equal to or after e.
func (d Date) Compare(e Date) int {
	a, b := d.num(), e.num()
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Before reports whether d is before e.
func (d Date) Before(e Date) bool { return d.Compare(e) < 0 }

// After reports whether d is after e.
func (d Date) After(e Date) bool { return d.Compare(e) > 0 }

// Start returns 00:00 of d in China Standard Time. The end of d (24:00) is
// d.AddDays(1).Start().
func (d Date) Start() time.Time { return instant(d.num(), 0) }

// num is the number of days from 1970-01-01 to d (proleptic Gregorian).
func (d Date) num() int { return daysFromCivil(d.Year, int(d.Month), d.Day) }

func dateFromNum(n int) Date {
	y, m, d := civilFromDays(n)
	return Date{Year: y, Month: time.Month(m), Day: d}
}

// daysFromCivil and civilFromDays convert between a proleptic Gregorian date
// and a day count from 1970-01-01 with integer arithmetic only, so the hot
// paths neither allocate nor go through time.Date.
func daysFromCivil(y, m, d int) int {
	if m <= 2 {
		y--
	}
	era := floorDiv(y, 400)
	yoe := y - era*400
	mp := (m + 9) % 12 // March is 0
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

func civilFromDays(z int) (y, m, d int) {
	z += 719468
	era := floorDiv(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = doy - (153*mp+2)/5 + 1
	if mp < 10 {
		m = mp + 3
	} else {
		m = mp - 9
	}
	y = yoe + era*400
	if m <= 2 {
		y++
	}
	return y, m, d
}

func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func weekdayOf(n int) time.Weekday {
	w := (n + unixEpochW) % 7
	if w < 0 {
		w += 7
	}
	return time.Weekday(w)
}

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

func daysIn(y int, m time.Month) int {
	switch m {
	case time.February:
		if isLeap(y) {
			return 29
		}
		return 28
	case time.April, time.June, time.September, time.November:
		return 30
	}
	return 31
}

// splitInstant returns t's CST day number and the nanoseconds since 00:00 CST
// of that day.
func splitInstant(t time.Time) (day int, ns int64) {
	sec := t.Unix() + cstOffset
	day64 := sec / secPerDay
	rem := sec % secPerDay
	if rem < 0 {
		rem += secPerDay
		day64--
	}
	return int(day64), rem*int64(time.Second) + int64(t.Nanosecond())
}

// instant is the inverse of splitInstant; ns may be anywhere in [0, 24h].
func instant(day int, ns int64) time.Time {
	sec := int64(day)*secPerDay - cstOffset + ns/int64(time.Second)
	return time.Unix(sec, ns%int64(time.Second)).In(cst)
}
