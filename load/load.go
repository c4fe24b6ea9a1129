// Package load drives a realistic mix of sowflow actions at a deployment and
// measures it: projects of several packages through their whole lifecycle,
// support services with tickets, mail-SLA months with outages (or, for a
// memory measurement, projects left waiting on an acceptance window). It
// runs a set number of concurrent clients or a set arrival rate, for a set
// duration or number of scenarios, through the HTTP API (APIDriver) or
// straight to Temporal with the SDK (SDKDriver), and reports, per action,
// the count, errors by type and latency percentiles, and the throughput.
// Afterwards Check proves that every action seen to succeed is recorded
// exactly once.
package load

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// Config says what to run.
type Config struct {
	Driver Driver
	// CustomerID is the customer every resource is started for (the
	// customer party's).
	CustomerID string
	// Prefix starts every resource ID; it must be new for every run
	// against the same deployment.
	Prefix string
	// Mix weighs the scenarios; nil means project 3, service 2, sla 1.
	Mix map[Scenario]int
	// Concurrency is the number of clients each running one scenario after
	// another; with Rate set it bounds the scenarios running at once
	// instead (0: unbounded).
	Concurrency int
	// Rate, when positive, starts this many scenarios per second whether
	// or not earlier ones finished (an open arrival model).
	Rate float64
	// Count stops after this many scenarios; Duration stops starting new
	// ones after this long. At least one must be set.
	Count    int
	Duration time.Duration
	// Progress, when set, gets a line every ProgressEvery (default 5 s).
	Progress      io.Writer
	ProgressEvery time.Duration
	// CheckParallel bounds the concurrent reads of the exactly-once check
	// (default 8); SkipCheck skips the check.
	CheckParallel int
	SkipCheck     bool
	// Observe, when set, is told of every action's outcome as it happens
	// (from many goroutines at once).
	Observe func(action string, ok bool)
}

// DefaultMix is the mix when Config.Mix is nil.
var DefaultMix = map[Scenario]int{ScenarioProject: 3, ScenarioService: 2, ScenarioSLA: 1}

// scenarioOrder fixes the order the mix's weights are laid out in.
var scenarioOrder = []Scenario{ScenarioProject, ScenarioService, ScenarioSLA, ScenarioHold}

// Run runs the load and then the exactly-once check.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if cfg.Driver == nil {
		return nil, errors.New("no driver")
	}
	if cfg.Count <= 0 && cfg.Duration <= 0 {
		return nil, errors.New("count or duration: set at least one")
	}
	if cfg.Rate <= 0 && cfg.Concurrency <= 0 {
		return nil, errors.New("concurrency: at least 1 without a rate")
	}
	mix := cfg.Mix
	if mix == nil {
		mix = DefaultMix
	}
	var wheel []Scenario
	for _, s := range scenarioOrder {
		for range mix[s] {
			wheel = append(wheel, s)
		}
	}
	if len(wheel) == 0 {
		return nil, errors.New("mix: no scenario has a weight")
	}

	rec := newRecorder()
	var issued, done atomic.Int64
	// next hands out scenario numbers until the count or the duration is
	// reached.
	runCtx := ctx
	if cfg.Duration > 0 {
		var cancel context.CancelFunc
		runCtx, cancel = context.WithTimeout(ctx, cfg.Duration)
		defer cancel()
	}
	next := func() (int, bool) {
		if runCtx.Err() != nil {
			return 0, false
		}
		n := int(issued.Add(1)) - 1
		if cfg.Count > 0 && n >= cfg.Count {
			return 0, false
		}
		return n, true
	}
	runOne := func(n int) {
		u := &unit{d: cfg.Driver, rec: rec, customer: cfg.CustomerID, id: fmt.Sprintf("%s-%d", cfg.Prefix, n), observe: cfg.Observe}
		// A scenario once begun runs to its end: its actions get the
		// outer context, so the duration does not cut lifecycles short.
		u.run(ctx, wheel[n%len(wheel)], n)
		done.Add(1)
	}

	began := time.Now()
	stopProgress := progress(cfg, rec, &done, began)
	var wg sync.WaitGroup
	if cfg.Rate > 0 {
		var sem chan struct{}
		if cfg.Concurrency > 0 {
			sem = make(chan struct{}, cfg.Concurrency)
		}
		tick := time.NewTicker(time.Duration(float64(time.Second) / cfg.Rate))
	arrivals:
		for {
			n, ok := next()
			if !ok {
				break
			}
			if sem != nil {
				select {
				case sem <- struct{}{}:
				case <-runCtx.Done():
					break arrivals
				}
			}
			wg.Go(func() {
				runOne(n)
				if sem != nil {
					<-sem
				}
			})
			select {
			case <-tick.C:
			case <-runCtx.Done():
				break arrivals
			}
		}
		tick.Stop()
	} else {
		for range cfg.Concurrency {
			wg.Go(func() {
				for {
					n, ok := next()
					if !ok {
						return
					}
					runOne(n)
				}
			})
		}
	}
	wg.Wait()
	elapsed := time.Since(began)
	stopProgress()

	rep := rec.report(cfg.Driver.Name(), int(done.Load()), elapsed)
	if !cfg.SkipCheck {
		rep.Check = Check(ctx, cfg.Driver.Events, rep.Records, max(cfg.CheckParallel, 8))
	}
	return rep, nil
}

// progress prints a line every cfg.ProgressEvery until the returned func is
// called.
func progress(cfg Config, rec *recorder, done *atomic.Int64, began time.Time) func() {
	if cfg.Progress == nil {
		return func() {}
	}
	every := cfg.ProgressEvery
	if every <= 0 {
		every = 5 * time.Second
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				total, failed := rec.counts()
				secs := time.Since(began).Seconds()
				fmt.Fprintf(cfg.Progress, "%6.0fs  %d scenarios done, %d actions (%d failed), %.1f actions/s\n",
					secs, done.Load(), total, failed, float64(total)/secs)
			}
		}
	})
	return func() {
		close(stop)
		wg.Wait()
	}
}
