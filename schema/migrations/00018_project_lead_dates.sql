-- +goose Up

-- The contract dates a project's lead times join (the application, the
-- order), as its start request gave them: the workflow's state does not
-- carry contract dates, and the calendar feed lists these while they are
-- ahead. Written in the transaction of the project's owner claim, so only
-- a start that succeeded leaves rows; texts quote the prerequisites.
CREATE TABLE project_lead_dates (
    project_id text NOT NULL,
    event text NOT NULL,
    at timestamptz NOT NULL,
    texts jsonb NOT NULL DEFAULT '[]',
    PRIMARY KEY (project_id, event)
);

-- +goose Down
DROP TABLE project_lead_dates;
