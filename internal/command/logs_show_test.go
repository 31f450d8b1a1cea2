package command

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// lastLines reads backwards; every edge (no trailing newline, fewer lines
// than asked, lines longer than a read) must give what the end of the
// file holds.
func TestLastLines(t *testing.T) {
	long := strings.Repeat("x", 100<<10)
	for _, tc := range []struct {
		name, data string
		n          int
		want       []string
		partial    string
	}{
		{"empty", "", 3, nil, ""},
		{"zero lines", "a\nb\n", 0, nil, ""},
		{"fewer than asked", "a\nb\n", 5, []string{"a", "b"}, ""},
		{"the last two", "a\nb\nc\n", 2, []string{"b", "c"}, ""},
		{"a partial last line counts", "a\nb\nc", 2, []string{"b"}, "c"},
		{"only a partial line", "abc", 1, nil, "abc"},
		{"empty lines are lines", "a\n\n\n", 2, []string{"", ""}, ""},
		{"longer than a read", "a\n" + long + "\nz\n", 2, []string{long, "z"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lines, partial, err := lastLines(strings.NewReader(tc.data), int64(len(tc.data)), tc.n)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, lines); d != "" || partial != tc.partial {
				t.Errorf("lines (-want +got)\n%s\npartial %q, want %q", d, partial, tc.partial)
			}
		})
	}
}

func TestAllLines(t *testing.T) {
	var got []string
	_, partial, err := allLines(strings.NewReader("a\n\nb\nc"), 7, func(l string) { got = append(got, l) })
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{"a", "", "b"}, got); d != "" || partial != "c" {
		t.Errorf("(-want +got)\n%s\npartial %q", d, partial)
	}
}
