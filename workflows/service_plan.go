package workflows

import (
	"fmt"
	"time"

	"github.com/sowflow/sowflow/plan"
)

// periodSpan returns the first and last month indices of the period of the
// unit containing month m, clipped to the n months of the year.
func periodSpan(u plan.ServicePeriodUnit, m, n int) (first, last int) {
	k := u.Months()
	if k <= 0 {
		return 0, n - 1
	}
	first = m / k * k
	return first, min(first+k-1, n-1)
}

// periodLabel names the period of the unit containing month m, for events
// and refusals: "month 3 (2026-03-01 to 2026-03-31)".
func periodLabel(u plan.ServicePeriodUnit, periods []plan.ServicePeriod, m int) string {
	first, last := periodSpan(u, m, len(periods))
	var name string
	switch u {
	case plan.PeriodMonth:
		name = fmt.Sprintf("month %d", first+1)
	case plan.PeriodQuarter:
		name = fmt.Sprintf("quarter %d", first/3+1)
	default:
		name = "service year"
	}
	return fmt.Sprintf("%s (%s to %s)", name, periods[first].Start.Format(time.DateOnly),
		periods[last].End.Add(-time.Nanosecond).Format(time.DateOnly))
}
