package workflows

import (
	"fmt"
	"github.com/sowflow/sowflow/plan"
	"sort"
	"time"
)

// refKind is a kind of pending deadline, in the order deadlines falling on
// the same instant are handled.
type refKind int

const (
	refNotice   refKind = iota // a window has one working day left
	refClose                   // a window closes
	refWarning                 // a clock's warning
	refDeadline                // a clock runs out
	refValidity                // the validity period ends
)

// deadlineRef names a deadline in the state by indices: deliverable a, round
// b, submission c for windows; clock a for clocks.
type deadlineRef struct {
	kind    refKind
	a, b, c int
}

// pendingDeadlines lists every deadline that has not fired yet, in state
// order (deliverables, clocks, validity).
func (p *project) pendingDeadlines() []deadlineRef {
	var out []deadlineRef
	add := func(r deadlineRef) {
		if d := p.deadlineOf(r); d != nil {
			out = append(out, r)
		}
	}
	for a, d := range p.s.Deliverables {
		for b, rd := range d.Rounds {
			if rd.Status != DeliverableSubmitted || len(rd.Submissions) == 0 {
				continue
			}
			c := len(rd.Submissions) - 1
			add(deadlineRef{kind: refNotice, a: a, b: b, c: c})
			add(deadlineRef{kind: refClose, a: a, b: b, c: c})
		}
	}
	for a := range p.s.Clocks {
		add(deadlineRef{kind: refWarning, a: a})
		add(deadlineRef{kind: refDeadline, a: a})
	}
	add(deadlineRef{kind: refValidity})
	return out
}

// deadlineOf returns the deadline r names while it is pending, else nil.
func (p *project) deadlineOf(r deadlineRef) *DeadlineState {
	var d *DeadlineState
	switch r.kind {
	case refNotice, refClose:
		if r.a >= len(p.s.Deliverables) || r.b >= len(p.s.Deliverables[r.a].Rounds) {
			return nil
		}
		rd := &p.s.Deliverables[r.a].Rounds[r.b]
		if rd.Status != DeliverableSubmitted || r.c != len(rd.Submissions)-1 {
			return nil
		}
		w := &rd.Submissions[r.c].Window
		switch {
		case w.Closed:
			return nil
		case r.kind == refClose:
			d = &w.Closes
		case !w.NoticeSent:
			d = &w.Notice
		}
	case refWarning, refDeadline:
		if r.a >= len(p.s.Clocks) {
			return nil
		}
		c := &p.s.Clocks[r.a]
		switch {
		case c.met() || c.breached():
			return nil
		case r.kind == refDeadline:
			d = &c.Deadline
		case c.Warning != nil && !c.warned():
			d = c.Warning
		}
	case refValidity:
		if p.s.Status == StatusActive {
			d = &p.s.Validity.End
		}
	}
	if d == nil || d.IsZero() {
		return nil
	}
	return d
}

// refName describes a deadline for events.
func (p *project) refName(r deadlineRef) string {
	switch r.kind {
	case refNotice, refClose:
		d := p.s.Deliverables[r.a]
		what := "window"
		if r.kind == refNotice {
			what = "window notice"
		}
		return fmt.Sprintf("%s %s round %d", what, d.Key, d.Rounds[r.b].Round)
	case refWarning:
		return "clock " + p.s.Clocks[r.a].Key + " warning"
	case refDeadline:
		return "clock " + p.s.Clocks[r.a].Key
	}
	return "validity"
}

// paused reports whether the deadline is stopped by an open customer delay:
// the provider's clocks are (DESIGN.md rule 8); acceptance windows, the
// customer's clock, and the validity period never are.
func (p *project) paused(r deadlineRef) bool {
	if r.kind != refWarning && r.kind != refDeadline {
		return false
	}
	return p.s.OpenDelays > 0 && p.s.Clocks[r.a].Party == plan.PartyProvider
}

type dueItem struct {
	at  time.Time
	ref deadlineRef
}

// dueItems lists the deadlines that will fire, earliest first; ties in
// refKind order, then state order.
func (p *project) dueItems() []dueItem {
	var out []dueItem
	for _, r := range p.pendingDeadlines() {
		if p.paused(r) {
			continue
		}
		out = append(out, dueItem{at: p.deadlineOf(r).At, ref: r})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].at.Equal(out[j].at) {
			return out[i].at.Before(out[j].at)
		}
		return out[i].ref.kind < out[j].ref.kind
	})
	return out
}

// nextWake returns the instant of the next deadline to fire.
func (p *project) nextWake() (time.Time, bool) {
	items := p.dueItems()
	if len(items) == 0 {
		return time.Time{}, false
	}
	return items[0].at, true
}

// fireDue fires, in order, every deadline due at or before now. Each event
// is recorded at the deadline's own instant.
func (p *project) fireDue(now time.Time) {
	for p.s.Status == StatusActive {
		items := p.dueItems()
		if len(items) == 0 || items[0].at.After(now) {
			break
		}
		p.fire(items[0])
	}
	p.derive()
}

func (p *project) fire(it dueItem) {
	sys := ActionMeta{Actor: SystemActor}
	at := it.at
	r := it.ref
	switch r.kind {
	case refNotice, refClose:
		d := &p.s.Deliverables[r.a]
		rd := &d.Rounds[r.b]
		sub := &rd.Submissions[r.c]
		w := &sub.Window
		payload := map[string]any{"deliverable": d.Key, "round": rd.Round, "submission": sub.N, "window_closes": w.Closes.At}
		if r.kind == refNotice {
			w.NoticeSent = true
			p.rt.record(at, EventWindowClosing, sys, payload, RoleCustomer)
			return
		}
		w.Closed = true
		if d.Acceptance == plan.AcceptDeemed {
			rd.Status, rd.AcceptedAt, rd.DeemedAcceptedAt = DeliverableAccepted, at, at
			sub.Decision = &DecisionRecord{Outcome: OutcomeDeemed, At: at, By: SystemActor,
				Reason: "no objection within the acceptance window"}
			payload["deemed_accepted_at"] = at
			p.rt.record(at, EventDeliverableDeemed, sys, payload, RoleCustomer, RoleManager)
			return
		}
		rd.Overdue = true
		p.rt.record(at, EventCustomerReminded, sys, payload, RoleCustomer)
		p.rt.record(at, EventManagerEscalated, sys, payload, RoleManager)
	case refWarning:
		c := &p.s.Clocks[r.a]
		c.WarnedAt = at
		p.rt.record(at, EventClockWarning, sys, map[string]any{"clock": c.Key, "deadline": c.Deadline.At}, RoleManager)
	case refDeadline:
		c := &p.s.Clocks[r.a]
		c.BreachedAt = at
		p.rt.record(at, EventClockBreached, sys, map[string]any{"clock": c.Key, "deadline": c.Deadline.At}, RoleManager)
	case refValidity:
		status := StatusCompleted
		if p.s.Validity.EndsOnFinalAcceptance && p.s.FinalAcceptedAt.IsZero() {
			status = StatusExpired
		}
		p.end(at, status, "validity period ended", sys)
	}
}

// derive recomputes the summary fields of the state.
func (p *project) derive() {
	s := &p.s
	if s.PhaseIndex < len(s.Phases) {
		s.Phase = s.Phases[s.PhaseIndex].Key
	}
	s.OpenDelays = 0
	for _, d := range s.Delays {
		if d.Open() {
			s.OpenDelays++
		}
	}
	for i := range s.Deliverables {
		d := &s.Deliverables[i]
		d.Status, d.Overdue, d.Deadline, d.Provisional = DeliverablePending, false, time.Time{}, false
		if len(d.Rounds) > 0 {
			d.Status = DeliverableAccepted
		}
		for _, rd := range d.Rounds {
			if d.Status == DeliverableAccepted && rd.Status != DeliverableAccepted {
				d.Status = rd.Status
			}
			if rd.Status == DeliverableSubmitted {
				d.Overdue = d.Overdue || rd.Overdue
				w := rd.Submissions[len(rd.Submissions)-1].Window
				if d.Deadline.IsZero() || w.Closes.At.Before(d.Deadline) {
					d.Deadline, d.Provisional = w.Closes.At, w.Closes.Provisional
				}
			}
		}
	}
	for i := range s.Clocks {
		c := &s.Clocks[i]
		switch {
		case c.met():
			c.Status = ClockMet
		case c.breached():
			c.Status = ClockBreached
		case c.Party == plan.PartyProvider && s.OpenDelays > 0:
			c.Status = ClockPaused
		default:
			c.Status = ClockRunning
		}
	}
	s.NextDeadline = time.Time{}
	for _, r := range p.pendingDeadlines() {
		if r.kind == refNotice || r.kind == refWarning || p.paused(r) {
			continue
		}
		if at := p.deadlineOf(r).At; s.NextDeadline.IsZero() || at.Before(s.NextDeadline) {
			s.NextDeadline = at
		}
	}
}
