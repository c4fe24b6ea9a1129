-- +goose Up

-- API bearer tokens. Only a SHA-256 of each token is kept; the token itself is
-- shown once, when it is created.
CREATE TABLE api_tokens (
    id           text        PRIMARY KEY,
    name         text        NOT NULL,
    role         text        NOT NULL CHECK (role IN ('manager', 'customer', 'auditor', 'admin')),
    customer_id  text,
    secret_hash  bytea       NOT NULL UNIQUE,
    created_by   text        NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    revoked_at   timestamptz,
    CHECK ((role = 'customer') = (customer_id IS NOT NULL AND customer_id <> ''))
);

-- Projects whose pending deadlines were computed past the calendar data
-- (provisional) are recomputed when an admin loads a newer year.
ALTER TABLE projects ADD COLUMN provisional_deadlines boolean NOT NULL DEFAULT false;
CREATE INDEX projects_provisional_idx ON projects (id) WHERE provisional_deadlines AND status = 'active';

-- +goose Down
DROP INDEX projects_provisional_idx;
ALTER TABLE projects DROP COLUMN provisional_deadlines;
DROP TABLE api_tokens;
