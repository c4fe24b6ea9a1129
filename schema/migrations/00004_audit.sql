-- +goose Up

-- Tamper-evident audit log: every state-changing action, appended to one hash
-- chain per customer (chain 'customer:<id>'); actions that belong to no
-- customer (API tokens, calendar loads) go to the chain 'system'.
--
-- Record n of a chain has seq n (gapless from 1), prev_hash = hash of record
-- n-1 (32 zero bytes for seq 1) and
--   hash = SHA-256(prev_hash || canonical JSON of the record's content)
-- where the content is {action, actor {role, subject}, chain, occurred_at,
-- payload, project_id, request_id, seq}; store/audit.go defines the canonical
-- form, and `sowflow audit verify` / GET /v1/audit/verify recompute it.
-- Appends take pg_advisory_xact_lock on the chain inside the writer's
-- transaction, so concurrent writers cannot fork a chain; UNIQUE (chain, seq)
-- is the backstop.
CREATE TABLE audit_log (
    id            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    chain         text        NOT NULL CHECK (chain <> ''),
    seq           bigint      NOT NULL CHECK (seq > 0),
    actor_subject text        NOT NULL DEFAULT '',
    actor_role    text        NOT NULL DEFAULT '',
    request_id    text        NOT NULL DEFAULT '',
    occurred_at   timestamptz NOT NULL,
    action        text        NOT NULL CHECK (action <> ''),
    project_id    text,
    payload       jsonb       NOT NULL DEFAULT '{}',
    prev_hash     bytea       NOT NULL CHECK (octet_length(prev_hash) = 32),
    hash          bytea       NOT NULL CHECK (octet_length(hash) = 32),
    UNIQUE (chain, seq)
);
CREATE INDEX audit_log_project_idx ON audit_log (project_id, id) WHERE project_id IS NOT NULL;

-- The log is append-only. This trigger refuses UPDATE, DELETE and TRUNCATE
-- whatever role runs them, including the table's owner and superusers (who
-- can only get past it deliberately, with ALTER TABLE ... DISABLE TRIGGER,
-- which verification then catches as a broken chain).
-- +goose StatementBegin
CREATE FUNCTION audit_log_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'audit records are never changed or removed; append a correcting record instead';
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER audit_log_append_only
    BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();

-- Nobody but the owner may change rows, even if a later GRANT is too broad.
-- A deployment should run sowflow's api and worker as a role that does not
-- own the tables (the owner can disable the trigger), and run `sowflow
-- migrate` as the owner:
--   CREATE ROLE sowflow_app LOGIN PASSWORD '...';
--   GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO sowflow_app;
--   REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM sowflow_app;
--   GRANT SELECT, INSERT ON audit_log TO sowflow_app;
-- (the identity column needs no sequence privilege).
REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM PUBLIC;

-- +goose Down
DROP TABLE audit_log;
DROP FUNCTION audit_log_refuse_change();
