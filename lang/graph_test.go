package lang

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
)

func TestCycleListsEveryEdge(t *testing.T) {
	src := `resource "node_app" "a" {
  script     = "a.js"
  depends_on = [node_app.b]
}

resource "node_app" "b" {
  script     = "b.js"
  depends_on = [node_app.c]
}

resource "node_app" "c" {
  script = "c.js"
  env    = { A = node_app.a.log_path }
}

resource "node_app" "d" {
  script     = "d.js"
  depends_on = [node_app.a]
}
`
	_, diags := load(t, map[string]string{"main.trust.hcl": src})
	var cycles []*hcl.Diagnostic
	for _, d := range diags {
		if d.Summary == "Dependency cycle" {
			cycles = append(cycles, d)
		}
	}
	if len(cycles) != 1 {
		t.Fatalf("want one cycle diagnostic, got:\n%s", diagText(diags))
	}
	d := cycles[0]
	for _, want := range []string{
		"node_app.a depends on node_app.b (main.trust.hcl:3:17)",
		"node_app.b depends on node_app.c (main.trust.hcl:8:17)",
		"node_app.c depends on node_app.a (main.trust.hcl:13:18)",
	} {
		if !strings.Contains(d.Detail, want) {
			t.Errorf("cycle detail lacks %q:\n%s", want, d.Detail)
		}
	}
	if strings.Contains(d.Detail, "node_app.d depends") {
		t.Errorf("edge outside the cycle listed:\n%s", d.Detail)
	}
	if d.Subject == nil || d.Subject.Start.Line != 3 {
		t.Errorf("subject %v, want the first edge at line 3", d.Subject)
	}
	// node_app.d depends on the cycle: it must not produce follow-on errors.
	if n := len(diags.Errs()); n != 1 {
		t.Errorf("want exactly one error, got %d:\n%s", n, diagText(diags))
	}
}

func TestCycleThroughLocalsAndSelf(t *testing.T) {
	tests := map[string]struct {
		src   string
		edges []string
	}{
		"locals": {
			src: "locals {\n  a = local.b\n  b = local.a\n}\n",
			edges: []string{
				"local.a depends on local.b (main.trust.hcl:2:7)",
				"local.b depends on local.a (main.trust.hcl:3:7)",
			},
		},
		"self reference": {
			src:   "resource \"node_app\" \"a\" {\n  script = \"a.js\"\n  args = [node_app.a.script]\n}\n",
			edges: []string{"node_app.a depends on node_app.a (main.trust.hcl:3:11)"},
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			_, diags := load(t, map[string]string{"main.trust.hcl": tt.src})
			if !diags.HasErrors() {
				t.Fatal("no error")
			}
			d := diags.Errs()[0].(*hcl.Diagnostic)
			if d.Summary != "Dependency cycle" {
				t.Fatalf("got %s", diagText(diags))
			}
			for _, e := range tt.edges {
				if !strings.Contains(d.Detail, e) {
					t.Errorf("detail lacks %q:\n%s", e, d.Detail)
				}
			}
		})
	}
}

func TestDependsOnImplicitAndExplicit(t *testing.T) {
	cfg := mustLoad(t, map[string]string{"main.trust.hcl": `locals {
  api_log = python_app.api.log_path
}

resource "python_app" "api" {
  script = "api.py"
}

resource "node_app" "db" {
  script = "db.js"
}

resource "node_app" "web" {
  script     = "web.js"
  env        = { API_LOG = local.api_log, DB = node_app.db.script }
  depends_on = [executable.tool, node_app.db]
}

resource "executable" "tool" {
  command = "true"
}
`})
	web := resource(t, cfg, "node_app.web")
	want := []string{"executable.tool", "node_app.db", "python_app.api"}
	if !reflect.DeepEqual(web.DependsOn, want) {
		t.Fatalf("DependsOn = %v, want %v", web.DependsOn, want)
	}
	ranges := map[string]string{}
	for k, r := range web.DependsOnRanges {
		ranges[k] = fmt.Sprintf("%d,%d", r.Start.Line, r.Start.Column)
	}
	wantRanges := map[string]string{
		// Through the local: the reference to local.api_log.
		"python_app.api": "15,28",
		// Implicit reference comes before the explicit depends_on entry.
		"node_app.db":     "15,48",
		"executable.tool": "16,17",
	}
	if !reflect.DeepEqual(ranges, wantRanges) {
		t.Errorf("DependsOnRanges = %v, want %v", ranges, wantRanges)
	}
	if got := resource(t, cfg, "python_app.api").DependsOn; len(got) != 0 {
		t.Errorf("api DependsOn = %v", got)
	}
}

func TestGraphOrder(t *testing.T) {
	g := newGraph()
	g.add("d")
	g.connect("a", "b", hcl.Range{})
	g.connect("b", "c", hcl.Range{})
	g.connect("d", "a", hcl.Range{})
	var order []string
	for _, comp := range g.scc() {
		if len(comp) != 1 {
			t.Fatalf("unexpected component %v", comp)
		}
		order = append(order, g.nodes[comp[0]])
	}
	if want := []string{"c", "b", "a", "d"}; !reflect.DeepEqual(order, want) {
		t.Fatalf("order %v, want %v", order, want)
	}
}

func TestGraphLongChainDoesNotRecurse(t *testing.T) {
	g := newGraph()
	const n = 50000
	for i := range n - 1 {
		g.connect(fmt.Sprint(i), fmt.Sprint(i+1), hcl.Range{})
	}
	if comps := g.scc(); len(comps) != n {
		t.Fatalf("got %d components", len(comps))
	}
}

// depends_on orders blocks without reading them, so the attributes of a
// block only depends_on names are not kept for the evaluation; a block an
// expression reads (with or without depends_on) keeps them.
func TestDependsOnDoesNotKeepValues(t *testing.T) {
	dir := writeFiles(t, map[string]string{"main.trust.hcl": `
resource "executable" "a" {
  command = "a"
}
resource "executable" "b" {
  count   = 2
  command = "b"
}
resource "executable" "c" {
  command = "c"
}
resource "executable" "x" {
  command    = "x"
  args       = [executable.c.log_path]
  depends_on = [executable.a, executable.b[1], executable.c]
}
`})
	l := newLoader(dir, testOptions())
	if !l.parse() {
		t.Fatal(diagText(l.diags))
	}
	l.declare()
	l.loadSettings()
	l.loadVariables()
	l.buildGraph()
	l.evaluate()
	if l.diags.HasErrors() {
		t.Fatal(diagText(l.diags))
	}
	for block, want := range map[string]bool{"executable.a": false, "executable.b": false, "executable.c": true} {
		if got := l.g.isNeeded(block); got != want {
			t.Errorf("%s needed %v, want %v", block, got, want)
		}
		kept := l.instances[block][0].attrs != nil
		if kept != want {
			t.Errorf("%s kept its attributes: %v, want %v", block, kept, want)
		}
	}
	x := l.cfg.Resources[len(l.cfg.Resources)-1]
	if got := strings.Join(x.DependsOn, " "); x.Address != "executable.x" || got != "executable.a executable.b[0] executable.b[1] executable.c" || x.Args[0] == "" {
		t.Errorf("%s depends on %q, args %q", x.Address, got, x.Args)
	}
}
