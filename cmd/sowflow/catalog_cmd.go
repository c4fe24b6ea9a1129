package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/sowflow/sowflow/catalog"
	"github.com/sowflow/sowflow/config"
	"github.com/sowflow/sowflow/store"
)

const catalogUsage = `usage: sowflow catalog validate FILE...
       sowflow catalog show CODE [--version N]
       sowflow catalog diff CODE A B

validate  checks package files (YAML) against the package schema and the
          catalog's rules; prints every error as FILE:LINE:COL: PATH: MESSAGE
          (RULE), or "FILE: ok".
show      prints a version of a package as its package file: version 1 is
          the one compiled into this binary; with DATABASE_URL set, the
          versions uploaded since (PUT /v1/catalog/CODE) are read from the
          database, as uploaded, and without --version the version in force
          (the newest published) is printed.
diff      prints what changed from A to B in package CODE: phases, tasks,
          deliverables, acceptance rules, clocks, quotas, thresholds, prices.
          A and B are each a package file or a version number (1 is the
          compiled-in package; others need DATABASE_URL). One line per change:
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
	ver := fs.Int("version", 0, "")
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
	if *ver < 0 {
		return catalogFail(stderr, cmd, 2, fmt.Sprintf("--version %d: versions are numbered from 1", *ver))
	}
	var src []byte
	switch embedded, ok := catalog.EmbeddedFile(code); {
	case *ver == 1 && ok, *ver == 0 && ok && os.Getenv("DATABASE_URL") == "":
		src = embedded
	case os.Getenv("DATABASE_URL") == "":
		if *ver > 1 || (*ver == 1 && !ok) {
			return catalogFail(stderr, cmd, 2, fmt.Sprintf("--version %d of %s: only version 1, the compiled-in package, exists without DATABASE_URL", *ver, code))
		}
		return catalogFail(stderr, cmd, 2, fmt.Sprintf("unknown package %q (one of %s)", code, strings.Join(catalog.Default().Codes(), ", ")))
	default:
		v, status, problem := storedVersion(code, *ver, stderr)
		if status != 0 {
			return catalogFail(stderr, cmd, status, problem)
		}
		src = v
		if src == nil {
			src = embedded
		}
	}
	if _, err := stdout.Write(src); err != nil {
		return catalogFail(stderr, cmd, 1, "write output: "+err.Error())
	}
	return 0
}

// storedVersion reads version n of code from the database named by
// DATABASE_URL, as uploaded; n 0 is the version in force. It returns nil
// source when that is the compiled-in version 1, else the exit status and
// problem of a failure.
func storedVersion(code string, n int, stderr io.Writer) ([]byte, int, string) {
	ctx := context.Background()
	cfg, ok := loadConfig("catalog", config.ModeMigrate, stderr)
	if !ok {
		return nil, 2, "DATABASE_URL is not usable"
	}
	pool, err := openDatabase(ctx, cfg.DatabaseURL, false, newLogger(cfg, stderr))
	if err != nil {
		return nil, 1, err.Error()
	}
	defer pool.Close()
	st := store.New(pool)
	_, embedded := catalog.EmbeddedFile(code)
	if n == 0 {
		versions, err := st.CatalogVersions(ctx, code)
		if err != nil {
			return nil, 1, err.Error()
		}
		for _, v := range versions {
			if v.Published() {
				n = v.Version
			}
		}
		if n == 0 {
			if embedded {
				return nil, 0, ""
			}
			return nil, 2, fmt.Sprintf("unknown package %q: neither compiled in nor published", code)
		}
	}
	v, err := st.CatalogVersionOf(ctx, code, n)
	if errors.Is(err, store.ErrNotFound) {
		return nil, 2, fmt.Sprintf("version %d of %s does not exist", n, code)
	}
	if err != nil {
		return nil, 1, err.Error()
	}
	return v.Source, 0, ""
}

func catalogDiff(args []string, stdout, stderr io.Writer) int {
	const cmd = "sowflow catalog diff"
	if len(args) != 3 {
		return catalogFail(stderr, cmd, 2, "want CODE A B (A and B: a package file or version 1)")
	}
	code := args[0]
	var pkgs [2]catalog.Package
	for i, src := range args[1:] {
		p, err := catalogLoad(code, src, stderr)
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
func catalogLoad(code, src string, stderr io.Writer) (catalog.Package, error) {
	if src == "1" {
		p, ok := catalog.Default().Package(code)
		if !ok {
			return p, fmt.Errorf("unknown package %q", code)
		}
		return p, nil
	}
	if !strings.ContainsAny(src, "./") && strings.Trim(src, "0123456789") == "" {
		n, err := strconv.Atoi(src)
		if err != nil || n < 1 || os.Getenv("DATABASE_URL") == "" {
			return catalog.Package{}, fmt.Errorf("version %s of %s does not exist: only version 1, the compiled-in package, does without DATABASE_URL", src, code)
		}
		b, status, problem := storedVersion(code, n, stderr)
		if status != 0 {
			return catalog.Package{}, errors.New(problem)
		}
		return catalog.ParseUpload(code, code+" version "+src, b)
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
