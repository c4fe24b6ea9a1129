package api

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sowflow/sowflow/calendar"
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
		{s + "ServicePeriod", workflows.ServicePeriod{}, oasResponseSchema},
		{s + "ServiceQuotaState", workflows.ServiceQuotaState{}, oasResponseSchema},
		{s + "TicketsState", workflows.TicketsState{}, oasResponseSchema},
		{s + "TicketState", workflows.TicketState{}, oasResponseSchema},
		{s + "TicketClock", workflows.TicketClock{}, oasResponseSchema},
		{s + "TicketSLA", workflows.TicketSLA{}, oasResponseSchema},
		{s + "TicketAction", workflows.TicketAction{}, oasResponseSchema},
		{s + "SeverityChange", workflows.SeverityChange{}, oasResponseSchema},
	}
	for _, tt := range tests {
		t.Run(strings.TrimPrefix(tt.pointer, s), func(t *testing.T) {
			doc.checkSchema(t, tt.pointer, tt.goType, tt.kind)
		})
	}
}
