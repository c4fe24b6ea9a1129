package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/jackc/pgx/v5"
)

// SLAPeriodSnapshot is one SLA period's row in the read model (one
// account's month of a mail SLA): the columns lists filter on, and the
// workflow state as JSON.
type SLAPeriodSnapshot struct {
	Account    string
	Period     string // YYYY-MM
	CustomerID string
	Service    string
	Status     string
	// AvailabilityPct ("99.9004"), CompensationPct and CompensationCents
	// are nil until the period is computed.
	AvailabilityPct   *string
	CompensationPct   *int
	CompensationCents *int64
	ClaimOpens        *time.Time
	ClaimCloses       *time.Time
	// ProvisionalWindow is set while the claim window was computed past the
	// calendar data (DESIGN.md rule 6); SLAPeriodsWithProvisionalWindow
	// lists such periods when a newer year is loaded.
	ProvisionalWindow bool
	// ClaimedAt is set once the customer filed the claim.
	ClaimedAt *time.Time
	State     json.RawMessage
	Seq       int64
	StartedAt time.Time
	UpdatedAt time.Time
}

// SLAPeriodEvent is one recorded event of an SLA period.
type SLAPeriodEvent struct {
	Account string `json:"account"`
	Period  string `json:"period"`
	Event
}

// slaPeriodID is an SLA period's subject in the outbox and in errors:
// "<account>/<period>" (an account never contains '/').
func slaPeriodID(account, period string) string { return account + "/" + period }

// RecordSLAPeriod writes an SLA period's state, its new events and their
// notifications in one transaction, and appends each new event to the
// customer's audit chain (action "sla-period.<event>") in the same
// transaction, as RecordService does for services: idempotent, and never
// moving the stored state backwards. Outbox entries get the source
// SourceSLAPeriod and the subject "<account>/<period>". It returns the
// sequence number of the state now stored.
func (s *Store) RecordSLAPeriod(ctx context.Context, p SLAPeriodSnapshot, events []Event, outbox []OutboxEntry) (int64, error) {
	return s.recordRow(ctx, subject{source: SourceSLAPeriod, id: slaPeriodID(p.Account, p.Period), customer: p.CustomerID}, rowWrite{
		cols: []string{"account", "period", "customer_id", "service", "status", "availability_pct", "compensation_pct",
			"compensation_cents", "claim_opens", "claim_closes", "claimed", "claimed_at", "state", "state_seq",
			"created_at", "updated_at", "provisional_window"},
		args: []any{p.Account, p.Period, p.CustomerID, p.Service, p.Status, p.AvailabilityPct, p.CompensationPct,
			p.CompensationCents, p.ClaimOpens, p.ClaimCloses, p.ClaimedAt != nil, p.ClaimedAt, p.State, p.Seq,
			p.StartedAt, p.UpdatedAt, p.ProvisionalWindow},
		updates: []string{"status", "availability_pct", "compensation_pct", "compensation_cents", "claim_opens", "claim_closes",
			"provisional_window", "claimed", "claimed_at", "state", "state_seq", "updated_at"},
		owner: Owner{Kind: OwnerSLAAccount, ID: p.Account, CustomerID: p.CustomerID, Service: p.Service}}, events, outbox)
}

// SLAPeriodState returns the stored state JSON of an account's SLA period,
// its customer (for authorization) and the state's sequence number. A
// period not in the read model is ErrNotFound.
func (s *Store) SLAPeriodState(ctx context.Context, account, period string) (customerID string, state json.RawMessage, seq int64, err error) {
	return s.readState(ctx, subject{source: SourceSLAPeriod, id: slaPeriodID(account, period)})
}

// SLAPeriodEvents returns up to limit events of an account's SLA period
// with a sequence number above after, in order.
func (s *Store) SLAPeriodEvents(ctx context.Context, account, period string, after int64, limit int) ([]SLAPeriodEvent, error) {
	return readEvents(ctx, s, subject{source: SourceSLAPeriod, id: slaPeriodID(account, period)}, after, limit, func(e Event) SLAPeriodEvent {
		return SLAPeriodEvent{Account: account, Period: period, Event: e}
	})
}

// SLAPeriodKey identifies an SLA period: the list's order and cursor.
type SLAPeriodKey struct {
	Account string `json:"account"`
	Period  string `json:"period"`
}

// SLAPeriodFilter selects SLA periods from the read model. Zero fields do
// not filter.
type SLAPeriodFilter struct {
	CustomerID string
	Account    string
	Service    string
	Status     string
	Period     string
	// After is the key of the last period of the previous page (keyset
	// pagination by account, then period); zero for the first page.
	After SLAPeriodKey
	// Limit is the page size; it must be positive.
	Limit int
}

// SLAPeriodSummary is one row of an SLA period list.
type SLAPeriodSummary struct {
	Account           string     `json:"account"`
	Period            string     `json:"period"`
	CustomerID        string     `json:"customer_id"`
	Service           string     `json:"service"`
	Status            string     `json:"status"`
	AvailabilityPct   *string    `json:"availability_pct,omitempty"`
	CompensationPct   *int       `json:"compensation_pct,omitempty"`
	CompensationCents *int64     `json:"compensation_cents,omitempty"`
	ClaimOpens        *time.Time `json:"claim_opens,omitempty"`
	ClaimCloses       *time.Time `json:"claim_closes,omitempty"`
	Claimed           bool       `json:"claimed"`
	ClaimedAt         *time.Time `json:"claimed_at,omitempty"`
	StartedAt         time.Time  `json:"started_at"`
	UpdatedAt         time.Time  `json:"updated_at"`
}

// Key returns the period's key, the cursor of the next page when it is the
// last row of one.
func (p SLAPeriodSummary) Key() SLAPeriodKey {
	return SLAPeriodKey{Account: p.Account, Period: p.Period}
}

// ListSLAPeriods returns up to f.Limit SLA periods matching f, in order of
// account, then period.
func (s *Store) ListSLAPeriods(ctx context.Context, f SLAPeriodFilter) ([]SLAPeriodSummary, error) {
	if err := checkLimit("sla periods", f.Limit); err != nil {
		return nil, err
	}
	var q listQuery
	q.addIfSet("customer_id = $%d", f.CustomerID)
	q.addIfSet("account = $%d", f.Account)
	q.addIfSet("service = $%d", f.Service)
	q.addIfSet("status = $%d", f.Status)
	q.addIfSet("period = $%d", f.Period)
	if f.After != (SLAPeriodKey{}) {
		q.addKey("(account, period) > ($%d, $%d)", f.After.Account, f.After.Period)
	}
	sql, args := q.sql(`SELECT account, period, customer_id, service, status, availability_pct::text, compensation_pct,
		compensation_cents, claim_opens, claim_closes, claimed, claimed_at, created_at, updated_at FROM sla_periods`,
		"account, period", f.Limit)
	return queryList(ctx, s, "sla periods", sql, args, func(r pgx.CollectableRow) (SLAPeriodSummary, error) {
		var p SLAPeriodSummary
		err := r.Scan(&p.Account, &p.Period, &p.CustomerID, &p.Service, &p.Status, &p.AvailabilityPct, &p.CompensationPct,
			&p.CompensationCents, &p.ClaimOpens, &p.ClaimCloses, &p.Claimed, &p.ClaimedAt, &p.StartedAt, &p.UpdatedAt)
		return p, err
	})
}
