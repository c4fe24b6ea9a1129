package notify

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	goical "github.com/emersion/go-ical"

	"github.com/sowflow/sowflow/calendar"
	"github.com/sowflow/sowflow/plan"
	"github.com/sowflow/sowflow/store"
	"github.com/sowflow/sowflow/workflows"
)

// feedEvent is what an independent parser (emersion/go-ical) reads from
// one event of a feed.
type feedEvent struct {
	summary     string
	description string
	start       time.Time
	sequence    string
	status      string
	trigger     string
}

func parseFeed(t *testing.T, body string) map[string]feedEvent {
	t.Helper()
	cal, err := goical.NewDecoder(strings.NewReader(body)).Decode()
	if err != nil {
		t.Fatalf("feed does not parse: %v\n%s", err, body)
	}
	var tz bool
	for _, c := range cal.Children {
		if c.Name == goical.CompTimezone && c.Props.Get(goical.PropTimezoneID).Value == FeedZone {
			tz = true
		}
	}
	if !tz {
		t.Errorf("feed has no VTIMEZONE %s:\n%s", FeedZone, body)
	}
	out := map[string]feedEvent{}
	for _, e := range cal.Events() {
		uid := e.Props.Get(goical.PropUID).Value
		start, err := e.DateTimeStart(nil)
		if err != nil {
			t.Fatalf("event %s: DTSTART: %v", uid, err)
		}
		if tzid := e.Props.Get(goical.PropDateTimeStart).Params.Get(goical.PropTimezoneID); tzid != FeedZone {
			t.Errorf("event %s: DTSTART in %q", uid, tzid)
		}
		fe := feedEvent{summary: e.Props.Get(goical.PropSummary).Value, start: start, sequence: e.Props.Get(goical.PropSequence).Value}
		if st := e.Props.Get(goical.PropStatus); st != nil {
			fe.status = st.Value
		}
		if d := e.Props.Get(goical.PropDescription); d != nil {
			if fe.description, err = d.Text(); err != nil {
				t.Fatalf("event %s: DESCRIPTION: %v", uid, err)
			}
		}
		for _, a := range e.Children {
			if a.Name == goical.CompAlarm {
				fe.trigger = a.Props.Get(goical.PropTrigger).Value
			}
		}
		out[uid] = fe
	}
	return out
}

func TestFeedListsDeadlinesAndMovesThem(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.pool.Exec(ctx, `DELETE FROM calendar_feed_events`); err != nil {
		t.Fatal(err)
	}
	li, err := f.st.CreatePerson(ctx, store.PersonSpec{Email: "feed-li@acme.example", Name: "李雷", Role: store.RoleCustomer, CustomerID: "feed-acme", Language: store.LanguageChinese})
	if err != nil {
		t.Fatal(err)
	}
	cst := calendar.Zone()
	now := time.Date(2027, 3, 1, 9, 0, 0, 0, cst)
	closes := time.Date(2027, 3, 6, 0, 0, 0, 0, cst) // 24:00 on Friday 5 March
	state := workflows.ProjectState{ProjectID: "feed-p1", CustomerID: "feed-acme", Status: workflows.StatusActive,
		Deliverables: []workflows.DeliverableState{{Key: "design", Name: "Design", Acceptance: plan.AcceptDeemed, Status: workflows.DeliverableSubmitted,
			Rounds: []workflows.RoundState{{Round: 1, Status: workflows.DeliverableSubmitted, Submissions: []workflows.Submission{
				{N: 1, Window: workflows.Window{Closes: workflows.DeadlineState{At: closes}}}}}}}},
		Clocks:   []workflows.ClockState{{Key: "activation", Name: "Activation", Status: workflows.ClockRunning, Deadline: workflows.DeadlineState{At: time.Date(2027, 4, 1, 0, 0, 0, 0, cst)}}},
		Validity: workflows.ValidityState{End: workflows.DeadlineState{At: time.Date(2028, 3, 1, 0, 0, 0, 0, cst)}},
	}
	record := func(seq int64) {
		t.Helper()
		b, err := json.Marshal(state)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.st.RecordProject(ctx, store.ProjectSnapshot{ID: state.ProjectID, CustomerID: state.CustomerID, PackageCode: "managed-services",
			CatalogVersion: "1", Status: "active", State: b, Seq: seq, StartedAt: now, UpdatedAt: now}, nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	record(1)
	// The start recorded the contract dates its lead times join: the
	// application is behind now, the order ahead.
	order := time.Date(2027, 3, 15, 10, 0, 0, 0, cst)
	if err := f.st.Claim(ctx, store.Owner{Kind: store.OwnerProject, ID: state.ProjectID, CustomerID: state.CustomerID}, func(context.Context) error { return nil },
		store.LeadDate{Event: "application", At: time.Date(2027, 2, 1, 10, 0, 0, 0, cst), Texts: []string{"Apply at least 15 working days before the order."}},
		store.LeadDate{Event: "order", At: order, Texts: []string{"Apply at least 15 working days before the order.", "Apply one month in advance."}}); err != nil {
		t.Fatal(err)
	}
	feed := func() map[string]feedEvent {
		t.Helper()
		body, err := Feed(ctx, f.st, calendar.China(), li, "https://portal.example", now)
		if err != nil {
			t.Fatal(err)
		}
		return parseFeed(t, body)
	}

	got := feed()
	window := got["window-feed-p1-design-1-1@portal.example"]
	if !window.start.Equal(closes) || window.sequence != "0" || !strings.Contains(window.summary, "验收期截止：Design（feed-p1）") {
		t.Errorf("window event %+v, want at %s, sequence 0", window, closes)
	}
	// One working day before 24:00 on Friday is 24:00 on Thursday.
	if want := time.Date(2027, 3, 5, 0, 0, 0, 0, cst).UTC().Format("20060102T150405Z"); window.trigger != want {
		t.Errorf("window reminder at %s, want %s", window.trigger, want)
	}
	if _, ok := got["clock-feed-p1-activation@portal.example"]; !ok {
		t.Errorf("no activation deadline in %v", got)
	}
	if _, ok := got["validity-feed-p1@portal.example"]; !ok {
		t.Errorf("no validity end in %v", got)
	}
	lead := got["lead-feed-p1-order@portal.example"]
	if !lead.start.Equal(order) || lead.summary != "下单日期，受提前期约束（feed-p1）" ||
		lead.description != "Apply at least 15 working days before the order.\nApply one month in advance." || lead.trigger == "" {
		t.Errorf("order's lead date %+v, want at %s with both lead times' text and a reminder", lead, order)
	}
	if e, ok := got["lead-feed-p1-application@portal.example"]; ok {
		t.Errorf("a lead date behind now is in the feed: %+v", e)
	}

	// A delay extends the window: same UID, a higher SEQUENCE. Serving the
	// feed again without a move keeps it.
	moved := closes.Add(48 * time.Hour)
	state.Deliverables[0].Rounds[0].Submissions[0].Window.Closes.At = moved
	record(2)
	for range 2 {
		window = feed()["window-feed-p1-design-1-1@portal.example"]
		if !window.start.Equal(moved) || window.sequence != "1" {
			t.Errorf("moved window event %+v, want at %s, sequence 1", window, moved)
		}
	}

	if window.status != "CONFIRMED" {
		t.Errorf("upcoming window has STATUS %q", window.status)
	}

	// A window decided and a clock met before their instants are served
	// cancelled, with SEQUENCE raised once, so calendars remove them; a
	// decided window never served (a second deliverable's) is not.
	state.Deliverables[0].Rounds[0].Status = workflows.DeliverableAccepted
	state.Deliverables[0].Rounds[0].Submissions[0].Decision = &workflows.DecisionRecord{}
	state.Deliverables = append(state.Deliverables, workflows.DeliverableState{Key: "runbook", Name: "Runbook", Status: workflows.DeliverableAccepted,
		Rounds: []workflows.RoundState{{Round: 1, Status: workflows.DeliverableAccepted, Submissions: []workflows.Submission{
			{N: 1, Window: workflows.Window{Closes: workflows.DeadlineState{At: closes}}, Decision: &workflows.DecisionRecord{}}}}}})
	state.Clocks[0].Status = workflows.ClockMet
	record(3)
	for _, c := range []struct {
		name, uid, sequence string
	}{
		{"decided window", "window-feed-p1-design-1-1@portal.example", "2"},
		{"met clock", "clock-feed-p1-activation@portal.example", "1"},
	} {
		for serving := range 2 {
			e, ok := feed()[c.uid]
			if !ok || e.status != "CANCELLED" || e.sequence != c.sequence || e.trigger != "" {
				t.Errorf("%s (serving %d): %+v (listed %v), want CANCELLED, sequence %s, no reminder", c.name, serving, e, ok, c.sequence)
			}
		}
	}
	if e, ok := feed()["window-feed-p1-runbook-1-1@portal.example"]; ok {
		t.Errorf("a window decided before it was ever served is in the feed: %+v", e)
	}
	// Once the instant it stood for has passed, it leaves the feed.
	now = moved.Add(time.Hour)
	if e, ok := feed()["window-feed-p1-design-1-1@portal.example"]; ok {
		t.Errorf("decided window still in the feed after its instant: %+v", e)
	}
}
