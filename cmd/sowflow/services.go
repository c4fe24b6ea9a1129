package main

import (
	"context"
	"fmt"
	"io"

	"go.temporal.io/sdk/client"

	"github.com/sowflow/sowflow/config"
	"github.com/sowflow/sowflow/schema"
	"github.com/sowflow/sowflow/store"
	"github.com/sowflow/sowflow/worker"
)

func runAPI(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if ok, code := serviceFlags("api", "Serves the HTTP API against an external Temporal cluster and PostgreSQL.", config.ModeAPI, args, stdout, stderr); !ok {
		return code
	}
	cfg, ok := loadConfig("api", config.ModeAPI, stderr)
	if !ok {
		return 2
	}
	logger := newLogger(cfg, stderr)
	pool, err := openDatabase(ctx, cfg.DatabaseURL, cfg.AutoMigrate, logger)
	if err != nil {
		return fail(logger, "database not usable", err)
	}
	defer pool.Close()
	pc, err := payloadCodec(cfg)
	if err != nil {
		return fail(logger, "payload codec", err)
	}
	opts, err := temporalOptions(cfg.Temporal, pc, logger)
	if err != nil {
		return fail(logger, "temporal client options", err)
	}
	// A lazy client lets the API start while Temporal is still coming up;
	// /readyz tells the difference.
	tc, err := client.NewLazyClient(opts)
	if err != nil {
		return fail(logger, "temporal client", err)
	}
	defer tc.Close()
	svc, err := newServices(ctx, pool, logger)
	if err != nil {
		return fail(logger, "start services", err)
	}
	l, url, err := listen(cfg.HTTPAddr)
	if err != nil {
		return fail(logger, "listen", err)
	}
	logger.Info("api listening", "url", url, "temporal", cfg.Temporal.Address, "namespace", cfg.Temporal.Namespace)
	if err := serveHTTP(ctx, l, svc.apiHandler(tc, cfg.Temporal.TaskQueue), cfg.ShutdownTimeout); err != nil {
		return fail(logger, "api stopped", err)
	}
	logger.Info("api stopped")
	return 0
}

func runWorker(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if ok, code := serviceFlags("worker", "Runs the Temporal worker that executes sowflow's workflows and activities.", config.ModeWorker, args, stdout, stderr); !ok {
		return code
	}
	cfg, ok := loadConfig("worker", config.ModeWorker, stderr)
	if !ok {
		return 2
	}
	logger := newLogger(cfg, stderr)
	pool, err := openDatabase(ctx, cfg.DatabaseURL, cfg.AutoMigrate, logger)
	if err != nil {
		return fail(logger, "database not usable", err)
	}
	defer pool.Close()
	pc, err := payloadCodec(cfg)
	if err != nil {
		return fail(logger, "payload codec", err)
	}
	opts, err := temporalOptions(cfg.Temporal, pc, logger)
	if err != nil {
		return fail(logger, "temporal client options", err)
	}
	tc, err := client.DialContext(ctx, opts)
	if err != nil {
		return fail(logger, "connect to temporal", fmt.Errorf("dial %s: %w", cfg.Temporal.Address, err))
	}
	defer tc.Close()
	svc, err := newServices(ctx, pool, logger)
	if err != nil {
		return fail(logger, "start services", err)
	}
	w := worker.New(tc, cfg.Temporal.TaskQueue, svc.workerDeps())
	if err := w.Start(); err != nil {
		return fail(logger, "start worker", err)
	}
	logger.Info("worker polling", "task_queue", cfg.Temporal.TaskQueue, "temporal", cfg.Temporal.Address, "namespace", cfg.Temporal.Namespace)
	<-ctx.Done()
	w.Stop()
	logger.Info("worker stopped")
	return 0
}

func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	const help = "Usage: sowflow migrate up|status\n\n  up      apply every pending migration\n  status  list migrations and whether each is applied\n\nEnvironment:\n"
	if len(args) != 1 || (args[0] != "up" && args[0] != "status") {
		if len(args) == 1 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help") {
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
