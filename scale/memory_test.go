package scale_test

import (
	"cmp"
	"context"
	"fmt"
	"io"
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
// 1 GiB. With $SOWFLOW_MEASURE_MEMORY_PPROF (host:port) the worker serves
// its profiles there and the test saves its heap profile at the end.
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
	var workerEnv []string
	profileAddr := os.Getenv("SOWFLOW_MEASURE_MEMORY_PPROF")
	if profileAddr != "" {
		workerEnv = append(workerEnv, "SOWFLOW_PPROF_ADDR="+profileAddr)
	}
	w := c.worker("worker", workerEnv...)
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
	fmt.Fprintf(&b, "| live projects | worker RSS (MiB) | per project added in the step (KiB) | wall time of the step |\n|---:|---:|---:|---:|\n")
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
		before := max(last, base)
		if last, err = rss(w); err != nil {
			t.Fatal(err)
		}
		// The first step also pays for the worker's first workflow tasks
		// (code paths, caches, connections), so its figure is the highest;
		// the later steps show the growth per live project.
		fmt.Fprintf(&b, "| %d | %.0f | %.1f | %s |\n", held, float64(last)/(1<<20), float64(last-before)/1024/float64(n), time.Since(began).Round(time.Second))
		t.Logf("%d live projects: worker RSS %.0f MiB", held, float64(last)/(1<<20))
	}
	t.Log("\n" + b.String())
	if out := os.Getenv("SOWFLOW_MEASURE_MEMORY_OUT"); out != "" {
		if err := os.WriteFile(out, []byte(b.String()), 0o644); err != nil {
			t.Error(err)
		}
	}
	if profileAddr != "" {
		saveHeapProfile(t, profileAddr, cmp.Or(os.Getenv("SOWFLOW_MEASURE_MEMORY_OUT"), "memory")+".heap.pb.gz")
	}
	if last > memoryLimit {
		t.Errorf("worker RSS %d MiB with %d live projects, target below 1024 MiB", last>>20, held)
	}
}

// saveHeapProfile writes the worker's heap profile, read from its
// SOWFLOW_PPROF_ADDR after a garbage collection, to path (go tool pprof).
func saveHeapProfile(t *testing.T, addr, path string) {
	t.Helper()
	res, err := http.Get("http://" + addr + "/debug/pprof/heap?gc=1")
	if err != nil {
		t.Errorf("heap profile: %v", err)
		return
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err == nil && res.StatusCode != http.StatusOK {
		err = fmt.Errorf("status %d", res.StatusCode)
	}
	if err == nil {
		err = os.WriteFile(path, body, 0o644)
	}
	if err != nil {
		t.Errorf("heap profile: %v", err)
		return
	}
	t.Logf("heap profile in %s", path)
}
