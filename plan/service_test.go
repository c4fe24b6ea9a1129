package plan_test

import (
	"testing"
	"time"

	"github.com/sowflow/sowflow/calendar"
	"github.com/sowflow/sowflow/plan"
)

// cst is the instant of a China Standard Time wall clock reading.
func cst(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, calendar.Zone())
}

func TestServicePeriods(t *testing.T) {
	tests := []struct {
		start, end time.Time
		n          int
		starts     map[int]string
		last       string
	}{
		{cst(2026, 1, 1, 0, 0), cst(2027, 1, 1, 0, 0), 12, map[int]string{0: "2026-01-01", 1: "2026-02-01", 11: "2026-12-01"}, "2027-01-01"},
		// Day 31 clamps per month, counted from the anchor (not chained).
		{cst(2026, 1, 31, 0, 0), cst(2027, 1, 31, 0, 0), 12, map[int]string{1: "2026-02-28", 2: "2026-03-31", 3: "2026-04-30"}, "2027-01-31"},
		// A short last month.
		{cst(2026, 1, 15, 9, 0), cst(2026, 3, 1, 0, 0), 2, map[int]string{0: "2026-01-15", 1: "2026-02-15"}, "2026-03-01"},
	}
	for _, tc := range tests {
		ps := plan.ServicePeriods(tc.start, tc.end)
		if len(ps) != tc.n {
			t.Errorf("%s: %d months, want %d", tc.start, len(ps), tc.n)
			continue
		}
		for i, w := range tc.starts {
			if got := ps[i].Start.Format(time.DateOnly); got != w {
				t.Errorf("%s: month %d starts %s, want %s", tc.start, i, got, w)
			}
		}
		if got := ps[len(ps)-1].End.Format(time.DateOnly); got != tc.last {
			t.Errorf("%s: last month ends %s, want %s", tc.start, got, tc.last)
		}
		for i := 1; i < len(ps); i++ {
			if !ps[i].Start.Equal(ps[i-1].End) {
				t.Errorf("%s: month %d does not start where %d ends", tc.start, i, i-1)
			}
		}
	}
}
