package lang

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
)

// TestWatchArgument checks that watch entries become absolute and that an
// entry matching nothing is a located warning, not an error.
func TestWatchArgument(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"main.trust.hcl": `resource "node_app" "web" {
  script = "web/server.js"
  watch  = ["web/server.js", "web/lib/*.js", "missing.txt"]
}
resource "executable" "plain" {
  command = "/bin/true"
}
`,
		"web/server.js":   "",
		"web/lib/util.js": "",
	})
	cfg, diags := Load(dir, testOptions())
	if diags.HasErrors() {
		t.Fatal(diagText(diags))
	}
	web := resource(t, cfg, "node_app.web")
	want := []string{filepath.Join(dir, "web/server.js"), filepath.Join(dir, "web/lib/*.js"), filepath.Join(dir, "missing.txt")}
	if !slices.Equal(web.Watch, want) {
		t.Errorf("Watch = %q, want %q", web.Watch, want)
	}
	if w := resource(t, cfg, "executable.plain").Watch; w != nil {
		t.Errorf("resource without watch has Watch = %q", w)
	}
	var warned *hcl.Diagnostic
	for _, d := range diags {
		if d.Severity == hcl.DiagWarning && strings.Contains(d.Detail, "missing.txt") {
			warned = d
		}
	}
	if warned == nil || warned.Subject == nil || warned.Subject.Start.Line != 3 {
		t.Errorf("want a warning at line 3 naming missing.txt; got:\n%s", diagText(diags))
	}
}

// TestInputsRecordsFilesRead checks that every file the evaluation read
// or looked for, and every collection pattern, is in Config.Inputs, so up
// -watch sees a changed certificate.
func TestInputsRecordsFilesRead(t *testing.T) {
	ca := makeCA(t, "corp")
	dir := writeFiles(t, map[string]string{
		"main.trust.hcl": `certificate_authority_collection "corp" {
  certificates = [file("certs/corp.pem")]
  files        = ["extra/*.pem"]
}
locals {
  has = fileexists("maybe.txt")
}
resource "executable" "a" {
  command = "/bin/true"
  certificate_authority_collections = [certificate_authority_collection.corp]
}
`,
		"certs/corp.pem":  ca,
		"extra/other.pem": ca,
	})
	cfg, diags := Load(dir, testOptions())
	if diags.HasErrors() {
		t.Fatal(diagText(diags))
	}
	want := []string{filepath.Join(dir, "certs/corp.pem"), filepath.Join(dir, "extra/*.pem"), filepath.Join(dir, "maybe.txt")}
	slices.Sort(want)
	if !slices.Equal(cfg.Inputs, want) {
		t.Errorf("Inputs = %q, want %q", cfg.Inputs, want)
	}
}
