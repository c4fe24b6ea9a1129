package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"time"

	"github.com/sowflow/sowflow/api"
	"github.com/sowflow/sowflow/calendar"
	"github.com/sowflow/sowflow/store"
)

// The demo data of sowflow dev --demo: a handful of projects, a service
// with tickets and an SLA period in different states, so a first look at
// the portal is not empty. It is made through the API's own handler, as the
// demo manager and customer (api.ActingAs), exactly as they would make it;
// each step has an Idempotency-Key of its own, and a database that has the
// demo already is left as it is.

// demoStep is one request of the demo, made by the person of role.
type demoStep struct {
	role         store.Role
	method, path string
	body         any
}

// errDemoExists means the demo's first project exists: the demo was made
// on an earlier start (or a person made a project of its name).
var errDemoExists = errors.New("the demo data exists already")

// demoDocument is a submission of a document named title.
func demoDocument(title string) map[string]any {
	sum := sha256.Sum256([]byte(title))
	return map[string]any{"title": title, "uri": "https://docs.example.com/demo/" + url.PathEscape(title), "sha256": hex.EncodeToString(sum[:])}
}

// demoSteps are the demo's requests in order; now places the service and
// the SLA period.
func demoSteps(now time.Time) []demoStep {
	cn := now.In(calendar.Zone())
	signed := cn.AddDate(0, 0, -14).Format(time.RFC3339)
	thisMonth := time.Date(cn.Year(), cn.Month(), 1, 0, 0, 0, 0, calendar.Zone())
	lastMonth := thisMonth.AddDate(0, -1, 0)
	// The outage began a day ago, or at the month's start on its first day.
	outage := cn.Add(-26 * time.Hour).Truncate(time.Minute)
	if outage.Before(thisMonth) {
		outage = thisMonth
	}
	ms := func(id string) map[string]any {
		return map[string]any{"project_id": id, "customer_id": devCustomerID, "package": "managed-services",
			"dates": map[string]string{"contract_signing": signed}}
	}
	kickoff := func(id string) string { return "/v1/projects/" + id + "/deliverables/kickoff-meeting-report" }
	m, c := store.RoleManager, store.RoleCustomer
	return []demoStep{
		// Awaiting the customer's decision: silence accepts it.
		{m, http.MethodPost, "/v1/projects", ms("demo-ms-1")},
		{m, http.MethodPost, kickoff("demo-ms-1") + "/submissions", demoDocument("Kickoff meeting report")},
		// Rejected with a reason, then resubmitted.
		{m, http.MethodPost, "/v1/projects", ms("demo-ms-2")},
		{m, http.MethodPost, kickoff("demo-ms-2") + "/submissions", demoDocument("Kickoff report draft")},
		{c, http.MethodPost, kickoff("demo-ms-2") + "/decision", map[string]any{"decision": "reject", "reason": "The attendee list and the agreed meeting cadence are missing."}},
		{m, http.MethodPost, kickoff("demo-ms-2") + "/submissions", demoDocument("Kickoff report v2")},
		// Accepted, the phase advanced and the next phase's solution submitted.
		{m, http.MethodPost, "/v1/projects", ms("demo-ms-3")},
		{m, http.MethodPost, kickoff("demo-ms-3") + "/submissions", demoDocument("Kickoff meeting minutes")},
		{c, http.MethodPost, kickoff("demo-ms-3") + "/decision", map[string]any{"decision": "accept"}},
		{m, http.MethodPost, "/v1/projects/demo-ms-3/phases/kickoff/advance", map[string]any{}},
		{m, http.MethodPost, "/v1/projects/demo-ms-3/deliverables/implementation-solution/submissions", demoDocument("Implementation solution")},
		// A Landing Zone Basic waiting for its activation.
		{m, http.MethodPost, "/v1/projects", map[string]any{"project_id": "demo-lz-1", "customer_id": devCustomerID, "package": "landing-zone-basic",
			"dates":   map[string]string{"purchase": signed, "application": cn.AddDate(0, 0, -45).Format(time.RFC3339), "order": signed},
			"options": map[string]any{"design_domains": []string{"network-planning"}}}},
		// A partner service with tickets in three states.
		{m, http.MethodPost, "/v1/services", map[string]any{"service_id": "demo-svc-1", "customer_id": devCustomerID, "package": "partner-elite", "start": cn.AddDate(0, 0, -7).Format(time.RFC3339)}},
		{c, http.MethodPost, "/v1/services/demo-svc-1/tickets", map[string]any{"severity": "high", "title": "Checkout latency above 2 s since the last release"}},
		{c, http.MethodPost, "/v1/services/demo-svc-1/tickets", map[string]any{"severity": "low", "title": "How do we rotate an access key?"}},
		{m, http.MethodPost, "/v1/services/demo-svc-1/tickets/2/response", map[string]any{"note": "Rotation steps sent by mail; a call is booked for Thursday."}},
		{m, http.MethodPost, "/v1/services/demo-svc-1/tickets", map[string]any{"severity": "medium", "title": "Nightly backup job failed on db-2"}},
		{m, http.MethodPost, "/v1/services/demo-svc-1/tickets/3/response", map[string]any{"note": "Looking at the job's logs."}},
		{m, http.MethodPost, "/v1/services/demo-svc-1/tickets/3/resolution", map[string]any{"resolution": "Disk quota raised; the job ran again and passed."}},
		// The mail SLA: last month computed in full, this month open with
		// an outage.
		{m, http.MethodPost, "/v1/sla-periods", map[string]any{"account": "demo-mail", "customer_id": devCustomerID, "service": "email",
			"period": lastMonth.Format("2006-01"), "monthly_fee_cents": 12000_00, "currency": "CNY"}},
		{m, http.MethodPost, "/v1/sla-periods", map[string]any{"account": "demo-mail", "customer_id": devCustomerID, "service": "email",
			"period": thisMonth.Format("2006-01"), "monthly_fee_cents": 12000_00, "currency": "CNY"}},
		{m, http.MethodPost, "/v1/sla-periods/demo-mail/" + thisMonth.Format("2006-01") + "/outages",
			map[string]any{"start": outage.Format(time.RFC3339), "minutes": 95}},
	}
}

// reportDemo makes the demo with the API of deps and says what it did.
func reportDemo(ctx context.Context, w io.Writer, deps api.Deps, logger *slog.Logger) {
	host := ""
	if len(deps.AllowedHosts) > 0 {
		host = deps.AllowedHosts[0]
	}
	n, err := seedDemo(ctx, api.New(deps), host, deps.Store, time.Now())
	switch {
	case errors.Is(err, errDemoExists):
		fmt.Fprintln(w, "Demo data: made on an earlier start (projects demo-ms-1…3, demo-lz-1, service demo-svc-1, SLA account demo-mail).")
	case err != nil:
		logger.Error("demo data", "steps_done", n, "error", err.Error())
	default:
		fmt.Fprintf(w, "Demo data: %d actions made as the demo manager and customer (projects demo-ms-1…3, demo-lz-1, service demo-svc-1, SLA account demo-mail).\n", n)
	}
}

// seedDemo makes the demo through handler (requests for host) as the
// people of devPeopleSpecs; errDemoExists when an earlier start made it. It
// returns how many steps it made.
func seedDemo(ctx context.Context, handler http.Handler, host string, st *store.Store, now time.Time) (int, error) {
	people := map[store.Role]store.Person{}
	for _, spec := range devPeopleSpecs() {
		p, err := st.FindPerson(ctx, spec.Email)
		if err != nil {
			return 0, fmt.Errorf("demo person %s: %w", spec.Email, err)
		}
		people[p.Role] = p
	}
	status, _, err := demoRequest(ctx, handler, host, people[store.RoleManager], demoStep{method: http.MethodGet, path: "/v1/projects/demo-ms-1"}, "")
	switch {
	case err != nil:
		return 0, err
	case status == http.StatusOK:
		return 0, errDemoExists
	}
	steps := demoSteps(now)
	for i, s := range steps {
		status, body, err := demoRequest(ctx, handler, host, people[s.role], s, fmt.Sprintf("sowflow-dev-demo-%d", i))
		switch {
		case err != nil:
			return i, err
		case status >= 300:
			return i, fmt.Errorf("demo step %d (%s %s): %d %s", i+1, s.method, s.path, status, body)
		}
	}
	return len(steps), nil
}

// demoRequest serves one demo step as person with key as its
// Idempotency-Key.
func demoRequest(ctx context.Context, handler http.Handler, host string, person store.Person, s demoStep, key string) (int, string, error) {
	var body io.Reader = http.NoBody
	if s.body != nil {
		payload, err := json.Marshal(s.body)
		if err != nil {
			return 0, "", fmt.Errorf("encode demo step: %w", err)
		}
		body = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(api.ActingAs(ctx, person.Principal()), s.method, s.path, body)
	if err != nil {
		return 0, "", fmt.Errorf("demo request: %w", err)
	}
	req.Host = host
	if key != "" {
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Idempotency-Key", key)
	}
	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String(), nil
}
