package sla

import (
	"fmt"
	"math/big"
)

// Tier is a compensation tier of seed 004 ("3.1 Compensation Criteria"):
// an availability in [AtLeast, Below) earns Percent of the monthly service
// fee. AtLeast is nil for the lowest tier ("Below 95.00%").
type Tier struct {
	AtLeast *big.Rat
	Below   *big.Rat
	Percent int
}

// CapPercent caps the total compensation of a period: it "shall not exceed
// 50% of the Monthly Service Fee".
const CapPercent = 50

// Commitment returns the committed availability, 99.90%: "shall not be less
// than 99.90%". An availability at or above it earns nothing.
func Commitment() Availability { return Availability{pct: big.NewRat(9990, 100)} }

// Tiers returns the compensation tiers, the same for Email and Sendify, from
// the highest availability down:
//
//	[99.00%, 99.90%) → 10%   "Below 99.90% but equal to or above 99.00%"
//	[95.00%, 99.00%) → 20%   "Below 99.00% but equal to or above 95.00%"
//	[0,      95.00%) → 50%   "Below 95.00%"
func Tiers() []Tier {
	return []Tier{
		{AtLeast: big.NewRat(9900, 100), Below: big.NewRat(9990, 100), Percent: 10},
		{AtLeast: big.NewRat(9500, 100), Below: big.NewRat(9900, 100), Percent: 20},
		{AtLeast: nil, Below: big.NewRat(9500, 100), Percent: 50},
	}
}

// Compensation returns the compensation tier a period's availability earns,
// in percent of the monthly service fee: 0 at or above the 99.90%
// commitment, else 10, 20 or 50. Boundaries are exact: 99.00% earns 10, the
// least amount below it earns 20.
func Compensation(a Availability) int {
	pct := a.Percent()
	for _, t := range Tiers() {
		if pct.Cmp(t.Below) < 0 && (t.AtLeast == nil || pct.Cmp(t.AtLeast) >= 0) {
			return t.Percent
		}
	}
	return 0
}

// MonthlyFee returns the monthly service fee, in cents, of paid cents paid
// for months months: Email's "If the customer pays the service fee for
// multiple months in a lump sum, the Monthly Service Fee shall be apportioned
// according to the number of months purchased". The result is exact (it may
// hold a fraction of a cent). paid excludes fees offset by vouchers.
func MonthlyFee(paid int64, months int) (*big.Rat, error) {
	switch {
	case paid < 0:
		return nil, fmt.Errorf("fee must not be negative (got %d cents)", paid)
	case months < 1:
		return nil, fmt.Errorf("a fee covers at least 1 month (got %d)", months)
	}
	return big.NewRat(paid, int64(months)), nil
}

// Amount returns the compensation, in exact cents, for a monthly fee in
// cents and a compensation percent (from Compensation): percent of the fee,
// capped at CapPercent of it. It is an error when the fee is nil or
// negative or percent is outside 0–100.
func Amount(monthlyFee *big.Rat, percent int) (*big.Rat, error) {
	switch {
	case monthlyFee == nil || monthlyFee.Sign() < 0:
		return nil, fmt.Errorf("monthly fee %s cents is not an amount", ratString(monthlyFee))
	case percent < 0 || percent > 100:
		return nil, fmt.Errorf("compensation %d%% is outside 0-100", percent)
	}
	p := min(percent, CapPercent)
	out := new(big.Rat).Mul(monthlyFee, big.NewRat(int64(p), 100))
	return out, nil
}

// FloorCents rounds an exact amount of cents down to whole cents: a voucher
// never exceeds the compensation (nor, so, the cap). amount must be
// non-negative.
func FloorCents(amount *big.Rat) int64 {
	q := new(big.Int).Quo(amount.Num(), amount.Denom())
	return q.Int64()
}

// FormatCents writes whole cents as a decimal amount with two decimals:
// 123456 → "1234.56".
func FormatCents(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	return fmt.Sprintf("%s%d.%02d", sign, cents/100, cents%100)
}
