-- +goose Up

-- The request ID a client sent (X-Request-ID), kept beside the server's own
-- request_id, which is the only one history and the chain are keyed by.
-- Hashed only when not empty (store.AuditRecord.CanonicalContent), so every
-- record written before it keeps its hash.
ALTER TABLE audit_log ADD COLUMN client_request_id text NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE audit_log DROP COLUMN client_request_id;
