package sla

import (
	"errors"
	"fmt"
	"math/big"
	"regexp"
	"strings"
)

// Availability is a service period's availability: an exact rational number
// of percent in [0, 100]. The zero value is 0%. An Availability is immutable;
// copies share nothing that can change.
type Availability struct{ pct *big.Rat }

var hundred = big.NewRat(100, 1)

// AvailabilityOf returns the availability of pct percent. It is an error
// when pct is nil or outside [0, 100].
func AvailabilityOf(pct *big.Rat) (Availability, error) {
	if pct == nil || pct.Sign() < 0 || pct.Cmp(hundred) > 0 {
		return Availability{}, fmt.Errorf("availability %s%% is outside 0-100", ratString(pct))
	}
	return Availability{pct: new(big.Rat).Set(pct)}, nil
}

// ParseAvailability parses an availability written in percent as a decimal
// ("99.9", "99.00") or a fraction ("2399/24"), exactly.
func ParseAvailability(s string) (Availability, error) {
	if !availabilityPattern.MatchString(s) {
		return Availability{}, fmt.Errorf("availability %q is not a decimal or a fraction", s)
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return Availability{}, fmt.Errorf("availability %q is not a decimal or a fraction", s)
	}
	return AvailabilityOf(r)
}

// availabilityPattern is a plain decimal or a fraction without leading
// zeros (which big.Rat would read as octal).
var availabilityPattern = regexp.MustCompile(`^([0-9]+(\.[0-9]+)?|(0|[1-9][0-9]*)/[1-9][0-9]*)$`)

// Percent returns the availability in percent, as a fresh big.Rat.
func (a Availability) Percent() *big.Rat {
	if a.pct == nil {
		return new(big.Rat)
	}
	return new(big.Rat).Set(a.pct)
}

// Cmp compares a with b: -1, 0 or +1 as a is below, equal to or above b.
func (a Availability) Cmp(b Availability) int { return a.Percent().Cmp(b.Percent()) }

// Exact returns the percentage as an exact fraction in lowest terms, or an
// integer when it is one: "99", "2399/24".
func (a Availability) Exact() string { return ratString(a.Percent()) }

// DisplayDecimals is the precision of the seed's percentages ("99.90%").
const DisplayDecimals = 2

// String returns the percentage with the seed's two decimals, truncated
// toward zero: 99.899…% is "99.89", never "99.90". Truncation keeps the
// display on the same side of every two-decimal tier boundary as the exact
// value, so a reader never sees "99.90" next to a 10% credit.
func (a Availability) String() string {
	p := a.Percent()
	scaled := new(big.Int).Mul(p.Num(), big.NewInt(100))
	scaled.Quo(scaled, p.Denom()) // non-negative: truncation is the floor
	s := scaled.String()
	if len(s) < 3 {
		s = strings.Repeat("0", 3-len(s)) + s
	}
	return s[:len(s)-2] + "." + s[len(s)-2:]
}

// MarshalText writes the exact fraction (Exact), so an availability survives
// JSON round trips, for example through workflow history, unchanged.
func (a Availability) MarshalText() ([]byte, error) { return []byte(a.Exact()), nil }

// UnmarshalText parses what MarshalText writes (or a decimal).
func (a *Availability) UnmarshalText(b []byte) error {
	v, err := ParseAvailability(string(b))
	if err != nil {
		return err
	}
	*a = v
	return nil
}

func ratString(r *big.Rat) string {
	if r == nil {
		return "<nil>"
	}
	return r.RatString()
}

// EmailAvailability is seed 004's Enterprise Email availability of a
// service period of days days with unavailable minutes:
//
//	((Total Service Period Minutes - Service Unavailable Minutes) / Total Service Period Minutes) * 100%
//
// where the total is days × 24 × 60. days is the month's day count
// (Period.Days), or for a month used in part the days of use ("the cumulative
// usage time within that month shall be regarded as one Service Period").
// unavailable counts the minutes left after the seed's exclusions. It is an
// error when days is outside 1–31 or unavailable is negative or exceeds the
// period's minutes.
func EmailAvailability(days int, unavailable int64) (Availability, error) {
	if err := checkDays(days); err != nil {
		return Availability{}, err
	}
	total := Minutes(days)
	switch {
	case unavailable < 0:
		return Availability{}, fmt.Errorf("unavailable minutes must not be negative (got %d)", unavailable)
	case unavailable > total:
		return Availability{}, fmt.Errorf("unavailable minutes %d exceed the %d minutes of a %d-day period", unavailable, total, days)
	}
	pct := big.NewRat(total-unavailable, total)
	return Availability{pct: pct.Mul(pct, hundred)}, nil
}

// ErrorRate is one 5-minute interval of Sendify traffic: its failed requests
// ("Requests that fail to send due to reasons attributable to the Service
// Provider's system", after the seed's exclusions) and its valid requests
// (connected and authenticated). Its error rate is Failed / Valid.
type ErrorRate struct {
	Failed int64 `json:"failed"`
	Valid  int64 `json:"valid"`
}

// ErrBadInterval is wrapped by the errors for an ErrorRate that cannot be.
var ErrBadInterval = errors.New("invalid 5-minute interval")

// Rate returns the interval's error rate as a fraction in [0, 1]. An interval
// without valid requests has rate 0: no valid request failed.
func (e ErrorRate) Rate() (*big.Rat, error) {
	switch {
	case e.Failed < 0 || e.Valid < 0:
		return nil, fmt.Errorf("%w: counts must not be negative (failed %d, valid %d)", ErrBadInterval, e.Failed, e.Valid)
	case e.Failed > e.Valid:
		return nil, fmt.Errorf("%w: %d failed requests exceed %d valid requests", ErrBadInterval, e.Failed, e.Valid)
	case e.Valid == 0:
		return new(big.Rat), nil
	}
	return big.NewRat(e.Failed, e.Valid), nil
}

// SendifyAvailability is seed 004's Sendify availability of a service
// period of days days:
//
//	(1 - (∑ Error Rate per 5 Minutes during the Service Period / Total Number of 5-Minute Intervals during the Service Period))*100%
//
// where the number of intervals is 12 × 24 × days. rates lists the intervals
// with traffic worth reporting, in any order; every interval not listed has
// error rate 0. It is an error when days is outside 1–31, when more
// intervals are listed than the period has, or when an interval is invalid
// (see ErrorRate.Rate); the error names the interval's index.
func SendifyAvailability(days int, rates []ErrorRate) (Availability, error) {
	if err := checkDays(days); err != nil {
		return Availability{}, err
	}
	n := Intervals(days)
	if int64(len(rates)) > n {
		return Availability{}, fmt.Errorf("%d intervals listed, but a %d-day period has only %d", len(rates), days, n)
	}
	sum := new(big.Rat)
	for i, e := range rates {
		r, err := e.Rate()
		if err != nil {
			return Availability{}, fmt.Errorf("interval #%d: %w", i+1, err)
		}
		sum.Add(sum, r)
	}
	return sendify(sum, n), nil
}

// SendifyAvailabilityFromSum is SendifyAvailability for a caller that keeps
// the running sum of the period's 5-minute error rates (each a fraction in
// [0, 1]) rather than the intervals. It is an error when days is outside
// 1–31 or sum is negative or above the period's interval count.
func SendifyAvailabilityFromSum(days int, sum *big.Rat) (Availability, error) {
	if err := checkDays(days); err != nil {
		return Availability{}, err
	}
	n := Intervals(days)
	if sum == nil || sum.Sign() < 0 || sum.Cmp(new(big.Rat).SetInt64(n)) > 0 {
		return Availability{}, fmt.Errorf("sum of error rates %s is outside 0-%d for a %d-day period", ratString(sum), n, days)
	}
	return sendify(sum, n), nil
}

// sendify is (1 − sum/n) × 100.
func sendify(sum *big.Rat, n int64) Availability {
	mean := new(big.Rat).Quo(sum, new(big.Rat).SetInt64(n))
	pct := new(big.Rat).Sub(big.NewRat(1, 1), mean)
	return Availability{pct: pct.Mul(pct, hundred)}
}
