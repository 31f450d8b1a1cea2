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
		if got := constantExpr(e); got != want {
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
