package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/sowflow/sowflow/testenv"
)

// TestClaim claims objects for their owners: a claim is kept only when its
// start succeeds, a second claim by the same owner runs its start again,
// one by another customer or service is refused without running it, and a
// projection gives an object it holds no claim for its owner.
func TestClaim(t *testing.T) {
	ctx := context.Background()
	st := New(testenv.Get(t).Pool)
	sfx := time.Now().Format("150405.000000000")
	errStart := errors.New("start refused")
	account := Owner{Kind: OwnerSLAAccount, ID: "claim-" + sfx, CustomerID: "acme", Service: "email"}
	failedFirst := Owner{Kind: OwnerProject, ID: "claim-failed-" + sfx, CustomerID: "acme"}
	with := func(o Owner, customer, service string) Owner {
		o.CustomerID, o.Service = customer, service
		return o
	}
	tests := []struct {
		name     string
		claim    Owner
		startErr error
		// wantStart says whether start ran; wantErr is the error Claim
		// returns (errStart, a *ClaimedError or nil).
		wantStart bool
		wantErr   error
	}{
		{"a first claim", account, nil, true, nil},
		{"the same owner again", account, nil, true, nil},
		{"the same owner, start refused", account, errStart, true, errStart},
		{"another customer", with(account, "globex", "email"), nil, false, &ClaimedError{Owner: account}},
		{"another service", with(account, "acme", "sendify"), nil, false, &ClaimedError{Owner: account}},
		{"a first claim whose start fails", failedFirst, errStart, true, errStart},
		{"another customer after a failed start", with(failedFirst, "globex", ""), nil, true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			started := false
			err := st.Claim(ctx, tt.claim, func(context.Context) error {
				started = true
				return tt.startErr
			})
			var claimed *ClaimedError
			switch want := tt.wantErr.(type) {
			case nil:
				if err != nil {
					t.Fatalf("Claim: %v", err)
				}
			case *ClaimedError:
				if !errors.As(err, &claimed) || claimed.Owner != want.Owner {
					t.Fatalf("Claim: %v, want held by %+v", err, want.Owner)
				}
			default:
				if !errors.Is(err, want) {
					t.Fatalf("Claim: %v, want %v", err, want)
				}
			}
			if started != tt.wantStart {
				t.Errorf("start ran: %v, want %v", started, tt.wantStart)
			}
		})
	}
	owners := []struct {
		kind, id, customer string
		want               Owner
		found              bool
	}{
		{OwnerSLAAccount, account.ID, "", account, true},
		{OwnerSLAAccount, account.ID, "acme", account, true},
		{OwnerSLAAccount, account.ID, "globex", Owner{}, false},
		{OwnerProject, failedFirst.ID, "", with(failedFirst, "globex", ""), true},
		{OwnerProject, "no-such-" + sfx, "", Owner{}, false},
	}
	for _, o := range owners {
		got, err := st.OwnerOf(ctx, o.kind, o.id, o.customer)
		if o.found && (err != nil || got != o.want) || !o.found && !errors.Is(err, ErrNotFound) {
			t.Errorf("OwnerOf(%s, %s, %q) = %+v, %v; want %+v (found %v)", o.kind, o.id, o.customer, got, err, o.want, o.found)
		}
	}

	// A projected service nobody claimed gets its customer as owner.
	sv := ServiceSnapshot{ID: "claim-svc-" + sfx, CustomerID: "acme", PackageCode: "partner-premium", Status: "active",
		YearStart: svcT0, YearEnd: svcT0.AddDate(1, 0, 0), State: []byte(`{}`), Seq: 1, StartedAt: svcT0, UpdatedAt: svcT0}
	if _, err := st.RecordService(ctx, sv, nil, nil); err != nil {
		t.Fatal(err)
	}
	if got, err := st.OwnerOf(ctx, OwnerService, sv.ID, "acme"); err != nil || got.CustomerID != "acme" {
		t.Errorf("owner of a projected service: %+v, %v", got, err)
	}
}
