-- +goose Up

-- Read model of every SLA period (SLAPeriod workflow: one account's month
-- of a mail SLA), written by the RecordSLAPeriod activity after every
-- change, as services are by RecordService. state is the workflow's
-- SLAState without its events (every event is in sla_period_events). The
-- result columns are NULL until the period is computed.
CREATE TABLE sla_periods (
    account            text        NOT NULL,
    period             text        NOT NULL CHECK (period ~ '^[0-9]{4}-[0-9]{2}$'),
    customer_id        text        NOT NULL,
    service            text        NOT NULL,
    status             text        NOT NULL,
    -- The computed availability in percent, four decimals rounded down.
    availability_pct   numeric(7, 4),
    compensation_pct   integer,
    compensation_cents bigint,
    claim_opens        timestamptz,
    claim_closes       timestamptz,
    claimed            boolean     NOT NULL DEFAULT false,
    claimed_at         timestamptz,
    state              jsonb       NOT NULL,
    state_seq          bigint      NOT NULL DEFAULT 0,
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL,
    PRIMARY KEY (account, period),
    CHECK (claimed = (claimed_at IS NOT NULL))
);
CREATE INDEX sla_periods_customer_idx ON sla_periods (customer_id, account, period);
CREATE INDEX sla_periods_status_idx ON sla_periods (status, account, period);

-- Every event of every SLA period, in workflow order.
CREATE TABLE sla_period_events (
    account       text        NOT NULL,
    period        text        NOT NULL,
    seq           bigint      NOT NULL CHECK (seq > 0),
    type          text        NOT NULL,
    actor_subject text        NOT NULL DEFAULT '',
    actor_role    text        NOT NULL DEFAULT '',
    request_id    text        NOT NULL DEFAULT '',
    occurred_at   timestamptz NOT NULL,
    payload       jsonb       NOT NULL DEFAULT '{}',
    PRIMARY KEY (account, period, seq),
    FOREIGN KEY (account, period) REFERENCES sla_periods (account, period)
);

-- The outbox takes notifications of SLA periods: source 'sla-period',
-- subject_id "<account>/<period>" (an account never contains '/').
ALTER TABLE outbox DROP CONSTRAINT outbox_source_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_source_check
    CHECK (source IN ('project', 'service', 'ticket', 'sla-period'));

-- +goose Down
DELETE FROM outbox WHERE source = 'sla-period';
ALTER TABLE outbox DROP CONSTRAINT outbox_source_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_source_check
    CHECK (source IN ('project', 'service', 'ticket'));
DROP TABLE sla_period_events;
DROP TABLE sla_periods;
