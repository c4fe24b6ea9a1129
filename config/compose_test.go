package config

// Docker cannot run where sowflow's tests run, so these tests read
// docker-compose.yml, Dockerfile and deploy/ as text and check them against the
// code: that every sowflow service gets the configuration its command requires,
// that names, ports and credentials agree between services, that every image is
// pinned, and that the Temporal images are the versions go.mod embeds for
// `sowflow dev`.

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"go.temporal.io/api/enums/v1"
	"gopkg.in/yaml.v3"

	"github.com/sowflow/sowflow/workflows"
)

// repoRoot is the repository root, seen from this package's directory.
const repoRoot = ".."

// sowflowServices maps each compose service that runs the sowflow binary to
// the command line it must run and the mode config.Load validates it in.
var sowflowServices = []struct {
	service string
	mode    Mode
	command []string
}{
	{"migrate", ModeMigrate, []string{"migrate", "up"}},
	{"api", ModeAPI, []string{"api"}},
	{"worker", ModeWorker, []string{"worker"}},
}

// explicitVariables lists, per mode, the variables a compose service must set
// itself because their defaults point at localhost, which inside a container
// is the container itself, or must agree between services.
var explicitVariables = map[Mode][]string{
	ModeMigrate: {"DATABASE_URL", "SOWFLOW_APP_ROLE"},
	ModeAPI:     {"DATABASE_URL", "TEMPORAL_ADDRESS", "TEMPORAL_NAMESPACE", "TEMPORAL_TASK_QUEUE", "SOWFLOW_HTTP_ADDR", "SOWFLOW_PAYLOAD_KEY"},
	ModeWorker:  {"DATABASE_URL", "TEMPORAL_ADDRESS", "TEMPORAL_NAMESPACE", "TEMPORAL_TASK_QUEUE", "SOWFLOW_PAYLOAD_KEY"},
}

// requiredVariables are the variables the compose file requires from the
// environment (${NAME:?message}: compose refuses to start without them),
// with the values the tests give them.
var requiredVariables = map[string]string{
	"SOWFLOW_PAYLOAD_KEY": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
}

// migrateActions are the arguments `sowflow migrate` accepts (runMigrate in
// cmd/sowflow/services.go).
var migrateActions = []string{"up", "status"}

// composeFile is the part of the compose specification these tests read.
type composeFile struct {
	Services map[string]*composeService `yaml:"services"`
	Volumes  map[string]any             `yaml:"volumes"`
}

type composeService struct {
	Image       string         `yaml:"image"`
	Build       composeBuild   `yaml:"build"`
	Command     stringList     `yaml:"command"`
	Entrypoint  stringList     `yaml:"entrypoint"`
	Environment environment    `yaml:"environment"`
	Ports       []string       `yaml:"ports"`
	Expose      []string       `yaml:"expose"`
	DependsOn   dependsOn      `yaml:"depends_on"`
	Healthcheck *composeHealth `yaml:"healthcheck"`
	Restart     string         `yaml:"restart"`
	Volumes     []string       `yaml:"volumes"`
	Deploy      composeDeploy  `yaml:"deploy"`
	// ContainerName fixes a container's name, which a replicated service
	// must not.
	ContainerName string `yaml:"container_name"`
	name          string // the service's key in services
}

// composeDeploy is the part of a service's deploy section the scaling test
// reads.
type composeDeploy struct {
	Replicas  string `yaml:"replicas"`
	Resources struct {
		Limits struct {
			CPUs   string `yaml:"cpus"`
			Memory string `yaml:"memory"`
		} `yaml:"limits"`
	} `yaml:"resources"`
}

type composeHealth struct {
	Test     stringList `yaml:"test"`
	Disable  bool       `yaml:"disable"`
	Interval string     `yaml:"interval"`
	Timeout  string     `yaml:"timeout"`
}

// composeBuild is a service's build section, short (a context path) or long.
type composeBuild struct {
	Context    string            `yaml:"context"`
	Dockerfile string            `yaml:"dockerfile"`
	Args       map[string]string `yaml:"args"`
}

func (b *composeBuild) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		b.Context = n.Value
		return nil
	}
	type plain composeBuild
	return n.Decode((*plain)(b))
}

// stringList is a command or entrypoint: a list, or a string split on spaces.
type stringList []string

func (l *stringList) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		*l = strings.Fields(n.Value)
		return nil
	}
	return n.Decode((*[]string)(l))
}

// environment is a service's environment, written as a map or as KEY=VALUE
// items. A key without a value (passed through from the host) is left out.
type environment map[string]string

func (e *environment) UnmarshalYAML(n *yaml.Node) error {
	*e = environment{}
	if n.Kind == yaml.SequenceNode {
		var items []string
		if err := n.Decode(&items); err != nil {
			return err
		}
		for _, item := range items {
			if k, v, ok := strings.Cut(item, "="); ok {
				(*e)[k] = v
			}
		}
		return nil
	}
	var m map[string]any // Decode applies merge keys (<<: *anchor).
	if err := n.Decode(&m); err != nil {
		return err
	}
	for k, v := range m {
		if v != nil {
			(*e)[k] = fmt.Sprint(v)
		}
	}
	return nil
}

func (e environment) lookup(name string) (string, bool) {
	v, ok := e[name]
	return v, ok
}

// dependsOn maps each dependency to its condition, written as a list (meaning
// service_started) or as a map.
type dependsOn map[string]string

func (d *dependsOn) UnmarshalYAML(n *yaml.Node) error {
	*d = dependsOn{}
	if n.Kind == yaml.SequenceNode {
		var names []string
		if err := n.Decode(&names); err != nil {
			return err
		}
		for _, name := range names {
			(*d)[name] = "service_started"
		}
		return nil
	}
	var m map[string]struct {
		Condition string `yaml:"condition"`
	}
	if err := n.Decode(&m); err != nil {
		return err
	}
	for name, dep := range m {
		cond := dep.Condition
		if cond == "" {
			cond = "service_started"
		}
		(*d)[name] = cond
	}
	return nil
}

// loadCompose reads docker-compose.yml with every ${VAR:-default} replaced by
// its default, which is what `docker compose up` does with no .env file and
// nothing exported. A reference without a default fails the test: the file
// must work as it is.
func loadCompose(t *testing.T) *composeFile {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(repoRoot, "docker-compose.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("docker-compose.yml: %v", err)
	}
	var problems []string
	walkScalars(&doc, func(n *yaml.Node) {
		v, errs := interpolate(n.Value)
		n.Value = v
		for _, e := range errs {
			problems = append(problems, fmt.Sprintf("line %d: %s", n.Line, e))
		}
	})
	for _, p := range problems {
		t.Errorf("docker-compose.yml: %s", p)
	}
	var f composeFile
	if err := doc.Decode(&f); err != nil {
		t.Fatalf("docker-compose.yml: %v", err)
	}
	if len(f.Services) == 0 {
		t.Fatal("docker-compose.yml: no services")
	}
	for name, s := range f.Services {
		s.name = name
	}
	return &f
}

// walkScalars calls fn on every scalar under n once; aliases are not
// followed, since their anchors are visited where they are defined.
func walkScalars(n *yaml.Node, fn func(*yaml.Node)) {
	switch n.Kind {
	case yaml.ScalarNode:
		fn(n)
	case yaml.DocumentNode, yaml.SequenceNode, yaml.MappingNode:
		for _, c := range n.Content {
			walkScalars(c, fn)
		}
	}
}

var varName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*`)

// interpolate applies compose's variable substitution to s with an empty
// environment. It returns the result and one message per reference that has
// no default.
func interpolate(s string) (string, []string) {
	var b strings.Builder
	var problems []string
	for i := 0; i < len(s); i++ {
		if s[i] != '$' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		switch next := s[i+1]; {
		case next == '$':
			b.WriteByte('$')
			i++
		case next == '{':
			end := strings.IndexByte(s[i:], '}')
			if end < 0 {
				problems = append(problems, fmt.Sprintf("unterminated ${ in %q", s))
				return b.String(), problems
			}
			expr := s[i+2 : i+end]
			i += end
			name := varName.FindString(expr)
			op := expr[len(name):]
			switch {
			case name == "":
				problems = append(problems, fmt.Sprintf("bad reference ${%s}", expr))
			case strings.Contains(op, "${"):
				problems = append(problems, fmt.Sprintf("nested reference ${%s} is not supported here", expr))
			case strings.HasPrefix(op, ":-"):
				b.WriteString(op[2:])
			case strings.HasPrefix(op, "-"):
				b.WriteString(op[1:])
			case strings.HasPrefix(op, ":+"), strings.HasPrefix(op, "+"):
				// Unset: the alternative value is not used.
			case (strings.HasPrefix(op, ":?") || strings.HasPrefix(op, "?")) && requiredVariables[name] != "":
				b.WriteString(requiredVariables[name])
			default:
				problems = append(problems, fmt.Sprintf("${%s} has no default (write ${%s:-value})", expr, name))
			}
		case varName.MatchString(s[i+1:]):
			name := varName.FindString(s[i+1:])
			problems = append(problems, fmt.Sprintf("$%s has no default (write ${%s:-value})", name, name))
			i += len(name)
		default:
			b.WriteByte('$')
		}
	}
	return b.String(), problems
}

func TestInterpolate(t *testing.T) {
	tests := []struct {
		in, want string
		problems int
	}{
		{"plain", "plain", 0},
		{"${A:-x}:8080", "x:8080", 0},
		{"${A-y}", "y", 0},
		{"a$$b", "a$b", 0},
		{"${A:+set}", "", 0},
		{"${A}", "", 1},
		{"$A/b", "/b", 1},
		{"${A:?required}", "", 1},
		{"cost $5", "cost $5", 0},
	}
	for _, tt := range tests {
		got, problems := interpolate(tt.in)
		if got != tt.want || len(problems) != tt.problems {
			t.Errorf("interpolate(%q) = %q, %d problem(s) %v; want %q, %d", tt.in, got, len(problems), problems, tt.want, tt.problems)
		}
	}
}

// service returns the named service or stops the test.
func (f *composeFile) service(t *testing.T, name string) *composeService {
	t.Helper()
	s, ok := f.Services[name]
	if !ok {
		t.Fatalf("docker-compose.yml has no service %q", name)
	}
	return s
}

// TestComposeSowflowServicesConfigure feeds each sowflow service's environment
// to Load in the mode of its command: it must validate as the binary would at
// start.
func TestComposeSowflowServicesConfigure(t *testing.T) {
	f := loadCompose(t)
	known := map[string]Variable{}
	for _, v := range Variables {
		known[v.Name] = v
	}
	for _, tt := range sowflowServices {
		t.Run(tt.service, func(t *testing.T) {
			s := f.service(t, tt.service)
			_, err := Load(tt.mode, s.Environment.lookup)
			// Compose sets no TLS files; if it ever does, they live in the
			// container and cannot be checked from here.
			if err := withoutTLSFileErrors(err); err != nil {
				t.Errorf("sowflow %s with the environment of service %s:\n%v", tt.mode, tt.service, err)
			}
			for _, name := range explicitVariables[tt.mode] {
				if _, ok := known[name]; !ok {
					t.Errorf("explicitVariables names %s, which config.Variables does not list", name)
				}
				if _, ok := s.Environment[name]; !ok {
					t.Errorf("service %s does not set %s (default %q)", tt.service, name, known[name].Default)
				}
			}
			for name := range s.Environment {
				v, ok := known[name]
				switch {
				case goRuntimeVariables[name]:
				case !ok:
					t.Errorf("service %s sets %s, which sowflow does not read (config.Variables)", tt.service, name)
				case strings.HasPrefix(v.Usage, "dev only"):
					t.Errorf("service %s sets %s, which only `sowflow dev` reads", tt.service, name)
				}
			}
		})
	}
}

// withoutTLSFileErrors drops the "cannot read file" errors of the TLS file
// variables from an error returned by Load.
func withoutTLSFileErrors(err error) error {
	joined, ok := err.(interface{ Unwrap() []error })
	if !ok {
		return err
	}
	var keep []error
	for _, e := range joined.Unwrap() {
		msg := e.Error()
		if strings.HasPrefix(msg, "TEMPORAL_TLS_") && strings.Contains(msg, "cannot read file") {
			continue
		}
		keep = append(keep, e)
	}
	return errors.Join(keep...)
}

// TestComposeSowflowServicesAgree checks that the services that run sowflow
// share one image built from ./Dockerfile, one database and one Temporal
// namespace and task queue.
func TestComposeSowflowServicesAgree(t *testing.T) {
	f := loadCompose(t)
	first := f.service(t, sowflowServices[0].service)
	for _, tt := range sowflowServices {
		s := f.service(t, tt.service)
		if s.Image == "" || s.Image != first.Image {
			t.Errorf("service %s: image %q, want the same image as %s (%q)", tt.service, s.Image, first.name, first.Image)
		}
		if s.Build.Context == "" {
			t.Errorf("service %s: no build section; want build from ./Dockerfile", tt.service)
		} else {
			dockerfile := s.Build.Dockerfile
			if dockerfile == "" {
				dockerfile = "Dockerfile"
			}
			if got := filepath.Clean(filepath.Join(s.Build.Context, dockerfile)); got != "Dockerfile" {
				t.Errorf("service %s builds %s, want ./Dockerfile", tt.service, got)
			}
		}
		if len(s.Entrypoint) > 0 {
			t.Errorf("service %s overrides the image's entrypoint with %q", tt.service, s.Entrypoint)
		}
		// One database; the user differs (TestComposeDatabaseRoles).
		got, err1 := pgconn.ParseConfig(s.Environment["DATABASE_URL"])
		want, err2 := pgconn.ParseConfig(first.Environment["DATABASE_URL"])
		if err1 != nil || err2 != nil {
			t.Errorf("service %s: DATABASE_URL: %v %v", tt.service, err1, err2)
		} else if got.Host != want.Host || got.Port != want.Port || got.Database != want.Database {
			t.Errorf("service %s: DATABASE_URL names %s:%d/%s, service %s's %s:%d/%s", tt.service, got.Host, got.Port, got.Database,
				first.name, want.Host, want.Port, want.Database)
		}
	}
	api, worker := f.service(t, "api"), f.service(t, "worker")
	for _, name := range []string{"TEMPORAL_ADDRESS", "TEMPORAL_NAMESPACE", "TEMPORAL_TASK_QUEUE"} {
		if api.Environment[name] != worker.Environment[name] {
			t.Errorf("%s: api has %q, worker %q; the API starts workflows where the worker polls", name, api.Environment[name], worker.Environment[name])
		}
	}
}

// TestComposeCommands checks each sowflow service's command against the
// commands cmd/sowflow defines.
func TestComposeCommands(t *testing.T) {
	f := loadCompose(t)
	commands := sowflowCommands(t)
	for _, tt := range sowflowServices {
		s := f.service(t, tt.service)
		if !slices.Equal(s.Command, tt.command) {
			t.Errorf("service %s runs %q, want %q", tt.service, s.Command, tt.command)
		}
		if len(s.Command) == 0 {
			continue
		}
		if !slices.Contains(commands, s.Command[0]) {
			t.Errorf("service %s: %q is not a sowflow command (have %v)", tt.service, s.Command[0], commands)
			continue
		}
		args := s.Command[1:]
		switch s.Command[0] {
		case "migrate":
			if len(args) != 1 || !slices.Contains(migrateActions, args[0]) {
				t.Errorf("service %s: sowflow migrate takes one of %v, not %q", tt.service, migrateActions, args)
			}
		default:
			if len(args) > 0 {
				t.Errorf("service %s: sowflow %s takes no arguments, got %q", tt.service, s.Command[0], args)
			}
		}
		if string(tt.mode) != s.Command[0] {
			t.Errorf("service %s runs %q but is checked in mode %s", tt.service, s.Command[0], tt.mode)
		}
	}
}

// sowflowCommands reads the command names from commands() in
// cmd/sowflow/main.go, whose elements are {"name", "summary", run}.
func sowflowCommands(t *testing.T) []string {
	t.Helper()
	path := filepath.Join(repoRoot, "cmd", "sowflow", "main.go")
	file, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, decl := range file.Decls {
		fn, ok := decl.(*ast.FuncDecl)
		if !ok || fn.Name.Name != "commands" {
			continue
		}
		ast.Inspect(fn.Body, func(n ast.Node) bool {
			lit, ok := n.(*ast.CompositeLit)
			if !ok || len(lit.Elts) == 0 {
				return true
			}
			if s, ok := lit.Elts[0].(*ast.BasicLit); ok && s.Kind == token.STRING {
				if name, err := strconv.Unquote(s.Value); err == nil {
					names = append(names, name)
				}
			}
			return true
		})
	}
	if len(names) == 0 {
		t.Fatalf("%s: found no commands in func commands", path)
	}
	return names
}

// TestComposeDependencies checks depends_on: every dependency exists, waits
// on a condition the dependency can meet, and there is no cycle.
func TestComposeDependencies(t *testing.T) {
	f := loadCompose(t)
	for _, s := range f.Services {
		for dep, cond := range s.DependsOn {
			d, ok := f.Services[dep]
			if !ok {
				t.Errorf("service %s depends on %s, which does not exist", s.name, dep)
				continue
			}
			switch cond {
			case "service_started":
			case "service_healthy":
				if d.Healthcheck == nil || d.Healthcheck.Disable || len(d.Healthcheck.Test) == 0 {
					t.Errorf("service %s waits for %s to be healthy, but %s has no healthcheck", s.name, dep, dep)
				}
			case "service_completed_successfully":
				if d.Restart != "no" && !strings.HasPrefix(d.Restart, "on-failure") {
					t.Errorf("service %s waits for %s to complete, but %s has restart %q; want \"no\"", s.name, dep, dep, d.Restart)
				}
			default:
				t.Errorf("service %s: unknown depends_on condition %q", s.name, cond)
			}
		}
	}
	for name := range f.Services {
		if path := f.dependencyCycle(name, nil); path != nil {
			t.Errorf("depends_on cycle: %s", strings.Join(path, " -> "))
		}
	}
}

// dependencyCycle returns a depends_on path from name back to a service on
// path, or nil.
func (f *composeFile) dependencyCycle(name string, path []string) []string {
	if slices.Contains(path, name) {
		return append(path, name)
	}
	s, ok := f.Services[name]
	if !ok {
		return nil
	}
	for dep := range s.DependsOn {
		if cycle := f.dependencyCycle(dep, append(slices.Clone(path), name)); cycle != nil {
			return cycle
		}
	}
	return nil
}

// dependsOnTransitively reports whether service from depends on service to,
// directly or through other services.
func (f *composeFile) dependsOnTransitively(from, to string) bool {
	seen := map[string]bool{}
	var visit func(string) bool
	visit = func(name string) bool {
		if seen[name] {
			return false
		}
		seen[name] = true
		s, ok := f.Services[name]
		if !ok {
			return false
		}
		for dep := range s.DependsOn {
			if dep == to || visit(dep) {
				return true
			}
		}
		return false
	}
	return visit(from)
}

// imageRef splits an image reference into repository and tag.
func imageRef(ref string) (repo, tag string) {
	ref, _, _ = strings.Cut(ref, "@")
	slash := strings.LastIndexByte(ref, '/')
	if colon := strings.LastIndexByte(ref, ':'); colon > slash {
		return ref[:colon], ref[colon+1:]
	}
	return ref, ""
}

// TestComposeImagesPinned checks that every service names an image with an
// explicit tag other than latest.
func TestComposeImagesPinned(t *testing.T) {
	f := loadCompose(t)
	for _, s := range f.Services {
		if s.Image == "" {
			t.Errorf("service %s names no image", s.name)
			continue
		}
		switch repo, tag := imageRef(s.Image); {
		case tag == "":
			t.Errorf("service %s: image %s has no tag", s.name, repo)
		case tag == "latest":
			t.Errorf("service %s: image %s is pinned to latest", s.name, s.Image)
		}
	}
}

// TestComposeTemporalVersions checks that the deployment runs the Temporal
// server and Web UI that go.mod embeds for `sowflow dev`, so both run the same
// code, and that the admin tools match the server they set up.
func TestComposeTemporalVersions(t *testing.T) {
	f := loadCompose(t)
	mods := goModRequires(t)
	want := map[string]string{
		"temporalio/server":      strings.TrimPrefix(mods["go.temporal.io/server"], "v"),
		"temporalio/admin-tools": strings.TrimPrefix(mods["go.temporal.io/server"], "v"),
		"temporalio/ui":          strings.TrimPrefix(mods["github.com/temporalio/ui-server/v2"], "v"),
	}
	found := map[string]bool{}
	for _, s := range f.Services {
		repo, tag := imageRef(s.Image)
		w, ok := want[repo]
		if !ok {
			continue
		}
		found[repo] = true
		if w == "" {
			t.Errorf("go.mod requires no version for the module behind %s", repo)
		} else if tag != w {
			t.Errorf("service %s runs %s:%s, want %s:%s (go.mod)", s.name, repo, tag, repo, w)
		}
	}
	for _, repo := range []string{"temporalio/server", "temporalio/admin-tools", "temporalio/ui"} {
		if !found[repo] {
			t.Errorf("no service runs %s", repo)
		}
	}
}

// goModRequires returns the go directive (key "go") and the required module
// versions of go.mod.
func goModRequires(t *testing.T) map[string]string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(repoRoot, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	mods := map[string]string{}
	inRequire := false
	for _, line := range strings.Split(string(raw), "\n") {
		line, _, _ = strings.Cut(line, "//")
		fields := strings.Fields(line)
		switch {
		case len(fields) == 0:
		case fields[0] == "go" && len(fields) == 2:
			mods["go"] = fields[1]
		case fields[0] == "require" && len(fields) == 2 && fields[1] == "(":
			inRequire = true
		case fields[0] == ")":
			inRequire = false
		case fields[0] == "require" && len(fields) == 3:
			mods[fields[1]] = fields[2]
		case inRequire && len(fields) == 2:
			mods[fields[0]] = fields[1]
		}
	}
	return mods
}

// listenPorts returns the container ports service s listens on, from what
// its image is known to do with its environment.
func listenPorts(t *testing.T, s *composeService) map[string]bool {
	t.Helper()
	env := func(name, def string) string {
		if v, ok := s.Environment[name]; ok && v != "" {
			return v
		}
		return def
	}
	repo, _ := imageRef(s.Image)
	switch {
	case repo == "postgres":
		return map[string]bool{env("PGPORT", "5432"): true}
	case repo == "temporalio/server":
		return map[string]bool{env("FRONTEND_GRPC_PORT", "7233"): true}
	case repo == "temporalio/ui":
		return map[string]bool{env("TEMPORAL_UI_PORT", "8080"): true}
	case repo == "temporalio/admin-tools":
		return map[string]bool{}
	case s.Build.Context != "": // sowflow
		if len(s.Command) > 0 && s.Command[0] == "api" {
			_, port, err := net.SplitHostPort(env("SOWFLOW_HTTP_ADDR", ":8080"))
			if err != nil {
				t.Errorf("service %s: SOWFLOW_HTTP_ADDR: %v", s.name, err)
			}
			return map[string]bool{port: true}
		}
		return map[string]bool{}
	}
	t.Errorf("service %s: the test does not know which ports image %s listens on; teach listenPorts", s.name, s.Image)
	return map[string]bool{}
}

// publishedPort is one entry of a service's ports in short syntax:
// [HOST_IP:]HOST_PORT:CONTAINER_PORT[/PROTOCOL] or CONTAINER_PORT.
type publishedPort struct {
	hostIP, host, container, protocol string
}

func parsePort(spec string) (publishedPort, error) {
	p := publishedPort{protocol: "tcp"}
	spec, proto, ok := strings.Cut(spec, "/")
	if ok {
		p.protocol = proto
	}
	parts := strings.Split(spec, ":")
	switch len(parts) {
	case 1:
		p.container = parts[0]
	case 2:
		p.host, p.container = parts[0], parts[1]
	case 3:
		p.hostIP, p.host, p.container = parts[0], parts[1], parts[2]
	default:
		return p, fmt.Errorf("port %q: want [HOST_IP:]HOST_PORT:CONTAINER_PORT", spec)
	}
	ports := []string{p.container}
	if p.host != "" {
		ports = append(ports, p.host)
	}
	for _, n := range ports {
		if v, err := strconv.Atoi(n); err != nil || v < 1 || v > 65535 {
			return p, fmt.Errorf("port %q: %q is not a port number (ranges are not supported here)", spec, n)
		}
	}
	return p, nil
}

// TestComposePorts checks that published and exposed ports lead to a port the
// service listens on, and that no two services publish the same host port.
func TestComposePorts(t *testing.T) {
	f := loadCompose(t)
	published := map[string]string{} // host port/protocol -> service
	for _, s := range f.Services {
		listens := listenPorts(t, s)
		for _, spec := range s.Ports {
			p, err := parsePort(spec)
			if err != nil {
				t.Errorf("service %s: %v", s.name, err)
				continue
			}
			if !listens[p.container] {
				t.Errorf("service %s publishes %s, but listens on %v", s.name, spec, keys(listens))
			}
			if p.host == "" {
				continue
			}
			key := p.host + "/" + p.protocol
			if other, ok := published[key]; ok {
				t.Errorf("services %s and %s both publish host port %s", other, s.name, key)
			}
			published[key] = s.name
		}
		for _, port := range s.Expose {
			if !listens[port] {
				t.Errorf("service %s exposes %s, but listens on %v", s.name, port, keys(listens))
			}
		}
	}
}

func keys(m map[string]bool) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// address is a host:port one service is configured to connect to.
type address struct {
	variable, host, port string
}

// addresses returns the network addresses in s's environment: Temporal
// frontends, PostgreSQL connection strings and the Temporal server's and
// admin tools' database settings.
func addresses(t *testing.T, s *composeService) []address {
	t.Helper()
	var out []address
	env := s.Environment
	if v, ok := env["TEMPORAL_ADDRESS"]; ok {
		target := v
		if strings.HasPrefix(target, "dns://") {
			target = target[strings.LastIndexByte(target, '/')+1:]
		}
		host, port, err := net.SplitHostPort(target)
		if err != nil {
			t.Errorf("service %s: TEMPORAL_ADDRESS %q: %v", s.name, v, err)
		} else {
			out = append(out, address{"TEMPORAL_ADDRESS", host, port})
		}
	}
	if v, ok := env["DATABASE_URL"]; ok {
		cfg, err := pgconn.ParseConfig(v)
		if err != nil {
			t.Errorf("service %s: DATABASE_URL: %v", s.name, err)
		} else {
			out = append(out, address{"DATABASE_URL", cfg.Host, strconv.Itoa(int(cfg.Port))})
		}
	}
	if v, ok := env["POSTGRES_SEEDS"]; ok {
		port := env["DB_PORT"]
		if port == "" {
			port = "5432"
		}
		out = append(out, address{"POSTGRES_SEEDS/DB_PORT", v, port})
	}
	if v, ok := env["SQL_HOST"]; ok {
		out = append(out, address{"SQL_HOST/SQL_PORT", v, env["SQL_PORT"]})
	}
	return out
}

// TestComposeAddresses checks that every address a service connects to names
// a service that listens on that port and is started before it.
func TestComposeAddresses(t *testing.T) {
	f := loadCompose(t)
	for _, tt := range sowflowServices {
		if len(addresses(t, f.service(t, tt.service))) == 0 {
			t.Errorf("service %s connects to nothing; want at least DATABASE_URL", tt.service)
		}
	}
	for _, s := range f.Services {
		for _, a := range addresses(t, s) {
			target, ok := f.Services[a.host]
			if !ok {
				t.Errorf("service %s: %s names host %q, which is no service", s.name, a.variable, a.host)
				continue
			}
			if listens := listenPorts(t, target); !listens[a.port] {
				t.Errorf("service %s: %s names %s:%s, but %s listens on %v", s.name, a.variable, a.host, a.port, a.host, keys(listens))
			}
			if !f.dependsOnTransitively(s.name, a.host) {
				t.Errorf("service %s connects to %s (%s) but does not depend on it", s.name, a.host, a.variable)
			}
		}
	}
}

// TestComposeDatabaseCredentials checks that the roles, passwords and
// databases the PostgreSQL init script creates are the ones sowflow and
// Temporal connect with.
func TestComposeDatabaseCredentials(t *testing.T) {
	f := loadCompose(t)
	pg := f.service(t, "postgresql").Environment
	cfg, err := pgconn.ParseConfig(f.service(t, "api").Environment["DATABASE_URL"])
	if err != nil {
		t.Fatalf("api: DATABASE_URL: %v", err)
	}
	temporal := f.service(t, "temporal").Environment
	schema := f.service(t, "temporal-schema").Environment
	migrate, err := pgconn.ParseConfig(f.service(t, "migrate").Environment["DATABASE_URL"])
	if err != nil {
		t.Fatalf("migrate: DATABASE_URL: %v", err)
	}
	tests := []struct {
		what, got, want string
	}{
		{"api DATABASE_URL user", cfg.User, pg["SOWFLOW_APP_DB_USER"]},
		{"api DATABASE_URL password", cfg.Password, pg["SOWFLOW_APP_DB_PASSWORD"]},
		{"api DATABASE_URL database", cfg.Database, pg["SOWFLOW_DB_NAME"]},
		{"migrate DATABASE_URL user", migrate.User, pg["SOWFLOW_DB_USER"]},
		{"migrate DATABASE_URL password", migrate.Password, pg["SOWFLOW_DB_PASSWORD"]},
		{"migrate DATABASE_URL database", migrate.Database, pg["SOWFLOW_DB_NAME"]},
		{"migrate SOWFLOW_APP_ROLE", f.service(t, "migrate").Environment["SOWFLOW_APP_ROLE"], pg["SOWFLOW_APP_DB_USER"]},
		{"temporal POSTGRES_USER", temporal["POSTGRES_USER"], pg["TEMPORAL_DB_USER"]},
		{"temporal POSTGRES_PWD", temporal["POSTGRES_PWD"], pg["TEMPORAL_DB_PASSWORD"]},
		{"temporal DBNAME", temporal["DBNAME"], pg["TEMPORAL_DB_NAME"]},
		{"temporal VISIBILITY_DBNAME", temporal["VISIBILITY_DBNAME"], pg["TEMPORAL_VISIBILITY_DB_NAME"]},
		{"temporal-schema SQL_USER", schema["SQL_USER"], pg["TEMPORAL_DB_USER"]},
		{"temporal-schema SQL_PASSWORD", schema["SQL_PASSWORD"], pg["TEMPORAL_DB_PASSWORD"]},
		{"temporal-schema TEMPORAL_DB_NAME", schema["TEMPORAL_DB_NAME"], pg["TEMPORAL_DB_NAME"]},
		{"temporal-schema TEMPORAL_VISIBILITY_DB_NAME", schema["TEMPORAL_VISIBILITY_DB_NAME"], pg["TEMPORAL_VISIBILITY_DB_NAME"]},
		{"temporal-schema SQL_PLUGIN", schema["SQL_PLUGIN"], temporal["DB"]},
	}
	for _, tt := range tests {
		if tt.want == "" {
			t.Errorf("%s: the value it must match is not set", tt.what)
		} else if tt.got != tt.want {
			t.Errorf("%s is %q, want %q", tt.what, tt.got, tt.want)
		}
	}
}

// TestComposeTemporalSetup checks that temporal-setup registers exactly the
// search attributes the workflows set, in the namespace sowflow uses.
func TestComposeTemporalSetup(t *testing.T) {
	f := loadCompose(t)
	setup := f.service(t, "temporal-setup").Environment
	got := map[string]string{}
	for _, pair := range strings.Split(setup["SEARCH_ATTRIBUTES"], ",") {
		name, typ, ok := strings.Cut(strings.TrimSpace(pair), "=")
		if !ok || name == "" || !slices.Contains(slices.Collect(maps.Values(searchAttributeTypes)), typ) {
			t.Errorf("temporal-setup: SEARCH_ATTRIBUTES: %q is not Name=Type with a Temporal type", pair)
			continue
		}
		got[name] = typ
	}
	want := workflowSearchAttributes(t)
	for name, typ := range want {
		if got[name] != typ {
			t.Errorf("temporal-setup registers %s as %q, the workflows declare it %s", name, got[name], typ)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("temporal-setup registers %s, which the workflows do not declare", name)
		}
	}
	for _, service := range []string{"api", "worker", "temporal-ui"} {
		env := f.service(t, service).Environment
		ns := env["TEMPORAL_NAMESPACE"]
		if service == "temporal-ui" {
			ns = env["TEMPORAL_DEFAULT_NAMESPACE"]
		}
		if ns != setup["TEMPORAL_NAMESPACE"] {
			t.Errorf("service %s uses namespace %q, temporal-setup creates %q", service, ns, setup["TEMPORAL_NAMESPACE"])
		}
	}
}

// searchAttributeTypes maps Temporal's indexed value types to the type names
// the Temporal CLI takes.
var searchAttributeTypes = map[enums.IndexedValueType]string{
	enums.INDEXED_VALUE_TYPE_TEXT:         "Text",
	enums.INDEXED_VALUE_TYPE_KEYWORD:      "Keyword",
	enums.INDEXED_VALUE_TYPE_INT:          "Int",
	enums.INDEXED_VALUE_TYPE_DOUBLE:       "Double",
	enums.INDEXED_VALUE_TYPE_BOOL:         "Bool",
	enums.INDEXED_VALUE_TYPE_DATETIME:     "Datetime",
	enums.INDEXED_VALUE_TYPE_KEYWORD_LIST: "KeywordList",
}

// workflowSearchAttributes returns the search attributes the workflows set
// (the ones sowflow dev registers), by name and CLI type name.
func workflowSearchAttributes(t *testing.T) map[string]string {
	t.Helper()
	attrs := map[string]string{}
	for name, typ := range workflows.SearchAttributes() {
		cli, ok := searchAttributeTypes[typ]
		if !ok {
			t.Fatalf("search attribute %s has type %v, which this test cannot name", name, typ)
		}
		attrs[name] = cli
	}
	return attrs
}

// TestComposeMounts checks that every bind-mounted path exists in the
// repository and every named volume is declared.
func TestComposeMounts(t *testing.T) {
	f := loadCompose(t)
	for _, s := range f.Services {
		for _, v := range s.Volumes {
			source, _, ok := strings.Cut(v, ":")
			switch {
			case !ok:
				// An anonymous volume.
			case strings.HasPrefix(source, "./"), strings.HasPrefix(source, "../"):
				if _, err := os.Stat(filepath.Join(repoRoot, source)); err != nil {
					t.Errorf("service %s mounts %s: %v", s.name, source, err)
				}
			case strings.HasPrefix(source, "/"), strings.HasPrefix(source, "~"):
				t.Errorf("service %s mounts %s from outside the repository", s.name, source)
			default:
				if _, ok := f.Volumes[source]; !ok {
					t.Errorf("service %s uses volume %s, which the top-level volumes do not declare", s.name, source)
				}
			}
		}
	}
}

// TestDockerfile checks the Dockerfile against go.mod and the compose file:
// the Go version, the package built, the entrypoint and the API port.
func TestDockerfile(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(repoRoot, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	// Join continuation lines so each instruction is one line.
	text := strings.ReplaceAll(string(raw), "\\\n", " ")
	var from, run, entrypoint, expose []string
	for _, line := range strings.Split(text, "\n") {
		fields := strings.Fields(line)
		if len(fields) < 2 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		switch strings.ToUpper(fields[0]) {
		case "FROM":
			for _, f := range fields[1:] {
				if !strings.HasPrefix(f, "--") {
					from = append(from, f)
					break
				}
			}
		case "RUN":
			run = append(run, strings.Join(fields[1:], " "))
		case "ENTRYPOINT":
			entrypoint = fields[1:]
		case "EXPOSE":
			expose = append(expose, fields[1:]...)
		}
	}

	goVersion := goModRequires(t)["go"]
	var builder string
	for _, image := range from {
		if repo, tag := imageRef(image); repo == "golang" || strings.HasSuffix(repo, "/golang") {
			builder = tag
		}
	}
	if v, _, _ := strings.Cut(builder, "-"); v != goVersion {
		t.Errorf("Dockerfile builds with golang:%s, go.mod says go %s", builder, goVersion)
	}

	checks := []struct {
		what string
		ok   bool
	}{
		{"a RUN builds ./cmd/sowflow with -trimpath", slices.ContainsFunc(run, func(r string) bool {
			return strings.Contains(r, "go build") && strings.Contains(r, "./cmd/sowflow") && strings.Contains(r, "-trimpath")
		})},
		{"CGO_ENABLED=0", strings.Contains(text, "CGO_ENABLED=0")},
		{`ENTRYPOINT ["/usr/local/bin/sowflow"]`, strings.Join(entrypoint, " ") == `["/usr/local/bin/sowflow"]`},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("Dockerfile: want %s", c.what)
		}
	}

	f := loadCompose(t)
	for port := range listenPorts(t, f.service(t, "api")) {
		if !slices.Contains(expose, port) {
			t.Errorf("Dockerfile exposes %v, the api service listens on %s", expose, port)
		}
	}
}

// TestComposeDatabaseRoles: migrate runs as the role that owns sowflow's
// schema and grants the app role what it needs; api and worker run as the
// app role, which does not own audit_log and so cannot disable its
// append-only trigger (store.GrantAppRole, tested against PostgreSQL).
func TestComposeDatabaseRoles(t *testing.T) {
	f := loadCompose(t)
	user := func(service string) string {
		cfg, err := pgconn.ParseConfig(f.service(t, service).Environment["DATABASE_URL"])
		if err != nil {
			t.Fatalf("%s: DATABASE_URL: %v", service, err)
		}
		return cfg.User
	}
	owner, app := user("migrate"), user("api")
	if owner == app {
		t.Errorf("migrate, api and worker all connect as %s; api and worker must not own the schema", owner)
	}
	if w := user("worker"); w != app {
		t.Errorf("worker connects as %s, api as %s", w, app)
	}
	pg := f.service(t, "postgresql").Environment
	if pg["SOWFLOW_DB_USER"] == "" || pg["SOWFLOW_APP_DB_USER"] == "" || pg["SOWFLOW_APP_DB_PASSWORD"] == "" {
		t.Fatalf("postgresql does not name both sowflow roles: %v", pg)
	}
	script, err := os.ReadFile(filepath.Join(repoRoot, "deploy/postgres/initdb/10-databases.sh"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"SOWFLOW_APP_DB_USER", "SOWFLOW_APP_DB_PASSWORD", `CREATE ROLE :"sowflow_app_user" LOGIN`,
		`CREATE DATABASE :"sowflow_db" OWNER :"sowflow_user"`} {
		if !strings.Contains(string(script), want) {
			t.Errorf("deploy/postgres/initdb/10-databases.sh does not contain %q", want)
		}
	}
}

// TestComposePayloadKeyRequired: api and worker take SOWFLOW_PAYLOAD_KEY
// from the environment, and compose refuses to start without it.
func TestComposePayloadKeyRequired(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(repoRoot, "docker-compose.yml"))
	if err != nil {
		t.Fatal(err)
	}
	// Read without interpolation: the reference itself is what matters.
	var f composeFile
	if err := yaml.Unmarshal(raw, &f); err != nil {
		t.Fatal(err)
	}
	required := regexp.MustCompile(`^\$\{SOWFLOW_PAYLOAD_KEY:\?[^}]+\}$`)
	for _, name := range []string{"api", "worker"} {
		s, ok := f.Services[name]
		if !ok {
			t.Fatalf("no service %s", name)
		}
		if v := s.Environment["SOWFLOW_PAYLOAD_KEY"]; !required.MatchString(v) {
			t.Errorf("service %s: SOWFLOW_PAYLOAD_KEY is %q, want ${SOWFLOW_PAYLOAD_KEY:?message}", name, v)
		}
	}
}

// memoryBytes reads a compose memory size (512M, 1.5g, 1073741824).
func memoryBytes(s string) (int64, error) {
	units := map[string]float64{"": 1, "b": 1, "k": 1 << 10, "kb": 1 << 10, "m": 1 << 20, "mb": 1 << 20, "g": 1 << 30, "gb": 1 << 30}
	lower := strings.ToLower(strings.TrimSpace(s))
	i := strings.IndexFunc(lower, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	num, unit := lower, ""
	if i >= 0 {
		num, unit = lower[:i], lower[i:]
	}
	mult, ok := units[unit]
	v, err := strconv.ParseFloat(num, 64)
	if !ok || err != nil || v <= 0 {
		return 0, fmt.Errorf("%q is not a memory size such as 512M", s)
	}
	return int64(v * mult), nil
}

// TestComposeScaling checks what `docker compose up --scale worker=3` and
// the health checks need: api and worker each have a health check that runs
// `sowflow probe` (a real command) against the readiness endpoint the
// service serves (the API's address, the worker's SOWFLOW_HEALTH_ADDR) on
// loopback, within a timeout longer than the probe's own; both have CPU and
// memory limits, the worker's above the 1 GiB one worker needs for 10,000
// live projects; the worker runs replicas and has neither a fixed container
// name nor a published port, so more replicas can start; worker-only
// variables are set on the worker alone.
func TestComposeScaling(t *testing.T) {
	f := loadCompose(t)
	commands := sowflowCommands(t)
	for _, tt := range []struct {
		service, addrVar string
		minMemory        int64
	}{
		{"api", "SOWFLOW_HTTP_ADDR", 256 << 20},
		{"worker", "SOWFLOW_HEALTH_ADDR", 1 << 30},
	} {
		t.Run(tt.service, func(t *testing.T) {
			s := f.service(t, tt.service)
			hc := s.Healthcheck
			if hc == nil || hc.Disable || len(hc.Test) != 4 || hc.Test[0] != "CMD" {
				t.Fatalf("healthcheck %+v: want [CMD, /usr/local/bin/sowflow, probe, URL]", hc)
			}
			if hc.Test[1] != "/usr/local/bin/sowflow" || hc.Test[2] != "probe" || !slices.Contains(commands, "probe") {
				t.Errorf("healthcheck runs %q, want the image's /usr/local/bin/sowflow probe (commands %v)", hc.Test, commands)
			}
			addr, ok := s.Environment[tt.addrVar]
			if !ok {
				t.Fatalf("service %s sets no %s for its health check to reach", tt.service, tt.addrVar)
			}
			_, port, err := net.SplitHostPort(addr)
			if err != nil {
				t.Fatalf("%s=%q: %v", tt.addrVar, addr, err)
			}
			if want := "http://127.0.0.1:" + port + "/readyz"; hc.Test[3] != want {
				t.Errorf("healthcheck probes %q, want %q (%s=%s)", hc.Test[3], want, tt.addrVar, addr)
			}
			if d, err := time.ParseDuration(hc.Timeout); err != nil || d <= 5*time.Second {
				t.Errorf("healthcheck timeout %q: want a duration above the probe's own 5s", hc.Timeout)
			}
			lim := s.Deploy.Resources.Limits
			mem, err := memoryBytes(lim.Memory)
			if err != nil {
				t.Errorf("memory limit: %v", err)
			} else if mem < tt.minMemory {
				t.Errorf("memory limit %s, want at least %d MiB", lim.Memory, tt.minMemory>>20)
			}
			if cpus, err := strconv.ParseFloat(lim.CPUs, 64); err != nil || cpus <= 0 {
				t.Errorf("cpus limit %q is not a positive number", lim.CPUs)
			}
			if n, err := strconv.Atoi(s.Deploy.Replicas); err != nil || n < 1 {
				t.Errorf("replicas %q is not a whole number of at least 1", s.Deploy.Replicas)
			}
		})
	}
	w := f.service(t, "worker")
	if w.ContainerName != "" || len(w.Ports) > 0 {
		t.Errorf("worker has container_name %q and ports %v: replicas need neither", w.ContainerName, w.Ports)
	}
	if n, _ := strconv.Atoi(w.Deploy.Replicas); n < 2 {
		t.Errorf("worker replicas %q: want at least 2 by default, so the deployment runs as several processes", w.Deploy.Replicas)
	}
	workerOnly := map[string]bool{}
	for _, v := range Variables {
		if strings.HasPrefix(v.Usage, "worker only") {
			workerOnly[v.Name] = true
		}
	}
	for _, s := range f.Services {
		for name := range s.Environment {
			if workerOnly[name] && s.name != "worker" {
				t.Errorf("service %s sets %s, which only `sowflow worker` reads", s.name, name)
			}
		}
	}
}

// goRuntimeVariables are read by the Go runtime of every sowflow process,
// not by sowflow's configuration; the compose file may set them.
var goRuntimeVariables = map[string]bool{"GOMEMLIMIT": true, "GOGC": true, "GOMAXPROCS": true}
