package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// Role is what a token's holder may do.
type Role string

// The roles of DESIGN.md's "Who uses it".
const (
	RoleManager  Role = "manager"
	RoleCustomer Role = "customer"
	RoleAuditor  Role = "auditor"
	RoleAdmin    Role = "admin"
)

// Roles lists every role in display order.
func Roles() []Role { return []Role{RoleManager, RoleCustomer, RoleAuditor, RoleAdmin} }

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, k := range Roles() {
		if r == k {
			return true
		}
	}
	return false
}

// ErrUnauthenticated means a bearer token is unknown or revoked.
var ErrUnauthenticated = errors.New("unknown or revoked token")

// ErrNotFound means the requested row does not exist.
var ErrNotFound = errors.New("not found")

// tokenPrefix marks sowflow tokens so secret scanners and people recognise them.
const tokenPrefix = "sow_"

// Principal is who an API request acts for: the holder of a token, or a
// person signed in to the portal (PersonID set, TokenID empty).
type Principal struct {
	TokenID    string `json:"token_id,omitempty"`
	PersonID   string `json:"person_id,omitempty"`
	Name       string `json:"name"`
	Role       Role   `json:"role"`
	CustomerID string `json:"customer_id,omitempty"`
}

// Subject is the principal's stable identifier in history and audit
// records: "user:<id>" for a person, "token:<id>" for a token.
func (p Principal) Subject() string {
	if p.PersonID != "" {
		return "user:" + p.PersonID
	}
	return "token:" + p.TokenID
}

// Principal is the person acting in the portal, as the API sees them.
func (p Person) Principal() Principal {
	return Principal{PersonID: p.ID, Name: p.Name, Role: p.Role, CustomerID: p.CustomerID}
}

// TokenSpec describes a token to create.
type TokenSpec struct {
	Name       string
	Role       Role
	CustomerID string
	CreatedBy  string
}

// Token is a stored token's metadata (never its secret).
type Token struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	Role       Role       `json:"role"`
	CustomerID string     `json:"customer_id,omitempty"`
	CreatedBy  string     `json:"created_by"`
	CreatedAt  time.Time  `json:"created_at"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
}

// Validate checks a spec: a known role, a name, and a customer ID exactly
// when the role is customer.
func (s TokenSpec) Validate() error {
	var errs []error
	if !s.Role.Valid() {
		errs = append(errs, fmt.Errorf("role: %q is not one of manager, customer, auditor, admin", s.Role))
	}
	if strings.TrimSpace(s.Name) == "" {
		errs = append(errs, errors.New("name: is required"))
	}
	if s.Role == RoleCustomer && strings.TrimSpace(s.CustomerID) == "" {
		errs = append(errs, errors.New("customer: is required for a customer token"))
	}
	if s.Role != RoleCustomer && s.CustomerID != "" {
		errs = append(errs, fmt.Errorf("customer: only customer tokens belong to a customer, not %s tokens", s.Role))
	}
	return errors.Join(errs...)
}

// CreateToken stores a new token and returns its metadata and the secret,
// which is not kept and cannot be shown again.
func (s *Store) CreateToken(ctx context.Context, spec TokenSpec) (Token, string, error) {
	if err := spec.Validate(); err != nil {
		return Token{}, "", err
	}
	var idBytes [6]byte
	var secretBytes [24]byte
	if _, err := rand.Read(idBytes[:]); err != nil {
		return Token{}, "", fmt.Errorf("generate token id: %w", err)
	}
	if _, err := rand.Read(secretBytes[:]); err != nil {
		return Token{}, "", fmt.Errorf("generate token secret: %w", err)
	}
	id := hex.EncodeToString(idBytes[:])
	secret := tokenPrefix + id + "_" + base64.RawURLEncoding.EncodeToString(secretBytes[:])
	var customer *string
	if spec.CustomerID != "" {
		customer = &spec.CustomerID
	}
	t := Token{ID: id, Name: spec.Name, Role: spec.Role, CustomerID: spec.CustomerID, CreatedBy: spec.CreatedBy}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx,
			`INSERT INTO api_tokens (id, name, role, customer_id, secret_hash, created_by)
			 VALUES ($1, $2, $3, $4, $5, $6) RETURNING created_at`,
			id, spec.Name, string(spec.Role), customer, hashSecret(secret), spec.CreatedBy).Scan(&t.CreatedAt)
		if err != nil {
			return fmt.Errorf("insert token: %w", err)
		}
		return auditToken(ctx, tx, ActionTokenCreate, t, actorOr(ctx, spec.CreatedBy), t.CreatedAt)
	})
	if err != nil {
		return Token{}, "", err
	}
	return t, secret, nil
}

// Authenticate resolves a bearer secret to its principal.
func (s *Store) Authenticate(ctx context.Context, secret string) (Principal, error) {
	if !strings.HasPrefix(secret, tokenPrefix) || len(secret) > 200 {
		return Principal{}, ErrUnauthenticated
	}
	var p Principal
	var customer *string
	err := s.pool.QueryRow(ctx,
		`SELECT id, name, role, customer_id FROM api_tokens WHERE secret_hash = $1 AND revoked_at IS NULL`,
		hashSecret(secret)).Scan(&p.TokenID, &p.Name, &p.Role, &customer)
	if errors.Is(err, pgx.ErrNoRows) {
		return Principal{}, ErrUnauthenticated
	}
	if err != nil {
		return Principal{}, fmt.Errorf("look up token: %w", err)
	}
	if customer != nil {
		p.CustomerID = *customer
	}
	return p, nil
}

// ListTokens returns every token, newest first, revoked ones included.
func (s *Store) ListTokens(ctx context.Context) ([]Token, error) {
	rows, err := s.pool.Query(ctx,
		`SELECT id, name, role, coalesce(customer_id, ''), created_by, created_at, revoked_at
		 FROM api_tokens ORDER BY created_at DESC, id`)
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Token, error) {
		var t Token
		err := r.Scan(&t.ID, &t.Name, &t.Role, &t.CustomerID, &t.CreatedBy, &t.CreatedAt, &t.RevokedAt)
		return t, err
	})
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	return out, nil
}

// FindToken returns one token's metadata by ID, revoked or not; an unknown
// ID is ErrNotFound.
func (s *Store) FindToken(ctx context.Context, id string) (Token, error) {
	var t Token
	err := s.pool.QueryRow(ctx,
		`SELECT id, name, role, coalesce(customer_id, ''), created_by, created_at, revoked_at
		 FROM api_tokens WHERE id = $1`, id).Scan(&t.ID, &t.Name, &t.Role, &t.CustomerID, &t.CreatedBy, &t.CreatedAt, &t.RevokedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return Token{}, fmt.Errorf("token %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return Token{}, fmt.Errorf("find token %s: %w", id, err)
	}
	return t, nil
}

// RevokeToken revokes a token by ID; revoking twice is not an error. The
// revocation (not a repeated one) is appended to the system audit chain,
// attributed to the actor WithActor put on ctx.
func (s *Store) RevokeToken(ctx context.Context, id string) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var (
			t       Token
			already bool
		)
		err := tx.QueryRow(ctx,
			`UPDATE api_tokens t SET revoked_at = coalesce(old.revoked_at, now())
			 FROM (SELECT id, revoked_at FROM api_tokens WHERE id = $1 FOR UPDATE) old
			 WHERE t.id = old.id
			 RETURNING t.id, t.name, t.role, coalesce(t.customer_id, ''), t.created_by, t.created_at, t.revoked_at, old.revoked_at IS NOT NULL`,
			id).Scan(&t.ID, &t.Name, &t.Role, &t.CustomerID, &t.CreatedBy, &t.CreatedAt, &t.RevokedAt, &already)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("token %s: %w", id, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("revoke token %s: %w", id, err)
		}
		if already {
			return nil
		}
		return auditToken(ctx, tx, ActionTokenRevoke, t, actorOr(ctx, unattributed), *t.RevokedAt)
	})
}

// CountTokens returns how many tokens exist, revoked or not.
func (s *Store) CountTokens(ctx context.Context) (int, error) {
	var n int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM api_tokens`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count tokens: %w", err)
	}
	return n, nil
}

func hashSecret(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}
