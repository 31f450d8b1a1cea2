package lang

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// chunkableConfig is n resource blocks, big enough to be parsed in chunks.
func chunkableConfig(n int, extra string) []byte {
	var b strings.Builder
	b.WriteString("trustform {\n  developer_certificate_trust = false\n}\n\n")
	for i := range n {
		fmt.Fprintf(&b, "resource \"executable\" \"r%04d\" {\n  command = \"sleep\"\n  args    = [\"%d\"]\n}\n\n", i, i)
		if i == n/2 {
			b.WriteString(extra)
		}
	}
	return []byte(b.String())
}

// blockRanges lists each top-level block with its ranges, the part of
// the AST the loader reads positions from.
func blockRanges(t *testing.T, f *hcl.File) []string {
	t.Helper()
	var out []string
	for _, b := range f.Body.(*hclsyntax.Body).Blocks {
		out = append(out, fmt.Sprintf("%s %v %v %v", b.Type, b.Labels, b.DefRange(), b.Body.SrcRange))
		for _, name := range slices.Sorted(maps.Keys(b.Body.Attributes)) {
			out = append(out, fmt.Sprintf("  %s %v", name, b.Body.Attributes[name].Expr.Range()))
		}
	}
	return out
}

func TestParseChunkedMatchesWholeFile(t *testing.T) {
	src := chunkableConfig(3000, "")
	if len(chunkCuts(src)) < 3 {
		t.Fatalf("a %d-byte file is cut in %d places, want several", len(src), len(chunkCuts(src)))
	}
	got, diags := parseChunked(src, "main.trust.hcl")
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if _, ok := got.Nav.(chunkNav); !ok {
		t.Fatalf("the file was not parsed in chunks (Nav %T)", got.Nav)
	}
	want, _ := hclsyntax.ParseConfig(src, "main.trust.hcl", hcl.InitialPos)
	if diff := cmp.Diff(blockRanges(t, want), blockRanges(t, got)); diff != "" {
		t.Errorf("chunked parse differs from the whole-file one (-whole +chunked):\n%s", diff)
	}
	// The diagnostic writer's "in resource ..." context, past the cuts.
	at := strings.Index(string(src), `"r0900"`) + 40
	if w, g := want.Nav.(interface{ ContextString(int) string }).ContextString(at), got.Nav.(chunkNav).ContextString(at); w != g || g == "" {
		t.Errorf("context at %d: %q, want %q", at, g, w)
	}
}

// A cut that falls inside a heredoc, or a top-level attribute, makes the
// file parse whole: the result is what hclsyntax gives for the file.
func TestParseChunkedFallsBack(t *testing.T) {
	for name, extra := range map[string]string{
		"heredoc":   "locals {\n  text = <<EOT\n" + strings.Repeat("x\n}\nresource is a word\n", 1800) + "EOT\n}\n\n",
		"attribute": "answer = 42\n\n",
	} {
		t.Run(name, func(t *testing.T) {
			src := chunkableConfig(1000, extra)
			got, diags := parseChunked(src, "main.trust.hcl")
			want, wantDiags := hclsyntax.ParseConfig(src, "main.trust.hcl", hcl.InitialPos)
			if _, chunked := got.Nav.(chunkNav); chunked {
				t.Error("parsed in chunks, want the whole file")
			}
			if diags.HasErrors() != wantDiags.HasErrors() {
				t.Errorf("errors %v, want %v", diags, wantDiags)
			}
			if diff := cmp.Diff(blockRanges(t, want), blockRanges(t, got)); diff != "" {
				t.Errorf("differs from the whole-file parse:\n%s", diff)
			}
		})
	}
}
