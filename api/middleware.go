package api

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
)

const (
	requestIDKey       = "request_id"
	clientRequestIDKey = "client_request_id"
	requestIDHeader    = "X-Request-ID"
)

// servedMethods are the methods some route serves; refuseUnknownMethods
// answers every other one with 501 before anything records it.
var servedMethods = map[string]bool{
	http.MethodGet: true, http.MethodHead: true, http.MethodPost: true, http.MethodPut: true,
	http.MethodOptions: true, http.MethodDelete: true, http.MethodPatch: true,
}

// refuseUnknownMethods answers a method no route could serve (made-up ones,
// CONNECT, TRACE) with 501, before request IDs, logs and metrics: a caller
// must not be able to grow them with method names. DELETE and PATCH pass on
// to the router, which answers 405 with the methods the path allows.
func refuseUnknownMethods() gin.HandlerFunc {
	return func(c *gin.Context) {
		if !servedMethods[c.Request.Method] {
			writeProblem(c, Problem{Type: ProblemMethod, Status: http.StatusNotImplemented, Detail: "this method is not served"})
		}
	}
}

// allowHosts refuses, with 421, a request whose Host is not one of hosts
// (compared without case); no hosts lets every request through. A page on
// another domain that rebinds its name to 127.0.0.1 sends its own name as
// Host, so a loopback-only server that checks Host is out of its reach.
func allowHosts(hosts []string) gin.HandlerFunc {
	allowed := make(map[string]bool, len(hosts))
	for _, h := range hosts {
		allowed[strings.ToLower(h)] = true
	}
	return func(c *gin.Context) {
		if len(allowed) > 0 && !allowed[strings.ToLower(c.Request.Host)] {
			writeProblem(c, Problem{Type: ProblemMisdirected, Status: http.StatusMisdirectedRequest,
				Detail: "this server does not serve that host name; use the URL it printed"})
			return
		}
		c.Next()
	}
}

// requestID makes the request's ID, stores it on the context and sends it
// back in X-Request-ID. A client's own well-formed X-Request-ID is kept
// beside it as the client request ID (logs and audit records), never in
// its place: history and the audit chain carry only IDs the server made.
func requestID() gin.HandlerFunc {
	return func(c *gin.Context) {
		id := newRequestID()
		if client := c.GetHeader(requestIDHeader); validRequestID(client) {
			c.Set(clientRequestIDKey, client)
		}
		c.Set(requestIDKey, id)
		c.Header(requestIDHeader, id)
		c.Next()
	}
}

func validRequestID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for _, r := range id {
		if r < 0x21 || r > 0x7e {
			return false
		}
	}
	return true
}

func newRequestID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// noStore marks every answer as not to be cached or content-sniffed: most
// carry a customer's data.
func noStore() gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Header("Cache-Control", "no-store")
		c.Header("X-Content-Type-Options", "nosniff")
		c.Next()
	}
}

// Caps on what the access log writes of client-chosen values.
const (
	maxLoggedPath      = 256
	maxLoggedUserAgent = 256
)

// capped returns s cut to at most n bytes, marked with "…" when cut.
func capped(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}

// accessLog logs one line per request with its request ID, route and status.
func accessLog(logger *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		status := c.Writer.Status()
		level := slog.LevelInfo
		if status >= 500 {
			level = slog.LevelError
		}
		path := c.Request.URL.Path
		if secret := c.Param("secret"); secret != "" {
			// The dev codec's secret stays out of the log.
			path = strings.ReplaceAll(path, secret, "…")
		}
		attrs := []slog.Attr{
			slog.String("request_id", c.GetString(requestIDKey)),
			slog.String("method", methodLabel(c.Request.Method)),
			slog.String("route", c.FullPath()),
			slog.String("path", capped(path, maxLoggedPath)),
			slog.Int("status", status),
			slog.Duration("duration", time.Since(start)),
			slog.String("user_agent", capped(c.Request.UserAgent(), maxLoggedUserAgent)),
		}
		if id := c.GetString(clientRequestIDKey); id != "" {
			attrs = append(attrs, slog.String("client_request_id", id))
		}
		logger.LogAttrs(c.Request.Context(), level, "request", attrs...)
	}
}

// recovery turns a panic into a 500 problem document and logs it once.
func recovery(logger *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			if r := recover(); r != nil {
				if r == http.ErrAbortHandler {
					panic(r)
				}
				logger.Error("panic serving request", "request_id", c.GetString(requestIDKey), "panic", fmt.Sprint(r))
				writeProblem(c, Problem{Type: ProblemInternal, Status: http.StatusInternalServerError, Detail: "an unexpected error occurred; quote the request ID when reporting it"})
			}
		}()
		c.Next()
	}
}
