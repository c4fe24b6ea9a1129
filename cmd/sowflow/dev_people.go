package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/sowflow/sowflow/store"
)

// devPerson is one demo person of sowflow dev; Password is set only when
// this start created them.
type devPerson struct {
	Role     store.Role
	Email    string
	Password string
}

// devPeopleSpecs are the demo people sowflow dev creates on a database
// without people: one per role, the customer of devCustomerID.
func devPeopleSpecs() []store.PersonSpec {
	return []store.PersonSpec{
		{Email: "demo-manager@sowflow.test", Name: "Demo Manager", Role: store.RoleManager, Language: store.LanguageEnglish},
		{Email: "demo-customer@sowflow.test", Name: "演示客户", Role: store.RoleCustomer, CustomerID: devCustomerID, Language: store.LanguageChinese},
		{Email: "demo-auditor@sowflow.test", Name: "Demo Auditor", Role: store.RoleAuditor, Language: store.LanguageEnglish},
		{Email: "demo-admin@sowflow.test", Name: "Demo Admin", Role: store.RoleAdmin, Language: store.LanguageEnglish},
	}
}

// ensureDevPeople creates the demo people with random passwords when the
// database has no people, and returns them with their passwords; on a
// database with people it returns the demo people that exist, without
// passwords.
func ensureDevPeople(ctx context.Context, st *store.Store) ([]devPerson, error) {
	n, err := st.CountPeople(ctx)
	if err != nil {
		return nil, err
	}
	var out []devPerson
	for _, spec := range devPeopleSpecs() {
		if n > 0 {
			p, err := st.FindPerson(ctx, spec.Email)
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			if err != nil {
				return nil, err
			}
			out = append(out, devPerson{Role: p.Role, Email: p.Email})
			continue
		}
		p, err := st.CreatePerson(ctx, spec)
		if err != nil {
			return nil, err
		}
		password := rand.Text()
		if err := st.SetPassword(ctx, p.ID, password, time.Now()); err != nil {
			return nil, err
		}
		out = append(out, devPerson{Role: p.Role, Email: p.Email, Password: password})
	}
	return out, nil
}

// printDevPeople tells how to sign in to the portal.
func printDevPeople(w io.Writer, people []devPerson) {
	switch {
	case len(people) == 0:
		fmt.Fprintln(w, "Portal people exist in this database; sowflow user list shows them (DATABASE_URL set to the database above).")
	case people[0].Password != "":
		fmt.Fprintln(w, "Demo people, created on this first start; their passwords are shown only now:")
		for _, p := range people {
			fmt.Fprintf(w, "  %-28s %-9s %s\n", p.Email, p.Role, p.Password)
		}
	default:
		fmt.Fprintln(w, "Demo people (their passwords were shown on the first start):")
		for _, p := range people {
			fmt.Fprintf(w, "  %-28s %s\n", p.Email, p.Role)
		}
		fmt.Fprintln(w, "  A new password: echo 'NEW PASSWORD' | sowflow user reset EMAIL --password-stdin (DATABASE_URL set to the database above)")
	}
}
