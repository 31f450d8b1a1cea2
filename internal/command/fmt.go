package command

import (
	"github.com/trustform/trustform/internal/command/arguments"
	"github.com/trustform/trustform/internal/nesting"

	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"

	"github.com/trustform/trustform/internal/atomicfile"
	"github.com/trustform/trustform/internal/ui"
)

// fmtSuffixes are the file names fmt formats when walking a directory.
var fmtSuffixes = []string{".trust.hcl", ".trustvars.hcl"}

func newFmtCommand(e *runEnv) *command {
	c := &command{
		synopsis: "Rewrite configuration files in the canonical format",
		help: `
Usage: trustform [-chdir=DIR] fmt [flags] [FILE|DIR|-]...

  Rewrite *.trust.hcl and *.trustvars.hcl files in the canonical format.
  Without arguments, formats the configuration directory. "-" formats
  stdin to stdout. A file that does not parse is left alone and reported.

Flags:
  -check        Write nothing; list the files that need formatting and exit
                3 if there are any.
  -diff         Print a unified diff of the changes.
  -recursive    Also format subdirectories (hidden ones are skipped).
  -write=false  Do not rewrite files.
  -list=false   Do not list the files that changed.
  -no-color     Do not colour the output.
`,
	}
	c.run = parsed(e, c, arguments.ParseFmt, runFmt)
	return c
}

// fmtResult collects what one fmt run found.
type fmtResult struct {
	failed      bool
	unformatted bool
}

func runFmt(e *runEnv, a *arguments.Fmt) int {
	e.view.Configure(a.NoColor)
	var res fmtResult
	targets := a.Targets
	if len(targets) == 0 {
		targets = []string{"."}
	}
	for _, t := range targets {
		if t == "-" {
			fmtStdin(e, a, &res)
			continue
		}
		files, err := fmtFiles(e.path(t), a.Recursive)
		if err != nil {
			e.view.Errorf("%v", err)
			res.failed = true
			continue
		}
		for _, f := range files {
			fmtFile(e, a, f, &res)
		}
	}
	switch {
	case res.failed:
		return exitError
	case a.Check && res.unformatted:
		return exitNeedFormat
	}
	return exitOK
}

// fmtFiles lists the files to format under path: path itself if it is a
// file (whatever its name: the user named it), else the configuration files
// in it, sorted.
func fmtFiles(path string, recursive bool) ([]string, error) {
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s does not exist: name a configuration file or directory", path)
	}
	if err != nil {
		return nil, fmt.Errorf("fmt: %w", err)
	}
	if !fi.IsDir() {
		return []string{path}, nil
	}
	var files []string
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != path && (!recursive || strings.HasPrefix(d.Name(), ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		for _, s := range fmtSuffixes {
			if strings.HasSuffix(d.Name(), s) {
				files = append(files, p)
				break
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("fmt: %w", err)
	}
	sort.Strings(files)
	return files, nil
}

// formatSource returns src in canonical form, or the parse diagnostics if
// it is not valid HCL: hclwrite would otherwise "format" broken input into
// something else broken.
func formatSource(src []byte, name string) ([]byte, *hcl.File, hcl.Diagnostics) {
	if i, line, col, deep := nesting.TooDeep(src); deep {
		pos := hcl.Pos{Line: line, Column: col, Byte: i}
		return nil, nil, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Nesting too deep",
			Detail:   fmt.Sprintf("Brackets, braces and parentheses nest more than %d levels deep here; trustform does not parse such files.", nesting.Max),
			Subject:  &hcl.Range{Filename: name, Start: pos, End: hcl.Pos{Line: line, Column: col + 1, Byte: i + 1}},
		}}
	}
	f, diags := hclsyntax.ParseConfig(src, name, hcl.InitialPos)
	if diags.HasErrors() {
		return nil, f, diags
	}
	return hclwrite.Format(src), f, nil
}

func fmtFile(e *runEnv, a *arguments.Fmt, path string, res *fmtResult) {
	display := path
	if rel, err := filepath.Rel(e.dir, path); err == nil && !strings.HasPrefix(rel, "..") {
		display = rel
	}
	src, err := os.ReadFile(path)
	if err != nil {
		e.view.Errorf("fmt: %v", err)
		res.failed = true
		return
	}
	out, f, diags := formatSource(src, display)
	if diags.HasErrors() {
		sources := ui.NewSources(e.dir, nil)
		sources.AddFile(display, f)
		e.writeDiagnostics(diags, sources)
		res.failed = true
		return
	}
	if bytes.Equal(src, out) {
		return
	}
	res.unformatted = true
	if a.List {
		e.view.Resultf("%s", display)
	}
	if a.Write {
		if err := writeFileKeepMode(path, out); err != nil {
			e.view.Errorf("fmt: %v", err)
			res.failed = true
			return
		}
	}
	if a.Diff {
		io.WriteString(e.view.Out, ui.UnifiedDiff("old/"+filepath.ToSlash(display), "new/"+filepath.ToSlash(display), src, out, e.view.OutColor))
	}
}

func fmtStdin(e *runEnv, a *arguments.Fmt, res *fmtResult) {
	src, err := io.ReadAll(e.stdin)
	if err != nil {
		e.view.Errorf("fmt: reading stdin: %v", err)
		res.failed = true
		return
	}
	out, f, diags := formatSource(src, "<stdin>")
	if diags.HasErrors() {
		sources := ui.NewSources(e.dir, nil)
		sources.AddFile("<stdin>", f)
		e.writeDiagnostics(diags, sources)
		res.failed = true
		return
	}
	changed := !bytes.Equal(src, out)
	if changed {
		res.unformatted = true
	}
	switch {
	case a.Diff:
		io.WriteString(e.view.Out, ui.UnifiedDiff("old/<stdin>", "new/<stdin>", src, out, e.view.OutColor))
	case a.Check:
		if changed && a.List {
			e.view.Resultf("<stdin>")
		}
	default:
		e.view.Out.Write(out)
	}
}

// writeFileKeepMode replaces path with data, keeping its mode, through
// atomicfile, so an interrupted fmt never leaves half a file.
func writeFileKeepMode(path string, data []byte) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(path, data, fi.Mode().Perm())
}
