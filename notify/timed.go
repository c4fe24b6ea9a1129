package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/sowflow/sowflow/calendar"
	"github.com/sowflow/sowflow/store"
)

// ValidityNoticeLead is how long before a project's validity ends its
// customer and delivery manager are told (store.KindValidityEnding).
const ValidityNoticeLead = 30 * 24 * time.Hour

// ClaimNoticeWorkingDays is how many working days before an SLA claim
// window closes the customer is told (store.KindClaimWindowClosing).
const ClaimNoticeWorkingDays = 5

// Timed queues the notices the passage of time brings rather than an
// event: a project's validity ending in 30 days, and an SLA claim window
// closing in 5 working days with no claim filed. It reads the read model
// and writes outbox entries, which the relay delivers like any other. Each
// entry is unique on (subject, kind, recipient role), so every worker
// process may run one: a notice is queued, and sent, once.
type Timed struct {
	Store *store.Store
	// Calendar returns the working-day calendar in force (nil: the
	// embedded China data).
	Calendar func() *calendar.Calendar
	Logger   *slog.Logger
	// Interval is how often Run looks (default one minute).
	Interval time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Run queues due notices every Interval until ctx ends, logging errors and
// going on after them.
func (t *Timed) Run(ctx context.Context) {
	interval := t.Interval
	if interval <= 0 {
		interval = time.Minute
	}
	tick := time.NewTimer(0)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		if _, err := t.RunOnce(ctx); err != nil && ctx.Err() == nil && t.Logger != nil {
			t.Logger.Warn("queue timed notices", "error", err.Error())
		}
		tick.Reset(interval)
	}
}

// RunOnce queues the notices due now and not queued yet, and returns how
// many outbox entries it added.
func (t *Timed) RunOnce(ctx context.Context) (int, error) {
	now := time.Now()
	if t.Now != nil {
		now = t.Now()
	}
	cal := calendar.China()
	if t.Calendar != nil {
		if c := t.Calendar(); c != nil {
			cal = c
		}
	}
	var entries []store.OutboxEntry
	ending, err := t.Store.ValidityEndingBy(ctx, now, now.Add(ValidityNoticeLead))
	if err != nil {
		return 0, err
	}
	for _, v := range ending {
		payload, err := json.Marshal(map[string]any{"validity_end": v.End, "days": int(ValidityNoticeLead / (24 * time.Hour))})
		if err != nil {
			return 0, fmt.Errorf("encode validity notice: %w", err)
		}
		for _, role := range []string{customer, manager} {
			entries = append(entries, store.OutboxEntry{Source: store.SourceProject, ProjectID: v.ProjectID,
				Kind: store.KindValidityEnding, Recipient: role, Payload: payload})
		}
	}
	// Five working days are at most a few weeks even over the long
	// holidays; the exact instant is computed per window.
	claims, err := t.Store.OpenClaimWindowsClosingBy(ctx, now, now.Add(31*24*time.Hour))
	if err != nil {
		return 0, err
	}
	for _, c := range claims {
		if now.Before(ClaimNoticeAt(cal, c.Closes)) {
			continue
		}
		payload, err := json.Marshal(map[string]any{"period": c.Period, "claim_closes": c.Closes, "compensation_pct": c.CompensationPct,
			"working_days": ClaimNoticeWorkingDays})
		if err != nil {
			return 0, fmt.Errorf("encode claim notice: %w", err)
		}
		entries = append(entries, store.OutboxEntry{Source: store.SourceSLAPeriod, SLAPeriod: c.Account + "/" + c.Period,
			Kind: store.KindClaimWindowClosing, Recipient: customer, Payload: payload})
	}
	if len(entries) == 0 {
		return 0, nil
	}
	return t.Store.QueueNotices(ctx, entries)
}

// ClaimNoticeAt is when the customer is told that a claim window closing
// at closes is closing: the start (00:00 China Standard Time) of the
// ClaimNoticeWorkingDays-th working day counted back from the window's
// last day, so that from then on that many working days are left.
// Midnight counts as the end of the day before, as the contracts count.
func ClaimNoticeAt(cal *calendar.Calendar, closes time.Time) time.Time {
	day := calendar.DateOf(closes.Add(-time.Nanosecond))
	left := 0
	for range 366 {
		if working, _ := cal.WorkingDay(day); working {
			left++
			if left == ClaimNoticeWorkingDays {
				return day.Start()
			}
		}
		day = day.AddDays(-1)
	}
	return day.Start()
}
