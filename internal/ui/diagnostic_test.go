package ui

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

const sampleConfig = `resource "node_app" "web" {
  script = "web/index.js"
  scrpt  = "web/index.js"
}
`

// parsed returns Sources holding src as main.trust.hcl and the range of the
// first occurrence of token in it.
func parsed(t *testing.T, src, token string) (*Sources, hcl.Range) {
	t.Helper()
	f, diags := hclsyntax.ParseConfig([]byte(src), "main.trust.hcl", hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatalf("parse: %s", diags)
	}
	s := NewSources("/cfg", map[string]*hcl.File{"main.trust.hcl": f})
	return s, rangeOf(t, src, token)
}

func rangeOf(t *testing.T, src, token string) hcl.Range {
	t.Helper()
	i := strings.Index(src, token)
	if i < 0 {
		t.Fatalf("%q not in source", token)
	}
	pos := func(off int) hcl.Pos {
		line := strings.Count(src[:off], "\n") + 1
		col := off - strings.LastIndex(src[:off], "\n")
		return hcl.Pos{Line: line, Column: col, Byte: off}
	}
	return hcl.Range{Filename: "main.trust.hcl", Start: pos(i), End: pos(i + len(token))}
}

func render(d *hcl.Diagnostic, src *Sources, color bool) string {
	var b strings.Builder
	WriteDiagnostic(&b, d, src, color, DefaultWidth)
	return b.String()
}

func TestWriteDiagnosticLayout(t *testing.T) {
	src, rng := parsed(t, sampleConfig, "scrpt")
	got := render(&hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Unsupported argument",
		Detail:   `An argument named "scrpt" is not expected here. Did you mean "script"?`,
		Subject:  &rng,
	}, src, false)
	want := `Error: Unsupported argument

  on main.trust.hcl:3:3, in resource "node_app" "web":
  3:   scrpt  = "web/index.js"
       ^^^^^

An argument named "scrpt" is not expected here. Did you mean "script"?

`
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rendering (-want +got):\n%s", diff)
	}
}

func TestWriteDiagnosticColorKeepsCaret(t *testing.T) {
	src, rng := parsed(t, sampleConfig, `"web/index.js"`)
	got := render(&hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: "Hmm", Subject: &rng}, src, true)
	if !strings.Contains(got, Yellow) {
		t.Errorf("warning not coloured:\n%q", got)
	}
	// The caret line is there with colour too, under the same columns.
	if !strings.Contains(got, "\n"+strings.Repeat(" ", 16)+Red+Bold+"^^^^^^^^^^^^^^"+Reset+"\n") {
		t.Errorf("caret line missing or misplaced:\n%q", got)
	}
	plain := render(&hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: "Hmm", Subject: &rng}, src, false)
	if strings.Contains(plain, "\x1b[") {
		t.Errorf("escape codes without colour:\n%q", plain)
	}
	if !strings.HasPrefix(plain, "Warning: Hmm\n") {
		t.Errorf("warning label: %q", plain)
	}
}

func TestWriteDiagnosticContextLinesAndMultiLineSubject(t *testing.T) {
	cfg := "locals {\n  a = 1\n  b = 2\n  list = [\n    \"x\",\n    \"y\",\n  ]\n}\n"
	src, ctx := parsed(t, cfg, "locals {")
	subj := rangeOf(t, cfg, "[\n    \"x\",\n    \"y\",\n  ]")
	ctx.End = subj.End
	got := render(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: "S", Subject: &subj, Context: &ctx}, src, false)
	want := `Error: S

  on main.trust.hcl:4:10, in locals:
  2:   a = 1
  3:   b = 2
  4:   list = [
              ^
  5:     "x",
     ^^^^^^^^
  6:     "y",
     ^^^^^^^^
  7:   ]
     ^^^

`
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rendering (-want +got):\n%s", diff)
	}
}

func TestWriteDiagnosticTabsAndEmptySubject(t *testing.T) {
	cfg := "locals {\n\tx =\t\"v\"\n}\n"
	src, rng := parsed(t, cfg, `"v"`)
	rng.End = rng.Start // an empty range still gets one caret
	got := render(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: "S", Subject: &rng}, src, false)
	if !strings.Contains(got, "  2: \tx =\t\"v\"\n     \t   \t^\n") {
		t.Errorf("caret should follow tabs:\n%q", got)
	}
}

func TestWriteDiagnosticWithoutSourceOrSubject(t *testing.T) {
	rng := hcl.Range{Filename: "gone.trust.hcl", Start: hcl.Pos{Line: 7, Column: 2, Byte: 60}, End: hcl.Pos{Line: 7, Column: 5, Byte: 63}}
	got := render(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: "S", Detail: "D", Subject: &rng}, NewSources(t.TempDir(), nil), false)
	if want := "Error: S\n\n  on gone.trust.hcl:7:2:\n\nD\n\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	got = render(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: "No configuration files", Detail: "Add one."}, nil, false)
	if want := "Error: No configuration files\n\nAdd one.\n\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestWriteDiagnosticWrapsDetailButKeepsIndentedLines(t *testing.T) {
	long := strings.Repeat("word ", 40)
	got := render(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: "S", Detail: long + "\n  a -> b (main.trust.hcl:3:17) " + long}, nil, false)
	for _, line := range strings.Split(got, "\n") {
		if !strings.HasPrefix(line, "  ") && len(line) > DefaultWidth {
			t.Errorf("line longer than %d: %q", DefaultWidth, line)
		}
	}
	if !strings.Contains(got, "\n  a -> b (main.trust.hcl:3:17) word word") {
		t.Errorf("indented line was rewrapped:\n%s", got)
	}
}

func TestSourcesReadsFilesFromDiskAndFallsBackToLineColumn(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "certs/bad.pem", "text\r\n-----BEGIN CERTIFICATE-----\r\nxx\r\n")
	// A producer that knows only line and column (Byte 0).
	rng := hcl.Range{Filename: "certs/bad.pem", Start: hcl.Pos{Line: 2, Column: 1}, End: hcl.Pos{Line: 2, Column: 28}}
	got := render(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Corrupt", Subject: &rng}, NewSources(dir, nil), false)
	want := "Error: Corrupt\n\n  on certs/bad.pem:2:1:\n  2: -----BEGIN CERTIFICATE-----\n     ^^^^^^^^^^^^^^^^^^^^^^^^^^^\n\n"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rendering (-want +got):\n%s", diff)
	}
}

func TestDisplayNameIsRelativeInsideTheConfigDir(t *testing.T) {
	s := NewSources("/cfg", nil)
	for in, want := range map[string]string{
		"/cfg/main.trust.hcl": "main.trust.hcl",
		"/cfg/sub/x.pem":      "sub/x.pem",
		"/elsewhere/x.pem":    "/elsewhere/x.pem",
		"main.trust.hcl":      "main.trust.hcl",
	} {
		if got := s.DisplayName(in); got != want {
			t.Errorf("DisplayName(%q) = %q, want %q", in, got, want)
		}
	}
}
