-- +goose Up

-- An outbox entry is expanded once into deliveries (one per recipient and
-- channel); expanded_at marks it done. delivered_at is left as it was.
ALTER TABLE outbox ADD COLUMN expanded_at timestamptz;
CREATE INDEX outbox_unexpanded_idx ON outbox (id) WHERE expanded_at IS NULL;

-- Webhook endpoints: integrations that receive events, signed per the
-- Standard Webhooks specification with secret ("whsec_…"). events lists the
-- kinds sent; customer_id, when set, limits them to one customer's events.
CREATE TABLE webhook_endpoints (
    id          text        PRIMARY KEY,
    url         text        NOT NULL,
    secret      text        NOT NULL,
    events      text[]      NOT NULL CHECK (cardinality(events) > 0),
    customer_id text,
    created_by  text        NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- The delivery log: one row per (outbox entry, recipient, channel), and per
-- (event, recipient, channel), so expanding an entry again, or the entries
-- of one event for several roles, never adds a second row. recipient is a
-- webhook endpoint ID (channel 'webhook') or a person ID. A row is due when
-- next_attempt_at has passed and it is neither sent nor failed.
CREATE TABLE deliveries (
    id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    outbox_id       bigint      NOT NULL REFERENCES outbox (id),
    event_key       text        NOT NULL,
    channel         text        NOT NULL CHECK (channel IN ('webhook', 'email')),
    recipient       text        NOT NULL,
    attempts        integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text        NOT NULL DEFAULT '',
    sent_at         timestamptz,
    failed_at       timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (outbox_id, recipient, channel),
    UNIQUE (event_key, recipient, channel)
);
CREATE INDEX deliveries_due_idx ON deliveries (next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL;
CREATE INDEX deliveries_recipient_idx ON deliveries (channel, recipient, id);

-- +goose Down
DROP TABLE deliveries;
DROP TABLE webhook_endpoints;
DROP INDEX outbox_unexpanded_idx;
ALTER TABLE outbox DROP COLUMN expanded_at;
