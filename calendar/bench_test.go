package calendar

import (
	"testing"
	"time"
)

// sink keeps the compiler from discarding benchmarked results.
var sink Result

func benchmarkDeadline(b *testing.B, spec Spec) {
	c := China()
	// Start instants spread over the data years, so the benchmark is not one
	// cached path; all fall inside the dense tables.
	froms := make([]time.Time, 64)
	for i := range froms {
		froms[i] = time.Date(2024, 1, 3, 10, 30, 0, 0, cst).Add(time.Duration(i) * 17 * 24 * time.Hour)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		res, err := c.Deadline(froms[i%len(froms)], spec)
		if err != nil {
			b.Fatal(err)
		}
		sink = res
	}
}

func BenchmarkAddWorkingDays5(b *testing.B) {
	benchmarkDeadline(b, Spec{Kind: WorkingDays, N: 5})
}

func BenchmarkAddBusinessMinutes120(b *testing.B) {
	benchmarkDeadline(b, Spec{Kind: BusinessMinutes, N: 120, Hours: Hours{Open: 9 * time.Hour, Close: 17 * time.Hour}})
}

func BenchmarkAddNaturalDays90(b *testing.B) {
	benchmarkDeadline(b, Spec{Kind: NaturalDays, N: 90})
}
