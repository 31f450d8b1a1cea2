package lang

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"

	"github.com/trustform/trustform/internal/safepath"
)

// SourceSize is the total size in bytes of the *.trust.hcl files of dir (0
// when it cannot be read): what a plan's memory grows with.
func SourceSize(dir string) int64 {
	entries, _ := configEntries(dir)
	var n int64
	for _, e := range entries {
		if fi, err := e.Info(); err == nil {
			n += fi.Size()
		}
	}
	return n
}

// configEntries lists the *.trust.hcl files of dir, by name.
func configEntries(dir string) ([]os.DirEntry, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	files := entries[:0]
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ConfigSuffix) {
			files = append(files, e)
		}
	}
	return files, nil
}

// configFileNames lists the *.trust.hcl files of dir, sorted.
func configFileNames(dir string) ([]string, hcl.Diagnostics) {
	entries, err := configEntries(dir)
	if err != nil {
		return nil, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Cannot read configuration directory",
			Detail:   fmt.Sprintf("Reading %s failed: %s. Check the -chdir option and the directory's permissions.", dir, err),
		}}
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names, nil
}

// noConfigDetail explains a directory without *.trust.hcl files. Other
// *.hcl files there are most likely the configuration under a name
// trustform does not read (main.hcl), so it names the rename.
func noConfigDetail(dir string) string {
	msg := fmt.Sprintf("The directory %s holds no *%s files.", dir, ConfigSuffix)
	entries, _ := os.ReadDir(dir)
	var others []string
	for _, e := range entries {
		n := e.Name()
		if !e.IsDir() && strings.HasSuffix(n, ".hcl") && !strings.HasSuffix(n, VarsSuffix) {
			others = append(others, n)
		}
	}
	if len(others) == 0 {
		return msg + " Create one (see the quickstart) or use -chdir to select the configuration directory."
	}
	sort.Strings(others)
	files := "file " + others[0]
	if len(others) > 1 {
		files = "files " + strings.Join(others, ", ")
	}
	msg += fmt.Sprintf(" It holds the HCL %s, but trustform reads only names ending in %s (as Terraform reads only *.tf). Rename:", files, ConfigSuffix)
	for _, n := range others {
		msg += fmt.Sprintf("\n  mv %s %s", n, strings.TrimSuffix(n, ".hcl")+ConfigSuffix)
	}
	return msg
}

// parseFile parses dir/name into p under the key name, so diagnostics name
// the file as the user sees it in the directory.
func parseFile(p *hclparse.Parser, dir, name string) hcl.Diagnostics {
	path := name
	if !filepath.IsAbs(name) {
		path = filepath.Join(dir, name)
	}
	src, err := safepath.ReadInput(path, safepath.MaxInputFile)
	if err == nil {
		if d := checkNesting(src, name); d != nil {
			return hcl.Diagnostics{d}
		}
	}
	if err != nil {
		// The path is already in the message: "stat PATH: " in front of
		// the reason would only repeat it in Go's words.
		why := err.Error()
		var pe *fs.PathError
		if errors.As(err, &pe) {
			why = pe.Err.Error()
		}
		detail := fmt.Sprintf("Reading %s failed: %s.", path, why)
		if errors.Is(err, fs.ErrNotExist) {
			detail = fmt.Sprintf("The file %s does not exist. Check its name; a relative path is relative to the configuration directory.", path)
		}
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Cannot read file",
			Detail:   detail,
		}}
	}
	f, diags := parseChunked(src, name)
	p.AddFile(name, f)
	return diags
}
