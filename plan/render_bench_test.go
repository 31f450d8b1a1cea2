package plan

import (
	"io"
	"testing"
)

// benchPlan is the fresh plan of n executables sharing one 150-certificate
// collection (benchInput): every resource is created, so every block shows
// its full command, certificates and files.
func benchPlan(b *testing.B, n int) *Plan {
	p, diags := Build(benchInput(b, n))
	if diags.HasErrors() || len(p.Changes) != n {
		b.Fatalf("Build: %v", diags)
	}
	return p
}

// countingWriter counts bytes so a benchmark can report the output size
// without keeping it.
type countingWriter struct{ n int64 }

func (w *countingWriter) Write(b []byte) (int, error) {
	w.n += int64(len(b))
	return len(b), nil
}

func benchmarkRender(b *testing.B, n int, render func(io.Writer, *Plan) error) {
	p := benchPlan(b, n)
	b.ReportAllocs()
	b.ResetTimer()
	var w countingWriter
	for b.Loop() {
		w.n = 0
		if err := render(&w, p); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(w.n), "bytes/op-out")
}

func BenchmarkRenderHuman1000(b *testing.B) {
	benchmarkRender(b, 1000, func(w io.Writer, p *Plan) error { return RenderHuman(w, p, false) })
}

func BenchmarkRenderJSON1000(b *testing.B) {
	benchmarkRender(b, 1000, func(w io.Writer, p *Plan) error { return RenderJSON(w, p, nil) })
}

func BenchmarkRenderMarkdown1000(b *testing.B) {
	benchmarkRender(b, 1000, func(w io.Writer, p *Plan) error { return RenderMarkdown(w, p, nil) })
}
