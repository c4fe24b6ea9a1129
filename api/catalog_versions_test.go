package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/sowflow/sowflow/calendar"
	"github.com/sowflow/sowflow/catalog"
	"github.com/sowflow/sowflow/store"
	"github.com/sowflow/sowflow/testenv"
	"github.com/sowflow/sowflow/workflows"
)

// upload sends a package file to PUT /v1/catalog/{code} with contentType.
func (c caller) upload(code, contentType string, body []byte) *httptest.ResponseRecorder {
	c.t.Helper()
	req := httptest.NewRequest(http.MethodPut, "/v1/catalog/"+code, strings.NewReader(string(body)))
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Idempotency-Key", fmt.Sprintf("upload-%d", keySeq.Add(1)))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	rec := httptest.NewRecorder()
	c.f.handler.ServeHTTP(rec, req)
	return rec
}

// uploaded uploads a file and fails unless it is stored as a draft.
func (c caller) uploaded(code, contentType string, body []byte) catalogVersionDetail {
	c.t.Helper()
	rec := c.upload(code, contentType, body)
	wantStatus(c.t, rec, http.StatusCreated)
	var v catalogVersionDetail
	decode(c.t, rec, &v)
	if v.Status != versionDraft || v.InForce || rec.Header().Get("Location") != versionPath(code, v.Version) {
		c.t.Fatalf("upload answered %+v, Location %q", v.catalogVersion, rec.Header().Get("Location"))
	}
	return v
}

// publish publishes version n of code and fails unless it is in force.
func (c caller) publish(code string, n int) catalogVersionDetail {
	c.t.Helper()
	rec := c.post(fmt.Sprintf("%s/publish", versionPath(code, n)), nil)
	wantStatus(c.t, rec, http.StatusOK)
	var v catalogVersionDetail
	decode(c.t, rec, &v)
	if v.Status != versionPublished || !v.InForce || v.PublishedBy == "" {
		c.t.Fatalf("publication answered %+v", v.catalogVersion)
	}
	return v
}

// testPackage reads a package file of catalog/testdata.
func testPackage(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("../catalog/testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// admins returns two callers with admin tokens of two different people.
func admins(t *testing.T, f *fixture) (caller, caller) {
	t.Helper()
	_, second, err := f.store.CreateToken(context.Background(), store.TokenSpec{Name: "second admin", Role: store.RoleAdmin, CreatedBy: "test"})
	if err != nil {
		t.Fatal(err)
	}
	return f.as(t, store.RoleAdmin), f.asToken(t, second)
}

// forgetVersions drops the stored versions of code, so a test starts from
// the compiled-in catalog however often it runs on the package's database.
func forgetVersions(t *testing.T, code string) {
	t.Helper()
	if _, err := testenv.Get(t).Pool.Exec(context.Background(), `DELETE FROM catalog_versions WHERE code = $1`, code); err != nil {
		t.Fatal(err)
	}
}

// TestCatalogUploadRefused: a file that breaks the schema or the catalog's
// rules is refused with every defect placed; nothing is stored.
func TestCatalogUploadRefused(t *testing.T) {
	f := newFixture(t)
	forgetVersions(t, "security-assessment")
	admin, _ := admins(t, f)
	good := string(testPackage(t, "security-assessment.yaml"))
	broken := strings.NewReplacer(
		"acceptance: deemed", "acceptance: silently",
		"final_acceptance: acceptance-form", "final_acceptance: no-such-form",
		"    party: provider\n", "",
	).Replace(good)
	tests := []struct {
		name        string
		as          caller
		contentType string
		body        string
		status      int
		problem     string
		// errors are "field rule line" of the answer's errors[], in order;
		// line 0 is not checked.
		errors []string
	}{
		{"manager", f.as(t, store.RoleManager), "application/yaml", good, http.StatusForbidden, ProblemForbidden, nil},
		{"no content type", admin, "", good, http.StatusUnsupportedMediaType, ProblemMediaType, nil},
		{"text", admin, "text/plain", good, http.StatusUnsupportedMediaType, ProblemMediaType, nil},
		{"schema errors, all at once", admin, "application/yaml", broken, http.StatusUnprocessableEntity, ProblemPackageInvalid,
			[]string{"clocks[1].party required 0", "phases[0].deliverables[0].acceptance enum 0"}},
		{"catalog rule", admin, "application/yaml", strings.Replace(good, "final_acceptance: acceptance-form", "final_acceptance: no-such-form", 1),
			http.StatusUnprocessableEntity, ProblemPackageInvalid, []string{"final_acceptance catalog " + lineOf(good, "final_acceptance:")}},
		{"another code", admin, "application/yaml", strings.Replace(good, "code: security-assessment", "code: managed-services", 1),
			http.StatusUnprocessableEntity, ProblemPackageInvalid, []string{"code file " + lineOf(good, "code:")}},
		{"yaml as json", admin, "application/json", good, http.StatusUnprocessableEntity, ProblemPackageInvalid, []string{"body json 1"}},
		{"json syntax", admin, "application/json; charset=utf-8", "{\n  \"code\": \"security-assessment\",\n  \"name\": }", http.StatusUnprocessableEntity, ProblemPackageInvalid,
			[]string{"body json 3"}},
		{"yaml syntax", admin, "application/yaml", "code: [unclosed\n", http.StatusUnprocessableEntity, ProblemPackageInvalid, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.as.t = t
			rec := tt.as.upload("security-assessment", tt.contentType, []byte(tt.body))
			wantStatus(t, rec, tt.status)
			p := problemOf(t, rec)
			if p.Type != tt.problem {
				t.Fatalf("problem %s, want %s", p.Type, tt.problem)
			}
			if tt.errors == nil {
				return
			}
			var got []string
			for _, e := range p.Errors {
				if e.Line < 1 || e.Column < 1 || e.Detail == "" {
					t.Errorf("error not placed: %+v", e)
				}
				got = append(got, fmt.Sprintf("%s %s %d", e.Field, e.Rule, e.Line))
			}
			for i, want := range tt.errors {
				if i >= len(got) {
					t.Fatalf("errors %v, want %v", got, tt.errors)
				}
				if strings.HasSuffix(want, " 0") {
					got[i] = got[i][:strings.LastIndex(got[i], " ")] + " 0"
				}
				if got[i] != want {
					t.Errorf("error %d: %q, want %q (all: %v)", i, got[i], want, got)
				}
			}
		})
	}
	rec := f.as(t, store.RoleAdmin).get("/v1/catalog/security-assessment/versions")
	wantStatus(t, rec, http.StatusNotFound)
}

// lineOf is the line number of the first line of s starting with prefix.
func lineOf(s, prefix string) string {
	for i, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, prefix) {
			return fmt.Sprint(i + 1)
		}
	}
	return "?"
}

// TestSecurityAssessmentPackageEndToEnd writes a package that is in no seed
// (a three-phase security assessment with a deemed report, an explicit one
// with a measured threshold, a 30-natural-day delivery clock and a quota),
// uploads it, has a second admin publish it, starts a project of it and
// drives it to final acceptance — no Go code written for it. A revised
// version, uploaded as JSON, is diffed and published: the running project
// keeps the version it started on, and new starts take the new one.
func TestSecurityAssessmentPackageEndToEnd(t *testing.T) {
	f := newFixture(t)
	const code = "security-assessment"
	forgetVersions(t, code)
	alice, bob := admins(t, f)
	mgr, aud := f.as(t, store.RoleManager), f.as(t, store.RoleAuditor)
	sfx := unique(t)
	customerID := "sec-" + sfx
	cust := f.asToken(t, f.customerToken(t, customerID))
	start := func(id string) map[string]any {
		return map[string]any{"project_id": id, "customer_id": customerID, "package": code,
			"dates": map[string]string{"purchase": "2026-11-02T10:00:00+08:00"}}
	}

	// Alice uploads; a draft starts nothing.
	src := testPackage(t, "security-assessment.yaml")
	v1 := alice.uploaded(code, "application/yaml", src)
	if v1.Version != 1 || v1.Source != string(src) || v1.Package.Code != code || !strings.HasPrefix(v1.Digest, "sha256:") {
		t.Fatalf("version 1: %+v", v1.catalogVersion)
	}
	rec := mgr.post("/v1/projects", start("sa-early-"+sfx))
	wantStatus(t, rec, http.StatusBadRequest)
	if problemFields(problemOf(t, rec))["package"] != "packagecode" {
		t.Fatalf("a start of a draft: %s", rec.Body)
	}

	// Four eyes: Alice may not publish her own upload; Bob may, once.
	rec = alice.post(versionPath(code, 1)+"/publish", nil)
	wantStatus(t, rec, http.StatusForbidden)
	if p := problemOf(t, rec); p.Rule != RuleFourEyes || p.Type != ProblemForbidden {
		t.Fatalf("self-publication: %s", rec.Body)
	}
	wantStatus(t, mgr.post(versionPath(code, 1)+"/publish", nil), http.StatusForbidden)
	pub := bob.publish(code, 1)
	if pub.Digest != v1.Digest || pub.PublishedBy != "token:"+f.tokenID(t, bob.token) || pub.UploadedBy != "token:"+f.tokenID(t, alice.token) {
		t.Fatalf("published %+v", pub.catalogVersion)
	}
	rec = bob.post(versionPath(code, 1)+"/publish", nil)
	wantStatus(t, rec, http.StatusConflict)
	if p := problemOf(t, rec); p.Rule != RuleAlreadyPublished {
		t.Fatalf("second publication: %s", rec.Body)
	}
	wantStatus(t, bob.post(versionPath(code, 9)+"/publish", nil), http.StatusNotFound)

	// The package is in the catalog now, for every reader.
	var pkg catalog.Package
	cust.must(cust.get("/v1/catalog/"+code), http.StatusOK, &pkg)
	if pkg.Name != "Security Assessment" || len(pkg.Phases) != 3 {
		t.Fatalf("package %s with %d phases", pkg.Name, len(pkg.Phases))
	}

	// Start a project and drive it to final acceptance.
	id := "sa-" + sfx
	started := mgr.start(start(id))
	if s := started.State; s == nil || s.Package.Code != code || s.Package.Version != 1 || s.Package.Digest != v1.Digest || s.Phase != "kickoff" {
		t.Fatalf("first state %+v", started.State)
	}
	mgr.act(submissionPath(id, "scope-note"), document("scope note"))
	cust.act(decisionPath(id, "scope-note"), accept)
	mgr.act(advancePath(id, "kickoff"), nil)
	// The findings report carries its measured coverage: 95% at least.
	low := document("findings v1")
	low["measured"] = map[string]float64{"coverage": 90}
	rec = mgr.post(submissionPath(id, "findings-report"), low)
	if rec.Code < 400 || !strings.Contains(rec.Body.String(), "coverage") {
		t.Fatalf("a coverage of 90%% is accepted: %d %s", rec.Code, rec.Body)
	}
	full := document("findings v2")
	full["measured"] = map[string]float64{"coverage": 97.5}
	mgr.act(submissionPath(id, "findings-report"), full)
	cust.act(decisionPath(id, "findings-report"), accept)
	mgr.act(advancePath(id, "assessment"), nil)
	mgr.act(submissionPath(id, "acceptance-form"), document("acceptance form"))
	cust.act(decisionPath(id, "acceptance-form"), accept)
	res, _ := cust.act(projectPath(id, "/final-acceptance"), map[string]string{"note": "signed"})
	if n := len(res.Events); n == 0 || res.Events[n-1].Type != workflows.EventProjectCompleted {
		t.Fatalf("final acceptance recorded %+v", res.Events)
	}
	st := aud.state(id)
	if st.Status != workflows.StatusCompleted || st.Package.Version != 1 || st.Package.Digest != v1.Digest {
		t.Fatalf("final state: %s, package %+v", st.Status, st.Package)
	}
	var clockKeys []string
	for _, cl := range st.Clocks {
		clockKeys = append(clockKeys, cl.Key)
	}
	if !strings.Contains(strings.Join(clockKeys, ","), "delivery") {
		t.Errorf("the 30-day delivery clock is not among %v", clockKeys)
	}

	// A project running on version 1 while a revision is published.
	running := "sa-run-" + sfx
	mgr.start(start(running))

	// Bob revises the price and the delivery clock, as JSON.
	revised := v1.Package
	revised.Pricing.ListPrice = 15000
	revised.Pricing.Text = "USD 15,000 per assessment."
	for i := range revised.Clocks {
		if revised.Clocks[i].Key == "delivery" {
			revised.Clocks[i].Duration.Value = 45
		}
	}
	body, err := json.MarshalIndent(revised, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	v2 := bob.uploaded(code, "application/json", body)
	if v2.Version != 2 || v2.SourceType != store.CatalogSourceJSON || v2.Digest == v1.Digest {
		t.Fatalf("version 2: %+v", v2.catalogVersion)
	}
	var diff catalogDiff
	aud.must(aud.get("/v1/catalog/"+code+"/diff?from=1&to=2"), http.StatusOK, &diff)
	for _, want := range []string{"~ pricing.list_price: 12000 → 15000", "~ clocks[delivery].duration.value: 30 → 45"} {
		if !strings.Contains(diff.Text, want) {
			t.Errorf("diff lacks %q:\n%s", want, diff.Text)
		}
	}
	wantStatus(t, aud.get("/v1/catalog/"+code+"/diff?from=1&to=x"), http.StatusBadRequest)
	wantStatus(t, aud.get("/v1/catalog/"+code+"/diff?from=1&to=7"), http.StatusNotFound)
	wantStatus(t, cust.get("/v1/catalog/"+code+"/diff?from=1&to=2"), http.StatusForbidden)

	var list catalogVersionList
	mgr.must(mgr.get("/v1/catalog/"+code+"/versions"), http.StatusOK, &list)
	if len(list.Versions) != 2 || !list.Versions[0].InForce || list.Versions[1].Status != versionDraft {
		t.Fatalf("versions %+v", list.Versions)
	}
	alice.publish(code, 2)
	rec = bob.post(versionPath(code, 1)+"/publish", nil)
	wantStatus(t, rec, http.StatusConflict)

	// The running project keeps version 1; a new one starts on version 2.
	if st := mgr.state(running); st.Package.Version != 1 || st.Package.Digest != v1.Digest {
		t.Errorf("running project moved to %+v", st.Package)
	}
	next := mgr.start(start("sa-next-" + sfx))
	if next.State == nil || next.State.Package.Version != 2 || next.State.Package.Digest != v2.Digest {
		t.Fatalf("new start on %+v", next.State)
	}
	var one catalogVersionDetail
	aud.must(aud.get(versionPath(code, 1)), http.StatusOK, &one)
	if one.InForce || one.Source != string(src) || one.Package.Pricing.ListPrice != 12000 {
		t.Errorf("version 1 now: %+v", one.catalogVersion)
	}

	// Uploads and publications are on the system audit chain with the digest.
	recs, err := f.store.AuditRecords(context.Background(), store.SystemChain, 0, 100000)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, r := range recs {
		if r.Action == store.ActionCatalogUpload || r.Action == store.ActionCatalogPublish {
			for _, d := range []string{v1.Digest, v2.Digest} {
				if strings.Contains(string(r.Payload), d) {
					seen[r.Action+" "+d] = true
				}
			}
		}
	}
	if len(seen) != 4 {
		t.Errorf("audited %v, want both uploads and both publications", seen)
	}
}

// TestSupportPackageEndToEnd writes a support plan that is in no seed, with
// two severities answered within business hours, uploads and publishes it,
// starts a service of it and drives a ticket through: opened, answered,
// resolved, closed by the customer.
func TestSupportPackageEndToEnd(t *testing.T) {
	f := newFixture(t)
	const code = "support-basic"
	forgetVersions(t, code)
	alice, bob := admins(t, f)
	mgr, cust := f.as(t, store.RoleManager), f.as(t, store.RoleCustomer)

	v := bob.uploaded(code, "application/yaml", testPackage(t, "support-basic.yaml"))
	alice.publish(code, v.Version)

	id := "sb-" + unique(t)
	base := "/v1/services/" + id
	today := time.Now().In(calendar.Zone()).Format(time.RFC3339)
	rec := mgr.post("/v1/services", map[string]any{"service_id": id, "customer_id": "acme", "package": code, "start": today})
	wantStatus(t, rec, http.StatusCreated)
	var st workflows.ServiceState
	cust.must(cust.get(base), http.StatusOK, &st)
	if st.Status != workflows.ServiceActive || st.Package.Code != code || st.Package.Version != v.Version || st.Package.Digest != v.Digest {
		t.Fatalf("service %s on %+v", st.Status, st.Package)
	}

	// A severity the package does not have is refused.
	wantStatus(t, cust.post(base+"/tickets", map[string]any{"severity": "critical", "title": "?"}), http.StatusBadRequest)
	rec = cust.post(base+"/tickets", map[string]any{"severity": "high", "title": "The web tier answers 502"})
	wantStatus(t, rec, http.StatusCreated)
	var ts workflows.TicketState
	cust.must(cust.get(base+"/tickets/1"), http.StatusOK, &ts)
	if ts.Clock.Deadline.Spec.Kind != calendar.BusinessMinutes || ts.Clock.Deadline.Spec.N != 120 {
		t.Fatalf("ticket clock %+v, want 120 business minutes", ts.Clock)
	}
	wantStatus(t, mgr.post(base+"/tickets/1/response", map[string]any{"note": "looking into it"}), http.StatusOK)
	wantStatus(t, mgr.post(base+"/tickets/1/resolution", map[string]any{"resolution": "Restarted the stuck upstream pool."}), http.StatusOK)
	wantStatus(t, cust.post(base+"/tickets/1/closure", map[string]any{"note": "works again"}), http.StatusOK)
	cust.must(cust.get(base+"/tickets/1"), http.StatusOK, &ts)
	if ts.Status != workflows.TicketClosed || ts.Response == nil || !ts.SLA.Decided {
		t.Fatalf("ticket %s, response %+v, SLA %+v", ts.Status, ts.Response, ts.SLA)
	}
	// The yearly quota of the package is the service's.
	wantStatus(t, mgr.post(base+"/quotas/reviews/uses", map[string]any{"note": "first review"}), http.StatusOK)
}
