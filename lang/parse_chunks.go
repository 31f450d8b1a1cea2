package lang

import (
	"bytes"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// chunkSize is about how much source parseChunked hands hclsyntax at once.
const chunkSize = 8 << 10

// parseChunked parses a configuration file a run of top-level blocks at a
// time. hclsyntax lexes a whole file into one token slice before parsing,
// grown by appending: for a generated file of 1,000 resources that was a
// third of everything a plan allocates, and the largest single piece of
// its peak memory. Parsing chunks of about 8 KB keeps that slice small.
// At 32 KB the lexers of both CPUs still allocated 20 MB for 220 KB of
// source, while the first collection ran: one plan of 1,000 resources in
// twenty then peaked at 49 to 52 MB instead of 42 (110 runs each, 8 KB:
// at most 42.5 MB, and no slower).
//
// A chunk ends only where a line holding just "}" is followed by a line
// starting with a letter (the next top-level block). Such a cut inside a
// string, heredoc or comment leaves that chunk unterminated, which fails
// to parse; so does a top-level attribute (whose redefinition only a
// whole-file parse reports). In either case, and for small files, the
// file is parsed whole, as before, so the result never differs from
// hclsyntax.ParseConfig's but in how it was reached.
func parseChunked(src []byte, filename string) (*hcl.File, hcl.Diagnostics) {
	cuts := chunkCuts(src)
	if len(cuts) == 0 {
		return hclsyntax.ParseConfig(src, filename, hcl.InitialPos)
	}
	// Each chunk's start position depends only on where it is cut, so
	// the chunks are parsed side by side, one goroutine per CPU: lexing
	// is most of a large plan's load time, and the chunks share nothing.
	chunks := make([]chunk, len(cuts)+1)
	from, line := 0, 1
	for i := range chunks {
		to := len(src)
		if i < len(cuts) {
			to = cuts[i]
		}
		chunks[i] = chunk{from: from, to: to, start: hcl.Pos{Line: line, Column: 1, Byte: from}}
		line += bytes.Count(src[from:to], []byte("\n"))
		from = to
	}
	forEachParallel(len(chunks), func(i int) {
		c := &chunks[i]
		c.f, c.diags = hclsyntax.ParseConfig(src[c.from:c.to], filename, c.start)
	})
	merged := &hclsyntax.Body{Attributes: hclsyntax.Attributes{}}
	nav := make(chunkNav, 0, len(chunks))
	for i, c := range chunks {
		body, ok := c.f.Body.(*hclsyntax.Body)
		if c.diags.HasErrors() || !ok || len(body.Attributes) > 0 {
			return hclsyntax.ParseConfig(src, filename, hcl.InitialPos)
		}
		merged.Blocks = append(merged.Blocks, body.Blocks...)
		nav = append(nav, chunkNavEntry{end: c.to, nav: c.f.Nav})
		if i == 0 {
			merged.SrcRange = body.SrcRange
		}
		merged.EndRange = body.EndRange
	}
	merged.SrcRange.End = merged.EndRange.End
	return &hcl.File{Body: merged, Bytes: src, Nav: nav}, nil
}

// chunk is one run of top-level blocks parseChunked hands hclsyntax.
type chunk struct {
	from, to int
	start    hcl.Pos
	f        *hcl.File
	diags    hcl.Diagnostics
}

// chunkCuts returns the byte offsets where parseChunked may cut src: the
// start of a line beginning with a letter, after a line that is "}", about
// every chunkSize bytes. None for a file smaller than two chunks.
func chunkCuts(src []byte) []int {
	if len(src) < 2*chunkSize {
		return nil
	}
	var cuts []int
	last := 0
	for i := chunkSize; i < len(src)-chunkSize/2; {
		j := bytes.Index(src[i:], []byte("\n}\n"))
		if j < 0 {
			break
		}
		at := i + j + 3
		// Skip blank lines to the next block's first line.
		for at < len(src) && src[at] == '\n' {
			at++
		}
		if at < len(src) && isLetter(src[at]) && at-last >= chunkSize/2 {
			cuts = append(cuts, at)
			last = at
			i = at + chunkSize
			continue
		}
		i = at
	}
	return cuts
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// chunkNav answers the diagnostic writer's "in resource ..." context for a
// file parsed in chunks, from the chunk holding the offset.
type chunkNav []chunkNavEntry

type chunkNavEntry struct {
	end int
	nav any
}

func (n chunkNav) find(offset int) any {
	for _, e := range n {
		if offset < e.end {
			return e.nav
		}
	}
	if len(n) > 0 {
		return n[len(n)-1].nav
	}
	return nil
}

// ContextString is hcl's navigation method of the same name.
func (n chunkNav) ContextString(offset int) string {
	if c, ok := n.find(offset).(interface{ ContextString(int) string }); ok {
		return c.ContextString(offset)
	}
	return ""
}

// ContextDefRange is hcl's navigation method of the same name.
func (n chunkNav) ContextDefRange(offset int) hcl.Range {
	if c, ok := n.find(offset).(interface{ ContextDefRange(int) hcl.Range }); ok {
		return c.ContextDefRange(offset)
	}
	return hcl.Range{}
}

// forEachParallel calls f(i) for every i in [0, n), on one goroutine per
// CPU (fewer for a small n), and returns once all calls have.
func forEachParallel(n int, f func(i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				f(i)
			}
		}()
	}
	wg.Wait()
}
