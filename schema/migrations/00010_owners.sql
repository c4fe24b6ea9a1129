-- +goose Up

-- Who owns each object the API starts: a project, a service, an SLA account
-- name (which names its periods too). The API claims the row in the
-- transaction that starts the object's workflow and commits it only once
-- the start succeeded, so two starts of one name for different customers
-- (or, for an SLA account, different services) cannot both succeed: the
-- second waits on the primary key and loses. Projections write the row too
-- (ON CONFLICT DO NOTHING), so an object started outside the API has one.
-- Object-level authorization reads it: a customer's request for an object
-- it does not own finds no row, exactly as for an object that does not
-- exist, and is answered without asking Temporal.
CREATE TABLE owners (
    kind        text        NOT NULL CHECK (kind IN ('project', 'service', 'sla-account')),
    id          text        NOT NULL,
    customer_id text        NOT NULL,
    -- service is an SLA account's mail service (email, sendify); '' for
    -- the other kinds.
    service     text        NOT NULL DEFAULT '',
    claimed_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, id)
);

INSERT INTO owners (kind, id, customer_id, claimed_at)
    SELECT 'project', id, customer_id, created_at FROM projects
    ON CONFLICT DO NOTHING;
INSERT INTO owners (kind, id, customer_id, claimed_at)
    SELECT 'service', id, customer_id, created_at FROM services
    ON CONFLICT DO NOTHING;
INSERT INTO owners (kind, id, customer_id, service, claimed_at)
    SELECT DISTINCT ON (account) 'sla-account', account, customer_id, service, created_at
    FROM sla_periods ORDER BY account, created_at
    ON CONFLICT DO NOTHING;

-- +goose Down
DROP TABLE owners;
