package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"

	"go.temporal.io/sdk/client"

	"github.com/sowflow/sowflow/config"
	"github.com/sowflow/sowflow/devserver"
	"github.com/sowflow/sowflow/localpg"
	"github.com/sowflow/sowflow/store"
	"github.com/sowflow/sowflow/worker"
)

const devDescription = `Runs all of sowflow in one process for a laptop: an embedded Temporal server
(SQLite in SOWFLOW_DATA_DIR/temporal.db), the Temporal Web UI, the worker and
the API. It uses DATABASE_URL when set, otherwise PostgreSQL on 127.0.0.1:5432,
otherwise a private cluster it starts under SOWFLOW_DATA_DIR/pg. Ctrl-C stops
everything; a restart finds every workflow where it left it.

With --temporal-only it runs the embedded Temporal server alone (and its Web
UI) and prints its address, for running sowflow api and sowflow worker as
separate processes against it; it then needs no PostgreSQL.`

func runDev(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var demo, temporalOnly bool
	if ok, code := serviceFlags("dev", devDescription, config.ModeDev, args, stdout, stderr, func(fs *flag.FlagSet) {
		fs.BoolVar(&demo, "demo", false, "also make demo projects, a service with tickets and an SLA period (once per database)")
		fs.BoolVar(&temporalOnly, "temporal-only", false, "run only the embedded Temporal server (and Web UI) and print its address")
	}); !ok {
		return code
	}
	cfg, ok := loadConfig("dev", config.ModeDev, stderr)
	if !ok {
		return 2
	}
	logger := newLogger(cfg, stderr)
	if temporalOnly {
		if demo {
			fmt.Fprintln(stderr, "sowflow dev: --demo needs the API and worker; it cannot go with --temporal-only")
			return 2
		}
		return runDevTemporal(ctx, cfg, logger, stdout)
	}

	dbURL, where := cfg.DatabaseURL, "DATABASE_URL"
	if dbURL == "" {
		found, err := localpg.Find(ctx, cfg.DataDir, logger)
		if errors.Is(err, localpg.ErrNoPostgres) {
			fmt.Fprintln(stderr, err)
			return 1
		}
		if err != nil {
			return fail(logger, "postgresql", err)
		}
		dbURL, where = found.URL, found.Describe()
		defer func() {
			if err := found.Cluster.Stop(context.WithoutCancel(ctx)); err != nil {
				logger.Error("stop postgresql", "error", err.Error())
			}
		}()
	}
	pool, err := openDatabase(ctx, dbURL, cfg.AutoMigrate, logger)
	if err != nil {
		return fail(logger, "database not usable", err)
	}
	defer pool.Close()

	pc, err := payloadCodec(cfg)
	if err != nil {
		return fail(logger, "payload codec", err)
	}
	// The API's address is needed before the Web UI starts: with payload
	// encryption on, the UI decodes through the API's /dev/codec.
	l, url, err := listen(cfg.HTTPAddr)
	if err != nil {
		return fail(logger, "listen", err)
	}
	defer l.Close()
	ml, err := listenMetrics(cfg)
	if err != nil {
		return fail(logger, "listen", err)
	}
	// The dev Web UI's codec endpoint holds a secret made for this start: the
	// codec decrypts for whoever knows it, and only the UI's settings do.
	codecEndpoint, codecSecret := "", ""
	if pc != nil {
		codecSecret = rand.Text()
		codecEndpoint = url + "/dev/codec/" + codecSecret
	}

	srv, err := startDevTemporal(ctx, cfg, codecEndpoint, logger)
	if err != nil {
		return fail(logger, "embedded temporal", err)
	}
	defer func() {
		if err := srv.Stop(); err != nil {
			logger.Error("stop embedded temporal", "error", err.Error())
		}
	}()

	devTemporal := cfg.Temporal
	devTemporal.Address = srv.FrontendAddress()
	opts, err := temporalOptions(devTemporal, "dev", pc, logger)
	if err != nil {
		return fail(logger, "temporal client options", err)
	}
	tc, err := client.DialContext(ctx, opts)
	if err != nil {
		return fail(logger, "connect to embedded temporal", err)
	}
	defer tc.Close()

	svc, err := newServices(ctx, pool, logger)
	if err != nil {
		return fail(logger, "start services", err)
	}
	tokens, err := ensureDevTokens(ctx, svc.store)
	if err != nil {
		return fail(logger, "create dev tokens", err)
	}
	people, err := ensureDevPeople(ctx, svc.store)
	if err != nil {
		return fail(logger, "create demo people", err)
	}
	w := worker.NewTuned(tc, cfg.Temporal.TaskQueue, svc.workerDeps(), workerTuning(cfg.Worker))
	if err := w.Start(); err != nil {
		return fail(logger, "start worker", err)
	}
	defer w.Stop()
	mailDir := ""
	if cfg.SMTPURL == "" {
		mailDir = filepath.Join(cfg.DataDir, "mail")
	}
	svc.startRelay(ctx, cfg, mailDir)

	printDevBanner(stdout, url, srv, where, tokens, people)
	deps := svc.apiDeps(tc, cfg.Temporal.TaskQueue, pc)
	deps.AllowedHosts = devHosts(l.Addr(), cfg.HTTPAddr, cfg.PublicURL)
	deps.DevMailDir = mailDir
	if pc != nil {
		deps.DevCodecOrigin, deps.DevCodecSecret = srv.UIURL(), codecSecret
	}
	if demo {
		reportDemo(ctx, stdout, deps, logger)
	}
	if err := serveAPI(ctx, cfg, l, ml, deps, logger); err != nil {
		return fail(logger, "api stopped", err)
	}
	logger.Info("stopping sowflow dev")
	return 0
}

// devHosts lists the Host headers sowflow dev answers (against DNS
// rebinding): the loopback names with the listener's port, and when
// SOWFLOW_HTTP_ADDR named a host, that host; when it opened every interface,
// also this machine's name and interface addresses; and the host of
// SOWFLOW_PUBLIC_URL (publicURL) when it is set.
func devHosts(addr net.Addr, configured, publicURL string) []string {
	_, port, _ := net.SplitHostPort(addr.String())
	names := []string{"localhost", "127.0.0.1", "::1"}
	host, _, _ := net.SplitHostPort(configured)
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		if name, err := os.Hostname(); err == nil {
			names = append(names, name)
		}
		if addrs, err := net.InterfaceAddrs(); err == nil {
			for _, a := range addrs {
				if n, ok := a.(*net.IPNet); ok {
					names = append(names, n.IP.String())
				}
			}
		}
	} else {
		names = append(names, host)
	}
	hosts := make([]string, 0, len(names)+1)
	for _, n := range names {
		hosts = append(hosts, net.JoinHostPort(n, port))
	}
	if u, err := url.Parse(publicURL); err == nil && u.Host != "" {
		hosts = append(hosts, u.Host)
	}
	return hosts
}

func printDevBanner(w io.Writer, apiURL string, srv *devserver.Server, database string, tokens map[store.Role]string, people []devPerson) {
	fmt.Fprintln(w, "sowflow dev is running")
	fmt.Fprintf(w, "  API           %s  (health %s/healthz, readiness %s/readyz)\n", apiURL, apiURL, apiURL)
	fmt.Fprintf(w, "  Portal        %s/  (sign in as a demo person below)\n", apiURL)
	if ui := srv.UIURL(); ui != "" {
		fmt.Fprintf(w, "  Temporal UI   %s\n", ui)
	}
	fmt.Fprintf(w, "  Temporal gRPC %s\n", srv.FrontendAddress())
	fmt.Fprintf(w, "  PostgreSQL    %s\n", database)
	if len(tokens) > 0 {
		fmt.Fprintln(w, "API tokens, created on this first start and shown only now (sowflow token create makes more):")
		for _, role := range store.Roles() {
			suffix := ""
			if role == store.RoleCustomer {
				suffix = "  (customer " + devCustomerID + ")"
			}
			fmt.Fprintf(w, "  %-9s %s%s\n", role, tokens[role], suffix)
		}
	}
	printDevPeople(w, people)
	fmt.Fprintln(w, "Press Ctrl-C to stop.")
}
