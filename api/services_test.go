package api

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sowflow/sowflow/calendar"
	"github.com/sowflow/sowflow/catalog"
	"github.com/sowflow/sowflow/plan"
	"github.com/sowflow/sowflow/store"
	"github.com/sowflow/sowflow/workflows"
)

// TestServicePartnerPlanThroughAPI runs a few tickets of a partner-elite
// service through the API against the real in-process Temporal server:
// start, tickets opened by the customer and by the manager, a response well
// within its 7x24 target, resolution, the customer's closure, quotas, and
// the object-level and role checks.
func TestServicePartnerPlanThroughAPI(t *testing.T) {
	f := newFixture(t)
	mgr, cust, aud := f.as(t, store.RoleManager), f.as(t, store.RoleCustomer), f.as(t, store.RoleAuditor)
	other := f.asToken(t, f.customerToken(t, "globex"))
	id := fmt.Sprintf("pe-%d", time.Now().UnixNano())
	base := "/v1/services/" + id
	today := time.Now().In(calendar.Zone()).Format(time.RFC3339)

	// Start.
	rec := mgr.post("/v1/services", map[string]any{"service_id": id, "customer_id": "acme", "package": "partner-elite", "start": today})
	wantStatus(t, rec, http.StatusCreated)
	var started startedService
	decode(t, rec, &started)
	if started.WorkflowID != workflows.ServiceWorkflowID(id) || rec.Header().Get("Location") != base {
		t.Fatalf("started %+v, Location %q", started, rec.Header().Get("Location"))
	}
	rec = mgr.post("/v1/services", map[string]any{"service_id": id, "customer_id": "acme", "package": "partner-elite", "start": today})
	wantStatus(t, rec, http.StatusConflict)
	if p := problemOf(t, rec); p.Type != ProblemExists {
		t.Errorf("duplicate start: %s", rec.Body)
	}
	rec = mgr.post("/v1/services", map[string]any{"service_id": id + "-x", "customer_id": "acme", "package": "managed-services", "start": today})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	if p := problemOf(t, rec); problemFields(p)["package"] != "kind" {
		t.Errorf("project package as a service: %s", rec.Body)
	}
	wantStatus(t, mgr.post("/v1/services", map[string]any{"service_id": id + "-y", "customer_id": "acme", "package": "partner-elite"}), http.StatusBadRequest)
	// The order's cycle end (dates.contract_end) must come after the start.
	rec = mgr.post("/v1/services", map[string]any{"service_id": id + "-e", "customer_id": "acme", "package": "partner-elite", "start": today,
		"dates": map[string]string{"contract_end": time.Now().AddDate(0, 0, -1).In(calendar.Zone()).Format(time.RFC3339)}})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	if p := problemOf(t, rec); problemFields(p)["dates.contract_end"] != workflows.StartRuleInvalid {
		t.Errorf("contract end before the start: %s", rec.Body)
	}
	// A six-month cycle ends then: six service months.
	cycleEnd := time.Now().In(calendar.Zone()).AddDate(0, 6, 0)
	rec = mgr.post("/v1/services", map[string]any{"service_id": id + "-six", "customer_id": "acme", "package": "partner-elite", "start": today,
		"dates": map[string]string{"contract_end": cycleEnd.Format(time.RFC3339)}})
	wantStatus(t, rec, http.StatusCreated)
	var six workflows.ServiceState
	rec = mgr.get(base + "-six")
	wantStatus(t, rec, http.StatusOK)
	decode(t, rec, &six)
	if !six.End.Equal(cycleEnd.Truncate(time.Second)) || len(six.Periods) != 6 {
		t.Errorf("six-month cycle: ends %s with %d periods, want %s and 6", six.End, len(six.Periods), cycleEnd)
	}
	wantStatus(t, cust.post("/v1/services", map[string]any{"service_id": id + "-z", "customer_id": "acme", "package": "partner-elite", "start": today}), http.StatusForbidden)

	var st workflows.ServiceState
	rec = cust.get(base)
	wantStatus(t, rec, http.StatusOK)
	decode(t, rec, &st)
	if st.Status != workflows.ServiceActive || st.CustomerID != "acme" || st.Package.Code != "partner-elite" || len(st.Periods) != 12 {
		t.Fatalf("service state: status %s customer %s package %s %d periods", st.Status, st.CustomerID, st.Package.Code, len(st.Periods))
	}

	// Two tickets: one by the customer, one by the manager.
	var t1, t2 workflows.OpenTicketResult
	rec = cust.post(base+"/tickets", map[string]any{"severity": "low", "title": "How do I rotate an access key?"})
	wantStatus(t, rec, http.StatusCreated)
	decode(t, rec, &t1)
	rec = mgr.post(base+"/tickets", map[string]any{"severity": "medium", "title": "Slow disk on web-1", "description": "iowait above 40%"})
	wantStatus(t, rec, http.StatusCreated)
	decode(t, rec, &t2)
	if t1.Ticket != 1 || t2.Ticket != 2 || t1.WorkflowID != workflows.TicketWorkflowID(id, 1) || rec.Header().Get("Location") != base+"/tickets/2" {
		t.Fatalf("tickets %+v %+v, Location %q", t1, t2, rec.Header().Get("Location"))
	}
	rec = cust.post(base+"/tickets", map[string]any{"severity": "catastrophic", "title": "?"})
	wantStatus(t, rec, http.StatusBadRequest)

	// Another customer sees nothing; the auditor reads but does not write.
	for _, path := range []string{base, base + "/tickets/1"} {
		if rec := other.get(path); rec.Code != http.StatusNotFound {
			t.Errorf("other customer GET %s: %d %s", path, rec.Code, rec.Body)
		}
		wantStatus(t, aud.get(path), http.StatusOK)
	}
	wantStatus(t, other.post(base+"/tickets", map[string]any{"severity": "low", "title": "probe"}), http.StatusNotFound)
	wantStatus(t, other.post(base+"/tickets/1/closure", nil), http.StatusNotFound)
	wantStatus(t, aud.post(base+"/tickets", map[string]any{"severity": "low", "title": "audit"}), http.StatusForbidden)
	wantStatus(t, aud.post(base+"/tickets/1/response", nil), http.StatusForbidden)
	wantStatus(t, cust.get(base+"/tickets/3"), http.StatusNotFound)
	wantStatus(t, cust.get(base+"/tickets/x"), http.StatusNotFound)
	wantStatus(t, cust.get("/v1/services/no-such-service"), http.StatusNotFound)

	// Refusals from the workflows: the customer may not lower a severity
	// (403), nor confirm closure of an unresolved ticket (409).
	rec = cust.post(base+"/tickets/2/severity", map[string]any{"severity": "low", "reason": "not so bad"})
	wantStatus(t, rec, http.StatusForbidden)
	if p := problemOf(t, rec); p.Rule != workflows.RuleSeverityDowngrade {
		t.Errorf("customer lowering severity: %s", rec.Body)
	}
	rec = cust.post(base+"/tickets/1/closure", nil)
	wantStatus(t, rec, http.StatusConflict)
	if p := problemOf(t, rec); p.Type != ProblemRefused || p.Rule != workflows.RuleState {
		t.Errorf("closure before resolution: %s", rec.Body)
	}
	// The customer raises ticket 2; its clock restarts on the new target.
	var res workflows.ActionResult
	rec = cust.post(base+"/tickets/2/severity", map[string]any{"severity": "high", "reason": "customers notice it now"})
	wantStatus(t, rec, http.StatusOK)
	decode(t, rec, &res)
	if len(res.Events) == 0 {
		t.Errorf("severity change recorded no events: %s", rec.Body)
	}

	// Ticket 1: respond (18 h target: met), resolve, close.
	wantStatus(t, cust.post(base+"/tickets/1/response", map[string]any{"note": "me"}), http.StatusForbidden)
	wantStatus(t, mgr.post(base+"/tickets/1/response", map[string]any{"note": "looking into it"}), http.StatusOK)
	rec = mgr.post(base+"/tickets/1/response", nil)
	wantStatus(t, rec, http.StatusConflict)
	if p := problemOf(t, rec); p.Rule != workflows.RuleState {
		t.Errorf("second response: %s", rec.Body)
	}
	wantStatus(t, mgr.post(base+"/tickets/1/resolution", map[string]any{}), http.StatusBadRequest)
	wantStatus(t, mgr.post(base+"/tickets/1/resolution", map[string]any{"resolution": "Use RAM key rotation; documented in the runbook."}), http.StatusOK)
	wantStatus(t, mgr.post(base+"/tickets/1/closure", nil), http.StatusForbidden)
	// An Idempotency-Key retried answers the first answer and closes once.
	rec = cust.postKey(base+"/tickets/1/closure", id+"-close-1", map[string]any{"note": "thanks"})
	wantStatus(t, rec, http.StatusOK)
	rec = cust.postKey(base+"/tickets/1/closure", id+"-close-1", map[string]any{"note": "thanks"})
	wantStatus(t, rec, http.StatusOK)
	if rec.Header().Get("Idempotent-Replayed") != "true" {
		t.Errorf("retried closure not replayed: %v", rec.Header())
	}
	rec = cust.post(base+"/tickets/1/closure", nil)
	wantStatus(t, rec, http.StatusConflict)

	var ts workflows.TicketState
	rec = cust.get(base + "/tickets/1")
	wantStatus(t, rec, http.StatusOK)
	decode(t, rec, &ts)
	switch {
	case ts.Status != workflows.TicketClosed:
		t.Errorf("ticket 1 is %s", ts.Status)
	case !ts.SLA.Decided || !ts.SLA.Met || ts.SLA.Severity != "low":
		t.Errorf("ticket 1 SLA %+v", ts.SLA)
	case ts.Response == nil || ts.Response.By.Role != workflows.RoleManager || ts.Closure == nil || ts.Closure.By.Role != workflows.RoleCustomer:
		t.Errorf("ticket 1 response %+v closure %+v", ts.Response, ts.Closure)
	case ts.OpenedBy.Role != workflows.RoleCustomer || ts.Clock.Deadline.Spec.N != 18*60:
		t.Errorf("ticket 1 opened by %+v clock %+v", ts.OpenedBy, ts.Clock)
	}
	rec = mgr.get(base + "/tickets/2")
	wantStatus(t, rec, http.StatusOK)
	decode(t, rec, &ts)
	if ts.Severity != "high" || ts.OpenedSeverity != "medium" || len(ts.PastClocks) != 1 || ts.Clock.Deadline.Spec.N != 4*60 {
		t.Errorf("ticket 2 severity %s/%s, %d past clocks, clock %+v", ts.Severity, ts.OpenedSeverity, len(ts.PastClocks), ts.Clock)
	}

	// Quotas: one health check a month.
	wantStatus(t, mgr.post(base+"/quotas/health-checks/uses", map[string]any{"note": "November check"}), http.StatusOK)
	rec = mgr.post(base+"/quotas/health-checks/uses", nil)
	wantStatus(t, rec, http.StatusConflict)
	if p := problemOf(t, rec); p.Rule != workflows.RuleQuotaExhausted {
		t.Errorf("second health check: %s", rec.Body)
	}
	wantStatus(t, mgr.post(base+"/quotas/no-such-quota/uses", nil), http.StatusBadRequest)

	// The service learns of the closure through the ticket's report.
	deadline := time.Now().Add(10 * time.Second)
	for {
		rec = aud.get(base)
		wantStatus(t, rec, http.StatusOK)
		decode(t, rec, &st)
		if st.Tickets.Closed == 1 || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if st.Tickets.Opened != 2 || st.Tickets.Closed != 1 || len(st.Tickets.Open) != 1 || st.Tickets.Open[0].N != 2 {
		t.Errorf("service tickets %+v", st.Tickets)
	}
	for _, q := range st.Quotas {
		if q.Key == "health-checks" && q.Used != 1 {
			t.Errorf("health checks used %d", q.Used)
		}
	}
}

// TestOpenAPIServiceSchemasMatchGoTypes holds the continuous-service schemas
// against their Go types, as TestOpenAPISchemasMatchGoTypes does for the
// others.
func TestOpenAPIServiceSchemasMatchGoTypes(t *testing.T) {
	doc := oasLoad(t)
	const s = "#/components/schemas/"
	tests := []struct {
		pointer string
		goType  any
		kind    oasSchemaKind
	}{
		{s + "StartServiceRequest", startServiceRequest{}, oasRequestSchema},
		{s + "OpenTicketRequest", openTicketRequest{}, oasRequestSchema},
		{s + "ResolveTicketRequest", resolveTicketRequest{}, oasRequestSchema},
		{s + "ChangeSeverityRequest", changeSeverityRequest{}, oasRequestSchema},
		{s + "StartedService", startedService{}, oasResponseSchema},
		{s + "OpenTicketResult", workflows.OpenTicketResult{}, oasResponseSchema},
		{s + "ServiceState", workflows.ServiceState{}, oasResponseSchema},
		{s + "ServicePeriod", plan.ServicePeriod{}, oasResponseSchema},
		{s + "ServiceQuotaState", workflows.ServiceQuotaState{}, oasResponseSchema},
		{s + "TicketsState", workflows.TicketsState{}, oasResponseSchema},
		{s + "TicketState", workflows.TicketState{}, oasResponseSchema},
		{s + "TicketClock", workflows.TicketClock{}, oasResponseSchema},
		{s + "TicketSLA", workflows.TicketSLA{}, oasResponseSchema},
		{s + "TicketAction", workflows.TicketAction{}, oasResponseSchema},
		{s + "SeverityChange", workflows.SeverityChange{}, oasResponseSchema},
		{s + "ReopenTicketRequest", reopenTicketRequest{}, oasRequestSchema},
		{s + "SubmitObligationRequest", submitObligationRequest{}, oasRequestSchema},
		{s + "QuotaUse", workflows.QuotaUse{}, oasResponseSchema},
		{s + "QuotaPeriodUse", workflows.QuotaPeriodUse{}, oasResponseSchema},
		{s + "RunStats", workflows.RunStats{}, oasResponseSchema},
		{s + "ObligationState", workflows.ObligationState{}, oasResponseSchema},
		{s + "ObligationPeriod", workflows.ObligationPeriod{}, oasResponseSchema},
		{s + "ObligationSubmission", workflows.ObligationSubmission{}, oasResponseSchema},
		{s + "ServiceTicket", workflows.ServiceTicket{}, oasResponseSchema},
		{s + "SeverityStats", workflows.SeverityStats{}, oasResponseSchema},
		{s + "ServiceSummary", workflows.ServiceSummary{}, oasResponseSchema},
		{s + "SeveritySummary", workflows.SeveritySummary{}, oasResponseSchema},
		{s + "ObligationSummary", workflows.ObligationSummary{}, oasResponseSchema},
		{s + "ServiceListItem", store.ServiceSummary{}, oasResponseSchema},
		{s + "ServicePage", servicePage{}, oasResponseSchema},
		{s + "ServiceEvent", store.ServiceEvent{}, oasResponseSchema},
		{s + "ServiceEventPage", serviceEventPage{}, oasResponseSchema},
		{s + "TicketListItem", store.TicketSummary{}, oasResponseSchema},
		{s + "TicketPage", ticketPage{}, oasResponseSchema},
		{s + "TicketEvent", store.TicketEvent{}, oasResponseSchema},
		{s + "TicketEventPage", ticketEventPage{}, oasResponseSchema},
	}
	for _, tt := range tests {
		t.Run(strings.TrimPrefix(tt.pointer, s), func(t *testing.T) {
			doc.checkSchema(t, tt.pointer, tt.goType, tt.kind)
		})
	}
}

// apiCase is one request of a table-driven API test and what it must
// answer: the status and, for a problem, its rule or the rule of a field.
type apiCase struct {
	name  string
	as    caller
	path  string
	body  any
	want  int
	rule  string // the problem's rule, when set
	field string // a field the problem names, when set
	// fieldRule is the rule field must have broken, when set.
	fieldRule string
}

// run sends each case in order (later cases may depend on earlier ones) and
// checks its answer.
func runAPICases(t *testing.T, cases []apiCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.as.t = t
			rec := tc.as.post(tc.path, tc.body)
			wantStatus(t, rec, tc.want)
			if tc.want < 300 {
				return
			}
			p := problemOf(t, rec)
			if tc.rule != "" && p.Rule != tc.rule {
				t.Errorf("rule %q, want %q: %s", p.Rule, tc.rule, rec.Body)
			}
			if tc.field != "" {
				got, ok := problemFields(p)[tc.field]
				if !ok || (tc.fieldRule != "" && got != tc.fieldRule) {
					t.Errorf("field %s rule %q (named: %v), want %q: %s", tc.field, got, ok, tc.fieldRule, rec.Body)
				}
			}
		})
	}
}

// TestServiceStartOptions: POST /v1/services takes the package's start
// options with the projects' 422 mapping, and refuses packages without
// ticket response targets.
func TestServiceStartOptions(t *testing.T) {
	f := newFixture(t)
	mgr := f.as(t, store.RoleManager)
	id := fmt.Sprintf("so-%d", time.Now().UnixNano())
	now := time.Now().In(calendar.Zone())
	start := now.Format(time.RFC3339)
	body := func(suffix, pkg string, opts map[string]any) map[string]any {
		b := map[string]any{"service_id": id + suffix, "customer_id": "acme", "package": pkg, "start": start}
		if opts != nil {
			b["options"] = opts
		}
		return b
	}

	// Remote O&M, a continuous project package with response targets, runs
	// as a service.
	remote := apiCase{name: "remote O&M with users", as: mgr, path: "/v1/services",
		body: body("-om", "hybrid-base-remote-om", map[string]any{"users": 12000}), want: http.StatusCreated}
	runAPICases(t, []apiCase{
		{name: "remote O&M without users", as: mgr, path: "/v1/services", body: body("-om", "hybrid-base-remote-om", nil),
			want: http.StatusUnprocessableEntity, field: "options.users", fieldRule: catalog.RuleRequired},
		{name: "an option the package does not take", as: mgr, path: "/v1/services", body: body("-pe", "partner-elite", map[string]any{"users": 10}),
			want: http.StatusUnprocessableEntity, field: "options.users", fieldRule: catalog.RuleNotOffered},
		{name: "an option that does not exist", as: mgr, path: "/v1/services", body: body("-pe", "partner-elite", map[string]any{"colour": "red"}),
			want: http.StatusBadRequest, field: "colour", fieldRule: "unknown"},
		{name: "a project package without response targets", as: mgr, path: "/v1/services", body: body("-ms", "managed-services", nil),
			want: http.StatusUnprocessableEntity, field: "package", fieldRule: "kind"},
		{name: "a mail SLA", as: mgr, path: "/v1/services", body: body("-sla", "email-sla", nil),
			want: http.StatusUnprocessableEntity, field: "package", fieldRule: "kind"},
		remote,
	})
}

// TestServiceReopenAndObligationsThroughAPI: the customer reopens a
// resolved ticket; the manager submits documents the service owes.
func TestServiceReopenAndObligationsThroughAPI(t *testing.T) {
	f := newFixture(t)
	mgr, cust, aud := f.as(t, store.RoleManager), f.as(t, store.RoleCustomer), f.as(t, store.RoleAuditor)
	other := f.asToken(t, f.customerToken(t, "globex"))
	id := fmt.Sprintf("pp-%d", time.Now().UnixNano())
	base := "/v1/services/" + id
	today := time.Now().In(calendar.Zone()).Format(time.RFC3339)
	wantStatus(t, mgr.post("/v1/services", map[string]any{"service_id": id, "customer_id": "acme", "package": "partner-premium", "start": today}), http.StatusCreated)

	// Ticket 1 is resolved, then reopened by the customer.
	wantStatus(t, cust.post(base+"/tickets", map[string]any{"severity": "medium", "title": "VPN drops every hour"}), http.StatusCreated)
	wantStatus(t, mgr.post(base+"/tickets/1/resolution", map[string]any{"resolution": "Raised the IKE lifetime."}), http.StatusOK)
	reopen := base + "/tickets/1/reopen"
	reason := map[string]any{"reason": "It still drops after the change."}
	runAPICases(t, []apiCase{
		{name: "no reason", as: cust, path: reopen, body: map[string]any{}, want: http.StatusBadRequest, field: "reason", fieldRule: "required"},
		{name: "another customer", as: other, path: reopen, body: reason, want: http.StatusNotFound},
		{name: "the manager", as: mgr, path: reopen, body: reason, want: http.StatusForbidden},
		{name: "the auditor", as: aud, path: reopen, body: reason, want: http.StatusForbidden},
		{name: "no such ticket", as: cust, path: base + "/tickets/2/reopen", body: reason, want: http.StatusNotFound},
		{name: "the customer", as: cust, path: reopen, body: reason, want: http.StatusOK},
		{name: "reopened already", as: cust, path: reopen, body: reason, want: http.StatusConflict, rule: workflows.RuleState},
	})
	var ts workflows.TicketState
	rec := cust.get(base + "/tickets/1")
	wantStatus(t, rec, http.StatusOK)
	decode(t, rec, &ts)
	switch {
	case ts.Status != workflows.TicketResponded || ts.Resolution != nil:
		t.Errorf("reopened ticket is %s with resolution %+v", ts.Status, ts.Resolution)
	case len(ts.Reopens) != 1 || ts.Reopens[0].Note != reason["reason"] || ts.Reopens[0].By.Role != workflows.RoleCustomer:
		t.Errorf("reopens %+v", ts.Reopens)
	case !ts.SLA.Decided || !ts.SLA.Met:
		t.Errorf("the response outcome changed on reopening: %+v", ts.SLA)
	case !slices.ContainsFunc(ts.Events, func(e workflows.Event) bool { return e.Type == workflows.EventTicketReopened }):
		t.Errorf("no %s event: %+v", workflows.EventTicketReopened, ts.Events)
	}

	// Obligations: the partner plans owe no documents, so every key is
	// unknown to the workflow (400, rule unknown); the API's own checks
	// come first.
	sha := strings.Repeat("ab", 32)
	doc := map[string]any{"title": "Monthly Operations Report", "uri": "https://docs.example.com/mor.pdf", "sha256": sha}
	with := func(k string, v any) map[string]any {
		out := map[string]any{}
		for key, val := range doc {
			out[key] = val
		}
		out[k] = v
		return out
	}
	submit := base + "/obligations/monthly-operations-report/submissions"
	runAPICases(t, []apiCase{
		{name: "bad sha256", as: mgr, path: submit, body: with("sha256", "ABC"), want: http.StatusBadRequest, field: "sha256", fieldRule: "sha256hex"},
		{name: "no title", as: mgr, path: submit, body: with("title", ""), want: http.StatusBadRequest, field: "title", fieldRule: "required"},
		{name: "relative uri", as: mgr, path: submit, body: with("uri", "mor.pdf"), want: http.StatusBadRequest, field: "uri", fieldRule: "uri"},
		{name: "negative month", as: mgr, path: submit, body: with("month", -1), want: http.StatusBadRequest, field: "month", fieldRule: "min"},
		{name: "the customer", as: cust, path: submit, body: doc, want: http.StatusForbidden},
		{name: "no such service", as: mgr, path: "/v1/services/no-such-service/obligations/x/submissions", body: doc, want: http.StatusNotFound},
		{name: "an obligation the plan does not have", as: mgr, path: submit, body: doc, want: http.StatusBadRequest,
			rule: workflows.RuleUnknown, field: "obligation", fieldRule: workflows.RuleUnknown},
	})

	// A package whose service plan owes a periodic document takes it.
	code, opts, key := periodicObligationPackage(t)
	if code == "" {
		t.Fatal("no catalog package runs as a service owing a periodic document (hybrid-base-remote-om should)")
	}
	sid := id + "-ob"
	sbase := "/v1/services/" + sid
	wantStatus(t, mgr.post("/v1/services", map[string]any{"service_id": sid, "customer_id": "acme", "package": code, "start": today, "options": opts}), http.StatusCreated)
	submit = sbase + "/obligations/" + key + "/submissions"
	runAPICases(t, []apiCase{
		{name: code + " month in progress", as: mgr, path: submit, body: doc, want: http.StatusOK},
		{name: code + " month not started", as: mgr, path: submit, body: with("month", 2), want: http.StatusConflict, rule: workflows.RuleState},
		{name: code + " a ticket for a periodic obligation", as: mgr, path: submit, body: with("ticket", 1), want: http.StatusBadRequest, field: "ticket"},
	})
	var st workflows.ServiceState
	rec = aud.get(sbase)
	wantStatus(t, rec, http.StatusOK)
	decode(t, rec, &st)
	i := slices.IndexFunc(st.Obligations, func(o workflows.ObligationState) bool { return o.Key == key })
	if i < 0 || len(st.Obligations[i].Submissions) != 1 || st.Obligations[i].Submissions[0].SHA256 != sha || st.Obligations[i].Submissions[0].Month != 1 {
		t.Errorf("obligations %+v", st.Obligations)
	}
}

// periodicObligationPackage finds a catalog package that runs as a service
// owing a periodic document: its code, start options and the obligation's
// key; "" when there is none.
func periodicObligationPackage(t *testing.T) (string, catalog.Options, string) {
	t.Helper()
	cat := catalog.Default()
	for _, p := range cat.Packages() {
		if len(p.ResponseTargets) == 0 {
			continue
		}
		var opts catalog.Options
		for _, o := range p.Options {
			if o.Required && o.Field == catalog.OptionUsers {
				opts.Users = max(o.Min, 1)
			}
		}
		pl, err := cat.Plan(p.Code, opts)
		if err != nil {
			continue
		}
		sp, err := pl.Service(time.Now(), time.Time{})
		if err != nil {
			continue
		}
		for _, o := range sp.Obligations {
			if o.Cadence != plan.CadencePerIncident {
				return p.Code, opts, o.Key
			}
		}
	}
	return "", catalog.Options{}, ""
}
