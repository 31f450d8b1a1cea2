package ui

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func TestUnifiedDiffEqualIsEmpty(t *testing.T) {
	if d := UnifiedDiff("a", "b", []byte("x\n"), []byte("x\n"), false); d != "" {
		t.Errorf("diff of equal input = %q", d)
	}
}

func TestUnifiedDiffShape(t *testing.T) {
	a := "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n14\n15\n16\n"
	b := "1\nTWO\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n14\n15\nSIXTEEN\n"
	got := UnifiedDiff("old/f", "new/f", []byte(a), []byte(b), false)
	want := `--- old/f
+++ new/f
@@ -1,5 +1,5 @@
 1
-2
+TWO
 3
 4
 5
@@ -13,4 +13,4 @@
 13
 14
 15
-16
+SIXTEEN
`
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestUnifiedDiffNoNewlineAtEnd(t *testing.T) {
	got := UnifiedDiff("a", "b", []byte("x\ny"), []byte("x\ny\n"), false)
	want := "--- a\n+++ b\n@@ -1,2 +1,2 @@\n x\n-y\n\\ No newline at end of file\n+y\n"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

var hunkHeader = regexp.MustCompile(`^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@$`)

// applyUnified applies a unified diff to a, checking every context and
// removed line against a, so a wrong diff cannot pass.
func applyUnified(t *testing.T, a, diff string) string {
	t.Helper()
	src := splitLines(a)
	lines := strings.SplitAfter(diff, "\n")
	var out []string
	next := 0 // index into src of the next line not yet copied
	for i := 2; i < len(lines) && lines[i] != ""; i++ {
		m := hunkHeader.FindStringSubmatch(strings.TrimSuffix(lines[i], "\n"))
		if m == nil {
			// Body line.
			l := lines[i]
			kind, text := l[0], l[1:]
			if i+1 < len(lines) && strings.HasPrefix(lines[i+1], "\\ No newline") {
				text = strings.TrimSuffix(text, "\n")
				i++
			}
			switch kind {
			case ' ', '-':
				if next >= len(src) || src[next] != text {
					t.Fatalf("diff line %d %q does not match source line %d", i, l, next+1)
				}
				if kind == ' ' {
					out = append(out, text)
				}
				next++
			case '+':
				out = append(out, text)
			default:
				t.Fatalf("bad diff line %q", l)
			}
			continue
		}
		start, _ := strconv.Atoi(m[1])
		count := 1
		if m[2] != "" {
			count, _ = strconv.Atoi(m[2])
		}
		if count == 0 {
			start++ // an empty side is numbered by the line before it
		}
		for next < start-1 {
			out = append(out, src[next])
			next++
		}
	}
	out = append(out, src[next:]...)
	return strings.Join(out, "")
}

func TestUnifiedDiffAppliesBack(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	words := []string{"a\n", "b\n", "c\n", "d\n", "}\n", "  x = 1\n", "\n"}
	gen := func() string {
		var b strings.Builder
		for n := r.IntN(30); n > 0; n-- {
			b.WriteString(words[r.IntN(len(words))])
		}
		if r.IntN(4) == 0 {
			b.WriteString("tail")
		}
		return b.String()
	}
	for i := range 2000 {
		a, b := gen(), gen()
		d := UnifiedDiff("a", "b", []byte(a), []byte(b), false)
		if a == b {
			continue
		}
		if got := applyUnified(t, a, d); got != b {
			t.Fatalf("case %d: applying\n%s\nto %q gave %q, want %q", i, d, a, got, b)
		}
	}
}

// TestUnifiedDiffMatchesDiffU checks hunk headers against the system diff
// where one is installed.
func TestUnifiedDiffMatchesDiffU(t *testing.T) {
	diffPath, err := exec.LookPath("diff")
	if err != nil {
		t.Skip("diff not installed (apt-get install -y diffutils)")
	}
	dir := t.TempDir()
	r := rand.New(rand.NewPCG(3, 4))
	for i := range 50 {
		var a, b strings.Builder
		for n := 0; n < 40; n++ {
			line := fmt.Sprintf("line %d\n", n)
			if r.IntN(8) != 0 {
				a.WriteString(line)
			}
			if r.IntN(8) != 0 {
				b.WriteString(line)
			}
		}
		writeFile(t, dir, "a", a.String())
		writeFile(t, dir, "b", b.String())
		out, _ := exec.Command(diffPath, "-u", "--label", "a", "--label", "b", filepath.Join(dir, "a"), filepath.Join(dir, "b")).Output()
		if got := UnifiedDiff("a", "b", []byte(a.String()), []byte(b.String()), false); got != string(out) {
			t.Fatalf("case %d differs from diff -u:\ngot:\n%s\nwant:\n%s", i, got, out)
		}
	}
}

func writeFile(t *testing.T, dir, name, content string) {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
