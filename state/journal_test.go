package state

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// crash drops an open journal without folding it in, as a killed process
// would.
func crash(j *Journal) { j.f.Close() }

func TestJournalCloseFoldsIntoState(t *testing.T) {
	path := statePath(t)
	s := New("lin", "dev")
	j, err := OpenJournal(path, s)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []string{"node_app.b", "node_app.a", "node_app.c"} {
		if err := j.Upsert(sample(a)); err != nil {
			t.Fatal(err)
		}
	}
	if err := j.Remove("node_app.b"); err != nil {
		t.Fatal(err)
	}
	if err := j.SetOutputs(map[string]*Output{"o": {Value: []byte("1")}}); err != nil {
		t.Fatal(err)
	}
	if j.Lookup("node_app.a") == nil || j.Lookup("node_app.b") != nil {
		t.Error("Lookup does not reflect the journal's changes")
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	if err := j.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := os.Stat(JournalPath(path)); !errors.Is(err, os.ErrNotExist) {
		t.Error("journal left after Close")
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if addresses(got) != "node_app.a,node_app.c" || got.Outputs["o"] == nil {
		t.Errorf("state after Close: %s outputs %v", addresses(got), got.Outputs)
	}
	if got.Serial != 1 || got.RecoveredChanges() != 0 {
		t.Errorf("Serial = %d, recovered = %d; want 1 and 0", got.Serial, got.RecoveredChanges())
	}
	if err := j.Upsert(sample("x.y")); err == nil {
		t.Error("Append after Close succeeded")
	}
}

func TestJournalCloseWithoutChangesWritesNothing(t *testing.T) {
	path := statePath(t)
	s := New("lin", "dev")
	s.Upsert(sample("a.a"))
	if err := s.Save(path); err != nil {
		t.Fatal(err)
	}
	j, err := OpenJournal(path, s)
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	got, _ := Load(path)
	if got.Serial != 1 {
		t.Errorf("Serial = %d, want 1 (nothing changed)", got.Serial)
	}
	if _, err := os.Stat(JournalPath(path)); !errors.Is(err, os.ErrNotExist) {
		t.Error("journal left after Close")
	}
}

func TestJournalRecoversAfterCrash(t *testing.T) {
	path := statePath(t)
	base := New("lin", "dev")
	base.Upsert(sample("old.gone"))
	base.Upsert(sample("old.kept"))
	if err := base.Save(path); err != nil {
		t.Fatal(err)
	}
	loaded, _ := Load(path)
	j, err := OpenJournal(path, loaded)
	if err != nil {
		t.Fatal(err)
	}
	j.Upsert(sample("new.one"))
	j.Remove("old.gone")
	crash(j)

	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if addresses(got) != "new.one,old.kept" {
		t.Errorf("recovered resources = %s", addresses(got))
	}
	if got.RecoveredChanges() != 2 {
		t.Errorf("RecoveredChanges = %d, want 2", got.RecoveredChanges())
	}
	if got.Serial != 2 {
		t.Errorf("recovered Serial = %d, want 2 (differs from the file's 1)", got.Serial)
	}

	// The next run folds the old journal in before starting its own.
	j2, err := OpenJournal(path, got)
	if err != nil {
		t.Fatal(err)
	}
	j2.Upsert(sample("new.two"))
	crash(j2)
	again, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if addresses(again) != "new.one,new.two,old.kept" {
		t.Errorf("after a second crash: %s", addresses(again))
	}
	if again.RecoveredChanges() != 1 {
		t.Errorf("RecoveredChanges = %d, want 1", again.RecoveredChanges())
	}
	// A plain Save also folds it in and removes it.
	if err := again.Save(path); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(JournalPath(path)); !errors.Is(err, os.ErrNotExist) {
		t.Error("Save left a replayed journal behind")
	}
	final, _ := Load(path)
	if addresses(final) != "new.one,new.two,old.kept" || final.RecoveredChanges() != 0 {
		t.Errorf("final = %s recovered %d", addresses(final), final.RecoveredChanges())
	}
}

func TestJournalRecoversWithoutStateFile(t *testing.T) {
	path := statePath(t)
	j, err := OpenJournal(path, New("lin-x", "0.2.0"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path); !errors.Is(err, ErrNoState) {
		t.Errorf("Load of an empty journal = %v, want ErrNoState", err)
	}
	j.Upsert(sample("a.b"))
	crash(j)
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.Lineage != "lin-x" || got.TrustformVersion != "0.2.0" || got.Lookup("a.b") == nil {
		t.Errorf("recovered = %+v", got)
	}
}

func TestJournalFoldedButNotRemovedIsIgnored(t *testing.T) {
	// A crash between Close's save and its removal of the journal: the
	// file already holds the changes, so replaying must not apply them
	// twice (a remove then re-upsert would resurrect).
	path := statePath(t)
	j, err := OpenJournal(path, New("lin", "dev"))
	if err != nil {
		t.Fatal(err)
	}
	j.Upsert(sample("a.a"))
	j.Upsert(sample("b.b"))
	if err := j.s.Save(path); err != nil {
		t.Fatal(err)
	}
	crash(j)
	s, _ := Load(path)
	s.Remove("a.a")
	if err := s.Save(path); err != nil {
		t.Fatal(err)
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if addresses(got) != "b.b" || got.RecoveredChanges() != 0 {
		t.Errorf("stale journal was replayed: %s, recovered %d", addresses(got), got.RecoveredChanges())
	}
}

func TestJournalTornLastLineDropped(t *testing.T) {
	path := statePath(t)
	j, _ := OpenJournal(path, New("lin", "dev"))
	j.Upsert(sample("a.a"))
	crash(j)
	f, _ := os.OpenFile(JournalPath(path), os.O_WRONLY|os.O_APPEND, 0)
	f.WriteString(`{"op":"upsert","resource":{"addr`)
	f.Close()
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if addresses(got) != "a.a" {
		t.Errorf("resources = %s", addresses(got))
	}
}

func TestJournalCorruptLine(t *testing.T) {
	path := statePath(t)
	j, _ := OpenJournal(path, New("lin", "dev"))
	j.Upsert(sample("a.a"))
	crash(j)
	f, _ := os.OpenFile(JournalPath(path), os.O_WRONLY|os.O_APPEND, 0)
	f.WriteString("not json\n{\"op\":\"remove\",\"address\":\"a.a\"}\n")
	f.Close()
	_, err := Load(path)
	var ce *CorruptError
	if !errors.As(err, &ce) {
		t.Fatalf("Load = %v, want *CorruptError", err)
	}
	if ce.Path != JournalPath(path) || ce.Line != 3 {
		t.Errorf("error points at %s:%d, want the journal's line 3", ce.Path, ce.Line)
	}
	if !strings.Contains(err.Error(), "journal") || !strings.Contains(err.Error(), "not modified") {
		t.Errorf("message %q", err)
	}
}

func TestJournalSavesEarlierChangesFirst(t *testing.T) {
	path := statePath(t)
	s := New("lin", "dev")
	s.Upsert(sample("before.journal"))
	j, err := OpenJournal(path, s)
	if err != nil {
		t.Fatal(err)
	}
	crash(j)
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.Lookup("before.journal") == nil {
		t.Error("a change made before OpenJournal was lost in a crash")
	}
}

func TestJournalCloseFailureKeepsJournal(t *testing.T) {
	path := statePath(t)
	j, err := OpenJournal(path, New("lin", "dev"))
	if err != nil {
		t.Fatal(err)
	}
	j.Upsert(sample("a.a"))
	// A directory where state.json should be makes the save fail.
	if err := os.Mkdir(path, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := j.Close(); err == nil || !strings.Contains(err.Error(), "journal") {
		t.Fatalf("Close = %v, want an error naming the kept journal", err)
	}
	os.Remove(path)
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.Lookup("a.a") == nil {
		t.Error("the change was lost when Close failed")
	}
}

func TestJournalConcurrentAppends(t *testing.T) {
	path := statePath(t)
	j, err := OpenJournal(path, New("lin", "dev"))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := range 10 {
				if err := j.Upsert(sample(fmt.Sprintf("w%d.r%d", w, i))); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	crash(j)
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Resources) != 80 {
		t.Errorf("recovered %d resources, want 80", len(got.Resources))
	}
}

func TestJournalWritesLinearBytes(t *testing.T) {
	// Persisting N resources one at a time must write O(N) bytes: each
	// change adds one line, and state.json is written once, at Close.
	const n = 1000
	path := statePath(t)
	j, err := OpenJournal(path, New("lin", "dev"))
	if err != nil {
		t.Fatal(err)
	}
	var lineBytes int64
	for i := range n {
		r := sample(fmt.Sprintf("node_app.r%04d", i))
		if err := j.Upsert(r); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			fi, _ := os.Stat(JournalPath(path))
			lineBytes = fi.Size()
		}
		if i == n/2 {
			if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
				t.Fatal("state.json rewritten while journaling")
			}
		}
	}
	fi, err := os.Stat(JournalPath(path))
	if err != nil {
		t.Fatal(err)
	}
	// Lines differ only in the index digits; allow slack for them.
	if limit := int64(n) * (lineBytes + 16); fi.Size() > limit {
		t.Errorf("journal is %d bytes after %d upserts, want at most %d", fi.Size(), n, limit)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	got, _ := Load(path)
	if len(got.Resources) != n || got.Serial != 1 {
		t.Errorf("after Close: %d resources, serial %d; want %d and 1", len(got.Resources), got.Serial, n)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("leftover %s", e.Name())
		}
	}
}

func TestJournalRejectsBadOps(t *testing.T) {
	path := statePath(t)
	j, _ := OpenJournal(path, New("lin", "dev"))
	defer j.Close()
	for _, op := range []Op{{Kind: "frob"}, {Kind: OpUpsert}, {Kind: OpUpsert, Resource: &Resource{}}, {Kind: OpRemove}} {
		if err := j.Append(op); err == nil {
			t.Errorf("Append(%+v) succeeded", op)
		}
	}
}

func BenchmarkJournalUpsert1000(b *testing.B) {
	for b.Loop() {
		path := statePath(b)
		j, err := OpenJournal(path, New("lin", "dev"))
		if err != nil {
			b.Fatal(err)
		}
		for i := range 1000 {
			if err := j.Upsert(sample(fmt.Sprintf("node_app.r%04d", i))); err != nil {
				b.Fatal(err)
			}
		}
		if err := j.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSaveEach is the quadratic alternative the journal avoids: a full
// Save after each resource. Compare ns/op per resource with the journal.
func BenchmarkSaveEach(b *testing.B) {
	for _, n := range []int{100, 300} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			for b.Loop() {
				path := statePath(b)
				s := New("lin", "dev")
				for i := range n {
					s.Upsert(sample(fmt.Sprintf("node_app.r%04d", i)))
					if err := s.Save(path); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
