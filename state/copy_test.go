package state

import (
	"path/filepath"
	"testing"
)

func TestCopiedStateStartsItsOwnLineage(t *testing.T) {
	app := t.TempDir()
	path := filepath.Join(app, ".trustform", "state.json")
	s := New("11111111-1111-4111-8111-111111111111", "test")
	s.Place(app, "h1")
	s.Upsert(&Resource{Address: "executable.a", Type: "executable", Name: "a"})
	if err := s.Save(path); err != nil {
		t.Fatal(err)
	}
	loaded, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, copied := loaded.CopiedFrom(app, "h1"); copied {
		t.Fatal("the original's own state taken for a copy")
	}
	from, copied := loaded.CopiedFrom("/elsewhere/app2", "h1")
	if !copied || from != app {
		t.Fatalf("CopiedFrom = %q, %v", from, copied)
	}
	if from, copied := loaded.CopiedFrom(app, "h2"); !copied || from != app+" on h1" {
		t.Fatalf("another host: %q, %v", from, copied)
	}
	old := &State{Lineage: "x"}
	if _, copied := old.CopiedFrom(app, "h1"); copied {
		t.Fatal("a state without a directory is taken for a copy")
	}

	fresh := loaded.ForCopy("/elsewhere/app2", "h1")
	again := loaded.ForCopy("/elsewhere/app2", "h1")
	if fresh.Lineage == loaded.Lineage || fresh.Lineage != again.Lineage || len(fresh.Resources) != 0 {
		t.Fatalf("ForCopy = lineage %s (again %s), %d resources", fresh.Lineage, again.Lineage, len(fresh.Resources))
	}
	// The copy's file (here: the same path) is replaced once.
	if err := fresh.Save(path); err != nil {
		t.Fatal(err)
	}
	back, err := Load(path)
	if err != nil || back.Lineage != fresh.Lineage || back.Dir != "/elsewhere/app2" || back.Host != "h1" {
		t.Fatalf("after saving the copy: %+v, %v", back, err)
	}
	// Another lineage is still never overwritten.
	if err := New("22222222-2222-4222-8222-222222222222", "t").Save(path); err == nil {
		t.Fatal("a state of another lineage overwrote the file")
	}
}
