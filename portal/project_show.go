package portal

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/sowflow/sowflow/catalog"
	"github.com/sowflow/sowflow/store"
	"github.com/sowflow/sowflow/workflows"
)

// projectEventLimit bounds the events the project page's timeline reads
// (GET /v1/projects/{id}/events pages of 500); the page says when there
// are more.
const projectEventLimit = 1000

// projectPage is the project page's data.
type projectPage struct {
	ID, Customer, Package, PackageCode string
	Status, StatusKey                  string
	Ended, EndReason                   string
	FinalSigned                        string
	FinalDue                           bool
	Phases                             []phaseView
	Validity                           clockView
	Clocks                             []clockView
	LeadTimes                          []ruleView
	// LeadDates are the contract dates the lead times join, as the start
	// gave them.
	LeadDates             []leadDateView
	Quotas                []quotaView
	Delays                []delayView
	OpenDelays            int
	AcceptanceWindow      ruleView
	Events                []eventView
	MoreEvents            bool
	CalendarVersion       string
	IsCustomer, IsManager bool
	// ProjectPath is the project's page, where its forms post.
	ProjectPath string
	ManagePath  string
}

// phaseView is one phase of the progress line with its deliverables.
type phaseView struct {
	N                    int
	Key, Name            string
	Status, StatusKey    string
	Current              bool
	Started, Completed   string
	Deliverables         []deliverableView
	SubmitPaths          map[string]string
	HasRequiredDelivered bool
}

// ruleView is a contract rule with its quoted text.
type ruleView struct {
	Name, Value string
	Quote       quote
	// text is the contract text quoted, as the catalog has it.
	text string
}

// leadDateView is one contract date a lead time joins.
type leadDateView struct {
	Event, At string
}

// quotaView is a quota's use so far.
type quotaView struct {
	Name              string
	Used, Limit, Left int
	Period            string
	Unit              string
	Quote             quote
}

// delayView is a customer-caused delay.
type delayView struct {
	Reason, Prerequisite             string
	Opened, OpenedBy, Closed, Length string
	Open                             bool
	Quote                            quote
}

// eventView is one event of the timeline.
type eventView struct {
	Seq             int64
	At, What, Actor string
	Detail          string
	Attention       bool
}

// showProject is the project page: its phases as a progress line, each
// deliverable with its rounds, submissions, decisions and windows, the
// contract clocks each with the rule it comes from, and the event
// timeline. Another customer's project is not found, as one that does not
// exist (the API's scoping).
func (p *Portal) showProject(w http.ResponseWriter, r *request) {
	id := r.PathValue("id")
	st, err := p.readProject(r, id)
	if err != nil {
		p.apiFailed(w, r, "read project", err)
		return
	}
	events, more, err := p.readEvents(r, id)
	if err != nil {
		p.apiFailed(w, r, "read project events", err)
		return
	}
	page := p.projectPageOf(r, &st)
	page.Events, page.MoreEvents = events, more
	if len(page.LeadTimes) > 0 {
		var applied map[string]bool
		if page.LeadDates, applied, err = p.readLeadDates(r, id); err != nil {
			p.apiFailed(w, r, "read lead dates", err)
			return
		}
		// The lead times the project's options selected are those its
		// dates were recorded with; a project started before dates were
		// recorded shows the package's all.
		if len(applied) > 0 {
			page.LeadTimes = slices.DeleteFunc(page.LeadTimes, func(rv ruleView) bool { return !applied[rv.text] })
		}
	}
	v := p.newView(r, "project_title")
	v.Title = fmt.Sprintf(msg(r.Lang, "pc_project_title"), st.ProjectID)
	v.Notice = doneNotice(r)
	v.Page = page
	p.render(w, r, http.StatusOK, "project", v)
}

// projectPageOf builds the project page from the project's state.
func (p *Portal) projectPageOf(r *request, st *workflows.ProjectState) projectPage {
	lang := r.Lang
	pkg := p.packageOf(r, st)
	wd := p.workdays(r)
	role := r.Session.Person.Role
	page := projectPage{ID: st.ProjectID, Customer: st.CustomerID, Package: st.Package.Name, PackageCode: st.Package.Code,
		Status: statusName(lang, string(st.Status)), StatusKey: string(st.Status), EndReason: st.EndReason,
		FinalDue: finalAcceptanceDue(st), OpenDelays: st.OpenDelays, CalendarVersion: st.CalendarVersion,
		IsCustomer: role == store.RoleCustomer, IsManager: role == store.RoleManager, ProjectPath: projectPath(st.ProjectID),
		ManagePath: projectPath(st.ProjectID) + "/manage"}
	if !st.EndedAt.IsZero() {
		page.Ended = formatInstant(lang, st.EndedAt)
	}
	if !st.FinalAcceptedAt.IsZero() {
		page.FinalSigned = formatInstant(lang, st.FinalAcceptedAt)
		if st.FinalAcceptedBy != nil {
			page.FinalSigned += " · " + p.actor(r, st.FinalAcceptedBy.Subject, string(st.FinalAcceptedBy.Role))
		}
	}
	for i, ph := range st.Phases {
		pv := phaseView{N: i + 1, Key: ph.Key, Name: ph.Name, Status: word(lang, "pc_phase_", string(ph.Status)), StatusKey: string(ph.Status),
			Current: i == st.PhaseIndex && st.Status == workflows.StatusActive}
		if !ph.StartedAt.IsZero() {
			pv.Started = formatInstant(lang, ph.StartedAt)
		}
		if !ph.CompletedAt.IsZero() {
			pv.Completed = formatInstant(lang, ph.CompletedAt)
		}
		for _, d := range st.Deliverables {
			if d.Phase == ph.Key {
				pv.Deliverables = append(pv.Deliverables, p.deliverableOf(r, wd, st, pkg, d))
			}
		}
		page.Phases = append(page.Phases, pv)
	}
	page.Validity = validityOf(r, pkg, st.Validity)
	for _, c := range st.Clocks {
		page.Clocks = append(page.Clocks, clockOf(r, pkg, c))
	}
	page.AcceptanceWindow = ruleView{Name: msg(lang, "pc_acceptance_window")}
	if pkg != nil {
		for _, c := range pkg.Clocks {
			if c.Key == catalog.ClockAcceptanceWindow {
				page.AcceptanceWindow.Value = fmt.Sprintf(msg(lang, "pc_acceptance_window_value"), specWords(lang, c.Duration.Value, string(c.Duration.Unit)))
				page.AcceptanceWindow.Quote = quoteOf(lang, c.Text, c.Note)
			}
		}
		for _, pr := range pkg.Prerequisites {
			if pr.LeadTime == nil {
				continue
			}
			page.LeadTimes = append(page.LeadTimes, ruleView{Name: pr.Key,
				Value: fmt.Sprintf(msg(lang, "pc_lead_time_value"), specWords(lang, pr.LeadTime.Value, string(pr.LeadTime.Unit)), word(lang, "pc_event_date_", string(pr.Before))),
				Quote: quoteOf(lang, pr.Text, ""), text: pr.Text})
		}
	}
	for _, q := range st.Quotas {
		qv := quotaView{Name: q.Name, Used: q.Used, Limit: q.Limit, Left: max(q.Limit-q.Used, 0), Period: word(lang, "pc_quota_period_", string(q.Period)), Unit: q.Unit}
		if pkg != nil {
			for _, cq := range pkg.Quotas {
				if cq.Key == q.Key {
					qv.Quote = quoteOf(lang, cq.Text, "")
				}
			}
		}
		page.Quotas = append(page.Quotas, qv)
	}
	for _, d := range st.Delays {
		dv := delayView{Reason: d.Reason, Prerequisite: d.Prerequisite, Opened: formatInstant(lang, d.OpenedAt),
			OpenedBy: p.actor(r, d.OpenedBy.Subject, string(d.OpenedBy.Role)), Open: d.Open()}
		if !d.Open() {
			dv.Closed = formatInstant(lang, d.ClosedAt)
			dv.Length = durationWords(lang, time.Duration(d.LengthSeconds)*time.Second)
		}
		if pkg != nil && d.Prerequisite != "" {
			for _, pr := range pkg.Prerequisites {
				if pr.Key == d.Prerequisite {
					dv.Quote = quoteOf(lang, pr.Text, "")
				}
			}
		}
		page.Delays = append(page.Delays, dv)
	}
	return page
}

// validityOf is the service period as a clock with its quoted rule.
func validityOf(r *request, pkg *catalog.Package, v workflows.ValidityState) clockView {
	lang := r.Lang
	out := clockView{Name: msg(lang, "pc_validity"), Status: word(lang, "pc_validity_", string(v.Type))}
	if v.End.IsZero() {
		out.Deadline = msg(lang, "pc_validity_no_end")
	} else {
		out.Deadline = formatInstant(lang, v.End.At)
		out.Relative = dueIn(lang, r.now, v.End.At)
		out.Provisional = v.End.Provisional
	}
	if !v.Start.IsZero() {
		out.Warning = fmt.Sprintf(msg(lang, "pc_validity_from"), formatInstant(lang, v.Start), word(lang, "pc_event_date_", string(v.StartsOn)))
	}
	if v.EndsOnFinalAcceptance {
		out.Extended = msg(lang, "pc_validity_ends_on_final")
	}
	if pkg != nil {
		out.Quote = quoteOf(lang, strings.Join(pkg.Validity.Text, " "), pkg.Validity.Note)
	}
	return out
}

// readLeadDates reads the contract dates the project's lead times join
// through the API, in time order, worded for the page, and the contract
// texts of the lead times that join them.
func (p *Portal) readLeadDates(r *request, id string) ([]leadDateView, map[string]bool, error) {
	dates, err := p.leadDates(r, id)
	if err != nil {
		return nil, nil, err
	}
	out := make([]leadDateView, 0, len(dates))
	texts := map[string]bool{}
	for _, d := range dates {
		out = append(out, leadDateView{Event: word(r.Lang, "pc_event_date_", d.Event), At: formatInstant(r.Lang, d.At)})
		for _, t := range d.Texts {
			texts[t] = true
		}
	}
	return out, texts, nil
}

// leadDates reads the contract dates the project's lead times join
// (GET /v1/projects/{id}/lead-dates) as the signed-in person.
func (p *Portal) leadDates(r *request, id string) ([]store.LeadDate, error) {
	var page struct {
		Items []store.LeadDate `json:"items"`
	}
	if err := p.call(r, http.MethodGet, "/v1/projects/"+url.PathEscape(id)+"/lead-dates", "", nil, &page); err != nil {
		return nil, err
	}
	return page.Items, nil
}

// readEvents reads the project's events through the API, oldest first, up
// to projectEventLimit; more says there are more.
func (p *Portal) readEvents(r *request, id string) (out []eventView, more bool, err error) {
	var after int64
	for len(out) < projectEventLimit {
		var page struct {
			Items []struct {
				Seq          int64           `json:"seq"`
				Type         string          `json:"type"`
				ActorSubject string          `json:"actor_subject"`
				ActorRole    string          `json:"actor_role"`
				OccurredAt   time.Time       `json:"occurred_at"`
				Payload      json.RawMessage `json:"payload"`
			} `json:"items"`
			NextAfter int64 `json:"next_after"`
		}
		path := fmt.Sprintf("/v1/projects/%s/events?limit=500&after=%d", url.PathEscape(id), after)
		if err := p.call(r, http.MethodGet, path, "", nil, &page); err != nil {
			return nil, false, err
		}
		for _, e := range page.Items {
			out = append(out, eventView{Seq: e.Seq, At: formatInstant(r.Lang, e.OccurredAt), What: word(r.Lang, "pc_ev_", e.Type),
				Actor: p.actor(r, e.ActorSubject, e.ActorRole), Detail: eventDetail(e.Payload),
				Attention: attentionEvents[e.Type]})
		}
		if page.NextAfter == 0 {
			return out, false, nil
		}
		after = page.NextAfter
	}
	return out, true, nil
}

// attentionEvents are the event types that need someone's attention.
var attentionEvents = map[string]bool{
	string(workflows.EventDeliverableDeemed): true, string(workflows.EventWindowClosing): true,
	string(workflows.EventCustomerReminded): true, string(workflows.EventManagerEscalated): true,
	string(workflows.EventClockWarning): true, string(workflows.EventClockBreached): true,
	string(workflows.EventDeliverableRejected): true,
}

// eventDetail picks what an event is about from its payload: the
// deliverable, phase, clock or quota, and a reason or note.
func eventDetail(payload json.RawMessage) string {
	var m map[string]any
	if json.Unmarshal(payload, &m) != nil {
		return ""
	}
	var parts []string
	for _, k := range []string{"deliverable", "phase", "to", "clock", "quota", "title", "reason", "note"} {
		if s, ok := m[k].(string); ok && s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, " · ")
}

// doneNotice is the notice after an action's redirect (?done=…).
func doneNotice(r *request) string {
	switch done := r.URL.Query().Get("done"); done {
	case "accepted", "rejected", "final":
		return msg(r.Lang, "pc_done_"+done)
	}
	return ""
}
