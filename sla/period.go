// Package sla computes the monthly service credits of seed 004, the Service
// Level Agreement of the Enterprise Email Service ("Alibaba Mail") and of
// Sendify: a service period's availability, the compensation tier it earns,
// the capped compensation amount and the window in which it may be claimed.
//
// The arithmetic is exact: availability is a rational number of percent
// (math/big.Rat) and every tier decision compares rationals, never floats,
// so an availability exactly on a tier boundary lands in the tier the seed
// says ("equal to or above 99.00%"). Display strings truncate to the seed's
// two decimals, which never moves a value across a boundary.
//
// The package is pure: no I/O and no clock. Claim windows are computed from
// a calendar.Calendar passed in; their instants are in China Standard Time.
package sla

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/sowflow/sowflow/calendar"
)

// Service is a service covered by seed 004.
type Service string

// Services.
const (
	// Email is the Enterprise Email Service: availability from unavailable
	// minutes.
	Email Service = "email"
	// Sendify is the Sendify Service: availability from 5-minute error
	// rates.
	Sendify Service = "sendify"
)

// ParseService parses "email" or "sendify".
func ParseService(s string) (Service, error) {
	switch Service(s) {
	case Email, Sendify:
		return Service(s), nil
	}
	return "", fmt.Errorf("unknown service %q (want email or sendify)", s)
}

// Period is a service period: one calendar month in China Standard Time.
// The zero value is not a valid period.
type Period struct {
	Year  int
	Month time.Month
}

// ParsePeriod parses a period written YYYY-MM, such as "2026-09".
func ParsePeriod(s string) (Period, error) {
	if len(s) != 7 || s[4] != '-' {
		return Period{}, fmt.Errorf("period %q: want YYYY-MM", s)
	}
	y, err1 := strconv.Atoi(s[:4])
	m, err2 := strconv.Atoi(s[5:])
	if err1 != nil || err2 != nil || s[0] == '+' || s[0] == '-' || s[5] == '+' || s[5] == '-' {
		return Period{}, fmt.Errorf("period %q: want YYYY-MM", s)
	}
	p := Period{Year: y, Month: time.Month(m)}
	if !p.Valid() {
		return Period{}, fmt.Errorf("period %q: no such month in years 0001-9998", s)
	}
	return p, nil
}

// Valid reports whether p is a month of years 0001–9998 (the claim window of
// a period lies in the months after it, which must stay inside year 9999).
func (p Period) Valid() bool {
	return p.Year >= 1 && p.Year <= 9998 && p.Month >= time.January && p.Month <= time.December
}

// String formats p as YYYY-MM.
func (p Period) String() string { return fmt.Sprintf("%04d-%02d", p.Year, int(p.Month)) }

// MarshalText formats p as YYYY-MM, so periods are JSON strings.
func (p Period) MarshalText() ([]byte, error) {
	if !p.Valid() {
		return nil, fmt.Errorf("period %s: no such month", p)
	}
	return []byte(p.String()), nil
}

// UnmarshalText parses YYYY-MM as ParsePeriod does.
func (p *Period) UnmarshalText(b []byte) error {
	v, err := ParsePeriod(string(b))
	if err != nil {
		return err
	}
	*p = v
	return nil
}

// PeriodOf returns the period that contains the instant t (its CST month).
func PeriodOf(t time.Time) Period {
	d := calendar.DateOf(t)
	return Period{Year: d.Year, Month: d.Month}
}

// Next returns the month after p.
func (p Period) Next() Period {
	if p.Month == time.December {
		return Period{Year: p.Year + 1, Month: time.January}
	}
	return Period{Year: p.Year, Month: p.Month + 1}
}

// FirstDay returns the period's first date.
func (p Period) FirstDay() calendar.Date { return calendar.Date{Year: p.Year, Month: p.Month, Day: 1} }

// LastDay returns the period's last date.
func (p Period) LastDay() calendar.Date {
	return calendar.Date{Year: p.Year, Month: p.Month, Day: p.Days()}
}

// Days returns the number of days in the month.
func (p Period) Days() int {
	switch p.Month {
	case time.February:
		if p.Year%4 == 0 && (p.Year%100 != 0 || p.Year%400 == 0) {
			return 29
		}
		return 28
	case time.April, time.June, time.September, time.November:
		return 30
	}
	return 31
}

// Start returns 00:00 CST of the period's first day.
func (p Period) Start() time.Time { return p.FirstDay().Start() }

// End returns the end of the period: 24:00 CST of its last day, written as
// 00:00 of the next month's first day.
func (p Period) End() time.Time { return p.Next().FirstDay().Start() }

// MinutesPerDay and IntervalsPerDay are seed 004's counts: "the total number
// of days in the Service Period multiplied by 24 (hours) * 60 (minutes)" and
// "12 * 24 * the number of days in the Service Period" 5-minute intervals.
const (
	MinutesPerDay   = 24 * 60
	IntervalsPerDay = 12 * 24
	// IntervalMinutes is the length of one Sendify error-rate interval.
	IntervalMinutes = 5
)

// ErrDays is wrapped by the errors for a service period's day count outside
// 1–31.
var ErrDays = errors.New("a service period has 1 to 31 days")

// checkDays refuses a day count no service period can have.
func checkDays(days int) error {
	if days < 1 || days > 31 {
		return fmt.Errorf("%w (got %d)", ErrDays, days)
	}
	return nil
}

// Minutes returns the total minutes of a service period of the given days.
func Minutes(days int) int64 { return int64(days) * MinutesPerDay }

// Intervals returns the number of 5-minute intervals of a service period of
// the given days.
func Intervals(days int) int64 { return int64(days) * IntervalsPerDay }
