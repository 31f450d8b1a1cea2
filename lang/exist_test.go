package lang

import (
	"strings"
	"testing"
)

// TestCheckFiles holds each runtime's meaning of "exists" (issue 13): what
// passes, what fails, and what cannot be checked truthfully and so passes.
func TestCheckFiles(t *testing.T) {
	files := map[string]string{
		"web/index.js":            "",
		"site/package.json":       "{}",
		"empty/.keep":             "",
		"pyapp/__main__.py":       "",
		"tools/__init__.py":       "",
		"tools/cleanup.py":        "",
		"tools/sub/__main__.py":   "",
		"tools/nomain/x.py":       "",
		"ns/mod.py":               "",
		"single.py":               "",
		"app.jar":                 "",
		"cmd/server/main.go":      "package main",
		"cmd/onlytests/x_test.go": "package main",
	}
	cases := []struct {
		body string
		want string // "" for no error
	}{
		{`resource "node_app" "x" { script = "web/index.js" }`, ""},
		{`resource "node_app" "x" { script = "web" }`, ""},
		{`resource "node_app" "x" { script = "site" }`, ""},
		{`resource "node_app" "x" { script = "empty" }`, `script "empty" is a directory holding none of package.json`},
		{`resource "node_app" "x" { script = "web/idnex.js" }`, `script "web/idnex.js" does not exist. Did you mean "web/index.js"?`},
		{`resource "node_app" "x" { script = "wbe/index.js" }`, `Did you mean "web/index.js"?`},
		{`resource "node_app" "x" { script = "zzz/qqqqqq.js" }`, `Fix the path, or create the file`},
		{`resource "python_app" "x" { script = "pyapp" }`, ""},
		{`resource "ruby_app" "x" { script = "web" }`, `"web" is a directory, not a file.`},
		{`resource "python_module" "x" { module = "http.server" }`, ""},
		{`resource "python_module" "x" { module = "ns.other" }`, ""}, // namespace package: may have portions elsewhere
		{`resource "python_module" "x" { module = "tools.cleanup" }`, ""},
		{`resource "python_module" "x" { module = "tools.sub" }`, ""},
		{`resource "python_module" "x" { module = "tools.clenup" }`, `Did you mean "tools.cleanup"?`},
		{`resource "python_module" "x" { module = "tools.nomain" }`, `has no __main__.py`},
		{`resource "python_module" "x" { module = "single.x" }`, `is a module, not a package`},
		{`resource "java_app" "x" { jar = "app.jar" }`, ""},
		{`resource "java_app" "x" { jar = "ap.jar" }`, `Did you mean "app.jar"?`},
		{`resource "java_app" "x" {
  classpath = "nothing/*"
  main      = "com.example.Main"
}`, ""},
		{`resource "go_app" "x" { package = "./cmd/server" }`, ""},
		{`resource "go_app" "x" { package = "example.com/tool@latest" }`, ""},
		{`resource "go_app" "x" { package = "./cmd/sever" }`, `Did you mean "cmd/server"?`},
		{`resource "go_app" "x" { package = "./cmd/onlytests" }`, `holds no .go files`},
		{`resource "go_app" "x" { binary = "bin/server" }`, `binary "bin/server" does not exist`},
	}
	for _, c := range cases {
		fs := map[string]string{"main.trust.hcl": c.body}
		for k, v := range files {
			fs[k] = v
		}
		cfg := mustLoad(t, fs)
		diags := CheckFiles(cfg)
		got := diagText(diags)
		switch {
		case c.want == "" && len(diags) > 0:
			t.Errorf("%s: unexpected diagnostics:\n%s", c.body, got)
		case c.want != "" && !strings.Contains(got, c.want):
			t.Errorf("%s: want %q in:\n%s", c.body, c.want, got)
		case c.want != "" && (len(diags) != 1 || diags[0].Subject == nil || diags[0].Subject.Start.Line == 0):
			t.Errorf("%s: want one located error, got %d:\n%s", c.body, len(diags), got)
		}
	}
}
