-- +goose Up

-- China calendar years loaded at run time by an admin (PUT /v1/calendars/cn/years/{year}).
-- Every load of a year is kept; the newest version of each year is in force.
CREATE TABLE calendar_years (
    region      text        NOT NULL,
    year        integer     NOT NULL CHECK (year BETWEEN 1990 AND 2200),
    version     integer     NOT NULL CHECK (version > 0),
    data        jsonb       NOT NULL,
    sha256      text        NOT NULL,
    loaded_by   text        NOT NULL,
    loaded_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (region, year, version)
);

-- Read model of every project, written by workflow activities.
CREATE TABLE projects (
    id               text        PRIMARY KEY,
    customer_id      text        NOT NULL,
    package_code     text        NOT NULL,
    catalog_version  text        NOT NULL,
    status           text        NOT NULL,
    phase            text        NOT NULL DEFAULT '',
    next_deadline    timestamptz,
    overdue          boolean     NOT NULL DEFAULT false,
    state            jsonb       NOT NULL,
    state_seq        bigint      NOT NULL DEFAULT 0,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL
);
CREATE INDEX projects_customer_idx ON projects (customer_id, id);
CREATE INDEX projects_package_idx ON projects (package_code, id);
CREATE INDEX projects_status_idx ON projects (status, id);
CREATE INDEX projects_next_deadline_idx ON projects (next_deadline) WHERE next_deadline IS NOT NULL;

-- Every event of every project, in workflow order.
CREATE TABLE project_events (
    project_id    text        NOT NULL REFERENCES projects (id),
    seq           bigint      NOT NULL CHECK (seq > 0),
    type          text        NOT NULL,
    actor_subject text        NOT NULL DEFAULT '',
    actor_role    text        NOT NULL DEFAULT '',
    request_id    text        NOT NULL DEFAULT '',
    occurred_at   timestamptz NOT NULL,
    payload       jsonb       NOT NULL DEFAULT '{}',
    PRIMARY KEY (project_id, seq)
);

-- Events that need a person's attention, waiting for notification delivery.
CREATE TABLE outbox (
    id            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project_id    text        NOT NULL,
    event_seq     bigint      NOT NULL,
    kind          text        NOT NULL,
    recipient     text        NOT NULL,
    payload       jsonb       NOT NULL DEFAULT '{}',
    created_at    timestamptz NOT NULL DEFAULT now(),
    delivered_at  timestamptz,
    UNIQUE (project_id, event_seq, kind, recipient)
);
CREATE INDEX outbox_pending_idx ON outbox (id) WHERE delivered_at IS NULL;

-- +goose Down
DROP TABLE outbox;
DROP TABLE project_events;
DROP TABLE projects;
DROP TABLE calendar_years;
