package portal

import (
	"cmp"
	"net/http"
	"slices"

	"github.com/sowflow/sowflow/store"
)

// The project's delivery manager: who is told of its manager-facing
// notices. A manager reads it and hands the project to another manager
// through the API (GET and PUT /v1/projects/{id}/delivery-manager) as
// themselves; the API checks the person and records the change on the
// customer's audit chain.

// deliveryManagerPath is the project's delivery-manager page.
func deliveryManagerPath(id string) string { return projectPath(id) + "/delivery-manager" }

// deliveryManagerPage is the data of project_delivery_manager.html.
type deliveryManagerPage struct {
	ID string
	// Current names the delivery manager ("" when every manager is told).
	Current, AssignedBy, AssignedAt string
	Managers                        []optionChoice
	// Error is the person field's error.
	Error string
}

func (p *Portal) showDeliveryManager(w http.ResponseWriter, r *request) {
	page, ok := p.deliveryManagerPage(w, r)
	if !ok {
		return
	}
	v := p.newView(r, "dm_title")
	if r.URL.Query().Get("done") == "assigned" {
		v.Notice = msg(r.Lang, "dm_done")
	}
	v.Page = page
	p.render(w, r, http.StatusOK, "project_delivery_manager", v)
}

// deliveryManagerPage reads the project's delivery manager through the API
// and the enabled managers to choose from; it answers and returns false
// when it cannot.
func (p *Portal) deliveryManagerPage(w http.ResponseWriter, r *request) (*deliveryManagerPage, bool) {
	if !p.onlyManagers(w, r) {
		return nil, false
	}
	id := r.PathValue("id")
	var dm store.DeliveryManager
	if err := p.call(r, http.MethodGet, projectAPI(id, "delivery-manager"), "", nil, &dm); err != nil {
		p.apiFailed(w, r, "read delivery manager", err)
		return nil, false
	}
	people, err := p.deps.Store.ListPeople(r.Context())
	if err != nil {
		p.internal(w, r, "list managers", err)
		return nil, false
	}
	page := &deliveryManagerPage{ID: id, Current: dm.Name, AssignedBy: dm.AssignedBy}
	if dm.AssignedAt != nil {
		page.AssignedAt = formatInstant(r.Lang, *dm.AssignedAt)
	}
	for _, m := range people {
		if page.AssignedBy == m.Subject() {
			page.AssignedBy = m.Name
		}
		if m.Role != store.RoleManager || m.Disabled {
			continue
		}
		page.Managers = append(page.Managers, optionChoice{Value: m.ID, Label: m.Name + " <" + m.Email + ">", Checked: m.ID == dm.PersonID})
	}
	slices.SortFunc(page.Managers, func(a, b optionChoice) int { return cmp.Compare(a.Label, b.Label) })
	return page, true
}

// assignDeliveryManager hands the project to the manager chosen, through
// the API with the form's one-time key.
func (p *Portal) assignDeliveryManager(w http.ResponseWriter, r *request) {
	if !p.onlyManagers(w, r) {
		return
	}
	id := r.PathValue("id")
	person := r.PostFormValue("person_id")
	var field string
	if person == "" {
		field = msg(r.Lang, "dm_rule_choose")
	} else {
		err := p.call(r, http.MethodPut, projectAPI(id, "delivery-manager"), r.PostFormValue(keyField), map[string]string{"person_id": person}, nil)
		if err == nil {
			http.Redirect(w, r.Request, deliveryManagerPath(id)+"?done=assigned", http.StatusSeeOther)
			return
		}
		fe, _, ok := problemFields(r.Lang, err, func(f string) bool { return f == "person_id" })
		if !ok || fe["person_id"] == "" {
			p.apiFailed(w, r, "assign delivery manager", err)
			return
		}
		field = msg(r.Lang, "dm_rule_manager")
	}
	page, ok := p.deliveryManagerPage(w, r)
	if !ok {
		return
	}
	page.Error = field
	v := p.newView(r, "dm_title")
	v.Page = page
	p.render(w, r, http.StatusUnprocessableEntity, "project_delivery_manager", v)
}
