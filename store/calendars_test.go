package store

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sowflow/sowflow/calendar"
	"github.com/sowflow/sowflow/testenv"
)

// year2027 is a made-up but valid 2027 holiday file for tests.
func year2027(makeUp string) []byte {
	return []byte(`{"year":2027,"papers":[],"days":[
		{"name":"元旦","date":"2027-01-01","isOffDay":true},
		{"name":"劳动节","date":"2027-05-01","isOffDay":true},
		{"name":"国庆节","date":"2027-10-01","isOffDay":true},
		{"name":"国庆节","date":"2027-10-02","isOffDay":true},
		{"name":"国庆节","date":"2027-10-03","isOffDay":true},
		{"name":"国庆节","date":"` + makeUp + `","isOffDay":false}]}`)
}

func TestCalendarYearsAndSource(t *testing.T) {
	ctx := context.Background()
	env := testenv.Get(t)
	st := New(env.Pool)
	if _, err := env.Pool.Exec(ctx, "TRUNCATE calendar_years"); err != nil {
		t.Fatal(err)
	}
	src, err := NewCalendarSource(ctx, st, calendar.China())
	if err != nil {
		t.Fatal(err)
	}
	if src.Current().Version() != calendar.China().Version() {
		t.Fatal("with nothing stored the source must serve the embedded calendar")
	}

	// Concurrent loads of one year get distinct, gapless versions.
	var wg sync.WaitGroup
	versions := make([]int, 4)
	for i := range versions {
		wg.Go(func() {
			row, err := st.SaveCalendarYear(ctx, RegionCN, 2027, year2027("2027-10-09"), "token:test")
			if err != nil {
				t.Error(err)
				return
			}
			versions[i] = row.Version
		})
	}
	wg.Wait()
	slices.Sort(versions)
	if !slices.Equal(versions, []int{1, 2, 3, 4}) {
		t.Fatalf("versions %v, want 1..4", versions)
	}
	// The newest version is the one in force: version 5 moves the make-up day.
	if _, err := st.SaveCalendarYear(ctx, RegionCN, 2027, year2027("2027-10-10"), "token:test"); err != nil {
		t.Fatal(err)
	}
	years, err := st.CalendarYears(ctx, RegionCN)
	if err != nil {
		t.Fatal(err)
	}
	if len(years) != 1 || years[0].Version != 5 || !strings.Contains(string(years[0].Data), "2027-10-10") || len(years[0].SHA256) != 64 {
		t.Fatalf("years %+v", years)
	}

	if err := src.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	cal := src.Current()
	if _, last := cal.Years(); last != 2027 {
		t.Fatalf("after reload the calendar ends in %d", last)
	}
	sunday, _ := calendar.ParseDate("2027-10-10")
	if working, provisional := cal.WorkingDay(sunday); !working || provisional {
		t.Errorf("2027-10-10 (version 5's make-up day): working=%v provisional=%v", working, provisional)
	}
	saturday, _ := calendar.ParseDate("2027-10-09")
	if working, _ := cal.WorkingDay(saturday); working {
		t.Error("2027-10-09 is a make-up day only in superseded versions")
	}
	// Reload with nothing new keeps the same value.
	if err := src.Reload(ctx); err != nil || src.Current() != cal {
		t.Errorf("idle reload replaced the calendar (err %v)", err)
	}
}

func TestWatchPicksUpYearsLoadedElsewhere(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	env := testenv.Get(t)
	st := New(env.Pool)
	if _, err := env.Pool.Exec(ctx, "TRUNCATE calendar_years"); err != nil {
		t.Fatal(err)
	}
	src, err := NewCalendarSource(ctx, st, calendar.China())
	if err != nil {
		t.Fatal(err)
	}
	changed := src.Changed()
	go src.Watch(ctx, 10*time.Millisecond, testLogger(t))
	// Another process loads 2027.
	if _, err := st.SaveCalendarYear(ctx, RegionCN, 2027, year2027("2027-10-09"), "token:other"); err != nil {
		t.Fatal(err)
	}
	select {
	case <-changed:
	case <-time.After(30 * time.Second):
		t.Fatal("the watcher did not pick up the stored year within 30s")
	}
	if _, last := src.Current().Years(); last != 2027 {
		t.Fatalf("changed, but the calendar ends in %d", last)
	}
}

func TestProjectsWithProvisionalDeadlines(t *testing.T) {
	ctx := context.Background()
	env := testenv.Get(t)
	now := time.Now()
	rows := []struct {
		id, status  string
		provisional bool
	}{
		{"p-b", "active", true},
		{"p-a", "active", true},
		{"p-c", "active", false},
		{"p-d", "completed", true},
	}
	for _, r := range rows {
		_, err := env.Pool.Exec(ctx, `INSERT INTO projects (id, customer_id, package_code, catalog_version, status, state, created_at, updated_at, provisional_deadlines)
			VALUES ($1, 'acme', 'managed-services', 'v', $2, '{}', $3, $3, $4)`, r.id, r.status, now, r.provisional)
		if err != nil {
			t.Fatal(err)
		}
	}
	ids, err := New(env.Pool).ProjectsWithProvisionalDeadlines(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ids, []string{"p-a", "p-b"}) {
		t.Errorf("ids %v, want the active provisional ones in order [p-a p-b]", ids)
	}
}

// TestSLAPeriodsWithProvisionalWindow lists the SLA periods a calendar
// load tells: provisional window and not closed, by account then period. A
// newer record whose window is certain takes the period off the list.
func TestSLAPeriodsWithProvisionalWindow(t *testing.T) {
	ctx := context.Background()
	st := New(testenv.Get(t).Pool)
	customer := strings.TrimPrefix(testChain(t), "customer:")
	rows := []struct {
		account, period, status string
		provisional             bool
	}{
		{"b@" + customer, "2026-11", "collecting", true},
		{"a@" + customer, "2026-12", "claim-open", true},
		{"a@" + customer, "2026-11", "computed", true},
		{"c@" + customer, "2026-11", "collecting", false},
		{"d@" + customer, "2026-11", "closed", true},
		{"e@" + customer, "2026-11", "collecting", true}, // made certain below
	}
	for _, r := range rows {
		p := testSLAPeriod(r.account, r.period, customer, "email", 1)
		p.Status, p.ProvisionalWindow = r.status, r.provisional
		if _, err := st.RecordSLAPeriod(ctx, p, nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	certain := testSLAPeriod("e@"+customer, "2026-11", customer, "email", 2)
	if _, err := st.RecordSLAPeriod(ctx, certain, nil, nil); err != nil {
		t.Fatal(err)
	}
	keys, err := st.SLAPeriodsWithProvisionalWindow(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var mine []SLAPeriodKey
	for _, k := range keys {
		if strings.HasSuffix(k.Account, "@"+customer) {
			mine = append(mine, k)
		}
	}
	want := []SLAPeriodKey{{"a@" + customer, "2026-11"}, {"a@" + customer, "2026-12"}, {"b@" + customer, "2026-11"}}
	if !slices.Equal(mine, want) {
		t.Errorf("periods %v, want %v", mine, want)
	}
}
