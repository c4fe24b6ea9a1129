package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"

	"go.temporal.io/sdk/client"

	"github.com/sowflow/sowflow/codec"
	"github.com/sowflow/sowflow/config"
	"github.com/sowflow/sowflow/schema"
	"github.com/sowflow/sowflow/store"
	"github.com/sowflow/sowflow/worker"
)

// process is what api and worker share once started.
type process struct {
	cfg     config.Config
	logger  *slog.Logger
	tc      client.Client
	codec   *codec.AESGCM
	svc     *services
	closers []func()
}

// close releases what startProcess opened, newest first.
func (p *process) close() {
	for i := len(p.closers) - 1; i >= 0; i-- {
		p.closers[i]()
	}
}

// startProcess parses flags, validates the configuration, opens PostgreSQL
// (checking the schema), connects to Temporal — lazily when lazy is true, so
// an API can start while Temporal comes up — and loads the services. It
// returns nil and the exit code when the command must not go on.
func startProcess(ctx context.Context, name, description string, mode config.Mode, lazy bool, args []string, stdout, stderr io.Writer) (*process, int) {
	if ok, code := serviceFlags(name, description, mode, args, stdout, stderr); !ok {
		return nil, code
	}
	cfg, ok := loadConfig(name, mode, stderr)
	if !ok {
		return nil, 2
	}
	p := &process{cfg: cfg, logger: newLogger(cfg, stderr)}
	pool, err := openDatabase(ctx, cfg.DatabaseURL, cfg.AutoMigrate, p.logger)
	if err != nil {
		return nil, fail(p.logger, "database not usable", err)
	}
	p.closers = append(p.closers, pool.Close)
	if p.codec, err = payloadCodec(cfg); err != nil {
		p.close()
		return nil, fail(p.logger, "payload codec", err)
	}
	opts, err := temporalOptions(cfg.Temporal, name, p.codec, p.logger)
	if err != nil {
		p.close()
		return nil, fail(p.logger, "temporal client options", err)
	}
	if lazy {
		p.tc, err = client.NewLazyClient(opts)
	} else {
		p.tc, err = client.DialContext(ctx, opts)
	}
	if err != nil {
		p.close()
		return nil, fail(p.logger, "connect to temporal", fmt.Errorf("dial %s: %w", cfg.Temporal.Address, err))
	}
	p.closers = append(p.closers, p.tc.Close)
	if p.svc, err = newServices(ctx, pool, p.logger); err != nil {
		p.close()
		return nil, fail(p.logger, "start services", err)
	}
	if cfg.PprofAddr != "" {
		l, err := net.Listen("tcp", cfg.PprofAddr)
		if err != nil {
			p.close()
			return nil, fail(p.logger, "listen", fmt.Errorf("listen on %s (SOWFLOW_PPROF_ADDR): %w", cfg.PprofAddr, err))
		}
		p.logger.Info("profiles listening", "url", "http://"+l.Addr().String()+"/debug/pprof/")
		go serveProfiles(ctx, l, p.logger)
	}
	return p, 0
}

func runAPI(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	p, code := startProcess(ctx, "api", "Serves the HTTP API against an external Temporal cluster and PostgreSQL.", config.ModeAPI, true, args, stdout, stderr)
	if p == nil {
		return code
	}
	defer p.close()
	l, url, err := listen(p.cfg.HTTPAddr)
	if err != nil {
		return fail(p.logger, "listen", err)
	}
	p.logger.Info("api listening", "url", url, "temporal", p.cfg.Temporal.Address, "namespace", p.cfg.Temporal.Namespace)
	ml, err := listenMetrics(p.cfg)
	if err != nil {
		return fail(p.logger, "listen", err)
	}
	if err := serveAPI(ctx, p.cfg, l, ml, p.svc.apiDeps(p.tc, p.cfg.Temporal.TaskQueue, p.codec), p.logger); err != nil {
		return fail(p.logger, "api stopped", err)
	}
	p.logger.Info("api stopped")
	return 0
}

func runWorker(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	p, code := startProcess(ctx, "worker", "Runs the Temporal worker that executes sowflow's workflows and activities.", config.ModeWorker, false, args, stdout, stderr)
	if p == nil {
		return code
	}
	defer p.close()
	w := worker.NewTuned(p.tc, p.cfg.Temporal.TaskQueue, p.svc.workerDeps(), workerTuning(p.cfg.Worker))
	if err := w.Start(); err != nil {
		return fail(p.logger, "start worker", err)
	}
	p.svc.startRelay(ctx, p.cfg, "")
	if p.cfg.HealthAddr != "" {
		l, err := net.Listen("tcp", p.cfg.HealthAddr)
		if err != nil {
			w.Stop()
			return fail(p.logger, "listen", err)
		}
		go serveWorkerHealth(ctx, l, readiness(p.svc.pool, p.tc), p.logger)
	}
	p.logger.Info("worker polling", "task_queue", p.cfg.Temporal.TaskQueue, "temporal", p.cfg.Temporal.Address, "namespace", p.cfg.Temporal.Namespace)
	<-ctx.Done()
	w.Stop()
	p.logger.Info("worker stopped")
	return 0
}

func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	const help = "Usage: sowflow migrate up|status\n\n  up      apply every pending migration\n  status  list migrations and whether each is applied\n\nEnvironment:\n"
	if len(args) != 1 || (args[0] != "up" && args[0] != "status") {
		if len(args) == 1 && isHelp(args[0]) {
			fmt.Fprint(stdout, help)
			printVariables(stdout, config.ModeMigrate)
			return 0
		}
		fmt.Fprintln(stderr, "sowflow migrate: want exactly one of up, status")
		return 2
	}
	cfg, ok := loadConfig("migrate", config.ModeMigrate, stderr)
	if !ok {
		return 2
	}
	logger := newLogger(cfg, stderr)
	pool, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return fail(logger, "database not usable", err)
	}
	defer pool.Close()
	m, err := schema.NewMigrator(pool, logger)
	if err != nil {
		return fail(logger, "migrations", err)
	}
	defer m.Close()
	if args[0] == "up" {
		applied, err := m.Up(ctx)
		if err != nil {
			return fail(logger, "migrate up", err)
		}
		if cfg.AppRole != "" {
			if err := store.GrantAppRole(ctx, pool, cfg.AppRole); err != nil {
				return fail(logger, "grant the app role (SOWFLOW_APP_ROLE)", err)
			}
			fmt.Fprintf(stdout, "granted %s what api and worker need\n", cfg.AppRole)
		}
		fmt.Fprintf(stdout, "applied %d migration(s); schema at version %d\n", len(applied), m.Required())
		return 0
	}
	st, err := m.Status(ctx)
	if err != nil {
		return fail(logger, "migrate status", err)
	}
	for _, mig := range st.Migrations {
		state := "pending"
		if mig.Applied {
			state = "applied"
		}
		fmt.Fprintf(stdout, "%05d  %-8s %s\n", mig.Version, state, mig.Name)
	}
	fmt.Fprintf(stdout, "schema at version %d; this binary needs %d\n", st.Current, st.Required)
	if st.Current < st.Required {
		return 1
	}
	return 0
}
