package lang

import (
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hcled"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// Once Load has let the syntax trees go, diagnostics must still name the
// enclosing block exactly as hclsyntax does, at every offset: in a small
// file and in one parsed in chunks.
func TestCompactFilesNavigateAsSyntaxTrees(t *testing.T) {
	small := "trustform {\n  developer_certificate_trust = false\n}\n\n" +
		"locals {\n  x = 1\n}\n\n" +
		"resource \"executable\" \"a\" {\n  command = \"sleep\"\n  args = [\"1\"]\n\n  ready_when {\n    tcp = \"127.0.0.1:1\"\n  }\n}\n"
	for name, src := range map[string]string{
		"small":   small,
		"chunked": string(chunkableConfig(1500, "")),
	} {
		t.Run(name, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{"main.trust.hcl": src})
			cfg, diags := Load(dir, testOptions())
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			got := cfg.Files["main.trust.hcl"]
			if _, ok := got.Nav.(blockNav); !ok {
				t.Fatalf("Nav is %T, want the compact blockNav", got.Nav)
			}
			if string(got.Bytes) != src {
				t.Fatal("the source bytes were not kept")
			}
			want, _ := hclsyntax.ParseConfig([]byte(src), "main.trust.hcl", hcl.InitialPos)
			step := 1
			if len(src) > 10000 {
				step = 97
			}
			for off := 0; off <= len(src); off += step {
				if w, g := hcled.ContextString(want, off), hcled.ContextString(got, off); w != g {
					t.Fatalf("ContextString(%d) = %q, want %q", off, g, w)
				}
				if w, g := hcled.ContextDefRange(want, off), hcled.ContextDefRange(got, off); w != g {
					t.Fatalf("ContextDefRange(%d) = %v, want %v", off, g, w)
				}
			}
		})
	}
}
