package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/sowflow/sowflow/config"
	"github.com/sowflow/sowflow/store"
)

const auditUsage = `Usage:
  sowflow audit verify [--json]

Verifies the tamper-evident audit log in the database named by DATABASE_URL.
Every chain (one per customer, and "system" for tokens and calendar loads) is
walked in order: each record's SHA-256 hash is recomputed over its previous
record's hash and its canonical content, and seqs must run 1, 2, 3... with no
gaps.

Prints one line per chain with its record count and head (the last record's
seq and hash; keep these elsewhere to detect a truncated or rewritten chain
later). Exits 0 when every chain is intact, 1 naming the first broken record
of each broken chain, 2 on bad usage.

Options:
  --json  print the whole report as JSON (exit status as above)

Environment:
`

// runAudit runs "sowflow audit ..."; args excludes the word "audit".
func runAudit(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	help := func(w io.Writer) {
		fmt.Fprint(w, auditUsage)
		printVariables(w, config.ModeMigrate)
	}
	if len(args) == 0 {
		help(stderr)
		return 2
	}
	if isHelp(args[0]) {
		help(stdout)
		return 0
	}
	sub, rest := args[0], args[1:]
	if sub != "verify" {
		fmt.Fprintf(stderr, "sowflow audit: unknown subcommand %q (want verify)\n", sub)
		return 2
	}
	fs := flag.NewFlagSet("audit verify", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	asJSON := fs.Bool("json", false, "")
	if err := fs.Parse(rest); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			help(stdout)
			return 0
		}
		fmt.Fprintf(stderr, "sowflow audit verify: %v\n", err)
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "sowflow audit verify: unexpected argument %q\n", fs.Arg(0))
		return 2
	}

	cfg, ok := loadConfig("audit", config.ModeMigrate, stderr)
	if !ok {
		return 2
	}
	pool, err := openDatabase(ctx, cfg.DatabaseURL, false, newLogger(cfg, stderr))
	if err != nil {
		fmt.Fprintf(stderr, "sowflow audit verify: %v\n", err)
		return 1
	}
	defer pool.Close()
	rep, err := store.New(pool).VerifyAudit(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "sowflow audit verify: %v\n", err)
		return 1
	}
	if *asJSON {
		if err := json.NewEncoder(stdout).Encode(rep); err != nil {
			fmt.Fprintf(stderr, "sowflow audit verify: %v\n", err)
			return 1
		}
	} else if err := printAuditReport(stdout, rep); err != nil {
		fmt.Fprintf(stderr, "sowflow audit verify: %v\n", err)
		return 1
	}
	if rep.OK {
		return 0
	}
	for _, b := range rep.Broken {
		fmt.Fprintf(stderr, "sowflow audit verify: chain %s is broken at seq %d (id %d): %s: %s\n", b.Chain, b.Seq, b.ID, b.Problem, b.Detail)
	}
	return 1
}

// printAuditReport writes one line per chain and a closing summary.
func printAuditReport(w io.Writer, rep store.AuditReport) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "STATUS\tCHAIN\tRECORDS\tHEAD\tFIRST BREAK")
	for _, c := range rep.Chains {
		status, brk := "ok", "-"
		if c.Broken != nil {
			status = "BROKEN"
			brk = fmt.Sprintf("seq %d (id %d): %s", c.Broken.Seq, c.Broken.ID, c.Broken.Problem)
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\tseq %d %s\t%s\n", status, c.Chain, c.Records, c.LastSeq, c.Head, brk)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	verdict := "intact"
	if !rep.OK {
		verdict = fmt.Sprintf("BROKEN (%d of %d chains)", len(rep.Broken), rep.ChainsChecked)
	}
	_, err := fmt.Fprintf(w, "audit log %s: %d chains, %d records checked\n", verdict, rep.ChainsChecked, rep.RecordsChecked)
	return err
}
