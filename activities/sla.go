package activities

import (
	"context"
	"fmt"
	"math/big"

	"go.temporal.io/sdk/temporal"

	"github.com/sowflow/sowflow/calendar"
	"github.com/sowflow/sowflow/sla"
	"github.com/sowflow/sowflow/workflows"
)

// SLAMethod names package sla's computation in workflows.SLAComputation's
// Method.
const SLAMethod = "sla-v1"

// SLA computes the mail SLA of seed 004 for the SLA period workflow with
// package sla (DESIGN.md rule 7). Register ClaimWindow under
// workflows.SLAClaimWindowActivity and Compute under
// workflows.SLAComputeActivity; the workflow runs them as local activities
// by those names, so their results are recorded in history and a replay
// never recomputes them from the data compiled into the binary.
type SLA struct {
	// Calendar returns the calendar in force. It is called once per claim
	// window, so a calendar reloaded at run time is used from the next
	// computation on. Nil, or a nil result, means calendar.China().
	Calendar func() *calendar.Calendar
}

// ClaimWindow computes the claim window of in.Period with sla.ClaimWindow
// on the calendar in force: claims open after the 5th working day of the
// next month and close at the end of the second month after the period,
// extended past a day that is not a working day. An invalid period fails with a
// non-retryable application error of type
// workflows.InvalidSLARequestErrorType whose detail is "period".
func (s *SLA) ClaimWindow(_ context.Context, in workflows.SLAClaimWindowRequest) (workflows.SLAClaimWindow, error) {
	p, err := sla.ParsePeriod(in.Period)
	if err != nil {
		return workflows.SLAClaimWindow{}, invalidSLARequest("claim window", "period", err)
	}
	w, err := sla.ClaimWindow(p, s.current())
	if err != nil {
		return workflows.SLAClaimWindow{}, fmt.Errorf("claim window: %w", err)
	}
	return workflows.SLAClaimWindow{Opens: w.Opens, Closes: w.Closes, Provisional: w.Provisional,
		CalendarVersion: w.CalendarVersion}, nil
}

// Compute computes a period's availability and compensation with package
// sla, exactly: Email from the unavailable minutes (sla.EmailAvailability),
// Sendify from the 5-minute error rates (sla.SendifyAvailability); the tier
// from sla.Compensation and the voucher from sla.Amount, rounded down to a
// cent (sla.FloorCents) and so never above 50% of the fee. A request that
// cannot be computed fails with a non-retryable application error of type
// workflows.InvalidSLARequestErrorType whose detail is the field's name.
func (s *SLA) Compute(_ context.Context, in workflows.SLAComputeRequest) (workflows.SLAComputation, error) {
	const op = "compute sla"
	if _, err := sla.ParseService(string(in.Service)); err != nil {
		return workflows.SLAComputation{}, invalidSLARequest(op, "service", err)
	}
	if in.Days < 1 || in.Days > 31 {
		return workflows.SLAComputation{}, invalidSLARequest(op, "days", fmt.Errorf("%w (got %d)", sla.ErrDays, in.Days))
	}
	fee, err := sla.MonthlyFee(in.MonthlyFeeCents, 1)
	if err != nil {
		return workflows.SLAComputation{}, invalidSLARequest(op, "monthly_fee_cents", err)
	}
	out := workflows.SLAComputation{Service: in.Service, TotalMinutes: sla.Minutes(in.Days), Method: SLAMethod}
	var a sla.Availability
	switch sla.Service(in.Service) {
	case sla.Sendify:
		rates := make([]sla.ErrorRate, len(in.Intervals))
		for i, iv := range in.Intervals {
			rates[i] = sla.ErrorRate{Failed: iv.Failed, Valid: iv.Valid}
			if _, err := rates[i].Rate(); err != nil {
				return workflows.SLAComputation{}, invalidSLARequest(op, fmt.Sprintf("intervals[%d]", i), err)
			}
		}
		if a, err = sla.SendifyAvailability(in.Days, rates); err != nil {
			return workflows.SLAComputation{}, invalidSLARequest(op, "intervals", err)
		}
		n := sla.Intervals(in.Days)
		out.Intervals = n
		// Σ rates = n × (1 − a): exact, from the availability sla computed.
		sum := new(big.Rat).Sub(big.NewRat(1, 1), fraction(a))
		out.ErrorRateSum = sum.Mul(sum, new(big.Rat).SetInt64(n)).String()
	default:
		if a, err = sla.EmailAvailability(in.Days, in.UnavailableMinutes); err != nil {
			return workflows.SLAComputation{}, invalidSLARequest(op, "unavailable_minutes", err)
		}
		out.UnavailableMinutes = in.UnavailableMinutes
	}
	out.Availability = fraction(a).String()
	out.AvailabilityPct = percent4(a)
	out.CommitmentMet = a.Cmp(sla.Commitment()) >= 0
	out.CompensationPct = sla.Compensation(a)
	amount, err := sla.Amount(fee, out.CompensationPct)
	if err != nil {
		return workflows.SLAComputation{}, fmt.Errorf("%s: %w", op, err)
	}
	out.CompensationCents = sla.FloorCents(amount)
	return out, nil
}

// fraction returns the availability as a fraction of 1 (not of 100), the
// meaning of SLAComputation.Availability.
func fraction(a sla.Availability) *big.Rat {
	return new(big.Rat).Quo(a.Percent(), big.NewRat(100, 1))
}

// percent4 writes the availability in percent with four decimals, rounded
// down, so it never reads as a higher tier than it is: 99.89999…% is
// "99.8999".
func percent4(a sla.Availability) string {
	p := a.Percent()
	e4 := new(big.Int).Mul(p.Num(), big.NewInt(10_000))
	e4.Quo(e4, p.Denom()) // non-negative, so truncation is the floor
	whole, frac := new(big.Int).QuoRem(e4, big.NewInt(10_000), new(big.Int))
	return fmt.Sprintf("%s.%04d", whole, frac.Int64())
}

// invalidSLARequest is the non-retryable refusal of a request, naming the
// field in the message and as the error's detail.
func invalidSLARequest(op, field string, err error) error {
	return temporal.NewNonRetryableApplicationError(fmt.Sprintf("%s: %s: %v", op, field, err),
		workflows.InvalidSLARequestErrorType, err, field)
}

func (s *SLA) current() *calendar.Calendar {
	if s.Calendar != nil {
		if c := s.Calendar(); c != nil {
			return c
		}
	}
	return calendar.China()
}
