package addrs

import (
	"strings"
	"testing"
)

// FuzzParse checks that every address Parse accepts has one canonical
// spelling (a key may be written with different escapes) and a file name
// that is one path element.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"executable.w", "executable.w[0]", `executable.w["eu"]`, `executable.w["a/b\\c"]`, `executable.w["..\u00e9"]`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := Parse(s)
		if err != nil {
			return
		}
		b, err := Parse(a.String())
		if err != nil || b != a {
			t.Errorf("Parse(%q) = %v, but its canonical form %q parses to %v (%v)", s, a, a.String(), b, err)
		}
		n := FileName(s)
		if n != FileName(a.String()) {
			t.Errorf("FileName(%q) = %q but FileName(%q) = %q", s, n, a.String(), FileName(a.String()))
		}
		if strings.ContainsAny(n, `/\:*?"<>|`) || n == "." || n == ".." || strings.ContainsRune(n, 0) {
			t.Errorf("FileName(%q) = %q is not one safe path element", s, n)
		}
	})
}
