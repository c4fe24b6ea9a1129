package api

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/sowflow/sowflow/store"
)

// fuzzRoute is a mutating endpoint and the role that may use it.
type fuzzRoute struct {
	method string
	role   store.Role
	// path builds the path from a project ID and a key (deliverable, phase,
	// quota or year), both already escaped.
	path func(id, key string) string
}

var fuzzRoutes = []fuzzRoute{
	{http.MethodPost, store.RoleManager, func(string, string) string { return "/v1/projects" }},
	{http.MethodPost, store.RoleManager, func(id, key string) string { return "/v1/projects/" + id + "/deliverables/" + key + "/submissions" }},
	{http.MethodPost, store.RoleCustomer, func(id, key string) string { return "/v1/projects/" + id + "/deliverables/" + key + "/decision" }},
	{http.MethodPost, store.RoleManager, func(id, key string) string { return "/v1/projects/" + id + "/phases/" + key + "/advance" }},
	{http.MethodPost, store.RoleManager, func(id, _ string) string { return "/v1/projects/" + id + "/delays/open" }},
	{http.MethodPost, store.RoleManager, func(id, _ string) string { return "/v1/projects/" + id + "/delays/close" }},
	{http.MethodPost, store.RoleManager, func(id, key string) string { return "/v1/projects/" + id + "/quotas/" + key + "/uses" }},
	{http.MethodPost, store.RoleCustomer, func(id, _ string) string { return "/v1/projects/" + id + "/final-acceptance" }},
	{http.MethodPost, store.RoleManager, func(id, _ string) string { return "/v1/projects/" + id + "/termination" }},
	{http.MethodPut, store.RoleAdmin, func(_, key string) string { return "/v1/calendars/cn/years/" + key }},
}

// Route indexes, for the seeds.
const (
	fzStart = iota
	fzSubmit
	fzDecide
	fzAdvance
	fzOpenDelay
	fzCloseDelay
	fzQuota
	fzFinal
	fzTerminate
	fzYear
)

// fuzzKeys are the path keys the fuzzer picks from.
var fuzzKeys = []string{"kickoff-meeting-report", "kickoff", "implementation-solution", "project-acceptance-report",
	"2027", "no-such-key", "..", "a b", "%2F", "", strings.Repeat("k", 300)}

// FuzzMutatingEndpoints sends arbitrary bytes as the body of every mutating
// endpoint, as the role the endpoint is for, on projects that exist, belong
// to another customer, have ended or do not exist, with fresh and reused
// Idempotency-Keys. Whatever it sends, the answer is never a 500, and it is
// either a problem document or a JSON success.
func FuzzMutatingEndpoints(f *testing.F) {
	fx := newFixtureTB(f, "fuzz")
	sfx := unique(f)
	send := func(r request) {
		if rec := fx.send(r); rec.Code >= 300 {
			f.Fatalf("set-up %s %s: %d %s", r.method, r.path, rec.Code, rec.Body)
		}
	}
	mgr := fx.tokens[store.RoleManager]
	active, ended, other := "fz-"+sfx, "fz-end-"+sfx, "fz-other-"+sfx
	for _, p := range []struct{ id, customer string }{{active, "acme"}, {ended, "acme"}, {other, "globex-" + sfx}} {
		send(request{method: http.MethodPost, path: "/v1/projects", token: mgr, body: jsonBody(f, msStart(p.id, p.customer))})
		send(request{method: http.MethodPost, path: submissionPath(p.id, "kickoff-meeting-report"), token: mgr, body: jsonBody(f, document("kickoff"))})
	}
	send(request{method: http.MethodPost, path: projectPath(ended, "/termination"), token: mgr, body: []byte(`{"reason":"fuzz"}`)})
	ids := []string{active, ended, other, "fz-none-" + sfx, "..", "a b", strings.Repeat("p", 80)}
	// A few fixed keys make the fuzzer replay and reuse keys too.
	reused := []string{"fz-key-a", "fz-key-b", "fz-key-c"}

	valid := map[int]string{
		fzStart:      string(jsonBody(f, msStart("fz-new-"+sfx, "acme"))),
		fzSubmit:     string(jsonBody(f, document("report"))),
		fzDecide:     `{"decision":"accept"}`,
		fzAdvance:    ``,
		fzOpenDelay:  `{"reason":"no site access","prerequisite":"on-premises-facilities"}`,
		fzCloseDelay: `{"note":"access granted"}`,
		fzQuota:      `{"note":"one more"}`,
		fzFinal:      `{"note":"signed"}`,
		fzTerminate:  `{"reason":"fuzzed"}`,
		fzYear:       `{"year":2027,"days":[]}`,
	}
	odd := []string{``, `{}`, `null`, `[]`, `"text"`, `0`, `{"x":1}`, `{"title":5}`, `{"decision":"accept","decision":"maybe"}`,
		`{"reason":"\ud800"}`, `{"round":1e999}`, `{"measured":{"":1}}`, `{"options":{"design_domains":[null]}}`,
		`{"dates":{"contract_signing":"2026-02-30T10:00:00+08:00"}}`, "\xff\xfe\x00", `{"a":` + strings.Repeat("[", 20000),
		`{} {}`, `{"project_id":"` + strings.Repeat("x", 5000) + `"}`}
	// Seeds: every route with a valid body and with odd ones, on the
	// active, ended, other customer's and missing projects, with fresh keys
	// (idem 0) and, for a few, reused ones (idem 7).
	for route := range fuzzRoutes {
		target := uint8(0) // the active project
		if route == fzTerminate {
			target = 2 // the other customer's: the active one stays active
		}
		f.Add(uint8(route), target, uint8(0), uint8(0), []byte(valid[route]))
		for i, body := range odd {
			f.Add(uint8(route), uint8(i%4), uint8(i), uint8(0), []byte(body))
		}
		f.Add(uint8(route), uint8(0), uint8(0), uint8(7), []byte(valid[route]))
		f.Add(uint8(route), uint8(0), uint8(0), uint8(7), []byte(odd[1]))
	}
	// Walk the active project a little so that later inputs meet other states.
	f.Add(uint8(fzAdvance), uint8(0), uint8(1), uint8(0), []byte(``))
	f.Add(uint8(fzSubmit), uint8(0), uint8(2), uint8(0), []byte(valid[fzSubmit]))
	f.Add(uint8(fzDecide), uint8(0), uint8(2), uint8(0), []byte(`{"decision":"reject","reason":"incomplete"}`))
	f.Add(uint8(fzSubmit), uint8(0), uint8(2), uint8(0), []byte(valid[fzSubmit]))

	f.Fuzz(func(t *testing.T, route, id, key, idem uint8, body []byte) {
		r := fuzzRoutes[int(route)%len(fuzzRoutes)]
		path := r.path(url.PathEscape(ids[int(id)%len(ids)]), url.PathEscape(fuzzKeys[int(key)%len(fuzzKeys)]))
		req := request{method: r.method, path: path, token: fx.tokens[r.role], body: body}
		if n := int(idem) % 8; n >= 8-len(reused) {
			req.key = reused[n-(8-len(reused))]
		}
		rec := fx.send(req)
		switch {
		case rec.Code == http.StatusInternalServerError:
			t.Fatalf("%s %s %q: 500: %s", r.method, path, body, rec.Body)
		case rec.Code == http.StatusServiceUnavailable && rec.Header().Get("Retry-After") == "":
			t.Fatalf("%s %s %q: 503 without Retry-After: %s", r.method, path, body, rec.Body)
		case rec.Code >= 500 && rec.Code != http.StatusServiceUnavailable:
			t.Fatalf("%s %s %q: %d: %s", r.method, path, body, rec.Code, rec.Body)
		}
		ct := rec.Header().Get("Content-Type")
		if rec.Code >= 400 {
			var p Problem
			if ct != ProblemContentType || json.Unmarshal(rec.Body.Bytes(), &p) != nil || p.Status != rec.Code || !strings.HasPrefix(p.Type, "urn:sowflow:problem:") {
				t.Fatalf("%s %s %q: %d %s is not a problem document: %s", r.method, path, body, rec.Code, ct, rec.Body)
			}
			return
		}
		if rec.Code < 200 || rec.Code > 299 || !strings.HasPrefix(ct, "application/json") || !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("%s %s %q: %d %s: %s", r.method, path, body, rec.Code, ct, rec.Body)
		}
	})
}
