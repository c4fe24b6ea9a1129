package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/sowflow/sowflow/calendar"
	"github.com/sowflow/sowflow/config"
	"github.com/sowflow/sowflow/portal"
	"github.com/sowflow/sowflow/store"
)

const userUsage = `Usage:
  sowflow user create --email E --name N --role manager|customer|auditor|admin
                      [--customer ID] [--language zh-CN|en] [--password-stdin]
  sowflow user list [--json]
  sowflow user disable EMAIL|ID
  sowflow user enable EMAIL|ID
  sowflow user reset EMAIL|ID [--password-stdin]

Manages the people who sign in to the portal, in the database named by
DATABASE_URL. create prints a one-time invitation link (valid 7 days,
starting with SOWFLOW_PUBLIC_URL) where the person sets a password; with
--password-stdin the password is read from the first line of standard input
instead and no link is made. A customer (--customer) sees only that
customer's projects. disable ends every session of the person and refuses
their sign-ins until enable. reset removes the password, ends every session
and prints a new invitation link (or, with --password-stdin, sets the
password read from standard input).
`

// userStdin is where --password-stdin reads; tests replace it.
var userStdin io.Reader = os.Stdin

func runUser(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	sub, rest, status, done := splitSubcommand(args, userUsage, stdout)
	if done {
		return status
	}
	fs := flag.NewFlagSet("user "+sub, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	email := fs.String("email", "", "")
	name := fs.String("name", "", "")
	role := fs.String("role", "", "")
	customer := fs.String("customer", "", "")
	language := fs.String("language", "", "")
	passwordStdin := fs.Bool("password-stdin", false, "")
	asJSON := fs.Bool("json", false, "")
	// Flags may follow the EMAIL|ID argument.
	var positional []string
	for {
		if err := fs.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fmt.Fprint(stdout, userUsage)
				return 0
			}
			fmt.Fprintf(stderr, "sowflow user %s: %v\n", sub, err)
			return 2
		}
		if fs.NArg() == 0 {
			break
		}
		positional = append(positional, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "sowflow user %s: %s\n", sub, fmt.Sprintf(format, a...))
		return 2
	}
	readPassword := func() (string, error) {
		line, err := bufio.NewReader(userStdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", fmt.Errorf("read password from standard input: %w", err)
		}
		pw := strings.TrimRight(line, "\r\n")
		return pw, store.CheckPasswordRules(pw)
	}

	var run func(ctx context.Context, st *store.Store, cfg config.Config) error
	switch sub {
	case "create":
		if len(positional) > 0 {
			return fail("unexpected argument %q", positional[0])
		}
		spec := store.PersonSpec{Email: *email, Name: *name, Role: store.Role(*role), CustomerID: *customer, Language: store.Language(*language)}
		if err := spec.Validate(); err != nil {
			return fail("--%s", strings.ReplaceAll(err.Error(), "\n", "; --"))
		}
		var password string
		if *passwordStdin {
			pw, err := readPassword()
			if err != nil {
				return fail("%v", err)
			}
			password = pw
		}
		run = func(ctx context.Context, st *store.Store, cfg config.Config) error {
			p, err := st.CreatePerson(ctx, spec)
			if err != nil {
				return err
			}
			if password != "" {
				if err := st.SetPassword(ctx, p.ID, password, time.Now()); err != nil {
					return err
				}
				fmt.Fprintf(stdout, "created %s %s (%s) with the password given; they can sign in at %s/sign-in\n", p.Role, p.ID, p.Email, cfg.PublicURL)
				return nil
			}
			return printInvitation(cfg, stdout, p, "created", func(now time.Time) (string, time.Time, error) {
				return st.CreateInvitation(ctx, p.ID, now)
			})
		}
	case "list":
		if len(positional) > 0 {
			return fail("unexpected argument %q", positional[0])
		}
		run = func(ctx context.Context, st *store.Store, _ config.Config) error {
			people, err := st.ListPeople(ctx)
			if err != nil {
				return err
			}
			return printList(stdout, *asJSON, people, "ID\tEMAIL\tNAME\tROLE\tCUSTOMER\tLANGUAGE\tSTATUS", func(tw io.Writer, p store.Person) {
				status := "active"
				switch {
				case p.Disabled:
					status = "disabled"
				case !p.HasPassword:
					status = "invited"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", p.ID, p.Email, p.Name, p.Role, orDash(p.CustomerID), p.Language, status)
			})
		}
	case "disable", "enable", "reset":
		if len(positional) != 1 {
			return fail("want exactly one person (their email or ID)")
		}
		ref := positional[0]
		var password string
		if *passwordStdin {
			if sub != "reset" {
				return fail("--password-stdin is for create and reset")
			}
			pw, err := readPassword()
			if err != nil {
				return fail("%v", err)
			}
			password = pw
		}
		run = func(ctx context.Context, st *store.Store, cfg config.Config) error {
			p, err := st.FindPerson(ctx, ref)
			if err != nil {
				return err
			}
			switch {
			case sub == "reset" && password != "":
				if err := st.SetPassword(ctx, p.ID, password, time.Now()); err != nil {
					return err
				}
				fmt.Fprintf(stdout, "set a new password for %s (%s); their sessions have ended\n", p.ID, p.Email)
				return nil
			case sub == "reset":
				return printInvitation(cfg, stdout, p, "reset", func(now time.Time) (string, time.Time, error) {
					return st.ResetPerson(ctx, p.ID, now)
				})
			}
			if _, err := st.SetPersonDisabled(ctx, p.ID, sub == "disable", time.Now()); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "%sd %s (%s)\n", sub, p.ID, p.Email)
			return nil
		}
	default:
		return fail("unknown subcommand (want create, list, disable, enable or reset)")
	}

	return runAsCLIAdmin(ctx, "user", sub, stderr, func(err error) bool {
		return errors.Is(err, store.ErrEmailTaken) || errors.Is(err, store.ErrNotFound)
	}, run)
}

// printInvitation makes an invitation with invite and prints its link.
func printInvitation(cfg config.Config, w io.Writer, p store.Person, verb string, invite func(now time.Time) (string, time.Time, error)) error {
	token, expires, err := invite(time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "%s %s %s (%s). Send them this one-time link to set a password; it expires %s:\n%s\n",
		verb, p.Role, p.ID, p.Email, expires.In(calendar.Zone()).Format("2006-01-02 15:04 MST"), portal.InvitationURL(cfg.PublicURL, token))
	return nil
}
