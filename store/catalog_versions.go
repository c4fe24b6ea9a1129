package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sowflow/sowflow/catalog"
)

// Audited catalog actions (system chain).
const (
	ActionCatalogUpload  = "catalog.upload"
	ActionCatalogPublish = "catalog.publish"
)

// Source types of an uploaded package file.
const (
	CatalogSourceYAML = "yaml"
	CatalogSourceJSON = "json"
)

// Refusals of PublishCatalogVersion; the caller names the rule.
var (
	// ErrFourEyes: the person who uploaded a version may not publish it.
	ErrFourEyes = errors.New("the person who uploaded a version may not publish it")
	// ErrAlreadyPublished: the version is published already.
	ErrAlreadyPublished = errors.New("the version is published already")
	// ErrSuperseded: a newer version of the code is published already.
	ErrSuperseded = errors.New("a newer version is published already")
)

// CatalogVersion is one uploaded version of a catalog package.
type CatalogVersion struct {
	Code    string `json:"code"`
	Version int    `json:"version"`
	// Digest is the SHA-256 of the canonical form (catalog.PackageDigest).
	Digest string `json:"digest"`
	// SourceType is "yaml" or "json": how the file was uploaded.
	SourceType string    `json:"source_type"`
	UploadedBy string    `json:"uploaded_by"`
	UploadedAt time.Time `json:"uploaded_at"`
	// PublishedBy and PublishedAt are empty while the version is a draft.
	PublishedBy string     `json:"published_by,omitempty"`
	PublishedAt *time.Time `json:"published_at,omitempty"`
	// Source is the file as uploaded; Canonical the package's canonical
	// JSON (catalog.CanonicalJSON).
	Source    []byte `json:"-"`
	Canonical []byte `json:"-"`
}

// Published reports whether the version is published.
func (v CatalogVersion) Published() bool { return v.PublishedAt != nil }

// Package decodes the version's canonical form.
func (v CatalogVersion) Package() (catalog.Package, error) {
	var p catalog.Package
	if err := json.Unmarshal(v.Canonical, &p); err != nil {
		return p, fmt.Errorf("decode package %s version %d: %w", v.Code, v.Version, err)
	}
	return p, nil
}

// CatalogDraft is a validated package file to store as a draft version.
type CatalogDraft struct {
	Package    catalog.Package
	Source     []byte
	SourceType string
	// UploadedBy is the acting subject (token:<id>, user:<id>).
	UploadedBy string
	// FirstVersion is the number the code's first upload gets: 2 when the
	// binary holds the code (its version 1), else 1.
	FirstVersion int
}

const catalogVersionColumns = `code, version, digest, source_type, uploaded_by, uploaded_at,
	coalesce(published_by, ''), published_at, source, canonical`

func scanCatalogVersion(row pgx.CollectableRow) (CatalogVersion, error) {
	var v CatalogVersion
	var source, canonical string
	err := row.Scan(&v.Code, &v.Version, &v.Digest, &v.SourceType, &v.UploadedBy, &v.UploadedAt,
		&v.PublishedBy, &v.PublishedAt, &source, &canonical)
	v.Source, v.Canonical = []byte(source), []byte(canonical)
	return v, err
}

// SaveCatalogDraft stores d as the code's next version, a draft, and appends
// the upload with its digest to the system audit chain in the same
// transaction. Uploads of one code take turns (an advisory lock), so
// version numbers are gapless and unique.
func (s *Store) SaveCatalogDraft(ctx context.Context, d CatalogDraft) (CatalogVersion, error) {
	code := d.Package.Code
	canonical := catalog.CanonicalJSON(d.Package)
	var out CatalogVersion
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('sowflow.catalog:' || $1, 0))`, code); err != nil {
			return fmt.Errorf("lock catalog code: %w", err)
		}
		uploader, err := personOf(ctx, tx, d.UploadedBy)
		if err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `INSERT INTO catalog_versions (code, version, source, source_type, canonical, digest, uploaded_by, uploader)
			SELECT $1, greatest(coalesce(max(version), 0) + 1, $2), $3, $4, $5, $6, $7, $8
			FROM catalog_versions WHERE code = $1
			RETURNING `+catalogVersionColumns,
			code, max(d.FirstVersion, 1), string(d.Source), d.SourceType, string(canonical), catalog.PackageDigest(d.Package), d.UploadedBy, uploader)
		if err != nil {
			return err
		}
		if out, err = pgx.CollectExactlyOneRow(rows, scanCatalogVersion); err != nil {
			return err
		}
		return auditCatalog(ctx, tx, ActionCatalogUpload, out, out.UploadedAt, actorOr(ctx, d.UploadedBy))
	})
	if err != nil {
		return CatalogVersion{}, fmt.Errorf("store catalog version of %s: %w", code, err)
	}
	return out, nil
}

// CatalogVersions returns the uploaded versions of code, oldest first.
func (s *Store) CatalogVersions(ctx context.Context, code string) ([]CatalogVersion, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+catalogVersionColumns+` FROM catalog_versions WHERE code = $1 ORDER BY version`, code)
	if err != nil {
		return nil, fmt.Errorf("list catalog versions of %s: %w", code, err)
	}
	out, err := pgx.CollectRows(rows, scanCatalogVersion)
	if err != nil {
		return nil, fmt.Errorf("list catalog versions of %s: %w", code, err)
	}
	return out, nil
}

// CatalogCodes returns the codes with uploaded versions, in code order.
func (s *Store) CatalogCodes(ctx context.Context) ([]string, error) {
	rows, err := s.pool.Query(ctx, `SELECT DISTINCT code FROM catalog_versions ORDER BY code`)
	if err != nil {
		return nil, fmt.Errorf("list catalog codes: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("list catalog codes: %w", err)
	}
	return out, nil
}

// CatalogVersionOf returns one uploaded version; ErrNotFound when there is
// none.
func (s *Store) CatalogVersionOf(ctx context.Context, code string, version int) (CatalogVersion, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+catalogVersionColumns+` FROM catalog_versions WHERE code = $1 AND version = $2`, code, version)
	if err != nil {
		return CatalogVersion{}, fmt.Errorf("read catalog version %s/%d: %w", code, version, err)
	}
	v, err := pgx.CollectExactlyOneRow(rows, scanCatalogVersion)
	if errors.Is(err, pgx.ErrNoRows) {
		return CatalogVersion{}, ErrNotFound
	}
	if err != nil {
		return CatalogVersion{}, fmt.Errorf("read catalog version %s/%d: %w", code, version, err)
	}
	return v, nil
}

// PublishCatalogVersion publishes a draft version and appends the
// publication with its digest to the system audit chain in the same
// transaction. It refuses with ErrNotFound (no such version), ErrFourEyes
// (publishedBy is, or acts for, the person who uploaded it),
// ErrAlreadyPublished, or ErrSuperseded (a higher version of the code is
// published), each wrapped, and changes nothing then.
func (s *Store) PublishCatalogVersion(ctx context.Context, code string, version int, publishedBy string) (CatalogVersion, error) {
	var out CatalogVersion
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('sowflow.catalog:' || $1, 0))`, code); err != nil {
			return fmt.Errorf("lock catalog code: %w", err)
		}
		var uploader string
		var published bool
		err := tx.QueryRow(ctx, `SELECT uploader, published_at IS NOT NULL FROM catalog_versions WHERE code = $1 AND version = $2`,
			code, version).Scan(&uploader, &published)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if published {
			return ErrAlreadyPublished
		}
		publisher, err := personOf(ctx, tx, publishedBy)
		if err != nil {
			return err
		}
		if publisher == uploader {
			return ErrFourEyes
		}
		var newer int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM catalog_versions WHERE code = $1 AND version > $2 AND published_at IS NOT NULL`,
			code, version).Scan(&newer); err != nil {
			return err
		}
		if newer > 0 {
			return ErrSuperseded
		}
		rows, err := tx.Query(ctx, `UPDATE catalog_versions SET published_by = $3, publisher = $4, published_at = now()
			WHERE code = $1 AND version = $2 RETURNING `+catalogVersionColumns, code, version, publishedBy, publisher)
		if err != nil {
			return err
		}
		if out, err = pgx.CollectExactlyOneRow(rows, scanCatalogVersion); err != nil {
			return err
		}
		return auditCatalog(ctx, tx, ActionCatalogPublish, out, *out.PublishedAt, actorOr(ctx, publishedBy))
	})
	if err != nil {
		return CatalogVersion{}, fmt.Errorf("publish catalog version %s/%d: %w", code, version, err)
	}
	return out, nil
}

// personOf names the person behind a subject: the person who made a
// personal API token (created_by user:<id>), else the subject itself.
func personOf(ctx context.Context, tx pgx.Tx, subject string) (string, error) {
	id, ok := strings.CutPrefix(subject, "token:")
	if !ok {
		return subject, nil
	}
	var createdBy string
	err := tx.QueryRow(ctx, `SELECT created_by FROM api_tokens WHERE id = $1`, id).Scan(&createdBy)
	if errors.Is(err, pgx.ErrNoRows) {
		return subject, nil
	}
	if err != nil {
		return "", fmt.Errorf("read the maker of %s: %w", subject, err)
	}
	if strings.HasPrefix(createdBy, "user:") {
		return createdBy, nil
	}
	return subject, nil
}

// auditCatalog appends an upload or publication to the system chain.
func auditCatalog(ctx context.Context, tx pgx.Tx, action string, v CatalogVersion, at time.Time, actor Actor) error {
	payload, err := json.Marshal(struct {
		Code       string `json:"code"`
		Version    int    `json:"version"`
		Digest     string `json:"digest"`
		SourceType string `json:"source_type"`
	}{v.Code, v.Version, v.Digest, v.SourceType})
	if err != nil {
		return fmt.Errorf("encode audit payload of catalog version %s/%d: %w", v.Code, v.Version, err)
	}
	_, err = appendAudit(ctx, tx, SystemChain, []AuditEntry{{Actor: actor, OccurredAt: at, Action: action, Payload: payload}})
	return err
}

// publishedCatalogVersions returns the highest published version of every
// code, in code order, and the revision: how many versions were ever
// published (publications are never undone, so it only grows).
func (s *Store) publishedCatalogVersions(ctx context.Context) ([]CatalogVersion, int64, error) {
	var out []CatalogVersion
	var rev int64
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM catalog_versions WHERE published_at IS NOT NULL`).Scan(&rev); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT DISTINCT ON (code) `+catalogVersionColumns+`
			FROM catalog_versions WHERE published_at IS NOT NULL ORDER BY code, version DESC`)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, scanCatalogVersion)
		return err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("read published catalog versions: %w", err)
	}
	return out, rev, nil
}

// catalogRevision counts the published versions; it changes whenever one is
// published.
func (s *Store) catalogRevision(ctx context.Context) (int64, error) {
	var n int64
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM catalog_versions WHERE published_at IS NOT NULL`).Scan(&n); err != nil {
		return 0, fmt.Errorf("read catalog revision: %w", err)
	}
	return n, nil
}

// CatalogSource serves the catalog in force: the packages compiled into
// the binary with the highest published version of each code stored in
// PostgreSQL laid over them. Its version is the base's, followed by
// "+<revision>" once any version is published (the revision counts the
// publications). It is safe for concurrent use.
type CatalogSource struct {
	store    *Store
	base     *catalog.Catalog
	current  atomic.Pointer[catalog.Catalog]
	mu       sync.Mutex // serialises reloads; guards revision
	revision int64
}

// NewCatalogSource returns a source serving base until the first Reload.
func NewCatalogSource(s *Store, base *catalog.Catalog) *CatalogSource {
	src := &CatalogSource{store: s, base: base, revision: -1}
	src.current.Store(base)
	return src
}

// Current returns the catalog in force.
func (c *CatalogSource) Current() *catalog.Catalog { return c.current.Load() }

// Base returns the catalog compiled into the binary the source started from.
func (c *CatalogSource) Base() *catalog.Catalog { return c.base }

// Loaded reports whether the source has read the stored versions once.
func (c *CatalogSource) Loaded() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.revision >= 0
}

// Reload rebuilds the catalog when versions were published since the last
// load. A stored version that no longer decodes is an error, and the
// catalog in force stays.
func (c *CatalogSource) Reload(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	rev, err := c.store.catalogRevision(ctx)
	if err != nil {
		return err
	}
	if rev == c.revision {
		return nil
	}
	rows, rev, err := c.store.publishedCatalogVersions(ctx)
	if err != nil {
		return err
	}
	vs := make([]catalog.Versioned, 0, len(rows))
	for _, r := range rows {
		p, err := r.Package()
		if err != nil {
			return err
		}
		vs = append(vs, catalog.Versioned{Version: r.Version, Package: p})
	}
	cat := c.base
	if len(vs) > 0 {
		cat = c.base.WithVersions(c.base.Version+"+"+strconv.FormatInt(rev, 10), vs)
	}
	c.current.Store(cat)
	c.revision = rev
	return nil
}

// Watch reloads every interval until ctx ends, so a version an admin
// published through another process is started here too. Errors are
// logged, not fatal: the catalog in force stays.
func (c *CatalogSource) Watch(ctx context.Context, interval time.Duration, logger *slog.Logger) {
	pollReload(ctx, interval, logger, "catalog", c.Reload, func() string { return c.Current().Version })
}
