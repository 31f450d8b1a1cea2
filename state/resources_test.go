package state

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
)

func TestNewLineage(t *testing.T) {
	seq := bytes.Repeat([]byte{0xff}, 16)
	got := NewLineage(bytes.NewReader(seq))
	uuid := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	if !uuid.MatchString(got) {
		t.Errorf("NewLineage = %q, not a version 4 UUID", got)
	}
	if want := "ffffffff-ffff-4fff-bfff-ffffffffffff"; got != want {
		t.Errorf("NewLineage = %q, want %q", got, want)
	}
	other := NewLineage(bytes.NewReader(make([]byte, 16)))
	if other == got {
		t.Error("different randomness gave the same lineage")
	}
}

func TestNewLineageShortReaderPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("a failing reader did not panic")
		}
	}()
	NewLineage(strings.NewReader("short"))
}

func TestNew(t *testing.T) {
	s := New("lin", "0.1.0")
	if s.Version != Version || s.Lineage != "lin" || s.TrustformVersion != "0.1.0" || s.Serial != 0 {
		t.Errorf("New = %+v", s)
	}
	if s.Resources == nil {
		t.Error("Resources is nil; it must encode as [] not null")
	}
}

func addresses(s *State) string {
	var names []string
	for _, r := range s.Resources {
		names = append(names, r.Address)
	}
	return strings.Join(names, ",")
}

func TestUpsertRemoveLookup(t *testing.T) {
	s := New("lin", "dev")
	for _, a := range []string{"python_app.api", "container.cache", "node_app.web", "container.cache"} {
		s.Upsert(&Resource{Address: a, Name: "first-" + a})
	}
	if got, want := addresses(s), "container.cache,node_app.web,python_app.api"; got != want {
		t.Fatalf("resources = %s, want %s", got, want)
	}
	s.Upsert(&Resource{Address: "node_app.web", Name: "second"})
	if r := s.Lookup("node_app.web"); r == nil || r.Name != "second" {
		t.Errorf("Lookup after replacing = %+v, want Name second", r)
	}
	if got := len(s.Resources); got != 3 {
		t.Errorf("replacing added an entry: %d resources", got)
	}
	if s.Lookup("missing") != nil {
		t.Error("Lookup of a missing address returned a resource")
	}
	if !s.Remove("container.cache") {
		t.Error("Remove of a present address returned false")
	}
	if s.Remove("container.cache") {
		t.Error("Remove of an absent address returned true")
	}
	if got, want := addresses(s), "node_app.web,python_app.api"; got != want {
		t.Errorf("after Remove: %s, want %s", got, want)
	}
}
