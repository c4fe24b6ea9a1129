package main

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"
)

// profilesHandler serves Go's runtime profiles under /debug/pprof/ (heap,
// goroutines, CPU, …), for `go tool pprof` against a running api or worker.
func profilesHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}

// serveProfiles serves profilesHandler on l until ctx ends
// (SOWFLOW_PPROF_ADDR). A CPU profile or trace takes as long as it is asked
// to, so the listener has no write timeout.
func serveProfiles(ctx context.Context, l net.Listener, logger *slog.Logger) {
	srv := &http.Server{Handler: profilesHandler(), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
		logger.Error("profiles listener stopped", "error", err.Error())
	}
}
