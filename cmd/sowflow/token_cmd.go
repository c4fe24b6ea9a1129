package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/sowflow/sowflow/config"
	"github.com/sowflow/sowflow/store"
)

const tokenUsage = `Usage:
  sowflow token create --role manager|customer|auditor|admin --name NAME [--customer ID]
  sowflow token list [--json]
  sowflow token revoke ID

Manages API bearer tokens in the database named by DATABASE_URL. A new
token's secret is printed once and cannot be shown again; only its hash is
stored. Customer tokens belong to one customer (--customer) and see only
that customer's projects.
`

func runToken(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	sub, rest, status, done := splitSubcommand(args, tokenUsage, stdout)
	if done {
		return status
	}
	fs := flag.NewFlagSet("token "+sub, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	role := fs.String("role", "", "")
	name := fs.String("name", "", "")
	customer := fs.String("customer", "", "")
	asJSON := fs.Bool("json", false, "")
	if err := fs.Parse(rest); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, tokenUsage)
			return 0
		}
		fmt.Fprintf(stderr, "sowflow token %s: %v\n", sub, err)
		return 2
	}
	var run func(context.Context, *store.Store, config.Config) error
	switch sub {
	case "create":
		if fs.NArg() > 0 {
			fmt.Fprintf(stderr, "sowflow token create: unexpected argument %q\n", fs.Arg(0))
			return 2
		}
		spec := store.TokenSpec{Name: *name, Role: store.Role(*role), CustomerID: *customer, CreatedBy: "cli"}
		if err := spec.Validate(); err != nil {
			fmt.Fprintf(stderr, "sowflow token create: --%s\n", strings.ReplaceAll(err.Error(), "\n", "; --"))
			return 2
		}
		run = func(ctx context.Context, st *store.Store, _ config.Config) error {
			t, secret, err := st.CreateToken(ctx, spec)
			if err != nil {
				return err
			}
			if *asJSON {
				return json.NewEncoder(stdout).Encode(struct {
					store.Token
					Secret string `json:"secret"`
				}{t, secret})
			}
			fmt.Fprintf(stdout, "%s\n", secret)
			fmt.Fprintf(stderr, "created %s token %s (%s); the secret above is shown only once\n", t.Role, t.ID, t.Name)
			return nil
		}
	case "list":
		run = func(ctx context.Context, st *store.Store, _ config.Config) error {
			tokens, err := st.ListTokens(ctx)
			if err != nil {
				return err
			}
			return printList(stdout, *asJSON, tokens, "ID\tROLE\tCUSTOMER\tNAME\tCREATED\tREVOKED", func(tw io.Writer, t store.Token) {
				revoked := "-"
				if t.RevokedAt != nil {
					revoked = t.RevokedAt.Format(time.RFC3339)
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Role, orDash(t.CustomerID), t.Name, t.CreatedAt.Format(time.RFC3339), revoked)
			})
		}
	case "revoke":
		if fs.NArg() != 1 {
			fmt.Fprintln(stderr, "sowflow token revoke: want exactly one token ID")
			return 2
		}
		id := fs.Arg(0)
		run = func(ctx context.Context, st *store.Store, _ config.Config) error {
			if err := st.RevokeToken(ctx, id); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "revoked %s\n", id)
			return nil
		}
	default:
		fmt.Fprintf(stderr, "sowflow token: unknown subcommand %q (want create, list or revoke)\n", sub)
		return 2
	}

	return runAsCLIAdmin(ctx, "token", sub, stderr, nil, run)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// ensureDevTokens creates one token per role when the database has none, so
// a fresh `sowflow dev` can be used at once, and returns them for printing.
func ensureDevTokens(ctx context.Context, st *store.Store) (map[store.Role]string, error) {
	n, err := st.CountTokens(ctx)
	if err != nil || n > 0 {
		return nil, err
	}
	out := map[store.Role]string{}
	for _, role := range store.Roles() {
		spec := store.TokenSpec{Name: "dev " + string(role), Role: role, CreatedBy: "sowflow dev"}
		if role == store.RoleCustomer {
			spec.CustomerID = devCustomerID
		}
		_, secret, err := st.CreateToken(ctx, spec)
		if err != nil {
			return nil, err
		}
		out[role] = secret
	}
	return out, nil
}

// devCustomerID is the customer the dev customer token belongs to.
const devCustomerID = "demo-customer"
