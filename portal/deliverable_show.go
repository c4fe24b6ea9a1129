package portal

import (
	"fmt"
	"net/http"

	"github.com/sowflow/sowflow/workflows"
)

// deliverablePage is the deliverable page's data: the deliverable with its
// rounds, and the decision form when a round awaits the customer.
type deliverablePage struct {
	ProjectID, ProjectPath, Package string
	Deliverable                     deliverableView
	Window                          ruleView
	IsCustomer, IsManager           bool
	SubmitPath                      string
	// Reason and ReasonProblem refill the decision form refused for a
	// missing reason.
	Reason, ReasonProblem string
	FinalDue              bool
}

// showDeliverable is the page of one deliverable of a project.
func (p *Portal) showDeliverable(w http.ResponseWriter, r *request) {
	p.renderDeliverable(w, r, http.StatusOK, "", "")
}

// renderDeliverable renders the deliverable page with status; reason and
// problem refill the decision form.
func (p *Portal) renderDeliverable(w http.ResponseWriter, r *request, status int, reason, problem string) {
	id, key := r.PathValue("id"), r.PathValue("key")
	st, err := p.readProject(r, id)
	if err != nil {
		p.apiFailed(w, r, "read project", err)
		return
	}
	var d *workflows.DeliverableState
	for i := range st.Deliverables {
		if st.Deliverables[i].Key == key {
			d = &st.Deliverables[i]
		}
	}
	if d == nil {
		p.notFound(w, r)
		return
	}
	pkg := p.packageOf(r, &st)
	page := p.projectPageOf(r, &st)
	dp := deliverablePage{ProjectID: st.ProjectID, ProjectPath: projectPath(st.ProjectID), Package: st.Package.Name,
		Deliverable: p.deliverableOf(r, p.workdays(r), &st, pkg, *d), Window: page.AcceptanceWindow,
		IsCustomer: page.IsCustomer, IsManager: page.IsManager, SubmitPath: deliverablePath(st.ProjectID, key) + "/submit",
		Reason: reason, ReasonProblem: problem, FinalDue: page.FinalDue && d.Final}
	v := p.newView(r, "deliverable_title")
	v.Title = fmt.Sprintf("%s · %s", d.Name, st.ProjectID)
	v.Notice = doneNotice(r)
	v.Page = dp
	p.render(w, r, status, "deliverable", v)
}
