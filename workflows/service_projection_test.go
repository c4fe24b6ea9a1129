package workflows_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"go.temporal.io/sdk/testsuite"

	"github.com/sowflow/sowflow/workflows"
)

// projectedUpdate sends an update and, when it completes, records whether
// the projection already held the events it returned (the update must
// answer only once they are written).
func (h *harness) projectedUpdate(wf, name string, arg any, written func(seq int64) bool, late *[]string) {
	h.mu.Lock()
	h.req++
	id := fmt.Sprintf("projected-update-%d", h.req)
	h.mu.Unlock()
	at := h.env.Now()
	cb := &testsuite.TestUpdateCallback{
		OnAccept: func() {},
		OnReject: func(err error) { h.t.Errorf("update %s on %s at %s rejected: %v", name, wf, at, err) },
		OnComplete: func(v any, err error) {
			var seq int64
			switch r := v.(type) {
			case workflows.ActionResult:
				seq = r.Seq
			case workflows.OpenTicketResult:
				seq = r.Seq
			}
			if err != nil || seq == 0 {
				h.t.Errorf("update %s on %s at %s: %v (result %+v)", name, wf, at, err, v)
				return
			}
			if !written(seq) {
				*late = append(*late, fmt.Sprintf("%s on %s at %s (event %d)", name, wf, at.Format(time.RFC3339), seq))
			}
		},
	}
	if err := h.env.UpdateWorkflowByID(wf, name, id, cb, arg); err != nil {
		h.t.Errorf("update %s on %s: %v", name, wf, err)
	}
}

// serviceWritten reports whether the projection of the service holds
// event seq.
func (p *projections) serviceWritten(id string) func(int64) bool {
	return func(seq int64) bool {
		for _, r := range p.service(id) {
			for _, e := range r.Events {
				if e.Seq == seq {
					return true
				}
			}
		}
		return false
	}
}

// ticketWritten reports whether the projection of the ticket holds event
// seq.
func (p *projections) ticketWritten(service string, n int) func(int64) bool {
	return func(seq int64) bool {
		for _, r := range p.ticket(service, n) {
			for _, e := range r.Events {
				if e.Seq == seq {
					return true
				}
			}
		}
		return false
	}
}

// checkServiceProjection holds the records of a service against its final
// state: every event from first once and in order, records without the
// recent events, the last record the final state, and the state's recent
// events the tail of what was written. It returns the events written.
func checkServiceProjection(t *testing.T, h *harness, s workflows.ServiceState, first int64) []workflows.Event {
	t.Helper()
	recs := h.proj.service(s.ServiceID)
	if len(recs) == 0 {
		t.Fatalf("service %s was never recorded", s.ServiceID)
	}
	var states []int64
	var events [][]workflows.Event
	for i, r := range recs {
		states = append(states, r.State.Seq)
		events = append(events, r.Events)
		if len(r.State.RecentEvents) != 0 {
			t.Errorf("record %d carries %d recent events", i, len(r.State.RecentEvents))
		}
		for _, o := range r.State.Obligations {
			if len(o.Submissions) != 0 {
				t.Errorf("record %d carries %d submissions of %s", i, len(o.Submissions), o.Key)
			}
		}
	}
	all := projectedOnce(t, "service "+s.ServiceID, first, states, events)
	last := recs[len(recs)-1].State
	if last.Seq != s.Seq || last.Status != s.Status {
		t.Errorf("last record: seq %d status %s; final state seq %d status %s", last.Seq, last.Status, s.Seq, s.Status)
	}
	// Submissions are left out of the records; what each period got is not.
	if len(last.Obligations) != len(s.Obligations) {
		t.Errorf("last record: %d obligations, final state %d", len(last.Obligations), len(s.Obligations))
	}
	for i := range min(len(last.Obligations), len(s.Obligations)) {
		if got, want := last.Obligations[i].Periods, s.Obligations[i].Periods; !slices.Equal(got, want) {
			t.Errorf("last record: obligation %s periods %+v, final state %+v", s.Obligations[i].Key, got, want)
		}
	}
	if n := len(s.RecentEvents); n > len(all) || !sameEvents(all[len(all)-n:], s.RecentEvents) {
		t.Errorf("the state's %d recent events are not the last ones written", n)
	}
	return all
}

// checkTicketProjection holds the records of a ticket against its final
// state: every event once and in order, records without the event list.
func checkTicketProjection(t *testing.T, h *harness, s workflows.TicketState) {
	t.Helper()
	recs := h.proj.ticket(s.ServiceID, s.Ticket)
	var states []int64
	var events [][]workflows.Event
	for i, r := range recs {
		states = append(states, r.State.Seq)
		events = append(events, r.Events)
		if len(r.State.Events) != 0 {
			t.Errorf("ticket %d record %d carries %d events", s.Ticket, i, len(r.State.Events))
		}
	}
	all := projectedOnce(t, fmt.Sprintf("ticket %d", s.Ticket), 1, states, events)
	if !sameEvents(all, s.Events) {
		t.Errorf("ticket %d: written %v, state has %v", s.Ticket, types(all), types(s.Events))
	}
	if len(recs) > 0 && recs[len(recs)-1].State.Status != s.Status {
		t.Errorf("ticket %d: last record %s, final state %s", s.Ticket, recs[len(recs)-1].State.Status, s.Status)
	}
}

func sameEvents(a, b []workflows.Event) bool {
	return slices.EqualFunc(a, b, func(x, y workflows.Event) bool {
		return x.Seq == y.Seq && x.Type == y.Type && x.At.Equal(y.At) && x.Attention == y.Attention
	})
}

func types(evs []workflows.Event) []workflows.EventType {
	var out []workflows.EventType
	for _, e := range evs {
		out = append(out, e.Type)
	}
	return out
}

// TestServiceProjection runs a two-month partner service with two tickets
// (one answered in time, reopened and closed; one breached after its
// warning), quota uses, an ignored signal and an obligation, across a
// continue-as-new and to the annual summary. The projection must see every
// event of the service and of each ticket once, in order, with the state
// that follows it, and every update must answer only once its events are
// written.
func TestServiceProjection(t *testing.T) {
	start := cst(2026, 1, 1, 0, 0)
	h := newSvc(t, start)
	const id = "s-proj"
	wf := workflows.ServiceWorkflowID(id)
	t1, t2 := workflows.TicketWorkflowID(id, 1), workflows.TicketWorkflowID(id, 2)
	var late []string
	svcUpdate := func(when time.Time, name string, arg func() any) {
		h.atInstant(start, when, func() { h.projectedUpdate(wf, name, arg(), h.proj.serviceWritten(id), &late) })
	}
	tktUpdate := func(when time.Time, wf string, n int, name string, arg func() any) {
		h.atInstant(start, when, func() { h.projectedUpdate(wf, name, arg(), h.proj.ticketWritten(id, n), &late) })
	}
	open := func(sev string) func() any {
		return func() any {
			return workflows.OpenTicket{ActionMeta: h.meta(customer), Severity: sev, Title: sev + " incident"}
		}
	}
	svcUpdate(cst(2026, 1, 5, 10, 0), workflows.UpdateOpenTicket, open("critical"))
	tktUpdate(cst(2026, 1, 5, 10, 5), t1, 1, workflows.UpdateRespondTicket, func() any {
		return workflows.RespondTicket{ActionMeta: h.meta(manager)}
	})
	tktUpdate(cst(2026, 1, 5, 10, 30), t1, 1, workflows.UpdateResolveTicket, func() any {
		return workflows.ResolveTicket{ActionMeta: h.meta(manager), Resolution: "restarted"}
	})
	tktUpdate(cst(2026, 1, 5, 11, 0), t1, 1, workflows.UpdateReopenTicket, func() any {
		return workflows.ReopenTicket{ActionMeta: h.meta(customer), Reason: "down again"}
	})
	tktUpdate(cst(2026, 1, 5, 11, 30), t1, 1, workflows.UpdateResolveTicket, func() any {
		return workflows.ResolveTicket{ActionMeta: h.meta(manager), Resolution: "fixed"}
	})
	tktUpdate(cst(2026, 1, 5, 12, 0), t1, 1, workflows.UpdateConfirmClosure, func() any {
		return workflows.ConfirmClosure{ActionMeta: h.meta(customer)}
	})
	svcUpdate(cst(2026, 1, 6, 10, 0), workflows.UpdateOpenTicket, open("high")) // warning 13:00, breach 14:00
	tktUpdate(cst(2026, 1, 6, 10, 30), t2, 2, workflows.UpdateChangeSeverity, func() any {
		return workflows.ChangeSeverity{ActionMeta: h.meta(manager), Severity: "medium", Reason: "workaround"} // breach 18:30
	})
	tktUpdate(cst(2026, 1, 6, 19, 0), t2, 2, workflows.UpdateRespondTicket, func() any {
		return workflows.RespondTicket{ActionMeta: h.meta(manager)}
	})
	tktUpdate(cst(2026, 1, 6, 20, 0), t2, 2, workflows.UpdateResolveTicket, func() any {
		return workflows.ResolveTicket{ActionMeta: h.meta(manager), Resolution: "done"}
	})
	tktUpdate(cst(2026, 1, 7, 9, 0), t2, 2, workflows.UpdateConfirmClosure, func() any {
		return workflows.ConfirmClosure{ActionMeta: h.meta(customer)}
	})
	svcUpdate(cst(2026, 1, 8, 10, 0), workflows.UpdateUseQuota, func() any {
		return workflows.UseQuota{ActionMeta: h.meta(customer), Quota: "health-check"}
	})
	h.atInstant(start, cst(2026, 1, 8, 11, 0), func() {
		// Exhausted for January: recorded as ignored, and projected too.
		if err := h.env.SignalWorkflowByID(wf, workflows.UpdateUseQuota, workflows.UseQuota{ActionMeta: h.meta(customer), Quota: "health-check"}); err != nil {
			t.Error(err)
		}
	})
	svcUpdate(cst(2026, 2, 3, 10, 0), workflows.UpdateSubmitObligation, func() any {
		return workflows.SubmitObligation{ActionMeta: h.meta(manager), Obligation: "usage-report", Month: 1,
			Title: "January usage", URI: "https://docs.example/jan", SHA256: sha('f')}
	})
	svcUpdate(cst(2026, 2, 3, 11, 0), workflows.UpdateUseQuota, func() any {
		return workflows.UseQuota{ActionMeta: h.meta(manager), Quota: "health-check"}
	})

	res := runService(t, h, serviceInput(id, partnerElitePlan(start, 2)))
	if len(late) > 0 {
		t.Errorf("updates answered before their events were written: %v", late)
	}
	s := res.State
	if res.Status != workflows.ServiceCompleted || s.Run < 2 {
		t.Fatalf("status %s after %d runs", res.Status, s.Run)
	}
	all := checkServiceProjection(t, h, s, 1)
	for _, want := range []workflows.EventType{workflows.EventServiceStarted, workflows.EventServiceYearStarted,
		workflows.EventTicketOpened, workflows.EventTicketReported, workflows.EventQuotaUsed, workflows.EventSignalIgnored,
		workflows.EventPeriodEnded, workflows.EventContinuedAsNew, workflows.EventObligationSubmitted,
		workflows.EventServiceYearEnded, workflows.EventServiceSummary, workflows.EventServiceCompleted} {
		if !slices.Contains(types(all), want) {
			t.Errorf("no %s event written: %v", want, types(all))
		}
	}
	if h.proj.ticketCount() != 2 {
		t.Errorf("%d tickets recorded, want 2", h.proj.ticketCount())
	}
	for _, tw := range []string{t1, t2} {
		var ts workflows.TicketState
		h.query(tw, workflows.QueryTicketState, &ts)
		if ts.Status != workflows.TicketClosed {
			t.Errorf("%s is %s", tw, ts.Status)
		}
		checkTicketProjection(t, h, ts)
	}
	var ts2 workflows.TicketState
	h.query(t2, workflows.QueryTicketState, &ts2)
	for _, want := range []workflows.EventType{workflows.EventTicketWarning, workflows.EventSeverityChanged, workflows.EventTicketBreached} {
		if len(eventsOf(ts2.Events, want)) != 1 {
			t.Errorf("ticket 2: %d %s events in %v", len(eventsOf(ts2.Events, want)), want, types(ts2.Events))
		}
	}
}
