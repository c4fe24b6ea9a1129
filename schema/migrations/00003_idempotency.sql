-- +goose Up

-- One row per (token, Idempotency-Key) of a mutating request: the request's
-- hash, and once it finished, the answer a retry gets back.
CREATE TABLE idempotency_keys (
    token_id        text        NOT NULL,
    key             text        NOT NULL,
    method          text        NOT NULL,
    path            text        NOT NULL,
    request_hash    bytea       NOT NULL,
    state           text        NOT NULL CHECK (state IN ('running', 'done')),
    response_status integer,
    response_type   text,
    response_body   bytea,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (token_id, key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);

-- +goose Down
DROP TABLE idempotency_keys;
