-- +goose Up

-- People who sign in to the portal. An email is unique whatever its case.
-- A password hash is an argon2id PHC string; NULL until the person accepts
-- an invitation (or an admin sets one).
CREATE TABLE people (
    id            text        PRIMARY KEY,
    email         text        NOT NULL,
    display_name  text        NOT NULL,
    role          text        NOT NULL CHECK (role IN ('manager', 'customer', 'auditor', 'admin')),
    customer_id   text,
    language      text        NOT NULL DEFAULT 'en' CHECK (language IN ('zh-CN', 'en')),
    password_hash text,
    disabled      boolean     NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CHECK ((role = 'customer') = (customer_id IS NOT NULL AND customer_id <> ''))
);
CREATE UNIQUE INDEX people_email_key ON people (lower(email));

-- One-time invitation links. Only a SHA-256 of the token is kept; the link
-- is shown once. A link is used at most once and expires.
CREATE TABLE invitations (
    token_hash  bytea       PRIMARY KEY,
    person_id   text        NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz
);
CREATE INDEX invitations_person_idx ON invitations (person_id);

-- +goose Down
DROP TABLE invitations;
DROP TABLE people;
