package main

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/sowflow/sowflow/api"
	"github.com/sowflow/sowflow/config"
	"github.com/sowflow/sowflow/portal"
	"github.com/sowflow/sowflow/store"
)

// withPortal returns a handler that serves the portal's paths
// (portal.Owns) with the portal and every other path with apiHandler. The
// portal's public URL is SOWFLOW_PUBLIC_URL, or in dev the listener's own.
// Until ctx ends it deletes sessions that ended a day ago.
func withPortal(ctx context.Context, apiHandler http.Handler, deps api.Deps, cfg config.Config, l net.Listener) (http.Handler, error) {
	publicURL := cfg.PublicURL
	if publicURL == "" {
		publicURL = "http://" + l.Addr().String()
	}
	if deps.Store == nil {
		return apiHandler, nil
	}
	p, err := portal.New(portal.Deps{Store: deps.Store, API: apiHandler, Catalog: deps.Catalog, Logger: deps.Logger, PublicURL: publicURL, AllowedHosts: deps.AllowedHosts, MailDir: deps.DevMailDir, Calendars: deps.Calendars, TrustedProxies: cfg.TrustedProxies})
	if err != nil {
		return nil, err
	}
	go pruneSessions(ctx, deps.Store, deps.Logger)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if portal.Owns(r.URL.Path) {
			p.ServeHTTP(w, r)
			return
		}
		apiHandler.ServeHTTP(w, r)
	}), nil
}

// pruneSessions deletes portal sessions that ended over a day ago, hourly.
func pruneSessions(ctx context.Context, st *store.Store, logger *slog.Logger) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		n, err := st.PruneSessions(ctx, time.Now().Add(-24*time.Hour))
		switch {
		case err != nil && ctx.Err() == nil:
			logger.Warn("delete ended portal sessions", "error", err.Error())
		case n > 0:
			logger.Info("deleted ended portal sessions", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
