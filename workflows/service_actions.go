package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/workflow"

	"github.com/sowflow/sowflow/plan"
)

// ---- actors and states ----

// checkServiceActor refuses an actor that is neither the manager nor, when
// customers may act, the service's customer.
func (w *service) checkServiceActor(a Actor, customerToo bool, what string) *Refusal {
	switch {
	case a.Role == RoleManager:
		return nil
	case a.Role == RoleCustomer && customerToo:
		if a.CustomerID != w.s.CustomerID {
			return forbidden(RuleCustomer, fmt.Sprintf("service %s belongs to another customer", w.s.ServiceID))
		}
		return nil
	case customerToo:
		return forbidden(RuleRole, fmt.Sprintf("only the manager or the customer may %s (actor %q is %q)", what, a.Subject, a.Role))
	}
	return forbidden(RuleRole, fmt.Sprintf("only the manager may %s (actor %q is %q)", what, a.Subject, a.Role))
}

// status is the service's status at the current instant: validators run
// before the main loop has crossed a boundary that is due, and must not
// change the state themselves.
func (w *service) status() ServiceStatus {
	t := now(w.ctx)
	switch {
	case w.s.Status == ServicePending && !t.Before(w.s.Start) && t.Before(w.s.End):
		return ServiceActive
	case w.s.Status == ServicePending || w.s.Status == ServiceActive:
		if !t.Before(w.s.End) {
			return ServiceClosing
		}
	}
	return w.s.Status
}

// checkInYear refuses actions outside the service year.
func (w *service) checkInYear() *Refusal {
	switch w.status() {
	case ServicePending:
		return refused(RuleNotStarted, fmt.Sprintf("service %s starts at %s", w.s.ServiceID, w.s.Start.Format(time.RFC3339)))
	case ServiceActive:
		return nil
	}
	return refused(RuleEnded, fmt.Sprintf("the service year of %s ended at %s", w.s.ServiceID, w.s.End.Format(time.RFC3339)))
}

// ---- open ticket ----

func (w *service) checkOpenTicket(in OpenTicket) *Refusal {
	return first(
		func() *Refusal { return w.checkServiceActor(in.Actor, true, "open tickets") },
		func() *Refusal { return required("severity", in.Severity) },
		func() *Refusal {
			if _, rank := w.plan.Target(in.Severity); rank < 0 {
				return invalid(RuleUnknown, "severity", fmt.Sprintf("%s has no severity %q (severities: %v)", w.plan.PackageCode, in.Severity, w.plan.Severities()))
			}
			return nil
		},
		func() *Refusal { return required("title", in.Title) },
		w.checkInYear,
	)
}

func (w *service) openTicket(ctx workflow.Context, in OpenTicket) (OpenTicketResult, error) {
	w.advance(now(ctx))
	if r := w.checkOpenTicket(in); r != nil {
		return OpenTicketResult{}, r.applicationError()
	}
	at := now(ctx)
	w.s.Tickets.Last++
	n := w.s.Tickets.Last
	id := TicketWorkflowID(w.s.ServiceID, n)
	tin := TicketInput{
		ServiceID: w.s.ServiceID, ServiceWorkflowID: workflow.GetInfo(ctx).WorkflowExecution.ID,
		CustomerID: w.s.CustomerID, Ticket: n, Severity: in.Severity, Title: in.Title, Description: in.Description,
		OpenedAt: at, OpenedBy: in.Actor, RequestID: in.RequestID, Targets: w.plan.ResponseTargets,
	}
	cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
		WorkflowID:            id,
		ParentClosePolicy:     enums.PARENT_CLOSE_POLICY_ABANDON,
		WorkflowIDReusePolicy: enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
	})
	// The ticket is listed before it starts, so a report can never find it
	// missing; it is taken off again if it does not start.
	w.s.Tickets.Open = append(w.s.Tickets.Open, ServiceTicket{N: n, WorkflowID: id, Severity: in.Severity, Title: in.Title,
		OpenedAt: at, OpenedBy: in.Actor, Status: TicketOpen})
	f := workflow.ExecuteChildWorkflow(cctx, TicketWorkflowName, tin)
	w.rt.charge(costChildStart)
	// Wait until the child has started: an abandoned child whose start is
	// still pending when the run continues as new might never start.
	var exec workflow.Execution
	if err := f.GetChildWorkflowExecution().Get(ctx, &exec); err != nil {
		for i, t := range w.s.Tickets.Open {
			if t.N == n {
				w.s.Tickets.Open = append(w.s.Tickets.Open[:i], w.s.Tickets.Open[i+1:]...)
				break
			}
		}
		return OpenTicketResult{}, fmt.Errorf("start ticket %d: %w", n, err)
	}
	w.s.Tickets.Opened++
	if st := w.stats(in.Severity); st != nil {
		st.Opened++
	}
	for i := range w.s.Obligations {
		o := &w.s.Obligations[i]
		if w.plan.Obligations[i].OwedFor(in.Severity) {
			o.Tickets = append(o.Tickets, n)
			o.Periods[0].Due++
		}
	}
	e := w.rt.record(at, EventTicketOpened, in.ActionMeta, map[string]any{
		"ticket": n, "workflow_id": id, "severity": in.Severity, "title": in.Title, "month": w.s.Month + 1,
	})
	return OpenTicketResult{ActionResult: ActionResult{Seq: w.s.Seq, Events: []Event{e}}, Ticket: n, WorkflowID: id}, nil
}

// stats returns the totals of the severity.
func (w *service) stats(severity string) *SeverityStats {
	for i := range w.s.Tickets.Severities {
		if w.s.Tickets.Severities[i].Severity == severity {
			return &w.s.Tickets.Severities[i]
		}
	}
	return nil
}

// ---- quotas ----

func (w *service) quotaIndex(key string) int {
	for i, q := range w.s.Quotas {
		if q.Key == key {
			return i
		}
	}
	return -1
}

func (w *service) checkUseQuota(in UseQuota) *Refusal {
	return first(
		func() *Refusal { return w.checkServiceActor(in.Actor, true, "use quotas") },
		func() *Refusal { return required("quota", in.Quota) },
		func() *Refusal {
			if w.quotaIndex(in.Quota) < 0 {
				return invalid(RuleUnknown, "quota", fmt.Sprintf("%s has no quota %q", w.plan.PackageCode, in.Quota))
			}
			return nil
		},
		w.checkInYear,
		func() *Refusal {
			q := w.s.Quotas[w.quotaIndex(in.Quota)]
			if q.Used < q.Limit || !now(w.ctx).Before(q.PeriodEnd) { // a due boundary resets it
				return nil
			}
			reset := fmt.Sprintf("it resets at %s", q.PeriodEnd.Format(time.RFC3339))
			if !q.PeriodEnd.Before(w.s.End) {
				reset = "it does not reset before the service year ends"
			}
			return refused(RuleQuotaExhausted, fmt.Sprintf("quota %s is exhausted for %s: %d of %d used; %s",
				q.Key, q.Label, q.Used, q.Limit, reset))
		},
	)
}

func (w *service) useQuota(ctx workflow.Context, in UseQuota) (ActionResult, error) {
	w.advance(now(ctx))
	if r := w.checkUseQuota(in); r != nil {
		return ActionResult{}, r.applicationError()
	}
	at := now(ctx)
	q := &w.s.Quotas[w.quotaIndex(in.Quota)]
	q.Used++
	q.Uses = append(q.Uses, QuotaUse{N: q.Used, At: at, By: in.Actor, RequestID: in.RequestID, Note: in.Note})
	e := w.rt.record(at, EventQuotaUsed, in.ActionMeta, map[string]any{
		"quota": q.Key, "period": q.Label, "used": q.Used, "limit": q.Limit, "note": in.Note,
	})
	return ActionResult{Seq: w.s.Seq, Events: []Event{e}}, nil
}

// ---- obligations ----

// resolveObligation resolves where a submission goes: obligation index,
// period index and the service month (1-based) it covers.
func (w *service) resolveObligation(in SubmitObligation) (oi, pi, month int, r *Refusal) {
	r = first(
		func() *Refusal { return w.checkServiceActor(in.Actor, false, "submit obligations") },
		func() *Refusal { return required("obligation", in.Obligation) },
		func() *Refusal { return checkDocument(in.Title, in.URI, in.SHA256) },
		func() *Refusal {
			switch w.status() {
			case ServicePending:
				return w.checkInYear()
			case ServiceCompleted:
				return refused(RuleEnded, fmt.Sprintf("service %s is completed", w.s.ServiceID))
			}
			return nil
		},
	)
	if r != nil {
		return -1, -1, 0, r
	}
	oi = w.plan.ObligationIndex(in.Obligation)
	if oi < 0 {
		return -1, -1, 0, invalid(RuleUnknown, "obligation", fmt.Sprintf("%s has no obligation %q", w.plan.PackageCode, in.Obligation))
	}
	o := &w.s.Obligations[oi]
	if o.Cadence == plan.CadencePerIncident {
		if in.Ticket <= 0 {
			return -1, -1, 0, invalid(RuleField, "ticket", fmt.Sprintf("obligation %s is owed per incident: ticket is required", o.Key))
		}
		for _, n := range o.Tickets {
			if n == in.Ticket {
				return oi, 0, 0, nil
			}
		}
		return -1, -1, 0, invalid(RuleUnknown, "ticket", fmt.Sprintf("ticket %d owes no %s", in.Ticket, o.Key))
	}
	if in.Ticket != 0 {
		return -1, -1, 0, invalid(RuleField, "ticket", fmt.Sprintf("obligation %s is periodic: ticket does not apply", o.Key))
	}
	current := w.s.Month + 1
	for current < len(w.s.Periods) && !now(w.ctx).Before(w.s.Periods[current-1].End) {
		current++ // a boundary is due that the main loop has not crossed yet
	}
	current = min(current, len(w.s.Periods))
	month = in.Month
	switch {
	case month == 0:
		month = current
	case month < 0 || month > len(w.s.Periods):
		return -1, -1, 0, invalid(RuleField, "month", fmt.Sprintf("month must be between 1 and %d", len(w.s.Periods)))
	case month > current:
		return -1, -1, 0, refused(RuleState, fmt.Sprintf("month %d has not started (month %d is in progress)", month, current))
	}
	for i, p := range o.Periods {
		if month >= p.FirstMonth && month <= p.LastMonth {
			return oi, i, month, nil
		}
	}
	return -1, -1, 0, invalid(RuleField, "month", fmt.Sprintf("month %d is outside the service year", month))
}

func (w *service) checkSubmitObligation(in SubmitObligation) *Refusal {
	_, _, _, r := w.resolveObligation(in)
	return r
}

func (w *service) submitObligation(ctx workflow.Context, in SubmitObligation) (ActionResult, error) {
	w.advance(now(ctx))
	oi, pi, month, r := w.resolveObligation(in)
	if r != nil {
		return ActionResult{}, r.applicationError()
	}
	at := now(ctx)
	o := &w.s.Obligations[oi]
	p := &o.Periods[pi]
	sub := ObligationSubmission{N: len(o.Submissions) + 1, Month: month, Ticket: in.Ticket, Title: in.Title, URI: in.URI,
		SHA256: in.SHA256, SubmittedAt: at, SubmittedBy: in.Actor, RequestID: in.RequestID, Late: p.Ended}
	counted := true
	if o.Cadence == plan.CadencePerIncident {
		// A revised report for the same incident does not count twice.
		for _, prev := range o.Submissions {
			if prev.Ticket == in.Ticket {
				counted = false
			}
		}
	}
	o.Submissions = append(o.Submissions, sub)
	if counted {
		p.Submitted++
	}
	e := w.rt.record(at, EventObligationSubmitted, in.ActionMeta, map[string]any{
		"obligation": o.Key, "n": sub.N, "period": p.Label, "month": month, "ticket": in.Ticket,
		"title": in.Title, "uri": in.URI, "sha256": in.SHA256, "late": sub.Late,
		"due": p.Due, "submitted": p.Submitted,
	})
	return ActionResult{Seq: w.s.Seq, Events: []Event{e}}, nil
}

// ---- ticket reports ----

// applyReport applies a ticket's report: the response outcome and time go
// into the severity totals once, a closed ticket leaves the open list.
func (w *service) applyReport(ctx workflow.Context, rep TicketReport) {
	meta := ActionMeta{Actor: SystemActor, RequestID: fmt.Sprintf("ticket-%d", rep.Ticket)}
	idx := -1
	for i, t := range w.s.Tickets.Open {
		if t.N == rep.Ticket {
			idx = i
		}
	}
	switch {
	case rep.ServiceID != w.s.ServiceID:
		w.rt.ignore(ctx, SignalTicketReport, meta, invalid(RuleUnknown, "service_id", fmt.Sprintf("report for service %q", rep.ServiceID)))
		return
	case idx < 0:
		w.rt.ignore(ctx, SignalTicketReport, meta, refused(RuleState, fmt.Sprintf("ticket %d is not open", rep.Ticket)))
		return
	}
	t := &w.s.Tickets.Open[idx]
	changes := map[string]any{"ticket": rep.Ticket}
	var notify []Role
	if rep.Severity != "" && rep.Severity != t.Severity {
		changes["severity"] = rep.Severity
		t.Severity = rep.Severity
	}
	if !t.SLA.Decided && rep.SLA.Decided {
		t.SLA = rep.SLA
		if st := w.stats(rep.SLA.Severity); st != nil {
			if rep.SLA.Met {
				st.Met++
			} else {
				st.Breached++
			}
		}
		changes["sla_met"] = rep.SLA.Met
		changes["sla_severity"] = rep.SLA.Severity
		changes["deadline"] = rep.SLA.Deadline
		if !rep.SLA.Met {
			notify = append(notify, RoleManager)
		}
	}
	if !t.Responded && !rep.RespondedAt.IsZero() {
		t.Responded = true
		sev := rep.Severity
		if rep.SLA.Decided {
			sev = rep.SLA.Severity
		}
		if st := w.stats(sev); st != nil {
			st.Responded++
			st.ResponseSeconds += rep.ResponseSeconds
			st.MaxResponseSeconds = max(st.MaxResponseSeconds, rep.ResponseSeconds)
		}
		changes["responded_at"] = rep.RespondedAt
		changes["response_seconds"] = rep.ResponseSeconds
	}
	if rep.Status != "" && rep.Status != t.Status {
		t.Status = rep.Status
		changes["status"] = rep.Status
	}
	if t.Status == TicketClosed {
		w.s.Tickets.Open = append(w.s.Tickets.Open[:idx], w.s.Tickets.Open[idx+1:]...)
		w.s.Tickets.Closed++
	}
	if len(changes) > 1 {
		w.rt.record(now(ctx), EventTicketReported, meta, changes, notify...)
	}
}
