package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// What an owner row names (Owner.Kind).
const (
	OwnerProject = "project"
	OwnerService = "service"
	// OwnerSLAAccount is an SLA account name, which names the account's
	// periods too.
	OwnerSLAAccount = "sla-account"
)

// Owner says which customer an object belongs to: a project, a service, or
// an SLA account name with its mail service.
type Owner struct {
	Kind       string
	ID         string
	CustomerID string
	// Service is an SLA account's mail service; "" for the other kinds.
	Service string
}

// ClaimedError is the answer of Claim for an object another customer (or,
// for an SLA account, another service) owns.
type ClaimedError struct {
	Owner Owner
}

func (e *ClaimedError) Error() string {
	return fmt.Sprintf("%s %s belongs to customer %s", e.Owner.Kind, e.Owner.ID, e.Owner.CustomerID)
}

// Claim claims o for its customer (and service) and runs start while the
// claim is held, in one transaction: the claim is kept only when start
// succeeds. A claim the same customer and service already hold is kept
// and start runs (a retry, or a start its workflow refuses as a second
// one); an object another holds is *ClaimedError and start does not run. A
// concurrent claim of the same object waits until this one has ended and
// then sees its outcome. start's error is returned as it is.
func (s *Store) Claim(ctx context.Context, o Owner, start func(context.Context) error) error {
	var startErr error
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := recordOwner(ctx, tx, o); err != nil {
			return err
		}
		held := Owner{Kind: o.Kind, ID: o.ID}
		if err := tx.QueryRow(ctx, `SELECT customer_id, service FROM owners WHERE kind = $1 AND id = $2`, o.Kind, o.ID).
			Scan(&held.CustomerID, &held.Service); err != nil {
			return fmt.Errorf("read owner of %s %s: %w", o.Kind, o.ID, err)
		}
		if held != o {
			return &ClaimedError{Owner: held}
		}
		startErr = start(ctx)
		return startErr
	})
	if startErr != nil {
		return startErr
	}
	return err
}

// OwnerOf returns the owner of the object kind id; for a customer (not
// "") only one it owns. Any other is ErrNotFound: an object of another
// customer and one that does not exist are one answer.
func (s *Store) OwnerOf(ctx context.Context, kind, id, customerID string) (Owner, error) {
	o := Owner{Kind: kind, ID: id}
	err := s.pool.QueryRow(ctx, `SELECT customer_id, service FROM owners
		WHERE kind = $1 AND id = $2 AND ($3 = '' OR customer_id = $3)`, kind, id, customerID).Scan(&o.CustomerID, &o.Service)
	if errors.Is(err, pgx.ErrNoRows) {
		return Owner{}, fmt.Errorf("owner of %s %s: %w", kind, id, ErrNotFound)
	}
	if err != nil {
		return Owner{}, fmt.Errorf("read owner of %s %s: %w", kind, id, err)
	}
	return o, nil
}

// recordOwner writes, inside tx, the owner of an object unless it has one.
// Projections write it too, so an object started outside the API is owned.
func recordOwner(ctx context.Context, tx pgx.Tx, o Owner) error {
	if _, err := tx.Exec(ctx, `INSERT INTO owners (kind, id, customer_id, service) VALUES ($1, $2, $3, $4)
		ON CONFLICT (kind, id) DO NOTHING`, o.Kind, o.ID, o.CustomerID, o.Service); err != nil {
		return fmt.Errorf("record owner of %s %s: %w", o.Kind, o.ID, err)
	}
	return nil
}
