package ui

import (
	"fmt"
	"strings"
	"unicode"
)

// Escape makes s safe to print on a terminal: control characters other than
// newline and tab (the ESC of a terminal escape sequence, a carriage return
// that would overwrite the line, a bell) are shown as \xNN or \u{NNNN}, so
// text from a configuration file or an error can neither hide nor forge
// output (issue 12).
func Escape(s string) string {
	if !strings.ContainsFunc(s, needsEscape) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case !needsEscape(r):
			b.WriteRune(r)
		case r < 0x100:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			fmt.Fprintf(&b, `\u{%04x}`, r)
		}
	}
	return b.String()
}

func needsEscape(r rune) bool {
	return r != '\n' && r != '\t' && (unicode.IsControl(r) || r == '\u2028' || r == '\u2029')
}
