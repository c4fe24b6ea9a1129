-- +goose Up

-- provisional_window is set while an SLA period's claim window was computed
-- past the calendar data (DESIGN.md rule 6): loading a newer year signals
-- the periods whose window is provisional and not closed, and each
-- recomputes it (SignalCalendarUpdated).
ALTER TABLE sla_periods ADD COLUMN provisional_window boolean NOT NULL DEFAULT false;
CREATE INDEX sla_periods_provisional_idx ON sla_periods (account, period)
    WHERE provisional_window AND status <> 'closed';

-- +goose Down
DROP INDEX sla_periods_provisional_idx;
ALTER TABLE sla_periods DROP COLUMN provisional_window;
