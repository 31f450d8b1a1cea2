package apply

import (
	"context"
	"fmt"
	"sort"
)

// outcome is how one step of a walk ended.
type outcome int

const (
	outcomeDone outcome = iota
	outcomeFailed
	// outcomeSkipped: something the step depends on failed or was skipped.
	outcomeSkipped
	// outcomeNotStarted: the walk was cancelled before the step could start.
	outcomeNotStarted
)

// step is one node of a walk. deps name other steps of the same walk that
// must be done first; names of steps not in the walk are ignored (they are
// no-ops or outside a targeted plan, so already in their final state).
type step struct {
	addr string
	deps []string
	// skip, when set, marks the step skipped before the walk starts.
	skip string
}

type stepResult struct {
	outcome outcome
	err     error
	reason  string
}

// walk runs run for every step, each only after all its deps are done, with
// at most parallelism running at once. A failed or skipped step causes every
// step depending on it, directly or not, to be skipped without running; other
// steps go on. Once ctx is done no step starts; running ones are waited for.
//
// The internal/dag package offers a general walker; this one is local
// because apply needs outcomes per step (skipped because of whom), which is
// simpler to keep next to the code that reports them.
func walk(ctx context.Context, steps []*step, parallelism int, run func(context.Context, *step) error) (map[string]*stepResult, error) {
	if parallelism < 1 {
		parallelism = 1
	}
	byAddr := make(map[string]*step, len(steps))
	for _, s := range steps {
		byAddr[s.addr] = s
	}
	waiting := make(map[string]int, len(steps))
	dependants := make(map[string][]string, len(steps))
	for _, s := range steps {
		seen := map[string]bool{}
		for _, d := range s.deps {
			if _, ok := byAddr[d]; !ok || seen[d] || d == s.addr {
				continue
			}
			seen[d] = true
			waiting[s.addr]++
			dependants[d] = append(dependants[d], s.addr)
		}
	}
	for _, ds := range dependants {
		sort.Strings(ds)
	}

	results := make(map[string]*stepResult, len(steps))
	var ready []string

	// skip marks addr and, transitively, everything depending on it.
	var skip func(addr, reason string)
	skip = func(addr, reason string) {
		if results[addr] != nil {
			return
		}
		results[addr] = &stepResult{outcome: outcomeSkipped, reason: reason}
		for _, d := range dependants[addr] {
			skip(d, fmt.Sprintf("depends on %s, which was skipped", addr))
		}
	}
	// finish records the end of addr and releases or skips its dependants.
	finish := func(addr string, r *stepResult) {
		results[addr] = r
		for _, d := range dependants[addr] {
			if r.outcome != outcomeDone {
				verb := "failed"
				if r.outcome == outcomeSkipped {
					verb = "was skipped"
				}
				skip(d, fmt.Sprintf("depends on %s, which %s", addr, verb))
				continue
			}
			waiting[d]--
			if waiting[d] == 0 && results[d] == nil {
				ready = append(ready, d)
			}
		}
	}

	sorted := append([]*step(nil), steps...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].addr < sorted[j].addr })
	for _, s := range sorted {
		if s.skip != "" && results[s.addr] == nil {
			finish(s.addr, &stepResult{outcome: outcomeSkipped, reason: s.skip})
		}
	}
	for _, s := range sorted {
		if waiting[s.addr] == 0 && results[s.addr] == nil {
			ready = append(ready, s.addr)
		}
	}

	type doneMsg struct {
		addr string
		err  error
	}
	done := make(chan doneMsg)
	running := 0
	for {
		for running < parallelism && len(ready) > 0 && ctx.Err() == nil {
			addr := ready[0]
			ready = ready[1:]
			if results[addr] != nil { // skipped meanwhile
				continue
			}
			running++
			go func(s *step) {
				done <- doneMsg{s.addr, run(ctx, s)}
			}(byAddr[addr])
		}
		if running == 0 {
			break
		}
		m := <-done
		running--
		if m.err != nil {
			finish(m.addr, &stepResult{outcome: outcomeFailed, err: m.err})
		} else {
			finish(m.addr, &stepResult{outcome: outcomeDone})
		}
	}

	var stuck []string
	for _, s := range sorted {
		if results[s.addr] != nil {
			continue
		}
		if ctx.Err() != nil {
			results[s.addr] = &stepResult{outcome: outcomeNotStarted, reason: "apply was interrupted"}
			continue
		}
		stuck = append(stuck, s.addr)
	}
	if len(stuck) > 0 {
		// Plans are checked for cycles, so this means a corrupted plan.
		return results, fmt.Errorf("dependency cycle among %v: the plan is inconsistent; run plan again", stuck)
	}
	return results, nil
}
