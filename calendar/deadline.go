package calendar

import (
	"fmt"
	"time"
)

// Kind names a deadline rule. The values double as the API's query
// parameter names (working_days=5) and, with "-" for "_", the CLI's flags.
type Kind string

// The deadline rules of DESIGN.md, "Contract-time rules".
const (
	// WorkingDays is rule 2: N working days after the start date, closing at
	// 24:00 of the N-th.
	WorkingDays Kind = "working_days"
	// NaturalDays is rule 3: N calendar days after the start date, at 24:00,
	// moved to the next working day when that date is not one.
	NaturalDays Kind = "natural_days"
	// Months is rule 4: the corresponding day N months later (the month's
	// last day when there is none), at 24:00. No holiday extension.
	Months Kind = "months"
	// BusinessMinutes is rule 5: N minutes counted only inside Spec.Hours on
	// working days.
	BusinessMinutes Kind = "business_minutes"
	// Minutes is the 7x24 clock: N wall-clock minutes.
	Minutes Kind = "minutes"
)

// Kinds lists every Kind, in the order of the rules.
func Kinds() []Kind {
	return []Kind{WorkingDays, NaturalDays, Months, BusinessMinutes, Minutes}
}

// Upper bounds on Spec.N, roughly a century each, so that no input makes a
// computation walk for long or leave years 0001–9999.
const (
	MaxWorkingDays = 25000
	MaxNaturalDays = 36500
	MaxMonths      = 1200
	MaxMinutes     = 36500 * 24 * 60
	// maxDays bounds the day-by-day walk of the natural-day extension.
	maxDays = 36600
	// lastFromYear is the last year a start instant may fall in, so that
	// every result stays inside year 9999.
	lastFromYear = maxYear - 150
)

func (k Kind) max() int {
	switch k {
	case WorkingDays:
		return MaxWorkingDays
	case NaturalDays:
		return MaxNaturalDays
	case Months:
		return MaxMonths
	case BusinessMinutes, Minutes:
		return MaxMinutes
	}
	return -1
}

// Valid reports whether k is one of the kinds listed by Kinds.
func (k Kind) Valid() bool { return k.max() >= 0 }

// Hours are daily business hours in China Standard Time, [Open, Close) as
// offsets from midnight, for business-minute clocks. Written "09:00-17:00".
// The zero value means "not set".
type Hours struct {
	Open  time.Duration // opening time, from midnight CST
	Close time.Duration // closing time, from midnight CST; at most 24h
}

// ParseHours parses "HH:MM-HH:MM" such as "09:00-17:00" or "09:00-18:00".
// Close may be 24:00; Open must be before Close.
func ParseHours(s string) (Hours, error) {
	if len(s) != 11 || s[5] != '-' {
		return Hours{}, fmt.Errorf("hours %q: want HH:MM-HH:MM", s)
	}
	open, ok1 := parseClock(s[0:5])
	closing, ok2 := parseClock(s[6:11])
	if !ok1 || !ok2 {
		return Hours{}, fmt.Errorf("hours %q: want HH:MM-HH:MM", s)
	}
	h := Hours{Open: open, Close: closing}
	if err := h.validate(); err != nil {
		return Hours{}, fmt.Errorf("hours %q: %w", s, err)
	}
	return h, nil
}

func parseClock(s string) (time.Duration, bool) {
	if len(s) != 5 || s[2] != ':' {
		return 0, false
	}
	hh, ok1 := digits(s[0:2])
	mm, ok2 := digits(s[3:5])
	if !ok1 || !ok2 || hh > 24 || mm > 59 || (hh == 24 && mm != 0) {
		return 0, false
	}
	return time.Duration(hh)*time.Hour + time.Duration(mm)*time.Minute, true
}

func (h Hours) validate() error {
	switch {
	case h.Open < 0 || h.Close > 24*time.Hour:
		return fmt.Errorf("must lie within 00:00-24:00")
	case h.Open >= h.Close:
		return fmt.Errorf("opening must be before closing")
	}
	return nil
}

// IsZero reports whether h is unset.
func (h Hours) IsZero() bool { return h == Hours{} }

// String formats h as "HH:MM-HH:MM" (seconds, if any, are not shown).
func (h Hours) String() string {
	clock := func(d time.Duration) string {
		return fmt.Sprintf("%02d:%02d", int(d/time.Hour), int(d%time.Hour/time.Minute))
	}
	return clock(h.Open) + "-" + clock(h.Close)
}

// MarshalText formats h as "HH:MM-HH:MM", and the zero value as "".
func (h Hours) MarshalText() ([]byte, error) {
	if h.IsZero() {
		return []byte{}, nil
	}
	if err := h.validate(); err != nil {
		return nil, fmt.Errorf("hours %s: %w", h, err)
	}
	return []byte(h.String()), nil
}

// UnmarshalText parses "HH:MM-HH:MM" as ParseHours does; "" is the zero value.
func (h *Hours) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*h = Hours{}
		return nil
	}
	v, err := ParseHours(string(b))
	if err != nil {
		return err
	}
	*h = v
	return nil
}

// Spec says which clock to run: a rule (Kind), a count (N) and, for
// business-minute clocks, the business hours.
type Spec struct {
	Kind  Kind  `json:"kind"`
	N     int   `json:"n"`
	Hours Hours `json:"hours,omitzero"`
}

// Validate checks s. Errors are *FieldError naming kind, n or hours.
func (s Spec) Validate() error {
	limit := s.Kind.max()
	switch {
	case limit < 0:
		return &FieldError{Field: "kind", Problem: fmt.Sprintf("unknown kind %q", string(s.Kind))}
	case s.N < 0:
		return &FieldError{Field: "n", Problem: fmt.Sprintf("must not be negative (got %d)", s.N)}
	case s.N > limit:
		return &FieldError{Field: "n", Problem: fmt.Sprintf("must be at most %d for %s (got %d)", limit, s.Kind, s.N)}
	}
	if s.Kind == BusinessMinutes {
		if s.Hours.IsZero() {
			return &FieldError{Field: "hours", Problem: "required for business_minutes"}
		}
		if err := s.Hours.validate(); err != nil {
			return &FieldError{Field: "hours", Problem: err.Error()}
		}
	} else if !s.Hours.IsZero() {
		return &FieldError{Field: "hours", Problem: "only applies to business_minutes"}
	}
	return nil
}

// FieldError reports an invalid input field, for mapping to a validation
// problem in the API and to a one-line CLI error.
type FieldError struct {
	Field   string // kind, n, hours, from or month
	Problem string // what is wrong with it, lower-case
}

// Error returns "field: problem".
func (e *FieldError) Error() string { return e.Field + ": " + e.Problem }

// Result is a computed deadline as recorded in workflow history and returned
// by the API and CLI.
type Result struct {
	// Deadline is the instant the clock runs out, in China Standard Time.
	// Day-counted periods end at 24:00, written as 00:00 of the next date.
	Deadline time.Time `json:"deadline"`
	// Provisional is set when the result depended on a date outside the
	// calendar's data (rule 6); it should be recomputed when newer data is
	// loaded.
	Provisional bool `json:"provisional"`
	// CalendarVersion is the Version of the calendar that produced it.
	CalendarVersion string `json:"calendar_version"`
}

// ComputeDeadlineActivity is the name the deadline local activity is
// registered and executed under, so workflows can call it without importing
// the activities package.
const ComputeDeadlineActivity = "ComputeDeadline"

// InvalidSpecErrorType is the Temporal application error type with which the
// ComputeDeadlineActivity activity refuses an invalid request; such failures
// are not retried.
const InvalidSpecErrorType = "InvalidDeadlineSpec"

// DeadlineRequest is the input of the ComputeDeadlineActivity activity.
type DeadlineRequest struct {
	From time.Time `json:"from"`
	Spec Spec      `json:"spec"`
}

// Deadline runs the clock described by s from the instant from (any offset;
// its China Standard Time date is what counts) and returns when it runs out.
// The rules, from DESIGN.md "Contract-time rules" (d is from's CST date):
//
//   - WorkingDays: the N-th working day strictly after d, at 24:00 (00:00 of
//     the next date). N = 0 gives the end of d. Provisional when any day
//     after d up to the deadline is outside the data.
//   - NaturalDays: the date d+N at 24:00, or, when d+N is not a working day,
//     the next working day at 24:00 (Civil Code art. 203, here extended to
//     every non-working day as rule 3 says). Provisional when any day from
//     d+N to the deadline is outside the data.
//   - Months: the same day of the month N months after d, or that month's
//     last day when it has no such day, at 24:00; 29 February 2024 + 12
//     months ends at 24:00 on 28 February 2025. As rule 4 is written, no
//     holiday extension is applied, so the result never depends on holiday
//     data and is never provisional. A month-counted time limit that should
//     get Civil Code art. 203's extension can chain a NaturalDays spec with
//     N = 0 from its last day (the result's Deadline minus a nanosecond).
//   - BusinessMinutes: only minutes inside s.Hours on working days count
//     (make-up working days included). A clock started outside hours starts
//     at the next opening; a clock that runs out exactly at closing ends at
//     closing, and N = 0 ends when the clock starts. Provisional when any day
//     from d to the deadline is outside the data.
//   - Minutes: from + N minutes (7x24). Never provisional.
//
// Errors are *FieldError for an invalid s or a from outside years
// 0001–9849.
func (c *Calendar) Deadline(from time.Time, s Spec) (Result, error) {
	if err := s.Validate(); err != nil {
		return Result{}, err
	}
	day, ns := splitInstant(from)
	if y, _, _ := civilFromDays(day); y < minYear || y > lastFromYear {
		return Result{}, &FieldError{Field: "from", Problem: fmt.Sprintf("must be in years %04d-%04d", minYear, lastFromYear)}
	}
	res := Result{CalendarVersion: c.version}
	switch s.Kind {
	case WorkingDays:
		end := c.nthWorkingAfter(day, s.N)
		res.Deadline = instant(end+1, 0)
		res.Provisional = c.anyProvisional(day+1, end)
	case NaturalDays:
		target := day + s.N
		end, ok := c.firstWorkingFrom(target)
		if !ok {
			return Result{}, &FieldError{Field: "n", Problem: "no working day follows the period"}
		}
		res.Deadline = instant(end+1, 0)
		res.Provisional = c.anyProvisional(target, end)
	case Months:
		y, m, d := civilFromDays(day)
		total := y*12 + (m - 1) + s.N
		ny, nm := total/12, time.Month(total%12+1)
		res.Deadline = instant(daysFromCivil(ny, int(nm), min(d, daysIn(ny, nm)))+1, 0)
	case BusinessMinutes:
		end, off, ok := c.addBusiness(day, ns, s.N, s.Hours)
		if !ok {
			return Result{}, &FieldError{Field: "n", Problem: fmt.Sprintf("spans more than %d working days of these hours (got %d)", MaxWorkingDays, s.N)}
		}
		res.Deadline = instant(end, off)
		res.Provisional = c.anyProvisional(day, end)
	case Minutes:
		res.Deadline = from.Add(time.Duration(s.N) * time.Minute).In(cst)
	}
	return res, nil
}

// addBusiness adds n business minutes to the instant (day, ns) and returns
// the deadline as a day and an offset into it. ok is false when the clock
// would span more than MaxWorkingDays working days.
func (c *Calendar) addBusiness(day int, ns int64, n int, h Hours) (end int, off int64, ok bool) {
	open, closing := int64(h.Open), int64(h.Close)
	if w, _ := c.status(day); !w || ns >= closing {
		day, ns = c.nthWorkingAfter(day, 1), open
	} else if ns < open {
		ns = open
	}
	rem := int64(n) * int64(time.Minute)
	if avail := closing - ns; rem <= avail {
		return day, ns + rem, true
	}
	rem -= closing - ns
	per := closing - open
	k := (rem + per - 1) / per // further working days needed, at least 1
	if k > MaxWorkingDays {
		return 0, 0, false
	}
	return c.nthWorkingAfter(day, int(k)), open + rem - (k-1)*per, true
}
