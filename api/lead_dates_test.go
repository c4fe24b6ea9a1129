package api

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sowflow/sowflow/store"
	"github.com/sowflow/sowflow/testenv"
)

// TestStartRecordsLeadDates proves that a started Landing Zone project's
// application and order dates, the dates its lead times join, are in the
// read model with the contract text of each lead time and answered by
// GET /v1/projects/{id}/lead-dates to its customer (404 to another), and
// that refused starts write none: a lead time broken, and a second start
// of the same project with other dates.
func TestStartRecordsLeadDates(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	pool := testenv.Get(t).Pool
	sfx := unique(t)
	mgr := f.as(t, store.RoleManager)
	lz := func(id, order string, resourceIntensive bool) map[string]any {
		return map[string]any{"project_id": id, "customer_id": "acme", "package": "landing-zone-basic",
			"dates":   map[string]string{"purchase": "2026-12-01T10:00:00+08:00", "application": "2026-11-02T10:00:00+08:00", "order": order},
			"options": map[string]any{"design_domains": []string{"network-planning"}, "resource_intensive": resourceIntensive}}
	}
	type row struct {
		Event string
		At    time.Time
		Texts []string
	}
	rows := func(id string) []row {
		t.Helper()
		r, err := pool.Query(ctx, `SELECT event, at, texts FROM project_lead_dates WHERE project_id = $1 ORDER BY at`, id)
		if err != nil {
			t.Fatal(err)
		}
		got, err := pgx.CollectRows(r, pgx.RowToStructByPos[row])
		if err != nil {
			t.Fatal(err)
		}
		return got
	}

	id := "lead-" + sfx
	wantStatus(t, mgr.postKey("/v1/projects", "lead-"+sfx, lz(id, "2026-12-07T10:00:00+08:00", true)), http.StatusCreated)
	got := rows(id)
	if len(got) != 2 || got[0].Event != "application" || got[1].Event != "order" {
		t.Fatalf("lead dates %+v, want the application and the order", got)
	}
	if want := time.Date(2026, 12, 7, 2, 0, 0, 0, time.UTC); !got[1].At.Equal(want) {
		t.Errorf("order at %s, want %s", got[1].At, want)
	}
	for _, r := range got {
		if len(r.Texts) != 2 || !slices.ContainsFunc(r.Texts, func(s string) bool { return strings.Contains(s, "15 working days") }) ||
			!slices.ContainsFunc(r.Texts, func(s string) bool { return strings.Contains(s, "one month in advance") }) {
			t.Errorf("%s quotes %q, want both lead times' contract text", r.Event, r.Texts)
		}
	}

	cust := f.as(t, store.RoleCustomer)
	rec := cust.get("/v1/projects/" + id + "/lead-dates")
	wantStatus(t, rec, http.StatusOK)
	var page leadDatesPage
	decode(t, rec, &page)
	if len(page.Items) != 2 || page.Items[1].Event != "order" || page.Items[1].At.Format(time.RFC3339) != "2026-12-07T10:00:00+08:00" || len(page.Items[1].Texts) != 2 {
		t.Errorf("GET lead-dates answered %+v", page.Items)
	}
	if !strings.Contains(rec.Body.String(), `"at":"2026-12-07T10:00:00+08:00"`) {
		t.Errorf("lead dates are not in China Standard Time: %s", rec.Body)
	}
	wantStatus(t, f.asToken(t, f.customerToken(t, "globex-"+sfx)).get("/v1/projects/"+id+"/lead-dates"), http.StatusNotFound)
	ms := "lead-ms-" + sfx
	wantStatus(t, mgr.post("/v1/projects", msStart(ms, "acme")), http.StatusCreated)
	rec = mgr.get("/v1/projects/" + ms + "/lead-dates")
	wantStatus(t, rec, http.StatusOK)
	if got := strings.TrimSpace(rec.Body.String()); got != `{"items":[]}` {
		t.Errorf("a Managed Services project's lead dates: %s, want none", got)
	}

	wantStatus(t, mgr.postKey("/v1/projects", "lead-again-"+sfx, lz(id, "2027-01-04T10:00:00+08:00", false)), http.StatusConflict)
	if again := rows(id); len(again) != 2 || !again[1].At.Equal(got[1].At) || len(again[1].Texts) != 2 {
		t.Errorf("a refused second start changed the lead dates: %+v, want %+v", again, got)
	}

	broken := "lead-broken-" + sfx
	wantStatus(t, mgr.postKey("/v1/projects", "lead-broken-"+sfx, lz(broken, "2026-11-13T10:00:00+08:00", false)), http.StatusUnprocessableEntity)
	if none := rows(broken); len(none) != 0 {
		t.Errorf("a start refused for its lead time wrote lead dates: %+v", none)
	}
}
