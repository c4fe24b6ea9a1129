// Package localpg finds a PostgreSQL server for `sowflow dev`: the one on
// 127.0.0.1:5432 when it answers, otherwise a private cluster it creates and
// starts under the data directory from the PostgreSQL binaries installed on
// the machine.
package localpg

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// DefaultPort is the port of the private cluster; it differs from 5432 so a
// system server started later does not collide with it.
const DefaultPort = 55432

// Database is the database sowflow uses on a server it finds.
const Database = "sowflow"

// ErrNoPostgres means no server answered and no PostgreSQL binaries were found.
var ErrNoPostgres = errors.New("no PostgreSQL found: set DATABASE_URL to a running server, or install PostgreSQL (for example `apt-get install postgresql`) so sowflow dev can start a private one")

// Found is a PostgreSQL server sowflow dev may use.
type Found struct {
	// URL connects to the sowflow database on the server.
	URL string
	// Cluster is the private cluster when sowflow started one, nil otherwise.
	Cluster *Cluster
}

// Describe says in a few words where the database is, without credentials.
func (f Found) Describe() string {
	if f.Cluster != nil {
		return fmt.Sprintf("private cluster in %s on 127.0.0.1:%d", f.Cluster.DataDir, f.Cluster.Port)
	}
	return "PostgreSQL on 127.0.0.1:5432"
}

// Find returns the server on 127.0.0.1:5432 when one answers, or starts (and
// if needed creates) a private cluster under dataDir/pg. It creates the
// sowflow database on whichever it uses.
func Find(ctx context.Context, dataDir string, logger *slog.Logger) (Found, error) {
	const systemAdmin = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable&connect_timeout=3"
	err := EnsureDatabase(ctx, systemAdmin, Database)
	switch {
	case err == nil:
		return Found{URL: withDatabase(systemAdmin, Database)}, nil
	case !isConnectionRefused(err):
		return Found{}, fmt.Errorf("PostgreSQL on 127.0.0.1:5432 answered but could not be used (set DATABASE_URL): %w", err)
	}
	logger.Info("no PostgreSQL on 127.0.0.1:5432; using a private cluster", "dir", filepath.Join(dataDir, "pg"))
	c, err := Start(ctx, Options{Dir: filepath.Join(dataDir, "pg"), Port: DefaultPort, Logger: logger})
	if err != nil {
		return Found{}, err
	}
	if err := WaitReady(ctx, c.URL("postgres")); err != nil {
		return Found{}, errors.Join(err, c.Stop(context.WithoutCancel(ctx)))
	}
	if err := EnsureDatabase(ctx, c.URL("postgres"), Database); err != nil {
		return Found{}, errors.Join(err, c.Stop(context.WithoutCancel(ctx)))
	}
	return Found{URL: c.URL(Database), Cluster: c}, nil
}

// EnsureDatabase connects with adminURL and creates database name if missing.
func EnsureDatabase(ctx context.Context, adminURL, name string) error {
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return fmt.Errorf("look up database %s: %w", name, err)
	}
	if exists {
		return nil
	}
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		var again bool
		if qerr := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&again); qerr == nil && again {
			return nil // created concurrently by another process
		}
		return fmt.Errorf("create database %s: %w", name, err)
	}
	return nil
}

func withDatabase(url, db string) string {
	return strings.Replace(url, "/postgres?", "/"+db+"?", 1)
}

func isConnectionRefused(err error) bool {
	if errors.Is(err, syscall.ECONNREFUSED) {
		return true
	}
	var opErr *net.OpError
	return errors.As(err, &opErr) && opErr.Op == "dial"
}

// Options configures a private cluster.
type Options struct {
	// Dir holds the cluster: Dir/data is PGDATA and Dir/server.log its log.
	Dir string
	// Port is the TCP port on 127.0.0.1.
	Port int
	// BinDir holds initdb and pg_ctl; empty means search the machine.
	BinDir string
	Logger *slog.Logger
}

// Cluster is a private PostgreSQL cluster listening on 127.0.0.1 only, with
// trust authentication for the postgres user and no Unix socket.
type Cluster struct {
	DataDir string
	Port    int
	bin     string
	cred    *syscall.Credential
	logFile string
	started bool
	logger  *slog.Logger
}

// URL returns a connection URL for database db on the cluster.
func (c *Cluster) URL(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.Port, db)
}

// Start creates the cluster if Dir holds none, and starts it unless it is
// already running (for example after sowflow dev was killed). PostgreSQL
// refuses to run as root, so as root the cluster belongs to and runs as the
// machine's postgres user.
func Start(ctx context.Context, opts Options) (*Cluster, error) {
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	bin := opts.BinDir
	if bin == "" {
		var err error
		if bin, err = findBinDir(ctx); err != nil {
			return nil, err
		}
	} else if !hasPgCtl(bin) {
		return nil, fmt.Errorf("no initdb and pg_ctl in %s: %w", bin, ErrNoPostgres)
	}
	abs, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("resolve %s: %w", opts.Dir, err)
	}
	c := &Cluster{DataDir: filepath.Join(abs, "data"), Port: opts.Port, bin: bin, logFile: filepath.Join(abs, "server.log"), logger: logger}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return nil, fmt.Errorf("create %s: %w", abs, err)
	}
	if os.Geteuid() == 0 {
		if c.cred, err = postgresUser(); err != nil {
			return nil, err
		}
		if err := checkTraversable(abs); err != nil {
			return nil, err
		}
		if err := os.Chown(abs, int(c.cred.Uid), int(c.cred.Gid)); err != nil {
			return nil, fmt.Errorf("hand %s to the postgres user: %w", abs, err)
		}
	}
	if _, err := os.Stat(filepath.Join(c.DataDir, "PG_VERSION")); errors.Is(err, os.ErrNotExist) {
		logger.Info("creating private PostgreSQL cluster", "dir", c.DataDir)
		if out, err := c.run(ctx, "initdb", "-D", c.DataDir, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--no-instructions"); err != nil {
			return nil, fmt.Errorf("initdb in %s: %w: %s", c.DataDir, err, lastLine(out))
		}
	}
	if _, err := c.run(ctx, "pg_ctl", "-D", c.DataDir, "status"); err == nil {
		logger.Info("private PostgreSQL cluster already running", "dir", c.DataDir)
		return c, nil
	}
	serverOpts := fmt.Sprintf("-c listen_addresses=127.0.0.1 -p %d -c unix_socket_directories=''", c.Port)
	if out, err := c.run(ctx, "pg_ctl", "-D", c.DataDir, "-l", c.logFile, "-o", serverOpts, "-w", "-t", "60", "start"); err != nil {
		return nil, fmt.Errorf("start PostgreSQL in %s (log: %s): %w: %s", c.DataDir, c.logFile, err, lastLine(out))
	}
	c.started = true
	return c, nil
}

// Stop shuts the cluster down (fast mode) if this process started it.
func (c *Cluster) Stop(ctx context.Context) error {
	if c == nil || !c.started {
		return nil
	}
	if out, err := c.run(ctx, "pg_ctl", "-D", c.DataDir, "-m", "fast", "-w", "stop"); err != nil {
		return fmt.Errorf("stop PostgreSQL in %s: %w: %s", c.DataDir, err, lastLine(out))
	}
	c.started = false
	return nil
}

func (c *Cluster) run(ctx context.Context, name string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, filepath.Join(c.bin, name), args...)
	cmd.Dir = filepath.Dir(c.DataDir)
	// pg_ctl's server must outlive a Ctrl-C delivered to sowflow's process group,
	// so that sowflow can stop it in order; run it in its own session.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if c.cred != nil {
		cmd.SysProcAttr.Credential = c.cred
		cmd.Env = append(os.Environ(), "HOME="+filepath.Dir(c.DataDir))
	}
	return cmd.CombinedOutput()
}

func postgresUser() (*syscall.Credential, error) {
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, errors.New("PostgreSQL refuses to run as root and there is no postgres user to run it as: create one (useradd --system postgres) or set DATABASE_URL")
	}
	uid, err := strconv.ParseUint(u.Uid, 10, 32)
	if err != nil {
		return nil, fmt.Errorf("postgres user id %q: %w", u.Uid, err)
	}
	gid, err := strconv.ParseUint(u.Gid, 10, 32)
	if err != nil {
		return nil, fmt.Errorf("postgres group id %q: %w", u.Gid, err)
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

// checkTraversable makes sure every parent of dir can be entered by other
// users, which the postgres user needs to reach its data directory.
func checkTraversable(dir string) error {
	for p := filepath.Dir(dir); ; p = filepath.Dir(p) {
		fi, err := os.Stat(p)
		if err != nil {
			return fmt.Errorf("inspect %s: %w", p, err)
		}
		if fi.Mode().Perm()&0o001 == 0 {
			return fmt.Errorf("the postgres user cannot enter %s (mode %v): choose a SOWFLOW_DATA_DIR outside it or set DATABASE_URL", p, fi.Mode().Perm())
		}
		if p == filepath.Dir(p) {
			return nil
		}
	}
}

// findBinDir looks for initdb and pg_ctl: on PATH, then pg_config --bindir,
// then the newest /usr/lib/postgresql/*/bin (Debian's layout).
func findBinDir(ctx context.Context) (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			p = real
		}
		if hasPgCtl(filepath.Dir(p)) {
			return filepath.Dir(p), nil
		}
	}
	if out, err := exec.CommandContext(ctx, "pg_config", "--bindir").Output(); err == nil {
		if dir := strings.TrimSpace(string(out)); hasPgCtl(dir) {
			return dir, nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return versionOf(dirs[i]) > versionOf(dirs[j]) })
	for _, d := range dirs {
		if hasPgCtl(d) {
			return d, nil
		}
	}
	return "", ErrNoPostgres
}

func hasPgCtl(dir string) bool {
	for _, name := range []string{"initdb", "pg_ctl"} {
		if fi, err := os.Stat(filepath.Join(dir, name)); err != nil || fi.IsDir() {
			return false
		}
	}
	return true
}

func versionOf(binDir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return v
}

func lastLine(out []byte) string {
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	return lines[len(lines)-1]
}

// WaitReady polls until url accepts connections or ctx ends; pg_ctl -w
// already waits, so this only covers a cluster found running mid-start.
func WaitReady(ctx context.Context, url string) error {
	for {
		conn, err := pgx.Connect(ctx, url)
		if err == nil {
			return conn.Close(ctx)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for PostgreSQL: %w", errors.Join(err, ctx.Err()))
		case <-time.After(100 * time.Millisecond):
		}
	}
}
