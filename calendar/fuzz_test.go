package calendar

import (
	"errors"
	"testing"
	"time"
)

// refCalendar is a slow, table-free model of rules 1 and 6, built only from
// the calendar's files, that the fuzz test checks the fast paths against.
type refCalendar struct {
	listed      map[Date]bool // date -> working
	first, last int
}

func newRef(c *Calendar) *refCalendar {
	r := &refCalendar{listed: make(map[Date]bool)}
	r.first, r.last = c.Years()
	for _, f := range c.Files() {
		for _, d := range f.Days {
			r.listed[d.Date] = !d.Off
		}
	}
	return r
}

func (r *refCalendar) working(d Date) (working, provisional bool) {
	if w, ok := r.listed[d]; ok {
		return w, false
	}
	wd := d.Weekday()
	weekday := wd != time.Saturday && wd != time.Sunday
	if d.Year >= r.first && d.Year <= r.last {
		return weekday, false
	}
	fixed := (d.Month == time.January && d.Day == 1) || (d.Month == time.May && d.Day == 1) ||
		(d.Month == time.October && d.Day <= 3)
	return weekday && !fixed, true
}

// businessOverlap is the business time inside [from, to] under hours h.
func (r *refCalendar) businessOverlap(from, to time.Time, h Hours) time.Duration {
	var total time.Duration
	for d := DateOf(from); !d.After(DateOf(to)); d = d.AddDays(1) {
		if w, _ := r.working(d); !w {
			continue
		}
		open, closing := d.Start().Add(h.Open), d.Start().Add(h.Close)
		lo, hi := open, closing
		if from.After(lo) {
			lo = from
		}
		if to.Before(hi) {
			hi = to
		}
		if hi.After(lo) {
			total += hi.Sub(lo)
		}
	}
	return total
}

// fuzzBase and fuzzSpan place fuzzed instants between 2022 and 2030, so that
// they fall before, inside and after the embedded 2024–2026 data.
var (
	fuzzBase = time.Date(2022, 1, 1, 0, 0, 0, 0, cst)
	fuzzSpan = uint64(8 * 366 * 24 * 3600)
)

func FuzzDeadline(f *testing.F) {
	seeds := []struct {
		sec        uint64
		delta      uint32
		n          uint16
		kind       uint8
		open, span uint16
	}{
		{uint64(mustTime(f, "2026-09-29T10:00:00+08:00").Sub(fuzzBase) / time.Second), 3600, 5, 0, 540, 480},
		{uint64(mustTime(f, "2026-09-29T17:30:00Z").Sub(fuzzBase) / time.Second), 60, 5, 0, 540, 480},
		{uint64(mustTime(f, "2026-09-30T16:00:00+08:00").Sub(fuzzBase) / time.Second), 7200, 120, 3, 540, 480},
		{uint64(mustTime(f, "2026-10-09T16:30:00+08:00").Sub(fuzzBase) / time.Second), 1, 120, 3, 540, 540},
		{uint64(mustTime(f, "2026-12-28T10:00:00+08:00").Sub(fuzzBase) / time.Second), 86400, 5, 0, 0, 0},
		{uint64(mustTime(f, "2026-12-31T16:00:00+08:00").Sub(fuzzBase) / time.Second), 0, 120, 3, 540, 480},
		{uint64(mustTime(f, "2024-02-29T10:00:00+08:00").Sub(fuzzBase) / time.Second), 0, 12, 2, 0, 0},
		{uint64(mustTime(f, "2026-09-29T10:00:00+08:00").Sub(fuzzBase) / time.Second), 0, 5, 1, 0, 0},
		{uint64(mustTime(f, "2023-12-29T23:59:59+08:00").Sub(fuzzBase) / time.Second), 2, 3, 0, 0, 0},
		{uint64(mustTime(f, "2025-01-24T08:00:00+08:00").Sub(fuzzBase) / time.Second), 999, 1000, 3, 0, 1439},
		{0, 0, 0, 4, 0, 0},
		{fuzzSpan - 1, ^uint32(0), 65535, 3, 1439, 0},
	}
	for _, s := range seeds {
		f.Add(s.sec, s.delta, s.n, s.kind, s.open, s.span)
	}
	c := China()
	ref := newRef(c)
	f.Fuzz(func(t *testing.T, sec uint64, delta uint32, n16 uint16, kind uint8, open, span uint16) {
		from := fuzzBase.Add(time.Duration(sec%fuzzSpan) * time.Second)
		later := from.Add(time.Duration(delta) * time.Second)
		n := int(n16)
		openMin := int(open) % (24 * 60)
		closeMin := openMin + 1 + int(span)%(24*60-openMin)
		hours := Hours{Open: time.Duration(openMin) * time.Minute, Close: time.Duration(closeMin) * time.Minute}

		k := Kinds()[int(kind)%len(Kinds())]
		spec := Spec{Kind: k, N: n}
		switch k {
		case WorkingDays:
			spec.N = n % 2000
		case NaturalDays:
			spec.N = n % 3000
		case Months:
			spec.N = n % 150
		case BusinessMinutes:
			spec.Hours = hours
		}
		deadline := func(at time.Time, s Spec) (Result, bool) {
			t.Helper()
			res, err := c.Deadline(at, s)
			if err != nil {
				var fe *FieldError
				if s.Kind == BusinessMinutes && errors.As(err, &fe) && fe.Field == "n" {
					return Result{}, false // longer than MaxWorkingDays of these hours
				}
				t.Fatalf("Deadline(%v, %+v): %v", at, s, err)
			}
			if res.Deadline.Before(at) {
				t.Fatalf("Deadline(%v, %+v) = %v, before the start", at, s, res.Deadline)
			}
			if _, off := res.Deadline.Zone(); off != cstOffset {
				t.Fatalf("deadline %v not in +08:00", res.Deadline)
			}
			return res, true
		}

		res, ok := deadline(from, spec)
		if !ok {
			return
		}
		next := spec
		next.N++
		resNext, okNext := deadline(from, next)
		resLater, okLater := deadline(later, spec)
		start := DateOf(from)

		switch k {
		case WorkingDays:
			end := DateOf(res.Deadline).AddDays(-1)
			if !res.Deadline.Equal(end.AddDays(1).Start()) {
				t.Fatalf("deadline %v is not a midnight", res.Deadline)
			}
			count, prov := 0, false
			for d := start.AddDays(1); !d.After(end); d = d.AddDays(1) {
				w, p := ref.working(d)
				prov = prov || p
				if w {
					count++
				}
			}
			if count != spec.N {
				t.Fatalf("%v + %d working days = %v: window holds %d working days", from, spec.N, res.Deadline, count)
			}
			if w, _ := ref.working(end); spec.N > 0 && !w {
				t.Fatalf("%v + %d working days ends on non-working %s", from, spec.N, end)
			}
			if spec.N == 0 && end != start {
				t.Fatalf("%v + 0 working days = %v", from, res.Deadline)
			}
			if prov != res.Provisional {
				t.Fatalf("%v + %d working days: provisional %v, reference %v", from, spec.N, res.Provisional, prov)
			}
			if !resNext.Deadline.After(res.Deadline) {
				t.Fatalf("not strictly monotonic in n: %d -> %v, %d -> %v", spec.N, res.Deadline, next.N, resNext.Deadline)
			}
			if resLater.Deadline.Before(res.Deadline) {
				t.Fatalf("not monotonic in start: %v -> %v, %v -> %v", from, res.Deadline, later, resLater.Deadline)
			}
		case NaturalDays:
			end := DateOf(res.Deadline).AddDays(-1)
			target := start.AddDays(spec.N)
			if end.Before(target) {
				t.Fatalf("%v + %d natural days ends on %s, before %s", from, spec.N, end, target)
			}
			prov := false
			for d := target; !d.After(end); d = d.AddDays(1) {
				w, p := ref.working(d)
				prov = prov || p
				if w != (d == end) {
					t.Fatalf("%v + %d natural days = %s: %s working=%v", from, spec.N, end, d, w)
				}
			}
			if prov != res.Provisional {
				t.Fatalf("%v + %d natural days: provisional %v, reference %v", from, spec.N, res.Provisional, prov)
			}
			if resNext.Deadline.Before(res.Deadline) || resLater.Deadline.Before(res.Deadline) {
				t.Fatal("natural days not monotonic")
			}
		case Months:
			if resNext.Deadline.Before(res.Deadline) || resLater.Deadline.Before(res.Deadline) || res.Provisional {
				t.Fatal("months not monotonic or provisional")
			}
		case BusinessMinutes:
			got := ref.businessOverlap(from, res.Deadline, hours)
			if want := time.Duration(spec.N) * time.Minute; got != want {
				t.Fatalf("%v + %d business minutes (%s) = %v: %v of business time", from, spec.N, hours, res.Deadline, got)
			}
			endDay := DateOf(res.Deadline)
			off := res.Deadline.Sub(endDay.Start())
			if spec.N > 0 && res.Deadline.Equal(endDay.Start()) && hours.Close == 24*time.Hour {
				endDay, off = endDay.AddDays(-1), 24*time.Hour // closing at 24:00
			}
			w, _ := ref.working(endDay)
			if !res.Deadline.Equal(from) && (!w || off < hours.Open || off > hours.Close) {
				t.Fatalf("%v + %d business minutes (%s) = %v, outside hours", from, spec.N, hours, res.Deadline)
			}
			prov := false
			for d := start; !d.After(endDay); d = d.AddDays(1) {
				_, p := ref.working(d)
				prov = prov || p
			}
			if prov != res.Provisional {
				t.Fatalf("%v + %d business minutes: provisional %v, reference %v", from, spec.N, res.Provisional, prov)
			}
			if okNext && !resNext.Deadline.After(res.Deadline) {
				t.Fatalf("business minutes not strictly monotonic in n: %v, %v", res.Deadline, resNext.Deadline)
			}
			if okLater && resLater.Deadline.Before(res.Deadline) {
				t.Fatalf("business minutes not monotonic in start: %v -> %v, %v -> %v", from, res.Deadline, later, resLater.Deadline)
			}
		case Minutes:
			if !res.Deadline.Equal(from.Add(time.Duration(spec.N)*time.Minute)) || res.Provisional {
				t.Fatalf("minutes: %v + %d = %v", from, spec.N, res.Deadline)
			}
		}
	})
}
