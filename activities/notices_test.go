package activities

import (
	"slices"
	"testing"

	"github.com/sowflow/sowflow/plan"
	"github.com/sowflow/sowflow/store"
	"github.com/sowflow/sowflow/workflows"
)

func TestNoticeRoles(t *testing.T) {
	moved := []any{map[string]any{"deadline": "d1", "from": "2027-01-04T16:00:00Z", "to": "2027-01-05T16:00:00Z"}}
	same := []any{map[string]any{"deadline": "d1", "from": "2027-01-04T16:00:00Z", "to": "2027-01-05T00:00:00+08:00"}}
	tests := []struct {
		name   string
		source string
		event  workflows.Event
		want   []workflows.Role
	}{
		{"attention event keeps its roles", store.SourceProject,
			workflows.Event{Type: workflows.EventWindowClosing, Attention: true, Notify: []workflows.Role{workflows.RoleCustomer}},
			[]workflows.Role{workflows.RoleCustomer}},
		{"submitted told to the customer", store.SourceProject,
			workflows.Event{Type: workflows.EventDeliverableSubmitted}, []workflows.Role{workflows.RoleCustomer}},
		{"rejected told to the manager", store.SourceProject,
			workflows.Event{Type: workflows.EventDeliverableRejected}, []workflows.Role{workflows.RoleManager}},
		{"accepted told to nobody", store.SourceProject, workflows.Event{Type: workflows.EventDeliverableAccepted}, nil},
		{"calendar moving a deadline told to both", store.SourceProject,
			workflows.Event{Type: workflows.EventCalendarUpdated, Payload: map[string]any{"recomputed": moved}},
			[]workflows.Role{workflows.RoleCustomer, workflows.RoleManager}},
		{"calendar moving nothing told to nobody", store.SourceProject,
			workflows.Event{Type: workflows.EventCalendarUpdated, Payload: map[string]any{"recomputed": same}}, nil},
		{"ticket opened told from the ticket", store.SourceTicket,
			workflows.Event{Type: workflows.EventTicketOpened}, []workflows.Role{workflows.RoleManager}},
		{"ticket opened not told twice from the service", store.SourceService,
			workflows.Event{Type: workflows.EventTicketOpened}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := noticeRoles(tt.source, tt.event); !slices.Equal(got, tt.want) {
				t.Errorf("roles %v, want %v", got, tt.want)
			}
		})
	}
}

func TestProjectNoticePayload(t *testing.T) {
	s := workflows.ProjectState{
		Phases: []workflows.PhaseState{{Key: "build", Name: "Build"}, {Key: "close", Name: "Close-out"}},
		Deliverables: []workflows.DeliverableState{
			{Key: "design", Name: "Design", Phase: "build", Acceptance: plan.AcceptDeemed},
			{Key: "runbook", Name: "Runbook", Phase: "build", Acceptance: plan.AcceptExplicit},
			{Key: "final", Name: "Final report", Phase: "close", Acceptance: plan.AcceptExplicit, Final: true},
		},
	}
	tests := []struct {
		name  string
		event workflows.Event
		want  map[string]any
	}{
		{"deemed deliverable", workflows.Event{Type: workflows.EventDeliverableSubmitted, Payload: map[string]any{"deliverable": "design"}},
			map[string]any{"deliverable": "design", "deliverable_name": "Design", "deemed": true}},
		{"explicit deliverable", workflows.Event{Type: workflows.EventWindowClosing, Payload: map[string]any{"deliverable": "runbook"}},
			map[string]any{"deliverable": "runbook", "deliverable_name": "Runbook", "deemed": false}},
		{"phase with final acceptance", workflows.Event{Type: workflows.EventPhaseAdvanced, Payload: map[string]any{"from": "build", "to": "close"}},
			map[string]any{"from": "build", "to": "close", "phase_name": "Close-out", "final_acceptance_due": true, "final_deliverable": "final"}},
		{"phase without", workflows.Event{Type: workflows.EventPhaseAdvanced, Payload: map[string]any{"from": "x", "to": "build"}},
			map[string]any{"from": "x", "to": "build", "phase_name": "Build"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := projectNoticePayload(s, tt.event, tt.event.Payload)
			if len(got) != len(tt.want) {
				t.Fatalf("payload %v, want %v", got, tt.want)
			}
			for k, v := range tt.want {
				if got[k] != v {
					t.Errorf("payload[%s] = %v, want %v", k, got[k], v)
				}
			}
			if len(tt.event.Payload) >= len(got) && len(got) > 2 {
				t.Errorf("event payload changed: %v", tt.event.Payload)
			}
		})
	}
}
