// Package config reads sowflow's configuration from environment variables and
// validates every value at start, reporting one clear error per bad variable.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/mail"
	"net/netip"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sowflow/sowflow/codec"
)

// Mode says which sowflow command is being configured; defaults differ by mode.
type Mode string

// The process modes of the sowflow binary.
const (
	ModeDev     Mode = "dev"
	ModeAPI     Mode = "api"
	ModeWorker  Mode = "worker"
	ModeMigrate Mode = "migrate"
)

// Config is the validated configuration of one sowflow process.
type Config struct {
	// DatabaseURL is the PostgreSQL connection string; empty in dev mode means
	// "find or start one".
	DatabaseURL string
	// Temporal holds how to reach the Temporal cluster (unused by dev, which embeds one).
	Temporal Temporal
	// HTTPAddr is the API's listen address; dev listens on loopback only
	// unless it is set.
	HTTPAddr string
	// MetricsAddr, when set, serves /metrics on its own listener instead of
	// the API's.
	MetricsAddr string
	// HTTPReadTimeout bounds reading a whole request, body included, and
	// HTTPWriteTimeout answering it; replay and history export get
	// LongRequestTimeout instead.
	HTTPReadTimeout  time.Duration
	HTTPWriteTimeout time.Duration
	// IdempotencyRetention is how long an Idempotency-Key's answer is kept.
	IdempotencyRetention time.Duration
	// AllowHTTPDocumentURIs lets deliverable documents be http:// URIs;
	// otherwise only https:// ones are taken.
	AllowHTTPDocumentURIs bool
	// AppRole, for migrate, is the database role api and worker run as;
	// `migrate up` grants it what they need (store.GrantAppRole).
	AppRole string
	// LogFormat is "json" or "text".
	LogFormat string
	// LogLevel is the minimum level logged.
	LogLevel slog.Level
	// AutoMigrate applies pending migrations at start instead of refusing to run.
	AutoMigrate bool
	// DataDir holds dev-mode state: the Temporal SQLite file and a private PostgreSQL cluster.
	DataDir string
	// TemporalPort and UIPort are the embedded Temporal frontend and Web UI ports in dev mode;
	// UIPort -1 disables the UI.
	TemporalPort int
	UIPort       int
	// ShutdownTimeout bounds a graceful stop.
	ShutdownTimeout time.Duration
	// PayloadKey, when set, encrypts every Temporal payload (AES-256-GCM).
	PayloadKey []byte
	// PublicURL is the address people reach the portal at (scheme and host,
	// no trailing slash): invitation links start with it, and session cookies
	// are Secure when it is https. Empty in dev means the dev server's own URL.
	PublicURL string
	// SMTPURL, when set, is the mail server notifications are sent through
	// (smtp:// with STARTTLS when offered, smtps:// for implicit TLS);
	// MailFrom is their sender address.
	SMTPURL  string
	MailFrom string
	// HealthAddr, for a worker, serves /healthz and /readyz (empty: none).
	HealthAddr string
	// PprofAddr, when set, serves Go's runtime profiles (/debug/pprof/)
	// on their own listener, for measuring a process (empty: none).
	PprofAddr string
	// TrustedProxies are the reverse proxies whose X-Forwarded-For header
	// names the client's address (sign-in throttling); empty trusts none.
	TrustedProxies []netip.Prefix
	// Worker tunes the Temporal worker of worker and dev processes.
	Worker WorkerTuning
}

// WorkerTuning sizes a worker process: how many workflows it keeps in memory
// between tasks and how many tasks it runs and polls for at once.
type WorkerTuning struct {
	// CacheSize is the sticky workflow cache: how many workflow executions
	// the process keeps in memory between their tasks (0 turns sticky
	// execution off, so every workflow task replays the whole history).
	CacheSize int
	// MaxWorkflowTasks, MaxActivities and MaxLocalActivities bound the
	// workflow tasks, activities and local activities run at once.
	MaxWorkflowTasks   int
	MaxActivities      int
	MaxLocalActivities int
	// WorkflowPollers and ActivityPollers are the long polls kept open on
	// the task queue for each kind of task.
	WorkflowPollers int
	ActivityPollers int
}

// DefaultWorkerTuning is the Temporal SDK's own sizing, which a process
// uses unless told otherwise.
var DefaultWorkerTuning = WorkerTuning{
	CacheSize: 10000, MaxWorkflowTasks: 1000, MaxActivities: 1000, MaxLocalActivities: 1000,
	WorkflowPollers: 2, ActivityPollers: 2,
}

// Temporal describes the connection to an external Temporal cluster.
type Temporal struct {
	// Address is host:port, or a gRPC target such as dns:///host:port.
	Address   string
	Namespace string
	TaskQueue string
	// TLS client certificate, key and CA bundle files; all empty for plain text.
	TLSCert       string
	TLSKey        string
	TLSCA         string
	TLSServerName string
}

// TLSEnabled reports whether any TLS option was given.
func (t Temporal) TLSEnabled() bool {
	return t.TLSCert != "" || t.TLSCA != "" || t.TLSServerName != ""
}

// Variable documents one environment variable for --help and docs/operations.md.
type Variable struct {
	Name    string
	Default string
	Usage   string
}

// Variables lists every environment variable sowflow reads, in display order.
var Variables = []Variable{
	{"DATABASE_URL", "dev: 127.0.0.1:5432, else a private cluster under SOWFLOW_DATA_DIR/pg", "PostgreSQL connection URL (postgres://user:pass@host:5432/db); required for api, worker and migrate"},
	{"TEMPORAL_ADDRESS", "127.0.0.1:7233", "Temporal frontend as host:port or dns:///host:port (api, worker)"},
	{"TEMPORAL_NAMESPACE", "default", "Temporal namespace"},
	{"TEMPORAL_TASK_QUEUE", "sowflow", "task queue the worker polls and the API starts workflows on"},
	{"TEMPORAL_TLS_CERT", "", "client certificate file (PEM) for mTLS; needs TEMPORAL_TLS_KEY"},
	{"TEMPORAL_TLS_KEY", "", "client private key file (PEM) for mTLS; needs TEMPORAL_TLS_CERT"},
	{"TEMPORAL_TLS_CA", "", "CA bundle file (PEM) that signed the server certificate"},
	{"TEMPORAL_TLS_SERVER_NAME", "", "server name to verify in the server certificate"},
	{"SOWFLOW_HTTP_ADDR", "dev: 127.0.0.1:8080, else :8080", "API listen address"},
	{"SOWFLOW_METRICS_ADDR", "", "serve /metrics on this address (host:port) instead of the API's; empty keeps it on the API (api, dev)"},
	{"SOWFLOW_HTTP_READ_TIMEOUT", "30s", "longest time to read a whole request, body included (replay: 5m)"},
	{"SOWFLOW_HTTP_WRITE_TIMEOUT", "60s", "longest time from the request's headers to the end of the answer (replay and history export: 5m)"},
	{"SOWFLOW_IDEMPOTENCY_RETENTION", "24h", "how long an Idempotency-Key's answer is kept for retries (at least 1h); older records are deleted in the background"},
	{"SOWFLOW_ALLOW_HTTP_DOCUMENT_URIS", "false", "accept http:// deliverable document URIs as well as https:// (api, dev)"},
	{"SOWFLOW_LOG_FORMAT", "text in dev, json otherwise", "log format: json or text"},
	{"SOWFLOW_LOG_LEVEL", "info", "log level: debug, info, warn or error"},
	{"SOWFLOW_AUTO_MIGRATE", "true in dev, false otherwise", "apply pending database migrations at start; when false a process refuses to start on an older schema"},
	{"SOWFLOW_DATA_DIR", "./.data", "dev only: embedded Temporal SQLite file and private PostgreSQL cluster"},
	{"SOWFLOW_TEMPORAL_PORT", "7233", "dev only: embedded Temporal frontend port"},
	{"SOWFLOW_UI_PORT", "8233", "dev only: Temporal Web UI port (-1 disables it)"},
	{"SOWFLOW_SHUTDOWN_TIMEOUT", "15s", "how long a graceful stop may take"},
	{"SOWFLOW_APP_ROLE", "", "migrate only: the PostgreSQL role api and worker connect as; after migrating, `migrate up` grants it SELECT, INSERT, UPDATE, DELETE on sowflow's tables and only SELECT, INSERT on audit_log"},
	{"SOWFLOW_PAYLOAD_KEY", "", "32-byte key (base64 or hex) that encrypts every Temporal payload with AES-256-GCM; every api and worker process needs the same key"},
	{"SOWFLOW_PUBLIC_URL", "dev: its own URL, else http://127.0.0.1:8080", "the portal's public address (https://host[:port]); invitation links start with it and session cookies are Secure when it is https"},
	{"SOWFLOW_TRUSTED_PROXIES", "", "comma-separated addresses or CIDR prefixes of reverse proxies in front of the portal; from them the client's address is read from X-Forwarded-For (sign-in throttling per address); empty trusts no header"},
	{"SOWFLOW_PPROF_ADDR", "", "api and worker: serve Go's runtime profiles (/debug/pprof/) on this address (host:port), for measuring memory and CPU; keep it private; empty serves none"},
	{"SOWFLOW_SMTP_URL", "", "mail server for notifications (worker, dev): smtp://[user:pass@]host[:port] (STARTTLS when offered, port 587) or smtps://… (implicit TLS, port 465); unset sends no mail"},
	{"SOWFLOW_MAIL_FROM", "", "sender address of notification mail; required with SOWFLOW_SMTP_URL"},
	{"SOWFLOW_HEALTH_ADDR", "", "worker only: serve /healthz and /readyz (PostgreSQL and Temporal answer) on this host:port; empty serves none"},
	{"SOWFLOW_WORKER_CACHE_SIZE", "10000", "worker, dev: workflow executions kept in memory between their tasks (sticky cache; 0 turns it off and every task replays the whole history)"},
	{"SOWFLOW_WORKER_MAX_WORKFLOW_TASKS", "1000", "worker, dev: workflow tasks run at once (at least 2)"},
	{"SOWFLOW_WORKER_MAX_ACTIVITIES", "1000", "worker, dev: activities (read-model projections) run at once"},
	{"SOWFLOW_WORKER_MAX_LOCAL_ACTIVITIES", "1000", "worker, dev: local activities (deadline computations) run at once"},
	{"SOWFLOW_WORKER_WORKFLOW_POLLERS", "2", "worker, dev: long polls open for workflow tasks (at least 2: one serves the sticky queue)"},
	{"SOWFLOW_WORKER_ACTIVITY_POLLERS", "2", "worker, dev: long polls open for activity tasks"},
}

// FromEnv reads the process environment.
func FromEnv(mode Mode) (Config, error) {
	return Load(mode, os.LookupEnv)
}

// Load reads configuration through lookup (os.LookupEnv in production) and
// returns every problem found, each naming its variable.
func Load(mode Mode, lookup func(string) (string, bool)) (Config, error) {
	r := reader{lookup: lookup}
	defaultFormat, defaultHTTPAddr := "json", ":8080"
	if mode == ModeDev {
		// A laptop's dev server serves no one else unless told to.
		defaultFormat, defaultHTTPAddr = "text", "127.0.0.1:8080"
	}
	cfg := Config{
		DatabaseURL: r.str("DATABASE_URL", ""),
		Temporal: Temporal{
			Address:       r.str("TEMPORAL_ADDRESS", "127.0.0.1:7233"),
			Namespace:     r.str("TEMPORAL_NAMESPACE", "default"),
			TaskQueue:     r.str("TEMPORAL_TASK_QUEUE", "sowflow"),
			TLSCert:       r.str("TEMPORAL_TLS_CERT", ""),
			TLSKey:        r.str("TEMPORAL_TLS_KEY", ""),
			TLSCA:         r.str("TEMPORAL_TLS_CA", ""),
			TLSServerName: r.str("TEMPORAL_TLS_SERVER_NAME", ""),
		},
		HTTPAddr:        r.str("SOWFLOW_HTTP_ADDR", defaultHTTPAddr),
		MetricsAddr:     r.str("SOWFLOW_METRICS_ADDR", ""),
		LogFormat:       r.oneOf("SOWFLOW_LOG_FORMAT", defaultFormat, "json", "text"),
		AutoMigrate:     r.boolean("SOWFLOW_AUTO_MIGRATE", mode == ModeDev),
		DataDir:         r.str("SOWFLOW_DATA_DIR", "./.data"),
		TemporalPort:    r.port("SOWFLOW_TEMPORAL_PORT", 7233, false),
		UIPort:          r.port("SOWFLOW_UI_PORT", 8233, true),
		ShutdownTimeout: r.duration("SOWFLOW_SHUTDOWN_TIMEOUT", 15*time.Second),
	}
	cfg.HTTPReadTimeout = r.duration("SOWFLOW_HTTP_READ_TIMEOUT", 30*time.Second)
	cfg.HTTPWriteTimeout = r.duration("SOWFLOW_HTTP_WRITE_TIMEOUT", 60*time.Second)
	cfg.IdempotencyRetention = r.duration("SOWFLOW_IDEMPOTENCY_RETENTION", 24*time.Hour)
	if cfg.IdempotencyRetention < time.Hour {
		r.fail("SOWFLOW_IDEMPOTENCY_RETENTION", fmt.Errorf("%s is too short: at least 1h, so a client's retries find the first answer", cfg.IdempotencyRetention))
	}
	cfg.AllowHTTPDocumentURIs = r.boolean("SOWFLOW_ALLOW_HTTP_DOCUMENT_URIS", false)
	cfg.AppRole = r.str("SOWFLOW_APP_ROLE", "")
	cfg.LogLevel = r.level("SOWFLOW_LOG_LEVEL")
	if raw := r.str("SOWFLOW_PAYLOAD_KEY", ""); raw != "" {
		key, err := codec.ParseKey(raw)
		if err != nil {
			r.fail("SOWFLOW_PAYLOAD_KEY", err)
		}
		cfg.PayloadKey = key
	}

	defaultPublicURL := "http://127.0.0.1:8080"
	if mode == ModeDev {
		defaultPublicURL = ""
	}
	cfg.PublicURL = r.str("SOWFLOW_PUBLIC_URL", defaultPublicURL)
	if cfg.PublicURL != "" {
		if err := checkPublicURL(cfg.PublicURL); err != nil {
			r.fail("SOWFLOW_PUBLIC_URL", err)
		}
		cfg.PublicURL = strings.TrimSuffix(cfg.PublicURL, "/")
	}

	cfg.SMTPURL = r.str("SOWFLOW_SMTP_URL", "")
	cfg.MailFrom = r.str("SOWFLOW_MAIL_FROM", "")
	if cfg.SMTPURL != "" {
		if u, err := url.Parse(cfg.SMTPURL); err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" {
			r.fail("SOWFLOW_SMTP_URL", errors.New("want smtp://[user:pass@]host[:port] or smtps://…"))
		}
		if _, err := mail.ParseAddress(cfg.MailFrom); err != nil {
			r.fail("SOWFLOW_MAIL_FROM", fmt.Errorf("want the sender's address with SOWFLOW_SMTP_URL: %w", err))
		}
	}

	if raw := r.str("SOWFLOW_TRUSTED_PROXIES", ""); raw != "" {
		proxies, err := ParseTrustedProxies(raw)
		if err != nil {
			r.fail("SOWFLOW_TRUSTED_PROXIES", err)
		}
		cfg.TrustedProxies = proxies
	}

	cfg.HealthAddr = r.str("SOWFLOW_HEALTH_ADDR", "")
	if cfg.HealthAddr != "" {
		if _, _, err := net.SplitHostPort(cfg.HealthAddr); err != nil {
			r.fail("SOWFLOW_HEALTH_ADDR", fmt.Errorf("want host:port or :port: %w", err))
		}
	}
	cfg.PprofAddr = r.str("SOWFLOW_PPROF_ADDR", "")
	if cfg.PprofAddr != "" {
		if _, _, err := net.SplitHostPort(cfg.PprofAddr); err != nil {
			r.fail("SOWFLOW_PPROF_ADDR", fmt.Errorf("want host:port or :port: %w", err))
		}
	}
	d := DefaultWorkerTuning
	cfg.Worker = WorkerTuning{
		CacheSize:          r.count("SOWFLOW_WORKER_CACHE_SIZE", d.CacheSize, 0),
		MaxWorkflowTasks:   r.count("SOWFLOW_WORKER_MAX_WORKFLOW_TASKS", d.MaxWorkflowTasks, 2),
		MaxActivities:      r.count("SOWFLOW_WORKER_MAX_ACTIVITIES", d.MaxActivities, 1),
		MaxLocalActivities: r.count("SOWFLOW_WORKER_MAX_LOCAL_ACTIVITIES", d.MaxLocalActivities, 1),
		WorkflowPollers:    r.count("SOWFLOW_WORKER_WORKFLOW_POLLERS", d.WorkflowPollers, 2),
		ActivityPollers:    r.count("SOWFLOW_WORKER_ACTIVITY_POLLERS", d.ActivityPollers, 1),
	}
	if w := cfg.Worker; w.WorkflowPollers > w.MaxWorkflowTasks {
		r.fail("SOWFLOW_WORKER_WORKFLOW_POLLERS", fmt.Errorf("%d is more than SOWFLOW_WORKER_MAX_WORKFLOW_TASKS (%d): a poll needs a free task slot", w.WorkflowPollers, w.MaxWorkflowTasks))
	}
	if w := cfg.Worker; w.ActivityPollers > w.MaxActivities {
		r.fail("SOWFLOW_WORKER_ACTIVITY_POLLERS", fmt.Errorf("%d is more than SOWFLOW_WORKER_MAX_ACTIVITIES (%d): a poll needs a free activity slot", w.ActivityPollers, w.MaxActivities))
	}

	if cfg.DatabaseURL != "" {
		if err := checkDatabaseURL(cfg.DatabaseURL); err != nil {
			r.fail("DATABASE_URL", err)
		}
	} else if mode != ModeDev {
		r.fail("DATABASE_URL", errors.New("is required"))
	}
	if mode != ModeDev && mode != ModeMigrate {
		if err := CheckTemporalAddress(cfg.Temporal.Address); err != nil {
			r.fail("TEMPORAL_ADDRESS", err)
		}
		r.nonEmpty("TEMPORAL_NAMESPACE", cfg.Temporal.Namespace)
		r.nonEmpty("TEMPORAL_TASK_QUEUE", cfg.Temporal.TaskQueue)
		r.tlsFiles(cfg.Temporal)
	}
	if mode == ModeAPI || mode == ModeDev {
		if _, _, err := net.SplitHostPort(cfg.HTTPAddr); err != nil {
			r.fail("SOWFLOW_HTTP_ADDR", fmt.Errorf("want host:port or :port: %w", err))
		}
		if cfg.MetricsAddr != "" {
			if _, _, err := net.SplitHostPort(cfg.MetricsAddr); err != nil {
				r.fail("SOWFLOW_METRICS_ADDR", fmt.Errorf("want host:port or :port: %w", err))
			} else if cfg.MetricsAddr == cfg.HTTPAddr {
				r.fail("SOWFLOW_METRICS_ADDR", errors.New("is SOWFLOW_HTTP_ADDR; leave it empty to serve /metrics on the API's address"))
			}
		}
	}
	return cfg, errors.Join(r.errs...)
}

// CheckTemporalAddress accepts host:port or a dns:/// gRPC target and names
// anything else, such as an http:// URL, as an unknown scheme.
func CheckTemporalAddress(addr string) error {
	hostPort := addr
	if i := strings.Index(addr, "://"); i >= 0 {
		scheme := addr[:i]
		if scheme != "dns" {
			return fmt.Errorf("unknown scheme %q: want host:port or dns:///host:port", scheme)
		}
		hostPort = strings.TrimPrefix(addr[i+3:], "/")
		if slash := strings.Index(hostPort, "/"); slash >= 0 {
			hostPort = hostPort[slash+1:]
		}
	}
	host, port, err := net.SplitHostPort(hostPort)
	if err != nil {
		return fmt.Errorf("want host:port or dns:///host:port: %w", err)
	}
	if host == "" {
		return errors.New("host is empty")
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("port %q is not a number in 1-65535", port)
	}
	return nil
}

func checkDatabaseURL(raw string) error {
	if strings.Contains(raw, "://") {
		u, err := url.Parse(raw)
		if err != nil {
			return fmt.Errorf("malformed URL: %w", redactURLError(err))
		}
		if u.Scheme != "postgres" && u.Scheme != "postgresql" {
			return fmt.Errorf("unknown scheme %q: want postgres://", u.Scheme)
		}
	}
	if _, err := pgxpool.ParseConfig(raw); err != nil {
		return fmt.Errorf("malformed connection string: %w", err)
	}
	return nil
}

// ParseTrustedProxies reads a comma-separated list of addresses and CIDR
// prefixes (10.0.0.0/8, 192.0.2.7, ::1).
func ParseTrustedProxies(raw string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(raw, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("%q is neither an address nor a CIDR prefix", f)
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}

// checkPublicURL accepts an absolute http or https URL with a host and
// nothing after it but an optional path.
func checkPublicURL(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return fmt.Errorf("malformed URL: %w", redactURLError(err))
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("%q: want an http:// or https:// URL such as https://sowflow.example.com", raw)
	case u.Host == "":
		return fmt.Errorf("%q has no host", raw)
	case u.User != nil || u.RawQuery != "" || u.Fragment != "":
		return fmt.Errorf("%q: want only scheme, host and port (no user, query or fragment)", raw)
	}
	return nil
}

// redactURLError drops the URL (which may hold a password) from a url.Error.
func redactURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

type reader struct {
	lookup func(string) (string, bool)
	errs   []error
}

func (r *reader) fail(name string, err error) {
	r.errs = append(r.errs, fmt.Errorf("%s: %w", name, err))
}

func (r *reader) str(name, def string) string {
	if v, ok := r.lookup(name); ok && strings.TrimSpace(v) != "" {
		return strings.TrimSpace(v)
	}
	return def
}

func (r *reader) nonEmpty(name, v string) {
	if v == "" {
		r.fail(name, errors.New("must not be empty"))
	}
}

func (r *reader) oneOf(name, def string, allowed ...string) string {
	v := r.str(name, def)
	for _, a := range allowed {
		if v == a {
			return v
		}
	}
	r.fail(name, fmt.Errorf("%q is not one of %s", v, strings.Join(allowed, ", ")))
	return def
}

func (r *reader) boolean(name string, def bool) bool {
	v := r.str(name, "")
	if v == "" {
		return def
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		r.fail(name, fmt.Errorf("%q is not a boolean (true or false)", v))
		return def
	}
	return b
}

func (r *reader) port(name string, def int, allowDisable bool) int {
	v := r.str(name, "")
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	switch {
	case err == nil && allowDisable && n == -1:
		return n
	case err != nil || n < 0 || n > 65535:
		r.fail(name, fmt.Errorf("%q is not a port number in 0-65535", v))
		return def
	}
	return n
}

// maxCount bounds every count setting: far beyond what one process can use,
// low enough that a typo of extra digits is caught.
const maxCount = 10_000_000

// count reads a whole number of at least min (and at most maxCount).
func (r *reader) count(name string, def, min int) int {
	v := r.str(name, "")
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	switch {
	case err != nil:
		r.fail(name, fmt.Errorf("%q is not a whole number", v))
		return def
	case n < min:
		r.fail(name, fmt.Errorf("%d is below the minimum %d", n, min))
		return def
	case n > maxCount:
		r.fail(name, fmt.Errorf("%d is above the maximum %d", n, maxCount))
		return def
	}
	return n
}

func (r *reader) duration(name string, def time.Duration) time.Duration {
	v := r.str(name, "")
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		r.fail(name, fmt.Errorf("%q is not a positive duration such as 15s", v))
		return def
	}
	return d
}

func (r *reader) level(name string) slog.Level {
	var lvl slog.Level
	v := r.str(name, "info")
	if err := lvl.UnmarshalText([]byte(v)); err != nil {
		r.fail(name, fmt.Errorf("%q is not one of debug, info, warn, error", v))
		return slog.LevelInfo
	}
	return lvl
}

func (r *reader) tlsFiles(t Temporal) {
	if (t.TLSCert == "") != (t.TLSKey == "") {
		r.fail("TEMPORAL_TLS_CERT", errors.New("TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY must be set together"))
	}
	for _, f := range []struct{ name, path string }{
		{"TEMPORAL_TLS_CERT", t.TLSCert}, {"TEMPORAL_TLS_KEY", t.TLSKey}, {"TEMPORAL_TLS_CA", t.TLSCA},
	} {
		if f.path == "" {
			continue
		}
		if _, err := os.Stat(f.path); err != nil {
			r.fail(f.name, fmt.Errorf("cannot read file: %w", err))
		}
	}
}
