package sla

import (
	"errors"
	"fmt"
	"time"

	"github.com/sowflow/sowflow/calendar"
)

// Claim window rule of seed 004 ("3.2 Compensation Claim Deadline").
const (
	// OpensAfterWorkingDay: claims for a period may be submitted "after the
	// fifth (5th) working day" of the month after it.
	OpensAfterWorkingDay = 5
	// ClosesAfterMonths: claims "must be submitted within two (2) months
	// following the end of the relevant month", read as the two calendar
	// months after the period (see ClaimWindow).
	ClosesAfterMonths = 2
)

// Window is the claim window of one service period, [Opens, Closes) in
// China Standard Time: a claim at Opens is in time, a claim at Closes is
// late.
type Window struct {
	Period Period    `json:"period"`
	Opens  time.Time `json:"opens"`
	Closes time.Time `json:"closes"`
	// Provisional is set when either instant depends on a date past the
	// calendar's data (DESIGN.md rule 6): recompute it when newer data is
	// loaded.
	Provisional bool `json:"provisional"`
	// CalendarVersion is the version of the calendar that computed it.
	CalendarVersion string `json:"calendar_version"`
}

// ClaimWindow computes the claim window of period p on the working-day
// calendar cal:
//
//   - Opens: "after the fifth (5th) working day" of the month after p, so at
//     24:00 of that working day (Calendar.NthWorkingDay), written as 00:00 of
//     the next date. Make-up working days count; holidays do not.
//   - Closes: "within two (2) months following the end of the relevant
//     month". The clause reads two ways: two months counted from the
//     period's last day as DESIGN.md rule 4 counts months (30 November →
//     30 January), or the two whole calendar months that follow the period
//     (December and January). Civil Code art. 498 settles a standard clause
//     with two readings against the party that supplied it (DESIGN.md rule
//     9), so claims close at 24:00 of the last day of the second month after
//     p: February → 30 April, November → 31 January. When that day is not a
//     working day the period ends at 24:00 of the next working day (Civil
//     Code art. 203, as rule 3 applies it): 31 January 2026 is a Saturday,
//     so November 2025's claims close at 24:00 on Monday 2 February.
//
// Errors come from the calendar (a period outside years 0001–9998).
func ClaimWindow(p Period, cal *calendar.Calendar) (Window, error) {
	if !p.Valid() {
		return Window{}, fmt.Errorf("period %s: no such month in years 0001-9998", p)
	}
	next := p.Next()
	fifth, provOpen, err := cal.NthWorkingDay(next.Year, next.Month, OpensAfterWorkingDay)
	if err != nil {
		return Window{}, fmt.Errorf("claim window of %s: opening: %w", p, err)
	}
	// The second month after p; p.Valid keeps it inside year 9999.
	last := p
	for range ClosesAfterMonths {
		last = last.Next()
	}
	lastDay := last.LastDay()
	closing, err := cal.Deadline(lastDay.Start(), calendar.Spec{Kind: calendar.NaturalDays, N: 0})
	if err != nil {
		return Window{}, fmt.Errorf("claim window of %s: closing: %w", p, err)
	}
	return Window{
		Period:          p,
		Opens:           fifth.AddDays(1).Start(),
		Closes:          closing.Deadline,
		Provisional:     provOpen || closing.Provisional,
		CalendarVersion: cal.Version(),
	}, nil
}

// Contains reports whether a claim at instant at is inside the window.
func (w Window) Contains(at time.Time) bool { return !at.Before(w.Opens) && at.Before(w.Closes) }

// Errors a refused claim wraps.
var (
	// ErrClaimNotOpen: the claim came before the window opens.
	ErrClaimNotOpen = errors.New("the claim window is not open yet")
	// ErrClaimClosed: the claim came at or after the window closes.
	ErrClaimClosed = errors.New("the claim window has closed")
)

// ClaimError refuses a claim outside its window and names the window.
type ClaimError struct {
	At     time.Time
	Window Window
	// Err is ErrClaimNotOpen or ErrClaimClosed.
	Err error
}

// Error names the claim's instant and the window, in CST:
// "claim at 2026-10-13T23:59:00+08:00 refused: the claim window is not open
// yet (period 2026-09: opens 2026-10-14T00:00:00+08:00, closes
// 2026-12-01T00:00:00+08:00)".
func (e *ClaimError) Error() string {
	cst := calendar.Zone()
	s := fmt.Sprintf("claim at %s refused: %v (period %s: opens %s, closes %s",
		e.At.In(cst).Format(time.RFC3339), e.Err, e.Window.Period,
		e.Window.Opens.In(cst).Format(time.RFC3339), e.Window.Closes.In(cst).Format(time.RFC3339))
	if e.Window.Provisional {
		s += ", provisional"
	}
	return s + ")"
}

// Unwrap returns ErrClaimNotOpen or ErrClaimClosed.
func (e *ClaimError) Unwrap() error { return e.Err }

// CheckClaim returns nil when a claim at instant at falls inside window w,
// and otherwise a *ClaimError wrapping ErrClaimNotOpen or ErrClaimClosed.
func CheckClaim(at time.Time, w Window) error {
	switch {
	case at.Before(w.Opens):
		return &ClaimError{At: at, Window: w, Err: ErrClaimNotOpen}
	case !at.Before(w.Closes):
		return &ClaimError{At: at, Window: w, Err: ErrClaimClosed}
	}
	return nil
}
