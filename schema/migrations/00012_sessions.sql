-- +goose Up

-- Portal sessions. Only a SHA-256 of the session ID (the cookie's value) is
-- kept. A session ends when revoked, idle past its timeout (last_seen_at),
-- or at expires_at, whichever comes first. csrf_token is the synchronizer
-- token every form of the session carries.
CREATE TABLE sessions (
    id_hash      bytea       PRIMARY KEY,
    person_id    text        NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    csrf_token   text        NOT NULL,
    created_at   timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    revoked_at   timestamptz,
    address      text        NOT NULL DEFAULT '',
    user_agent   text        NOT NULL DEFAULT ''
);
CREATE INDEX sessions_person_idx ON sessions (person_id);

-- Failed sign-ins, counted per account (lower-case email) and per address
-- to throttle password guessing.
CREATE TABLE sign_in_failures (
    key        text        NOT NULL,
    failed_at  timestamptz NOT NULL
);
CREATE INDEX sign_in_failures_key_idx ON sign_in_failures (key, failed_at);

-- +goose Down
DROP TABLE sign_in_failures;
DROP TABLE sessions;
