package ui

import (
	"bytes"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
)

// Raw terminal escape sequences from configuration files were echoed in
// error messages (issue 12): every diagnostic and every error line now
// shows control characters escaped.
func TestControlCharactersEscapedInDiagnostics(t *testing.T) {
	src := []byte("resource \"executable\" \"\x1b[2Jx\" {\n  command = \"\x07\r\"\n}\n")
	srcs := NewSources("", map[string]*hcl.File{"main.trust.hcl": {Bytes: src}})
	d := &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Bad \x1b]0;title\x07 name",
		Detail:   "The name \"\x1b[2Jx\" has\r a control character.",
		Subject:  &hcl.Range{Filename: "main.trust.hcl", Start: hcl.Pos{Line: 1, Column: 23, Byte: 22}, End: hcl.Pos{Line: 1, Column: 30, Byte: 29}},
	}
	var b bytes.Buffer
	WriteDiagnostic(&b, d, srcs, false, 80)
	out := b.String()
	if strings.ContainsAny(out, "\x1b\x07\r") {
		t.Fatalf("raw control characters in:\n%q", out)
	}
	for _, want := range []string{`Bad \x1b]0;title\x07 name`, `"\x1b[2Jx" has\x0d a`, `resource "executable" "\x1b[2Jx" {`} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in:\n%s", want, out)
		}
	}

	var e bytes.Buffer
	s := &Streams{Err: &e}
	s.Errorf("reading %s: %v", "a\x1b[31mb", "x\ry")
	s.Warnf("%s", "\x1b[0m")
	s.Hintf("%s", "\x1b[0m")
	if strings.ContainsAny(e.String(), "\x1b\r") {
		t.Fatalf("raw control characters in %q", e.String())
	}
}
