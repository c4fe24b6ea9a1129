package devserver

import (
	"context"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
)

// BenchmarkWorkflowThroughput starts and completes echo workflows against a file-backed dev
// server, with one SDK worker in the same process and many workflows in flight, and reports
// workflows/s. The no-wal case opens the file in SQLite's default rollback-journal mode, to
// show what journal_mode=wal buys.
func BenchmarkWorkflowThroughput(b *testing.B) {
	for _, mode := range []struct {
		name       string
		disableWAL bool
	}{
		{"wal", false},
		{"no-wal", true},
	} {
		// The sub-benchmark runs once per b.N probe; the server lives across the probes and
		// only one server runs at a time.
		env := newBenchEnv(b, mode.disableWAL)
		b.Run(mode.name, func(sb *testing.B) {
			ctx := context.Background()
			sb.SetParallelism(16) // 16 x GOMAXPROCS workflows in flight
			sb.ResetTimer()
			sb.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					id := fmt.Sprintf("bench-%d", env.seq.Add(1))
					run, err := env.client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: testTaskQueue}, echoWorkflowName, id)
					if err != nil {
						sb.Errorf("start %s: %v", id, err)
						return
					}
					if err := run.Get(ctx, nil); err != nil {
						sb.Errorf("complete %s: %v", id, err)
						return
					}
				}
			})
			sb.ReportMetric(float64(sb.N)/sb.Elapsed().Seconds(), "workflows/s")
		})
		env.stop()
	}
}

type benchEnv struct {
	client client.Client
	seq    atomic.Int64
	stop   func()
}

// newBenchEnv starts a server on a fresh file and a worker; stop ends them.
func newBenchEnv(b *testing.B, disableWAL bool) *benchEnv {
	b.Helper()
	ctx := testContext(b)
	s := startTest(ctx, b, Options{
		DBFile:     filepath.Join(b.TempDir(), "temporal.db"),
		disableWAL: disableWAL,
	})
	c := dial(ctx, b, s, DefaultNamespace)
	w := worker.New(c, testTaskQueue, worker.Options{})
	registerTestWorkflows(w)
	if err := w.Start(); err != nil {
		b.Fatalf("start worker: %v", err)
	}
	return &benchEnv{client: c, stop: func() {
		w.Stop() // the client is closed by b's cleanup
		if err := s.Stop(); err != nil {
			b.Errorf("stop: %v", err)
		}
	}}
}
