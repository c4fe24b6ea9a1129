package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/sowflow/sowflow/catalog"
)

const quoteUsageHead = `usage: sowflow quote --package CODE [--users N]

Prints the list-price quote of one unit of a catalog package as indented JSON:
{"package", "name", "catalog_version", "currency", "amount_unit", "users",
"total", "lines": [{"description", "quantity", "unit_price", "amount"}]}.
Amounts are whole US dollars ("amount_unit": "whole_dollars"), not cents.

Options:
  --package CODE  the package to quote
  --users N       users covered: required (N ≥ 1) for packages priced per user
                  block, not allowed for the others

Exit status: 0 quote printed; 2 bad input (one line on stderr naming the
problem); 1 the package has no list price, or the output cannot be written.

Packages:
`

// runQuote runs "sowflow quote ..."; args excludes the word "quote".
func runQuote(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	const cmd = "sowflow quote"
	cat := catalog.Default()

	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	code := fs.String("package", "", "")
	users := fs.String("users", "", "")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			if _, err := io.WriteString(stdout, quoteUsage(cat)); err != nil {
				return quoteFail(stderr, cmd, 1, "write output: "+err.Error())
			}
			return 0
		}
		return quoteFail(stderr, cmd, 2, quoteFlagProblem(err))
	}
	if fs.NArg() > 0 {
		return quoteFail(stderr, cmd, 2, fmt.Sprintf("unexpected argument %q", fs.Arg(0)))
	}
	if *code == "" {
		return quoteFail(stderr, cmd, 2, "missing --package (one of "+strings.Join(cat.Codes(), ", ")+")")
	}
	var req catalog.QuoteRequest
	if *users != "" {
		n, err := strconv.Atoi(*users)
		if err != nil {
			return quoteFail(stderr, cmd, 2, fmt.Sprintf("--users: %q is not a whole number", *users))
		}
		req.Users = n
	}

	q, err := cat.Quote(*code, req)
	var oe *catalog.OptionError
	switch {
	case err == nil:
	case errors.Is(err, catalog.ErrUnknownPackage):
		return quoteFail(stderr, cmd, 2, fmt.Sprintf("--package: unknown package %q (one of %s)", *code, strings.Join(cat.Codes(), ", ")))
	case errors.As(err, &oe):
		return quoteFail(stderr, cmd, 2, "--users: "+oe.Message)
	case errors.Is(err, catalog.ErrNoListPrice):
		return quoteFail(stderr, cmd, 1, err.Error())
	default:
		return quoteFail(stderr, cmd, 1, err.Error())
	}

	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false) // "Remote O&M", not "Remote O\u0026M"
	enc.SetIndent("", "  ")
	if err := enc.Encode(q); err != nil {
		return quoteFail(stderr, cmd, 1, "write output: "+err.Error())
	}
	return 0
}

// quoteUsage is the help text, listing the catalog's packages and prices.
func quoteUsage(cat *catalog.Catalog) string {
	var b strings.Builder
	b.WriteString(quoteUsageHead)
	for _, p := range cat.Packages() {
		var price string
		switch pr := p.Pricing; pr.Model {
		case catalog.PricingFixed:
			price = fmt.Sprintf("%d %s", pr.ListPrice, pr.Currency)
		case catalog.PricingPerUserBlock:
			price = fmt.Sprintf("%d %s up to %d users, +%d per further %d (--users)", pr.ListPrice, pr.Currency, pr.IncludedUsers, pr.BlockPrice, pr.BlockUsers)
		default:
			price = "no list price"
		}
		fmt.Fprintf(&b, "  %-34s %s\n", p.Code, price)
	}
	return b.String()
}

// quoteFlagProblem turns a flag package error into one line of our own.
func quoteFlagProblem(err error) string {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: "); ok {
		return "unknown flag " + name + " (see sowflow quote --help)"
	}
	if name, ok := strings.CutPrefix(msg, "flag needs an argument: "); ok {
		return "--" + strings.TrimLeft(name, "-") + " needs a value"
	}
	return strings.ReplaceAll(msg, "\n", " ")
}

func quoteFail(stderr io.Writer, cmd string, status int, problem string) int {
	fmt.Fprintf(stderr, "%s: %s\n", cmd, strings.ReplaceAll(problem, "\n", " "))
	return status
}
