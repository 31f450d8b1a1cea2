package dag

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
)

// recorder checks, from inside fn, that every dependency finished before a
// node started.
type recorder struct {
	mu       sync.Mutex
	finished map[string]bool
	started  []string
	errs     []string
}

func newRecorder() *recorder { return &recorder{finished: map[string]bool{}} }

func (r *recorder) fn(g *Graph, reverse bool, fail map[string]bool) func(context.Context, string) error {
	return func(_ context.Context, n string) error {
		deps := g.Dependencies(n)
		if reverse {
			deps = g.Dependents(n)
		}
		r.mu.Lock()
		for _, d := range deps {
			if !r.finished[d] {
				r.errs = append(r.errs, fmt.Sprintf("%s started before %s finished", n, d))
			}
		}
		r.started = append(r.started, n)
		r.mu.Unlock()
		if fail[n] {
			return fmt.Errorf("failed %s", n)
		}
		r.mu.Lock()
		r.finished[n] = true
		r.mu.Unlock()
		return nil
	}
}

func diamond() *Graph {
	// web needs api and cache; api and cache need db; tools is alone.
	return build("web->api", "web->cache", "api->db", "cache->db", "tools")
}

func TestWalkOrder(t *testing.T) {
	for _, reverse := range []bool{false, true} {
		for _, p := range []int{1, 2, 10} {
			t.Run(fmt.Sprintf("reverse=%v/p=%d", reverse, p), func(t *testing.T) {
				g := diamond()
				r := newRecorder()
				if err := g.Walk(context.Background(), p, reverse, r.fn(g, reverse, nil)); err != nil {
					t.Fatal(err)
				}
				for _, e := range r.errs {
					t.Error(e)
				}
				if len(r.started) != g.Len() {
					t.Errorf("ran %v, want each of %d nodes once", r.started, g.Len())
				}
			})
		}
	}
}

func TestWalkSerialIsTopoOrder(t *testing.T) {
	g := diamond()
	want, err := g.TopoOrder()
	if err != nil {
		t.Fatal(err)
	}
	r := newRecorder()
	if err := g.Walk(context.Background(), 1, false, r.fn(g, false, nil)); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(r.started, want) {
		t.Errorf("serial walk order = %v, want %v", r.started, want)
	}
	wantRev, _ := g.Reverse().TopoOrder()
	r = newRecorder()
	if err := g.Walk(context.Background(), 0, true, r.fn(g, true, nil)); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(r.started, wantRev) {
		t.Errorf("serial reverse walk order = %v, want %v", r.started, wantRev)
	}
}

func TestWalkFailureSkipsDependents(t *testing.T) {
	g := diamond()
	r := newRecorder()
	err := g.Walk(context.Background(), 3, false, r.fn(g, false, map[string]bool{"cache": true}))
	var we *WalkError
	if !errors.As(err, &we) {
		t.Fatalf("err = %v, want *WalkError", err)
	}
	if len(we.Failed) != 1 || we.Failed[0].Node != "cache" {
		t.Errorf("Failed = %v, want cache", we.Failed)
	}
	if want := []string{"web"}; !reflect.DeepEqual(we.Skipped, want) {
		t.Errorf("Skipped = %v, want %v", we.Skipped, want)
	}
	if len(we.NotStarted) != 0 || we.Cause != nil {
		t.Errorf("NotStarted = %v, Cause = %v; want none", we.NotStarted, we.Cause)
	}
	// Independent nodes went on, including api, a sibling of the failure.
	r.mu.Lock()
	for _, n := range []string{"api", "db", "tools"} {
		if !r.finished[n] {
			t.Errorf("%s did not run", n)
		}
	}
	r.mu.Unlock()
	want := "cache: failed cache; skipped because a dependency failed: web"
	if err.Error() != want {
		t.Errorf("message = %q, want %q", err.Error(), want)
	}
}

func TestWalkFailureReverseSkipsDependencies(t *testing.T) {
	g := diamond()
	sentinel := errors.New("stuck")
	err := g.Walk(context.Background(), 2, true, func(_ context.Context, n string) error {
		if n == "api" {
			return sentinel
		}
		return nil
	})
	var we *WalkError
	if !errors.As(err, &we) {
		t.Fatalf("err = %v, want *WalkError", err)
	}
	if !errors.Is(err, sentinel) {
		t.Error("errors.Is does not reach the node's error")
	}
	if want := []string{"db"}; !reflect.DeepEqual(we.Skipped, want) {
		t.Errorf("Skipped = %v, want %v", we.Skipped, want)
	}
}

func TestWalkTransitiveSkip(t *testing.T) {
	g := build("c->b", "b->a", "d->c", "x")
	err := g.Walk(context.Background(), 4, false, func(_ context.Context, n string) error {
		if n == "a" {
			return errors.New("no")
		}
		return nil
	})
	var we *WalkError
	if !errors.As(err, &we) {
		t.Fatalf("err = %v", err)
	}
	if want := []string{"b", "c", "d"}; !reflect.DeepEqual(we.Skipped, want) {
		t.Errorf("Skipped = %v, want %v", we.Skipped, want)
	}
}

func TestWalkParallelismBound(t *testing.T) {
	const total, limit = 25, 4
	g := &Graph{}
	for i := range total {
		g.AddNode(fmt.Sprintf("n%02d", i))
	}
	var (
		mu       sync.Mutex
		cond     = sync.NewCond(&mu)
		inflight int
		maxSeen  int
	)
	release := make(chan struct{})
	done := make(chan error)
	go func() {
		done <- g.Walk(context.Background(), limit, false, func(context.Context, string) error {
			mu.Lock()
			inflight++
			maxSeen = max(maxSeen, inflight)
			cond.Broadcast()
			mu.Unlock()
			<-release
			mu.Lock()
			inflight--
			mu.Unlock()
			return nil
		})
	}()
	// Let one call finish at a time, but only once as many calls as the
	// limit allows are running: this shows the limit is reached, and the
	// counter shows it is never passed.
	for i := range total {
		mu.Lock()
		for inflight < min(limit, total-i) {
			cond.Wait()
		}
		mu.Unlock()
		release <- struct{}{}
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if maxSeen != limit {
		t.Errorf("at most %d calls ran at once, want exactly %d", maxSeen, limit)
	}
}

func TestWalkCancelStopsStarting(t *testing.T) {
	g := build("b->a", "c->b", "d")
	ctx, cancel := context.WithCancel(context.Background())
	var ran []string
	err := g.Walk(ctx, 1, false, func(_ context.Context, n string) error {
		ran = append(ran, n)
		if n == "a" {
			cancel()
		}
		return nil
	})
	var we *WalkError
	if !errors.As(err, &we) {
		t.Fatalf("err = %v, want *WalkError", err)
	}
	if !reflect.DeepEqual(ran, []string{"a"}) {
		t.Errorf("ran %v after cancel, want only a", ran)
	}
	if want := []string{"b", "c", "d"}; !reflect.DeepEqual(we.NotStarted, want) {
		t.Errorf("NotStarted = %v, want %v", we.NotStarted, want)
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error %v does not wrap context.Canceled", err)
	}
}

func TestWalkCycleRunsNothing(t *testing.T) {
	g := build("a->b", "b->a", "c")
	ran := false
	err := g.Walk(context.Background(), 2, false, func(context.Context, string) error {
		ran = true
		return nil
	})
	var ce *CycleError
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v, want *CycleError", err)
	}
	if ran {
		t.Error("Walk ran nodes of a cyclic graph")
	}
}

func TestWalkEmpty(t *testing.T) {
	if err := (&Graph{}).Walk(context.Background(), 3, false, func(context.Context, string) error {
		return errors.New("called")
	}); err != nil {
		t.Fatal(err)
	}
}

func BenchmarkWalk1000(b *testing.B) {
	g := &Graph{}
	for i := range 1000 {
		n := fmt.Sprintf("r%04d", i)
		g.AddNode(n)
		if i >= 10 {
			g.AddEdge(n, fmt.Sprintf("r%04d", i-10))
		}
	}
	for b.Loop() {
		if err := g.Walk(context.Background(), 10, false, func(context.Context, string) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
}
