package notify

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sowflow/sowflow/calendar"
	"github.com/sowflow/sowflow/store"
	"github.com/sowflow/sowflow/workflows"
)

func TestClaimNoticeAtCountsWorkingDaysBack(t *testing.T) {
	cst := calendar.Zone()
	for _, c := range []struct {
		name   string
		closes time.Time
		want   time.Time
	}{
		// 24:00 on Friday 19 March 2027: Monday to Friday are left.
		{"a plain week", time.Date(2027, 3, 20, 0, 0, 0, 0, cst), time.Date(2027, 3, 15, 0, 0, 0, 0, cst)},
		// 24:00 on Tuesday 23 March: Wed, Thu, Fri, Mon and Tue.
		{"over a weekend", time.Date(2027, 3, 24, 0, 0, 0, 0, cst), time.Date(2027, 3, 17, 0, 0, 0, 0, cst)},
		// Noon on Friday 19 March: that Friday counts as one.
		{"closing in the day", time.Date(2027, 3, 19, 12, 0, 0, 0, cst), time.Date(2027, 3, 15, 0, 0, 0, 0, cst)},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := ClaimNoticeAt(calendar.China(), c.closes); !got.Equal(c.want) {
				t.Errorf("ClaimNoticeAt(%s) = %s, want %s", c.closes, got, c.want)
			}
		})
	}
}

// TestTimedNoticesAreQueuedOnceWhenDue: validity ending within 30 days
// and a claim window with 5 working days left are queued when that moment
// comes, once however many scanners run, and reach the customer's people
// (each in their language) and the delivery manager.
func TestTimedNoticesAreQueuedOnceWhenDue(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for _, q := range []string{`DELETE FROM notification_optouts`, `DELETE FROM delivery_managers`, `DELETE FROM calendar_feeds`,
		`DELETE FROM people`, `DELETE FROM sla_periods WHERE account LIKE 'tn-%'`, `DELETE FROM projects WHERE id LIKE 'tn-%'`} {
		if _, err := f.pool.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	cst := calendar.Zone()
	li, err := f.st.CreatePerson(ctx, store.PersonSpec{Email: "tn-li@acme.example", Name: "李雷", Role: store.RoleCustomer, CustomerID: "tn-acme", Language: store.LanguageChinese})
	if err != nil {
		t.Fatal(err)
	}
	ann, err := f.st.CreatePerson(ctx, store.PersonSpec{Email: "tn-ann@acme.example", Name: "Ann", Role: store.RoleCustomer, CustomerID: "tn-acme", Language: store.LanguageEnglish})
	if err != nil {
		t.Fatal(err)
	}
	mia, err := f.st.CreatePerson(ctx, store.PersonSpec{Email: "tn-mia@provider.example", Name: "Mia", Role: store.RoleManager})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2027, 3, 1, 9, 0, 0, 0, cst)
	project := func(id, status string, end time.Time) {
		t.Helper()
		f.project(t, id, "tn-acme")
		b, err := json.Marshal(workflows.ProjectState{ProjectID: id, CustomerID: "tn-acme", Status: workflows.ProjectStatus(status),
			Validity: workflows.ValidityState{End: workflows.DeadlineState{At: end}}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.st.RecordProject(ctx, store.ProjectSnapshot{ID: id, CustomerID: "tn-acme", PackageCode: "managed-services",
			CatalogVersion: "1", Status: status, State: b, Seq: 1, StartedAt: start, UpdatedAt: start}, nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	validityEnd := time.Date(2027, 4, 15, 0, 0, 0, 0, cst)
	project("tn-ending", "active", validityEnd)
	project("tn-later", "active", time.Date(2027, 9, 1, 0, 0, 0, 0, cst))
	project("tn-done", "completed", validityEnd)
	if _, err := f.pool.Exec(ctx, `INSERT INTO owners (kind, id, customer_id) VALUES ('sla-account', 'tn-acct', 'tn-acme')`); err != nil {
		t.Fatal(err)
	}
	claimCloses := time.Date(2027, 3, 20, 0, 0, 0, 0, cst) // 24:00 on Friday 19 March
	for _, p := range []struct {
		period       string
		compensation int
		claimed      bool
	}{{"2027-01", 10, false}, {"2026-12", 10, true}, {"2026-11", 0, false}} {
		if _, err := f.pool.Exec(ctx, `INSERT INTO sla_periods (account, period, customer_id, service, status, compensation_pct, claim_opens, claim_closes,
			claimed, claimed_at, state, created_at, updated_at) VALUES ('tn-acct', $1, 'tn-acme', 'svc', 'computed', $2, $3, $4, $5, $6, '{}', $3, $3)`,
			p.period, p.compensation, start, claimCloses, p.claimed, map[bool]*time.Time{true: &start}[p.claimed]); err != nil {
			t.Fatal(err)
		}
	}

	queued := func(kind string) []string {
		t.Helper()
		rows, err := f.pool.Query(ctx, `SELECT subject_id || ':' || recipient FROM outbox WHERE kind = $1 ORDER BY 1`, kind)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			out = append(out, s)
		}
		return out
	}
	// Four scanners run at each instant, as in four worker processes.
	scanAt := func(now time.Time) int {
		t.Helper()
		var wg sync.WaitGroup
		var mu sync.Mutex
		total := 0
		for range 4 {
			wg.Go(func() {
				n, err := (&Timed{Store: f.st, Now: func() time.Time { return now }}).RunOnce(ctx)
				if err != nil {
					t.Error(err)
				}
				mu.Lock()
				total += n
				mu.Unlock()
			})
		}
		wg.Wait()
		return total
	}

	steps := []struct {
		name               string
		at                 time.Time
		added              int
		validity, claiming string
	}{
		{"before either is due", time.Date(2027, 3, 14, 23, 0, 0, 0, cst), 0, "", ""},
		{"five working days before the claim window closes", time.Date(2027, 3, 15, 0, 0, 0, 0, cst), 1, "", "tn-acct/2027-01:customer"},
		{"thirty days before the validity ends", validityEnd.Add(-ValidityNoticeLead), 2, "tn-ending:customer tn-ending:manager", "tn-acct/2027-01:customer"},
		{"later on", validityEnd.Add(-time.Hour), 0, "tn-ending:customer tn-ending:manager", "tn-acct/2027-01:customer"},
	}
	for _, s := range steps {
		if n := scanAt(s.at); n != s.added {
			t.Errorf("%s: %d entries queued, want %d", s.name, n, s.added)
		}
		if got := strings.Join(queued(store.KindValidityEnding), " "); got != s.validity {
			t.Errorf("%s: validity notices %q, want %q", s.name, got, s.validity)
		}
		if got := strings.Join(queued(store.KindClaimWindowClosing), " "); got != s.claiming {
			t.Errorf("%s: claim notices %q, want %q", s.name, got, s.claiming)
		}
	}

	// The relay writes them to the portal lists: the customers get both,
	// each in their language; the manager (every manager, as the project
	// has no delivery manager) the validity notice.
	drain(ctx, t, &Relay{Store: f.st})
	for _, c := range []struct {
		who  store.Person
		want []string
	}{
		{li, []string{"有效期将在 30 天内结束（tn-ending）", "SLA 索赔期还剩 5 个工作日（tn-acct/2027-01）"}},
		{ann, []string{"Validity ends within 30 days (tn-ending)", "SLA claim window closes in 5 working days (tn-acct/2027-01)"}},
		{mia, []string{"Validity ends within 30 days (tn-ending)"}},
	} {
		list, err := f.st.PortalNotifications(ctx, c.who.ID, 10)
		if err != nil {
			t.Fatal(err)
		}
		var subjects []string
		for _, n := range list {
			r, err := Render(n.Entry, c.who.Language, "https://portal.example")
			if err != nil {
				t.Fatal(err)
			}
			subjects = append(subjects, r.Subject)
			if !strings.Contains(r.Body, "2027") || strings.Contains(r.Body, "?") {
				t.Errorf("%s: body without its instant: %s", c.who.Name, r.Body)
			}
		}
		for _, w := range c.want {
			found := 0
			for _, s := range subjects {
				if s == w {
					found++
				}
			}
			if found != 1 {
				t.Errorf("%s has %d of %q among %q, want 1", c.who.Name, found, w, subjects)
			}
		}
		if len(subjects) != len(c.want) {
			t.Errorf("%s has %q, want %q", c.who.Name, subjects, c.want)
		}
	}
}
