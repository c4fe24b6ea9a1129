package load

import (
	"context"
	"fmt"
	"slices"
	"sync"
)

// CheckResult is what the exactly-once check found.
type CheckResult struct {
	Actions   int      `json:"actions"`
	Resources int      `json:"resources"`
	Problems  []string `json:"problems,omitempty"`
}

// OK says whether every action was found exactly once.
func (c *CheckResult) OK() bool { return len(c.Problems) == 0 }

// Check reads the recorded events of every resource the records touch
// (through read, with up to parallel reads at once) and holds each record
// to them (Verify).
func Check(ctx context.Context, read func(context.Context, Ref) ([]EventRef, error), records []Record, parallel int) *CheckResult {
	refs := map[string]Ref{}
	for _, r := range records {
		refs[r.Ref.Path] = r.Ref
	}
	events := map[string][]EventRef{}
	var mu sync.Mutex
	var readErrs []string
	sem := make(chan struct{}, max(parallel, 1))
	var wg sync.WaitGroup
	for path, ref := range refs {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			evs, err := read(ctx, ref)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				readErrs = append(readErrs, fmt.Sprintf("%s: %v", path, err))
				return
			}
			events[path] = evs
		})
	}
	wg.Wait()
	res := Verify(records, events)
	slices.Sort(readErrs)
	res.Problems = append(readErrs, res.Problems...)
	return res
}

// Verify holds records against the events recorded per resource path:
//   - every resource's sequence numbers are distinct;
//   - a start's resource holds exactly one event of its start type, with
//     its request ID when known;
//   - the events carrying an update's request ID are exactly the sequence
//     numbers its answer listed, each once.
func Verify(records []Record, events map[string][]EventRef) *CheckResult {
	res := &CheckResult{Actions: len(records)}
	byPath := map[string]bool{}
	for _, r := range records {
		byPath[r.Ref.Path] = true
	}
	res.Resources = len(byPath)
	paths := make([]string, 0, len(byPath))
	for p := range byPath {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	for _, p := range paths {
		seen := map[int64]int{}
		for _, e := range events[p] {
			seen[e.Seq]++
		}
		for seq, n := range seen {
			if n > 1 {
				res.Problems = append(res.Problems, fmt.Sprintf("%s: event %d recorded %d times", p, seq, n))
			}
		}
	}
	for _, r := range records {
		evs, read := events[r.Ref.Path]
		if !read {
			continue // a read error, already named
		}
		if r.StartEvent != "" {
			n := 0
			for _, e := range evs {
				if e.Type == r.StartEvent && (r.RequestID == "" || e.RequestID == r.RequestID) {
					n++
				}
			}
			if n != 1 {
				res.Problems = append(res.Problems, fmt.Sprintf("%s: %s of request %s found %d times, want once", r.Ref.Path, r.Action, r.RequestID, n))
			}
			continue
		}
		if r.RequestID == "" {
			continue
		}
		var got []int64
		for _, e := range evs {
			if e.RequestID == r.RequestID {
				got = append(got, e.Seq)
			}
		}
		want := slices.Clone(r.Events)
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			res.Problems = append(res.Problems, fmt.Sprintf("%s: %s of request %s recorded events %v, its answer listed %v", r.Ref.Path, r.Action, r.RequestID, got, want))
		}
	}
	return res
}
