package portal

import (
	"net/http"
	"strconv"
	"strings"
)

// openTicket opens a ticket of the service through the API; a missing
// title is asked for again beside the field.
func (p *Portal) openTicket(w http.ResponseWriter, r *request) {
	id := r.PathValue("id")
	form := ticketForm{Severity: r.PostFormValue("severity"), Title: strings.TrimSpace(r.PostFormValue("title")),
		Description: strings.TrimSpace(r.PostFormValue("description"))}
	if form.Title == "" {
		form.TitleProblem = msg(r.Lang, "svc_problem_ticket_title")
		p.renderService(w, r, http.StatusUnprocessableEntity, form)
		return
	}
	body := map[string]string{"severity": form.Severity, "title": form.Title}
	if form.Description != "" {
		body["description"] = form.Description
	}
	var res struct {
		Ticket int `json:"ticket"`
	}
	if err := p.call(r, http.MethodPost, "/v1/services/"+id+"/tickets", r.PostFormValue(keyField), body, &res); err != nil {
		p.apiFailed(w, r, "open ticket", err)
		return
	}
	http.Redirect(w, r.Request, pathServices+"/"+id+"/tickets/"+strconv.Itoa(res.Ticket)+"?"+doneField+"=opened", http.StatusSeeOther)
}
