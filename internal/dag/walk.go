package dag

import (
	"container/heap"
	"context"
	"fmt"
	"sort"
	"strings"
)

// NodeError is the error fn returned for one node.
type NodeError struct {
	Node string
	Err  error
}

func (e *NodeError) Error() string { return e.Node + ": " + e.Err.Error() }

// Unwrap returns the error fn returned.
func (e *NodeError) Unwrap() error { return e.Err }

// WalkError is what Walk returns when not every node ran successfully.
// errors.Is and errors.As see through it to each node's error and to the
// context's error.
type WalkError struct {
	// Failed holds each node whose fn returned an error, sorted by node.
	Failed []*NodeError
	// Skipped lists, sorted, the nodes not run because something they
	// depend on (directly or not) failed.
	Skipped []string
	// NotStarted lists, sorted, the nodes not run because the context was
	// done before their turn; Cause is then the context's error.
	NotStarted []string
	Cause      error
}

func (e *WalkError) Error() string {
	var parts []string
	for _, f := range e.Failed {
		parts = append(parts, f.Error())
	}
	if len(e.Skipped) > 0 {
		parts = append(parts, "skipped because a dependency failed: "+strings.Join(e.Skipped, ", "))
	}
	if len(e.NotStarted) > 0 {
		cause := "walk stopped"
		if e.Cause != nil {
			cause = e.Cause.Error()
		}
		parts = append(parts, fmt.Sprintf("not started (%s): %s", cause, strings.Join(e.NotStarted, ", ")))
	}
	return strings.Join(parts, "; ")
}

// Unwrap returns every node error and the cause.
func (e *WalkError) Unwrap() []error {
	var errs []error
	for _, f := range e.Failed {
		errs = append(errs, f)
	}
	if e.Cause != nil {
		errs = append(errs, e.Cause)
	}
	return errs
}

// Walk calls fn once for each node, as soon as every dependency of the node
// (every dependent, when reverse is set, which is the order destroy needs)
// has returned successfully, with at most parallelism calls running at once
// (values below 1 mean 1). Among ready nodes the smallest name starts first,
// so with parallelism 1 the order is TopoOrder's.
//
// When fn fails for a node, the nodes that depend on it are not run and are
// listed as skipped; nodes that do not depend on it go on. Once ctx is done
// no further node is started; calls already running get ctx and are waited
// for. Walk returns nil when every node ran successfully, a *CycleError
// (without running anything) when the graph has a cycle, else a *WalkError.
func (g *Graph) Walk(ctx context.Context, parallelism int, reverse bool, fn func(ctx context.Context, node string) error) error {
	if cycles := g.Cycles(); cycles != nil {
		return &CycleError{Cycles: cycles}
	}
	if parallelism < 1 {
		parallelism = 1
	}
	deps, dependents := g.deps, g.rdeps
	if reverse {
		deps, dependents = dependents, deps
	}

	pending := make(map[string]int, len(g.nodes))
	ready := &nameHeap{}
	for n := range g.nodes {
		pending[n] = len(deps[n])
		if pending[n] == 0 {
			heap.Push(ready, n)
		}
	}

	type result struct {
		node string
		err  error
	}
	// Buffered so a finishing call never waits for the loop below.
	results := make(chan result, parallelism)
	started := make(map[string]bool, len(g.nodes))
	var failed []*NodeError
	running := 0
	stopped := false
	for {
		for !stopped && running < parallelism && ready.Len() > 0 {
			if ctx.Err() != nil {
				stopped = true
				break
			}
			n := heap.Pop(ready).(string)
			started[n] = true
			running++
			go func() { results <- result{n, fn(ctx, n)} }()
		}
		if running == 0 {
			break
		}
		var r result
		if stopped {
			r = <-results
		} else {
			select {
			case r = <-results:
			case <-ctx.Done():
				stopped = true
				continue
			}
		}
		running--
		if r.err != nil {
			failed = append(failed, &NodeError{Node: r.node, Err: r.err})
			continue
		}
		for d := range dependents[r.node] {
			pending[d]--
			if pending[d] == 0 {
				heap.Push(ready, d)
			}
		}
	}

	if len(failed) == 0 && len(started) == len(g.nodes) {
		return nil
	}

	// Everything downstream of a failure was skipped because of it; any
	// other node that did not start was stopped by the context.
	downstream := map[string]bool{}
	queue := make([]string, 0, len(failed))
	for _, f := range failed {
		queue = append(queue, f.Node)
	}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		for d := range dependents[n] {
			if !downstream[d] {
				downstream[d] = true
				queue = append(queue, d)
			}
		}
	}
	werr := &WalkError{Failed: failed}
	sort.Slice(werr.Failed, func(i, j int) bool { return werr.Failed[i].Node < werr.Failed[j].Node })
	for _, n := range g.Nodes() {
		switch {
		case started[n]:
		case downstream[n]:
			werr.Skipped = append(werr.Skipped, n)
		default:
			werr.NotStarted = append(werr.NotStarted, n)
		}
	}
	if len(werr.NotStarted) > 0 {
		werr.Cause = ctx.Err()
	}
	return werr
}
