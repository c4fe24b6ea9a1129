package store

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Language is a portal language.
type Language string

// The languages the portal speaks.
const (
	LanguageChinese Language = "zh-CN"
	LanguageEnglish Language = "en"
)

// Valid reports whether l is a language the portal speaks.
func (l Language) Valid() bool { return l == LanguageChinese || l == LanguageEnglish }

// InvitationLifetime is how long an invitation link can be used.
const InvitationLifetime = 7 * 24 * time.Hour

// Audit actions on people.
const (
	ActionPersonCreate   = "person.create"
	ActionPersonDisable  = "person.disable"
	ActionPersonEnable   = "person.enable"
	ActionPersonPassword = "person.password"
	ActionPersonReset    = "person.reset"
)

// Errors of people and invitations.
var (
	// ErrEmailTaken means another person has the email (in any case).
	ErrEmailTaken = errors.New("email: another person already has this address")
	// ErrInvitationInvalid means an invitation token is unknown, used, or
	// replaced by a newer one.
	ErrInvitationInvalid = errors.New("invitation link is not valid: it was used or replaced by a newer one")
	// ErrInvitationExpired means an invitation is older than InvitationLifetime.
	ErrInvitationExpired = errors.New("invitation link has expired")
	// ErrBadCredentials means a sign-in named an unknown or disabled person,
	// one without a password, or a wrong password; which is not said.
	ErrBadCredentials = errors.New("email or password is wrong")
)

// Person is someone who signs in to the portal (never their password hash).
type Person struct {
	ID          string    `json:"id"`
	Email       string    `json:"email"`
	Name        string    `json:"name"`
	Role        Role      `json:"role"`
	CustomerID  string    `json:"customer_id,omitempty"`
	Language    Language  `json:"language"`
	HasPassword bool      `json:"has_password"`
	Disabled    bool      `json:"disabled"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// Subject is the person's identifier in history and audit records.
func (p Person) Subject() string { return "user:" + p.ID }

// PersonSpec describes a person to create.
type PersonSpec struct {
	Email      string
	Name       string
	Role       Role
	CustomerID string
	// Language defaults to LanguageEnglish.
	Language Language
}

// Validate checks a spec, naming each wrong field and its rule.
func (s PersonSpec) Validate() error {
	var errs []error
	email := strings.TrimSpace(s.Email)
	if email == "" {
		errs = append(errs, errors.New("email: is required"))
	} else if a, err := mail.ParseAddress(email); err != nil || a.Address != email || len(email) > 254 {
		errs = append(errs, fmt.Errorf("email: %q is not a plain email address such as name@example.com", s.Email))
	}
	name := strings.TrimSpace(s.Name)
	switch {
	case name == "":
		errs = append(errs, errors.New("name: is required"))
	case utf8.RuneCountInString(name) > 200:
		errs = append(errs, errors.New("name: must be at most 200 characters"))
	}
	if !s.Role.Valid() {
		errs = append(errs, fmt.Errorf("role: %q is not one of manager, customer, auditor, admin", s.Role))
	}
	if s.Role == RoleCustomer && strings.TrimSpace(s.CustomerID) == "" {
		errs = append(errs, errors.New("customer: is required for a person with the role customer"))
	}
	if s.Role != RoleCustomer && s.CustomerID != "" {
		errs = append(errs, fmt.Errorf("customer: only customers belong to a customer, not a %s", s.Role))
	}
	if s.Language != "" && !s.Language.Valid() {
		errs = append(errs, fmt.Errorf("language: %q is not one of zh-CN, en", s.Language))
	}
	return errors.Join(errs...)
}

const personColumns = `id, email, display_name, role, coalesce(customer_id, ''), language, password_hash IS NOT NULL, disabled, created_at, updated_at`

func scanPerson(row pgx.Row) (Person, error) {
	var p Person
	err := row.Scan(&p.ID, &p.Email, &p.Name, &p.Role, &p.CustomerID, &p.Language, &p.HasPassword, &p.Disabled, &p.CreatedAt, &p.UpdatedAt)
	return p, err
}

// CreatePerson stores a new person without a password; an invitation
// (CreateInvitation) or SetPassword gives them one.
func (s *Store) CreatePerson(ctx context.Context, spec PersonSpec) (Person, error) {
	if err := spec.Validate(); err != nil {
		return Person{}, err
	}
	if spec.Language == "" {
		spec.Language = LanguageEnglish
	}
	var idBytes [6]byte
	if _, err := rand.Read(idBytes[:]); err != nil {
		return Person{}, fmt.Errorf("generate person id: %w", err)
	}
	var customer *string
	if spec.CustomerID != "" {
		c := strings.TrimSpace(spec.CustomerID)
		customer = &c
	}
	var p Person
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		p, err = scanPerson(tx.QueryRow(ctx,
			`INSERT INTO people (id, email, display_name, role, customer_id, language)
			 VALUES ($1, $2, $3, $4, $5, $6) RETURNING `+personColumns,
			hex.EncodeToString(idBytes[:]), strings.TrimSpace(spec.Email), strings.TrimSpace(spec.Name), string(spec.Role), customer, string(spec.Language)))
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "23505" {
			return ErrEmailTaken
		}
		if err != nil {
			return fmt.Errorf("insert person: %w", err)
		}
		return auditPerson(ctx, tx, ActionPersonCreate, p, p.CreatedAt)
	})
	if err != nil {
		return Person{}, err
	}
	return p, nil
}

// FindPerson returns the person with the ID or (in any case) the email ref.
func (s *Store) FindPerson(ctx context.Context, ref string) (Person, error) {
	p, err := scanPerson(s.pool.QueryRow(ctx,
		`SELECT `+personColumns+` FROM people WHERE id = $1 OR lower(email) = lower($1)`, strings.TrimSpace(ref)))
	if errors.Is(err, pgx.ErrNoRows) {
		return Person{}, fmt.Errorf("person %s: %w", ref, ErrNotFound)
	}
	if err != nil {
		return Person{}, fmt.Errorf("find person %s: %w", ref, err)
	}
	return p, nil
}

// ListPeople returns every person, by email.
func (s *Store) ListPeople(ctx context.Context) ([]Person, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+personColumns+` FROM people ORDER BY lower(email)`)
	if err != nil {
		return nil, fmt.Errorf("list people: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Person, error) { return scanPerson(r) })
	if err != nil {
		return nil, fmt.Errorf("list people: %w", err)
	}
	return out, nil
}

// CountPeople returns how many people exist.
func (s *Store) CountPeople(ctx context.Context) (int, error) {
	var n int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM people`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count people: %w", err)
	}
	return n, nil
}

// SetPersonDisabled disables or enables a person; disabling ends every
// session of theirs. Doing it twice is not an error and is audited once.
func (s *Store) SetPersonDisabled(ctx context.Context, id string, disabled bool, now time.Time) (Person, error) {
	var p Person
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var was bool
		if err := tx.QueryRow(ctx, `SELECT disabled FROM people WHERE id = $1 FOR UPDATE`, id).Scan(&was); errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("person %s: %w", id, ErrNotFound)
		} else if err != nil {
			return fmt.Errorf("disable person %s: %w", id, err)
		}
		var err error
		p, err = scanPerson(tx.QueryRow(ctx,
			`UPDATE people SET disabled = $2, updated_at = CASE WHEN disabled = $2 THEN updated_at ELSE $3 END
			 WHERE id = $1 RETURNING `+personColumns, id, disabled, now))
		if err != nil {
			return fmt.Errorf("disable person %s: %w", id, err)
		}
		if disabled {
			if _, err := revokeSessions(ctx, tx, id, now); err != nil {
				return err
			}
			if err := revokePersonalTokens(ctx, tx, p, now); err != nil {
				return err
			}
		}
		if was == disabled {
			return nil
		}
		action := ActionPersonEnable
		if disabled {
			action = ActionPersonDisable
		}
		return auditPerson(ctx, tx, action, p, now)
	})
	return p, err
}

// SetPassword checks password against the rules, stores its hash, ends every
// session of the person and voids their unused invitations.
func (s *Store) SetPassword(ctx context.Context, id, password string, now time.Time) error {
	if err := CheckPasswordRules(password); err != nil {
		return err
	}
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		return setPassword(ctx, tx, id, hash, now)
	})
}

func setPassword(ctx context.Context, tx pgx.Tx, id, hash string, now time.Time) error {
	p, err := scanPerson(tx.QueryRow(ctx,
		`UPDATE people SET password_hash = $2, updated_at = $3 WHERE id = $1 RETURNING `+personColumns, id, hash, now))
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("person %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("set password of %s: %w", id, err)
	}
	if _, err := tx.Exec(ctx, `UPDATE invitations SET used_at = $2 WHERE person_id = $1 AND used_at IS NULL`, id, now); err != nil {
		return fmt.Errorf("void invitations of %s: %w", id, err)
	}
	if _, err := revokeSessions(ctx, tx, id, now); err != nil {
		return err
	}
	return auditPerson(ctx, tx, ActionPersonPassword, p, now)
}

// SetPersonLanguage records the language a person chose.
func (s *Store) SetPersonLanguage(ctx context.Context, id string, lang Language, now time.Time) error {
	if !lang.Valid() {
		return fmt.Errorf("language: %q is not one of zh-CN, en", lang)
	}
	tag, err := s.pool.Exec(ctx, `UPDATE people SET language = $2, updated_at = $3 WHERE id = $1`, id, string(lang), now)
	if err != nil {
		return fmt.Errorf("set language of %s: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("person %s: %w", id, ErrNotFound)
	}
	return nil
}

// CreateInvitation makes a one-time link token for the person to set a
// password, valid until the returned instant; earlier unused invitations of
// theirs stop working. Only the token's hash is kept.
func (s *Store) CreateInvitation(ctx context.Context, personID string, now time.Time) (string, time.Time, error) {
	var token string
	var expires time.Time
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		token, expires, err = createInvitation(ctx, tx, personID, now)
		return err
	})
	return token, expires, err
}

func createInvitation(ctx context.Context, tx pgx.Tx, personID string, now time.Time) (string, time.Time, error) {
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", time.Time{}, fmt.Errorf("generate invitation token: %w", err)
	}
	token := base64.RawURLEncoding.EncodeToString(raw[:])
	expires := now.Add(InvitationLifetime)
	if _, err := tx.Exec(ctx, `UPDATE invitations SET used_at = $2 WHERE person_id = $1 AND used_at IS NULL`, personID, now); err != nil {
		return "", time.Time{}, fmt.Errorf("void earlier invitations of %s: %w", personID, err)
	}
	_, err := tx.Exec(ctx, `INSERT INTO invitations (token_hash, person_id, created_at, expires_at) VALUES ($1, $2, $3, $4)`,
		hashSecret(token), personID, now, expires)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23503" {
		return "", time.Time{}, fmt.Errorf("person %s: %w", personID, ErrNotFound)
	}
	if err != nil {
		return "", time.Time{}, fmt.Errorf("insert invitation: %w", err)
	}
	return token, expires, nil
}

// ResetPerson removes the person's password, ends their sessions and makes a
// new invitation for them to set another (CreateInvitation).
func (s *Store) ResetPerson(ctx context.Context, id string, now time.Time) (string, time.Time, error) {
	var token string
	var expires time.Time
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		p, err := scanPerson(tx.QueryRow(ctx,
			`UPDATE people SET password_hash = NULL, updated_at = $2 WHERE id = $1 RETURNING `+personColumns, id, now))
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("person %s: %w", id, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("reset person %s: %w", id, err)
		}
		if _, err := revokeSessions(ctx, tx, id, now); err != nil {
			return err
		}
		if err := revokePersonalTokens(ctx, tx, p, now); err != nil {
			return err
		}
		if token, expires, err = createInvitation(ctx, tx, id, now); err != nil {
			return err
		}
		return auditPerson(ctx, tx, ActionPersonReset, p, now)
	})
	return token, expires, err
}

// InvitationPerson returns whom a usable invitation token is for:
// ErrInvitationExpired when it is past its lifetime, ErrInvitationInvalid
// when it is unknown or was used or replaced.
func (s *Store) InvitationPerson(ctx context.Context, token string, now time.Time) (Person, error) {
	p, err := invitationPerson(ctx, s.pool, token, now, false)
	return p, err
}

type queryRower interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

func invitationPerson(ctx context.Context, q queryRower, token string, now time.Time, lock bool) (Person, error) {
	if token == "" || len(token) > 100 {
		return Person{}, ErrInvitationInvalid
	}
	forUpdate := ""
	if lock {
		forUpdate = " FOR UPDATE OF i"
	}
	var expires time.Time
	var used bool
	var p Person
	err := q.QueryRow(ctx,
		`SELECT i.expires_at, i.used_at IS NOT NULL, p.id, p.email, p.display_name, p.role, coalesce(p.customer_id, ''), p.language,
		        p.password_hash IS NOT NULL, p.disabled, p.created_at, p.updated_at
		 FROM invitations i JOIN people p ON p.id = i.person_id WHERE i.token_hash = $1`+forUpdate,
		hashSecret(token)).Scan(&expires, &used, &p.ID, &p.Email, &p.Name, &p.Role, &p.CustomerID, &p.Language, &p.HasPassword, &p.Disabled, &p.CreatedAt, &p.UpdatedAt)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return Person{}, ErrInvitationInvalid
	case err != nil:
		return Person{}, fmt.Errorf("look up invitation: %w", err)
	case used || p.Disabled:
		return Person{}, ErrInvitationInvalid
	case !now.Before(expires):
		return Person{}, ErrInvitationExpired
	}
	return p, nil
}

// AcceptInvitation sets the invited person's password (CheckPasswordRules)
// and uses the invitation up.
func (s *Store) AcceptInvitation(ctx context.Context, token, password string, now time.Time) (Person, error) {
	if err := CheckPasswordRules(password); err != nil {
		return Person{}, err
	}
	hash, err := HashPassword(password)
	if err != nil {
		return Person{}, err
	}
	var p Person
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		if p, err = invitationPerson(ctx, tx, token, now, true); err != nil {
			return err
		}
		return setPassword(ctx, tx, p.ID, hash, now)
	})
	if err != nil {
		return Person{}, err
	}
	p.HasPassword = true
	return p, nil
}

// dummyHash is verified against when a sign-in names no usable person, so
// such a sign-in takes as long as one with a wrong password.
var dummyHash, _ = HashPassword("no such person; this only spends time")

// CheckCredentials returns the enabled person with this email and password,
// or ErrBadCredentials without saying which part was wrong.
func (s *Store) CheckCredentials(ctx context.Context, email, password string) (Person, error) {
	var hash *string
	var p Person
	err := s.pool.QueryRow(ctx,
		`SELECT password_hash, `+personColumns+` FROM people WHERE lower(email) = lower($1)`, strings.TrimSpace(email)).
		Scan(&hash, &p.ID, &p.Email, &p.Name, &p.Role, &p.CustomerID, &p.Language, &p.HasPassword, &p.Disabled, &p.CreatedAt, &p.UpdatedAt)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return Person{}, fmt.Errorf("look up person: %w", err)
	}
	if hash == nil || p.Disabled {
		_ = VerifyPassword(dummyHash, password)
		return Person{}, ErrBadCredentials
	}
	if err := VerifyPassword(*hash, password); errors.Is(err, ErrPasswordMismatch) {
		return Person{}, ErrBadCredentials
	} else if err != nil {
		return Person{}, fmt.Errorf("person %s: %w", p.ID, err)
	}
	return p, nil
}

func auditPerson(ctx context.Context, tx pgx.Tx, action string, p Person, at time.Time) error {
	payload, err := json.Marshal(struct {
		PersonID   string   `json:"person_id"`
		Email      string   `json:"email"`
		Role       Role     `json:"role"`
		CustomerID string   `json:"customer_id,omitempty"`
		Disabled   bool     `json:"disabled"`
		Language   Language `json:"language"`
	}{p.ID, p.Email, p.Role, p.CustomerID, p.Disabled, p.Language})
	if err != nil {
		return fmt.Errorf("encode audit payload of person %s: %w", p.ID, err)
	}
	_, err = appendAudit(ctx, tx, SystemChain, []AuditEntry{{Actor: actorOr(ctx, unattributed), OccurredAt: at, Action: action, Payload: payload}})
	return err
}

// PersonalTokens returns the API tokens a person created for themselves
// (created_by is their subject), newest first, revoked ones included.
func (s *Store) PersonalTokens(ctx context.Context, p Person) ([]Token, error) {
	rows, err := s.pool.Query(ctx,
		`SELECT id, name, role, coalesce(customer_id, ''), created_by, created_at, revoked_at
		 FROM api_tokens WHERE created_by = $1 ORDER BY created_at DESC, id`, p.Subject())
	if err != nil {
		return nil, fmt.Errorf("list personal tokens: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Token, error) {
		var t Token
		err := r.Scan(&t.ID, &t.Name, &t.Role, &t.CustomerID, &t.CreatedBy, &t.CreatedAt, &t.RevokedAt)
		return t, err
	})
	if err != nil {
		return nil, fmt.Errorf("list personal tokens: %w", err)
	}
	return out, nil
}

// revokePersonalTokens revokes the live tokens a person created for
// themselves, each audited, when they are disabled or reset.
func revokePersonalTokens(ctx context.Context, tx pgx.Tx, p Person, now time.Time) error {
	rows, err := tx.Query(ctx,
		`UPDATE api_tokens SET revoked_at = $2 WHERE created_by = $1 AND revoked_at IS NULL
		 RETURNING id, name, role, coalesce(customer_id, ''), created_by, created_at, revoked_at`, p.Subject(), now)
	if err != nil {
		return fmt.Errorf("revoke personal tokens of %s: %w", p.ID, err)
	}
	tokens, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Token, error) {
		var t Token
		err := r.Scan(&t.ID, &t.Name, &t.Role, &t.CustomerID, &t.CreatedBy, &t.CreatedAt, &t.RevokedAt)
		return t, err
	})
	if err != nil {
		return fmt.Errorf("revoke personal tokens of %s: %w", p.ID, err)
	}
	for _, t := range tokens {
		if err := auditToken(ctx, tx, ActionTokenRevoke, t, actorOr(ctx, unattributed), now); err != nil {
			return err
		}
	}
	return nil
}
