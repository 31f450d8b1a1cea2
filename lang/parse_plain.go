package lang

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// parsePlain parses src exactly as hclsyntax.ParseConfig(src, filename,
// start) would, when src is plain: ASCII only, and built only of blocks,
// arguments, quoted strings without escapes or template sequences, whole
// numbers, true, false, null, references (a.b.c), and lists and objects
// of those, with # and // comments only where a line may end. It reports
// false for anything else (and for anything hclsyntax would reject), and
// the caller parses with hclsyntax instead.
//
// Generated configurations, and most hand-written ones, are plain, and
// hclsyntax spends most of a plan's parse time lexing: it builds a slice
// of 96-byte tokens, about one for every two bytes of source, counting
// each token's grapheme clusters to find its column. parsePlain reads the
// bytes once and allocates only the syntax tree. Every node, position
// and range is the one hclsyntax gives; parse_plain_test.go holds them
// side by side on every configuration in the repository and under fuzzing.
func parsePlain(src []byte, filename string, start hcl.Pos) (*hclsyntax.Body, bool) {
	for _, c := range src {
		if c >= 0x80 || c < 0x20 && c != '\n' && c != '\t' {
			return nil, false
		}
	}
	p := &plainParser{src: src, filename: filename, base: start.Byte, line: start.Line, lineStart: 1 - start.Column}
	body, _, ok := p.body(nil)
	if !ok {
		return nil, false
	}
	return body, true
}

// plainParser is one parsePlain call. src holds no multi-byte characters,
// so a column is a byte offset in its line.
type plainParser struct {
	src      []byte
	filename string
	i        int
	base     int
	line     int
	// lineStart is the offset in src where the current line starts
	// (negative on the first line when src starts mid-line).
	lineStart int
}

func (p *plainParser) pos(i int) hcl.Pos {
	return hcl.Pos{Line: p.line, Column: i - p.lineStart + 1, Byte: p.base + i}
}

func (p *plainParser) rng(from, to int) hcl.Range {
	return hcl.Range{Filename: p.filename, Start: p.pos(from), End: p.pos(to)}
}

func (p *plainParser) at(c byte) bool { return p.i < len(p.src) && p.src[p.i] == c }

func (p *plainParser) atEOF() bool { return p.i >= len(p.src) }

func (p *plainParser) spaces() {
	for p.i < len(p.src) && (p.src[p.i] == ' ' || p.src[p.i] == '\t') {
		p.i++
	}
}

// newline consumes the newline at p.i.
func (p *plainParser) newline() {
	p.i++
	p.line++
	p.lineStart = p.i
}

// spacesAndNewlines skips what a list's elements may be separated by.
func (p *plainParser) spacesAndNewlines() {
	for {
		p.spaces()
		if !p.at('\n') {
			return
		}
		p.newline()
	}
}

// atComment reports whether a # or // comment starts at p.i.
func (p *plainParser) atComment() bool {
	return p.at('#') || p.at('/') && p.i+1 < len(p.src) && p.src[p.i+1] == '/'
}

// lineEnd consumes what may end a line of a body: a newline, or a
// comment through its newline (which hclsyntax reads as the newline). A
// comment that ends the file without a newline is not plain.
func (p *plainParser) lineEnd() bool {
	if p.at('\n') {
		p.newline()
		return true
	}
	if !p.atComment() {
		return false
	}
	for p.i < len(p.src) && p.src[p.i] != '\n' {
		p.i++
	}
	if p.atEOF() {
		return false
	}
	p.newline()
	return true
}

func isIdentStart(c byte) bool { return isLetter(c) || c == '_' }

func isIdentByte(c byte) bool {
	return isLetter(c) || c == '_' || c == '-' || c >= '0' && c <= '9'
}

func (p *plainParser) ident() (string, hcl.Range, bool) {
	from := p.i
	if p.atEOF() || !isIdentStart(p.src[p.i]) {
		return "", hcl.Range{}, false
	}
	for p.i < len(p.src) && isIdentByte(p.src[p.i]) {
		p.i++
	}
	return string(p.src[from:p.i]), p.rng(from, p.i), true
}

// body parses a block's body after its opening brace (open) up to its
// closing brace, or the top level (open nil) to the end of src. It
// returns the range of the closing brace or of the end of the file.
func (p *plainParser) body(open *hcl.Range) (*hclsyntax.Body, hcl.Range, bool) {
	attrs := hclsyntax.Attributes{}
	blocks := hclsyntax.Blocks{}
	top := open == nil
	var start, end hcl.Range
	if top {
		// hclsyntax starts the top-level body at its first token: a
		// newline or comment counts, spaces do not.
		p.spaces()
		start = p.rng(p.i, p.i)
	} else {
		start = *open
	}
	for {
		p.spaces()
		switch {
		case p.atEOF():
			if !top {
				return nil, hcl.Range{}, false
			}
			end = p.rng(p.i, p.i)
		case p.at('}'):
			if top {
				return nil, hcl.Range{}, false
			}
			end = p.rng(p.i, p.i+1)
			p.i++
		case isIdentStart(p.src[p.i]):
			if !p.item(attrs, &blocks) {
				return nil, hcl.Range{}, false
			}
			continue
		default:
			if !p.lineEnd() {
				return nil, hcl.Range{}, false
			}
			continue
		}
		break
	}
	return &hclsyntax.Body{
		Attributes: attrs,
		Blocks:     blocks,
		SrcRange:   hcl.RangeBetween(start, end),
		EndRange:   hcl.Range{Filename: end.Filename, Start: end.End, End: end.End},
	}, end, true
}

// item parses an argument or a block, through the end of its line.
func (p *plainParser) item(attrs hclsyntax.Attributes, blocks *hclsyntax.Blocks) bool {
	name, nameRange, _ := p.ident()
	p.spaces()
	if p.at('=') {
		if p.i+1 < len(p.src) && p.src[p.i+1] == '=' {
			return false
		}
		eq := p.rng(p.i, p.i+1)
		p.i++
		p.spaces()
		expr, ok := p.expr(true)
		if !ok {
			return false
		}
		if _, dup := attrs[name]; dup {
			return false
		}
		attrs[name] = &hclsyntax.Attribute{
			Name:        name,
			Expr:        expr,
			SrcRange:    hcl.RangeBetween(nameRange, expr.Range()),
			NameRange:   nameRange,
			EqualsRange: eq,
		}
		p.spaces()
		return p.atEOF() || p.lineEnd()
	}
	var labels []string
	var labelRanges []hcl.Range
	for !p.at('{') {
		var label string
		var rng hcl.Range
		var ok bool
		switch {
		case p.at('"'):
			label, rng, ok = p.quoted()
		default:
			label, rng, ok = p.ident()
		}
		if !ok {
			return false
		}
		labels = append(labels, label)
		labelRanges = append(labelRanges, rng)
		p.spaces()
	}
	open := p.rng(p.i, p.i+1)
	p.i++
	p.spaces()
	// A body on the header's line is hclsyntax's single-argument form.
	if !p.at('}') && !p.at('\n') && !p.atComment() {
		return false
	}
	body, closeRange, ok := p.body(&open)
	if !ok {
		return false
	}
	*blocks = append(*blocks, &hclsyntax.Block{
		Type:            name,
		Labels:          labels,
		Body:            body,
		TypeRange:       nameRange,
		LabelRanges:     labelRanges,
		OpenBraceRange:  open,
		CloseBraceRange: closeRange,
	})
	p.spaces()
	return p.atEOF() || p.lineEnd()
}

// quoted reads a quoted string without escapes or template sequences, for
// a block label: its value and its range, quotes included.
func (p *plainParser) quoted() (string, hcl.Range, bool) {
	from := p.i
	p.i++
	for p.i < len(p.src) {
		switch p.src[p.i] {
		case '"':
			p.i++
			return string(p.src[from+1 : p.i-1]), p.rng(from, p.i), true
		case '\\', '$', '%', '\n':
			return "", hcl.Range{}, false
		}
		p.i++
	}
	return "", hcl.Range{}, false
}

// expr parses one term and checks that what follows it may end it: a
// newline, the end of the line or file (lines), or a separator or closer
// (inside a list or object; the caller checks which).
func (p *plainParser) expr(line bool) (hclsyntax.Expression, bool) {
	if p.atEOF() {
		return nil, false
	}
	var e hclsyntax.Expression
	ok := true
	c := p.src[p.i]
	switch {
	case c == '"':
		from := p.i
		var s string
		if s, _, ok = p.quoted(); !ok {
			return nil, false
		}
		lit := p.rng(from+1, p.i-1)
		if s == "" {
			// hclsyntax's empty literal sits after the closing quote.
			lit = p.rng(p.i, p.i)
		}
		e = &hclsyntax.TemplateExpr{
			Parts:    []hclsyntax.Expression{&hclsyntax.LiteralValueExpr{Val: cty.StringVal(s), SrcRange: lit}},
			SrcRange: p.rng(from, p.i),
		}
	case c >= '0' && c <= '9':
		from := p.i
		for p.i < len(p.src) && p.src[p.i] >= '0' && p.src[p.i] <= '9' {
			p.i++
		}
		if p.i < len(p.src) && (p.src[p.i] == '.' || p.src[p.i] == 'e' || p.src[p.i] == 'E' || isIdentByte(p.src[p.i])) {
			return nil, false
		}
		v, err := cty.ParseNumberVal(string(p.src[from:p.i]))
		if err != nil {
			return nil, false
		}
		e = &hclsyntax.LiteralValueExpr{Val: v, SrcRange: p.rng(from, p.i)}
	case c == '[':
		e, ok = p.tuple()
	case c == '{':
		e, ok = p.object()
	case isIdentStart(c):
		e, ok = p.reference()
	default:
		return nil, false
	}
	if !ok {
		return nil, false
	}
	if line {
		p.spaces()
		if !p.atEOF() && !p.at('\n') && !p.atComment() {
			return nil, false
		}
	}
	return e, true
}

// reference parses true, false, null or a reference such as
// certificate_authority_collection.corp.
func (p *plainParser) reference() (hclsyntax.Expression, bool) {
	name, rng, _ := p.ident()
	// Whatever follows a name without a space or separator (a call, an
	// index, a splat, "::") is not plain.
	if p.at('(') || p.at('[') || p.at(':') && p.i+1 < len(p.src) && p.src[p.i+1] == ':' {
		return nil, false
	}
	switch name {
	case "true", "false", "null":
		if p.at('.') {
			return nil, false
		}
		v := cty.True
		switch name {
		case "false":
			v = cty.False
		case "null":
			v = cty.NullVal(cty.DynamicPseudoType)
		}
		return &hclsyntax.LiteralValueExpr{Val: v, SrcRange: rng}, true
	}
	t := &hclsyntax.ScopeTraversalExpr{
		Traversal: hcl.Traversal{hcl.TraverseRoot{Name: name, SrcRange: rng}},
		SrcRange:  rng,
	}
	for p.at('.') {
		dot := p.i
		p.i++
		attr, attrRange, ok := p.ident()
		if !ok {
			return nil, false
		}
		step := hcl.RangeBetween(p.rng(dot, dot+1), attrRange)
		t.Traversal = append(t.Traversal, hcl.TraverseAttr{Name: attr, SrcRange: step})
		t.SrcRange = hcl.RangeBetween(t.SrcRange, step)
		if p.at('(') || p.at('[') {
			return nil, false
		}
	}
	return t, true
}

// tuple parses [a, b, ...], where newlines do not matter.
func (p *plainParser) tuple() (hclsyntax.Expression, bool) {
	open := p.rng(p.i, p.i+1)
	p.i++
	var exprs []hclsyntax.Expression
	for {
		p.spacesAndNewlines()
		if p.at(']') {
			break
		}
		if len(exprs) == 0 && p.keywordFor() {
			return nil, false
		}
		e, ok := p.expr(false)
		if !ok {
			return nil, false
		}
		exprs = append(exprs, e)
		p.spacesAndNewlines()
		if p.at(']') {
			break
		}
		if !p.at(',') {
			return nil, false
		}
		p.i++
	}
	closeRange := p.rng(p.i, p.i+1)
	p.i++
	return &hclsyntax.TupleConsExpr{Exprs: exprs, SrcRange: hcl.RangeBetween(open, closeRange), OpenRange: open}, true
}

// keywordFor reports whether a for expression starts at p.i.
func (p *plainParser) keywordFor() bool {
	i := p.i
	for i < len(p.src) && isIdentByte(p.src[i]) {
		i++
	}
	return string(p.src[p.i:i]) == "for"
}

// object parses { key = value, ... }, where a newline separates items as a
// comma does.
func (p *plainParser) object() (hclsyntax.Expression, bool) {
	open := p.rng(p.i, p.i+1)
	p.i++
	var items []hclsyntax.ObjectConsItem
	{
		// hclsyntax looks for "for" across newlines.
		save, line, lineStart := p.i, p.line, p.lineStart
		p.spacesAndNewlines()
		isFor := p.keywordFor()
		p.i, p.line, p.lineStart = save, line, lineStart
		if isFor {
			return nil, false
		}
	}
	for {
		p.spaces()
		if p.at('\n') {
			p.newline()
			continue
		}
		if p.at('}') {
			break
		}
		if p.at('(') {
			return nil, false
		}
		key, ok := p.expr(false)
		if !ok {
			return nil, false
		}
		p.spaces()
		if !p.at('=') && !p.at(':') || p.i+1 < len(p.src) && (p.src[p.i+1] == '=' || p.src[p.i+1] == ':') {
			return nil, false
		}
		p.i++
		p.spaces()
		if p.at('\n') {
			return nil, false
		}
		value, ok := p.expr(false)
		if !ok {
			return nil, false
		}
		items = append(items, hclsyntax.ObjectConsItem{KeyExpr: &hclsyntax.ObjectConsKeyExpr{Wrapped: key}, ValueExpr: value})
		p.spaces()
		switch {
		case p.at('}'):
		case p.at(','):
			p.i++
			continue
		case p.at('\n'):
			p.newline()
			continue
		default:
			return nil, false
		}
		break
	}
	closeRange := p.rng(p.i, p.i+1)
	p.i++
	return &hclsyntax.ObjectConsExpr{Items: items, SrcRange: hcl.RangeBetween(open, closeRange), OpenRange: open}, true
}
