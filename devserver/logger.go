package devserver

import (
	"context"
	"log/slog"
	"math"
	"os"
	"sync/atomic"

	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/log/tag"
)

// serverLogger passes the Temporal server's logs to a slog.Logger. The server logs through
// its own log.Logger interface; records below the configured level are dropped before their
// tags are converted.
type serverLogger struct {
	l *slog.Logger
}

// logGate raises the server's log level while it starts and stops. While the services come
// up, their internal clients warn about peers not listening yet; while they stop, every
// pending poll ends in a "context canceled" error. Neither is news to the developer, and
// both would bury the console on each start and Ctrl-C.
type logGate struct {
	floor atomic.Int64 // records below this level are dropped
}

// starting lets only errors through.
func (g *logGate) starting() { g.floor.Store(int64(slog.LevelError)) }

// running lets the configured level through.
func (g *logGate) running() { g.floor.Store(math.MinInt64) }

// stopped drops everything, also from goroutines that outlive Stop.
func (g *logGate) stopped() { g.floor.Store(math.MaxInt64) }

var (
	_ log.Logger      = serverLogger{}
	_ log.WithLogger  = serverLogger{}
	_ log.SLogWrapper = serverLogger{}
	_ slog.Handler    = (*levelHandler)(nil)
)

func newServerLogger(l *slog.Logger, level slog.Leveler, gate *logGate) serverLogger {
	h := &levelHandler{min: level, gate: gate, next: l.Handler()}
	return serverLogger{l: slog.New(h).With("component", "temporal")}
}

func (s serverLogger) Debug(msg string, tags ...tag.Tag) { s.log(slog.LevelDebug, msg, tags) }
func (s serverLogger) Info(msg string, tags ...tag.Tag)  { s.log(slog.LevelInfo, msg, tags) }
func (s serverLogger) Warn(msg string, tags ...tag.Tag)  { s.log(slog.LevelWarn, msg, tags) }
func (s serverLogger) Error(msg string, tags ...tag.Tag) { s.log(slog.LevelError, msg, tags) }

// DPanic panics only in the server's development mode; here it is an error.
func (s serverLogger) DPanic(msg string, tags ...tag.Tag) { s.log(slog.LevelError, msg, tags) }

// Panic logs and panics, as the interface requires.
func (s serverLogger) Panic(msg string, tags ...tag.Tag) {
	s.log(slog.LevelError, msg, tags)
	panic(msg)
}

// Fatal logs and exits, as the interface requires: the server calls it when it cannot go
// on (for example a listener it cannot open).
func (s serverLogger) Fatal(msg string, tags ...tag.Tag) {
	s.log(slog.LevelError, msg, tags)
	os.Exit(1)
}

// With returns a logger that adds tags to every record.
func (s serverLogger) With(tags ...tag.Tag) log.Logger {
	return serverLogger{l: s.l.With(attrs(tags)...)}
}

// SLog lets the server's code that logs through slog reach the same handler.
func (s serverLogger) SLog() *slog.Logger { return s.l }

func (s serverLogger) log(level slog.Level, msg string, tags []tag.Tag) {
	ctx := context.Background()
	if !s.l.Enabled(ctx, level) {
		return
	}
	s.l.Log(ctx, level, msg, attrs(tags)...)
}

func attrs(tags []tag.Tag) []any {
	out := make([]any, 0, len(tags))
	for _, t := range tags {
		out = append(out, slog.Any(t.Key(), t.Value()))
	}
	return out
}

// levelHandler drops records below min or below the gate's floor and hands the rest to next.
type levelHandler struct {
	min  slog.Leveler
	gate *logGate
	next slog.Handler
}

func (h *levelHandler) Enabled(ctx context.Context, level slog.Level) bool {
	return level >= h.min.Level() && int64(level) >= h.gate.floor.Load() && h.next.Enabled(ctx, level)
}

func (h *levelHandler) Handle(ctx context.Context, r slog.Record) error {
	return h.next.Handle(ctx, r)
}

func (h *levelHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return &levelHandler{min: h.min, gate: h.gate, next: h.next.WithAttrs(as)}
}

func (h *levelHandler) WithGroup(name string) slog.Handler {
	return &levelHandler{min: h.min, gate: h.gate, next: h.next.WithGroup(name)}
}
