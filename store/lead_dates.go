package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// LeadDate is a contract date that a project's lead times join (the
// application, the order), as the start request gave it: the calendar
// feed lists it while it is ahead. The workflow's state does not carry
// contract dates, so the API records them with the project's owner claim.
type LeadDate struct {
	// Event is the contract event (plan.Event), such as "order".
	Event string    `json:"event"`
	At    time.Time `json:"at"`
	// Texts quote the contract's lead-time prerequisites that join the date.
	Texts []string `json:"texts"`
}

// queueLeadDates adds the project's lead dates to batch, inside the owner
// claim's transaction: they commit only with a start that succeeded, and a
// retried start keeps the dates its first attempt recorded.
func queueLeadDates(batch *pgx.Batch, projectID string, dates []LeadDate) error {
	if len(dates) == 0 {
		return nil
	}
	events, ats, texts := make([]string, len(dates)), make([]time.Time, len(dates)), make([]string, len(dates))
	for i, d := range dates {
		b, err := json.Marshal(d.Texts)
		if err != nil {
			return fmt.Errorf("encode lead date texts: %w", err)
		}
		events[i], ats[i], texts[i] = d.Event, d.At, string(b)
	}
	batch.Queue(`INSERT INTO project_lead_dates (project_id, event, at, texts)
		SELECT $1, e, a, t::jsonb FROM unnest($2::text[], $3::timestamptz[], $4::text[]) AS d(e, a, t)
		ON CONFLICT (project_id, event) DO NOTHING`, projectID, events, ats, texts)
	return nil
}

// LeadDatesOf returns the project's lead dates in time order; none (an
// empty list) for a project whose lead times join no date, or that started
// before they were recorded.
func (s *Store) LeadDatesOf(ctx context.Context, projectID string) ([]LeadDate, error) {
	return queryList(ctx, s, "lead dates", `SELECT event, at, texts FROM project_lead_dates WHERE project_id = $1 ORDER BY at, event`,
		[]any{projectID}, pgx.RowToStructByPos[LeadDate])
}
