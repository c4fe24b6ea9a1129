// Package devserver runs a complete Temporal server and the Temporal Web UI inside the
// current process, persisted in a SQLite file. It is what `sowflow dev` uses on a laptop; it
// is not meant for production, where sowflow talks to an external Temporal cluster.
//
// A restart on the same file finds every workflow where it was left: the schema, the
// namespace and the search attributes are created on the first start and reused afterwards.
package devserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	uiserver "github.com/temporalio/ui-server/v2/server"
	enums "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/server/common/cluster"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/dynamicconfig"
	"go.temporal.io/server/common/membership/static"
	sqliteplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/sqlite"
	"go.temporal.io/server/common/primitives"
	sqliteschema "go.temporal.io/server/schema/sqlite"
	"go.temporal.io/server/temporal"
	"google.golang.org/protobuf/types/known/durationpb"
)

// Default values. Start puts DefaultIP, DefaultUIPort and DefaultNamespace into zero-valued
// Options fields; DefaultFrontendPort is the port sowflow dev asks for (a zero FrontendPort
// picks a free port).
const (
	DefaultIP           = "127.0.0.1"
	DefaultFrontendPort = 7233
	DefaultUIPort       = 8233
	DefaultNamespace    = "default"
)

// NamespaceRetention is how long closed workflows are kept in a namespace created by Start.
const NamespaceRetention = 7 * 24 * time.Hour

// startTimeout bounds the waits in Start when its context has no deadline.
const startTimeout = 30 * time.Second

// errLocked means another server holds the database file.
var errLocked = errors.New("database file locked")

// clusterName names the single local cluster. It is stored in the database on the first
// start, so it must never change.
const clusterName = "active"

// Options configures Start. Only DBFile is required.
type Options struct {
	// DBFile is the SQLite database file, for example ./.data/temporal.db. Its directory is
	// created when missing; the file and its schema are created on the first start.
	DBFile string
	// IP is the address the frontend and the Web UI bind to. Default 127.0.0.1. With an
	// unspecified address (0.0.0.0 or ::) they listen on every interface, and the
	// server's internal services stay on loopback.
	IP string
	// FrontendPort is the gRPC port clients and workers dial; sowflow dev uses
	// DefaultFrontendPort (7233). 0 (or PickFreePort) lets the system pick a free port.
	FrontendPort int
	// UIPort is the Web UI's HTTP port. 0 means DefaultUIPort (8233); DisableUI (-1) runs
	// no UI; PickFreePort lets the system pick a free port.
	UIPort int
	// Namespace is created, with NamespaceRetention, on the first start when missing.
	// Default "default".
	Namespace string
	// SearchAttributes are registered in Namespace when missing, on every start. A name that
	// already exists with another type is an error.
	SearchAttributes map[string]enums.IndexedValueType
	// Logger receives the server's own logs (tagged component=temporal) and devserver's.
	// Default slog.Default().
	Logger *slog.Logger
	// ServerLogLevel is the least severe level of the Temporal server's logs passed on to
	// Logger once it runs. Default slog.LevelWarn, which keeps a dev console readable.
	// While the server starts only errors pass, and none once Stop is called.
	ServerLogLevel slog.Leveler
	// CodecEndpoint, when set, is the remote payload codec the Web UI calls to
	// show encrypted payloads (sowflow dev points it at its API).
	CodecEndpoint string

	// disableWAL opens the database in SQLite's default rollback-journal mode. It exists
	// only so that the benchmark can show what WAL buys.
	disableWAL bool
}

// Special port values for Options.FrontendPort and Options.UIPort.
const (
	// PickFreePort asks Start to pick a free port (for FrontendPort, 0 does the same).
	PickFreePort = -2
	// DisableUI, as Options.UIPort, runs no Web UI.
	DisableUI = -1
)

// Server is a running development Temporal server. Stop it with Stop.
type Server struct {
	frontendAddr string
	uiURL        string
	log          *slog.Logger

	temporal temporal.Server
	ui       *uiserver.Server
	uiDone   chan struct{}
	unlock   func() error
	logGate  *logGate

	stopOnce sync.Once
	stopErr  error
}

// FrontendAddress is the host:port that SDK clients and workers dial.
func (s *Server) FrontendAddress() string { return s.frontendAddr }

// UIURL is the Web UI's base URL, or "" when the UI is disabled.
func (s *Server) UIURL() string { return s.uiURL }

// Start opens (or creates) the database, starts the Temporal services and, unless disabled,
// the Web UI. It returns once the frontend answers and the namespace and search attributes
// exist. ctx bounds the start-up only; call Stop to shut the server down.
//
// Two servers cannot use the same database file at once; the second Start fails.
func Start(ctx context.Context, opts Options) (*Server, error) {
	if err := opts.setDefaults(); err != nil {
		return nil, err
	}
	log := opts.Logger
	gate := &logGate{}
	gate.starting()
	serverLog := newServerLogger(log, opts.ServerLogLevel, gate)

	dbFile, err := filepath.Abs(opts.DBFile)
	if err != nil {
		return nil, fmt.Errorf("devserver: database path %q: %w", opts.DBFile, err)
	}
	if err := os.MkdirAll(filepath.Dir(dbFile), 0o755); err != nil {
		return nil, fmt.Errorf("devserver: create database directory: %w", err)
	}
	unlock, err := lockFile(dbFile + ".lock")
	if errors.Is(err, errLocked) {
		return nil, fmt.Errorf("devserver: %s is in use by another server (is sowflow dev already running?): %w", dbFile, err)
	}
	if err != nil {
		return nil, fmt.Errorf("devserver: lock database: %w", err)
	}
	srv := &Server{log: log, logGate: gate, unlock: unlock}
	started := false
	defer func() {
		if !started {
			_ = srv.Stop()
		}
	}()

	// Ports. The listeners are opened and closed again here so that a port already in use
	// is reported as an error; inside the server it would be a fatal log and an exit.
	dialHost := opts.IP
	if ip := net.ParseIP(opts.IP); ip.IsUnspecified() {
		dialHost = "127.0.0.1"
		if ip.To4() == nil {
			dialHost = "::1"
		}
	}
	frontendPort, err := reservePort(opts.IP, opts.FrontendPort, "frontend")
	if err != nil {
		return nil, err
	}
	srv.frontendAddr = net.JoinHostPort(dialHost, strconv.Itoa(frontendPort))
	uiPort := DisableUI
	if opts.UIPort != DisableUI {
		if uiPort, err = reservePort(opts.IP, opts.UIPort, "web UI"); err != nil {
			return nil, err
		}
	}
	sqlCfg := opts.sqlConfig(dbFile)
	if err := ensureSchema(sqlCfg); err != nil {
		return nil, err
	}
	if err := ensureNamespace(sqlCfg, opts.Namespace, opts.SearchAttributes); err != nil {
		return nil, err
	}
	// history, matching and the internal worker service listen on the dial host (loopback
	// when IP is unspecified): nothing outside this process needs them. Their ports are
	// picked last, just before the server binds them, and below the system's ephemeral
	// range, so that no outgoing connection of this or another process is given one of
	// them in between (the server would exit on a port in use).
	internalPorts := make(map[primitives.ServiceName]int)
	for _, svc := range []primitives.ServiceName{primitives.HistoryService, primitives.MatchingService, primitives.WorkerService} {
		if internalPorts[svc], err = internalPort(dialHost, string(svc), internalPorts); err != nil {
			return nil, err
		}
	}

	cfg := &config.Config{}
	cfg.Global.Membership.BroadcastAddress = dialHost
	cfg.Persistence = config.Persistence{
		DefaultStore:    "sqlite",
		VisibilityStore: "sqlite",
		// One shard: a single process owns everything, more shards only add SQLite writes.
		// The count is fixed in the database on the first start.
		NumHistoryShards: 1,
		DataStores:       map[string]config.DataStore{"sqlite": {SQL: sqlCfg}},
	}
	cfg.ClusterMetadata = &cluster.Config{
		EnableGlobalNamespace:    false,
		FailoverVersionIncrement: 10,
		MasterClusterName:        clusterName,
		CurrentClusterName:       clusterName,
		ClusterInformation: map[string]cluster.ClusterInformation{
			clusterName: {
				Enabled:                true,
				InitialFailoverVersion: 1,
				RPCAddress:             srv.frontendAddr,
				// ClusterID is left empty: the server generates one on the first start and
				// keeps it in the database.
			},
		},
	}
	cfg.DCRedirectionPolicy.Policy = "noop"
	cfg.Services = map[string]config.Service{
		// HTTPPort stays 0: the frontend's HTTP API is off; SDKs and the UI use gRPC.
		string(primitives.FrontendService): {RPC: config.RPC{GRPCPort: frontendPort, BindOnIP: opts.IP}},
	}
	hosts := map[primitives.ServiceName]static.Hosts{
		primitives.FrontendService: static.SingleLocalHost(srv.frontendAddr),
	}
	for svc, port := range internalPorts {
		cfg.Services[string(svc)] = config.Service{RPC: config.RPC{GRPCPort: port, BindOnIP: dialHost}}
		hosts[svc] = static.SingleLocalHost(net.JoinHostPort(dialHost, strconv.Itoa(port)))
	}
	cfg.Archival.History.State = "disabled"
	cfg.Archival.Visibility.State = "disabled"
	cfg.NamespaceDefaults.Archival.History.State = "disabled"
	cfg.NamespaceDefaults.Archival.Visibility.State = "disabled"
	// The server's own system workflows (worker service) dial the frontend through this.
	cfg.PublicClient.HostPort = srv.frontendAddr

	ts, err := temporal.NewServer(
		temporal.WithConfig(cfg),
		temporal.ForServices(temporal.DefaultServices),
		// Fixed membership: every service is in this process, so no gossip ring is needed.
		temporal.WithStaticHosts(hosts),
		temporal.WithLogger(serverLog),
		temporal.WithDynamicConfigClient(dynamicConfig()),
		// No authorizer and no claim mapper: every caller on the laptop is allowed.
	)
	if err != nil {
		return nil, fmt.Errorf("devserver: configure temporal server: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("devserver: start: %w", err)
	}
	if err := ts.Start(); err != nil {
		return nil, fmt.Errorf("devserver: start temporal server: %w", err)
	}
	srv.temporal = ts

	if err := registerSearchAttributes(ctx, srv.frontendAddr, opts.Namespace, opts.SearchAttributes, serverLog.SLog()); err != nil {
		return nil, err
	}
	if uiPort != DisableUI {
		if err := srv.startUI(ctx, opts.IP, dialHost, uiPort, opts.Namespace, opts.CodecEndpoint); err != nil {
			return nil, err
		}
	}
	started = true
	gate.running()
	log.Debug("temporal dev server started", "frontend", srv.frontendAddr, "ui", srv.uiURL, "db", dbFile)
	return srv, nil
}

// Stop shuts the Web UI and the Temporal services down and releases the database file.
// The server's logs are dropped from here on (they are cancellation noise). Calling Stop
// again returns the first call's result.
func (s *Server) Stop() error {
	s.stopOnce.Do(func() {
		s.logGate.stopped()
		var errs []error
		if s.ui != nil {
			s.ui.Stop()
			<-s.uiDone
		}
		if s.temporal != nil {
			if err := s.temporal.Stop(); err != nil {
				errs = append(errs, fmt.Errorf("stop temporal server: %w", err))
			}
		}
		if s.unlock != nil {
			if err := s.unlock(); err != nil {
				errs = append(errs, fmt.Errorf("release database lock: %w", err))
			}
		}
		if err := errors.Join(errs...); err != nil {
			s.stopErr = fmt.Errorf("devserver: %w", err)
		}
	})
	return s.stopErr
}

func (o *Options) setDefaults() error {
	if o.DBFile == "" {
		return errors.New("devserver: DBFile is required")
	}
	if o.IP == "" {
		o.IP = DefaultIP
	}
	if net.ParseIP(o.IP) == nil {
		return fmt.Errorf("devserver: IP %q is not an IP address", o.IP)
	}
	if o.FrontendPort == 0 {
		o.FrontendPort = PickFreePort
	}
	if o.FrontendPort != PickFreePort && (o.FrontendPort < 1 || o.FrontendPort > 65535) {
		return fmt.Errorf("devserver: frontend port %d is out of range", o.FrontendPort)
	}
	if o.UIPort == 0 {
		o.UIPort = DefaultUIPort
	}
	if o.UIPort != PickFreePort && o.UIPort != DisableUI && (o.UIPort < 1 || o.UIPort > 65535) {
		return fmt.Errorf("devserver: web UI port %d is out of range", o.UIPort)
	}
	if o.Namespace == "" {
		o.Namespace = DefaultNamespace
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.ServerLogLevel == nil {
		o.ServerLogLevel = slog.LevelWarn
	}
	return nil
}

// sqlConfig is the persistence configuration shared by the schema set-up, the namespace
// set-up and the server. The server's SQLite plugin keeps one connection per distinct
// configuration for the life of the process, so all three must be identical.
func (o *Options) sqlConfig(dbFile string) *config.SQL {
	attrs := map[string]string{
		"mode": "rwc", // read-write, create the file when missing
		// WAL: a commit appends to the log instead of rewriting pages through a rollback
		// journal, and readers do not block the writer. With synchronous=normal a commit
		// does not wait for fsync; a committed transaction survives a killed process (the
		// log is in the OS cache), only a power loss can drop the last few.
		"journal_mode": "wal",
		"synchronous":  "normal",
	}
	if o.disableWAL {
		// SQLite's defaults, for the benchmark's comparison only.
		attrs["journal_mode"] = "delete"
		attrs["synchronous"] = "full"
	}
	return &config.SQL{
		PluginName:        sqliteplugin.PluginName,
		DatabaseName:      dbFile,
		ConnectAttributes: attrs,
		// MaxConns stays 0, which the plugin turns into one connection: Temporal's
		// transactions read before they write, and a second connection would make SQLite
		// fail such an upgrade with SQLITE_BUSY instead of waiting.
	}
}

// ensureSchema creates the Temporal schema when the database file does not exist yet. The
// schema is built in a temporary file that is renamed into place only once complete, so a
// start interrupted half-way never leaves a database with half a schema behind.
func ensureSchema(cfg *config.SQL) error {
	_, err := os.Stat(cfg.DatabaseName)
	if err == nil {
		return nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("devserver: database file: %w", err)
	}
	tmp := fmt.Sprintf("%s.init-%d", cfg.DatabaseName, os.Getpid())
	_ = os.Remove(tmp) // left over from a start interrupted by a crash
	// The set-up connection uses a rollback journal so that every statement is in the
	// main file when the rename happens: the plugin never closes its connections, so a
	// write-ahead log would not be checkpointed before the rename.
	tmpCfg := *cfg
	tmpCfg.DatabaseName = tmp
	tmpCfg.ConnectAttributes = map[string]string{"mode": "rwc", "journal_mode": "delete"}
	if err := sqliteschema.SetupSchema(&tmpCfg); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("devserver: create schema: %w", err)
	}
	if err := os.Rename(tmp, cfg.DatabaseName); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("devserver: create schema: %w", err)
	}
	return nil
}

// ensureNamespace writes the namespace record straight into the database when it is
// missing, before the server starts, so that it is usable as soon as the frontend answers
// (a namespace registered through the API is only seen after a cache refresh). It is a
// no-op for an existing namespace; registerSearchAttributes handles that case.
func ensureNamespace(cfg *config.SQL, name string, searchAttributes map[string]enums.IndexedValueType) error {
	ns, err := sqliteschema.NewNamespaceConfig(clusterName, name, false, searchAttributes)
	if err != nil {
		return fmt.Errorf("devserver: namespace %s: %w", name, err)
	}
	ns.Detail.Config.Retention = durationpb.New(NamespaceRetention)
	if err := sqliteschema.CreateNamespaces(cfg, ns); err != nil {
		return fmt.Errorf("devserver: create namespace %s: %w", name, err)
	}
	return nil
}

// registerSearchAttributes adds the search attributes missing from the namespace, so a
// database created by an older sowflow gets the attributes a newer one needs.
func registerSearchAttributes(ctx context.Context, addr, namespace string, want map[string]enums.IndexedValueType, log *slog.Logger) error {
	c, err := client.DialContext(ctx, client.Options{
		HostPort:  addr,
		Namespace: namespace,
		Logger:    sdklog.NewStructuredLogger(log),
	})
	if err != nil {
		return fmt.Errorf("devserver: connect to frontend %s: %w", addr, err)
	}
	defer c.Close()
	if len(want) == 0 {
		return nil
	}
	resp, err := c.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: namespace})
	if err != nil {
		return fmt.Errorf("devserver: list search attributes: %w", err)
	}
	missing := make(map[string]enums.IndexedValueType)
	for name, typ := range want {
		have, ok := resp.GetCustomAttributes()[name]
		switch {
		case !ok:
			missing[name] = typ
		case have != typ:
			return fmt.Errorf("devserver: search attribute %s is registered as %s, want %s", name, have, typ)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	if _, err := c.OperatorService().AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{
		Namespace:        namespace,
		SearchAttributes: missing,
	}); err != nil {
		return fmt.Errorf("devserver: add search attributes: %w", err)
	}

	// The new names live in the namespace record, which the frontend reads from a cache
	// refreshed every few seconds; until then a workflow that sets them is refused. Wait
	// until a visibility query that names them is accepted.
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, startTimeout)
		defer cancel()
	}
	var clauses []string
	for name := range missing {
		clauses = append(clauses, name+" IS NULL")
	}
	query := strings.Join(clauses, " AND ")
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		_, err := c.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{Namespace: namespace, Query: query})
		var invalid *serviceerror.InvalidArgument
		switch {
		case err == nil:
			return nil
		case !errors.As(err, &invalid):
			return fmt.Errorf("devserver: check search attributes: %w", err)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("devserver: search attributes not usable yet: %w (last error: %v)", ctx.Err(), err)
		case <-tick.C:
		}
	}
}

// dynamicConfig is the server's dynamic configuration. Everything not listed keeps the
// server's default.
func dynamicConfig() dynamicconfig.StaticClient {
	return dynamicconfig.StaticClient{
		// Visibility calls (list and count workflows) are limited to 10 a second per
		// namespace by default. The Web UI issues several per page and refreshes them, and the
		// API's read paths add their own, so one open browser tab gets throttled; 100 is
		// still far below what SQLite answers.
		dynamicconfig.FrontendMaxNamespaceVisibilityRPSPerInstance.Key(): 100,
	}
}

// internalPort picks a free port on ip for an internal service, at random
// below the system's ephemeral port range (where a listener on port 0 and
// every outgoing connection take theirs) and not one of taken, falling
// back to a port the system picks.
func internalPort(ip, what string, taken map[primitives.ServiceName]int) (int, error) {
	low := ephemeralLow()
	for range 64 {
		port := low - 1 - rand.IntN(internalPortSpan)
		if slices.Contains(slices.Collect(maps.Values(taken)), port) {
			continue
		}
		if free, err := reservePort(ip, port, what); err == nil {
			return free, nil
		}
	}
	return reservePort(ip, PickFreePort, what)
}

// internalPortSpan is how many ports below the ephemeral range internal
// ports are drawn from.
const internalPortSpan = 8000

// ephemeralLow is the lowest port of the system's ephemeral range (Linux's
// ip_local_port_range), or 32768 where it cannot be read.
func ephemeralLow() int {
	const fallback = 32768
	raw, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		return fallback
	}
	fields := strings.Fields(string(raw))
	if len(fields) == 0 {
		return fallback
	}
	low, err := strconv.Atoi(fields[0])
	if err != nil || low <= internalPortSpan+1024 {
		return fallback
	}
	return low
}

// reservePort checks that port is free on ip, or picks a free one for PickFreePort, and
// returns it. The listener is closed again before the caller binds the port.
func reservePort(ip string, port int, what string) (int, error) {
	if port == PickFreePort {
		port = 0
	}
	l, err := net.Listen("tcp", net.JoinHostPort(ip, strconv.Itoa(port)))
	if err != nil {
		return 0, fmt.Errorf("devserver: %s port: %w", what, err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
