package lang

import (
	"bytes"
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// compactFiles returns files with each syntax tree replaced by what
// diagnostics still need once evaluation is over: the source bytes and,
// for naming the enclosing block, each top-level block's header and
// extent. The tree of a 1,000-resource configuration is a quarter of
// what a plan keeps live while it is built and rendered, and so, through
// the garbage collector's target, of its peak memory.
func compactFiles(files map[string]*hcl.File) map[string]*hcl.File {
	out := make(map[string]*hcl.File, len(files))
	for name, f := range files {
		body, ok := f.Body.(*hclsyntax.Body)
		if !ok {
			out[name] = f
			continue
		}
		nav := make(blockNav, len(body.Blocks))
		for i, b := range body.Blocks {
			nav[i] = blockHeader{typ: b.Type, labels: b.Labels, rng: b.Range(), def: b.DefRange()}
		}
		out[name] = &hcl.File{
			// An empty body with the file's extent, so MissingItemRange
			// (hcled.ContextDefRange's fallback) is unchanged.
			Body:  &hclsyntax.Body{Attributes: hclsyntax.Attributes{}, SrcRange: body.SrcRange, EndRange: body.EndRange},
			Bytes: f.Bytes,
			Nav:   nav,
		}
	}
	return out
}

// blockNav answers hcled's navigation questions as hclsyntax's own
// navigation does, from the top-level block headers alone.
type blockNav []blockHeader

type blockHeader struct {
	typ      string
	labels   []string
	rng, def hcl.Range
}

func (n blockNav) find(offset int) *blockHeader {
	for i := range n {
		if n[i].rng.ContainsOffset(offset) {
			return &n[i]
		}
	}
	return nil
}

// ContextString is hcl's navigation method of the same name.
func (n blockNav) ContextString(offset int) string {
	b := n.find(offset)
	if b == nil {
		return ""
	}
	if len(b.labels) == 0 {
		return b.typ
	}
	buf := &bytes.Buffer{}
	buf.WriteString(b.typ)
	for _, label := range b.labels {
		fmt.Fprintf(buf, " %q", label)
	}
	return buf.String()
}

// ContextDefRange is hcl's navigation method of the same name.
func (n blockNav) ContextDefRange(offset int) hcl.Range {
	if b := n.find(offset); b != nil {
		return b.def
	}
	return hcl.Range{}
}
