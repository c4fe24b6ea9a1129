package portal

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/sowflow/sowflow/catalog"
	"github.com/sowflow/sowflow/plan"
	"github.com/sowflow/sowflow/store"
	"github.com/sowflow/sowflow/workflows"
)

// The project page, the deliverable page and the customer's inbox show a
// project's state as the API answers it (GET /v1/projects/{id}), read as
// the signed-in person: the API decides who may see which project.

// projectPath is the portal page of project id.
func projectPath(id string) string { return "/projects/" + url.PathEscape(id) }

// deliverablePath is the portal page of a project's deliverable.
func deliverablePath(id, key string) string {
	return projectPath(id) + "/deliverables/" + url.PathEscape(key)
}

// readProject reads a project's whole state through the API.
func (p *Portal) readProject(r *request, id string) (workflows.ProjectState, error) {
	var st workflows.ProjectState
	err := p.call(r, http.MethodGet, "/v1/projects/"+url.PathEscape(id), "", nil, &st)
	return st, err
}

// deliverableView is a deliverable as a page shows it.
type deliverableView struct {
	ProjectID, Key, Name string
	Path                 string
	Status               string
	StatusKey            string
	Acceptance           string
	Deemed               bool
	Required, Final      bool
	Overdue              bool
	Rounds               []roundView
	// Requirements quote the contract's acceptance requirements.
	Requirements []string
	// Awaiting is the round awaiting the customer's decision, if any.
	Awaiting *roundView
}

// roundView is one round of a deliverable.
type roundView struct {
	Round       int
	Status      string
	StatusKey   string
	Overdue     bool
	Opened      string
	Accepted    string
	Deemed      string
	Submissions []submissionView
	// Latest is the latest submission (the one awaiting a decision when
	// the round is submitted).
	Latest *submissionView
}

// submissionView is one submission with its window and decision.
type submissionView struct {
	N                   int
	Title, URI, SHA256  string
	Submitted, By       string
	Closes, ClosesIn    string
	WindowClosed        bool
	Decision, DecidedAt string
	DecisionKey         string
	DecidedBy, Reason   string
}

// clockView is a contract clock with the rule it comes from.
type clockView struct {
	Name        string
	Deadline    string
	Relative    string
	Status      string
	StatusKey   string
	Provisional bool
	Warning     string
	Extended    string
	Party       string
	// Quote is the contract text the clock comes from.
	Quote quote
}

// quote is a contract rule's text and sowflow's reading of it, with the
// words that introduce them.
type quote struct {
	Rule, Note, Label, NoteLabel string
}

// quoteOf is the quote of rule and note in lang.
func quoteOf(lang store.Language, rule, note string) quote {
	return quote{Rule: rule, Note: note, Label: msg(lang, "pc_contract_text"), NoteLabel: msg(lang, "pc_sowflow_reading")}
}

// actorName is who acted, in words: a person of the portal as "user:…"
// with their role, the workflow itself as "sowflow".
func actorName(lang store.Language, subject string, role string) string {
	if subject == "" || subject == "system" || role == "system" {
		return msg(lang, "pc_actor_system")
	}
	if role == "" {
		return subject
	}
	return subject + " (" + msg(lang, "role_"+role) + ")"
}

// actor is who acted, in words, as actorName says it, with a person of the
// portal named by their display name rather than their "user:…" subject.
// A name is read once per request; a subject that names nobody, or a
// lookup that fails, is shown as recorded.
func (p *Portal) actor(r *request, subject, role string) string {
	return actorName(r.Lang, p.personName(r, subject), role)
}

// personName is the display name of the person a "user:<id>" subject
// names, else the subject itself.
func (p *Portal) personName(r *request, subject string) string {
	id, ok := strings.CutPrefix(subject, "user:")
	if !ok || id == "" {
		return subject
	}
	name, seen := r.names[id]
	if !seen {
		if person, err := p.deps.Store.FindPerson(r.Context(), id); err == nil && person.ID == id {
			name = person.Name
		}
		if r.names == nil {
			r.names = map[string]string{}
		}
		r.names[id] = name
	}
	if name == "" {
		return subject
	}
	return name
}

// word is a message for an enumerated value (prefix + value), or the value
// itself when the catalog has no word for it.
func word(lang store.Language, prefix, value string) string {
	if s, ok := messages[lang][prefix+value]; ok {
		return s
	}
	return value
}

// deliverableOf builds the view of d.
func (p *Portal) deliverableOf(r *request, wd *workdays, st *workflows.ProjectState, pkg *catalog.Package, d workflows.DeliverableState) deliverableView {
	lang := r.Lang
	v := deliverableView{ProjectID: st.ProjectID, Key: d.Key, Name: d.Name, Path: deliverablePath(st.ProjectID, d.Key),
		Status: word(lang, "pc_dstatus_", string(d.Status)), StatusKey: string(d.Status),
		Acceptance: word(lang, "pc_acceptance_", string(d.Acceptance)), Deemed: d.Acceptance == plan.AcceptDeemed,
		Required: d.Required, Final: d.Final, Overdue: d.Overdue}
	if pkg != nil {
		for _, ph := range pkg.Phases {
			for _, cd := range ph.Deliverables {
				if cd.Key == d.Key {
					v.Requirements = cd.Requirements
				}
			}
		}
	}
	for _, rd := range d.Rounds {
		rv := roundView{Round: rd.Round, Status: word(lang, "pc_dstatus_", string(rd.Status)), StatusKey: string(rd.Status),
			Overdue: rd.Overdue, Opened: formatInstant(lang, rd.OpenedAt)}
		if !rd.AcceptedAt.IsZero() {
			rv.Accepted = formatInstant(lang, rd.AcceptedAt)
		}
		if !rd.DeemedAcceptedAt.IsZero() {
			rv.Deemed = formatInstant(lang, rd.DeemedAcceptedAt)
		}
		for _, s := range rd.Submissions {
			sv := submissionView{N: s.N, Title: s.Title, URI: s.URI, SHA256: s.SHA256,
				Submitted: formatInstant(lang, s.SubmittedAt), By: p.actor(r, s.SubmittedBy.Subject, string(s.SubmittedBy.Role)),
				WindowClosed: s.Window.Closed}
			if !s.Window.Closes.IsZero() {
				sv.Closes = formatInstant(lang, s.Window.Closes.At)
				if s.Decision == nil {
					sv.ClosesIn = wd.windowCloses(lang, s.Window.Closes.At)
				}
			}
			if dec := s.Decision; dec != nil {
				sv.DecisionKey = string(dec.Outcome)
				sv.Decision = word(lang, "pc_outcome_", string(dec.Outcome))
				sv.DecidedAt = formatInstant(lang, dec.At)
				sv.DecidedBy = p.actor(r, dec.By.Subject, string(dec.By.Role))
				sv.Reason = dec.Reason
			}
			rv.Submissions = append(rv.Submissions, sv)
		}
		if n := len(rv.Submissions); n > 0 {
			rv.Latest = &rv.Submissions[n-1]
		}
		v.Rounds = append(v.Rounds, rv)
	}
	for i := range v.Rounds {
		if v.Rounds[i].StatusKey == string(workflows.DeliverableSubmitted) && v.Rounds[i].Latest != nil && v.Rounds[i].Latest.DecisionKey == "" {
			v.Awaiting = &v.Rounds[i]
			break
		}
	}
	return v
}

// finalAcceptanceDue reports whether the customer may sign final
// acceptance of st now: the package has one, it is not signed, the project
// is active in its last phase and every required deliverable of that phase
// is accepted. The API decides; this only says when to offer the button.
func finalAcceptanceDue(st *workflows.ProjectState) bool {
	if st.Status != workflows.StatusActive || !st.FinalAcceptedAt.IsZero() || len(st.Phases) == 0 || st.PhaseIndex != len(st.Phases)-1 {
		return false
	}
	hasFinal := false
	for _, d := range st.Deliverables {
		if d.Final {
			hasFinal = true
		}
		if d.Phase == st.Phase && d.Required && d.Status != workflows.DeliverableAccepted {
			return false
		}
	}
	return hasFinal
}

// packageOf is the version of the catalog package that st runs, whose
// contract text the pages quote: version 1 from the binary when it holds
// the package, any other (uploaded) version from PostgreSQL. It is nil
// when neither has it.
func (p *Portal) packageOf(r *request, st *workflows.ProjectState) *catalog.Package {
	if st.Package.Version <= 1 {
		if pkg, ok := p.deps.Catalog.Package(st.Package.Code); ok {
			return &pkg
		}
	}
	if st.Package.Version >= 1 {
		// A package only uploaded has its version 1 stored too.
		v, err := p.deps.Store.CatalogVersionOf(r.Context(), st.Package.Code, st.Package.Version)
		if err == nil {
			if pkg, err := v.Package(); err == nil {
				return &pkg
			}
		}
	}
	return nil
}

// clockOf builds the view of a contract clock, quoting the catalog's clock
// of the same key.
func clockOf(r *request, pkg *catalog.Package, c workflows.ClockState) clockView {
	lang := r.Lang
	v := clockView{Name: c.Name, Deadline: formatInstant(lang, c.Deadline.At), Status: word(lang, "pc_clock_", string(c.Status)),
		StatusKey: string(c.Status), Provisional: c.Deadline.Provisional, Party: word(lang, "pc_party_", string(c.Party))}
	if c.Status == workflows.ClockRunning || c.Status == workflows.ClockPaused {
		v.Relative = dueIn(lang, r.now, c.Deadline.At)
	}
	if c.Warning != nil {
		v.Warning = fmt.Sprintf(msg(lang, "pc_clock_warning_at"), formatInstant(lang, c.Warning.At), specWords(lang, c.Warning.Spec.N, string(c.Warning.Spec.Kind)))
	}
	if c.Deadline.ExtensionSeconds > 0 {
		v.Extended = fmt.Sprintf(msg(lang, "pc_clock_extended"), durationWords(lang, time.Duration(c.Deadline.ExtensionSeconds)*time.Second))
	}
	if pkg != nil {
		for _, cc := range pkg.Clocks {
			if cc.Key == c.Key {
				v.Quote = quoteOf(lang, cc.Text, cc.Note)
			}
		}
	}
	return v
}

// specWords says a contract duration in words: "75 natural days", "1
// month".
func specWords(lang store.Language, n int, kind string) string {
	key := "pc_spec_" + kind
	if n == 1 {
		key += "_one"
	}
	return fmt.Sprintf(msg(lang, key), n)
}

// durationWords says a delay's length in days and hours.
func durationWords(lang store.Language, d time.Duration) string {
	days := int(d / (24 * time.Hour))
	hours := int((d % (24 * time.Hour)) / time.Hour)
	minutes := int((d % time.Hour) / time.Minute)
	var parts []string
	if days > 0 {
		parts = append(parts, fmt.Sprintf(msg(lang, "pc_dur_days"), days))
	}
	if hours > 0 {
		parts = append(parts, fmt.Sprintf(msg(lang, "pc_dur_hours"), hours))
	}
	if minutes > 0 || len(parts) == 0 {
		parts = append(parts, fmt.Sprintf(msg(lang, "pc_dur_minutes"), minutes))
	}
	return strings.Join(parts, " ")
}
