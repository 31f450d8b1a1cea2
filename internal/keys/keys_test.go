package keys

import (
	"slices"
	"testing"
)

func TestSorted(t *testing.T) {
	got := Sorted(map[string]int{"b": 1, "a": 2, "c": 3})
	if !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Errorf("Sorted = %q", got)
	}
	if got := Sorted(map[string]bool(nil)); got == nil || len(got) != 0 {
		t.Errorf("Sorted(nil) = %#v, want an empty non-nil slice", got)
	}
}
