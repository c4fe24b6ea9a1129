package load

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"sync"
	"time"
)

// Record is one action that succeeded, as the exactly-once check needs it.
type Record struct {
	Action string `json:"action"`
	Ref    Ref    `json:"ref"`
	// RequestID is the request ID its events carry ("" when only a replayed
	// answer was seen, which does not name it).
	RequestID string `json:"request_id,omitempty"`
	// StartEvent, for a start, is the event type it records; Events are
	// the sequence numbers an update's answer listed.
	StartEvent string  `json:"start_event,omitempty"`
	Events     []int64 `json:"events,omitempty"`
}

// recorder collects outcomes from every running unit.
type recorder struct {
	mu      sync.Mutex
	actions map[string]*actionStats
	ok      []Record
	total   int
	failed  int
}

type actionStats struct {
	latencies []time.Duration
	errors    map[string]int
	retries   int
}

func newRecorder() *recorder { return &recorder{actions: map[string]*actionStats{}} }

func (r *recorder) add(c call, out outcome) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.actions[c.action]
	if s == nil {
		s = &actionStats{errors: map[string]int{}}
		r.actions[c.action] = s
	}
	r.total++
	s.retries += out.retries
	if out.err != "" {
		r.failed++
		s.errors[out.err]++
		return
	}
	s.latencies = append(s.latencies, out.latency)
	rec := Record{Action: c.action, Ref: c.ref, RequestID: out.requestID, StartEvent: string(c.startEvent)}
	for _, e := range out.events {
		rec.Events = append(rec.Events, e.Seq)
	}
	r.ok = append(r.ok, rec)
}

// counts answers the actions done so far and how many failed.
func (r *recorder) counts() (total, failed int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.total, r.failed
}

// ActionReport is one row of the report.
type ActionReport struct {
	Action string `json:"action"`
	// Count is every attempt, OK the successes; Errors counts failures by
	// type (http-409 urn:…:action-refused state, transport, sdk …).
	Count   int            `json:"count"`
	OK      int            `json:"ok"`
	Errors  map[string]int `json:"errors,omitempty"`
	Retries int            `json:"retries"`
	// Latencies of the successes, in milliseconds.
	P50  float64 `json:"p50_ms"`
	P95  float64 `json:"p95_ms"`
	P99  float64 `json:"p99_ms"`
	Mean float64 `json:"mean_ms"`
	// PerSecond is OK over the run's wall time.
	PerSecond float64 `json:"per_second"`
}

// Report is what a run measured.
type Report struct {
	Via       string         `json:"via"`
	Scenarios int            `json:"scenarios"`
	Elapsed   float64        `json:"elapsed_seconds"`
	Actions   []ActionReport `json:"actions"`
	// Total, Failed and PerSecond sum over every action.
	Total     int     `json:"total"`
	Failed    int     `json:"failed"`
	PerSecond float64 `json:"per_second"`
	// Check is the exactly-once check's result; nil when it was not run.
	Check *CheckResult `json:"check,omitempty"`
	// Records are the successful actions (in the JSON file only).
	Records []Record `json:"-"`
}

// report summarises the recorder after a run of elapsed.
func (r *recorder) report(via string, scenarios int, elapsed time.Duration) *Report {
	r.mu.Lock()
	defer r.mu.Unlock()
	rep := &Report{Via: via, Scenarios: scenarios, Elapsed: elapsed.Seconds(), Total: r.total, Failed: r.failed,
		Records: slices.Clone(r.ok)}
	secs := max(elapsed.Seconds(), 1e-9)
	rep.PerSecond = float64(r.total-r.failed) / secs
	names := make([]string, 0, len(r.actions))
	for n := range r.actions {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		s := r.actions[n]
		lat := slices.Clone(s.latencies)
		slices.Sort(lat)
		a := ActionReport{Action: n, OK: len(lat), Retries: s.retries, PerSecond: float64(len(lat)) / secs}
		for _, c := range s.errors {
			a.Count += c
		}
		a.Count += len(lat)
		if len(s.errors) > 0 {
			a.Errors = map[string]int{}
			for k, v := range s.errors {
				a.Errors[k] = v
			}
		}
		if len(lat) > 0 {
			a.P50, a.P95, a.P99 = ms(percentile(lat, 50)), ms(percentile(lat, 95)), ms(percentile(lat, 99))
			var sum time.Duration
			for _, l := range lat {
				sum += l
			}
			a.Mean = ms(sum / time.Duration(len(lat)))
		}
		rep.Actions = append(rep.Actions, a)
	}
	return rep
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// percentile answers the p-th percentile of sorted (nearest rank).
func percentile(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := (p*len(sorted) + 99) / 100
	return sorted[min(max(rank, 1), len(sorted))-1]
}

// Action answers the row of action, or false.
func (r *Report) Action(action string) (ActionReport, bool) {
	for _, a := range r.Actions {
		if a.Action == action {
			return a, true
		}
	}
	return ActionReport{}, false
}

// WriteTable prints the report as a table: one row per action, then the
// totals, errors by type and the check.
func (r *Report) WriteTable(w io.Writer) {
	fmt.Fprintf(w, "via %s: %d scenarios in %.1fs, %d actions (%d failed), %.1f actions/s\n",
		r.Via, r.Scenarios, r.Elapsed, r.Total, r.Failed, r.PerSecond)
	fmt.Fprintf(w, "%-26s %7s %7s %7s %9s %9s %9s %9s %8s\n", "action", "count", "ok", "retries", "p50 ms", "p95 ms", "p99 ms", "mean ms", "ok/s")
	for _, a := range r.Actions {
		fmt.Fprintf(w, "%-26s %7d %7d %7d %9.1f %9.1f %9.1f %9.1f %8.2f\n", a.Action, a.Count, a.OK, a.Retries, a.P50, a.P95, a.P99, a.Mean, a.PerSecond)
	}
	for _, a := range r.Actions {
		keys := make([]string, 0, len(a.Errors))
		for k := range a.Errors {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(w, "  error %-24s %5d× %s\n", a.Action, a.Errors[k], k)
		}
	}
	if c := r.Check; c != nil {
		if c.OK() {
			fmt.Fprintf(w, "exactly once: ok (%d actions on %d resources found once each in the read model)\n", c.Actions, c.Resources)
		} else {
			fmt.Fprintf(w, "exactly once: FAILED, %d problem(s) in %d actions on %d resources\n", len(c.Problems), c.Actions, c.Resources)
			for i, p := range c.Problems {
				if i == 20 {
					fmt.Fprintf(w, "  … and %d more\n", len(c.Problems)-i)
					break
				}
				fmt.Fprintf(w, "  %s\n", p)
			}
		}
	}
}
