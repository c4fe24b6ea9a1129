package activities

import (
	"fmt"
	"time"

	"github.com/sowflow/sowflow/plan"
	"github.com/sowflow/sowflow/store"
	"github.com/sowflow/sowflow/workflows"
)

// notices are the events a person is told of although the workflows record
// them without Attention (they mark progress rather than a moment to act
// on), by the source of the record they come in, with the roles told. The
// projection adds their outbox entries, so they reach people without a
// change to the workflows or their histories.
var notices = map[string]map[workflows.EventType][]workflows.Role{
	store.SourceProject: {
		workflows.EventDeliverableSubmitted: {workflows.RoleCustomer},
		workflows.EventDeliverableRejected:  {workflows.RoleManager},
		workflows.EventPhaseAdvanced:        {workflows.RoleCustomer},
		workflows.EventCalendarUpdated:      {workflows.RoleCustomer, workflows.RoleManager},
	},
	// A ticket's opening is told from the ticket's own record, which holds
	// its response deadline (the service records the opening too).
	store.SourceTicket: {
		workflows.EventTicketOpened: {workflows.RoleManager},
	},
}

// noticeRoles returns who is told of e, recorded in a record of source:
// the roles the workflow named for an attention event, else those of
// notices. A calendar update is told only when it moved a deadline.
func noticeRoles(source string, e workflows.Event) []workflows.Role {
	if e.Attention {
		return e.Notify
	}
	if e.Type == workflows.EventCalendarUpdated && !movedDeadlines(e.Payload["recomputed"]) {
		return nil
	}
	return notices[source][e.Type]
}

// movedDeadlines reports whether a calendar update's "recomputed" list
// (decoded from JSON, as activities receive it) names a deadline that
// moved.
func movedDeadlines(v any) bool {
	l, _ := v.([]any)
	for _, c := range l {
		m, _ := c.(map[string]any)
		if m != nil && !sameInstant(m["from"], m["to"]) {
			return true
		}
	}
	return false
}

// sameInstant compares two instants as JSON or Go values.
func sameInstant(a, b any) bool {
	asTime := func(v any) (time.Time, bool) {
		switch t := v.(type) {
		case time.Time:
			return t, true
		case string:
			p, err := time.Parse(time.RFC3339Nano, t)
			return p, err == nil
		}
		return time.Time{}, false
	}
	ta, aok := asTime(a)
	tb, bok := asTime(b)
	if aok && bok {
		return ta.Equal(tb)
	}
	return fmt.Sprint(a) == fmt.Sprint(b)
}

// projectNoticePayload adds to the outbox payload of a project event what
// its notice says beyond the event: a submitted deliverable's name and
// whether silence until its window closes is acceptance (deemed: a notice
// with legal effect); for a phase advanced, whether the new phase holds
// the deliverable whose acceptance is final acceptance.
func projectNoticePayload(s workflows.ProjectState, e workflows.Event, payload map[string]any) map[string]any {
	out := make(map[string]any, len(payload)+2)
	for k, v := range payload {
		out[k] = v
	}
	switch e.Type {
	case workflows.EventDeliverableSubmitted, workflows.EventDeliverableRejected, workflows.EventWindowClosing,
		workflows.EventDeliverableDeemed, workflows.EventCustomerReminded, workflows.EventManagerEscalated:
		key, _ := payload["deliverable"].(string)
		for _, d := range s.Deliverables {
			if d.Key == key {
				out["deliverable_name"] = d.Name
				out["deemed"] = d.Acceptance == plan.AcceptDeemed
			}
		}
	case workflows.EventPhaseAdvanced:
		to, _ := payload["to"].(string)
		for _, ph := range s.Phases {
			if ph.Key == to {
				out["phase_name"] = ph.Name
			}
		}
		for _, d := range s.Deliverables {
			if d.Phase == to && d.Final {
				out["final_acceptance_due"] = true
				out["final_deliverable"] = d.Key
			}
		}
	}
	return out
}
