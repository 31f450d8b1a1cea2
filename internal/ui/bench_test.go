package ui

import (
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
)

// BenchmarkUnifiedDiff measures fmt -diff on a 2,000-line file with a
// change every 50 lines, the size of a large generated configuration.
func BenchmarkUnifiedDiff(b *testing.B) {
	var before, after strings.Builder
	for i := range 2000 {
		fmt.Fprintf(&before, "  attr_%d = %d\n", i, i)
		if i%50 == 0 {
			fmt.Fprintf(&after, "  attr_%d   = %d\n", i, i)
		} else {
			fmt.Fprintf(&after, "  attr_%d = %d\n", i, i)
		}
	}
	a, c := []byte(before.String()), []byte(after.String())
	b.ResetTimer()
	for b.Loop() {
		UnifiedDiff("a", "b", a, c, false)
	}
}

// BenchmarkWriteDiagnostics renders 100 diagnostics into one file, as
// validate does for a badly broken configuration.
func BenchmarkWriteDiagnostics(b *testing.B) {
	var src strings.Builder
	for i := range 100 {
		fmt.Fprintf(&src, "resource \"node_app\" \"r%d\" {\n  scrpt = \"x.js\"\n}\n", i)
	}
	text := src.String()
	s := NewSources("/cfg", nil)
	s.cache["main.trust.hcl"] = &source{text: []byte(text), lines: lineStarts([]byte(text))}
	var diags hcl.Diagnostics
	for i := range 100 {
		line := 3*i + 2
		off := s.cache["main.trust.hcl"].lines[line-1] + 2
		rng := hcl.Range{Filename: "main.trust.hcl", Start: hcl.Pos{Line: line, Column: 3, Byte: off}, End: hcl.Pos{Line: line, Column: 8, Byte: off + 5}}
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Unsupported argument", Detail: "An argument named \"scrpt\" is not expected here.", Subject: &rng})
	}
	b.ResetTimer()
	for b.Loop() {
		WriteDiagnostics(io.Discard, diags, s, false, DefaultWidth)
	}
}
