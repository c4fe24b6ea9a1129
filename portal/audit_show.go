package portal

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/sowflow/sowflow/api"
	"github.com/sowflow/sowflow/store"
	"github.com/sowflow/sowflow/workflows"
)

// The auditor's pages: the start (/audit) with the projects and services
// and the verification of the audit chains, a project's workflow history
// with its export (audit_history.go), and the replay of an uploaded export
// (audit_replay.go). Everything is read through the API as the signed-in
// person: the API decides who may verify, read history and replay.
const pathAudit = "/audit"

// auditListLimit is how many projects and services a page of the audit
// start lists.
const auditListLimit = 50

// auditRoles are the roles the audit link is shown to: those the API lets
// verify the audit chains.
var auditRoles = []store.Role{store.RoleAuditor, store.RoleAdmin}

func init() {
	addNav(navEntry{Order: 40, Path: pathAudit, Key: "aud_nav", Roles: auditRoles})
}

// routeAudit registers the auditor's pages.
func (p *Portal) routeAudit() {
	p.mux.HandleFunc("GET "+pathAudit, p.page(p.showAudit, true))
	p.mux.HandleFunc("GET "+pathAudit+"/projects/{id}", p.page(p.showAuditHistory, true))
	p.mux.HandleFunc("GET "+pathAudit+"/projects/{id}/export", p.page(p.downloadAuditExport("project"), true))
	p.mux.HandleFunc("GET "+pathAudit+"/services/{id}/export", p.page(p.downloadAuditExport("service"), true))
	p.mux.HandleFunc("GET "+pathAudit+"/replay", p.page(p.showReplay, true))
	p.mux.HandleFunc("POST "+pathAudit+"/replay", p.replayUploadForm(p.replayUpload))
}

// auditHistoryPath is the page of project id's workflow history.
func auditHistoryPath(id string) string { return pathAudit + "/projects/" + url.PathEscape(id) }

// auditPage is the data of GET /audit.
type auditPage struct {
	Query string
	// Lists is false when the API lets the person verify the chains but not
	// list projects (an admin).
	Lists    bool
	Projects []auditProjectRow
	Services []auditServiceRow
	// NextProjects and NextServices are the links to the next pages.
	NextProjects, NextServices string
	Verify                     auditVerifyView
}

type auditProjectRow struct {
	ID, History, CustomerID, Package, Status, Phase string
}

type auditServiceRow struct {
	ID, Path, CustomerID, Package, Status string
	// Export downloads the service workflow's history.
	Export string
}

// auditVerifyView is the verification of every audit chain.
type auditVerifyView struct {
	OK              bool
	Chains, Records int64
	Broken          int
	VerifiedAt      string
	Shown           []auditChainView
	Hidden          int
}

// auditChainView is one chain with its head.
type auditChainView struct {
	Chain            string
	OK               bool
	Records, LastSeq int64
	Head, HeadShort  string
	BrokenSeq        int64
	BrokenID         int64
	Problem, Detail  string
}

// showAudit is the auditor's start: the audit chains verified now, and the
// projects and services to open, filtered by ID or customer.
func (p *Portal) showAudit(w http.ResponseWriter, r *request) {
	var rep store.AuditReport
	if err := p.call(r, http.MethodGet, "/v1/audit/verify", "", nil, &rep); err != nil {
		p.apiFailed(w, r, "verify audit chains", err)
		return
	}
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	page := auditPage{Query: q, Lists: true, Verify: auditVerify(r, rep, q)}
	if err := p.auditLists(r, &page); err != nil {
		var prob api.Problem
		if !errors.As(err, &prob) || prob.Status != http.StatusForbidden {
			p.apiFailed(w, r, "list projects and services", err)
			return
		}
		page.Lists = false
	}
	v := p.newView(r, "aud_title")
	v.Page = page
	p.render(w, r, http.StatusOK, "audit", v)
}

// auditVerify is the report in words; with a filter q, only the chains of
// a customer q names, the system chain and every broken chain are shown.
func auditVerify(r *request, rep store.AuditReport, q string) auditVerifyView {
	v := auditVerifyView{OK: rep.OK, Chains: int64(rep.ChainsChecked), Records: rep.RecordsChecked, Broken: len(rep.Broken),
		VerifiedAt: auditTime(r.Lang, r.now)}
	for _, c := range rep.Chains {
		if q != "" && c.OK && c.Chain != store.SystemChain && !strings.Contains(strings.ToLower(c.Chain), strings.ToLower(q)) {
			v.Hidden++
			continue
		}
		cv := auditChainView{Chain: c.Chain, OK: c.OK, Records: c.Records, LastSeq: c.LastSeq, Head: c.Head.String()}
		cv.HeadShort = auditShortHash(cv.Head)
		if b := c.Broken; b != nil {
			cv.BrokenSeq, cv.BrokenID, cv.Detail = b.Seq, b.ID, b.Detail
			cv.Problem = word(r.Lang, "aud_problem_", string(b.Problem))
		}
		v.Shown = append(v.Shown, cv)
	}
	// Broken chains first, then in chain order (as the API reports them).
	slices.SortStableFunc(v.Shown, func(a, b auditChainView) int {
		switch {
		case a.OK == b.OK:
			return 0
		case !a.OK:
			return -1
		}
		return 1
	})
	return v
}

// auditShortHash is the first 12 hex digits of a hash.
func auditShortHash(h string) string {
	if len(h) <= 12 {
		return h
	}
	return h[:12] + "…"
}

// auditLists reads the projects and services of page's filter: with a
// query, the project and service of that ID and those of the customer of
// that ID; without one, a page of each from the cursors of the request.
func (p *Portal) auditLists(r *request, page *auditPage) error {
	qs := r.URL.Query()
	if page.Query == "" {
		var projects struct {
			Items      []store.ProjectSummary `json:"items"`
			NextCursor string                 `json:"next_cursor"`
		}
		if err := p.call(r, http.MethodGet, auditListPath("/v1/projects", "", qs.Get("projects_after")), "", nil, &projects); err != nil {
			return err
		}
		var services struct {
			Items      []store.ServiceSummary `json:"items"`
			NextCursor string                 `json:"next_cursor"`
		}
		if err := p.call(r, http.MethodGet, auditListPath("/v1/services", "", qs.Get("services_after")), "", nil, &services); err != nil {
			return err
		}
		page.Projects = p.auditProjectRows(r, projects.Items)
		page.Services = p.auditServiceRows(r, services.Items)
		if projects.NextCursor != "" {
			page.NextProjects = pathAudit + "?" + url.Values{"projects_after": {projects.NextCursor}, "services_after": {qs.Get("services_after")}}.Encode()
		}
		if services.NextCursor != "" {
			page.NextServices = pathAudit + "?" + url.Values{"projects_after": {qs.Get("projects_after")}, "services_after": {services.NextCursor}}.Encode()
		}
		return nil
	}
	// The project and the service whose ID is the query.
	var st workflows.ProjectState
	switch err := p.call(r, http.MethodGet, "/v1/projects/"+url.PathEscape(page.Query), "", nil, &st); {
	case err == nil:
		page.Projects = append(page.Projects, p.auditProjectRows(r, []store.ProjectSummary{{ID: st.ProjectID, CustomerID: st.CustomerID,
			PackageCode: st.Package.Code, Status: string(st.Status), Phase: st.Phase}})...)
	case !auditNotFound(err):
		return err
	}
	var svc workflows.ServiceState
	switch err := p.call(r, http.MethodGet, "/v1/services/"+url.PathEscape(page.Query), "", nil, &svc); {
	case err == nil:
		page.Services = append(page.Services, p.auditServiceRows(r, []store.ServiceSummary{{ID: svc.ServiceID, CustomerID: svc.CustomerID,
			PackageCode: svc.Package.Code, Status: string(svc.Status)}})...)
	case !auditNotFound(err):
		return err
	}
	// Those of the customer whose ID is the query (one the API does not take
	// as a customer ID has none).
	var projects struct {
		Items []store.ProjectSummary `json:"items"`
	}
	if err := p.call(r, http.MethodGet, auditListPath("/v1/projects", page.Query, ""), "", nil, &projects); err != nil && !auditBadRequest(err) {
		return err
	}
	var services struct {
		Items []store.ServiceSummary `json:"items"`
	}
	if err := p.call(r, http.MethodGet, auditListPath("/v1/services", page.Query, ""), "", nil, &services); err != nil && !auditBadRequest(err) {
		return err
	}
	for _, row := range p.auditProjectRows(r, projects.Items) {
		if !slices.ContainsFunc(page.Projects, func(o auditProjectRow) bool { return o.ID == row.ID }) {
			page.Projects = append(page.Projects, row)
		}
	}
	for _, row := range p.auditServiceRows(r, services.Items) {
		if !slices.ContainsFunc(page.Services, func(o auditServiceRow) bool { return o.ID == row.ID }) {
			page.Services = append(page.Services, row)
		}
	}
	return nil
}

// auditListPath is an API list of auditListLimit items of customer (all when
// ""), after cursor.
func auditListPath(base, customer, cursor string) string {
	q := url.Values{"limit": {strconv.Itoa(auditListLimit)}}
	if customer != "" {
		q.Set("customer", customer)
	}
	if cursor != "" {
		q.Set("cursor", cursor)
	}
	return base + "?" + q.Encode()
}

func (p *Portal) auditProjectRows(r *request, items []store.ProjectSummary) []auditProjectRow {
	var out []auditProjectRow
	for _, it := range items {
		row := auditProjectRow{ID: it.ID, History: auditHistoryPath(it.ID), CustomerID: it.CustomerID, Package: it.PackageCode,
			Status: statusName(r.Lang, it.Status), Phase: it.Phase}
		if pkg, ok := p.deps.Catalog.Package(it.PackageCode); ok {
			row.Package = pkg.Name
			for _, ph := range pkg.Phases {
				if ph.Key == it.Phase {
					row.Phase = ph.Name
				}
			}
		}
		out = append(out, row)
	}
	return out
}

func (p *Portal) auditServiceRows(r *request, items []store.ServiceSummary) []auditServiceRow {
	var out []auditServiceRow
	for _, it := range items {
		row := auditServiceRow{ID: it.ID, Path: pathServices + "/" + url.PathEscape(it.ID), Export: pathAudit + "/services/" + url.PathEscape(it.ID) + "/export",
			CustomerID: it.CustomerID, Package: it.PackageCode,
			Status: serviceStatusName(r.Lang, it.Status)}
		if pkg, ok := p.deps.Catalog.Package(it.PackageCode); ok {
			row.Package = pkg.Name
		}
		out = append(out, row)
	}
	return out
}

// auditNotFound reports whether err is the API's 404.
func auditNotFound(err error) bool {
	var prob api.Problem
	return errors.As(err, &prob) && prob.Status == http.StatusNotFound
}

// auditBadRequest reports whether err is the API's 400 (a query it does not
// take).
func auditBadRequest(err error) bool {
	var prob api.Problem
	return errors.As(err, &prob) && prob.Status == http.StatusBadRequest
}
