package command

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/trustform/trustform/lang"
	"github.com/trustform/trustform/plan"
)

// TestWatchEntriesAndForced loads a real configuration and checks what up
// -watch listens to and which resources a change forces to be replaced.
func TestWatchEntriesAndForced(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("main.trust.hcl", `
variable "greeting" {
  default = "hi"
}
resource "node_app" "web" {
  script = "web/server.js"
  watch  = ["web/*.js"]
}
resource "python_app" "api" {
  script = "api/app.py"
  watch  = ["api"]
}
resource "executable" "worker" {
  command = "/bin/true"
  args    = [file("worker.conf")]
}
`)
	write("web/server.js", "")
	write("api/app.py", "")
	write("worker.conf", "x")
	write("extra.vars", `greeting = "hello"`)
	cfg, diags := lang.Load(dir, lang.Options{Now: time.Now(), GOOS: "linux", Vars: []lang.VarFlag{{File: "extra.vars"}}})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	entries := watchEntries(dir, "/dc", []lang.VarFlag{{File: "extra.vars"}}, cfg)
	for _, want := range []string{
		filepath.Join(dir, "*.trust.hcl"), filepath.Join(dir, "*.trustvars.hcl"),
		filepath.Join(dir, "main.trust.hcl"), filepath.Join(dir, "extra.vars"),
		filepath.Join(dir, "worker.conf"), filepath.Join(dir, "web/*.js"), filepath.Join(dir, "api"),
		"/dc/*.pem",
	} {
		if !slices.Contains(entries, want) {
			t.Errorf("entries lack %s: %q", want, entries)
		}
	}

	all := func(string) bool { return true }
	cases := []struct {
		changed []string
		want    []string
	}{
		{[]string{filepath.Join(dir, "web/server.js")}, []string{"node_app.web"}},
		{[]string{filepath.Join(dir, "api/lib/db.py"), filepath.Join(dir, "web/x.js")}, []string{"node_app.web", "python_app.api"}},
		// A file only the configuration reads is the plan's business.
		{[]string{filepath.Join(dir, "worker.conf")}, nil},
	}
	for _, c := range cases {
		if got := watchForced(cfg, all, c.changed); !slices.Equal(got, c.want) {
			t.Errorf("watchForced(%q) = %q, want %q", c.changed, got, c.want)
		}
	}
	if got := watchForced(cfg, func(a string) bool { return a != "node_app.web" }, []string{filepath.Join(dir, "web/server.js")}); got != nil {
		t.Errorf("a resource not in state was forced: %q", got)
	}
}

func TestWatchChangeLine(t *testing.T) {
	p := &plan.Plan{Changes: []*plan.Change{
		{Address: "executable.new", Action: plan.Create},
		{Address: "node_app.web", Action: plan.Replace},
		{Address: "python_app.api", Action: plan.NoOp},
	}}
	got := watchChangeLine("/p", []string{"/p/web/server.js", "/elsewhere/ca.pem"}, p)
	want := "~ watch: web/server.js, /elsewhere/ca.pem changed: replacing node_app.web; creating executable.new"
	if got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	if got := watchChangeLine("/p", []string{"/p/a", "/p/b", "/p/c", "/p/d"}, &plan.Plan{}); got != "~ watch: a, b, c and 1 more changed: no changes" {
		t.Errorf("got %q", got)
	}
}
