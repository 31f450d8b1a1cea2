package ui

import (
	"encoding/json"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// JSONFormatVersion is the format_version of every JSON document trustform
// prints.
const JSONFormatVersion = "1.0"

// ValidateJSON is the document `validate -json` prints, shaped like
// `terraform validate -json` so existing tooling can read it.
type ValidateJSON struct {
	FormatVersion string           `json:"format_version"`
	Valid         bool             `json:"valid"`
	ErrorCount    int              `json:"error_count"`
	WarningCount  int              `json:"warning_count"`
	Diagnostics   []DiagnosticJSON `json:"diagnostics"`
}

// DiagnosticJSON is one diagnostic in JSON output.
type DiagnosticJSON struct {
	Severity string       `json:"severity"`
	Summary  string       `json:"summary"`
	Detail   string       `json:"detail"`
	Range    *RangeJSON   `json:"range,omitempty"`
	Snippet  *SnippetJSON `json:"snippet,omitempty"`
}

// RangeJSON is a source range; Filename is as displayed in text output.
type RangeJSON struct {
	Filename string  `json:"filename"`
	Start    PosJSON `json:"start"`
	End      PosJSON `json:"end"`
}

// PosJSON is a 1-based line and column and a 0-based byte offset.
type PosJSON struct {
	Line   int `json:"line"`
	Column int `json:"column"`
	Byte   int `json:"byte"`
}

// SnippetJSON is the source around a diagnostic: Code holds whole lines
// starting at StartLine, and the highlight offsets are byte offsets into
// Code marking the subject.
type SnippetJSON struct {
	Context              *string `json:"context"`
	Code                 string  `json:"code"`
	StartLine            int     `json:"start_line"`
	HighlightStartOffset int     `json:"highlight_start_offset"`
	HighlightEndOffset   int     `json:"highlight_end_offset"`
	Values               []any   `json:"values"`
}

// NewValidateJSON builds the validate document for diags.
func NewValidateJSON(diags hcl.Diagnostics, src *Sources) *ValidateJSON {
	errs, warns := Count(diags)
	doc := &ValidateJSON{
		FormatVersion: JSONFormatVersion,
		Valid:         errs == 0,
		ErrorCount:    errs,
		WarningCount:  warns,
		Diagnostics:   DiagnosticsJSON(diags, src),
	}
	return doc
}

// DiagnosticsJSON converts diags for JSON output; never nil, so the field
// prints as [] rather than null.
func DiagnosticsJSON(diags hcl.Diagnostics, src *Sources) []DiagnosticJSON {
	out := make([]DiagnosticJSON, 0, len(diags))
	for _, d := range diags {
		out = append(out, diagnosticJSON(d, src))
	}
	return out
}

func diagnosticJSON(d *hcl.Diagnostic, srcs *Sources) DiagnosticJSON {
	j := DiagnosticJSON{Severity: "error", Summary: d.Summary, Detail: d.Detail}
	if d.Severity == hcl.DiagWarning {
		j.Severity = "warning"
	}
	if d.Subject == nil {
		return j
	}
	subj := *d.Subject
	j.Range = &RangeJSON{
		Filename: srcs.DisplayName(subj.Filename),
		Start:    PosJSON{subj.Start.Line, subj.Start.Column, subj.Start.Byte},
		End:      PosJSON{subj.End.Line, subj.End.Column, subj.End.Byte},
	}
	src := srcs.get(subj.Filename)
	if src == nil {
		return j
	}
	startOff, endOff := src.offset(subj.Start), src.offset(subj.End)
	if startOff < 0 {
		return j
	}
	endOff = max(endOff, startOff)
	first, last := subj.Start.Line, subj.End.Line
	if last > first && subj.End.Column <= 1 {
		last--
	}
	if showLeadLines(d) {
		first = max(d.Context.Start.Line, first-maxLeadLines)
	}
	var code strings.Builder
	var codeStart int
	for n := first; n <= last; n++ {
		text, lineStart, ok := src.line(n)
		if !ok {
			break
		}
		if n == first {
			codeStart = lineStart
		}
		if n > first {
			code.WriteString("\n")
		}
		code.WriteString(text)
	}
	snip := &SnippetJSON{
		Code:                 code.String(),
		StartLine:            first,
		HighlightStartOffset: clamp(startOff-codeStart, 0, code.Len()),
		HighlightEndOffset:   clamp(endOff-codeStart, 0, code.Len()),
		Values:               []any{},
	}
	if src.file != nil {
		if c := contextString(src, subj); c != "" {
			snip.Context = &c
		}
	}
	j.Snippet = snip
	return j
}

// MarshalIndent encodes v as indented JSON with a trailing newline, without
// escaping <, > and & (they appear in commands and URLs users read).
func MarshalIndent(v any) ([]byte, error) {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return []byte(b.String()), nil
}
