package ui

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hcled"
	"github.com/mitchellh/go-wordwrap"
)

// maxLeadLines is how many lines of context are shown above the first line
// of a diagnostic's subject: enough to see the attribute an error sits in,
// never a whole block.
const maxLeadLines = 2

// maxSubjectLines caps the lines shown for a subject spanning many lines.
const maxSubjectLines = 5

// WriteDiagnostics renders diags to w in the order given, each followed by
// a blank line.
func WriteDiagnostics(w io.Writer, diags hcl.Diagnostics, src *Sources, color bool, width int) {
	for _, d := range diags {
		WriteDiagnostic(w, d, src, color, width)
	}
}

// WriteDiagnostic renders one diagnostic in Terraform's layout, with the
// position as FILE:LINE:COL and a caret line under the subject that is
// written with or without colour:
//
//	Error: Unsupported argument
//
//	  on main.trust.hcl:3:3, in resource "node_app" "web":
//	   3:   scrpt = "web/index.js"
//	        ^^^^^
//
//	An argument named "scrpt" is not expected here.
func WriteDiagnostic(w io.Writer, d *hcl.Diagnostic, src *Sources, color bool, width int) {
	if width <= 0 {
		width = DefaultWidth
	}
	var b strings.Builder
	label, tint := "Error: ", Red
	if d.Severity == hcl.DiagWarning {
		label, tint = "Warning: ", Yellow
	}
	summary := Escape(d.Summary)
	if color {
		fmt.Fprintf(&b, "%s%s%s%s%s\n", tint, Bold, label, summary, Reset)
	} else {
		fmt.Fprintf(&b, "%s%s\n", label, summary)
	}

	if d.Subject != nil {
		b.WriteString("\n")
		writeSnippet(&b, d, src, color)
	}

	if detail := strings.TrimSpace(Escape(d.Detail)); detail != "" {
		b.WriteString("\n")
		for _, line := range strings.Split(detail, "\n") {
			// Indented lines are pre-formatted (lists, code); keep them.
			if line == "" || line[0] == ' ' || line[0] == '\t' {
				b.WriteString(line + "\n")
				continue
			}
			b.WriteString(wordwrap.WrapString(line, uint(width)) + "\n")
		}
	}
	b.WriteString("\n")
	io.WriteString(w, b.String())
}

// Position formats a range's start as FILE:LINE:COL.
func Position(rng hcl.Range, src *Sources) string {
	return fmt.Sprintf("%s:%d:%d", src.DisplayName(rng.Filename), rng.Start.Line, rng.Start.Column)
}

func writeSnippet(b *strings.Builder, d *hcl.Diagnostic, srcs *Sources, color bool) {
	subj := *d.Subject
	src := srcs.get(subj.Filename)
	context := ""
	if src != nil && src.file != nil {
		context = contextString(src, subj)
	}
	if context != "" {
		fmt.Fprintf(b, "  on %s, in %s:\n", Escape(Position(subj, srcs)), Escape(context))
	} else {
		fmt.Fprintf(b, "  on %s:\n", Escape(Position(subj, srcs)))
	}
	if src == nil {
		return
	}
	startOff := src.offset(subj.Start)
	endOff := src.offset(subj.End)
	if startOff < 0 {
		return
	}
	if endOff < startOff {
		endOff = startOff
	}

	first, last := subj.Start.Line, subj.End.Line
	// A range ending at column 1 ends on the previous line.
	if last > first && subj.End.Column <= 1 {
		last--
	}
	if last > first+maxSubjectLines-1 {
		last = first + maxSubjectLines - 1
	}
	if showLeadLines(d) {
		first = max(d.Context.Start.Line, first-maxLeadLines)
	}
	numWidth := len(fmt.Sprint(last))
	for n := first; n <= last; n++ {
		text, lineStart, ok := src.line(n)
		if !ok {
			break
		}
		// The part of this line the subject covers, in bytes of text.
		covered := n >= subj.Start.Line
		lo, hi := 0, len(text)
		if n == subj.Start.Line {
			lo = clamp(startOff-lineStart, 0, len(text))
		}
		if n == subj.End.Line {
			hi = clamp(endOff-lineStart, lo, len(text))
		}
		// Escaped piece by piece, so the carets still line up under the
		// subject as printed.
		before, subject, after := Escape(text[:lo]), Escape(text[lo:hi]), Escape(text[hi:])
		code := before + subject + after
		if color && covered && hi > lo {
			code = before + Underline + subject + Reset + after
		}
		fmt.Fprintf(b, "  %*d: %s\n", numWidth, n, code)
		if !covered {
			continue
		}
		carets := utf8.RuneCountInString(subject)
		if carets == 0 {
			carets = 1
		}
		pad := strings.Repeat(" ", numWidth+4) + indentLike(before)
		marks := strings.Repeat("^", carets)
		if color {
			marks = Red + Bold + marks + Reset
		}
		fmt.Fprintf(b, "%s%s\n", pad, marks)
	}
}

// indentLike returns whitespace as wide as prefix, keeping tabs so the caret
// lines up under the same column in any terminal.
func indentLike(prefix string) string {
	var b strings.Builder
	for _, r := range prefix {
		if r == '\t' {
			b.WriteByte('\t')
		} else {
			b.WriteByte(' ')
		}
	}
	return b.String()
}

func clamp(v, lo, hi int) int {
	return max(lo, min(v, hi))
}

// Count returns how many errors and warnings diags holds.
func Count(diags hcl.Diagnostics) (errors, warnings int) {
	for _, d := range diags {
		if d.Severity == hcl.DiagError {
			errors++
		} else if d.Severity == hcl.DiagWarning {
			warnings++
		}
	}
	return errors, warnings
}

// contextString names the block enclosing the subject, such as
// `resource "node_app" "web"`. A subject that is a block's own header is
// named after that block.
func contextString(src *source, subj hcl.Range) string {
	if src.file == nil {
		return ""
	}
	off := src.offset(subj.Start)
	if off < 0 {
		return ""
	}
	if c := hcled.ContextString(src.file, off); c != "" {
		return c
	}
	if off > 0 {
		// An empty subject just past a block's end still belongs to it.
		return hcled.ContextString(src.file, off-1)
	}
	return ""
}

// showLeadLines reports whether lines above the subject help: when the
// context is an expression that starts earlier and ends with the subject
// (a call spanning lines). A context that is a whole enclosing block is
// already named in the "on" line, and its header adds only noise.
func showLeadLines(d *hcl.Diagnostic) bool {
	c, s := d.Context, d.Subject
	return c != nil && s != nil && c.Filename == s.Filename &&
		c.Start.Line < s.Start.Line && c.End.Line <= s.End.Line
}
