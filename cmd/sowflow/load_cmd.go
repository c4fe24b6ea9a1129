package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/sowflow/sowflow/config"
	"github.com/sowflow/sowflow/load"
	"github.com/sowflow/sowflow/store"
	"github.com/sowflow/sowflow/workflows"
)

const loadUsage = `Usage: sowflow load [options]

Drives a realistic mix at a sowflow deployment and measures it: projects of
several packages through their lifecycle (start, submit, reject and
resubmit, accept, advance, final acceptance), support services with tickets
(open, respond, resolve, close) and mail-SLA months with outages. It prints
progress while it runs, then a table per action (count, errors by type,
p50/p95/p99 latency) and the throughput, and checks that every action it
saw succeed is recorded exactly once in the read model.

  --via api   (default) through the HTTP API at --url with the two tokens
  --via sdk   the same starts and Updates sent straight to Temporal
              (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_TASK_QUEUE,
              TEMPORAL_TLS_*, SOWFLOW_PAYLOAD_KEY as for the worker); the
              check then reads the read model at DATABASE_URL

Options:
`

// loadFlags are sowflow load's options.
type loadFlags struct {
	via, urls, managerToken, customerToken, customer, prefix, jsonFile, mix string
	concurrency, count                                                      int
	rate                                                                    float64
	duration, progressEvery                                                 time.Duration
	noCheck                                                                 bool
}

func newLoadFlags(stdout io.Writer) (*flag.FlagSet, *loadFlags) {
	f := &loadFlags{}
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	fs.SetOutput(stdout)
	env := func(name, def string) string {
		if v := os.Getenv(name); v != "" {
			return v
		}
		return def
	}
	fs.StringVar(&f.via, "via", "api", "api or sdk")
	fs.StringVar(&f.urls, "url", env("SOWFLOW_LOAD_URL", "http://127.0.0.1:8080"), "API base URL(s), comma-separated: calls go round robin and retry on the next (env SOWFLOW_LOAD_URL)")
	fs.StringVar(&f.managerToken, "manager-token", env("SOWFLOW_LOAD_MANAGER_TOKEN", ""), "a manager's API token (env SOWFLOW_LOAD_MANAGER_TOKEN)")
	fs.StringVar(&f.customerToken, "customer-token", env("SOWFLOW_LOAD_CUSTOMER_TOKEN", ""), "a customer's API token; resources are started for its customer (env SOWFLOW_LOAD_CUSTOMER_TOKEN)")
	fs.StringVar(&f.customer, "customer", "load-customer", "with --via sdk: the customer the resources are started for")
	fs.StringVar(&f.prefix, "prefix", "", "start of every resource ID (default: load-<time>; must be new per run)")
	fs.StringVar(&f.mix, "scenario", "project=3,service=2,sla=1", "the mix: weights of project, service, sla and hold (hold: a project left waiting on an acceptance window)")
	fs.IntVar(&f.concurrency, "concurrency", 8, "clients running scenarios one after another; with --rate, the most running at once (0: no bound)")
	fs.Float64Var(&f.rate, "rate", 0, "scenarios started per second (an open arrival rate) instead of closed-loop clients")
	fs.IntVar(&f.count, "count", 0, "stop after this many scenarios")
	fs.DurationVar(&f.duration, "duration", 0, "stop starting scenarios after this long (default 1m without --count)")
	fs.DurationVar(&f.progressEvery, "progress", 5*time.Second, "print progress this often (0: never)")
	fs.StringVar(&f.jsonFile, "json", "", "also write the report as JSON to this file")
	fs.BoolVar(&f.noCheck, "no-check", false, "skip the exactly-once check")
	return fs, f
}

// parseMix reads "project=3,service=2" into weights.
func parseMix(s string) (map[load.Scenario]int, error) {
	mix := map[load.Scenario]int{}
	known := map[load.Scenario]bool{load.ScenarioProject: true, load.ScenarioService: true, load.ScenarioSLA: true, load.ScenarioHold: true}
	for part := range strings.SplitSeq(s, ",") {
		name, weight, found := strings.Cut(strings.TrimSpace(part), "=")
		n := 1
		if found {
			var err error
			if n, err = strconv.Atoi(weight); err != nil || n < 0 {
				return nil, fmt.Errorf("--scenario: weight %q of %s is not a whole number", weight, name)
			}
		}
		if !known[load.Scenario(name)] {
			return nil, fmt.Errorf("--scenario: %q is not one of project, service, sla, hold", name)
		}
		mix[load.Scenario(name)] = n
	}
	return mix, nil
}

func runLoad(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs, f := newLoadFlags(stdout)
	fs.Usage = func() {
		fmt.Fprint(stdout, loadUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "sowflow load: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	mix, err := parseMix(f.mix)
	if err != nil {
		fmt.Fprintf(stderr, "sowflow load: %v\n", err)
		return 2
	}
	if f.count <= 0 && f.duration <= 0 {
		f.duration = time.Minute
	}
	if f.prefix == "" {
		f.prefix = "load-" + strconv.FormatInt(time.Now().Unix(), 36)
	}
	cfg := load.Config{Prefix: f.prefix, Mix: mix, Concurrency: f.concurrency, Rate: f.rate, Count: f.count, Duration: f.duration,
		ProgressEvery: f.progressEvery, SkipCheck: f.noCheck}
	if f.progressEvery > 0 {
		cfg.Progress = stderr
	}
	switch f.via {
	case "api":
		if f.managerToken == "" || f.customerToken == "" {
			fmt.Fprintln(stderr, "sowflow load: --manager-token and --customer-token (or SOWFLOW_LOAD_MANAGER_TOKEN, SOWFLOW_LOAD_CUSTOMER_TOKEN) are required with --via api")
			return 2
		}
		var urls []string
		for u := range strings.SplitSeq(f.urls, ",") {
			urls = append(urls, strings.TrimSuffix(strings.TrimSpace(u), "/"))
		}
		drv := &load.APIDriver{URLs: urls, KeyPrefix: f.prefix, Client: &http.Client{Timeout: 90 * time.Second},
			Tokens: map[load.Party]string{load.Manager: f.managerToken, load.Customer: f.customerToken}}
		if _, err := drv.Whoami(ctx, load.Manager); err != nil {
			fmt.Fprintf(stderr, "sowflow load: manager token: %v\n", err)
			return 1
		}
		if cfg.CustomerID, err = drv.Whoami(ctx, load.Customer); err != nil {
			fmt.Fprintf(stderr, "sowflow load: customer token: %v\n", err)
			return 1
		}
		cfg.Driver = drv
	case "sdk":
		tc, taskQueue, code := loadTemporalClient(ctx, stderr)
		if tc == nil {
			return code
		}
		defer tc.Close()
		cfg.CustomerID = f.customer
		var st *store.Store
		if !f.noCheck {
			dbURL := os.Getenv("DATABASE_URL")
			if dbURL == "" {
				fmt.Fprintln(stderr, "sowflow load: --via sdk checks the read model: set DATABASE_URL (or pass --no-check)")
				return 2
			}
			pool, err := store.Open(ctx, dbURL)
			if err != nil {
				fmt.Fprintf(stderr, "sowflow load: %v\n", err)
				return 1
			}
			defer pool.Close()
			st = store.New(pool)
		}
		cfg.Driver = &load.SDKDriver{Client: tc, TaskQueue: taskQueue, IDPrefix: f.prefix, Store: st,
			Actors: map[load.Party]workflows.Actor{
				load.Manager:  {Subject: "load:manager", Role: workflows.RoleManager},
				load.Customer: {Subject: "load:customer", Role: workflows.RoleCustomer, CustomerID: f.customer},
			}}
	default:
		fmt.Fprintf(stderr, "sowflow load: --via %q is not one of api, sdk\n", f.via)
		return 2
	}
	rep, err := load.Run(ctx, cfg)
	if err != nil {
		fmt.Fprintf(stderr, "sowflow load: %v\n", err)
		return 2
	}
	rep.WriteTable(stdout)
	if f.jsonFile != "" {
		raw, err := json.MarshalIndent(rep, "", "  ")
		if err == nil {
			err = os.WriteFile(f.jsonFile, append(raw, '\n'), 0o644)
		}
		if err != nil {
			fmt.Fprintf(stderr, "sowflow load: write %s: %v\n", f.jsonFile, err)
			return 1
		}
	}
	if rep.Check != nil && !rep.Check.OK() {
		return 1
	}
	return 0
}

// loadTemporalClient dials Temporal as the worker would (its environment
// variables), for sowflow load --via sdk, and answers the task queue.
func loadTemporalClient(ctx context.Context, stderr io.Writer) (client.Client, string, int) {
	cfg, err := config.Load(config.ModeWorker, func(name string) (string, bool) {
		if name == "DATABASE_URL" {
			// The SDK path needs no database; Load wants one for a worker.
			return "postgres://unused@127.0.0.1/unused", true
		}
		return os.LookupEnv(name)
	})
	if err != nil {
		for _, line := range strings.Split(err.Error(), "\n") {
			fmt.Fprintf(stderr, "sowflow load: configuration: %s\n", line)
		}
		return nil, "", 2
	}
	pc, err := payloadCodec(cfg)
	if err != nil {
		fmt.Fprintf(stderr, "sowflow load: payload codec: %v\n", err)
		return nil, "", 1
	}
	opts, err := temporalOptions(cfg.Temporal, "load", pc, newLogger(cfg, io.Discard))
	if err != nil {
		fmt.Fprintf(stderr, "sowflow load: %v\n", err)
		return nil, "", 1
	}
	tc, err := client.DialContext(ctx, opts)
	if err != nil {
		fmt.Fprintf(stderr, "sowflow load: connect to temporal %s: %v\n", cfg.Temporal.Address, err)
		return nil, "", 1
	}
	return tc, cfg.Temporal.TaskQueue, 0
}
