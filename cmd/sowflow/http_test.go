package main

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sowflow/sowflow/api"
	"github.com/sowflow/sowflow/config"
)

// TestSlowClientsAreCutOff: a client that announces a body and sends none,
// or trickles it, loses its connection at the read timeout.
func TestSlowClientsAreCutOff(t *testing.T) {
	cfg := config.Config{HTTPReadTimeout: 300 * time.Millisecond, HTTPWriteTimeout: time.Second, ShutdownTimeout: time.Second}
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusNoContent)
	})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- serveHTTP(ctx, cfg.ShutdownTimeout, listener{l, newHTTPServer(handler, cfg)}) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})

	tests := []struct {
		name    string
		trickle bool
	}{
		{"sends nothing", false},
		{"trickles", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", l.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			// The test fails, instead of hanging, if the server never cuts.
			_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
			start := time.Now()
			if _, err := io.WriteString(conn, "POST /v1/projects HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n"); err != nil {
				t.Fatal(err)
			}
			closed := make(chan struct{})
			if tt.trickle {
				go func() {
					tick := time.NewTicker(50 * time.Millisecond)
					defer tick.Stop()
					for {
						select {
						case <-closed:
							return
						case <-tick.C:
							if _, err := conn.Write([]byte("{")); err != nil {
								return
							}
						}
					}
				}()
			}
			// Whatever the server answers, it then closes the connection.
			_, err = io.ReadAll(conn)
			close(closed)
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				t.Fatalf("the connection was still open after %s", time.Since(start))
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("cut off after %s", d)
			}
		})
	}
}

// TestMetricsOnTheirOwnAddress: with SOWFLOW_METRICS_ADDR, /metrics is
// served there and not on the API's address.
func TestMetricsOnTheirOwnAddress(t *testing.T) {
	cfg := config.Config{HTTPReadTimeout: time.Second, HTTPWriteTimeout: time.Second, ShutdownTimeout: time.Second, MetricsAddr: "127.0.0.1:0"}
	ml, err := listenMetrics(cfg)
	if err != nil {
		t.Fatal(err)
	}
	metricsAddr := ml.Addr().String()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- serveAPI(ctx, cfg, l, ml, api.Deps{}, slog.New(slog.DiscardHandler)) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	get := func(url string) (int, string) {
		t.Helper()
		// Both listeners are open already: requests queue until served.
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(bufio.NewReader(resp.Body))
		return resp.StatusCode, string(b)
	}
	if code, body := get("http://" + metricsAddr + "/metrics"); code != http.StatusOK || !strings.Contains(body, "go_goroutines") {
		t.Errorf("metrics address: %d %.200s", code, body)
	}
	if code, _ := get("http://" + l.Addr().String() + "/metrics"); code != http.StatusNotFound {
		t.Errorf("API address /metrics: %d, want 404", code)
	}
}

func TestDevHosts(t *testing.T) {
	addr := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080}
	tests := []struct {
		configured, publicURL string
		want, not             []string
	}{
		{"127.0.0.1:8080", "", []string{"localhost:8080", "127.0.0.1:8080", "[::1]:8080"}, []string{"attacker.example:8080", "localhost:80"}},
		{"sow.lan:8080", "", []string{"localhost:8080", "sow.lan:8080"}, []string{"attacker.example:8080"}},
		{":8080", "", []string{"localhost:8080", "127.0.0.1:8080"}, []string{"attacker.example:8080"}},
		{"127.0.0.1:8080", "https://sow.example.com", []string{"localhost:8080", "sow.example.com"}, []string{"attacker.example:8080", "sow.example.com:8080"}},
	}
	for _, tt := range tests {
		got := devHosts(addr, tt.configured, tt.publicURL)
		for _, w := range tt.want {
			if !slices.Contains(got, w) {
				t.Errorf("%s: %v lacks %s", tt.configured, got, w)
			}
		}
		for _, n := range tt.not {
			if slices.Contains(got, n) {
				t.Errorf("%s: %v has %s", tt.configured, got, n)
			}
		}
	}
}

// TestTemporalIdentity: the identity Temporal writes into histories names
// the process role and an instance ID, not the host name and PID.
func TestTemporalIdentity(t *testing.T) {
	opts, err := temporalOptions(config.Temporal{Address: "127.0.0.1:7233", Namespace: "default"}, "worker", nil, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	// The SDK's default would be "<pid>@<host>@".
	if !regexp.MustCompile(`^sowflow-worker@[a-z0-9]{16}$`).MatchString(opts.Identity) {
		t.Errorf("identity %q", opts.Identity)
	}
}
