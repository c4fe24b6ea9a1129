package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"

	"github.com/sowflow/sowflow/api"
	"github.com/sowflow/sowflow/calendar"
	"github.com/sowflow/sowflow/catalog"
	"github.com/sowflow/sowflow/codec"
	"github.com/sowflow/sowflow/config"
	"github.com/sowflow/sowflow/notify"
	"github.com/sowflow/sowflow/schema"
	"github.com/sowflow/sowflow/store"
	"github.com/sowflow/sowflow/worker"
)

// serviceFlags parses a long-running command's arguments: it takes only
// --help, which prints the description and the environment it reads. It
// returns false with the exit code when the command must not go on.
func serviceFlags(name, description string, mode config.Mode, args []string, stdout, stderr io.Writer, define ...func(*flag.FlagSet)) (bool, int) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	for _, d := range define {
		d(fs)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			usage := ""
			if len(define) > 0 {
				usage = " [flags]"
			}
			fmt.Fprintf(stdout, "Usage: sowflow %s%s\n\n%s\n", name, usage, description)
			if len(define) > 0 {
				fmt.Fprintln(stdout, "\nFlags:")
				fs.SetOutput(stdout)
				fs.PrintDefaults()
			}
			fmt.Fprintln(stdout, "\nEnvironment:")
			printVariables(stdout, mode)
			return false, 0
		}
		fmt.Fprintf(stderr, "sowflow %s: %v\n", name, err)
		return false, 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "sowflow %s: unexpected argument %q\n", name, fs.Arg(0))
		return false, 2
	}
	return true, 0
}

// apiOnly are the variables only a process serving the API (api, dev) reads.
var apiOnly = map[string]bool{
	"SOWFLOW_HTTP_ADDR": true, "SOWFLOW_METRICS_ADDR": true, "SOWFLOW_HTTP_READ_TIMEOUT": true, "SOWFLOW_HTTP_WRITE_TIMEOUT": true,
	"SOWFLOW_IDEMPOTENCY_RETENTION": true, "SOWFLOW_ALLOW_HTTP_DOCUMENT_URIS": true,
}

func printVariables(w io.Writer, mode config.Mode) {
	for _, v := range config.Variables {
		devOnly := strings.HasPrefix(v.Usage, "dev only")
		if devOnly && mode != config.ModeDev {
			continue
		}
		if strings.HasPrefix(v.Usage, "worker only") && mode != config.ModeWorker {
			continue
		}
		if strings.HasPrefix(v.Usage, "migrate only") && mode != config.ModeMigrate {
			continue
		}
		if mode == config.ModeMigrate && (strings.HasPrefix(v.Name, "TEMPORAL_") || apiOnly[v.Name]) {
			continue
		}
		if mode == config.ModeWorker && apiOnly[v.Name] {
			continue
		}
		if strings.HasPrefix(v.Name, "SOWFLOW_WORKER_") && mode != config.ModeWorker && mode != config.ModeDev {
			continue
		}
		def := ""
		if v.Default != "" {
			def = " (default: " + v.Default + ")"
		}
		fmt.Fprintf(w, "  %-26s %s%s\n", v.Name, v.Usage, def)
	}
}

// loadConfig reads the environment; on error it prints every problem, one
// per line, and returns false.
func loadConfig(name string, mode config.Mode, stderr io.Writer) (config.Config, bool) {
	cfg, err := config.FromEnv(mode)
	if err != nil {
		for _, line := range strings.Split(err.Error(), "\n") {
			fmt.Fprintf(stderr, "sowflow %s: configuration: %s\n", name, line)
		}
		return cfg, false
	}
	return cfg, true
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

// openDatabase connects to PostgreSQL and brings the schema to what this
// binary needs, migrating or refusing per cfg.AutoMigrate.
func openDatabase(ctx context.Context, databaseURL string, autoMigrate bool, logger *slog.Logger) (*pgxpool.Pool, error) {
	pool, err := store.Open(ctx, databaseURL)
	if err != nil {
		return nil, err
	}
	m, err := schema.NewMigrator(pool, logger)
	if err != nil {
		pool.Close()
		return nil, err
	}
	defer m.Close()
	if err := m.Ensure(ctx, autoMigrate); err != nil {
		pool.Close()
		return nil, err
	}
	return pool, nil
}

// runAsCLIAdmin runs the work of database subcommand sub of command name:
// it reads the configuration, opens the database DATABASE_URL names (never
// migrating it) and calls run with a store whose changes are recorded as
// the CLI's, an admin. A failure is printed to stderr as
// "sowflow NAME SUB: error". It returns the exit status: 2 for an unusable
// configuration or an error of run that usage says is the caller's (usage
// may be nil), 1 for any other failure, 0 on success.
func runAsCLIAdmin(ctx context.Context, name, sub string, stderr io.Writer, usage func(error) bool, run func(context.Context, *store.Store, config.Config) error) int {
	cfg, ok := loadConfig(name, config.ModeMigrate, stderr)
	if !ok {
		return 2
	}
	pool, err := openDatabase(ctx, cfg.DatabaseURL, false, newLogger(cfg, stderr))
	if err != nil {
		fmt.Fprintf(stderr, "sowflow %s %s: %v\n", name, sub, err)
		return 1
	}
	defer pool.Close()
	ctx = store.WithActor(ctx, store.Actor{Subject: "cli", Role: "admin"})
	if err := run(ctx, store.New(pool), cfg); err != nil {
		fmt.Fprintf(stderr, "sowflow %s %s: %v\n", name, sub, err)
		if usage != nil && usage(err) {
			return 2
		}
		return 1
	}
	return 0
}

// payloadCodec returns the payload encryption codec, nil when no key is set.
func payloadCodec(cfg config.Config) (*codec.AESGCM, error) {
	if len(cfg.PayloadKey) == 0 {
		return nil, nil
	}
	return codec.NewAESGCM(cfg.PayloadKey)
}

// temporalOptions builds SDK client options from the configuration for a
// process of the given role (api, worker, dev).
func temporalOptions(t config.Temporal, role string, pc *codec.AESGCM, logger *slog.Logger) (client.Options, error) {
	opts := client.Options{
		Identity:      worker.Identity(role),
		HostPort:      t.Address,
		Namespace:     t.Namespace,
		Logger:        sdklog.NewStructuredLogger(logger.With("component", "temporal-sdk")),
		DataConverter: codec.DataConverter(pc),
	}
	if !t.TLSEnabled() {
		return opts, nil
	}
	tlsCfg := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: t.TLSServerName}
	if t.TLSCert != "" {
		cert, err := tls.LoadX509KeyPair(t.TLSCert, t.TLSKey)
		if err != nil {
			return opts, fmt.Errorf("TEMPORAL_TLS_CERT/TEMPORAL_TLS_KEY: load key pair: %w", err)
		}
		tlsCfg.Certificates = []tls.Certificate{cert}
	}
	if t.TLSCA != "" {
		pem, err := os.ReadFile(t.TLSCA)
		if err != nil {
			return opts, fmt.Errorf("TEMPORAL_TLS_CA: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return opts, fmt.Errorf("TEMPORAL_TLS_CA: %s holds no PEM certificate", t.TLSCA)
		}
		tlsCfg.RootCAs = pool
	}
	opts.ConnectionOptions.TLS = tlsCfg
	return opts, nil
}

// readiness lists the probes behind /readyz.
func readiness(pool *pgxpool.Pool, tc client.Client) []api.Check {
	return []api.Check{
		{Name: "postgresql", Probe: store.New(pool).Ping},
		{Name: "temporal", Probe: func(ctx context.Context) error {
			_, err := tc.CheckHealth(ctx, &client.CheckHealthRequest{})
			return err
		}},
	}
}

// listen opens the API's listener early so a busy port fails the start and
// the printed URL is the real one.
func listen(addr string) (net.Listener, string, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, "", fmt.Errorf("listen on %s (SOWFLOW_HTTP_ADDR): %w", addr, err)
	}
	host, port, _ := net.SplitHostPort(l.Addr().String())
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "localhost"
	}
	return l, "http://" + net.JoinHostPort(host, port), nil
}

// maxHeaderBytes bounds a request's header block (Go's default is 1 MiB):
// nothing sowflow reads needs more.
const maxHeaderBytes = 64 << 10

// newHTTPServer returns a server for handler with cfg's timeouts: a request
// must arrive whole within HTTPReadTimeout and be answered within
// HTTPWriteTimeout, so a client that trickles its body or never reads the
// answer does not hold a connection (routes that need longer set their own
// deadlines, api.LongRequestTimeout).
func newHTTPServer(handler http.Handler, cfg config.Config) *http.Server {
	return &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: min(10*time.Second, cfg.HTTPReadTimeout),
		ReadTimeout:       cfg.HTTPReadTimeout,
		WriteTimeout:      cfg.HTTPWriteTimeout,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    maxHeaderBytes,
	}
}

// listener is one server on its listener.
type listener struct {
	l   net.Listener
	srv *http.Server
}

// serveHTTP serves every listener until ctx ends or one fails, then shuts
// them all down gracefully.
func serveHTTP(ctx context.Context, timeout time.Duration, ls ...listener) error {
	errc := make(chan error, len(ls))
	for _, l := range ls {
		go func() { errc <- l.srv.Serve(l.l) }()
	}
	var err error
	select {
	case err = <-errc:
		err = fmt.Errorf("serve http: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
	defer cancel()
	for _, l := range ls {
		if serr := l.srv.Shutdown(shutdownCtx); serr != nil && err == nil {
			err = fmt.Errorf("shut down http server: %w", serr)
		}
	}
	return err
}

// listenMetrics opens the /metrics listener when cfg.MetricsAddr is set;
// nil otherwise.
func listenMetrics(cfg config.Config) (net.Listener, error) {
	if cfg.MetricsAddr == "" {
		return nil, nil
	}
	l, err := net.Listen("tcp", cfg.MetricsAddr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s (SOWFLOW_METRICS_ADDR): %w", cfg.MetricsAddr, err)
	}
	return l, nil
}

// serveAPI serves the API and the portal on l, and /metrics on ml instead when it is not
// nil (listenMetrics), until ctx ends; meanwhile it deletes expired
// idempotency records.
func serveAPI(ctx context.Context, cfg config.Config, l, ml net.Listener, deps api.Deps, logger *slog.Logger) error {
	deps.IdempotencyRetention = cfg.IdempotencyRetention
	deps.AllowHTTPDocumentURIs = cfg.AllowHTTPDocumentURIs
	deps.PublicURL = cfg.PublicURL
	if deps.Store != nil {
		go pruneIdempotency(ctx, deps.Store, cfg.IdempotencyRetention, logger)
	}
	if ml == nil {
		h, err := withPortal(ctx, api.New(deps), deps, cfg, l)
		if err != nil {
			return err
		}
		return serveHTTP(ctx, cfg.ShutdownTimeout, listener{l, newHTTPServer(h, cfg)})
	}
	logger.Info("metrics listening", "addr", ml.Addr().String())
	apiHandler, metricsHandler := api.NewWithSeparateMetrics(deps)
	h, err := withPortal(ctx, apiHandler, deps, cfg, l)
	if err != nil {
		return err
	}
	return serveHTTP(ctx, cfg.ShutdownTimeout, listener{l, newHTTPServer(h, cfg)}, listener{ml, newHTTPServer(metricsHandler, cfg)})
}

// idempotencyPruneInterval is how often expired idempotency records are
// deleted.
const idempotencyPruneInterval = 10 * time.Minute

// pruneIdempotency deletes idempotency records older than retention now and
// every idempotencyPruneInterval until ctx ends. Every API process does it;
// the deletes are idempotent.
func pruneIdempotency(ctx context.Context, st *store.Store, retention time.Duration, logger *slog.Logger) {
	t := time.NewTicker(idempotencyPruneInterval)
	defer t.Stop()
	for {
		n, err := st.PruneIdempotency(ctx, retention)
		switch {
		case err != nil && ctx.Err() == nil:
			logger.Warn("delete expired idempotency records", "error", err.Error())
		case n > 0:
			logger.Info("deleted expired idempotency records", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// fail logs err once and returns the exit code for a runtime failure.
func fail(logger *slog.Logger, msg string, err error) int {
	logger.Error(msg, "error", err.Error())
	return 1
}

// calendarPollInterval is how often a process looks for calendar years an
// admin loaded through another process.
const calendarPollInterval = 30 * time.Second

// catalogPollInterval is how often a process looks for package versions an
// admin published through another process.
const catalogPollInterval = 15 * time.Second

// services is what the API and the worker share over one database.
type services struct {
	pool      *pgxpool.Pool
	store     *store.Store
	calendars *store.CalendarSource
	catalog   *catalog.Catalog
	// catalogs is catalog with the published package versions laid over it.
	catalogs *store.CatalogSource
	logger   *slog.Logger
}

// newServices validates the catalog, loads the calendar and the catalog in
// force and keeps them fresh until ctx ends.
func newServices(ctx context.Context, pool *pgxpool.Pool, logger *slog.Logger) (*services, error) {
	cat := catalog.Default()
	if err := catalog.Validate(cat); err != nil {
		return nil, fmt.Errorf("catalog %s is invalid: %w", cat.Version, err)
	}
	st := store.New(pool)
	cals, err := store.NewCalendarSource(ctx, st, calendar.China())
	if err != nil {
		return nil, err
	}
	go cals.Watch(ctx, calendarPollInterval, logger)
	cats := store.NewCatalogSource(st, cat)
	if err := cats.Reload(ctx); err != nil {
		return nil, err
	}
	go cats.Watch(ctx, catalogPollInterval, logger)
	return &services{pool: pool, store: st, calendars: cals, catalog: cat, catalogs: cats, logger: logger}, nil
}

// apiDeps are the HTTP API's dependencies over these services and Temporal
// client tc.
func (s *services) apiDeps(tc client.Client, taskQueue string, pc *codec.AESGCM) api.Deps {
	return api.Deps{
		Logger:         s.logger,
		Ready:          readiness(s.pool, tc),
		Store:          s.store,
		Calendars:      s.calendars,
		NotifyCalendar: api.ProjectCalendarNotifier(tc, s.store),
		Temporal:       tc,
		TaskQueue:      taskQueue,
		Catalog:        s.catalog,
		Catalogs:       s.catalogs,
		Codec:          pc,
	}
}

// startRelay runs the notification relay, and the queueing of timed
// notices, until ctx ends: every worker process runs them, and they share
// the work through row locks and unique outbox entries. Mail goes
// out only with SOWFLOW_SMTP_URL set; links start with SOWFLOW_PUBLIC_URL.
//
// mailDir, set by sowflow dev without SMTP, keeps the mail as .eml files
// in that folder instead.
func (s *services) startRelay(ctx context.Context, cfg config.Config, mailDir string) {
	r := &notify.Relay{Store: s.store, Logger: s.logger, Channels: []notify.Channel{
		{Name: store.ChannelWebhook, Sender: &notify.Webhook{Store: s.store, PublicURL: cfg.PublicURL}, Retry: notify.WebhookRetry},
	}}
	switch {
	case cfg.SMTPURL != "":
		r.Channels = append(r.Channels, notify.Channel{Name: store.ChannelEmail,
			Sender: &notify.Email{Store: s.store, URL: cfg.SMTPURL, From: cfg.MailFrom, PublicURL: cfg.PublicURL}, Retry: notify.EmailRetry})
	case mailDir != "":
		r.Channels = append(r.Channels, notify.Channel{Name: store.ChannelEmail,
			Sender: &notify.Email{Store: s.store, Dir: mailDir, From: "sowflow dev <sowflow@localhost>", PublicURL: cfg.PublicURL}, Retry: notify.EmailRetry})
	}
	go r.Run(ctx)
	// The notices time brings (validity ending, a claim window closing)
	// are queued by every worker process too; each is queued once.
	timed := &notify.Timed{Store: s.store, Calendar: s.calendars.Current, Logger: s.logger}
	go timed.Run(ctx)
}

// workerTuning is the worker sizing the configuration asks for.
func workerTuning(w config.WorkerTuning) worker.Tuning {
	return worker.Tuning{
		CacheSize: w.CacheSize, MaxWorkflowTasks: w.MaxWorkflowTasks, MaxActivities: w.MaxActivities,
		MaxLocalActivities: w.MaxLocalActivities, WorkflowPollers: w.WorkflowPollers, ActivityPollers: w.ActivityPollers,
	}
}

// workerDeps gives activities the calendar in force.
func (s *services) workerDeps() worker.Deps {
	return worker.Deps{Calendar: s.calendars.Current, Store: s.store}
}
