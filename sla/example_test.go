package sla_test

import (
	"fmt"
	"time"

	"github.com/sowflow/sowflow/calendar"
	"github.com/sowflow/sowflow/sla"
)

// An Enterprise Email account was unavailable for 432 minutes in September
// 2026: exactly 99.00%, the floor of the 10% tier.
func Example() {
	p, _ := sla.ParsePeriod("2026-09")
	a, _ := sla.EmailAvailability(p.Days(), 432)
	fee, _ := sla.MonthlyFee(1234, 1) // 12.34 paid for the month
	amount, _ := sla.Amount(fee, sla.Compensation(a))
	w, _ := sla.ClaimWindow(p, calendar.China())
	fmt.Println(a, sla.Compensation(a), sla.FormatCents(sla.FloorCents(amount)))
	fmt.Println(w.Opens.Format(time.RFC3339), w.Closes.Format(time.RFC3339), w.Provisional)
	fmt.Println(sla.CheckClaim(time.Date(2026, 12, 1, 0, 0, 0, 0, calendar.Zone()), w))
	// Output:
	// 99.00 10 1.23
	// 2026-10-14T00:00:00+08:00 2026-12-01T00:00:00+08:00 false
	// claim at 2026-12-01T00:00:00+08:00 refused: the claim window has closed (period 2026-09: opens 2026-10-14T00:00:00+08:00, closes 2026-12-01T00:00:00+08:00)
}
