package activities

import (
	"context"
	"testing"
	"time"

	"github.com/sowflow/sowflow/calendar"
	"github.com/sowflow/sowflow/store"
	"github.com/sowflow/sowflow/testenv"
	"github.com/sowflow/sowflow/workflows"
)

// TestRecordSLAPeriod records an SLA period through the activity: the list
// columns follow the state (result and claim once there), updated_at is
// the newest event's instant, a retried or late record changes nothing,
// and the attention event reaches the outbox once per recipient.
func TestRecordSLAPeriod(t *testing.T) {
	ctx := context.Background()
	p := &Projection{Store: store.New(testenv.Get(t).Pool)}
	feb := time.Date(2026, 2, 1, 0, 0, 0, 0, calendar.Zone())
	mar := feb.AddDate(0, 1, 0)
	opens, closes := time.Date(2026, 3, 7, 0, 0, 0, 0, calendar.Zone()), time.Date(2026, 4, 29, 0, 0, 0, 0, calendar.Zone())
	const account = "ops@sla-activity.example"
	state := func(seq int64, status workflows.SLAPeriodStatus, result *workflows.SLAComputation, claim *workflows.SLAClaim) workflows.SLAPeriodState {
		return workflows.SLAPeriodState{Account: account, CustomerID: "sla-activity", Service: workflows.SLAEmail, Period: "2026-02",
			PeriodStart: feb, PeriodEnd: mar, Status: status, MonthlyFeeCents: 10000, Outages: []workflows.Outage{},
			Intervals: []workflows.ErrorInterval{}, ClaimOpens: workflows.DeadlineState{At: opens}, ClaimCloses: closes,
			Result: result, Claim: claim, Events: []workflows.Event{}, Seq: seq, StartedAt: feb}
	}
	result := &workflows.SLAComputation{Service: workflows.SLAEmail, AvailabilityPct: "99.7272", CompensationPct: 10, CompensationCents: 1000}
	claim := &workflows.SLAClaim{At: opens.Add(time.Hour), By: workflows.Actor{Subject: "c", Role: workflows.RoleCustomer}, CompensationPct: 10,
		CompensationCents: 1000}
	computed := workflows.Event{Seq: 2, Type: workflows.EventSLAPeriodComputed, Actor: workflows.SystemActor, At: mar, Attention: true,
		Notify: []workflows.Role{workflows.RoleCustomer, workflows.RoleManager}, Payload: map[string]any{"period": "2026-02"}}
	steps := []struct {
		name    string
		record  workflows.SLAPeriodRecord
		wantSeq int64
	}{
		{"started", workflows.SLAPeriodRecord{State: state(1, workflows.SLACollecting, nil, nil), Events: []workflows.Event{
			{Seq: 1, Type: workflows.EventSLAPeriodStarted, Actor: workflows.SystemActor, At: feb}}}, 1},
		{"computed", workflows.SLAPeriodRecord{State: state(2, workflows.SLAComputed, result, nil), Events: []workflows.Event{computed}}, 2},
		{"computed retried", workflows.SLAPeriodRecord{State: state(2, workflows.SLAComputed, result, nil), Events: []workflows.Event{computed}}, 2},
		{"claimed", workflows.SLAPeriodRecord{State: state(3, workflows.SLAClaimOpen, result, claim), Events: []workflows.Event{
			{Seq: 3, Type: workflows.EventClaimFiled, Actor: claim.By, At: claim.At}}}, 3},
		{"late, older", workflows.SLAPeriodRecord{State: state(2, workflows.SLAComputed, result, nil), Events: []workflows.Event{computed}}, 3},
	}
	for _, s := range steps {
		res, err := p.RecordSLAPeriod(ctx, s.record)
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if res.Seq != s.wantSeq {
			t.Fatalf("%s: stored seq %d, want %d", s.name, res.Seq, s.wantSeq)
		}
	}
	list, err := p.Store.ListSLAPeriods(ctx, store.SLAPeriodFilter{Account: account, Limit: 10})
	if err != nil || len(list) != 1 {
		t.Fatalf("sla periods %+v %v", list, err)
	}
	if r := list[0]; r.Status != "claim-open" || r.Service != "email" || r.AvailabilityPct == nil || *r.AvailabilityPct != "99.7272" ||
		r.CompensationPct == nil || *r.CompensationPct != 10 || r.CompensationCents == nil || *r.CompensationCents != 1000 ||
		!r.Claimed || r.ClaimedAt == nil || !r.ClaimedAt.Equal(claim.At) || r.ClaimOpens == nil || !r.ClaimOpens.Equal(opens) ||
		r.ClaimCloses == nil || !r.ClaimCloses.Equal(closes) || !r.UpdatedAt.Equal(claim.At) {
		t.Errorf("sla period row %+v", r)
	}
	outbox, err := p.Store.PendingOutbox(ctx, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var recipients []string
	for _, o := range outbox {
		if o.Source == store.SourceSLAPeriod && o.SLAPeriod == account+"/2026-02" {
			if o.EventSeq != 2 || o.Kind != string(workflows.EventSLAPeriodComputed) {
				t.Errorf("outbox entry %+v", o)
			}
			recipients = append(recipients, o.Recipient)
		}
	}
	if len(recipients) != 2 || recipients[0] != "customer" || recipients[1] != "manager" {
		t.Errorf("outbox recipients %v, want customer and manager once each", recipients)
	}
}

// TestSLAPeriodSnapshotProvisional checks that the row's provisional_window
// follows the claim window's provisional flag.
func TestSLAPeriodSnapshotProvisional(t *testing.T) {
	for _, provisional := range []bool{false, true} {
		s := workflows.SLAPeriodState{Account: "ops@x.example", Period: "2026-11", Service: workflows.SLAEmail,
			ClaimOpens: workflows.DeadlineState{At: time.Date(2026, 12, 8, 0, 0, 0, 0, calendar.Zone()), Provisional: provisional}}
		snap, err := slaPeriodSnapshotOf(s)
		if err != nil {
			t.Fatal(err)
		}
		if snap.ProvisionalWindow != provisional {
			t.Errorf("provisional %v: snapshot says %v", provisional, snap.ProvisionalWindow)
		}
	}
}
