package workflows_test

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"testing"
	"time"

	"github.com/sowflow/sowflow/calendar"
	"github.com/sowflow/sowflow/workflows"
)

// yearTicket is one ticket of a simulated year, with what the test expects.
type yearTicket struct {
	n                                      int
	severity                               string
	opened, respond, resolve, confirm, pir time.Time
	deadline                               time.Time
	met                                    bool
}

// simulatedYear builds a Remote O&M-like year from start: perMonth tickets
// each month, one in eight critical (60 minutes 7x24), the rest routine (120
// business minutes, 09:00–17:00, so tickets opened at night, on weekends or
// on holidays wait for the next opening), about one in six answered late.
// The expected deadlines come from the embedded calendar.
//
// Every action of ticket n happens at its own instant: a whole minute plus
// n×7 ms plus the action's index, and only tickets whose deadline no other
// ticket shares may breach. The test environment restarts a service that
// continues as new asynchronously and crashes a signal sent to it in the
// same instant (a real server queues it), so two reports must never arrive
// together.
func simulatedYear(t testing.TB, start time.Time, perMonth int, seed uint64) []yearTicket {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	cal := calendar.China()
	var out []yearTicket
	seen := map[time.Time]bool{}
	for m := 0; m < 12; m++ {
		monthStart := start.AddDate(0, m, 0)
		var opens []time.Time
		for len(opens) < perMonth {
			at := monthStart.Add(time.Duration(rng.IntN(27*24*60)) * time.Minute)
			if !seen[at] {
				seen[at] = true
				opens = append(opens, at)
			}
		}
		sort.Slice(opens, func(i, j int) bool { return opens[i].Before(opens[j]) })
		for _, at := range opens {
			out = append(out, yearTicket{n: len(out) + 1, severity: "routine", opened: at})
		}
	}
	deadlines := map[time.Time]int{}
	for i := range out {
		yt := &out[i]
		yt.opened = yt.opened.Add(time.Duration(yt.n*7) * time.Millisecond)
		spec := businessMinutes(120)
		if rng.IntN(8) == 0 {
			yt.severity, spec = "critical", minutes(60)
		}
		res, err := cal.Deadline(yt.opened, spec)
		if err != nil {
			t.Fatal(err)
		}
		yt.deadline = res.Deadline
		deadlines[yt.deadline]++
	}
	// at puts instant a on ticket n's grid: its minute, then n×7 ms + k.
	at := func(n int, a time.Time, k int) time.Time {
		return a.Truncate(time.Minute).Add(time.Duration(n*7+k) * time.Millisecond)
	}
	for i := range out {
		yt := &out[i]
		if rng.IntN(6) == 0 && deadlines[yt.deadline] == 1 {
			yt.respond = at(yt.n, yt.deadline.Add(time.Duration(1+rng.IntN(120))*time.Minute), 1)
		} else {
			yt.respond = at(yt.n, yt.deadline.Add(-time.Duration(1+rng.IntN(55))*time.Minute), 1)
		}
		yt.met = yt.respond.Before(yt.deadline)
		yt.resolve = at(yt.n, yt.respond.Add(time.Duration(10+rng.IntN(48*60))*time.Minute), 2)
		yt.confirm = at(yt.n, yt.resolve.Add(time.Duration(60+rng.IntN(72*60))*time.Minute), 3)
		yt.pir = at(yt.n, yt.resolve.Add(24*time.Hour), 4)
	}
	return out
}

// runYear runs a Remote O&M-like year with the tickets, the twelve monthly
// operations reports, a post-incident analysis report per critical ticket
// and the annual summary report; it returns the service's result.
func runYear(t testing.TB, tickets []yearTicket, budget int) (*harness, workflows.ServiceResult) {
	t.Helper()
	start := cst(2026, 1, 1, 0, 0)
	h := newSvc(t, start)
	const id = "rom-2026"
	wf := workflows.ServiceWorkflowID(id)
	for _, yt := range tickets {
		ticket := workflows.TicketWorkflowID(id, yt.n)
		h.plan(yt.opened, func() {
			h.update(wf, workflows.UpdateOpenTicket, workflows.OpenTicket{ActionMeta: h.meta(customer), Severity: yt.severity, Title: "incident"})
		})
		h.plan(yt.respond, func() {
			h.update(ticket, workflows.UpdateRespondTicket, workflows.RespondTicket{ActionMeta: h.meta(manager)})
		})
		h.plan(yt.resolve, func() {
			h.update(ticket, workflows.UpdateResolveTicket, workflows.ResolveTicket{ActionMeta: h.meta(manager), Resolution: "fixed"})
		})
		h.plan(yt.confirm, func() {
			h.update(ticket, workflows.UpdateConfirmClosure, workflows.ConfirmClosure{ActionMeta: h.meta(customer)})
		})
		if yt.severity == "critical" && yt.pir.Before(start.AddDate(1, 0, 0)) {
			h.plan(yt.pir, func() {
				h.update(wf, workflows.UpdateSubmitObligation, workflows.SubmitObligation{ActionMeta: h.meta(manager),
					Obligation: "post-incident-analysis-report", Ticket: yt.n, Title: "PIR", URI: "https://docs.example/pir", SHA256: sha('c')})
			})
		}
	}
	for m := 1; m <= 12; m++ {
		// The report of each month on its last day, 16:00 (unique instants:
		// no ticket opens at second 30).
		last := start.AddDate(0, m, -1).Add(16*time.Hour + 30*time.Second)
		h.plan(last, func() {
			h.update(wf, workflows.UpdateSubmitObligation, workflows.SubmitObligation{ActionMeta: h.meta(manager),
				Obligation: "monthly-operations-report", Month: m, Title: "monthly report", URI: "https://docs.example/mor", SHA256: sha('a')})
		})
	}
	h.plan(cst(2026, 12, 31, 17, 0).Add(30*time.Second), func() {
		h.update(wf, workflows.UpdateSubmitObligation, workflows.SubmitObligation{ActionMeta: h.meta(manager),
			Obligation: "annual-service-summary-report", Title: "annual summary", URI: "https://docs.example/asr", SHA256: sha('b')})
	})
	in := serviceInput(id, remoteOMPlan(start))
	in.ContinueAsNewAfterEvents = budget
	h.startAgenda()
	h.env.ExecuteWorkflow(serviceDriverName, in)
	if !h.env.IsWorkflowCompleted() {
		t.Fatal("service did not complete")
	}
	if err := h.env.GetWorkflowError(); err != nil {
		t.Fatalf("service failed: %v", err)
	}
	var res workflows.ServiceResult
	if err := h.env.GetWorkflowResult(&res); err != nil {
		t.Fatal(err)
	}
	return h, res
}

// historyCeiling is the most events any run of any workflow may reach in a
// simulated busy year (docs/scaling.md): Temporal's performance degrades
// with long histories, and a run near it replays slowly after an eviction.
const historyCeiling = 4096

// maxRunEvents is the largest history (events) of one run.
func maxRunEvents(s workflows.ServiceState) int {
	m := 0
	for _, r := range s.Runs {
		m = max(m, r.Events)
	}
	return m
}

// TestServiceRemoteOMYear runs a whole Remote O&M year — hundreds of
// tickets, each a child workflow, twelve monthly reports, post-incident
// reports, the annual report — and checks the annual summary against the
// tickets recorded, and that the service continued as new at each month
// (and, in the busy variant, whenever a run's history reached its budget)
// so no run's history grew past a few thousand events.
func TestServiceRemoteOMYear(t *testing.T) {
	tests := []struct {
		name     string
		perMonth int
		budget   int // 0: the default, ContinueAsNewHistoryLength
		minRuns  int
	}{
		{"hundreds of tickets", 50, 0, 12},
		{"busy year, small budget", 60, 500, 24},
		{"thousands of tickets", 250, 0, 24},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if testing.Short() && tc.perMonth > 100 {
				t.Skip("a year of thousands of tickets takes seconds")
			}
			tickets := simulatedYear(t, cst(2026, 1, 1, 0, 0), tc.perMonth, 7)
			h, res := runYear(t, tickets, tc.budget)
			h.checkUpdates()
			checkYear(t, tickets, res)
			s := res.State
			budget := tc.budget
			if budget == 0 {
				budget = workflows.ContinueAsNewHistoryLength
			}
			// A run ends at its first idle moment past the budget; what one
			// workflow task can add on top is small.
			if m := maxRunEvents(s); m > budget+100 || m > historyCeiling {
				t.Errorf("largest run has %d events, budget %d, ceiling %d", m, budget, historyCeiling)
			}
			if len(s.Runs) < tc.minRuns || s.Run != len(s.Runs) {
				t.Errorf("%d runs (run %d), want at least %d", len(s.Runs), s.Run, tc.minRuns)
			}
			months := map[int]bool{}
			history := 0
			for _, r := range s.Runs {
				months[r.Month] = true
				if r.Reason == "history" {
					history++
				}
			}
			if len(months) < 12 { // twelve months (and the closing, when tickets are undecided at the year's end)
				t.Errorf("runs cover %d month indices, want 12 or 13", len(months))
			}
			if tc.budget > 0 && history == 0 {
				t.Errorf("no run continued as new for its history")
			}
			t.Logf("%d tickets (%d closed within the service), %d runs (%d for history), largest run %d events", len(tickets), res.Summary.TicketsClosed, len(s.Runs), history, maxRunEvents(s))
		})
	}
}

// checkYear compares the annual summary with the tickets the test recorded.
func checkYear(t testing.TB, tickets []yearTicket, res workflows.ServiceResult) {
	t.Helper()
	sum := res.Summary
	if res.Status != workflows.ServiceCompleted || sum == nil {
		t.Fatalf("status %s, summary %v", res.Status, sum)
	}
	type agg struct {
		opened, met, breached int
		respSum, respMax      int64
	}
	want := map[string]*agg{"critical": {}, "routine": {}}
	var total agg
	critical := 0
	for _, yt := range tickets {
		a := want[yt.severity]
		a.opened++
		if yt.met {
			a.met++
		} else {
			a.breached++
		}
		rs := int64(yt.respond.Sub(yt.opened) / time.Second)
		a.respSum += rs
		a.respMax = max(a.respMax, rs)
		total.respSum += rs
		if yt.severity == "critical" {
			critical++
		}
	}
	if sum.TicketsOpened != len(tickets) || sum.Undecided != 0 {
		t.Errorf("summary: %d opened, %d undecided; want %d, 0", sum.TicketsOpened, sum.Undecided, len(tickets))
	}
	if len(sum.Severities) != 2 {
		t.Fatalf("severities %+v", sum.Severities)
	}
	for _, ss := range sum.Severities {
		a := want[ss.Severity]
		decided := a.met + a.breached
		if ss.Opened != a.opened || ss.Met != a.met || ss.Breached != a.breached || ss.Tickets != decided || ss.Responded != a.opened {
			t.Errorf("%s: opened %d met %d breached %d responded %d; want %d %d %d %d",
				ss.Severity, ss.Opened, ss.Met, ss.Breached, ss.Responded, a.opened, a.met, a.breached, a.opened)
		}
		if wantPct := pct(a.met, decided); ss.AchievementPct != wantPct || ss.CommittedPct != "100.00" {
			t.Errorf("%s: achievement %s (committed %s), want %s", ss.Severity, ss.AchievementPct, ss.CommittedPct, wantPct)
		}
		if ss.MeanResponseSeconds != a.respSum/int64(a.opened) || ss.MaxResponseSeconds != a.respMax {
			t.Errorf("%s: response mean %d max %d, want %d %d", ss.Severity, ss.MeanResponseSeconds, ss.MaxResponseSeconds,
				a.respSum/int64(a.opened), a.respMax)
		}
		total.met += a.met
		total.breached += a.breached
	}
	if sum.Totals.Met != total.met || sum.Totals.Breached != total.breached || sum.Totals.AchievementPct != pct(total.met, total.met+total.breached) ||
		sum.Totals.MeanResponseSeconds != total.respSum/int64(len(tickets)) {
		t.Errorf("totals %+v", sum.Totals)
	}
	if total.breached == 0 || total.met == 0 {
		t.Errorf("the simulation should both meet and breach: %d met, %d breached", total.met, total.breached)
	}
	obl := map[string]workflows.ObligationSummary{}
	for _, o := range sum.Obligations {
		obl[o.Key] = o
	}
	if o := obl["monthly-operations-report"]; !o.Met || o.Due != 12 || o.Submitted != 12 || len(o.Periods) != 12 {
		t.Errorf("monthly reports: %+v", o)
	}
	if o := obl["annual-service-summary-report"]; !o.Met || o.Due != 1 || o.Submitted != 1 {
		t.Errorf("annual report: %+v", o)
	}
	// Critical tickets resolved in the last day of the year get their
	// report after the service completed; every other one has its report.
	if o := obl["post-incident-analysis-report"]; o.Due != critical || o.Submitted > critical || o.Submitted < critical-3 {
		t.Errorf("post-incident reports: due %d submitted %d, want %d due", o.Due, o.Submitted, critical)
	}
}

// pct is the expected percentage, two decimals rounded down.
func pct(num, den int) string {
	if den == 0 {
		return ""
	}
	bp := num * 10000 / den
	return fmt.Sprintf("%d.%02d", bp/100, bp%100)
}

// BenchmarkServiceYear simulates the Remote O&M year of the test (600
// tickets) and reports the largest single-run history (events, by the
// workflow's own count) and the number of runs.
func BenchmarkServiceYear(b *testing.B) {
	tickets := simulatedYear(b, cst(2026, 1, 1, 0, 0), 50, 7)
	var largest, runs int
	for b.Loop() {
		_, res := runYear(b, tickets, 0)
		largest = max(largest, maxRunEvents(res.State))
		runs = len(res.State.Runs)
	}
	b.ReportMetric(float64(largest), "max-run-events")
	b.ReportMetric(float64(runs), "runs")
	b.ReportMetric(float64(len(tickets)), "tickets")
}
