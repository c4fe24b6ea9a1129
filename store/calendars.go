package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sowflow/sowflow/calendar"
)

// RegionCN is the region of China's working-day calendar.
const RegionCN = "cn"

// CalendarYear is one stored load of a year's holiday data.
type CalendarYear struct {
	Region   string    `json:"region"`
	Year     int       `json:"year"`
	Version  int       `json:"version"`
	SHA256   string    `json:"sha256"`
	LoadedBy string    `json:"loaded_by"`
	LoadedAt time.Time `json:"loaded_at"`
	Data     []byte    `json:"-"`
}

// SaveCalendarYear stores raw, already validated data for a year as the next
// version of that year, appends the load to the system audit chain in the
// same transaction, and returns the stored row. Loads of the same year are
// serialised by the primary key: a concurrent duplicate version fails and is
// retried once with the next number.
func (s *Store) SaveCalendarYear(ctx context.Context, region string, year int, data []byte, loadedBy string) (CalendarYear, error) {
	sum := sha256.Sum256(data)
	row := CalendarYear{Region: region, Year: year, SHA256: hex.EncodeToString(sum[:]), LoadedBy: loadedBy, Data: data}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		// A transaction-scoped advisory lock per region and year makes version
		// numbers gapless and unique without retries.
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('calendar:' || $1), $2)`, region, year); err != nil {
			return fmt.Errorf("lock calendar year: %w", err)
		}
		err := tx.QueryRow(ctx,
			`INSERT INTO calendar_years (region, year, version, data, sha256, loaded_by)
			 SELECT $1, $2, coalesce(max(version), 0) + 1, $3, $4, $5
			 FROM calendar_years WHERE region = $1 AND year = $2
			 RETURNING version, loaded_at`,
			region, year, data, row.SHA256, loadedBy).Scan(&row.Version, &row.LoadedAt)
		if err != nil {
			return err
		}
		return auditCalendarLoad(ctx, tx, row, actorOr(ctx, loadedBy))
	})
	if err != nil {
		return CalendarYear{}, fmt.Errorf("store calendar year %d: %w", year, err)
	}
	return row, nil
}

// CalendarYears returns the newest version of every stored year of region,
// in year order.
func (s *Store) CalendarYears(ctx context.Context, region string) ([]CalendarYear, error) {
	rows, err := s.pool.Query(ctx,
		`SELECT DISTINCT ON (year) region, year, version, sha256, loaded_by, loaded_at, data::text
		 FROM calendar_years WHERE region = $1 ORDER BY year, version DESC`, region)
	if err != nil {
		return nil, fmt.Errorf("list calendar years: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (CalendarYear, error) {
		var y CalendarYear
		var data string
		err := r.Scan(&y.Region, &y.Year, &y.Version, &y.SHA256, &y.LoadedBy, &y.LoadedAt, &data)
		y.Data = []byte(data)
		return y, err
	})
	if err != nil {
		return nil, fmt.Errorf("list calendar years: %w", err)
	}
	return out, nil
}

// calendarRevision changes whenever a year is loaded.
func (s *Store) calendarRevision(ctx context.Context, region string) (int64, error) {
	var n int64
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM calendar_years WHERE region = $1`, region).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("read calendar revision: %w", err)
	}
	return n, nil
}

// CalendarSource serves the calendar in force: the embedded data with every
// year stored in PostgreSQL laid over it. It is safe for concurrent use.
type CalendarSource struct {
	store    *Store
	base     *calendar.Calendar
	current  atomic.Pointer[calendar.Calendar]
	mu       sync.Mutex // serialises reloads; guards revision and changed
	revision int64
	changed  chan struct{}
}

// NewCalendarSource loads the calendar in force from base and the stored years.
func NewCalendarSource(ctx context.Context, s *Store, base *calendar.Calendar) (*CalendarSource, error) {
	src := &CalendarSource{store: s, base: base, revision: -1, changed: make(chan struct{})}
	src.current.Store(base)
	if err := src.Reload(ctx); err != nil {
		return nil, err
	}
	return src, nil
}

// Current returns the calendar in force.
func (c *CalendarSource) Current() *calendar.Calendar { return c.current.Load() }

// Changed returns a channel that is closed the next time the calendar in
// force changes.
func (c *CalendarSource) Changed() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.changed
}

// Reload rebuilds the calendar when stored years changed since the last load.
func (c *CalendarSource) Reload(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	rev, err := c.store.calendarRevision(ctx, RegionCN)
	if err != nil {
		return err
	}
	if rev == c.revision {
		return nil
	}
	years, err := c.store.CalendarYears(ctx, RegionCN)
	if err != nil {
		return err
	}
	files := make([]calendar.YearFile, 0, len(years))
	for _, y := range years {
		f, err := calendar.Parse(y.Data)
		if err != nil {
			return fmt.Errorf("stored calendar year %d version %d: %w", y.Year, y.Version, err)
		}
		files = append(files, f)
	}
	cal := c.base
	if len(files) > 0 {
		if cal, err = c.base.With(files...); err != nil {
			return fmt.Errorf("apply stored calendar years: %w", err)
		}
	}
	previous := c.current.Swap(cal)
	c.revision = rev
	if previous.Version() != cal.Version() {
		close(c.changed)
		c.changed = make(chan struct{})
	}
	return nil
}

// Watch reloads every interval until ctx ends, so a year an admin loaded
// through another process is used here too. Errors are logged, not fatal:
// the calendar in force stays.
func (c *CalendarSource) Watch(ctx context.Context, interval time.Duration, logger *slog.Logger) {
	pollReload(ctx, interval, logger, "calendar", c.Reload, func() string { return c.Current().Version() })
}

// pollReload calls reload every interval until ctx ends, logging a failed
// reload as a warning and a changed version as news. The sources' Watch
// methods share it.
func pollReload(ctx context.Context, interval time.Duration, logger *slog.Logger, what string, reload func(context.Context) error, version func() string) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			before := version()
			if err := reload(ctx); err != nil {
				logger.Warn("reload "+what, "error", err.Error())
				continue
			}
			if after := version(); after != before {
				logger.Info(what+" reloaded", what+"_version", after)
			}
		}
	}
}

// ProjectsWithProvisionalDeadlines lists the IDs of active projects that have
// a pending deadline computed past the calendar data, in ID order.
func (s *Store) ProjectsWithProvisionalDeadlines(ctx context.Context) ([]string, error) {
	rows, err := s.pool.Query(ctx,
		`SELECT id FROM projects WHERE provisional_deadlines AND status = 'active' ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list projects with provisional deadlines: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("list projects with provisional deadlines: %w", err)
	}
	return ids, nil
}

// SLAPeriodsWithProvisionalWindow lists the SLA periods whose claim window
// was computed past the calendar data and has not closed (a newer year can
// still move it), in order of account, then period.
func (s *Store) SLAPeriodsWithProvisionalWindow(ctx context.Context) ([]SLAPeriodKey, error) {
	rows, err := s.pool.Query(ctx, `SELECT account, period FROM sla_periods
		WHERE provisional_window AND status <> 'closed' ORDER BY account, period`)
	if err != nil {
		return nil, fmt.Errorf("list sla periods with a provisional window: %w", err)
	}
	keys, err := pgx.CollectRows(rows, pgx.RowToStructByPos[SLAPeriodKey])
	if err != nil {
		return nil, fmt.Errorf("list sla periods with a provisional window: %w", err)
	}
	return keys, nil
}
