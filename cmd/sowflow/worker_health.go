package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/sowflow/sowflow/api"
)

// healthHandler serves a worker's /healthz (alive) and /readyz (every check
// answers), the same answers the API gives, for health checks and
// orchestrators.
func healthHandler(checks []api.Check, logger *slog.Logger) http.Handler {
	mux := http.NewServeMux()
	answer := func(w http.ResponseWriter, status int, body any) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		if status != http.StatusOK {
			w.Header().Set("Retry-After", "5")
		}
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(body)
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		answer(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
		defer cancel()
		results := make(map[string]string, len(checks))
		var mu sync.Mutex
		var wg sync.WaitGroup
		for _, chk := range checks {
			wg.Go(func() {
				status := "ok"
				if err := chk.Probe(ctx); err != nil {
					status = "unavailable"
					logger.Warn("readiness check failed", "check", chk.Name, "error", err.Error())
				}
				mu.Lock()
				results[chk.Name] = status
				mu.Unlock()
			})
		}
		wg.Wait()
		for _, s := range results {
			if s != "ok" {
				answer(w, http.StatusServiceUnavailable, map[string]any{"status": "unavailable", "checks": results})
				return
			}
		}
		answer(w, http.StatusOK, map[string]any{"status": "ok", "checks": results})
	})
	return mux
}

// serveWorkerHealth serves healthHandler on l until ctx ends.
func serveWorkerHealth(ctx context.Context, l net.Listener, checks []api.Check, logger *slog.Logger) {
	srv := &http.Server{Handler: healthHandler(checks, logger), ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second, WriteTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	if err := srv.Serve(l); err != nil && err != http.ErrServerClosed {
		logger.Error("worker health listener stopped", "error", err.Error())
	}
}
