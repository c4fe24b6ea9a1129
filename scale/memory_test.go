package scale_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sowflow/sowflow/load"
	"github.com/sowflow/sowflow/store"
)

// memoryVariable names the number of live projects TestWorkerMemory holds;
// unset, the test is skipped (make measure-memory sets it to 10000).
const memoryVariable = "SOWFLOW_MEASURE_MEMORY"

// memoryLimit is the target: one worker holding 10,000 live projects stays
// below 1 GiB resident.
const memoryLimit = 1 << 30

// TestWorkerMemory measures one `sowflow worker` process holding many live
// projects, each with a running acceptance window (a Managed Services
// project whose first report is submitted): it adds the projects in five
// equal steps through one `sowflow api` and reads the worker's resident
// set size after each, printing a table (and writing it to
// $SOWFLOW_MEASURE_MEMORY_OUT when set). The worker's sticky cache is sized
// to hold every project, the worst case. It fails when the worker passes
// 1 GiB.
func TestWorkerMemory(t *testing.T) {
	raw := os.Getenv(memoryVariable)
	if raw == "" {
		t.Skipf("set %s=10000 (make measure-memory) to measure a worker's memory", memoryVariable)
	}
	total, err := strconv.Atoi(raw)
	if err != nil || total < 5 {
		t.Fatalf("%s=%q: want a number of projects, at least 5", memoryVariable, raw)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Hour)
	defer cancel()
	const customer = "memory-cust"
	tok := tokens(t, customer)
	c := newCluster(t, "SOWFLOW_WORKER_CACHE_SIZE="+strconv.Itoa(total+1000))
	api := c.api("api")
	w := c.worker("worker")
	drv := &load.APIDriver{URLs: []string{api.url}, KeyPrefix: fmt.Sprintf("mem-%d", time.Now().UnixNano()),
		Tokens: map[load.Party]string{load.Manager: tok[store.RoleManager], load.Customer: tok[store.RoleCustomer]},
		Client: &http.Client{Timeout: 2 * time.Minute}}

	// The worker at rest, polling, before any project.
	waitFor(ctx, t, "the worker polling", time.Minute, func() bool { n, err := rss(w); return err == nil && n > 0 })
	base, err := rss(w)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "| live projects | worker RSS (MiB) | per project since start (KiB) | wall time of the step |\n|---:|---:|---:|---:|\n")
	fmt.Fprintf(&b, "| 0 | %.0f | | |\n", float64(base)/(1<<20))
	t.Logf("worker at rest: RSS %.0f MiB", float64(base)/(1<<20))
	const steps = 5
	stamp := time.Now().Unix()
	held := 0
	var last int64
	for step := 1; step <= steps; step++ {
		n := total / steps
		began := time.Now()
		rep, err := load.Run(ctx, load.Config{Driver: drv, CustomerID: customer, Prefix: fmt.Sprintf("m%d-%d", stamp, step),
			Mix: map[load.Scenario]int{load.ScenarioHold: 1}, Count: n, Concurrency: 16, SkipCheck: true})
		if err != nil {
			t.Fatal(err)
		}
		// A machine starved of CPU may fail a stray action after every
		// retry; the measurement stands while nearly every project is live.
		if rep.Failed*100 > rep.Total {
			var sb strings.Builder
			rep.WriteTable(&sb)
			t.Fatalf("step %d: %d actions failed:\n%s", step, rep.Failed, sb.String())
		}
		held += n
		if last, err = rss(w); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "| %d | %.0f | %.1f | %s |\n", held, float64(last)/(1<<20), float64(last-base)/1024/float64(held), time.Since(began).Round(time.Second))
		t.Logf("%d live projects: worker RSS %.0f MiB", held, float64(last)/(1<<20))
	}
	t.Log("\n" + b.String())
	if out := os.Getenv("SOWFLOW_MEASURE_MEMORY_OUT"); out != "" {
		if err := os.WriteFile(out, []byte(b.String()), 0o644); err != nil {
			t.Error(err)
		}
	}
	if last > memoryLimit {
		t.Errorf("worker RSS %d MiB with %d live projects, target below 1024 MiB", last>>20, held)
	}
}
