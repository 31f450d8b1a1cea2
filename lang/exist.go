package lang

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/trustform/trustform/runtimes"
)

// CheckFiles reports, for every resource, the script, jar, binary, Go
// package and Python module that its row says must exist (runtimes.Attr
// MustExist) and that does not, with a did-you-mean on the file name. A
// mistyped script used to pass plan and die after apply (issue 13), so
// validate and plan call this; destroy, graph and export do not, since a
// deleted script must not keep a process running or hide the graph.
func CheckFiles(cfg *Config) hcl.Diagnostics {
	if cfg == nil {
		return nil
	}
	var diags hcl.Diagnostics
	for _, r := range cfg.Resources {
		if r.Runtime == nil {
			continue
		}
		for _, a := range r.Runtime.Attrs {
			v := r.Attrs.Str(a.Name)
			if a.MustExist == runtimes.ExistNone || v == "" {
				continue
			}
			if d := checkExists(cfg, r, a, v); d != nil {
				diags = append(diags, d)
			}
		}
	}
	return diags
}

// existCheck is one argument being checked, for wording its diagnostic.
type existCheck struct {
	cfg  *Config
	r    *Resource
	attr runtimes.Attr
}

func checkExists(cfg *Config, r *Resource, a runtimes.Attr, v string) *hcl.Diagnostic {
	c := existCheck{cfg: cfg, r: r, attr: a}
	switch a.MustExist {
	case runtimes.ExistFile:
		return c.file(v)
	case runtimes.ExistGoPackage:
		return c.goPackage(v)
	case runtimes.ExistPythonModule:
		return c.pythonModule(v)
	}
	return nil
}

// show is how a path appears in a message: relative to the configuration
// directory when inside it, as it was most likely written.
func (c existCheck) show(p string) string {
	if c.sensitive() {
		return "(sensitive value)"
	}
	if rel, err := filepath.Rel(c.cfg.Dir, p); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return filepath.ToSlash(rel)
	}
	return p
}

func (c existCheck) sensitive() bool {
	return slices.Contains(c.r.SensitiveAttrs, c.attr.Name)
}

// diag builds an error located on the argument's value.
func (c existCheck) diag(summary, what, hint string) *hcl.Diagnostic {
	rng := c.r.DeclRange
	if ar, ok := c.r.AttrRanges[c.attr.Name]; ok {
		rng = ar
	}
	detail := fmt.Sprintf("%s: %s %s", c.r.Address, c.attr.Name, what)
	if hint != "" {
		detail += " " + hint
	}
	return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: detail, Subject: &rng}
}

func (c existCheck) didYouMean(p string) string {
	if c.sensitive() {
		return ""
	}
	if s := closestPath(p); s != "" {
		return fmt.Sprintf("Did you mean %q?", c.show(s))
	}
	return ""
}

func (c existCheck) file(p string) *hcl.Diagnostic {
	st, err := os.Stat(p)
	switch {
	case err == nil && st.Mode().IsRegular():
		return nil
	case err == nil && st.IsDir():
		for _, e := range c.attr.DirEntries {
			if _, err := os.Stat(filepath.Join(p, e)); err == nil {
				return nil
			}
		}
		what := fmt.Sprintf("%q is a directory, not a file.", c.show(p))
		if len(c.attr.DirEntries) > 0 {
			what = fmt.Sprintf("%q is a directory holding none of %s, so %s cannot run it.", c.show(p), strings.Join(c.attr.DirEntries, ", "), c.r.Runtime.Program)
		}
		return c.diag("Not a file", what, "Name the file to run.")
	case err == nil:
		return c.diag("Not a file", fmt.Sprintf("%q is not a regular file.", c.show(p)), "Name the file to run.")
	case !os.IsNotExist(err):
		return c.diag("Cannot read "+c.attr.Name, fmt.Sprintf("%q cannot be read: %v.", c.show(p), err), "Fix its permissions or name another file.")
	}
	hint := c.didYouMean(p)
	if hint == "" {
		hint = "Fix the path, or create the file before running plan."
	}
	return c.diag("File not found", fmt.Sprintf("%q does not exist.", c.show(p)), hint)
}

// goPackage checks a local package path of go run; import paths are left
// to go.
func (c existCheck) goPackage(pkg string) *hcl.Diagnostic {
	local := pkg == "." || pkg == ".." || strings.HasPrefix(pkg, "./") || strings.HasPrefix(pkg, "../") || filepath.IsAbs(pkg)
	if !local || strings.Contains(pkg, "...") {
		return nil
	}
	dir := pkg
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(c.r.WorkingDir, dir)
	}
	st, err := os.Stat(dir)
	if err != nil {
		hint := c.didYouMean(dir)
		if hint == "" {
			hint = "Fix the path (relative to working_dir), or use an import path."
		}
		return c.diag("Go package not found", fmt.Sprintf("%q does not exist (looked for %s, relative to working_dir).", pkg, c.show(dir)), hint)
	}
	if !st.IsDir() {
		if strings.HasSuffix(dir, ".go") {
			return nil // go run ./main.go
		}
		return c.diag("Go package not found", fmt.Sprintf("%q is not a directory.", pkg), "Name the package directory, such as \"./cmd/server\".")
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".go") && !strings.HasSuffix(e.Name(), "_test.go") {
			return nil
		}
	}
	return c.diag("Go package not found", fmt.Sprintf("%q (%s) holds no .go files.", pkg, c.show(dir)), "Name the directory of the main package, such as \"./cmd/server\".")
}

// pythonModule checks python -m's module as far as working_dir decides
// it: python -m puts the working directory first on sys.path, so a
// regular package or module found there is the one python runs. A name
// not found there may come from the standard library, site-packages or
// PYTHONPATH, which only python can resolve: it is not checked. A
// top-level namespace package (a directory without __init__.py) may have
// portions elsewhere, so it is not checked either.
func (c existCheck) pythonModule(mod string) *hcl.Diagnostic {
	if c.sensitive() {
		return nil
	}
	parts := strings.Split(mod, ".")
	d := c.r.WorkingDir
	for i, part := range parts {
		last := i == len(parts)-1
		pkgDir := filepath.Join(d, part)
		isDir := dirExists(pkgDir)
		isFile := fileExists(pkgDir + ".py")
		regular := isDir && fileExists(filepath.Join(pkgDir, "__init__.py"))
		if i == 0 && !regular && !isFile {
			return nil
		}
		if !isDir && !isFile {
			hint := ""
			if s := suggest(part, pythonNames(d)); s != "" {
				hint = fmt.Sprintf("Did you mean %q?", strings.Join(append(append([]string{}, parts[:i]...), s), "."))
			} else {
				hint = fmt.Sprintf("Create %s.py or the package %s/, or fix the name.", part, part)
			}
			return c.diag("Python module not found", fmt.Sprintf("%q: the package %s/ has no module %q.", mod, c.show(d), part), hint)
		}
		if last {
			if !isFile && !fileExists(filepath.Join(pkgDir, "__main__.py")) {
				return c.diag("Python module cannot be run", fmt.Sprintf("%q is the package %s, which has no __main__.py, so python -m cannot run it.", mod, c.show(pkgDir)),
					"Name a module inside it, or add __main__.py.")
			}
			return nil
		}
		if !isDir {
			return c.diag("Python module not found", fmt.Sprintf("%q: %s is a module, not a package, so it has no %q.", mod, c.show(pkgDir+".py"), parts[i+1]),
				"Fix the module name.")
		}
		d = pkgDir
	}
	return nil
}

// pythonNames are the importable names in a directory: packages and .py
// modules.
func pythonNames(dir string) []string {
	entries, _ := os.ReadDir(dir)
	var out []string
	for _, e := range entries {
		switch {
		case e.IsDir():
			out = append(out, e.Name())
		case strings.HasSuffix(e.Name(), ".py"):
			out = append(out, strings.TrimSuffix(e.Name(), ".py"))
		}
	}
	return out
}

// closestPath returns the existing path most likely meant by p, component
// by component (web/idnex.js -> web/index.js, wbe/index.js ->
// web/index.js), or "" when some component has no close match.
func closestPath(p string) string {
	p = filepath.Clean(p)
	dir, base := filepath.Dir(p), filepath.Base(p)
	if dir == p {
		return ""
	}
	if !dirExists(dir) {
		if dir = closestPath(dir); dir == "" || !dirExists(dir) {
			return ""
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return ""
	}
	names := make([]string, len(entries))
	for i, e := range entries {
		names[i] = e.Name()
	}
	if slices.Contains(names, base) {
		return filepath.Join(dir, base)
	}
	if s := suggest(base, names); s != "" {
		return filepath.Join(dir, s)
	}
	return ""
}

func dirExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}
