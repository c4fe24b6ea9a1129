package api

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
)

// readyTimeout bounds each readiness probe so /readyz answers promptly.
const readyTimeout = 3 * time.Second

// healthz answers while the process is alive.
func (h *handlers) healthz(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

// readyz probes every dependency concurrently and answers 200 only when all
// answer, naming the ones that did not ("unavailable"); why they did not is
// logged, not told to the caller.
func (h *handlers) readyz(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), readyTimeout)
	defer cancel()
	results := make(map[string]string, len(h.deps.Ready))
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, chk := range h.deps.Ready {
		wg.Go(func() {
			status := "ok"
			if err := chk.Probe(ctx); err != nil {
				status = "unavailable"
				h.deps.Logger.Warn("readiness check failed", "check", chk.Name, "request_id", c.GetString(requestIDKey), "error", err.Error())
			}
			mu.Lock()
			results[chk.Name] = status
			mu.Unlock()
		})
	}
	wg.Wait()
	for _, status := range results {
		if status != "ok" {
			c.Header("Retry-After", "5")
			c.JSON(http.StatusServiceUnavailable, gin.H{"status": "unavailable", "checks": results})
			return
		}
	}
	c.JSON(http.StatusOK, gin.H{"status": "ok", "checks": results})
}
