package workflows

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sowflow/sowflow/calendar"
	"github.com/sowflow/sowflow/plan"
)

// ProjectWorkflowName is the workflow type name the project lifecycle is
// registered and started under.
const ProjectWorkflowName = "Project"

// ProjectWorkflowID returns the workflow ID of a project: "project/<id>".
// Starting the same project twice finds the same workflow.
func ProjectWorkflowID(projectID string) string { return "project/" + projectID }

// ContractDates are the contract's dates, as instants (RFC 3339 in JSON, any
// offset). Which ones a project needs depends on its plan: the event its
// validity starts on, the events its clocks start on, and both ends of its
// lead times.
type ContractDates struct {
	Purchase          time.Time `json:"purchase,omitzero"`
	Payment           time.Time `json:"payment,omitzero"`
	ContractEffective time.Time `json:"contract_effective,omitzero"`
	ContractSigning   time.Time `json:"contract_signing,omitzero"`
	Application       time.Time `json:"application,omitzero"`
	Order             time.Time `json:"order,omitzero"`
	// ContractEnd, when given, is the instant the contract ends: the
	// project expires then (completes, when it does not end on final
	// acceptance) instead of at the end of the package's validity term,
	// and a package whose seed states no term gets this one.
	ContractEnd time.Time `json:"contract_end,omitzero"`
}

// At returns the date of the event; the zero time when it is not given or
// the event is not a contract date.
func (d ContractDates) At(e plan.Event) time.Time {
	switch e {
	case plan.EventPurchase:
		return d.Purchase
	case plan.EventPayment:
		return d.Payment
	case plan.EventContractEffective:
		return d.ContractEffective
	case plan.EventContractSigning:
		return d.ContractSigning
	case plan.EventApplication:
		return d.Application
	case plan.EventOrder:
		return d.Order
	}
	return time.Time{}
}

// dateField names the request field that carries an event's date.
func dateField(e plan.Event) string {
	return "dates." + strings.ReplaceAll(string(e), "-", "_")
}

// ProjectInput is the input of the project workflow.
type ProjectInput struct {
	ProjectID  string `json:"project_id"`
	CustomerID string `json:"customer_id"`
	// Plan is the resolved package, options included (Plan.Options).
	Plan  plan.Plan     `json:"plan"`
	Dates ContractDates `json:"dates"`
	// StartedBy and RequestID identify who started the project and with
	// which request.
	StartedBy Actor  `json:"started_by"`
	RequestID string `json:"request_id"`
	// ClientRequestID is the client's own X-Request-ID of the start.
	ClientRequestID string `json:"client_request_id,omitempty"`
	// ContinueAsNewAfterEvents, when positive, replaces
	// ContinueAsNewHistoryLength as the history budget of one run, in
	// history events (a test hook; see the runtime's cost model).
	ContinueAsNewAfterEvents int `json:"continue_as_new_after_events,omitempty"`
	// Resume is the state carried over by continue-as-new; nil on the first
	// run.
	Resume *ProjectState `json:"resume,omitempty"`
}

// ProjectResult is the output of the project workflow.
type ProjectResult struct {
	ProjectID string        `json:"project_id"`
	Status    ProjectStatus `json:"status"`
	EndedAt   time.Time     `json:"ended_at"`
	Reason    string        `json:"reason,omitempty"`
	// Seq is the sequence number of the last event.
	Seq   int64        `json:"seq"`
	State ProjectState `json:"state"`
}

// ValidateStart checks a project input without I/O: identifiers, the actor,
// the plan's internal consistency, and that every contract date the plan
// needs is given. It returns every problem, each a *StartError, joined; nil
// when the input can start. The API calls it (and CheckLeadTimes) before
// starting a workflow; the workflow calls it again and fails with
// InvalidInputErrorType when it refuses.
func ValidateStart(in ProjectInput) error {
	var errs []error
	add := func(field, rule, format string, args ...any) {
		errs = append(errs, &StartError{Field: field, Rule: rule, Message: fmt.Sprintf(format, args...)})
	}
	if strings.TrimSpace(in.ProjectID) == "" {
		add("project_id", StartRuleRequired, "is required")
	} else if strings.ContainsAny(in.ProjectID, " \t\r\n/") {
		add("project_id", StartRuleInvalid, "must not contain spaces or slashes")
	}
	if strings.TrimSpace(in.CustomerID) == "" {
		add("customer_id", StartRuleRequired, "is required")
	}
	switch in.StartedBy.Role {
	case RoleManager, RoleAdmin, RoleSystem:
	default:
		add("started_by.role", StartRuleInvalid, "a project is started by a manager, admin or system, not %q", in.StartedBy.Role)
	}
	p := &in.Plan
	if p.PackageCode == "" {
		add("plan.package_code", StartRuleRequired, "is required")
	}
	if len(p.Phases) == 0 {
		add("plan.phases", StartRuleRequired, "plan %s has no phases", p.PackageCode)
	}
	spec := func(field string, s calendar.Spec) {
		if err := s.Validate(); err != nil {
			add(field, StartRuleInvalid, "%v", err)
		}
	}
	spec("plan.acceptance_window", p.AcceptanceWindow)
	if p.Validity.Duration != (calendar.Spec{}) {
		spec("plan.validity.duration", p.Validity.Duration)
	}
	if end, start := in.Dates.ContractEnd, in.Dates.At(p.Validity.StartsOn); !end.IsZero() && !start.IsZero() && !end.After(start) {
		add("dates.contract_end", StartRuleInvalid, "the contract end %s is not after the %s date %s",
			end.Format(time.RFC3339), p.Validity.StartsOn, start.Format(time.RFC3339))
	}
	need := func(field string, e plan.Event) {
		if e == plan.EventSubmission {
			return
		}
		if !knownDate(e) {
			add(field, StartRuleUnsupported, "unknown contract event %q", e)
			return
		}
		if in.Dates.At(e).IsZero() {
			add(dateField(e), StartRuleRequired, "%s needs the %s date", p.PackageCode, e)
		}
	}
	need("plan.validity.starts_on", p.Validity.StartsOn)

	delivs := map[string]bool{}
	for i, ph := range p.Phases {
		for j, d := range ph.Deliverables {
			field := fmt.Sprintf("plan.phases[%d].deliverables[%d]", i, j)
			if d.Key == "" || delivs[d.Key] {
				add(field+".key", StartRuleInvalid, "deliverable key %q is empty or repeated", d.Key)
			}
			delivs[d.Key] = true
			if d.Acceptance != plan.AcceptDeemed && d.Acceptance != plan.AcceptExplicit {
				add(field+".acceptance", StartRuleUnsupported, "unknown acceptance rule %q", d.Acceptance)
			}
			switch d.Recurrence {
			case plan.RecurOnce, plan.RecurMonthly, plan.RecurPerEvent:
			case plan.RecurPerQuotaUse:
				if p.QuotaIndex(d.Quota) < 0 {
					add(field+".quota", StartRuleInvalid, "unknown quota %q", d.Quota)
				}
			default:
				add(field+".recurrence", StartRuleUnsupported, "unknown recurrence %q", d.Recurrence)
			}
		}
	}
	if p.FinalAcceptance != "" {
		if _, d := p.FindDeliverable(p.FinalAcceptance); d.Key == "" {
			add("plan.final_acceptance", StartRuleInvalid, "unknown deliverable %q", p.FinalAcceptance)
		} else if d.Acceptance != plan.AcceptExplicit || d.Recurrence != plan.RecurOnce {
			add("plan.final_acceptance", StartRuleInvalid, "deliverable %q must be accepted explicitly, once", d.Key)
		}
	}
	for i, t := range p.Thresholds {
		if !delivs[t.Deliverable] || t.Metric == "" {
			add(fmt.Sprintf("plan.thresholds[%d]", i), StartRuleInvalid, "threshold %q of deliverable %q is incomplete", t.Metric, t.Deliverable)
		}
	}
	for i, q := range p.Quotas {
		field := fmt.Sprintf("plan.quotas[%d]", i)
		if q.Period != plan.QuotaPerValidity && q.Period != plan.QuotaPerYear {
			add(field+".period", StartRuleUnsupported, "quota %s: period %q is not supported for projects", q.Key, q.Period)
		}
		if q.Limit < 1 {
			add(field+".limit", StartRuleInvalid, "quota %s: limit %d is not positive", q.Key, q.Limit)
		}
		if q.Deliverable != "" && !delivs[q.Deliverable] {
			add(field+".deliverable", StartRuleInvalid, "quota %s: unknown deliverable %q", q.Key, q.Deliverable)
		}
	}
	for i, c := range p.Clocks {
		field := fmt.Sprintf("plan.clocks[%d]", i)
		spec(field+".duration", c.Duration)
		if c.Warning != nil {
			spec(field+".warning", *c.Warning)
		}
		if c.StartsOn == plan.EventSubmission {
			add(field+".starts_on", StartRuleUnsupported, "clock %s: only the acceptance window starts on submission", c.Key)
		}
		need(field+".starts_on", c.StartsOn)
		if c.MetBy != "" && !delivs[c.MetBy] {
			add(field+".met_by", StartRuleInvalid, "clock %s: unknown deliverable %q", c.Key, c.MetBy)
		}
	}
	for i, lt := range p.LeadTimes {
		field := fmt.Sprintf("plan.lead_times[%d]", i)
		spec(field+".lead_time", lt.LeadTime)
		need(field+".from", lt.From)
		need(field+".before", lt.Before)
	}
	return errors.Join(errs...)
}

func knownDate(e plan.Event) bool {
	switch e {
	case plan.EventPurchase, plan.EventPayment, plan.EventContractEffective, plan.EventContractSigning, plan.EventApplication, plan.EventOrder:
		return true
	}
	return false
}

// DeadlineFunc computes a deadline; (*calendar.Calendar).Deadline of the
// calendar in force is one.
type DeadlineFunc func(from time.Time, spec calendar.Spec) (calendar.Result, error)

// CheckLeadTimes checks the plan's lead-time prerequisites against the
// contract dates: the From date must lie at least LeadTime before the Before
// date. "At least 15 working days before ordering" means the order's China
// Standard Time date is on or after the 15th working day after the
// application's date (counted as DESIGN.md rule 2; months as rule 4). It
// returns a *StartError per violated prerequisite, with rule
// StartRuleLeadTime and the prerequisite named, joined; nil when all are met.
// Missing dates are ValidateStart's business and are skipped here.
func CheckLeadTimes(in ProjectInput, deadline DeadlineFunc) error {
	var errs []error
	for _, lt := range in.Plan.LeadTimes {
		from, before := in.Dates.At(lt.From), in.Dates.At(lt.Before)
		if from.IsZero() || before.IsZero() {
			continue
		}
		res, err := deadline(from, lt.LeadTime)
		if err != nil {
			errs = append(errs, &StartError{Field: dateField(lt.From), Rule: StartRuleInvalid,
				Message: fmt.Sprintf("prerequisite %s: %v", lt.Key, err)})
			continue
		}
		// res.Deadline is 24:00 of the last counted day; that day starts
		// 24 hours earlier (China Standard Time has no DST).
		earliest := res.Deadline.Add(-24 * time.Hour)
		if before.Before(earliest) {
			errs = append(errs, &StartError{Field: dateField(lt.Before), Rule: StartRuleLeadTime,
				Message: fmt.Sprintf("prerequisite %s of %s: the %s must come at least %d %s after the %s (%s); %s is before %s",
					lt.Key, in.Plan.PackageCode, lt.Before, lt.LeadTime.N, lt.LeadTime.Kind, lt.From,
					from.In(calendar.Zone()).Format(time.DateOnly), before.In(calendar.Zone()).Format(time.DateOnly),
					earliest.Format(time.DateOnly))})
		}
	}
	return errors.Join(errs...)
}
