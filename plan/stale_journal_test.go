package plan

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/trustform/trustform/state"
)

// The interleaving of issue 12: a plan reads state while an apply is
// writing its journal. Replaying the journal gives serial base+1, which
// is exactly what the apply saves when it finishes, so by serial alone the
// saved plan looked current, and applying it restarted a healthy resource.
func TestPlanMadeMidApplyIsStaleAfterIt(t *testing.T) {
	path := filepath.Join(t.TempDir(), ".trustform", "state.json")
	st := state.New("aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa", "test")
	if err := st.Save(path); err != nil {
		t.Fatal(err)
	}
	base := st.Serial

	// The apply: journal open, one resource recorded, not closed yet.
	j, err := state.OpenJournal(path, st)
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Upsert(&state.Resource{Address: "executable.a", Type: "executable", Name: "a"}); err != nil {
		t.Fatal(err)
	}

	// The plan, reading mid-apply.
	mid, err := state.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	p := &Plan{Lineage: mid.Lineage, Serial: mid.Serial, StateJournal: mid.JournalDigest()}
	if mid.Serial != base+1 || p.StateJournal == "" {
		t.Fatalf("mid-apply state: serial %d (base %d), journal %q", mid.Serial, base, p.StateJournal)
	}

	// The apply finishes and folds the journal into state.json.
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	after, err := state.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if after.Serial != p.Serial {
		t.Fatalf("the interleaving changed: final serial %d, plan serial %d", after.Serial, p.Serial)
	}
	if err := CheckApplicable(p, after); !errors.Is(err, ErrStalePlan) {
		t.Fatalf("CheckApplicable after the apply = %v, want the plan stale", err)
	}

	// A journal left by a crash stays the same between plan and apply, so
	// such a plan still applies.
	j2, _ := state.OpenJournal(path, after)
	j2.Upsert(&state.Resource{Address: "executable.b", Type: "executable", Name: "b"})
	crashed, _ := state.Load(path)
	p2 := &Plan{Lineage: crashed.Lineage, Serial: crashed.Serial, StateJournal: crashed.JournalDigest()}
	again, _ := state.Load(path)
	if err := CheckApplicable(p2, again); err != nil {
		t.Fatalf("a plan of a crashed run's journal: %v", err)
	}
}
