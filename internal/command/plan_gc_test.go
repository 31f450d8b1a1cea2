package command

import (
	"math"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strings"
	"testing"
	"time"
)

// gcSettings reads the collector's percent and memory limit without
// setting them, so a pacer's cleanup running meanwhile is not undone.
func gcSettings() (percent int64, limit int64) {
	s := []metrics.Sample{{Name: "/gc/gogc:percent"}, {Name: "/gc/gomemlimit:bytes"}}
	metrics.Read(s)
	return int64(s[0].Value.Uint64()), int64(s[1].Value.Uint64())
}

// waitGC collects and gives the pacer's cleanup, which runs on its own
// goroutine after the collection, time to look at the heap.
func waitGC(t *testing.T, until func() bool) bool {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		runtime.GC()
		time.Sleep(20 * time.Millisecond)
		if until() {
			return true
		}
	}
	return false
}

func TestPaceByBudget(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(1 << 40))
	const budget = 128 << 20

	paceByBudget(budget, 77, 99)
	if p, l := gcSettings(); p != -1 || l != budget {
		t.Fatalf("while the heap is small: GOGC %d, limit %d; want off and %d", p, l, budget)
	}
	// A collection that leaves the live heap under half the budget keeps
	// the collector off.
	for range 3 {
		runtime.GC()
		time.Sleep(20 * time.Millisecond)
	}
	if p, l := gcSettings(); p != -1 || l != budget {
		t.Fatalf("after collections of a small heap: GOGC %d, limit %d; want off and %d", p, l, budget)
	}

	// More than half the budget live: back to the percentage and to the
	// limit in force before.
	live := make([]byte, budget/2+(16<<20))
	if !waitGC(t, func() bool { p, l := gcSettings(); return p == 77 && l == 1<<40 }) {
		p, l := gcSettings()
		t.Fatalf("with %d MB live: GOGC %d, limit %d; want 77 and %d", len(live)>>20, p, l, int64(1<<40))
	}

	// More than the whole budget live: the large percentage.
	more := make([]byte, budget/2+(16<<20))
	if !waitGC(t, func() bool { p, _ := gcSettings(); return p == 99 }) {
		p, l := gcSettings()
		t.Fatalf("with %d MB live: GOGC %d, limit %d; want 99", (len(live)+len(more))>>20, p, l)
	}
	runtime.KeepAlive(live)
	runtime.KeepAlive(more)
}

// A limit at or below the budget can only be another plan's budget: the
// pacer must not make it permanent.
func TestPaceByBudgetDropsAnotherBudget(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(8 << 20))
	paceByBudget(8<<20, 60, 100)
	live := make([]byte, 8<<20)
	if !waitGC(t, func() bool { p, l := gcSettings(); return (p == 60 || p == 100) && l == math.MaxInt64 }) {
		p, l := gcSettings()
		t.Fatalf("GOGC %d, limit %d; want 60 and no limit", p, l)
	}
	runtime.KeepAlive(live)
}

// up -watch plans again and again in one process: only the first plan
// starts a pacer, so later ones neither pile pacers up nor take the
// first one's budget for the limit to go back to.
func TestPlanningGCPacesTheFirstPlanOnly(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(1 << 40))
	e := &runEnv{workspace: &workspace{dir: t.TempDir()}}
	e.planningGC()
	if p, l := gcSettings(); p != -1 || l != planHeapBudget {
		t.Fatalf("first plan: GOGC %d, limit %d; want off and %d", p, l, planHeapBudget)
	}
	debug.SetMemoryLimit(77 << 20)
	e.planningGC()
	if _, l := gcSettings(); l != 77<<20 {
		t.Fatalf("second plan: limit %d, want it left at %d", l, 77<<20)
	}
}

// A configuration whose source says its plan will outgrow the budget is
// paced by the large percentage from the start, and no limit is set: on
// the way to the budget the pacer would collect every few milliseconds
// while the file is parsed. A smaller one is paced by the budget. Only
// configuration files count.
func TestPlanningGCLargeSource(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(1 << 40))
	for _, tc := range []struct {
		size        int
		wantPercent int64
		wantLimit   int64
	}{
		// The benchmark's 1,000 resources (220 KB) fit the budget; its
		// 5,000 (1.1 MB) do not.
		{220 << 10, -1, planHeapBudget},
		{1100 << 10, planLargeGCPercent, 1 << 40},
		{planLargeSource, -1, planHeapBudget},
		{planLargeSource + 2, planLargeGCPercent, 1 << 40},
	} {
		debug.SetGCPercent(100)
		debug.SetMemoryLimit(1 << 40)
		dir := t.TempDir()
		// Split in two files: the size is the configuration's, not a file's.
		half := []byte("#" + strings.Repeat("x", tc.size/2-2) + "\n")
		for _, name := range []string{"a.trust.hcl", "b.trust.hcl"} {
			if err := os.WriteFile(filepath.Join(dir, name), half, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.WriteFile(filepath.Join(dir, "big.txt"), make([]byte, planLargeSource), 0o644); err != nil {
			t.Fatal(err)
		}
		e := &runEnv{workspace: &workspace{dir: dir}}
		e.planningGC()
		if p, l := gcSettings(); p != tc.wantPercent || l != tc.wantLimit {
			t.Errorf("source of %d bytes: GOGC %d, limit %d; want %d and %d", 2*len(half), p, l, tc.wantPercent, tc.wantLimit)
		}
	}
}
