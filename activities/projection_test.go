package activities

import (
	"context"
	"testing"
	"time"

	"github.com/sowflow/sowflow/store"
	"github.com/sowflow/sowflow/testenv"
	"github.com/sowflow/sowflow/workflows"
)

func TestRecordProjectIsIdempotentAndNeverGoesBack(t *testing.T) {
	ctx := context.Background()
	env := testenv.Get(t)
	p := &Projection{Store: store.New(env.Pool)}
	start := time.Date(2026, 9, 1, 9, 0, 0, 0, time.UTC)
	manager := workflows.Actor{Subject: "token:m1", Role: workflows.RoleManager}
	state := func(seq int64, status workflows.ProjectStatus, overdue, provisional bool) workflows.ProjectState {
		return workflows.ProjectState{
			ProjectID: "p-projection", CustomerID: "acme", Status: status, Phase: "kickoff", Seq: seq, StartedAt: start,
			Package:      workflows.PackageRef{Code: "managed-services", CatalogVersion: "2026-11-23.1"},
			Deliverables: []workflows.DeliverableState{{Key: "kickoff-report", Status: workflows.DeliverableSubmitted, Overdue: overdue, Provisional: provisional}},
			NextDeadline: start.Add(7 * 24 * time.Hour),
		}
	}
	events := []workflows.Event{
		{Seq: 1, Type: workflows.EventProjectStarted, Actor: manager, RequestID: "r1", At: start},
		{Seq: 2, Type: workflows.EventCustomerReminded, Actor: workflows.SystemActor, At: start.Add(time.Hour), Attention: true,
			Notify: []workflows.Role{workflows.RoleCustomer, workflows.RoleManager}, Payload: map[string]any{"deliverable": "kickoff-report"}},
	}
	steps := []struct {
		name    string
		record  workflows.ProjectRecord
		wantSeq int64
	}{
		{"first record", workflows.ProjectRecord{State: state(2, workflows.StatusActive, true, true), Events: events}, 2},
		{"retry of the same record", workflows.ProjectRecord{State: state(2, workflows.StatusActive, true, true), Events: events}, 2},
		{"late, older record", workflows.ProjectRecord{State: state(1, workflows.StatusActive, false, false), Events: events[:1]}, 2},
		{"newer record", workflows.ProjectRecord{State: state(3, workflows.StatusCompleted, false, true), Events: []workflows.Event{
			{Seq: 3, Type: workflows.EventProjectCompleted, Actor: workflows.SystemActor, At: start.Add(48 * time.Hour)},
		}}, 3},
	}
	for _, s := range steps {
		res, err := p.RecordProject(ctx, s.record)
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if res.Seq != s.wantSeq {
			t.Fatalf("%s: stored seq %d, want %d", s.name, res.Seq, s.wantSeq)
		}
	}

	var status string
	var overdue, provisional bool
	var updated time.Time
	err := env.Pool.QueryRow(ctx, `SELECT status, overdue, provisional_deadlines, updated_at FROM projects WHERE id = 'p-projection'`).
		Scan(&status, &overdue, &provisional, &updated)
	if err != nil {
		t.Fatal(err)
	}
	// The latest state wins; a completed project has no pending deadline to recompute.
	if status != "completed" || overdue || provisional || !updated.Equal(start.Add(48*time.Hour)) {
		t.Errorf("row status=%s overdue=%v provisional=%v updated=%s", status, overdue, provisional, updated)
	}
	got, err := p.Store.ProjectEvents(ctx, "p-projection", 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[1].Type != string(workflows.EventCustomerReminded) || got[1].ActorRole != "system" {
		t.Fatalf("events %+v", got)
	}
	outbox, err := p.Store.PendingOutbox(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(outbox) != 2 || outbox[0].Recipient != "customer" || outbox[1].Recipient != "manager" || outbox[0].EventSeq != 2 {
		t.Errorf("outbox %+v, want one entry per recipient of event 2", outbox)
	}
}

// TestStorableJSON checks that NUL characters never reach PostgreSQL (its
// jsonb and text refuse them) while everything else, including the text
// "\u0000" written with a backslash, is kept as it was.
func TestStorableJSON(t *testing.T) {
	tests := []struct {
		name string
		in   any
		want string
	}{
		{"nothing to do", map[string]string{"note": "ok"}, `{"note":"ok"}`},
		{"a NUL", map[string]string{"note": "a\x00b"}, `{"note":"a\ufffdb"}`},
		{"two NULs and a key", map[string]string{"k\x00": "\x00\x00"}, `{"k\ufffd":"\ufffd\ufffd"}`},
		{"backslash text kept", map[string]string{"note": `\u0000 and ` + "\x00"}, `{"note":"\\u0000 and \ufffd"}`},
		{"escaped backslash then NUL", []string{"\\\x00"}, `["\\\ufffd"]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := storableJSON(tt.in)
			if err != nil || string(got) != tt.want {
				t.Errorf("storableJSON = %s, %v; want %s", got, err, tt.want)
			}
		})
	}
	if got := storableText("a\x00b"); got != "a\uFFFDb" {
		t.Errorf("storableText = %q", got)
	}
}
