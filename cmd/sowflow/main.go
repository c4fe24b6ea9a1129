// Command sowflow is the one binary of sowflow, the delivery engine for IT
// professional-services contracts: `sowflow dev` runs everything in one
// process for a laptop; `api`, `worker` and `migrate` run against an external
// Temporal cluster and PostgreSQL in production; `calendar` and `quote` help
// delivery managers plan.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"text/tabwriter"
)

// command is one sowflow subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) int
}

func commands() []command {
	return []command{
		{"dev", "run everything in one process: embedded Temporal and Web UI, worker, API", runDev},
		{"api", "serve the HTTP API against an external Temporal cluster and PostgreSQL", runAPI},
		{"worker", "run the Temporal worker against an external cluster and PostgreSQL", runWorker},
		{"migrate", "apply (up) or show (status) the database migrations", runMigrate},
		{"token", "create, list and revoke API tokens", runToken},
		{"user", "create, list, disable and reset the people who sign in to the portal", runUser},
		{"audit", "verify the tamper-evident audit log (first broken record per chain)", runAudit},
		{"replay", "replay exported project histories against this binary's workflow code", runReplay},
		{"calendar", "contract-time arithmetic in China's working-day calendar", runCalendar},
		{"catalog", "validate, show and diff catalog package files", runCatalog},
		{"quote", "price a catalog package", runQuote},
		{"sla", "mail SLA credit computation", runSLA},
		{"load", "drive a realistic mix at a deployment and measure it (latency, throughput, exactly once)", runLoad},
		{"probe", "GET a URL and exit 0 on a 2xx answer (the compose file's health checks)", runProbe},
		{"version", "print the version", runVersion},
	}
}

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	switch args[0] {
	case "-h", "--help", "-help", "help":
		usage(stdout)
		return 0
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, args[1:], stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "sowflow: unknown command %q (run sowflow --help)\n", args[0])
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Usage: sowflow <command> [options]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run sowflow <command> --help for a command's options and environment.")
}

func runVersion(_ context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		if isHelp(args[0]) {
			fmt.Fprintln(stdout, "Usage: sowflow version\n\nPrints the version of this binary.")
			return 0
		}
		fmt.Fprintf(stderr, "sowflow version: unexpected argument %q\n", args[0])
		return 2
	}
	fmt.Fprintf(stdout, "sowflow %s\n", version)
	return 0
}

// isHelp says whether arg asks for a command's usage.
func isHelp(arg string) bool { return arg == "-h" || arg == "--help" || arg == "-help" }

// splitSubcommand splits a command's arguments into its subcommand and the
// rest. Without a subcommand it prints usage and answers status 2, asked for
// help it prints usage and answers 0; done says the command has answered.
func splitSubcommand(args []string, usage string, stdout io.Writer) (sub string, rest []string, status int, done bool) {
	if len(args) == 0 || isHelp(args[0]) {
		fmt.Fprint(stdout, usage)
		if len(args) == 0 {
			return "", nil, 2, true
		}
		return "", nil, 0, true
	}
	return args[0], args[1:], 0, false
}

// printList writes the items of a list subcommand to w: with asJSON as one
// JSON array (empty, not null, when there are none), otherwise as a table
// aligned on its tabs, header first, then a line per item written by row.
func printList[T any](w io.Writer, asJSON bool, items []T, header string, row func(tw io.Writer, item T)) error {
	if asJSON {
		if items == nil {
			items = []T{}
		}
		return json.NewEncoder(w).Encode(items)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, header)
	for _, item := range items {
		row(tw, item)
	}
	return tw.Flush()
}
