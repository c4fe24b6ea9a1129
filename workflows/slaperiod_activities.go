package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/sowflow/sowflow/calendar"
)

// The SLA period workflow computes with package sla through two local
// activities (DESIGN.md rule 7: their results are recorded in history, so a
// replay reads them back instead of recomputing them with the calendar data
// or the arithmetic compiled into the binary). The workflow executes them by
// name; the worker registers activities.SLA's methods under these names.

// SLAClaimWindowActivity is the name of the claim-window local activity:
// SLAClaimWindowRequest in, SLAClaimWindow out.
const SLAClaimWindowActivity = "sla-claim-window"

// SLAComputeActivity is the name of the compute local activity:
// SLAComputeRequest in, SLAComputation out.
const SLAComputeActivity = "sla-compute"

// InvalidSLARequestErrorType is the Temporal application error type with
// which the SLA activities refuse a request they cannot compute; such
// failures are not retried, and the error's detail is the name of the
// offending field (period, service, days, unavailable_minutes,
// intervals[i], monthly_fee_cents).
const InvalidSLARequestErrorType = "InvalidSLARequest"

// SLAClaimWindowRequest is the input of SLAClaimWindowActivity.
type SLAClaimWindowRequest struct {
	// Period is the service period, YYYY-MM.
	Period string `json:"period"`
}

// SLAClaimWindow is a period's claim window, [Opens, Closes) in China
// Standard Time, as package sla computes it on the calendar in force:
// claims open after the 5th working day of the next month and close two
// months after the period's last day, extended to the next working day
// when that day is not one (Civil Code art. 203).
type SLAClaimWindow struct {
	Opens  time.Time `json:"opens"`
	Closes time.Time `json:"closes"`
	// Provisional is set when either instant depends on dates past the
	// calendar's data (DESIGN.md rule 6).
	Provisional bool `json:"provisional"`
	// CalendarVersion is the version of the calendar that computed it.
	CalendarVersion string `json:"calendar_version"`
}

// SLAComputeRequest is the input of SLAComputeActivity: what one period
// measured.
type SLAComputeRequest struct {
	Service SLAService `json:"service"`
	// Days is the number of days of the period (the month's day count).
	Days int `json:"days"`
	// UnavailableMinutes are the counted outage minutes (Email).
	UnavailableMinutes int64 `json:"unavailable_minutes"`
	// Intervals are the recorded 5-minute error intervals (Sendify); the
	// intervals not listed had no failures.
	Intervals []ErrorInterval `json:"intervals,omitempty"`
	// MonthlyFeeCents is the month's fee, in cents.
	MonthlyFeeCents int64 `json:"monthly_fee_cents"`
}

// slaActivityOptions are the local activity options of the SLA activities:
// pure arithmetic, so a short attempt, retried without limit (backing off
// to a minute) rather than failing a period at its end for a worker
// hiccup; a request the activity refuses is not retried.
var slaActivityOptions = workflow.LocalActivityOptions{
	StartToCloseTimeout: 2 * time.Second,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval:        100 * time.Millisecond,
		BackoffCoefficient:     2,
		MaximumInterval:        time.Minute,
		NonRetryableErrorTypes: []string{InvalidSLARequestErrorType},
	},
}

// computeSLAClaimWindow runs the claim-window local activity for period.
func computeSLAClaimWindow(ctx workflow.Context, period string) (SLAClaimWindow, error) {
	ctx = workflow.WithLocalActivityOptions(ctx, slaActivityOptions)
	var win SLAClaimWindow
	if err := workflow.ExecuteLocalActivity(ctx, SLAClaimWindowActivity, SLAClaimWindowRequest{Period: period}).Get(ctx, &win); err != nil {
		return SLAClaimWindow{}, fmt.Errorf("claim window of %s: %w", period, err)
	}
	win.Opens, win.Closes = win.Opens.In(calendar.Zone()), win.Closes.In(calendar.Zone())
	return win, nil
}

// computeSLA runs the compute local activity on a period's measurements.
func computeSLA(ctx workflow.Context, req SLAComputeRequest) (SLAComputation, error) {
	ctx = workflow.WithLocalActivityOptions(ctx, slaActivityOptions)
	var res SLAComputation
	if err := workflow.ExecuteLocalActivity(ctx, SLAComputeActivity, req).Get(ctx, &res); err != nil {
		return SLAComputation{}, fmt.Errorf("compute %s SLA: %w", req.Service, err)
	}
	return res, nil
}
