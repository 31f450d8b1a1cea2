package state

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"sync"
	"testing"
)

// holdSyncs replaces j's fsync: each call reports itself on started, then
// waits for a value on release (nil: succeed). It returns how many calls
// were made.
func holdSyncs(j *Journal, started chan<- int64, release <-chan error) func() int {
	var mu sync.Mutex
	calls := 0
	j.syncFile = func() error {
		mu.Lock()
		calls++
		mu.Unlock()
		j.mu.Lock()
		w := j.written
		j.mu.Unlock()
		started <- w
		return <-release
	}
	return func() int {
		mu.Lock()
		defer mu.Unlock()
		return calls
	}
}

// waitWritten blocks until j's file holds n lines.
func waitWritten(j *Journal, n int64) {
	j.mu.Lock()
	defer j.mu.Unlock()
	for j.written < n {
		j.mu.Unlock()
		runtime.Gosched() // let the Appends in other goroutines write
		j.mu.Lock()
	}
}

// Appends made while an fsync is under way wait for it and then share one
// more fsync, instead of syncing one after the other; each returns only
// once its own line is durable, and Lookup sees no change before that.
func TestJournalGroupCommit(t *testing.T) {
	path := statePath(t)
	j, err := OpenJournal(path, New("lin", "dev"))
	if err != nil {
		t.Fatal(err)
	}
	started := make(chan int64)
	release := make(chan error)
	calls := holdSyncs(j, started, release)

	errs := make(chan error, 10)
	go func() { errs <- j.Upsert(sample("node_app.first")) }()
	if w := <-started; w != 1 {
		t.Fatalf("first fsync covers %d lines, want 1", w)
	}
	const others = 9
	for i := range others {
		go func() { errs <- j.Upsert(sample(fmt.Sprintf("node_app.r%d", i))) }()
	}
	// The other nine are written while the first fsync is held: none of
	// them may have returned, none is visible yet.
	waitWritten(j, 1+others)
	select {
	case err := <-errs:
		t.Fatalf("an Append returned (%v) before its line was synced", err)
	default:
	}
	if j.Lookup("node_app.first") != nil || j.Lookup("node_app.r0") != nil {
		t.Error("Lookup sees a change whose line is not synced yet")
	}
	release <- nil
	if w := <-started; w != 1+others {
		t.Fatalf("second fsync covers %d lines, want %d", w, 1+others)
	}
	if j.Lookup("node_app.first") == nil {
		t.Error("Lookup does not see the first change once it is synced")
	}
	release <- nil
	for range 1 + others {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if n := calls(); n != 2 {
		t.Errorf("%d fsyncs for %d concurrent appends, want 2", n, 1+others)
	}
	for i := range others {
		if j.Lookup(fmt.Sprintf("node_app.r%d", i)) == nil {
			t.Errorf("node_app.r%d missing after its Append returned", i)
		}
	}
	crash(j)
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Resources) != 1+others {
		t.Errorf("recovered %d resources, want %d", len(got.Resources), 1+others)
	}
}

// A failed fsync fails every Append whose line it covered and every one
// after; none of their changes reaches the state.
func TestJournalGroupCommitSyncFailure(t *testing.T) {
	path := statePath(t)
	j, err := OpenJournal(path, New("lin", "dev"))
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Upsert(sample("node_app.kept")); err != nil {
		t.Fatal(err)
	}
	started := make(chan int64)
	release := make(chan error)
	holdSyncs(j, started, release)

	errs := make(chan error, 4)
	go func() { errs <- j.Upsert(sample("node_app.a")) }()
	<-started
	go func() { errs <- j.Upsert(sample("node_app.b")) }()
	waitWritten(j, 3)
	release <- errors.New("disk on fire")
	for range 2 {
		if err := <-errs; err == nil {
			t.Error("an Append covered by a failed fsync succeeded")
		}
	}
	if err := j.Upsert(sample("node_app.c")); err == nil {
		t.Error("an Append after a failed fsync succeeded")
	}
	for _, a := range []string{"node_app.a", "node_app.b", "node_app.c"} {
		if j.Lookup(a) != nil {
			t.Errorf("%s is in state although recording it failed", a)
		}
	}
	if j.Lookup("node_app.kept") == nil {
		t.Error("the change synced before the failure is lost")
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if addresses(got) != "node_app.kept" {
		t.Errorf("state after Close = %s, want node_app.kept", addresses(got))
	}
	if _, err := os.Stat(JournalPath(path)); !errors.Is(err, os.ErrNotExist) {
		t.Error("journal left after Close")
	}
}
