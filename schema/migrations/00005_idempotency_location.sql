-- +goose Up

-- A replayed answer carries the first answer's Location header too (a
-- retried POST /v1/projects gets the same 201 with the same Location).
ALTER TABLE idempotency_keys ADD COLUMN response_location text;

-- +goose Down
ALTER TABLE idempotency_keys DROP COLUMN response_location;
