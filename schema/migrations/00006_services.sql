-- +goose Up

-- Read model of every continuous service (Service workflow), written by the
-- RecordService activity after every change, as projects are by
-- RecordProject. state is the workflow's ServiceState without its
-- recent_events (every event is in service_events).
CREATE TABLE services (
    id               text        PRIMARY KEY,
    customer_id      text        NOT NULL,
    package_code     text        NOT NULL,
    catalog_version  text        NOT NULL,
    status           text        NOT NULL,
    year_start       timestamptz NOT NULL,
    year_end         timestamptz NOT NULL,
    -- When the month in progress ends (the year starts, while pending);
    -- NULL once the year has ended.
    next_boundary    timestamptz,
    open_tickets     integer     NOT NULL DEFAULT 0,
    tickets_opened   integer     NOT NULL DEFAULT 0,
    tickets_breached integer     NOT NULL DEFAULT 0,
    state            jsonb       NOT NULL,
    state_seq        bigint      NOT NULL DEFAULT 0,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL
);
CREATE INDEX services_customer_idx ON services (customer_id, id);
CREATE INDEX services_package_idx ON services (package_code, id);
CREATE INDEX services_status_idx ON services (status, id);

-- Every event of every service, in workflow order.
CREATE TABLE service_events (
    service_id    text        NOT NULL REFERENCES services (id),
    seq           bigint      NOT NULL CHECK (seq > 0),
    type          text        NOT NULL,
    actor_subject text        NOT NULL DEFAULT '',
    actor_role    text        NOT NULL DEFAULT '',
    request_id    text        NOT NULL DEFAULT '',
    occurred_at   timestamptz NOT NULL,
    payload       jsonb       NOT NULL DEFAULT '{}',
    PRIMARY KEY (service_id, seq)
);

-- Read model of every ticket (Ticket workflow, a child of its service),
-- written by the RecordTicket activity. state is the workflow's TicketState
-- without its events (they are in ticket_events). There is no foreign key
-- to services: a ticket's first record may commit before its service
-- records the opening, and a service run started before services were
-- projected records no row at all.
CREATE TABLE tickets (
    service_id    text        NOT NULL,
    number        integer     NOT NULL CHECK (number > 0),
    customer_id   text        NOT NULL,
    severity      text        NOT NULL,
    status        text        NOT NULL,
    title         text        NOT NULL DEFAULT '',
    opened_at     timestamptz NOT NULL,
    -- The deadline of the response clock in force, and the response.
    response_due  timestamptz,
    responded_at  timestamptz,
    -- Set once the response clock ran out before a response.
    breached      boolean     NOT NULL DEFAULT false,
    state         jsonb       NOT NULL,
    state_seq     bigint      NOT NULL DEFAULT 0,
    updated_at    timestamptz NOT NULL,
    PRIMARY KEY (service_id, number)
);
CREATE INDEX tickets_customer_idx ON tickets (customer_id, service_id, number);
CREATE INDEX tickets_status_idx ON tickets (service_id, status, number);
CREATE INDEX tickets_awaiting_response_idx ON tickets (response_due) WHERE responded_at IS NULL AND NOT breached;

-- Every event of every ticket, in workflow order.
CREATE TABLE ticket_events (
    service_id    text        NOT NULL,
    number        integer     NOT NULL,
    seq           bigint      NOT NULL CHECK (seq > 0),
    type          text        NOT NULL,
    actor_subject text        NOT NULL DEFAULT '',
    actor_role    text        NOT NULL DEFAULT '',
    request_id    text        NOT NULL DEFAULT '',
    occurred_at   timestamptz NOT NULL,
    payload       jsonb       NOT NULL DEFAULT '{}',
    PRIMARY KEY (service_id, number, seq),
    FOREIGN KEY (service_id, number) REFERENCES tickets (service_id, number)
);

-- The outbox takes notifications of services and tickets too: source says
-- what an entry's event belongs to, subject_id is the project's or the
-- service's ID, and ticket the ticket's number (0 unless source is ticket).
ALTER TABLE outbox RENAME COLUMN project_id TO subject_id;
ALTER TABLE outbox ADD COLUMN source text NOT NULL DEFAULT 'project'
    CHECK (source IN ('project', 'service', 'ticket'));
ALTER TABLE outbox ADD COLUMN ticket integer NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD CONSTRAINT outbox_ticket_check CHECK ((source = 'ticket') = (ticket > 0));
ALTER TABLE outbox DROP CONSTRAINT outbox_project_id_event_seq_kind_recipient_key;
ALTER TABLE outbox ADD CONSTRAINT outbox_subject_event_key UNIQUE (source, subject_id, ticket, event_seq, kind, recipient);

-- +goose Down
DELETE FROM outbox WHERE source <> 'project';
ALTER TABLE outbox DROP CONSTRAINT outbox_subject_event_key;
ALTER TABLE outbox DROP CONSTRAINT outbox_ticket_check;
ALTER TABLE outbox DROP COLUMN ticket;
ALTER TABLE outbox DROP COLUMN source;
ALTER TABLE outbox RENAME COLUMN subject_id TO project_id;
ALTER TABLE outbox ADD CONSTRAINT outbox_project_id_event_seq_kind_recipient_key UNIQUE (project_id, event_seq, kind, recipient);
DROP TABLE ticket_events;
DROP TABLE tickets;
DROP TABLE service_events;
DROP TABLE services;
