package diff

import (
	"strings"
	"testing"
)

func script(ops []Op) string {
	var b strings.Builder
	for _, o := range ops {
		b.WriteByte(byte(o.Kind))
		b.WriteString(o.Text)
		b.WriteByte('\n')
	}
	return b.String()
}

func TestLines(t *testing.T) {
	for _, tc := range []struct {
		name string
		a, b []string
		want string
	}{
		{"equal", []string{"x", "y"}, []string{"x", "y"}, " x\n y\n"},
		{"empty to some", nil, []string{"x"}, "+x\n"},
		{"some to empty", []string{"x"}, nil, "-x\n"},
		{"replace in the middle, removals first", []string{"a", "b", "c"}, []string{"a", "B", "c"}, " a\n-b\n+B\n c\n"},
		{"insert and delete", []string{"a", "b", "c", "d"}, []string{"b", "c", "e", "d"}, "-a\n b\n c\n+e\n d\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := script(Lines(tc.a, tc.b)); got != tc.want {
				t.Errorf("Lines(%q, %q) =\n%s\nwant\n%s", tc.a, tc.b, got, tc.want)
			}
		})
	}
}

// The line numbers let a caller print unified-diff hunk headers.
func TestLinesNumbers(t *testing.T) {
	ops := Lines([]string{"a", "b", "c"}, []string{"a", "c", "d"})
	want := []Op{{Equal, "a", 0, 0}, {Delete, "b", 1, 1}, {Equal, "c", 2, 1}, {Insert, "d", 3, 2}}
	if len(ops) != len(want) {
		t.Fatalf("Lines = %+v", ops)
	}
	for i := range want {
		if ops[i] != want[i] {
			t.Errorf("op %d = %+v, want %+v", i, ops[i], want[i])
		}
	}
}

// Beyond the table bound the middle becomes one replacement.
func TestLinesLarge(t *testing.T) {
	n := 2100
	a, b := make([]string, n), make([]string, n)
	for i := range a {
		a[i], b[i] = "a"+strings.Repeat("x", i%7), "b"+strings.Repeat("y", i%5)
	}
	ops := Lines(a, b)
	if len(ops) != 2*n || ops[0].Kind != Delete || ops[n].Kind != Insert {
		t.Fatalf("got %d ops, first %+v", len(ops), ops[0])
	}
}
