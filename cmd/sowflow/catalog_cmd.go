package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/sowflow/sowflow/catalog"
)

const catalogUsage = `usage: sowflow catalog validate FILE...
       sowflow catalog show CODE [--version N]
       sowflow catalog diff CODE A B

validate  checks package files (YAML) against the package schema and the
          catalog's rules; prints every error as FILE:LINE:COL: PATH: MESSAGE
          (RULE), or "FILE: ok".
show      prints a package of the catalog compiled into this binary as its
          package file (YAML). Only version 1, the compiled-in one, exists.
diff      prints what changed from A to B in package CODE: phases, tasks,
          deliverables, acceptance rules, clocks, quotas, thresholds, prices.
          A and B are each a package file or a version number (1 is the
          compiled-in package). One line per change:
            + PATH: added   - PATH: removed   ~ PATH: old → new   ↕ PATH: moved

Exit status: 0 success (validate: all files valid; diff: no differences);
1 validate found errors, or diff found differences; 2 bad input.
`

// runCatalog runs "sowflow catalog ..."; args excludes the word "catalog".
func runCatalog(_ context.Context, args []string, stdout, stderr io.Writer) int {
	const cmd = "sowflow catalog"
	if len(args) == 0 {
		return catalogFail(stderr, cmd, 2, "missing subcommand: validate, show or diff (see sowflow catalog --help)")
	}
	switch args[0] {
	case "-h", "--help", "-help", "help":
		if _, err := io.WriteString(stdout, catalogUsage); err != nil {
			return 1
		}
		return 0
	case "validate":
		return catalogValidate(args[1:], stdout, stderr)
	case "show":
		return catalogShow(args[1:], stdout, stderr)
	case "diff":
		return catalogDiff(args[1:], stdout, stderr)
	}
	return catalogFail(stderr, cmd, 2, fmt.Sprintf("unknown subcommand %q: validate, show or diff", args[0]))
}

func catalogValidate(args []string, stdout, stderr io.Writer) int {
	const cmd = "sowflow catalog validate"
	if len(args) == 0 {
		return catalogFail(stderr, cmd, 2, "missing FILE")
	}
	status := 0
	for _, name := range args {
		src, err := os.ReadFile(name)
		if err != nil {
			return catalogFail(stderr, cmd, 2, err.Error())
		}
		if _, err := catalog.ParseFile(name, src); err != nil {
			status = 1
			for _, fe := range catalog.FileErrors(err) {
				fmt.Fprintln(stdout, fe.Error())
			}
			continue
		}
		fmt.Fprintf(stdout, "%s: ok\n", name)
	}
	return status
}

func catalogShow(args []string, stdout, stderr io.Writer) int {
	const cmd = "sowflow catalog show"
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	ver := fs.Int("version", 1, "")
	code, rest := "", args
	if len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		code, rest = rest[0], rest[1:]
	}
	if err := fs.Parse(rest); err != nil {
		return catalogFail(stderr, cmd, 2, quoteFlagProblem(err))
	}
	if code == "" && fs.NArg() > 0 {
		code = fs.Arg(0)
	} else if fs.NArg() > 0 {
		return catalogFail(stderr, cmd, 2, fmt.Sprintf("unexpected argument %q", fs.Arg(0)))
	}
	if code == "" {
		return catalogFail(stderr, cmd, 2, "missing CODE (one of "+strings.Join(catalog.Default().Codes(), ", ")+")")
	}
	if *ver != 1 {
		return catalogFail(stderr, cmd, 2, fmt.Sprintf("--version %d: only version 1, the compiled-in package, exists", *ver))
	}
	src, ok := catalog.EmbeddedFile(code)
	if !ok {
		return catalogFail(stderr, cmd, 2, fmt.Sprintf("unknown package %q (one of %s)", code, strings.Join(catalog.Default().Codes(), ", ")))
	}
	if _, err := stdout.Write(src); err != nil {
		return catalogFail(stderr, cmd, 1, "write output: "+err.Error())
	}
	return 0
}

func catalogDiff(args []string, stdout, stderr io.Writer) int {
	const cmd = "sowflow catalog diff"
	if len(args) != 3 {
		return catalogFail(stderr, cmd, 2, "want CODE A B (A and B: a package file or version 1)")
	}
	code := args[0]
	var pkgs [2]catalog.Package
	for i, src := range args[1:] {
		p, err := catalogLoad(code, src)
		if err != nil {
			var fe *catalog.FileError
			if errors.As(err, &fe) {
				for _, fe := range catalog.FileErrors(err) {
					fmt.Fprintln(stderr, fe.Error())
				}
				return catalogFail(stderr, cmd, 2, src+" is not a valid package file")
			}
			return catalogFail(stderr, cmd, 2, err.Error())
		}
		pkgs[i] = p
	}
	changes, err := catalog.Diff(pkgs[0], pkgs[1])
	if err != nil {
		return catalogFail(stderr, cmd, 2, err.Error())
	}
	if len(changes) == 0 {
		return 0
	}
	fmt.Fprintf(stdout, "--- %s\n+++ %s\n", args[1], args[2])
	for _, c := range changes {
		fmt.Fprintln(stdout, c.String())
	}
	return 1
}

// catalogLoad reads a side of a diff: a version number or a package file,
// which must hold the package code.
func catalogLoad(code, src string) (catalog.Package, error) {
	if src == "1" {
		p, ok := catalog.Default().Package(code)
		if !ok {
			return p, fmt.Errorf("unknown package %q", code)
		}
		return p, nil
	}
	if !strings.ContainsAny(src, "./") && strings.Trim(src, "0123456789") == "" {
		return catalog.Package{}, fmt.Errorf("version %s of %s does not exist: only version 1, the compiled-in package, does", src, code)
	}
	b, err := os.ReadFile(src)
	if err != nil {
		return catalog.Package{}, err
	}
	p, err := catalog.ParseFile(src, b)
	if err != nil {
		return p, err
	}
	if p.Code != code {
		return p, fmt.Errorf("%s holds package %s, not %s", src, p.Code, code)
	}
	return p, nil
}

func catalogFail(stderr io.Writer, cmd string, status int, problem string) int {
	fmt.Fprintf(stderr, "%s: %s\n", cmd, strings.ReplaceAll(problem, "\n", " "))
	return status
}
