package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/sowflow/sowflow/store"
	"github.com/sowflow/sowflow/testenv"
)

func TestDevPeople(t *testing.T) {
	ctx := context.Background()
	// A database of its own: the package's has people from other tests.
	pool, err := openDatabase(ctx, testenv.EmptyDatabase(t), true, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	st := store.New(pool)
	first, err := ensureDevPeople(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	if len(first) != 4 {
		t.Fatalf("first start made %d people, want one per role", len(first))
	}
	var out bytes.Buffer
	printDevPeople(&out, first)
	for i, p := range first {
		if p.Role != store.Roles()[i] || p.Password == "" || !strings.Contains(out.String(), p.Password) {
			t.Fatalf("person %d = %+v; banner %q", i, p, out.String())
		}
		got, err := st.CheckCredentials(ctx, p.Email, p.Password)
		if err != nil {
			t.Fatalf("%s cannot sign in with the printed password: %v", p.Email, err)
		}
		if p.Role == store.RoleCustomer && got.CustomerID != devCustomerID {
			t.Fatalf("demo customer belongs to %q", got.CustomerID)
		}
	}
	again, err := ensureDevPeople(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	out.Reset()
	printDevPeople(&out, again)
	if len(again) != 4 || again[0].Password != "" || !strings.Contains(out.String(), "sowflow user reset") || strings.Contains(out.String(), first[0].Password) {
		t.Fatalf("second start: %+v, banner %q; want the people without passwords and how to reset one", again, out.String())
	}
}
