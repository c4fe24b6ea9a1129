package activities

import (
	"context"
	"fmt"

	"github.com/sowflow/sowflow/store"
	"github.com/sowflow/sowflow/workflows"
)

// RecordSLAPeriod stores the state and the new events of one SLA period,
// and queues an outbox notification per recipient of every event that
// needs a person's attention. Retries are harmless: the store ignores what
// it has.
func (p *Projection) RecordSLAPeriod(ctx context.Context, in workflows.SLAPeriodRecord) (workflows.RecordResult, error) {
	snap, err := slaPeriodSnapshotOf(in.State)
	if err != nil {
		return workflows.RecordResult{}, err
	}
	return writeRecord(ctx, store.SourceSLAPeriod, in.Events, &snap.UpdatedAt, func(ctx context.Context, events []store.Event, outbox []store.OutboxEntry) (int64, error) {
		return p.Store.RecordSLAPeriod(ctx, snap, events, outbox)
	})
}

// slaPeriodSnapshotOf derives the read-model row from an SLA period state.
func slaPeriodSnapshotOf(s workflows.SLAPeriodState) (store.SLAPeriodSnapshot, error) {
	state, err := storableJSON(s)
	if err != nil {
		return store.SLAPeriodSnapshot{}, fmt.Errorf("encode state of sla period %s/%s: %w", s.Account, s.Period, err)
	}
	snap := store.SLAPeriodSnapshot{
		Account: s.Account, Period: s.Period, CustomerID: s.CustomerID, Service: string(s.Service), Status: string(s.Status),
		ClaimOpens: instant(s.ClaimOpens.At), ClaimCloses: instant(s.ClaimCloses), ProvisionalWindow: s.ClaimOpens.Provisional,
		State: state, Seq: s.Seq, StartedAt: s.StartedAt, UpdatedAt: s.StartedAt,
	}
	if r := s.Result; r != nil {
		pct, tier, cents := r.AvailabilityPct, r.CompensationPct, r.CompensationCents
		snap.AvailabilityPct, snap.CompensationPct, snap.CompensationCents = &pct, &tier, &cents
	}
	if s.Claim != nil {
		snap.ClaimedAt = instant(s.Claim.At)
	}
	return snap, nil
}
