-- +goose Up

-- A feed event whose deadline was met before it came (a window decided, a
-- clock met, a ticket answered, a claim filed) is served with
-- STATUS:CANCELLED and its SEQUENCE raised once, until the instant it
-- stood for, so subscribed calendars remove it. cancelled marks that.
ALTER TABLE calendar_feed_events ADD COLUMN cancelled boolean NOT NULL DEFAULT false;

-- +goose Down
ALTER TABLE calendar_feed_events DROP COLUMN cancelled;
