package api

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/sowflow/sowflow/calendar"
	"github.com/sowflow/sowflow/store"
	"github.com/sowflow/sowflow/testenv"
	"github.com/sowflow/sowflow/workflows"
)

// TestServiceListsThroughAPI reads services, tickets and their events from
// the read model through the API: list filters and customer scoping, the
// 404 of another customer's service on every route, query validation,
// cursor pagination, ticket filters and event pages.
func TestServiceListsThroughAPI(t *testing.T) {
	f := newFixture(t)
	mgr, aud := f.as(t, store.RoleManager), f.as(t, store.RoleAuditor)
	suffix := fmt.Sprint(time.Now().UnixNano())
	// Customers of their own, so that the lists hold only this test's services.
	c1, c2 := "sl1-"+suffix, "sl2-"+suffix
	cust1, cust2 := f.asToken(t, f.customerToken(t, c1)), f.asToken(t, f.customerToken(t, c2))
	s1, s2, s3 := "sla-"+suffix, "slb-"+suffix, "slc-"+suffix
	today := time.Now().In(calendar.Zone()).Format(time.RFC3339)
	for _, sv := range []struct{ id, customer, pkg string }{{s1, c1, "partner-elite"}, {s2, c1, "partner-premium"}, {s3, c2, "partner-elite"}} {
		wantStatus(t, mgr.post("/v1/services", map[string]any{"service_id": sv.id, "customer_id": sv.customer, "package": sv.pkg, "start": today}), http.StatusCreated)
	}
	base := "/v1/services/" + s1

	// Three tickets of s1: 1 responded, 2 open, 3 resolved.
	wantStatus(t, cust1.post(base+"/tickets", map[string]any{"severity": "low", "title": "Rotate an access key"}), http.StatusCreated)
	wantStatus(t, mgr.post(base+"/tickets", map[string]any{"severity": "medium", "title": "Slow disk on web-1"}), http.StatusCreated)
	wantStatus(t, mgr.post(base+"/tickets", map[string]any{"severity": "high", "title": "Backups fail"}), http.StatusCreated)
	wantStatus(t, mgr.post(base+"/tickets/1/response", map[string]any{"note": "looking into it"}), http.StatusOK)
	wantStatus(t, mgr.post(base+"/tickets/3/resolution", map[string]any{"resolution": "Freed space on the backup volume."}), http.StatusOK)

	// The rows of services and tickets no action was taken on are written
	// by their workflows' first tasks: wait until the read model has them.
	ctx := context.Background()
	waitFor(t, "the services projected", func() bool {
		a, err1 := f.store.ListServices(ctx, store.ServiceFilter{CustomerID: c1, Limit: 10})
		b, err2 := f.store.ListServices(ctx, store.ServiceFilter{CustomerID: c2, Limit: 10})
		return err1 == nil && err2 == nil && len(a) == 2 && len(b) == 1
	})
	waitFor(t, "the tickets projected", func() bool {
		ts, err := f.store.ListTickets(ctx, store.TicketFilter{ServiceID: s1, Status: string(workflows.TicketOpen), Limit: 10})
		return err == nil && len(ts) == 1
	})

	t.Run("services", func(t *testing.T) {
		tests := []struct {
			name  string
			as    caller
			query string
			want  []string
		}{
			{"manager, a customer", mgr, "customer=" + c1, []string{s1, s2}},
			{"manager, a customer and package", mgr, "customer=" + c1 + "&package=partner-elite", []string{s1}},
			{"manager, a customer and status", mgr, "customer=" + c1 + "&status=active", []string{s1, s2}},
			{"manager, no such status now", mgr, "customer=" + c1 + "&status=completed", nil},
			{"auditor, another customer", aud, "customer=" + c2, []string{s3}},
			{"customer, its own", cust1, "", []string{s1, s2}},
			{"customer, its own by package", cust1, "package=partner-premium", []string{s2}},
			{"customer, naming itself", cust1, "customer=" + c1, []string{s1, s2}},
			{"customer, naming another", cust1, "customer=" + c2, nil},
			{"the other customer", cust2, "", []string{s3}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				tt.as.t = t
				items, _ := pageAll[store.ServiceSummary](tt.as, "/v1/services", tt.query, "limit=50")
				got := make([]string, 0, len(items))
				for _, s := range items {
					got = append(got, s.ID)
				}
				if !slices.Equal(got, tt.want) {
					t.Errorf("services %v, want %v", got, tt.want)
				}
			})
		}
	})

	t.Run("service rows", func(t *testing.T) {
		items, pages := pageAll[store.ServiceSummary](mgr, "/v1/services", "customer="+c1, "limit=1")
		if pages != 3 || len(items) != 2 {
			t.Fatalf("limit=1: %d services in %d pages, want 2 in 3 (the last one empty)", len(items), pages)
		}
		s := items[0]
		switch {
		case s.ID != s1 || s.CustomerID != c1 || s.PackageCode != "partner-elite" || s.Status != string(workflows.ServiceActive):
			t.Errorf("row %+v", s)
		case s.TicketsOpened != 3 || s.OpenTickets < 2 || s.TicketsBreached != 0:
			// Ticket 3's resolution reaches the service through its report,
			// so it may still count as open.
			t.Errorf("ticket counts: opened %d open %d breached %d", s.TicketsOpened, s.OpenTickets, s.TicketsBreached)
		case s.NextBoundary == nil || !s.YearEnd.After(s.YearStart):
			t.Errorf("year %v to %v, next boundary %v", s.YearStart, s.YearEnd, s.NextBoundary)
		}
		if _, off := s.StartedAt.Zone(); off != 8*3600 {
			t.Errorf("started_at %v is not in CST", s.StartedAt)
		}
	})

	t.Run("another customer's service", func(t *testing.T) {
		for _, path := range []string{base, base + "/events", base + "/tickets", base + "/tickets/1", base + "/tickets/1/events", base + "/tickets/9/events"} {
			rec := cust2.get(path)
			wantStatus(t, rec, http.StatusNotFound)
			if p := problemOf(t, rec); p.Type != ProblemNotFound {
				t.Errorf("GET %s: %s", path, rec.Body)
			}
			if path != base+"/tickets/9/events" {
				wantStatus(t, cust1.get(path), http.StatusOK)
			}
		}
		wantStatus(t, mgr.get("/v1/services/no-such-service/events"), http.StatusNotFound)
		wantStatus(t, mgr.get("/v1/services/no-such-service/tickets"), http.StatusNotFound)
		wantStatus(t, mgr.get(base+"/tickets/9/events"), http.StatusNotFound)
		wantStatus(t, mgr.get(base+"/tickets/0/events"), http.StatusNotFound)
	})

	t.Run("bad query", func(t *testing.T) {
		notMine := base64.RawURLEncoding.EncodeToString([]byte("seven"))
		tests := []struct {
			name, path, field, rule string
		}{
			{"unknown status", "/v1/services?status=paused", "status", "oneof"},
			{"customer_id is a body field", "/v1/services?customer_id=acme", "customer_id", "unknown"},
			{"bad customer", "/v1/services?customer=a%20b", "customer", "identifier"},
			{"bad package", "/v1/services?package=NOT_A_CODE", "package", "packagecode"},
			{"negative limit", "/v1/services?limit=-1", "limit", "min"},
			{"limit too large", "/v1/services?limit=201", "limit", "max"},
			{"cursor not base64", "/v1/services?cursor=%21%21", "cursor", "cursor"},
			{"ticket status", base + "/tickets?status=pending", "status", "oneof"},
			{"breached", base + "/tickets?breached=maybe", "breached", "oneof"},
			{"ticket cursor", base + "/tickets?cursor=" + notMine, "cursor", "cursor"},
			{"ticket limit", base + "/tickets?limit=-1", "limit", "min"},
			{"events after", base + "/events?after=-1", "after", "min"},
			{"events limit", base + "/events?limit=501", "limit", "max"},
			{"ticket events limit", base + "/tickets/1/events?limit=-5", "limit", "min"},
			{"ticket events unknown", base + "/tickets/1/events?cursor=x", "cursor", "unknown"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				rec := mgr.get(tt.path)
				wantStatus(t, rec, http.StatusBadRequest)
				if got, ok := problemFields(problemOf(t, rec))[tt.field]; !ok || got != tt.rule {
					t.Errorf("field %s rule %q (named: %v), want %q: %s", tt.field, got, ok, tt.rule, rec.Body)
				}
			})
		}
	})

	t.Run("tickets", func(t *testing.T) {
		tests := []struct {
			name  string
			as    caller
			query string
			want  []int
		}{
			{"all", aud, "", []int{1, 2, 3}},
			{"open", mgr, "status=open", []int{2}},
			{"responded", cust1, "status=responded", []int{1}},
			{"resolved", mgr, "status=resolved", []int{3}},
			{"closed", mgr, "status=closed", nil},
			{"low", mgr, "severity=low", []int{1}},
			{"high and resolved", mgr, "severity=high&status=resolved", []int{3}},
			{"not breached", mgr, "breached=false", []int{1, 2, 3}},
			{"breached", mgr, "breached=true", nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				tt.as.t = t
				items, _ := pageAll[store.TicketSummary](tt.as, base+"/tickets", tt.query, "limit=50")
				var got []int
				for _, it := range items {
					if it.ServiceID != s1 || it.CustomerID != c1 {
						t.Errorf("row %+v", it)
					}
					got = append(got, it.Number)
				}
				if !slices.Equal(got, tt.want) {
					t.Errorf("tickets %v, want %v", got, tt.want)
				}
			})
		}
		items, pages := pageAll[store.TicketSummary](mgr, base+"/tickets", "", "limit=2")
		if len(items) != 3 || pages != 2 {
			t.Errorf("limit=2: %d tickets in %d pages, want 3 in 2", len(items), pages)
		}
		if t1 := items[0]; t1.RespondedAt == nil || t1.ResponseDue == nil || t1.Severity != "low" || t1.Status != string(workflows.TicketResponded) {
			t.Errorf("ticket 1 row %+v", t1)
		}
	})

	t.Run("events", func(t *testing.T) {
		svc := eventsAll[store.ServiceEvent](cust1, base+"/events", 2)
		tk := eventsAll[store.TicketEvent](cust1, base+"/tickets/1/events", 1)
		var svcTypes, tkTypes []string
		for i, e := range svc {
			if e.Seq != int64(i+1) || e.ServiceID != s1 {
				t.Errorf("service event %d: seq %d service %s", i, e.Seq, e.ServiceID)
			}
			svcTypes = append(svcTypes, e.Type)
		}
		for i, e := range tk {
			if e.Seq != int64(i+1) || e.ServiceID != s1 || e.Ticket != 1 {
				t.Errorf("ticket event %d: seq %d service %s ticket %d", i, e.Seq, e.ServiceID, e.Ticket)
			}
			tkTypes = append(tkTypes, e.Type)
		}
		for _, want := range []workflows.EventType{workflows.EventServiceStarted, workflows.EventTicketOpened} {
			if !slices.Contains(svcTypes, string(want)) {
				t.Errorf("service events %v lack %s", svcTypes, want)
			}
		}
		for _, want := range []workflows.EventType{workflows.EventTicketOpened, workflows.EventTicketResponded} {
			if !slices.Contains(tkTypes, string(want)) {
				t.Errorf("ticket 1 events %v lack %s", tkTypes, want)
			}
		}
		rec := mgr.get(base + "/events?after=1000000")
		wantStatus(t, rec, http.StatusOK)
		if rec.Body.String() != `{"items":[]}` {
			t.Errorf("events past the last: %s", rec.Body)
		}
	})

	// A service or ticket without a read-model row (started a moment ago, or
	// from before the projection) is authorized by its workflow: drop the
	// rows of s2 and of s3's ticket 1 to see it.
	t.Run("not in the read model", func(t *testing.T) {
		wantStatus(t, cust2.post("/v1/services/"+s3+"/tickets", map[string]any{"severity": "low", "title": "Quota question"}), http.StatusCreated)
		waitFor(t, "the ticket projected", func() bool {
			_, _, _, err := f.store.TicketState(ctx, s3, 1)
			return err == nil
		})
		pool := testenv.Get(t).Pool
		for _, q := range []struct {
			sql  string
			args []any
		}{
			{"DELETE FROM service_events WHERE service_id = $1", []any{s2}},
			{"DELETE FROM services WHERE id = $1", []any{s2}},
			{"DELETE FROM ticket_events WHERE service_id = $1 AND number = $2", []any{s3, 1}},
			{"DELETE FROM tickets WHERE service_id = $1 AND number = $2", []any{s3, 1}},
		} {
			if _, err := pool.Exec(ctx, q.sql, q.args...); err != nil {
				t.Fatal(err)
			}
		}
		if _, _, _, err := f.store.ServiceState(ctx, s2); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("service row still there: %v", err)
		}
		tests := []struct {
			name string
			as   caller
			path string
			want int
		}{
			{"service, its customer", cust1, "/v1/services/" + s2, http.StatusOK},
			{"service events, its customer", cust1, "/v1/services/" + s2 + "/events", http.StatusOK},
			{"service, another customer", cust2, "/v1/services/" + s2, http.StatusNotFound},
			{"service tickets, another customer", cust2, "/v1/services/" + s2 + "/tickets", http.StatusNotFound},
			{"ticket, its customer", cust2, "/v1/services/" + s3 + "/tickets/1", http.StatusOK},
			{"ticket events, the auditor", aud, "/v1/services/" + s3 + "/tickets/1/events", http.StatusOK},
			{"ticket, another customer", cust1, "/v1/services/" + s3 + "/tickets/1", http.StatusNotFound},
			{"a ticket never opened", cust2, "/v1/services/" + s3 + "/tickets/2", http.StatusNotFound},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				wantStatus(t, tt.as.get(tt.path), tt.want)
			})
		}
	})
}

// waitFor polls cond until it holds, failing the test after ten seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// pageAll pages through the list at path with the query parameters given
// (one of them the limit), following next_cursor, and returns every item
// and the number of pages read.
func pageAll[T any](c caller, path string, query ...string) ([]T, int) {
	c.t.Helper()
	q := url.Values{}
	for _, s := range query {
		part, err := url.ParseQuery(s)
		if err != nil {
			c.t.Fatal(err)
		}
		for k, v := range part {
			q[k] = v
		}
	}
	var all []T
	for pages := 1; pages <= 100; pages++ {
		rec := c.get(path + "?" + q.Encode())
		wantStatus(c.t, rec, http.StatusOK)
		var page listPage[T]
		decode(c.t, rec, &page)
		if page.Items == nil {
			c.t.Fatalf("items is not a list: %s", rec.Body)
		}
		all = append(all, page.Items...)
		if page.NextCursor == "" {
			return all, pages
		}
		q.Set("cursor", page.NextCursor)
	}
	c.t.Fatalf("%s never ends", path)
	return nil, 0
}

// eventsAll pages through the events at path limit at a time, following
// next_after, and returns every event.
func eventsAll[T any](c caller, path string, limit int) []T {
	c.t.Helper()
	var all []T
	after := int64(0)
	for range 1000 {
		rec := c.get(fmt.Sprintf("%s?limit=%d&after=%d", path, limit, after))
		wantStatus(c.t, rec, http.StatusOK)
		var page eventsPage[T]
		decode(c.t, rec, &page)
		if len(page.Items) > limit {
			c.t.Fatalf("page of %d events, limit %d", len(page.Items), limit)
		}
		all = append(all, page.Items...)
		if page.NextAfter == 0 {
			return all
		}
		after = page.NextAfter
	}
	c.t.Fatalf("%s never ends", path)
	return nil
}
