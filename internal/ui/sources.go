package ui

import (
	"github.com/trustform/trustform/internal/nesting"
	"github.com/trustform/trustform/internal/safepath"

	"path/filepath"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// Sources finds the text of the files diagnostics point into. Files already
// parsed by the loader are used as they are; any other file (a certificate
// named by a collection, or a configuration file when loading stopped early)
// is read from disk on first use.
type Sources struct {
	dir   string
	files map[string]*hcl.File
	cache map[string]*source
}

type source struct {
	text  []byte
	file  *hcl.File // nil when the text is not HCL or does not parse
	lines []int     // byte offset of the start of each line
}

// NewSources returns Sources resolving relative file names against dir.
// files may be nil.
func NewSources(dir string, files map[string]*hcl.File) *Sources {
	return &Sources{dir: dir, files: files, cache: map[string]*source{}}
}

// AddFile records an already parsed file (fmt has parsed stdin itself).
func (s *Sources) AddFile(name string, f *hcl.File) {
	if s.files == nil {
		s.files = map[string]*hcl.File{}
	}
	s.files[name] = f
	delete(s.cache, name)
}

// DisplayName is the name shown for a file: relative to the configuration
// directory when the file is inside it, otherwise as given.
func (s *Sources) DisplayName(name string) string {
	if s == nil || s.dir == "" || !filepath.IsAbs(name) {
		return name
	}
	rel, err := filepath.Rel(s.dir, name)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return name
	}
	return rel
}

func (s *Sources) get(name string) *source {
	if s == nil || name == "" {
		return nil
	}
	if src, ok := s.cache[name]; ok {
		return src
	}
	var src *source
	if f, ok := s.files[name]; ok && f != nil && f.Bytes != nil {
		src = &source{text: f.Bytes, file: f}
	} else {
		path := name
		if !filepath.IsAbs(path) && s.dir != "" {
			path = filepath.Join(s.dir, path)
		}
		if text, err := safepath.ReadInput(path, safepath.MaxInputFile); err == nil {
			src = &source{text: text}
			if _, _, _, deep := nesting.TooDeep(text); !deep && strings.HasSuffix(name, ".hcl") {
				// Parsed only to name the enclosing block; errors are
				// expected (this may be the very file that failed).
				f, _ := hclsyntax.ParseConfig(text, name, hcl.InitialPos)
				if f != nil {
					src.file = f
				}
			}
		}
	}
	if src != nil {
		src.lines = lineStarts(src.text)
	}
	s.cache[name] = src
	return src
}

func lineStarts(text []byte) []int {
	starts := []int{0}
	for i, b := range text {
		if b == '\n' {
			starts = append(starts, i+1)
		}
	}
	return starts
}

// line returns the text of 1-based line n without its line ending, and the
// byte offset where it starts.
func (src *source) line(n int) (string, int, bool) {
	if n < 1 || n > len(src.lines) {
		return "", 0, false
	}
	start := src.lines[n-1]
	end := len(src.text)
	if n < len(src.lines) {
		end = src.lines[n] - 1
	}
	text := string(src.text[start:end])
	text = strings.TrimSuffix(text, "\r")
	if n == 1 {
		text = strings.TrimPrefix(text, "\ufeff")
		// Keep byte arithmetic right after dropping the BOM.
		if strings.HasPrefix(string(src.text), "\ufeff") {
			start += len("\ufeff")
		}
	}
	return text, start, true
}

// offset converts a position to a byte offset in src, trusting Byte when it
// agrees with Line and falling back to Line and Column otherwise (some
// producers, such as certificate parsers, only know the line).
func (src *source) offset(p hcl.Pos) int {
	text, start, ok := src.line(p.Line)
	if !ok {
		return -1
	}
	if p.Byte >= start && p.Byte <= start+len(text) && (p.Byte > 0 || p.Line == 1) {
		return p.Byte
	}
	col := p.Column
	if col < 1 {
		col = 1
	}
	for i := range text {
		if col == 1 {
			return start + i
		}
		col--
	}
	return start + len(text)
}
