package state

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/trustform/trustform/runtimes"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
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

// journalLines returns the journal's lines after the first (its start).
func journalLines(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(JournalPath(path))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	return lines[1:]
}

func definesMaterial(line string) bool { return strings.Contains(line, `"materials":`) }

func TestJournalSharedMaterialAcrossLines(t *testing.T) {
	path := statePath(t)
	root := filepath.Dir(path)
	relA, certsA := sharedMaterial(2)
	relB, certsB := sharedMaterial(150)
	base := New("lin", "dev")
	base.Upsert(withMaterial("base.a", root, relA, certsA))
	if err := base.Save(path); err != nil {
		t.Fatal(err)
	}
	loaded, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	j, err := OpenJournal(path, loaded)
	if err != nil {
		t.Fatal(err)
	}
	want := []*Resource{
		withMaterial("x.a_again", root, relA, certsA),
		withMaterial("y.b_first", root, relB, certsB),
		withMaterial("z.b_again", root, relB, certsB),
		sample("w.none"),
	}
	for _, r := range want {
		if err := j.Upsert(r); err != nil {
			t.Fatal(err)
		}
	}
	crash(j)

	lines := journalLines(t, path)
	if len(lines) != 4 {
		t.Fatalf("%d journal lines, want 4", len(lines))
	}
	if definesMaterial(lines[0]) {
		t.Error("the line for material A defines it again though state.json does")
	}
	if !definesMaterial(lines[1]) {
		t.Error("the first line with material B does not define it")
	}
	if definesMaterial(lines[2]) {
		t.Error("the second line with material B defines it again")
	}
	// A resource with 301 trust files and 150 certificates is recorded in
	// about a kilobyte once its material is known.
	if n := len(lines[2]); n > 2048 || n*20 > len(lines[1]) {
		t.Errorf("line referencing a known material is %d bytes (the defining line %d)", n, len(lines[1]))
	}

	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.RecoveredChanges() != 4 {
		t.Errorf("RecoveredChanges = %d, want 4", got.RecoveredChanges())
	}
	wantAll := append([]*Resource{base.Lookup("base.a")}, want...)
	sortByAddress(wantAll)
	if diff := cmp.Diff(wantAll, got.Resources); diff != "" {
		t.Errorf("replayed resources (-recorded +loaded):\n%s", diff)
	}
	y, z := got.Lookup("y.b_first").Spec, got.Lookup("z.b_again").Spec
	if &y.Certificates[0] != &z.Certificates[0] {
		t.Error("replayed resources of one material do not share certificates")
	}

	// Folding in writes one table entry per material.
	j2, err := OpenJournal(path, got)
	if err != nil {
		t.Fatal(err)
	}
	if err := j2.Close(); err != nil {
		t.Fatal(err)
	}
	if n := len(fileMaterials(t, path)); n != 2 {
		t.Errorf("state.json defines %d materials after folding, want 2", n)
	}
	final, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantAll, final.Resources); diff != "" {
		t.Errorf("after folding (-recorded +loaded):\n%s", diff)
	}
}

func sortByAddress(rs []*Resource) {
	s := &State{Resources: rs}
	s.sortResources()
}

func TestJournalTornMaterialLineDropped(t *testing.T) {
	path := statePath(t)
	root := filepath.Dir(path)
	relA, certsA := sharedMaterial(3)
	relB, certsB := sharedMaterial(5)
	j, err := OpenJournal(path, New("lin", "dev"))
	if err != nil {
		t.Fatal(err)
	}
	first := withMaterial("a.a", root, relA, certsA)
	if err := j.Upsert(first); err != nil {
		t.Fatal(err)
	}
	if err := j.Upsert(withMaterial("a.again", root, relA, certsA)); err != nil {
		t.Fatal(err)
	}
	// The crash tears the line that would have defined material B.
	line, fresh, err := j.encode(&Op{Kind: OpUpsert, Resource: withMaterial("b.b", root, relB, certsB)})
	if err != nil || len(fresh) != 1 {
		t.Fatalf("encode: %d new materials, %v", len(fresh), err)
	}
	crash(j)
	f, _ := os.OpenFile(JournalPath(path), os.O_WRONLY|os.O_APPEND, 0)
	f.Write(line[:len(line)/2])
	f.Close()

	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if addresses(got) != "a.a,a.again" {
		t.Fatalf("resources = %s", addresses(got))
	}
	if diff := cmp.Diff(first, got.Lookup("a.a")); diff != "" {
		t.Errorf("(-recorded +loaded):\n%s", diff)
	}
	again := got.Lookup("a.again").Spec.Files
	if len(again) != len(first.Spec.Files) {
		t.Fatalf("a.again has %d files, want %d", len(again), len(first.Spec.Files))
	}
	for i, f := range first.Spec.Files {
		f.Path = strings.Replace(f.Path, "a.a", "a.again", 1)
		if again[i] != f {
			t.Errorf("a.again file %d = %+v, want %+v (its line references the material defined a line earlier)", i, again[i], f)
		}
	}
}

func TestJournalUndefinedMaterialIsCorrupt(t *testing.T) {
	path := statePath(t)
	j, _ := OpenJournal(path, New("lin", "dev"))
	j.Upsert(sample("a.a"))
	crash(j)
	f, _ := os.OpenFile(JournalPath(path), os.O_WRONLY|os.O_APPEND, 0)
	f.WriteString(`{"op":"upsert","resource":{"address":"b.b","spec":{"trust_dir":"/t","material":"feed"}}}` + "\n")
	f.Close()
	_, err := Load(path)
	var ce *CorruptError
	if !errors.As(err, &ce) || ce.Line != 3 || !strings.Contains(err.Error(), "material feed") {
		t.Errorf("Load = %v, want a *CorruptError at the journal's line 3 naming the material", err)
	}
}

func TestJournalOnVersion1State(t *testing.T) {
	// A journal started on a version 1 file, which has no materials table,
	// defines the material in its first line.
	fixture, err := os.ReadFile(filepath.Join("testdata", "state-v1.json"))
	if err != nil {
		t.Fatal(err)
	}
	path := statePath(t)
	os.MkdirAll(filepath.Dir(path), 0o755)
	os.WriteFile(path, fixture, 0o600)
	s, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	j, err := OpenJournal(path, s)
	if err != nil {
		t.Fatal(err)
	}
	web := *s.Lookup("node_app.web")
	web.Handle.PID = 5000
	if err := j.Upsert(&web); err != nil {
		t.Fatal(err)
	}
	crash(j)
	if lines := journalLines(t, path); !definesMaterial(lines[0]) {
		t.Error("the line does not define a material the version 1 file cannot hold")
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&web, got.Lookup("node_app.web")); diff != "" {
		t.Errorf("(-recorded +loaded):\n%s", diff)
	}
	if got.Lookup("python_app.api") == nil || got.Version != 1 {
		t.Errorf("version 1 base not kept: %s, version %d", addresses(got), got.Version)
	}
}

func TestJournalConcurrentSharedMaterial(t *testing.T) {
	path := statePath(t)
	root := filepath.Dir(path)
	rel, certs := sharedMaterial(4)
	j, err := OpenJournal(path, New("lin", "dev"))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := range 10 {
				if err := j.Upsert(withMaterial(fmt.Sprintf("w%d.r%d", w, i), root, rel, certs)); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	crash(j)
	defs := 0
	for _, l := range journalLines(t, path) {
		if definesMaterial(l) {
			defs++
		}
	}
	if defs != 1 {
		t.Errorf("%d lines define the shared material, want 1", defs)
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Resources) != 80 {
		t.Fatalf("recovered %d resources, want 80", len(got.Resources))
	}
	r := got.Lookup("w7.r9")
	if len(r.Spec.Files) != len(rel) || r.Spec.Files[0].Path != filepath.Join(root, "trust", "w7.r9", "cert.pem") {
		t.Errorf("w7.r9 files = %v", r.Spec.Files)
	}
}

// What Prepare encoded is what Close writes, byte for byte, when nothing
// was recorded since; a change recorded after Prepare is not lost.
func TestJournalPrepare(t *testing.T) {
	write := func(prepare bool, after string) []byte {
		t.Helper()
		path := statePath(t)
		s := New("lin", "dev")
		j, err := OpenJournal(path, s)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range []string{"node_app.b", "node_app.a"} {
			if err := j.Upsert(sample(a)); err != nil {
				t.Fatal(err)
			}
		}
		if prepare {
			j.Prepare()
			if j.pre == nil {
				t.Fatal("Prepare encoded nothing")
			}
		}
		if after != "" {
			if err := j.Upsert(sample(after)); err != nil {
				t.Fatal(err)
			}
		}
		if err := j.Close(); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	plain, prepared := write(false, ""), write(true, "")
	if !bytes.Equal(plain, prepared) {
		t.Errorf("Close after Prepare wrote\n%s\nwant\n%s", prepared, plain)
	}
	if b := write(true, "node_app.c"); !bytes.Contains(b, []byte(`"node_app.c"`)) {
		t.Errorf("a change recorded after Prepare is missing:\n%s", b)
	}
}

// A resource recorded before it starts and again with its handle, as
// apply does, gives the same lines as encoding each afresh (the spec is
// encoded once and reused), and the reuse ends with the second line.
func TestJournalSpecEncodedOnce(t *testing.T) {
	path := statePath(t)
	root := filepath.Dir(path)
	rel, certs := sharedMaterial(3)
	j, err := OpenJournal(path, New("lin", "dev"))
	if err != nil {
		t.Fatal(err)
	}
	first := withMaterial("executable.a", root, rel, certs)
	first.Handle = runtimes.Handle{}
	second := *first
	second.Handle = runtimes.Handle{PID: 7, StartTime: 8}
	var lines [][]byte
	for _, r := range []*Resource{first, &second} {
		line, fresh, err := j.encode(&Op{Kind: OpUpsert, Resource: r})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range fresh {
			j.known[d] = true
		}
		lines = append(lines, line)
	}
	if len(j.specs) != 0 {
		t.Errorf("%d encoded specs kept after the second line", len(j.specs))
	}
	// The same two lines encoded the way Load reads them.
	ix := newMaterialIndex()
	known := map[string]bool{}
	for i, r := range []*Resource{first, &second} {
		defs := map[string]*material{}
		dr, err := ix.toDisk(r, defs)
		if err != nil {
			t.Fatal(err)
		}
		l := journalLine{Kind: OpUpsert, Resource: &dr}
		for d, m := range defs {
			if !known[d] {
				l.Materials = map[string]*material{d: m}
				known[d] = true
			}
		}
		want, err := json.Marshal(&l)
		if err != nil {
			t.Fatal(err)
		}
		if got := bytes.TrimSuffix(lines[i], []byte("\n")); !bytes.Equal(got, want) {
			t.Errorf("line %d:\n got %s\nwant %s", i, got, want)
		}
	}
}
