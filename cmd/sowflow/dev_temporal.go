package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"

	"github.com/sowflow/sowflow/config"
	"github.com/sowflow/sowflow/devserver"
	"github.com/sowflow/sowflow/workflows"
)

// runDevTemporal is `sowflow dev --temporal-only`: the embedded Temporal
// server of sowflow dev (same database file, port, namespace and search
// attributes) and its Web UI, without the worker, the API or PostgreSQL,
// until ctx ends. It prints the address and namespace that `sowflow api`
// and `sowflow worker` take as TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE.
func runDevTemporal(ctx context.Context, cfg config.Config, logger *slog.Logger, stdout io.Writer) int {
	srv, err := startDevTemporal(ctx, cfg, "", logger)
	if err != nil {
		return fail(logger, "embedded temporal", err)
	}
	defer func() {
		if err := srv.Stop(); err != nil {
			logger.Error("stop embedded temporal", "error", err.Error())
		}
	}()
	fmt.Fprintln(stdout, "sowflow dev is running the embedded Temporal server only")
	fmt.Fprintf(stdout, "  TEMPORAL_ADDRESS   %s\n", srv.FrontendAddress())
	fmt.Fprintf(stdout, "  TEMPORAL_NAMESPACE %s\n", cfg.Temporal.Namespace)
	if ui := srv.UIURL(); ui != "" {
		fmt.Fprintf(stdout, "  Temporal-UI        %s\n", ui)
	}
	fmt.Fprintln(stdout, "Start sowflow worker and sowflow api with these and DATABASE_URL.")
	fmt.Fprintln(stdout, "Press Ctrl-C to stop.")
	<-ctx.Done()
	logger.Info("stopping the embedded temporal server")
	return 0
}

// startDevTemporal starts the embedded Temporal server of sowflow dev with
// its SQLite file under the data folder, the configured ports and
// namespace, and sowflow's search attributes; codecEndpoint, when set, is
// the Web UI's payload codec.
func startDevTemporal(ctx context.Context, cfg config.Config, codecEndpoint string, logger *slog.Logger) (*devserver.Server, error) {
	uiPort := cfg.UIPort
	if uiPort == -1 {
		uiPort = devserver.DisableUI
	}
	return devserver.Start(ctx, devserver.Options{
		CodecEndpoint:    codecEndpoint,
		DBFile:           filepath.Join(cfg.DataDir, "temporal.db"),
		FrontendPort:     cfg.TemporalPort,
		UIPort:           uiPort,
		Namespace:        cfg.Temporal.Namespace,
		SearchAttributes: workflows.SearchAttributes(),
		Logger:           logger,
	})
}
