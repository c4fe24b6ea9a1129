package history_test

import (
	"testing"

	"github.com/sowflow/sowflow/history"
)

// BenchmarkReplayLongHistory replays the long golden history (a run that
// continued as new at Temporal's suggestion, ~1,900 events and ~6 MB of
// JSON; see TestRecordGoldenLongHistory) against the current workflow code:
// the time per replay is what `sowflow replay` and POST /v1/replay spend on
// a long-running project's run.
func BenchmarkReplayLongHistory(b *testing.B) {
	runs := readRuns(b, "long-history.json.gz")
	run := runs[0]
	r := history.Replayer{NoLocate: true}
	b.ReportAllocs()
	for b.Loop() {
		if res := r.Replay(run); !res.OK {
			b.Fatalf("replay: %s", res.Error)
		}
	}
	b.ReportMetric(float64(len(run.History.Events)), "events/op")
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/float64(len(run.History.Events)), "µs/event")
}

// BenchmarkReadLongHistory parses the gzip'd long history (what the replay
// command and endpoint do before replaying).
func BenchmarkReadLongHistory(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		readRuns(b, "long-history.json.gz")
	}
}

// BenchmarkTimelineLongHistory decodes the long history into a timeline.
func BenchmarkTimelineLongHistory(b *testing.B) {
	runs := readRuns(b, "long-history.json.gz")
	b.ReportAllocs()
	for b.Loop() {
		history.Timeline(runs)
	}
}

// BenchmarkStateAtLongHistory reconstructs the state in the middle of the
// long history.
func BenchmarkStateAtLongHistory(b *testing.B) {
	runs := readRuns(b, "long-history.json.gz")
	ev := runs[0].History.Events
	mid := ev[0].GetEventTime().AsTime().Add(ev[len(ev)-1].GetEventTime().AsTime().Sub(ev[0].GetEventTime().AsTime()) / 2)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := history.StateAt(runs, mid); err != nil {
			b.Fatal(err)
		}
	}
}
