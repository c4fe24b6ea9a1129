package scale_test

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sowflow/sowflow/testenv"
	"github.com/sowflow/sowflow/workflows"
)

// binary is the sowflow binary TestMain builds.
var binary string

func TestMain(m *testing.M) {
	// One fixed path, rebuilt by every run, so runs leave no binaries behind.
	dir := filepath.Join(os.TempDir(), "sowflow-scale-test")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "sowflow")
	// Built beside it and renamed over it, so a run in another package
	// process keeps the binary its processes started from.
	fresh := fmt.Sprintf("%s.%d", binary, os.Getpid())
	build := exec.Command("go", "build", "-o", fresh, "../cmd/sowflow")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "build sowflow: %v\n", err)
		os.Exit(1)
	}
	if err := os.Rename(fresh, binary); err != nil {
		fmt.Fprintf(os.Stderr, "build sowflow: %v\n", err)
		os.Exit(1)
	}
	testenv.Main(m, testenv.Postgres(), testenv.Temporal(workflows.SearchAttributes()))
}

// cluster is a set of sowflow processes sharing the package's Temporal
// server, database and a task queue of their own.
type cluster struct {
	t   *testing.T
	dir string
	env []string
	mu  sync.Mutex
	all []*proc
}

func newCluster(t *testing.T, extra ...string) *cluster {
	t.Helper()
	env := testenv.Get(t)
	c := &cluster{t: t, dir: t.TempDir()}
	c.env = append(os.Environ(),
		"DATABASE_URL="+env.DatabaseURL,
		"TEMPORAL_ADDRESS="+env.Temporal.GetFrontendHostPort(),
		"TEMPORAL_NAMESPACE="+env.Namespace,
		"TEMPORAL_TASK_QUEUE=scale-"+strings.ReplaceAll(t.Name(), "/", "-"),
		"SOWFLOW_LOG_FORMAT=text",
		"SOWFLOW_LOG_LEVEL=warn",
		"SOWFLOW_SHUTDOWN_TIMEOUT=5s",
	)
	c.env = append(c.env, extra...)
	t.Cleanup(c.stopAll)
	return c
}

// proc is one running sowflow process.
type proc struct {
	name string
	args []string
	env  []string
	cmd  *exec.Cmd
	log  string
	// url is an API's base URL.
	url  string
	done chan struct{}
}

// freeAddr answers a loopback address with a port free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// start runs `sowflow args...` as name, logging to a file of its own.
func (c *cluster) start(name string, env []string, args ...string) *proc {
	c.t.Helper()
	p := &proc{name: name, args: args, env: env, log: filepath.Join(c.dir, name+".log")}
	c.launch(p)
	c.mu.Lock()
	c.all = append(c.all, p)
	c.mu.Unlock()
	return p
}

func (c *cluster) launch(p *proc) {
	c.t.Helper()
	f, err := os.OpenFile(p.log, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		c.t.Fatal(err)
	}
	cmd := exec.Command(binary, p.args...)
	cmd.Env = append(append([]string{}, c.env...), p.env...)
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		f.Close()
		c.t.Fatalf("start %s: %v", p.name, err)
	}
	p.cmd, p.done = cmd, make(chan struct{})
	go func() {
		_ = cmd.Wait()
		f.Close()
		close(p.done)
	}()
}

// api starts `sowflow api` on a free port and waits until it is ready.
func (c *cluster) api(name string) *proc {
	c.t.Helper()
	addr := freeAddr(c.t)
	p := c.start(name, []string{"SOWFLOW_HTTP_ADDR=" + addr}, "api")
	p.url = "http://" + addr
	c.ready(p)
	return p
}

// worker starts `sowflow worker`.
func (c *cluster) worker(name string, env ...string) *proc {
	c.t.Helper()
	return c.start(name, env, "worker")
}

// ready polls p's /readyz until it answers 200.
func (c *cluster) ready(p *proc) {
	c.t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-p.done:
			c.t.Fatalf("%s exited before it was ready:\n%s", p.name, tail(p.log))
		default:
		}
		res, err := http.Get(p.url + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(100 * time.Millisecond) // polling the real condition
	}
	c.t.Fatalf("%s not ready after 90s:\n%s", p.name, tail(p.log))
}

// kill sends sig to p and waits for it to exit.
func (c *cluster) kill(p *proc, sig syscall.Signal) {
	c.t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		c.t.Fatalf("signal %s: %v", p.name, err)
	}
	select {
	case <-p.done:
	case <-time.After(60 * time.Second):
		c.t.Fatalf("%s did not exit after %s", p.name, sig)
	}
}

// restart starts p again with the same arguments (an API on the same
// address) and, for an API, waits until it is ready.
func (c *cluster) restart(p *proc) {
	c.t.Helper()
	c.launch(p)
	if p.url != "" {
		c.ready(p)
	}
}

func (c *cluster) stopAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, p := range c.all {
		select {
		case <-p.done:
			continue
		default:
		}
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(20 * time.Second):
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	}
	if c.t.Failed() {
		for _, p := range c.all {
			c.t.Logf("%s log:\n%s", p.name, tail(p.log))
		}
	}
}

// tail answers the last lines of a log file.
func tail(file string) string {
	raw, _ := os.ReadFile(file)
	lines := bytes.Split(bytes.TrimSpace(raw), []byte("\n"))
	if len(lines) > 40 {
		lines = lines[len(lines)-40:]
	}
	return string(bytes.Join(lines, []byte("\n")))
}

// rss answers p's resident set size in bytes (Linux).
func rss(p *proc) (int64, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	for line := range strings.SplitSeq(string(raw), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb * 1024, err
		}
	}
	return 0, fmt.Errorf("no VmRSS in /proc/%d/status", p.cmd.Process.Pid)
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(ctx context.Context, t *testing.T, what string, within time.Duration, cond func() bool) time.Duration {
	t.Helper()
	began := time.Now()
	deadline := began.Add(within)
	for !cond() {
		if time.Now().After(deadline) || ctx.Err() != nil {
			t.Fatalf("%s: not within %s", what, within)
		}
		time.Sleep(100 * time.Millisecond) // polling the real condition
	}
	return time.Since(began)
}
