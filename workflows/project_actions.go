package workflows

import (
	"fmt"
	"strings"
	"time"

	"github.com/sowflow/sowflow/plan"
	"go.temporal.io/sdk/workflow"
)

// finish returns an action's result: the events it recorded (the update
// answers once they are written).
func (p *project) finish(_ workflow.Context, evs []Event) (ActionResult, error) {
	p.derive()
	res := ActionResult{Seq: p.s.Seq, Events: evs}
	if evs == nil {
		res.Events = []Event{}
	}
	return res, nil
}

// checkActor refuses an actor without the role, and a customer of another
// project.
func (p *project) checkActor(a Actor, want Role, what string) *Refusal {
	if a.Role != want {
		return forbidden(RuleRole, fmt.Sprintf("only the %s may %s (actor %q is %q)", want, what, a.Subject, a.Role))
	}
	if want == RoleCustomer && a.CustomerID != p.s.CustomerID {
		return forbidden(RuleCustomer, fmt.Sprintf("project %s belongs to another customer", p.s.ProjectID))
	}
	return nil
}

func (p *project) checkActive() *Refusal {
	if p.s.Status != StatusActive {
		return refused(RuleEnded, fmt.Sprintf("project %s is %s", p.s.ProjectID, p.s.Status))
	}
	return nil
}

func (p *project) deliverableIndex(key string) int {
	for i, d := range p.s.Deliverables {
		if d.Key == key {
			return i
		}
	}
	return -1
}

// knownDeliverable refuses a key the plan does not hold.
func (p *project) knownDeliverable(key string) (int, plan.Deliverable, *Refusal) {
	phase, pd := p.plan.FindDeliverable(key)
	di := p.deliverableIndex(key)
	if phase < 0 || di < 0 {
		return -1, pd, invalid(RuleUnknown, "deliverable", fmt.Sprintf("%s has no deliverable %q", p.plan.PackageCode, key))
	}
	return di, pd, nil
}

// ---- submit ----

// submitTarget is where a submission goes: deliverable di, round index
// (len(Rounds) opens a new round) and the quota a new round uses (-1: none).
type submitTarget struct {
	di, round, quota int
}

// checkDocument refuses a document reference without a title or URI, or
// whose SHA-256 is not 64 hexadecimal digits.
func checkDocument(title, uri, sha256 string) *Refusal {
	return first(
		func() *Refusal { return required("title", title) },
		func() *Refusal { return required("uri", uri) },
		func() *Refusal {
			if !isSHA256(sha256) {
				return invalid(RuleField, "sha256", "sha256 must be 64 hexadecimal digits")
			}
			return nil
		},
	)
}

// checkRound refuses a negative round (0 picks the round).
func checkRound(round int) *Refusal {
	if round < 0 {
		return invalid(RuleField, "round", "round must not be negative")
	}
	return nil
}

func isSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

func (p *project) checkSubmit(in SubmitDeliverable) *Refusal {
	_, r := p.resolveSubmit(in)
	return r
}

func (p *project) resolveSubmit(in SubmitDeliverable) (submitTarget, *Refusal) {
	t := submitTarget{quota: -1}
	if r := first(
		func() *Refusal { return p.checkActor(in.Actor, RoleManager, "submit deliverables") },
		func() *Refusal { return required("deliverable", in.Deliverable) },
		func() *Refusal { return checkDocument(in.Title, in.URI, in.SHA256) },
		func() *Refusal { return checkRound(in.Round) },
		p.checkActive,
	); r != nil {
		return t, r
	}
	di, pd, r := p.knownDeliverable(in.Deliverable)
	if r != nil {
		return t, r
	}
	t.di = di
	d := &p.s.Deliverables[di]
	if phase, _ := p.plan.FindDeliverable(pd.Key); phase > p.s.PhaseIndex {
		return t, refused(RulePhaseNotStarted, fmt.Sprintf("deliverable %s belongs to phase %s, which has not started (current phase %s)",
			pd.Key, p.plan.Phases[phase].Key, p.s.Phase))
	}
	switch {
	case in.Round > 0:
		if in.Round > len(d.Rounds) {
			return t, refused(RuleState, fmt.Sprintf("deliverable %s has no round %d (%d opened)", pd.Key, in.Round, len(d.Rounds)))
		}
		if st := d.Rounds[in.Round-1].Status; st != DeliverablePending && st != DeliverableRejected {
			return t, refused(RuleState, fmt.Sprintf("deliverable %s round %d is %s", pd.Key, in.Round, st))
		}
		t.round = in.Round - 1
	default:
		t.round = -1
		for i, rd := range d.Rounds {
			if rd.Status == DeliverablePending || rd.Status == DeliverableRejected {
				t.round = i
				break
			}
		}
		if t.round >= 0 {
			break
		}
		t.round = len(d.Rounds)
		switch pd.Recurrence {
		case plan.RecurOnce:
			if len(d.Rounds) > 0 && d.Rounds[0].Status == DeliverableSubmitted {
				return t, refused(RuleState, fmt.Sprintf("deliverable %s is submitted and awaits the customer's decision", pd.Key))
			}
			return t, refused(RuleState, fmt.Sprintf("deliverable %s is already accepted", pd.Key))
		case plan.RecurMonthly:
			if limit := p.plan.MonthlyRounds(); limit > 0 && len(d.Rounds) >= limit {
				return t, refused(RuleState, fmt.Sprintf("deliverable %s: all %d monthly rounds are delivered", pd.Key, limit))
			}
		case plan.RecurPerQuotaUse:
			qi := p.plan.QuotaIndex(pd.Quota)
			if qi < 0 || p.plan.Quotas[qi].Deliverable != pd.Key {
				return t, refused(RuleState, fmt.Sprintf("deliverable %s has no open round; each use of quota %s opens one", pd.Key, pd.Quota))
			}
			if r := p.quotaLeft(qi); r != nil {
				return t, r
			}
			t.quota = qi
		}
	}
	var misses, reasons []string
	for _, th := range p.plan.ThresholdsFor(pd.Key) {
		v, ok := in.Measured[th.Metric]
		switch {
		case !ok:
			misses = append(misses, th.String())
			reasons = append(reasons, fmt.Sprintf("measured value %s is required (threshold %s)", th.Metric, th))
		case !th.Met(v):
			misses = append(misses, th.String())
			reasons = append(reasons, fmt.Sprintf("%s = %g misses threshold %s", th.Metric, v, th))
		}
	}
	if len(misses) > 0 {
		return t, &Refusal{Type: ErrorTypeRefused, Rule: RuleThreshold, Thresholds: misses,
			Message: fmt.Sprintf("deliverable %s: %s", pd.Key, strings.Join(reasons, "; "))}
	}
	return t, nil
}

// openWindow computes the acceptance window of a submission at now.
func (p *project) openWindow(ctx workflow.Context, at time.Time) (Window, error) {
	spec := p.plan.AcceptanceWindow
	res, err := p.rt.deadline(ctx, at, spec)
	if err != nil {
		return Window{}, fmt.Errorf("acceptance window: %w", err)
	}
	w := Window{Closes: newDeadline(at, spec, res)}
	if ns := p.plan.NoticeSpec(); ns != nil {
		res, err := p.rt.deadline(ctx, at, *ns)
		if err != nil {
			return Window{}, fmt.Errorf("acceptance window notice: %w", err)
		}
		if res.Deadline.Before(w.Closes.At) {
			w.Notice = newDeadline(at, *ns, res)
		}
	}
	return w, nil
}

func (p *project) submit(ctx workflow.Context, in SubmitDeliverable) (ActionResult, error) {
	at := now(ctx)
	w, err := p.openWindow(ctx, at)
	if err != nil {
		return ActionResult{}, err
	}
	t, r := p.resolveSubmit(in)
	if r != nil {
		return ActionResult{}, r.applicationError()
	}
	var evs []Event
	d := &p.s.Deliverables[t.di]
	if t.round == len(d.Rounds) {
		if t.quota >= 0 {
			evs = append(evs, p.consumeQuota(t.quota, at, in.ActionMeta, "submission of "+d.Key))
		} else {
			d.Rounds = append(d.Rounds, RoundState{Round: len(d.Rounds) + 1, Status: DeliverablePending, OpenedAt: at, Submissions: []Submission{}})
		}
	}
	rd := &d.Rounds[t.round]
	// The decoded input belongs to this handler alone: keep its map.
	var measured map[string]float64
	if len(in.Measured) > 0 {
		measured = in.Measured
	}
	sub := Submission{
		N: len(rd.Submissions) + 1, Title: in.Title, URI: in.URI, SHA256: strings.ToLower(in.SHA256),
		Measured: measured, SubmittedAt: at, SubmittedBy: in.Actor, RequestID: in.RequestID, Window: w,
	}
	rd.Submissions = append(rd.Submissions, sub)
	rd.Status, rd.Overdue = DeliverableSubmitted, false
	payload := map[string]any{
		"deliverable": d.Key, "round": rd.Round, "submission": sub.N,
		"title": sub.Title, "uri": sub.URI, "sha256": sub.SHA256,
		"window_closes": w.Closes.At, "provisional": w.Closes.Provisional, "calendar_version": w.Closes.CalendarVersion,
	}
	if measured != nil {
		payload["measured"] = measured
	}
	p.s.CalendarVersion = w.Closes.CalendarVersion
	evs = append(evs, p.rt.record(at, EventDeliverableSubmitted, in.ActionMeta, payload))
	for i := range p.s.Clocks {
		c := &p.s.Clocks[i]
		if c.MetBy == d.Key && !c.met() {
			c.MetAt = at
			evs = append(evs, p.rt.record(at, EventClockMet, in.ActionMeta, map[string]any{
				"clock": c.Key, "deadline": c.Deadline.At, "late": c.breached(), "deliverable": d.Key,
			}))
		}
	}
	return p.finish(ctx, evs)
}

// ---- decide ----

func (p *project) checkDecide(in DecideDeliverable) *Refusal {
	_, _, r := p.resolveDecide(in)
	return r
}

func (p *project) resolveDecide(in DecideDeliverable) (di, ri int, _ *Refusal) {
	if r := first(
		func() *Refusal { return p.checkActor(in.Actor, RoleCustomer, "accept or reject deliverables") },
		func() *Refusal { return required("deliverable", in.Deliverable) },
		func() *Refusal {
			if in.Decision != DecisionAccept && in.Decision != DecisionReject {
				return invalid(RuleField, "decision", fmt.Sprintf("decision must be %q or %q", DecisionAccept, DecisionReject))
			}
			return nil
		},
		func() *Refusal {
			if in.Decision == DecisionReject {
				return required("reason", in.Reason)
			}
			return nil
		},
		func() *Refusal { return checkRound(in.Round) },
		p.checkActive,
	); r != nil {
		return -1, -1, r
	}
	di, pd, r := p.knownDeliverable(in.Deliverable)
	if r != nil {
		return -1, -1, r
	}
	d := &p.s.Deliverables[di]
	if in.Round > 0 {
		if in.Round > len(d.Rounds) {
			return -1, -1, refused(RuleState, fmt.Sprintf("deliverable %s has no round %d (%d opened)", pd.Key, in.Round, len(d.Rounds)))
		}
		if st := d.Rounds[in.Round-1].Status; st != DeliverableSubmitted {
			return -1, -1, refused(RuleState, fmt.Sprintf("deliverable %s round %d is %s, not submitted", pd.Key, in.Round, st))
		}
		return di, in.Round - 1, nil
	}
	for i, rd := range d.Rounds {
		if rd.Status == DeliverableSubmitted {
			return di, i, nil
		}
	}
	return -1, -1, refused(RuleState, fmt.Sprintf("deliverable %s has no submission awaiting a decision (it is %s)", pd.Key, d.Status))
}

func (p *project) decide(ctx workflow.Context, in DecideDeliverable) (ActionResult, error) {
	di, ri, r := p.resolveDecide(in)
	if r != nil {
		return ActionResult{}, r.applicationError()
	}
	at := now(ctx)
	d := &p.s.Deliverables[di]
	rd := &d.Rounds[ri]
	sub := &rd.Submissions[len(rd.Submissions)-1]
	wasOverdue := rd.Overdue
	rd.Overdue = false
	payload := map[string]any{"deliverable": d.Key, "round": rd.Round, "submission": sub.N, "overdue": wasOverdue}
	var ev Event
	if in.Decision == DecisionAccept {
		rd.Status, rd.AcceptedAt = DeliverableAccepted, at
		sub.Decision = &DecisionRecord{Outcome: OutcomeAccepted, At: at, By: in.Actor, RequestID: in.RequestID, Reason: in.Reason}
		ev = p.rt.record(at, EventDeliverableAccepted, in.ActionMeta, payload)
	} else {
		rd.Status = DeliverableRejected
		sub.Decision = &DecisionRecord{Outcome: OutcomeRejected, At: at, By: in.Actor, RequestID: in.RequestID, Reason: in.Reason}
		payload["reason"] = in.Reason
		ev = p.rt.record(at, EventDeliverableRejected, in.ActionMeta, payload)
	}
	return p.finish(ctx, []Event{ev})
}

// ---- phases ----

// missing lists the required deliverables of phase i not accepted: the key,
// with the round for recurring ones.
func (p *project) missing(i int) []string {
	out := []string{}
	key := p.plan.Phases[i].Key
	for _, d := range p.s.Deliverables {
		if d.Phase != key || !d.Required {
			continue
		}
		for _, rd := range d.Rounds {
			if rd.Status == DeliverableAccepted {
				continue
			}
			if d.Recurrence == plan.RecurOnce {
				out = append(out, d.Key)
			} else {
				out = append(out, fmt.Sprintf("%s (round %d)", d.Key, rd.Round))
			}
		}
	}
	return out
}

func (p *project) checkAdvance(in AdvancePhase) *Refusal {
	if r := first(
		func() *Refusal { return p.checkActor(in.Actor, RoleManager, "advance phases") },
		p.checkActive,
	); r != nil {
		return r
	}
	if in.From != "" && in.From != p.s.Phase {
		return refused(RulePhaseMoved, fmt.Sprintf("the current phase is %s, not %s", p.s.Phase, in.From))
	}
	if p.s.PhaseIndex >= len(p.plan.Phases)-1 {
		return refused(RuleLastPhase, fmt.Sprintf("phase %s is the last phase", p.s.Phase))
	}
	if m := p.missing(p.s.PhaseIndex); len(m) > 0 {
		return &Refusal{Type: ErrorTypeRefused, Rule: RulePhaseIncomplete, Missing: m,
			Message: fmt.Sprintf("phase %s cannot be completed: not accepted: %s", p.s.Phase, strings.Join(m, ", "))}
	}
	return nil
}

func (p *project) advance(ctx workflow.Context, in AdvancePhase) (ActionResult, error) {
	at := now(ctx)
	from := &p.s.Phases[p.s.PhaseIndex]
	from.Status, from.CompletedAt = PhaseCompleted, at
	p.s.PhaseIndex++
	to := &p.s.Phases[p.s.PhaseIndex]
	to.Status, to.StartedAt = PhaseActive, at
	p.s.Phase = to.Key
	ev := p.rt.record(at, EventPhaseAdvanced, in.ActionMeta, map[string]any{"from": from.Key, "to": to.Key})
	return p.finish(ctx, []Event{ev})
}

// ---- delays ----

func (p *project) checkOpenDelay(in OpenDelay) *Refusal {
	return first(
		func() *Refusal { return p.checkActor(in.Actor, RoleManager, "report customer delays") },
		func() *Refusal { return required("reason", in.Reason) },
		p.checkActive,
		func() *Refusal {
			if p.s.OpenDelays > 0 {
				return refused(RuleDelayOpen, "a customer delay is already open; close it first")
			}
			return nil
		},
	)
}

func (p *project) openDelay(ctx workflow.Context, in OpenDelay) (ActionResult, error) {
	at := now(ctx)
	dl := Delay{ID: len(p.s.Delays) + 1, Reason: in.Reason, Prerequisite: in.Prerequisite, OpenedAt: at, OpenedBy: in.Actor}
	p.s.Delays = append(p.s.Delays, dl)
	paused := []string{}
	for _, c := range p.s.Clocks {
		if c.Party == plan.PartyProvider && !c.met() && !c.breached() {
			paused = append(paused, c.Key)
		}
	}
	ev := p.rt.record(at, EventDelayOpened, in.ActionMeta, map[string]any{
		"delay": dl.ID, "reason": dl.Reason, "prerequisite": dl.Prerequisite, "paused_clocks": paused,
	})
	return p.finish(ctx, []Event{ev})
}

func (p *project) checkCloseDelay(in CloseDelay) *Refusal {
	return first(
		func() *Refusal { return p.checkActor(in.Actor, RoleManager, "close customer delays") },
		p.checkActive,
		func() *Refusal {
			if p.s.OpenDelays == 0 {
				return refused(RuleNoDelay, "no customer delay is open")
			}
			return nil
		},
	)
}

func (p *project) closeDelay(ctx workflow.Context, in CloseDelay) (ActionResult, error) {
	at := now(ctx)
	dl := &p.s.Delays[len(p.s.Delays)-1]
	for i := range p.s.Delays {
		if p.s.Delays[i].Open() {
			dl = &p.s.Delays[i]
			break
		}
	}
	length := at.Sub(dl.OpenedAt).Truncate(time.Second)
	actor := in.Actor
	dl.ClosedAt, dl.ClosedBy, dl.LengthSeconds = at, &actor, int64(length/time.Second)
	extended := []any{}
	for i := range p.s.Clocks {
		c := &p.s.Clocks[i]
		if c.Party != plan.PartyProvider || c.met() || c.breached() {
			continue
		}
		c.Deadline.extend(length)
		item := map[string]any{"clock": c.Key, "deadline": c.Deadline.At}
		if c.Warning != nil && !c.warned() {
			c.Warning.extend(length)
			item["warning"] = c.Warning.At
		}
		extended = append(extended, item)
	}
	ev := p.rt.record(at, EventDelayClosed, in.ActionMeta, map[string]any{
		"delay": dl.ID, "length_seconds": dl.LengthSeconds, "note": in.Note, "extended_clocks": extended,
	})
	return p.finish(ctx, []Event{ev})
}

// ---- quotas ----

// quotaLeft refuses a quota whose limit is reached.
func (p *project) quotaLeft(qi int) *Refusal {
	q := p.s.Quotas[qi]
	if q.Used >= q.Limit {
		unit := q.Unit
		if unit == "" {
			unit = "use"
		}
		return refused(RuleQuotaExhausted, fmt.Sprintf("quota %s is exhausted: %d of %d %ss used", q.Key, q.Used, q.Limit, unit))
	}
	return nil
}

func (p *project) checkUseQuota(in UseQuota) *Refusal {
	if r := first(
		func() *Refusal { return p.checkActor(in.Actor, RoleManager, "use quotas") },
		func() *Refusal { return required("quota", in.Quota) },
		p.checkActive,
	); r != nil {
		return r
	}
	qi := p.plan.QuotaIndex(in.Quota)
	if qi < 0 {
		return invalid(RuleUnknown, "quota", fmt.Sprintf("%s has no quota %q", p.plan.PackageCode, in.Quota))
	}
	return p.quotaLeft(qi)
}

func (p *project) useQuota(ctx workflow.Context, in UseQuota) (ActionResult, error) {
	ev := p.consumeQuota(p.plan.QuotaIndex(in.Quota), now(ctx), in.ActionMeta, in.Note)
	return p.finish(ctx, []Event{ev})
}

// consumeQuota uses one unit of quota qi and opens the next round of every
// deliverable that recurs per use of it.
func (p *project) consumeQuota(qi int, at time.Time, m ActionMeta, note string) Event {
	q := &p.s.Quotas[qi]
	q.Used++
	q.Uses = append(q.Uses, QuotaUse{N: q.Used, At: at, By: m.Actor, RequestID: m.RequestID, Note: note})
	opened := []string{}
	for i := range p.s.Deliverables {
		d := &p.s.Deliverables[i]
		if _, pd := p.plan.FindDeliverable(d.Key); pd.Recurrence != plan.RecurPerQuotaUse || pd.Quota != q.Key {
			continue
		}
		d.Rounds = append(d.Rounds, RoundState{Round: len(d.Rounds) + 1, Status: DeliverablePending, QuotaUse: q.Used,
			OpenedAt: at, Submissions: []Submission{}})
		opened = append(opened, d.Key)
	}
	return p.rt.record(at, EventQuotaUsed, m, map[string]any{
		"quota": q.Key, "used": q.Used, "limit": q.Limit, "remaining": q.Limit - q.Used, "note": note, "opened_rounds": opened,
	})
}

// ---- final acceptance and termination ----

func (p *project) checkSign(in SignFinalAcceptance) *Refusal {
	if r := first(
		func() *Refusal { return p.checkActor(in.Actor, RoleCustomer, "sign final acceptance") },
		p.checkActive,
	); r != nil {
		return r
	}
	if p.plan.FinalAcceptance == "" {
		return refused(RuleNoFinal, fmt.Sprintf("%s has no final acceptance; it completes when its validity ends", p.plan.PackageCode))
	}
	if !p.s.FinalAcceptedAt.IsZero() {
		return refused(RuleFinalAlreadyDone, "final acceptance is already signed")
	}
	var m []string
	for i := p.s.PhaseIndex; i < len(p.plan.Phases); i++ {
		m = append(m, p.missing(i)...)
	}
	if last := len(p.plan.Phases) - 1; p.s.PhaseIndex < last {
		return &Refusal{Type: ErrorTypeRefused, Rule: RulePhaseIncomplete, Missing: m,
			Message: fmt.Sprintf("final acceptance needs the last phase %s; the project is in phase %s", p.plan.Phases[last].Key, p.s.Phase)}
	}
	if len(m) > 0 {
		return &Refusal{Type: ErrorTypeRefused, Rule: RulePhaseIncomplete, Missing: m,
			Message: "final acceptance needs every required deliverable accepted; not accepted: " + strings.Join(m, ", ")}
	}
	return nil
}

func (p *project) sign(ctx workflow.Context, in SignFinalAcceptance) (ActionResult, error) {
	at := now(ctx)
	actor := in.Actor
	p.s.FinalAcceptedAt, p.s.FinalAcceptedBy = at, &actor
	evs := []Event{p.rt.record(at, EventFinalAcceptanceSigned, in.ActionMeta, map[string]any{
		"deliverable": p.plan.FinalAcceptance, "note": in.Note,
	})}
	if p.plan.Validity.EndsOnFinalAcceptance {
		evs = append(evs, p.end(at, StatusCompleted, "final acceptance signed", in.ActionMeta))
	}
	return p.finish(ctx, evs)
}

func (p *project) checkTerminate(in Terminate) *Refusal {
	return first(
		func() *Refusal { return p.checkActor(in.Actor, RoleManager, "terminate projects") },
		func() *Refusal { return required("reason", in.Reason) },
		p.checkActive,
	)
}

func (p *project) terminate(ctx workflow.Context, in Terminate) (ActionResult, error) {
	ev := p.end(now(ctx), StatusTerminated, in.Reason, in.ActionMeta)
	return p.finish(ctx, []Event{ev})
}

// end closes the project with the status.
func (p *project) end(at time.Time, status ProjectStatus, reason string, m ActionMeta) Event {
	p.s.Status, p.s.EndedAt, p.s.EndReason = status, at, reason
	if status == StatusCompleted {
		ph := &p.s.Phases[p.s.PhaseIndex]
		if ph.Status == PhaseActive {
			ph.Status, ph.CompletedAt = PhaseCompleted, at
		}
	}
	typ := EventProjectCompleted
	switch status {
	case StatusExpired:
		typ = EventProjectExpired
	case StatusTerminated:
		typ = EventProjectTerminated
	}
	p.derive()
	payload := map[string]any{"status": status, "reason": reason}
	if !p.s.Validity.End.IsZero() {
		payload["validity_end"] = p.s.Validity.End.At
	}
	return p.rt.record(at, typ, m, payload)
}

// ---- calendar ----

func (p *project) checkCalendar(in CalendarUpdated) *Refusal {
	if in.Actor.Role != RoleAdmin && in.Actor.Role != RoleSystem {
		return forbidden(RuleRole, fmt.Sprintf("only an admin or the system may report calendar updates (actor %q is %q)", in.Actor.Subject, in.Actor.Role))
	}
	return first(
		func() *Refusal { return required("calendar_version", in.CalendarVersion) },
		p.checkActive,
	)
}

// calendarUpdated recomputes every pending deadline whose result was
// provisional and records what changed; the main loop re-arms its timer
// from the new instants.
func (p *project) calendarUpdated(ctx workflow.Context, in CalendarUpdated) (ActionResult, error) {
	changes := []any{}
	for _, ref := range p.pendingDeadlines() {
		d := p.deadlineOf(ref)
		if d == nil || !d.Provisional {
			continue
		}
		from, spec := d.From, d.Spec
		res, err := p.rt.deadline(ctx, from, spec)
		if err != nil {
			return ActionResult{}, err
		}
		d = p.deadlineOf(ref) // other handlers may have run
		if d == nil || !d.From.Equal(from) || d.Spec != spec {
			continue
		}
		old := d.At
		d.recomputed(res)
		changes = append(changes, map[string]any{
			"deadline": p.refName(ref), "from": old, "to": d.At, "provisional": d.Provisional, "calendar_version": d.CalendarVersion,
		})
	}
	if r := p.checkCalendar(in); r != nil {
		return ActionResult{}, r.applicationError()
	}
	p.s.CalendarVersion = in.CalendarVersion
	ev := p.rt.record(now(ctx), EventCalendarUpdated, in.ActionMeta, map[string]any{
		"calendar_version": in.CalendarVersion, "recomputed": changes,
	})
	return p.finish(ctx, []Event{ev})
}
