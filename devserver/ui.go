package devserver

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"

	uiserver "github.com/temporalio/ui-server/v2/server"
	uiconfig "github.com/temporalio/ui-server/v2/server/config"
	"github.com/temporalio/ui-server/v2/server/server_options"
)

// startUI serves the Temporal Web UI on bindIP:port, pointed at the frontend, and waits
// until it answers its health check.
func (s *Server) startUI(ctx context.Context, bindIP, dialHost string, port int, namespace, codecEndpoint string) error {
	host := bindIP
	if ip := net.ParseIP(bindIP); ip != nil && ip.To4() == nil {
		host = "[" + bindIP + "]" // the UI server joins host and port with a plain colon
	}
	s.ui = uiserver.NewServer(server_options.WithConfigProvider(&uiconfig.Config{
		Host:                host,
		Port:                port,
		TemporalGRPCAddress: s.frontendAddr,
		EnableUI:            true,
		DefaultNamespace:    namespace,
		// Plain HTTP on a laptop: the CSRF cookie must not be marked Secure or the browser
		// drops it and every write action in the UI fails.
		CORS:     uiconfig.CORS{CookieInsecure: true},
		HideLogs: true,
		// The news feed is fetched from temporal.io; a dev UI works offline without it.
		DisableNewsFetch: true,
		Codec:            uiconfig.Codec{Endpoint: codecEndpoint},
	}))
	s.uiURL = "http://" + net.JoinHostPort(dialHost, strconv.Itoa(port))
	s.uiDone = make(chan struct{})
	go func() {
		defer close(s.uiDone)
		// Start blocks until Stop. A listen error exits the process from inside the UI
		// server; reservePort has checked the port just before, which leaves only a race.
		if err := s.ui.Start(); err != nil {
			s.log.Error("temporal web UI stopped", "error", err)
		}
	}()

	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, startTimeout)
		defer cancel()
	}
	health := s.uiURL + "/healthz"
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, health, nil)
		if err != nil {
			return fmt.Errorf("devserver: web UI health check: %w", err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("status %s", resp.Status)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("devserver: web UI at %s did not come up: %w (last error: %v)", s.uiURL, ctx.Err(), err)
		case <-tick.C:
		}
	}
}
