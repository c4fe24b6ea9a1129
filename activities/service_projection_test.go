package activities

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/sowflow/sowflow/calendar"
	"github.com/sowflow/sowflow/store"
	"github.com/sowflow/sowflow/testenv"
	"github.com/sowflow/sowflow/workflows"
)

// TestRecordServiceAndTicket records a service and one of its tickets
// through the activities: the list columns follow the state, updated_at is
// the newest event's instant, a retried or late record changes nothing, and
// attention events reach the outbox once per recipient.
func TestRecordServiceAndTicket(t *testing.T) {
	ctx := context.Background()
	p := &Projection{Store: store.New(testenv.Get(t).Pool)}
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, calendar.Zone())
	manager := workflows.Actor{Subject: "token:m1", Role: workflows.RoleManager}
	const id = "s-activity"
	service := func(seq int64, status workflows.ServiceStatus, open int, breached int) workflows.ServiceState {
		return workflows.ServiceState{
			ServiceID: id, CustomerID: "acme", Status: status, Seq: seq, StartedAt: start, Start: start, End: start.AddDate(1, 0, 0),
			NextBoundary: start.AddDate(0, 1, 0),
			Package:      workflows.PackageRef{Code: "partner-elite", CatalogVersion: "2026-11-23.1"},
			Tickets: workflows.TicketsState{Opened: 1, Open: make([]workflows.ServiceTicket, open),
				Severities: []workflows.SeverityStats{{Severity: "critical", Breached: breached}, {Severity: "low"}}},
			RecentEvents: []workflows.Event{},
		}
	}
	opened := workflows.Event{Seq: 2, Type: workflows.EventTicketOpened, Actor: manager, RequestID: "r2", At: start.Add(time.Hour),
		Payload: map[string]any{"ticket": 1}}
	reported := workflows.Event{Seq: 3, Type: workflows.EventTicketReported, Actor: workflows.SystemActor, At: start.Add(2 * time.Hour),
		Attention: true, Notify: []workflows.Role{workflows.RoleManager}, Payload: map[string]any{"ticket": 1, "sla_met": false}}
	serviceSteps := []struct {
		name    string
		record  workflows.ServiceRecord
		wantSeq int64
	}{
		{"started", workflows.ServiceRecord{State: service(1, workflows.ServiceActive, 0, 0), Events: []workflows.Event{
			{Seq: 1, Type: workflows.EventServiceStarted, Actor: manager, RequestID: "r1", At: start}}}, 1},
		{"ticket opened", workflows.ServiceRecord{State: service(2, workflows.ServiceActive, 1, 0), Events: []workflows.Event{opened}}, 2},
		{"breach reported", workflows.ServiceRecord{State: service(3, workflows.ServiceActive, 1, 1), Events: []workflows.Event{reported}}, 3},
		{"retried", workflows.ServiceRecord{State: service(3, workflows.ServiceActive, 1, 1), Events: []workflows.Event{reported}}, 3},
		{"late, older", workflows.ServiceRecord{State: service(2, workflows.ServiceActive, 1, 0), Events: []workflows.Event{opened}}, 3},
	}
	for _, s := range serviceSteps {
		res, err := p.RecordService(ctx, s.record)
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if res.Seq != s.wantSeq {
			t.Fatalf("%s: stored seq %d, want %d", s.name, res.Seq, s.wantSeq)
		}
	}
	list, err := p.Store.ListServices(ctx, store.ServiceFilter{CustomerID: "acme", Limit: 10})
	if err != nil || len(list) != 1 {
		t.Fatalf("services %+v %v", list, err)
	}
	if s := list[0]; s.ID != id || s.Status != "active" || s.PackageCode != "partner-elite" || s.OpenTickets != 1 || s.TicketsOpened != 1 ||
		s.TicketsBreached != 1 || s.NextBoundary == nil || !s.NextBoundary.Equal(start.AddDate(0, 1, 0)) ||
		!s.YearEnd.Equal(start.AddDate(1, 0, 0)) || !s.UpdatedAt.Equal(start.Add(2*time.Hour)) {
		t.Errorf("service row %+v", s)
	}
	events, err := p.Store.ServiceEvents(ctx, id, 0, 10)
	if err != nil || len(events) != 3 || events[2].Type != string(workflows.EventTicketReported) || events[2].ActorRole != "system" ||
		string(events[2].Payload) != `{"ticket": 1, "sla_met": false}` || string(events[0].Payload) != `{}` {
		t.Fatalf("service events %+v %v", events, err)
	}

	ticket := func(seq int64, status workflows.TicketStatus, sla workflows.TicketSLA, response *workflows.TicketAction) workflows.TicketState {
		deadline := start.Add(time.Hour + 15*time.Minute)
		return workflows.TicketState{ServiceID: id, CustomerID: "acme", Ticket: 1, Title: "down", Severity: "critical",
			Status: status, OpenedAt: start.Add(time.Hour), SLA: sla, Response: response, Seq: seq, Events: []workflows.Event{},
			Clock: workflows.TicketClock{Severity: "critical", Deadline: workflows.DeadlineState{At: deadline}}}
	}
	breach := workflows.TicketSLA{Decided: true, Severity: "critical", Deadline: start.Add(time.Hour + 15*time.Minute)}
	responded := &workflows.TicketAction{At: start.Add(2 * time.Hour), By: manager}
	ticketSteps := []struct {
		name    string
		record  workflows.TicketRecord
		wantSeq int64
	}{
		{"opened", workflows.TicketRecord{State: ticket(1, workflows.TicketOpen, workflows.TicketSLA{}, nil), Events: []workflows.Event{
			{Seq: 1, Type: workflows.EventTicketOpened, Actor: manager, At: start.Add(time.Hour)}}}, 1},
		{"breached", workflows.TicketRecord{State: ticket(2, workflows.TicketOpen, breach, nil), Events: []workflows.Event{
			{Seq: 2, Type: workflows.EventTicketBreached, Actor: workflows.SystemActor, At: breach.Deadline, Attention: true,
				Notify: []workflows.Role{workflows.RoleManager}}}}, 2},
		{"responded", workflows.TicketRecord{State: ticket(3, workflows.TicketResponded, breach, responded), Events: []workflows.Event{
			{Seq: 3, Type: workflows.EventTicketResponded, Actor: manager, At: responded.At}}}, 3},
		{"retried", workflows.TicketRecord{State: ticket(3, workflows.TicketResponded, breach, responded), Events: []workflows.Event{
			{Seq: 3, Type: workflows.EventTicketResponded, Actor: manager, At: responded.At}}}, 3},
		// A NUL that came with a signal is stored as U+FFFD, not refused by
		// PostgreSQL for ever.
		{"a NUL from a signal", workflows.TicketRecord{State: func() workflows.TicketState {
			st := ticket(4, workflows.TicketResponded, breach, responded)
			st.Title = "do\x00wn"
			return st
		}(), Events: []workflows.Event{
			{Seq: 4, Type: workflows.EventSignalIgnored, Actor: manager, At: responded.At, Payload: map[string]any{"reason": "bad\x00input"}}}}, 4},
	}
	for _, s := range ticketSteps {
		res, err := p.RecordTicket(ctx, s.record)
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if res.Seq != s.wantSeq {
			t.Fatalf("%s: stored seq %d, want %d", s.name, res.Seq, s.wantSeq)
		}
	}
	tickets, err := p.Store.ListTickets(ctx, store.TicketFilter{ServiceID: id, Limit: 10})
	if err != nil || len(tickets) != 1 {
		t.Fatalf("tickets %+v %v", tickets, err)
	}
	if tk := tickets[0]; tk.Title != "do\uFFFDwn" {
		t.Errorf("ticket title %q", tk.Title)
	}
	if tk := tickets[0]; tk.Number != 1 || tk.Status != "responded" || !tk.Breached || tk.RespondedAt == nil || !tk.RespondedAt.Equal(responded.At) ||
		tk.ResponseDue == nil || !tk.ResponseDue.Equal(breach.Deadline) || !tk.UpdatedAt.Equal(responded.At) {
		t.Errorf("ticket row %+v", tk)
	}

	outbox, err := p.Store.PendingOutbox(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	var got []store.OutboxEntry
	for _, o := range outbox {
		if o.ServiceID == id {
			got = append(got, o)
		}
	}
	want := []store.OutboxEntry{
		{Source: store.SourceService, ServiceID: id, EventSeq: 3, Kind: string(workflows.EventTicketReported), Recipient: "manager"},
		// The opening is told from the ticket's record (not the service's).
		{Source: store.SourceTicket, ServiceID: id, Ticket: 1, EventSeq: 1, Kind: string(workflows.EventTicketOpened), Recipient: "manager"},
		{Source: store.SourceTicket, ServiceID: id, Ticket: 1, EventSeq: 2, Kind: string(workflows.EventTicketBreached), Recipient: "manager"},
	}
	if !slices.EqualFunc(got, want, func(a, b store.OutboxEntry) bool {
		return a.Source == b.Source && a.ServiceID == b.ServiceID && a.Ticket == b.Ticket && a.EventSeq == b.EventSeq &&
			a.Kind == b.Kind && a.Recipient == b.Recipient
	}) {
		t.Errorf("outbox %+v, want %+v", got, want)
	}
}
