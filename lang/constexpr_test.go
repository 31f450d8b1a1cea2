package lang

import (
	"reflect"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

func TestConstantExpr(t *testing.T) {
	for src, want := range map[string]bool{
		`"sleep"`:                            true,
		`3600`:                               true,
		`["3600", "x"]`:                      true,
		`{ A = "1", "B" = ["2"] }`:           true,
		`"a%%{b}$${c}"`:                      true,
		"<<-EOT\n  x\n  EOT\n":               true,
		`("x")`:                              true,
		`"${var.x}"`:                         false,
		`"a${"b"}"`:                          true,
		`[var.x]`:                            false,
		`{ (local.k) = "v" }`:                false,
		`{ A = each.key }`:                   false,
		`upper("x")`:                         false,
		`file("ca.pem")`:                     false,
		`true ? "a" : "b"`:                   false,
		`[for s in ["a"] : s]`:               false,
		`certificate_authority_collection.c`: false,
	} {
		e, diags := hclsyntax.ParseExpression([]byte(src), "t.hcl", hcl.InitialPos)
		if diags.HasErrors() {
			t.Fatalf("%s: %v", src, diags)
		}
		if got := constantExpr(e, false); got != want {
			t.Errorf("constantExpr(%s) = %v, want %v", src, got, want)
		}
	}
}

// Arguments with the same constant text share one evaluation; what
// depends on the instance or on a variable does not, though its text is
// the same in every instance.
func TestConstantArgumentsPerInstance(t *testing.T) {
	cfg := mustLoad(t, map[string]string{
		"main.trust.hcl": `variable "port" {
  default = "8080"
}

resource "executable" "a" {
  command = "sleep"
  args    = ["3600"]
  env     = { ROLE = "worker", PORT = var.port }
}

resource "executable" "b" {
  command = "sleep"
  args    = ["3600"]
  env     = { ROLE = "worker" }
}

resource "executable" "each" {
  for_each = toset(["x", "y"])
  command  = "sleep"
  args     = ["${each.key}"]
  env      = { (each.key) = "1", ROLE = "worker" }
}
`,
	})
	want := map[string]struct {
		args []string
		env  map[string]string
	}{
		"executable.a":         {[]string{"3600"}, map[string]string{"ROLE": "worker", "PORT": "8080"}},
		"executable.b":         {[]string{"3600"}, map[string]string{"ROLE": "worker"}},
		`executable.each["x"]`: {[]string{"x"}, map[string]string{"x": "1", "ROLE": "worker"}},
		`executable.each["y"]`: {[]string{"y"}, map[string]string{"y": "1", "ROLE": "worker"}},
	}
	for addr, w := range want {
		r := resource(t, cfg, addr)
		if !reflect.DeepEqual(r.Args, w.args) || !reflect.DeepEqual(r.Env, w.env) {
			t.Errorf("%s: args %q env %v, want %q %v", addr, r.Args, r.Env, w.args, w.env)
		}
	}
}

func TestCollectionListsShared(t *testing.T) {
	for src, want := range map[string]bool{
		`[certificate_authority_collection.a]`:              true,
		`[certificate_authority_collection.c[0]]`:           true,
		`certificate_authority_collection.c`:                true,
		`[certificate_authority_collection.c[count.index]]`: false,
		`[var.c]`: false,
		`concat([certificate_authority_collection.a])`:       false,
		`var.on ? [certificate_authority_collection.a] : []`: false,
	} {
		e, diags := hclsyntax.ParseExpression([]byte(src), "t.hcl", hcl.InitialPos)
		if diags.HasErrors() {
			t.Fatalf("%s: %v", src, diags)
		}
		if got := constantExpr(e, true); got != want {
			t.Errorf("constantExpr(%s, collections) = %v, want %v", src, got, want)
		}
		if constantExpr(e, false) {
			t.Errorf("constantExpr(%s) without collections = true", src)
		}
	}

	ca := func(name string) string { return makeCA(t, name) }
	cfg := mustLoad(t, map[string]string{
		"a.pem": ca("A"), "b.pem": ca("B"), "c0.pem": ca("C0"), "c1.pem": ca("C1"),
		"main.trust.hcl": `certificate_authority_collection "a" {
  files = ["a.pem"]
}
certificate_authority_collection "b" {
  files = ["b.pem"]
}
certificate_authority_collection "c" {
  count = 2
  files = ["c${count.index}.pem"]
}

resource "executable" "one" {
  command                           = "sleep"
  certificate_authority_collections = [certificate_authority_collection.a]
}
resource "executable" "two" {
  command                           = "sleep"
  certificate_authority_collections = [certificate_authority_collection.a]
}
resource "executable" "three" {
  command                           = "sleep"
  certificate_authority_collections = [certificate_authority_collection.a]
}
resource "executable" "both" {
  command                           = "sleep"
  certificate_authority_collections = [certificate_authority_collection.b, certificate_authority_collection.a]
}
resource "executable" "each" {
  count                             = 2
  command                           = "sleep"
  certificate_authority_collections = [certificate_authority_collection.c[count.index]]
}
`,
	})
	for addr, want := range map[string][]string{
		"executable.one":     {"a"},
		"executable.two":     {"a"},
		"executable.three":   {"a"},
		"executable.both":    {"b", "a"},
		"executable.each[0]": {"c[0]"},
		"executable.each[1]": {"c[1]"},
	} {
		if got := resource(t, cfg, addr).Collections; !reflect.DeepEqual(got, want) {
			t.Errorf("%s collections %q, want %q", addr, got, want)
		}
	}
	// Each resource has its own list: changing one changes no other.
	for _, addr := range []string{"executable.one", "executable.two"} {
		resource(t, cfg, addr).Collections[0] = "changed"
	}
	if got := resource(t, cfg, "executable.three").Collections; !reflect.DeepEqual(got, []string{"a"}) {
		t.Errorf("executable.three shares its collection list: %q", got)
	}
}

// Resources naming the same values share the objects their expressions
// are evaluated with (refGroups); other names, and the instance's own
// count or each, still give each its own values.
func TestSharedReferenceObjects(t *testing.T) {
	cfg := mustLoad(t, map[string]string{
		"main.trust.hcl": `locals {
  v = "one"
  w = "two"
}

resource "executable" "a" {
  command = "sleep"
  env     = { X = local.v }
}
resource "executable" "b" {
  command = "sleep"
  env     = { X = local.v, N = executable.a.command }
}
resource "executable" "c" {
  command = "sleep"
  env     = { X = local.w, N = executable.a.command }
}
resource "executable" "d" {
  count   = 2
  command = "sleep"
  env     = { X = "${local.v}-${count.index}" }
}
`,
	})
	for addr, want := range map[string]map[string]string{
		"executable.a":    {"X": "one"},
		"executable.b":    {"X": "one", "N": "sleep"},
		"executable.c":    {"X": "two", "N": "sleep"},
		"executable.d[0]": {"X": "one-0"},
		"executable.d[1]": {"X": "one-1"},
	} {
		if got := resource(t, cfg, addr).Env; !reflect.DeepEqual(got, want) {
			t.Errorf("%s env %v, want %v", addr, got, want)
		}
	}
}
