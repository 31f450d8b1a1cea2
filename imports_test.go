package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// architectureDoc holds the import rules: TestImportRules reads its table,
// so the documentation and the check cannot drift apart.
const architectureDoc = "website/docs/architecture.md"

const module = "github.com/trustform/trustform"

// importRule is one row of the table in architectureDoc.
type importRule struct {
	pkg      string // "." or a path inside the module, "pkg/..." for a subtree
	internal []string
	external []string
	line     int
}

func (r importRule) covers(rel string) bool {
	if base, ok := strings.CutSuffix(r.pkg, "/..."); ok {
		return rel == base || strings.HasPrefix(rel, base+"/")
	}
	return rel == r.pkg
}

// allowsInternal says whether the row lets its package import the module
// package rel.
func (r importRule) allowsInternal(rel string) bool {
	for _, a := range r.internal {
		switch {
		case a == "*":
			if rel != "." && rel != "internal/command" && !strings.HasPrefix(rel, "internal/command/") {
				return true
			}
		case a == "internal/*":
			if strings.HasPrefix(rel, "internal/") && !isCommand(rel) && rel != "internal/testutil" {
				return true
			}
		case a == rel:
			return true
		}
	}
	return false
}

func isCommand(rel string) bool {
	return rel == "internal/command" || strings.HasPrefix(rel, "internal/command/")
}

func (r importRule) allowsExternal(path string) bool {
	for _, prefix := range r.external {
		if path == prefix || strings.HasPrefix(path, prefix+"/") {
			return true
		}
	}
	return false
}

// readImportRules parses the package table of architectureDoc: the rows
// whose first cell is a package in backticks.
func readImportRules(t *testing.T) []importRule {
	t.Helper()
	data, err := os.ReadFile(architectureDoc)
	if err != nil {
		t.Fatal(err)
	}
	cells := func(s string) []string {
		if s == "-" {
			return nil
		}
		var out []string
		for _, f := range strings.Split(s, ",") {
			out = append(out, strings.Trim(strings.TrimSpace(f), "`"))
		}
		return out
	}
	var rules []importRule
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if !strings.HasPrefix(line, "| `") {
			continue
		}
		cols := strings.Split(strings.Trim(line, "|"), "|")
		if len(cols) != 4 {
			t.Fatalf("%s:%d: a package row has 4 columns (package, owns, module imports, other imports), this one %d", architectureDoc, n, len(cols))
		}
		for i := range cols {
			cols[i] = strings.TrimSpace(cols[i])
		}
		rules = append(rules, importRule{
			pkg:      strings.Trim(cols[0], "`"),
			internal: cells(cols[2]),
			external: cells(cols[3]),
			line:     n,
		})
	}
	if len(rules) < 10 {
		t.Fatalf("%s: found %d package rows; is the table still there?", architectureDoc, len(rules))
	}
	return rules
}

// listedPackage is the part of `go list -deps -json` the rules need.
type listedPackage struct {
	ImportPath string
	Standard   bool
	Module     *struct{ Path string }
	Imports    []string
	Deps       []string
}

// goListDeps lists the module's packages and everything they depend on,
// without tests, as the linker sees a build.
func goListDeps(t *testing.T) map[string]*listedPackage {
	t.Helper()
	cmd := exec.Command("go", "list", "-deps", "-json", "./...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, stderr.String())
	}
	pkgs := map[string]*listedPackage{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p listedPackage
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs[p.ImportPath] = &p
	}
	return pkgs
}

// rel returns the module-relative path of a package of this module.
func rel(path string) (string, bool) {
	if path == module {
		return ".", true
	}
	r, ok := strings.CutPrefix(path, module+"/")
	return r, ok
}

// TestImportRules enforces the package table of website/docs/architecture.md
// on every non-test import, and the layering rules written below it on
// everything each package depends on.
func TestImportRules(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("needs the go command")
	}
	rules := readImportRules(t)
	pkgs := goListDeps(t)

	var ours []string
	for path := range pkgs {
		if _, ok := rel(path); ok {
			ours = append(ours, path)
		}
	}
	slices.Sort(ours)
	for _, path := range ours {
		p := pkgs[path]
		r, _ := rel(path)
		var rule *importRule
		for i := range rules {
			if rules[i].covers(r) {
				rule = &rules[i]
			}
		}
		if rule == nil {
			t.Errorf("package %s has no row in %s: add one saying what it owns and what it may import", r, architectureDoc)
			continue
		}
		for _, imp := range p.Imports {
			if ir, ok := rel(imp); ok {
				if !rule.allowsInternal(ir) {
					t.Errorf("%s imports %s, which its row (%s:%d) does not allow: move the code, or change the row if the seam really moved", r, ir, architectureDoc, rule.line)
				}
				continue
			}
			if dep := pkgs[imp]; dep != nil && dep.Standard {
				continue
			}
			if !rule.allowsExternal(imp) {
				t.Errorf("%s imports %s, which its row (%s:%d) does not allow: add the module to the row if it is meant to be used here", r, imp, architectureDoc, rule.line)
			}
		}
	}

	// Layering over everything a package pulls in, not only its imports.
	never := map[string][]string{
		"apply": {"runtimes/process", "runtimes/container", "internal/command"},
		"plan":  {"apply", "runtimes/process", "runtimes/container", "internal/command"},
	}
	for _, path := range ours {
		r, _ := rel(path)
		for _, dep := range pkgs[path].Deps {
			d, ok := rel(dep)
			if !ok {
				continue
			}
			if slices.Contains(never[r], d) {
				t.Errorf("%s depends on %s (go list -deps); %s says it must not", r, d, architectureDoc)
			}
			if isCommand(d) && r != "." && !isCommand(r) {
				t.Errorf("%s depends on %s: only the trustform command may", r, d)
			}
			if d == "internal/testutil" {
				t.Errorf("%s depends on internal/testutil, which only tests may import", r)
			}
		}
	}
}

// TestImportRulesCatchAViolation makes sure the check above can fail: a row
// that allows nothing rejects what apply really imports.
func TestImportRulesCatchAViolation(t *testing.T) {
	strict := importRule{pkg: "apply", internal: []string{"plan"}}
	if strict.allowsInternal("runtimes/process") || strict.allowsInternal("internal/command") {
		t.Error("a row naming only plan allowed a runner or the command")
	}
	star := importRule{pkg: "e2e", internal: []string{"*"}}
	if star.allowsInternal("internal/command/views") || !star.allowsInternal("lang") {
		t.Error("* must allow every package but the command")
	}
	leaves := importRule{pkg: "plan", internal: []string{"internal/*"}}
	if !leaves.allowsInternal("internal/pem") || leaves.allowsInternal("internal/testutil") || leaves.allowsInternal("internal/command") {
		t.Error("internal/* must allow the internal leaves only")
	}
	sub := importRule{pkg: "export/..."}
	if !sub.covers("export") || !sub.covers("export/compose") || sub.covers("exporter") {
		t.Error("pkg/... must cover the package and its subtree only")
	}
	if !(importRule{external: []string{"github.com/hashicorp/hcl/v2"}}).allowsExternal("github.com/hashicorp/hcl/v2/hclsyntax") {
		t.Error("a module prefix must allow its packages")
	}
}
