package process

import (
	"context"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/trustform/trustform/runtimes"
)

// After cp -r app app2 both states share a lineage; before issue 12 each
// copy's apply stopped the other's processes as "leftovers". A runner for
// another directory must neither see them as running, stop them, nor
// report them as orphans.
func TestCopyNeverTouchesAnotherDirectorysProcess(t *testing.T) {
	f := newFixture(t)
	appDir, copyDir := filepath.Join(f.dir, "app"), filepath.Join(f.dir, "app2")
	f.r = NewForDir(appDir)
	spec := f.spec("executable.idle", "sleep", "300")
	h := f.start(spec)

	other := NewForDir(copyDir)
	ctx := context.Background()
	if s, err := other.Status(ctx, h); err != nil || s != runtimes.StatusMissing {
		t.Fatalf("the copy's Status = %v, %v; want missing", s, err)
	}
	if err := other.Stop(ctx, h, 0); err != nil {
		t.Fatal(err)
	}
	if !pidAlive(t, h.PID) {
		t.Fatal("the copy stopped the original's process")
	}
	if got, _ := other.FindOrphans(context.Background(), spec.Lineage); len(got) != 0 {
		t.Fatalf("the copy found the original's process as its orphan: %+v", got)
	}
	if got, _ := f.r.FindOrphans(context.Background(), spec.Lineage); len(got) != 1 || got[0].Handle != h {
		t.Fatalf("the original's FindOrphans = %+v, want its own process %+v", got, h)
	}
	if s := f.status(h); s != runtimes.StatusRunning {
		t.Fatalf("the original's Status = %v", s)
	}
	// A runner that does not know its directory (older callers) keeps
	// the old behaviour.
	if got, _ := New().FindOrphans(context.Background(), spec.Lineage); len(got) != 1 {
		t.Fatalf("New().FindOrphans = %+v", got)
	}
}

// A child that calls setsid, and one double-forked out of its parent,
// survived destroy before issue 12. Both carry the instance marker.
func TestStopStopsDescendantsThatLeftTheGroup(t *testing.T) {
	f := newFixture(t)
	spec := f.spec("executable.escapes", "sh", "-c",
		`setsid sh -c 'echo $$ > setsid.pid; exec sleep 301' & (sh -c 'echo $$ > forked.pid; exec sleep 302' &); exec sleep 300`)
	h := f.start(spec)
	escaped := readPidFile(t, filepath.Join(f.dir, "setsid.pid"))
	forked := readPidFile(t, filepath.Join(f.dir, "forked.pid"))
	if pg, _ := syscall.Getpgid(escaped); pg == h.PID {
		t.Fatal("the setsid child is still in the group: the test proves nothing")
	}
	if err := f.r.Stop(context.Background(), h, 0); err != nil {
		t.Fatal(err)
	}
	for _, pid := range []int{h.PID, escaped, forked} {
		if pidAlive(t, pid) {
			t.Errorf("pid %d survived Stop", pid)
		}
	}
}

// An apply that crashed leaves the process; when the process itself has
// ended but a detached descendant runs on, FindOrphans still finds it,
// and stopping what it found stops every descendant.
func TestFindOrphansDetachedDescendant(t *testing.T) {
	f := newFixture(t)
	spec := f.spec("executable.daemon", "sh", "-c",
		`setsid sh -c 'echo $$ > d.pid; exec sleep 303' & sleep 0.2`)
	h := f.start(spec)
	daemon := readPidFile(t, filepath.Join(f.dir, "d.pid"))
	waitFor(t, "the parent to exit", func() bool { return !pidAlive(t, h.PID) })

	got, err := NewForDir("").FindOrphans(context.Background(), spec.Lineage)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Handle.PID != daemon || got[0].Handle.Instance != h.Instance {
		t.Fatalf("FindOrphans = %+v, want the detached pid %d of instance %s", got, daemon, h.Instance)
	}
	if err := f.r.Stop(context.Background(), got[0].Handle, 0); err != nil {
		t.Fatal(err)
	}
	if pidAlive(t, daemon) {
		t.Fatal("the detached descendant survived")
	}
}
