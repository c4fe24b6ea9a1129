package portal

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/sowflow/sowflow/catalog"
	"github.com/sowflow/sowflow/store"
	"github.com/sowflow/sowflow/workflows"
)

// The project's management page: the delivery manager's actions on one
// project, each a form sent through the API as the manager with the form's
// one-time key: advance the current phase, open and close a customer-caused
// delay, use a quota, terminate with a reason (after a confirmation step).
// Refusals are the refusal page with the contract rule and what is missing.

// managePage is the data of project_manage.html.
type managePage struct {
	ID, CustomerID, Package, Status string
	Active                          bool
	Phases                          []managePhase
	Deliverables                    []manageDeliverable
	Quotas                          []manageQuota
	OpenDelay                       *manageDelay
	Prerequisites                   []optionChoice
	// Errors are the form errors by field (delay_reason, termination_reason).
	Errors map[string]string
	// Confirm is set on the termination's confirmation step.
	Confirm *terminationConfirm
}

type managePhase struct {
	Key, Name, Status string
	Current           bool
}

type manageDeliverable struct {
	Key, Name, Phase, Status, Deadline string
	Overdue, CanSubmit                 bool
	SubmitPath                         string
}

type manageQuota struct {
	Key, Name, Unit string
	Used, Limit     int
	Left            bool
}

type manageDelay struct {
	Reason, Prerequisite, OpenedAt string
}

type terminationConfirm struct {
	Reason string
}

// manageDone are the notices after an action, by the done parameter of the
// redirect.
var manageDone = map[string]string{
	"started": "mgr_done_started", "submitted": "mgr_done_submitted", "advanced": "mgr_done_advanced",
	"delay-opened": "mgr_done_delay_opened", "delay-closed": "mgr_done_delay_closed",
	"quota-used": "mgr_done_quota_used", "terminated": "mgr_done_terminated",
}

func (p *Portal) showManage(w http.ResponseWriter, r *request) {
	page, ok := p.managePage(w, r)
	if !ok {
		return
	}
	p.renderManage(w, r, http.StatusOK, page)
}

func (p *Portal) renderManage(w http.ResponseWriter, r *request, status int, page *managePage) {
	v := p.newView(r, "mgr_manage_title")
	if key, ok := manageDone[r.URL.Query().Get("done")]; ok && r.Method == http.MethodGet {
		v.Notice = msg(r.Lang, key)
	}
	v.Page = page
	p.render(w, r, status, "project_manage", v)
}

// managePage reads the project of the path; it answers and returns false
// when it cannot.
func (p *Portal) managePage(w http.ResponseWriter, r *request) (*managePage, bool) {
	if !p.onlyManagers(w, r) {
		return nil, false
	}
	var st workflows.ProjectState
	if err := p.call(r, http.MethodGet, "/v1/projects/"+url.PathEscape(r.PathValue("id")), "", nil, &st); err != nil {
		p.apiFailed(w, r, "read project", err)
		return nil, false
	}
	page := &managePage{ID: st.ProjectID, CustomerID: st.CustomerID, Package: st.Package.Name,
		Status: statusName(r.Lang, string(st.Status)), Active: st.Status == workflows.StatusActive, Errors: map[string]string{}}
	phaseNames := map[string]string{}
	for _, ph := range st.Phases {
		phaseNames[ph.Key] = ph.Name
		page.Phases = append(page.Phases, managePhase{Key: ph.Key, Name: ph.Name, Status: msg(r.Lang, "mgr_phase_"+string(ph.Status)),
			Current: ph.Key == st.Phase && ph.Status == workflows.PhaseActive})
	}
	for _, d := range st.Deliverables {
		md := manageDeliverable{Key: d.Key, Name: d.Name, Phase: phaseNames[d.Phase], Status: msg(r.Lang, "mgr_deliverable_"+string(d.Status)),
			Overdue: d.Overdue, SubmitPath: submitPath(st.ProjectID, d.Key),
			CanSubmit: page.Active && (d.Status == workflows.DeliverablePending || d.Status == workflows.DeliverableRejected)}
		if !d.Deadline.IsZero() {
			md.Deadline = formatInstant(r.Lang, d.Deadline) + " · " + workingDaysLeft(r.Lang, r.now, d.Deadline)
		}
		page.Deliverables = append(page.Deliverables, md)
	}
	for _, q := range st.Quotas {
		page.Quotas = append(page.Quotas, manageQuota{Key: q.Key, Name: q.Name, Unit: q.Unit, Used: q.Used, Limit: q.Limit, Left: q.Used < q.Limit})
	}
	var pkg catalog.Package
	if err := p.call(r, http.MethodGet, "/v1/catalog/"+url.PathEscape(st.Package.Code), "", nil, &pkg); err == nil {
		for _, pr := range pkg.Prerequisites {
			page.Prerequisites = append(page.Prerequisites, optionChoice{Value: pr.Key, Label: prerequisiteLabel(pr)})
		}
	}
	for _, d := range st.Delays {
		if d.ClosedAt.IsZero() {
			page.OpenDelay = &manageDelay{Reason: d.Reason, Prerequisite: d.Prerequisite, OpenedAt: formatInstant(r.Lang, d.OpenedAt)}
			for _, pr := range pkg.Prerequisites {
				if pr.Key == d.Prerequisite {
					page.OpenDelay.Prerequisite = prerequisiteLabel(pr)
				}
			}
		}
	}
	return page, true
}

// prerequisiteLabelLength bounds a prerequisite's label in the delay form,
// so that its choices stay readable on a phone.
const prerequisiteLabelLength = 90

// prerequisiteLabel names a customer prerequisite by the contract's words
// (shortened to prerequisiteLabelLength characters), else by its key.
func prerequisiteLabel(pr catalog.Prerequisite) string {
	text := []rune(strings.TrimSpace(pr.Text))
	switch {
	case len(text) == 0:
		return pr.Key
	case len(text) > prerequisiteLabelLength:
		return strings.TrimSpace(string(text[:prerequisiteLabelLength-1])) + "…"
	}
	return string(text)
}

// manageAction is one form of the management page: build returns the API
// path and body from the form (or a field error to show), done names the
// notice after it.
func (p *Portal) manageAction(done string, build func(r *request, id string) (path string, body any, field, problem string)) handler {
	return func(w http.ResponseWriter, r *request) {
		if !p.onlyManagers(w, r) {
			return
		}
		id := r.PathValue("id")
		path, body, field, problem := build(r, id)
		if field != "" {
			page, ok := p.managePage(w, r)
			if !ok {
				return
			}
			page.Errors[field] = msg(r.Lang, problem)
			p.renderManage(w, r, http.StatusUnprocessableEntity, page)
			return
		}
		if err := p.call(r, http.MethodPost, path, r.PostFormValue(keyField), body, nil); err != nil {
			p.apiFailed(w, r, "project action", err)
			return
		}
		http.Redirect(w, r.Request, managePath(id)+"?done="+done, http.StatusSeeOther)
	}
}

func projectAPI(id string, rest ...string) string {
	parts := []string{"/v1/projects", url.PathEscape(id)}
	for _, s := range rest {
		parts = append(parts, url.PathEscape(s))
	}
	return strings.Join(parts, "/")
}

func (p *Portal) advancePhase() handler {
	return p.manageAction("advanced", func(r *request, id string) (string, any, string, string) {
		return projectAPI(id, "phases", r.PathValue("key"), "advance"), nil, "", ""
	})
}

func (p *Portal) openDelay() handler {
	return p.manageAction("delay-opened", func(r *request, id string) (string, any, string, string) {
		reason := strings.TrimSpace(r.PostFormValue("reason"))
		if reason == "" {
			return "", nil, "delay_reason", "mgr_rule_reason"
		}
		return projectAPI(id, "delays", "open"), map[string]string{"reason": reason, "prerequisite": r.PostFormValue("prerequisite")}, "", ""
	})
}

func (p *Portal) closeDelay() handler {
	return p.manageAction("delay-closed", func(r *request, id string) (string, any, string, string) {
		return projectAPI(id, "delays", "close"), map[string]string{"note": strings.TrimSpace(r.PostFormValue("note"))}, "", ""
	})
}

func (p *Portal) useQuota() handler {
	return p.manageAction("quota-used", func(r *request, id string) (string, any, string, string) {
		return projectAPI(id, "quotas", r.PathValue("key"), "uses"), map[string]string{"note": strings.TrimSpace(r.PostFormValue("note"))}, "", ""
	})
}

// terminate asks for confirmation first: the form without confirm shows
// the reason back with a confirm button (a new form key); only the
// confirmed form terminates.
func (p *Portal) terminate(w http.ResponseWriter, r *request) {
	if !p.onlyManagers(w, r) {
		return
	}
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	if reason == "" || r.PostFormValue("confirm") != "yes" {
		page, ok := p.managePage(w, r)
		if !ok {
			return
		}
		status := http.StatusOK
		if reason == "" {
			page.Errors["termination_reason"] = msg(r.Lang, "mgr_rule_reason")
			status = http.StatusUnprocessableEntity
		} else {
			page.Confirm = &terminationConfirm{Reason: reason}
		}
		p.renderManage(w, r, status, page)
		return
	}
	id := r.PathValue("id")
	if err := p.call(r, http.MethodPost, projectAPI(id, "termination"), r.PostFormValue(keyField), map[string]string{"reason": reason}, nil); err != nil {
		p.apiFailed(w, r, "terminate project", err)
		return
	}
	http.Redirect(w, r.Request, managePath(id)+"?done=terminated", http.StatusSeeOther)
}

// workingDaysLeft says how many China working days are left until t
// ("closes in 3 working days", "closed").
func workingDaysLeft(lang store.Language, now, t time.Time) string {
	if !t.After(now) {
		return msg(lang, "mgr_passed")
	}
	n := workingDaysBetween(now, t)
	switch n {
	case 0:
		return msg(lang, "mgr_today")
	case 1:
		return msg(lang, "mgr_one_working_day")
	}
	return fmt.Sprintf(msg(lang, "mgr_working_days"), n)
}
