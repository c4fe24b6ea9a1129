-- +goose Up

-- Versions of catalog packages uploaded at run time (PUT /v1/catalog/{code}).
-- The packages compiled into the binary are version 1 of their codes and
-- have no row: the first upload of such a code is version 2; the first
-- upload of a code the binary does not hold is version 1. A version is a
-- draft until a second person publishes it (published_by, published_at);
-- new projects and services start on the highest published version of a
-- code. source is the file as uploaded (source_type says YAML or JSON);
-- canonical is the package's canonical JSON (catalog.CanonicalJSON) and
-- digest its SHA-256 ("sha256:<hex>"). uploaded_by and published_by are
-- the acting subjects (token:<id>, user:<id>); uploader and publisher are
-- the people behind them (a personal token counts as its person), which
-- must differ: four eyes on a contract change. Rows are never updated
-- except to publish, nor deleted.
CREATE TABLE catalog_versions (
    code          text        NOT NULL CHECK (code ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    version       integer     NOT NULL CHECK (version > 0),
    source        text        NOT NULL,
    source_type   text        NOT NULL CHECK (source_type IN ('yaml', 'json')),
    canonical     text        NOT NULL,
    digest        text        NOT NULL CHECK (digest ~ '^sha256:[0-9a-f]{64}$'),
    uploaded_by   text        NOT NULL CHECK (uploaded_by <> ''),
    uploader      text        NOT NULL CHECK (uploader <> ''),
    uploaded_at   timestamptz NOT NULL DEFAULT now(),
    published_by  text,
    publisher     text,
    published_at  timestamptz,
    PRIMARY KEY (code, version),
    CHECK ((published_at IS NULL) = (published_by IS NULL) AND (published_at IS NULL) = (publisher IS NULL)),
    CHECK (publisher IS NULL OR publisher <> uploader)
);
CREATE INDEX catalog_versions_published_idx ON catalog_versions (code, version DESC) WHERE published_at IS NOT NULL;

-- +goose Down
DROP TABLE catalog_versions;
