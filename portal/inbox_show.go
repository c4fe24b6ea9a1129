package portal

import (
	"fmt"
	"net/http"

	"github.com/sowflow/sowflow/workflows"
)

// inboxProjectLimit bounds the active projects whose state the customer's
// inbox reads (one GET /v1/projects/{id} each).
const inboxProjectLimit = 200

// inbox is the customer's "awaiting your decision" list: every submitted
// deliverable of their active projects, and the final acceptances due.
type inbox struct {
	Items []inboxItem
	Final []inboxFinal
	// Partial is set when some project could not be read.
	Partial bool
}

// inboxItem is one submission awaiting the customer's decision.
type inboxItem struct {
	ProjectID, ProjectPath, Package string
	Deliverable                     deliverableView
	Round                           roundView
	Submission                      submissionView
	// DeemedWarning is the plain warning of a deemed deliverable:
	// accepted automatically when the window closes without an objection.
	DeemedWarning string
}

// inboxFinal is a project whose final acceptance the customer may sign.
type inboxFinal struct {
	ProjectID, ProjectPath, Package string
}

// customerInbox reads the signed-in customer's inbox through the API: their
// active projects with their states (GET /v1/projects?include=state,
// scoped by the API; the read model's states are written before an action
// answers, so a decision just made is in them).
func (p *Portal) customerInbox(r *request) (inbox, error) {
	var list projectList
	path := fmt.Sprintf("/v1/projects?status=active&include=state&limit=%d", inboxProjectLimit)
	if err := p.call(r, http.MethodGet, path, "", nil, &list); err != nil {
		return inbox{}, err
	}
	var out inbox
	wd := p.workdays(r)
	for _, it := range list.Items {
		if it.State == nil {
			// One project without a state does not hide the others' decisions.
			p.deps.Logger.Warn("portal: project listed without its state for the inbox", "project", it.ID)
			out.Partial = true
			continue
		}
		st := *it.State
		pkg := p.packageOf(r, &st)
		for _, d := range st.Deliverables {
			dv := p.deliverableOf(r, wd, &st, pkg, d)
			for _, rd := range dv.Rounds {
				if rd.StatusKey != string(workflows.DeliverableSubmitted) || rd.Latest == nil || rd.Latest.DecisionKey != "" {
					continue
				}
				item := inboxItem{ProjectID: st.ProjectID, ProjectPath: projectPath(st.ProjectID), Package: st.Package.Name,
					Deliverable: dv, Round: rd, Submission: *rd.Latest}
				if dv.Deemed && rd.Latest.Closes != "" {
					item.DeemedWarning = fmt.Sprintf(msg(r.Lang, "pc_deemed_warning"), rd.Latest.Closes)
				}
				out.Items = append(out.Items, item)
			}
		}
		if finalAcceptanceDue(&st) {
			out.Final = append(out.Final, inboxFinal{ProjectID: st.ProjectID, ProjectPath: projectPath(st.ProjectID), Package: st.Package.Name})
		}
	}
	return out, nil
}

// homeInbox is the inbox of the customer's home page: nil when the portal
// has no API to read it from; when it cannot be read, an empty inbox that
// says so, under which the project list still shows.
func (p *Portal) homeInbox(r *request) *inbox {
	if p.deps.API == nil {
		return nil
	}
	in, err := p.customerInbox(r)
	if err != nil {
		p.deps.Logger.Warn("portal: read the inbox", "error", err.Error())
		return &inbox{Partial: true}
	}
	return &in
}
