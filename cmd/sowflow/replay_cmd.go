package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/sowflow/sowflow/history"
)

const replayUsage = `usage: sowflow replay [--json] FILE...

Replays exported project histories against this binary's project workflow
code with the Temporal SDK's WorkflowReplayer, to prove that running
projects survive an upgrade. Needs neither Temporal nor PostgreSQL.

A FILE is one of
  - a Temporal JSON history, {"events": [...]}: what
    "temporal workflow show --output json" writes, one run;
  - a sowflow export, {"workflow_id", "runs": [{"run_id", "history"}]}: what
    GET /v1/projects/{id}/history/export answers, every run of a project;
either optionally gzip'd. "-" reads standard input.

Prints one line per run, in order:
  FILE: ok
  FILE: diverges at event N: <the replayer's reason>
where FILE is the file name, followed by #N (the run's position, from 1)
for a file holding several runs.

Options:
  --json  print a JSON array instead, one object per run: {"name", "run",
          "run_id", "events", "ok", "event_id", "event_type", "error"}

Exit status: 0 every run replays; 1 a run diverges (or the output cannot be
written); 2 bad input: no FILE, or a FILE that cannot be read or is not a
history (one line on stderr naming it; nothing is replayed).
`

// runReplay runs "sowflow replay ..."; args excludes the word "replay".
func runReplay(_ context.Context, args []string, stdout, stderr io.Writer) int {
	const cmd = "sowflow replay"
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	asJSON := fs.Bool("json", false, "")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			if _, err := io.WriteString(stdout, replayUsage); err != nil {
				return replayFail(stderr, 1, "write output: "+err.Error())
			}
			return 0
		}
		return replayFail(stderr, 2, replayFlagProblem(err))
	}
	if fs.NArg() == 0 {
		return replayFail(stderr, 2, "name at least one history file (see sowflow replay --help)")
	}

	type input struct {
		file string
		runs []history.Run
	}
	var inputs []input
	for _, file := range fs.Args() {
		runs, err := readHistoryFile(file)
		if err != nil {
			return replayFail(stderr, 2, err.Error())
		}
		inputs = append(inputs, input{file: file, runs: runs})
	}

	var r history.Replayer
	var results []history.Result
	for _, in := range inputs {
		for _, res := range r.ReplayAll(in.runs) {
			res.Name = in.file
			if len(in.runs) > 1 {
				res.Name = fmt.Sprintf("%s#%d", in.file, res.Run)
			}
			results = append(results, res)
		}
	}

	status := 0
	for _, res := range results {
		if !res.OK {
			status = 1
		}
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(results); err != nil {
			return replayFail(stderr, 1, "write output: "+err.Error())
		}
		return status
	}
	for _, res := range results {
		if _, err := fmt.Fprintln(stdout, replayLine(res)); err != nil {
			return replayFail(stderr, 1, "write output: "+err.Error())
		}
	}
	return status
}

// replayLine renders one result: "NAME: ok" or "NAME: diverges at event N:
// reason" (on one line).
func replayLine(res history.Result) string {
	if res.OK {
		return res.Name + ": ok"
	}
	reason := strings.Join(strings.Fields(res.Error), " ")
	if res.EventID > 0 {
		return fmt.Sprintf("%s: diverges at event %d: %s", res.Name, res.EventID, reason)
	}
	return fmt.Sprintf("%s: diverges: %s", res.Name, reason)
}

// readHistoryFile reads a history or export file, "-" for standard input.
func readHistoryFile(file string) ([]history.Run, error) {
	if file != "-" {
		return history.ReadFile(file)
	}
	b, err := io.ReadAll(os.Stdin)
	if err != nil {
		return nil, fmt.Errorf("read standard input: %w", err)
	}
	runs, err := history.Parse(b)
	if err != nil {
		return nil, fmt.Errorf("standard input: %w", err)
	}
	return runs, nil
}

func replayFlagProblem(err error) string {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: "); ok {
		return "unknown flag " + name + " (see sowflow replay --help)"
	}
	return msg
}

// replayFail prints "sowflow replay: msg" on one line and returns status.
func replayFail(stderr io.Writer, status int, msg string) int {
	fmt.Fprintf(stderr, "sowflow replay: %s\n", strings.Join(strings.Fields(msg), " "))
	return status
}
