-- +goose Up

-- The delivery manager of a project, a service (and its tickets) or an SLA
-- account (and its periods): the person told of manager-facing notices.
-- The projection records the person who started the object (a manager
-- signed in to the portal, or one using a personal token); a manager may
-- reassign it. Without a row, every manager is told.
CREATE TABLE delivery_managers (
    kind        text        NOT NULL CHECK (kind IN ('project', 'service', 'sla-account')),
    id          text        NOT NULL,
    person_id   text        NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    assigned_by text        NOT NULL,
    assigned_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, id)
);

-- A person's opt-outs: one row per notification kind and channel they
-- switched off. Legally significant notices ignore them.
CREATE TABLE notification_optouts (
    person_id text NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    kind      text NOT NULL,
    channel   text NOT NULL CHECK (channel IN ('email', 'portal')),
    PRIMARY KEY (person_id, kind, channel)
);

-- The portal's notification list is a channel too: its deliveries are
-- sent when written, and read_at marks the ones the person has seen.
ALTER TABLE deliveries DROP CONSTRAINT deliveries_channel_check;
ALTER TABLE deliveries ADD CONSTRAINT deliveries_channel_check CHECK (channel IN ('webhook', 'email', 'portal'));
ALTER TABLE deliveries ADD COLUMN read_at timestamptz;
CREATE INDEX deliveries_unread_idx ON deliveries (recipient) WHERE channel = 'portal' AND read_at IS NULL;

-- Webhook endpoints are Standard Webhooks receivers or DingTalk group
-- robots (secret is then the robot's "SEC…" signing secret). An endpoint
-- failing since failing_since for 24 hours is disabled.
ALTER TABLE webhook_endpoints ADD COLUMN kind text NOT NULL DEFAULT 'standard' CHECK (kind IN ('standard', 'dingtalk'));
ALTER TABLE webhook_endpoints ADD COLUMN failing_since timestamptz;
ALTER TABLE webhook_endpoints ADD COLUMN disabled_at timestamptz;

-- Notices about a webhook endpoint (disabled after 24 hours of failures)
-- go to the admins through the outbox too, with source 'endpoint'.
ALTER TABLE outbox DROP CONSTRAINT outbox_source_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_source_check
    CHECK (source IN ('project', 'service', 'ticket', 'sla-period', 'endpoint'));

-- A person's calendar feed: /ics/<secret>.ics while not revoked.
CREATE TABLE calendar_feeds (
    person_id  text        PRIMARY KEY REFERENCES people (id) ON DELETE CASCADE,
    secret     text        NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- The last instant and SEQUENCE a feed event was served with, so a moved
-- deadline is served with a higher SEQUENCE.
CREATE TABLE calendar_feed_events (
    uid      text        PRIMARY KEY,
    at       timestamptz NOT NULL,
    sequence integer     NOT NULL DEFAULT 0
);

-- +goose Down
DROP TABLE calendar_feed_events;
DROP TABLE calendar_feeds;
DELETE FROM deliveries WHERE outbox_id IN (SELECT id FROM outbox WHERE source = 'endpoint');
DELETE FROM outbox WHERE source = 'endpoint';
ALTER TABLE outbox DROP CONSTRAINT outbox_source_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_source_check
    CHECK (source IN ('project', 'service', 'ticket', 'sla-period'));
ALTER TABLE webhook_endpoints DROP COLUMN disabled_at;
ALTER TABLE webhook_endpoints DROP COLUMN failing_since;
ALTER TABLE webhook_endpoints DROP COLUMN kind;
DROP INDEX deliveries_unread_idx;
ALTER TABLE deliveries DROP COLUMN read_at;
DELETE FROM deliveries WHERE channel = 'portal';
ALTER TABLE deliveries DROP CONSTRAINT deliveries_channel_check;
ALTER TABLE deliveries ADD CONSTRAINT deliveries_channel_check CHECK (channel IN ('webhook', 'email'));
DROP TABLE notification_optouts;
DROP TABLE delivery_managers;
