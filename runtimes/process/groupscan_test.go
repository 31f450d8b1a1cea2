package process

import (
	"sync"
	"testing"
	"time"
)

// fakeClock hands out strictly increasing times.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Millisecond)
	return c.t
}

// countingScanner answers from live and records what each scan looked for.
type countingScanner struct {
	mu    sync.Mutex
	live  map[int]bool
	scans []map[int]bool
}

func (s *countingScanner) scan(want map[int]bool) (map[int]bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.scans = append(s.scans, want)
	out := map[int]bool{}
	for pgid := range want {
		out[pgid] = s.live[pgid]
	}
	return out, nil
}

func (s *countingScanner) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.scans)
}

// One scan answers every watched group whose question is older than it.
func TestGroupScansShareOneScan(t *testing.T) {
	var g groupScans
	clock := &fakeClock{}
	sc := &countingScanner{live: map[int]bool{10: true, 20: false, 30: true}}
	since := clock.now() // the signals were sent
	for _, pgid := range []int{10, 20, 30} {
		g.watch(pgid)
	}
	for _, pgid := range []int{10, 20, 30} {
		alive, err := g.alive(pgid, since, clock.now, sc.scan)
		if err != nil {
			t.Fatal(err)
		}
		if alive != sc.live[pgid] {
			t.Errorf("alive(%d) = %v, want %v", pgid, alive, sc.live[pgid])
		}
	}
	if n := sc.count(); n != 1 {
		t.Fatalf("%d scans for three groups asking at once, want 1", n)
	}
	if w := sc.scans[0]; len(w) != 3 || !w[10] || !w[20] || !w[30] {
		t.Errorf("the scan looked for %v, want every watched group", w)
	}
}

// An answer from a scan that started before the question is never used: it
// may predate the signal, or say nothing new since the caller last looked.
func TestGroupScansNeverAnswerFromAnOlderScan(t *testing.T) {
	var g groupScans
	clock := &fakeClock{}
	sc := &countingScanner{live: map[int]bool{10: true}}
	g.watch(10)
	if alive, _ := g.alive(10, clock.now(), clock.now, sc.scan); !alive {
		t.Fatal("alive = false, want true")
	}
	// The group ends; the next question comes after that scan.
	sc.live[10] = false
	after := clock.now()
	alive, err := g.alive(10, after, clock.now, sc.scan)
	if err != nil {
		t.Fatal(err)
	}
	if alive {
		t.Error("answered alive from the scan before the question")
	}
	if n := sc.count(); n != 2 {
		t.Errorf("%d scans, want 2", n)
	}
	// A group not looked for by the last scan gets its own.
	if alive, _ := g.alive(99, time.Time{}, clock.now, sc.scan); alive {
		t.Error("unknown group alive")
	}
	if n := sc.count(); n != 3 {
		t.Errorf("%d scans, want 3", n)
	}
}

// Groups no longer waited for are not looked for.
func TestGroupScansUnwatch(t *testing.T) {
	var g groupScans
	clock := &fakeClock{}
	sc := &countingScanner{live: map[int]bool{}}
	g.watch(10)
	g.watch(10)
	g.watch(20)
	g.unwatch(10)
	g.unwatch(20)
	if _, err := g.alive(30, clock.now(), clock.now, sc.scan); err != nil {
		t.Fatal(err)
	}
	if w := sc.scans[0]; len(w) != 2 || !w[10] || !w[30] {
		t.Errorf("scan looked for %v, want groups 10 (still watched once) and 30", w)
	}
}

// Many stops polling at once get the right answer for their own group.
func TestGroupScansConcurrent(t *testing.T) {
	var g groupScans
	clock := &fakeClock{}
	sc := &countingScanner{live: map[int]bool{}}
	const groups, polls = 10, 20
	for pgid := 1; pgid <= groups; pgid++ {
		sc.live[pgid] = pgid%2 == 0
	}
	var wg sync.WaitGroup
	for pgid := 1; pgid <= groups; pgid++ {
		g.watch(pgid)
	}
	start := clock.now()
	for pgid := 1; pgid <= groups; pgid++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer g.unwatch(pgid)
			since := start
			for range polls {
				asked := clock.now()
				alive, err := g.alive(pgid, since, clock.now, sc.scan)
				if err != nil || alive != (pgid%2 == 0) {
					t.Errorf("alive(%d) = %v, %v", pgid, alive, err)
					return
				}
				since = asked
			}
		}()
	}
	wg.Wait()
}
