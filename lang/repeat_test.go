package lang

import (
	"reflect"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/trustform/trustform/internal/addrs"
)

func TestCountAndForEachExpand(t *testing.T) {
	ca := makeCA(t, "pool CA")
	cfg := mustLoad(t, map[string]string{
		"ca.pem": ca,
		"main.trust.hcl": `
certificate_authority_collection "regional" {
  for_each     = toset(["eu", "us"])
  certificates = [file("ca.pem")]
}

resource "executable" "worker" {
  count   = 3
  command = "worker"
  args    = ["--id", "w${count.index}"]
  certificate_authority_collections = [certificate_authority_collection.regional["eu"]]
}

resource "executable" "region" {
  for_each = { eu = "8001", us = "8002" }
  command  = "server"
  args     = ["--port", each.value, "--name", each.key, "--log", executable.worker[1].log_path]
  certificate_authority_collections = certificate_authority_collection.regional
}

resource "executable" "none" {
  count   = 0
  command = "never"
}

resource "executable" "front" {
  command = "front"
  args    = concat(executable.worker[*].log_path, [for r in executable.region : r.trust_bundle_path], executable.none[*].log_path)
}

locals {
  names = [for k, r in executable.region : k]
}

output "names" {
  value = local.names
}
`,
	})
	var got []string
	for _, r := range cfg.Resources {
		got = append(got, r.Address)
	}
	want := []string{`executable.front`, `executable.region["eu"]`, `executable.region["us"]`, `executable.worker[0]`, `executable.worker[1]`, `executable.worker[2]`}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("addresses = %q, want %q", got, want)
	}
	w2 := resource(t, cfg, "executable.worker[2]")
	if w2.Key != addrs.Index(2) || w2.Name != "worker" || !reflect.DeepEqual(w2.Args, []string{"--id", "w2"}) {
		t.Errorf("worker[2]: key %v name %q args %q", w2.Key, w2.Name, w2.Args)
	}
	if !reflect.DeepEqual(w2.Collections, []string{`regional["eu"]`}) {
		t.Errorf("worker[2] collections = %q", w2.Collections)
	}
	if !strings.HasSuffix(w2.Trust.BundlePath, "/executable.worker[2]/cert.pem") {
		t.Errorf("worker[2] bundle path = %s", w2.Trust.BundlePath)
	}
	us := resource(t, cfg, `executable.region["us"]`)
	if us.Key != addrs.StringKeyOf("us") || us.Args[1] != "8002" || us.Args[3] != "us" || !strings.HasSuffix(us.Args[5], "logs/executable.worker[1].log") {
		t.Errorf(`region["us"]: key %v args %q`, us.Key, us.Args)
	}
	if !reflect.DeepEqual(us.Collections, []string{`regional["eu"]`, `regional["us"]`}) {
		t.Errorf(`region["us"] collections = %q`, us.Collections)
	}
	if !reflect.DeepEqual(us.DependsOn, []string{"executable.worker[0]", "executable.worker[1]", "executable.worker[2]"}) {
		t.Errorf(`region["us"] depends on %q`, us.DependsOn)
	}
	if len(cfg.Collections) != 2 || cfg.Collections[`regional["us"]`] == nil {
		t.Errorf("collections = %v", cfg.Collections)
	}
	front := resource(t, cfg, "executable.front")
	if len(front.Args) != 5 || !strings.HasSuffix(front.Args[0], "logs/executable.worker[0].log") ||
		!strings.HasSuffix(front.Args[4], `resources/executable.region[us]/cert.pem`) {
		t.Errorf("front args = %q", front.Args)
	}
	wantDeps := []string{`executable.region["eu"]`, `executable.region["us"]`, "executable.worker[0]", "executable.worker[1]", "executable.worker[2]"}
	if !reflect.DeepEqual(front.DependsOn, wantDeps) {
		t.Errorf("front depends on %q, want %q", front.DependsOn, wantDeps)
	}
	if v := cfg.Outputs[0].Value; !v.RawEquals(cty.TupleVal([]cty.Value{cty.StringVal("eu"), cty.StringVal("us")})) {
		t.Errorf("output names = %#v", v)
	}
}

func TestCountChangesOnlyLastInstance(t *testing.T) {
	src := func(n string) map[string]string {
		return map[string]string{"main.trust.hcl": `
resource "executable" "worker" {
  count   = ` + n + `
  command = "worker"
  args    = [tostring(count.index)]
}
`}
	}
	three, two := mustLoad(t, src("3")), mustLoad(t, src("2"))
	for i, r := range two.Resources {
		if !reflect.DeepEqual(r, three.Resources[i]) && r.Address == three.Resources[i].Address {
			// Paths differ between temporary directories; compare args.
			if !reflect.DeepEqual(r.Args, three.Resources[i].Args) {
				t.Errorf("%s changed: %q -> %q", r.Address, three.Resources[i].Args, r.Args)
			}
		}
	}
	if len(three.Resources) != 3 || len(two.Resources) != 2 || two.Resources[1].Address != "executable.worker[1]" {
		t.Errorf("count 3 -> 2: %d then %d resources", len(three.Resources), len(two.Resources))
	}
}

func TestForEachSensitiveValueStaysSensitive(t *testing.T) {
	cfg := mustLoad(t, map[string]string{"main.trust.hcl": `
variable "token" {
  default   = "s3cret"
  sensitive = true
}
resource "executable" "w" {
  for_each = { eu = var.token }
  command  = "w"
  env      = { TOKEN = each.value }
}
`})
	r := resource(t, cfg, `executable.w["eu"]`)
	if r.Env["TOKEN"] != "s3cret" || !reflect.DeepEqual(r.SensitiveEnv, []string{"TOKEN"}) {
		t.Errorf("env %v sensitive %v", r.Env, r.SensitiveEnv)
	}
}

// TestRepeatErrors checks every count/for_each mistake is reported once,
// at the marked token.
func TestRepeatErrors(t *testing.T) {
	tests := []struct {
		name    string
		src     string
		summary string
		detail  []string
	}{
		{"count not whole", `resource "executable" "w" {
  count   = @@2.5
  command = "w"
}`, "Invalid count argument", []string{"2.5 is not a whole number"}},
		{"count negative", `resource "executable" "w" {
  count   = @@-1
  command = "w"
}`, "Invalid count argument", []string{"-1 is negative"}},
		{"count null", `resource "executable" "w" {
  count   = @@null
  command = "w"
}`, "Invalid count argument", []string{"null"}},
		{"count string", `resource "executable" "w" {
  count   = @@"three"
  command = "w"
}`, "Incorrect attribute value type", []string{"number required"}},
		{"count too big", `resource "executable" "w" {
  count   = @@1e9
  command = "w"
}`, "Invalid count argument", []string{"more than the 10000"}},
		{"count unknown", `resource "executable" "a" {
  command = "a"
}
resource "executable" "w" {
  count   = @@executable.a.pid
  command = "w"
}`, "Invalid count argument", []string{"until apply"}},
		{"for_each list", `resource "executable" "w" {
  for_each = @@["eu", "us"]
  command  = "w"
}`, "Invalid for_each argument", []string{"must be a map, or set of strings", "tuple", "toset"}},
		{"for_each set of numbers", `resource "executable" "w" {
  for_each = @@toset([1, 2])
  command  = "w"
}`, "Invalid for_each argument", []string{"set containing type number"}},
		{"for_each sensitive", `variable "regions" {
  type      = set(string)
  default   = ["eu"]
  sensitive = true
}
resource "executable" "w" {
  for_each = @@var.regions
  command  = "w"
}`, "Invalid for_each argument", []string{"Sensitive values"}},
		{"for_each unknown keys", `resource "executable" "a" {
  command = "a"
}
resource "executable" "w" {
  for_each = @@toset([tostring(executable.a.pid)])
  command  = "w"
}`, "Invalid for_each argument", []string{"until apply"}},
		{"count and for_each", `resource "executable" "w" {
  count    = 1
  @@for_each = toset(["a"])
  command  = "w"
}`, `Invalid combination of "count" and "for_each"`, nil},
		{"each outside for_each", `resource "executable" "w" {
  command = "w"
  args    = [@@each.key]
}`, `Reference to "each" in context without for_each`, nil},
		{"each in counted block", `resource "executable" "w" {
  count   = 2
  command = "w"
  args    = [@@each.key]
}`, `Reference to "each" in context without for_each`, []string{"use count.index"}},
		{"each in output", `output "x" {
  value = @@each.value
}`, `Reference to "each" in context without for_each`, nil},
		{"count outside count", `resource "executable" "w" {
  for_each = toset(["a"])
  command  = "w"
  args     = [tostring(@@count.index)]
}`, `Reference to "count" in non-counted context`, []string{"use each.key"}},
		{"count in its own count", `resource "executable" "w" {
  count   = @@count.index
  command = "w"
}`, `Reference to "count" in the count argument`, nil},
		{"invalid each attribute", `resource "executable" "w" {
  for_each = toset(["a"])
  command  = "w"
  args     = [@@each.name]
}`, `Invalid "each" attribute`, nil},
		{"invalid count attribute", `resource "executable" "w" {
  count   = 1
  command = "w"
  args    = [tostring(@@count.number)]
}`, `Invalid "count" attribute`, nil},
		{"index out of range", `resource "executable" "w" {
  count   = 3
  command = "w"
}
output "x" {
  value = @@executable.w[3].log_path
}`, "Reference to a resource instance that does not exist", []string{"executable.w[3]", "executable.w[0] to executable.w[2]"}},
		{"missing for_each key", `resource "executable" "w" {
  for_each = toset(["eu", "us"])
  command  = "w"
}
resource "executable" "x" {
  command = "x"
  args    = [@@executable.w["eux"].log_path]
}`, "Reference to a resource instance that does not exist", []string{`executable.w["eux"]`, `Did you mean "eu"?`}},
		{"missing collection instance", `certificate_authority_collection "c" {
  count = 1
  files = ["ca.pem"]
}
resource "executable" "x" {
  command = "x"
  certificate_authority_collections = [@@certificate_authority_collection.c[1]]
}`, "Reference to a resource instance that does not exist", []string{"count = 1"}},
		{"missing instance key", `resource "executable" "w" {
  count   = 2
  command = "w"
}
output "x" {
  value = @@executable.w.log_path
}`, "Missing resource instance key", []string{"executable.w[0].log_path", "executable.w[*].log_path"}},
		{"unexpected instance key", `resource "executable" "w" {
  command = "w"
}
output "x" {
  value = @@executable.w[0].log_path
}`, "Unexpected resource instance key", nil},
		{"trust in count", `resource "executable" "w" {
  count   = length(@@trust.bundle_path)
  command = "w"
}`, "trust is not available here", nil},
	}
	ca := makeCA(t, "test CA")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files, file, line, col := markedPos(t, map[string]string{"main.trust.hcl": tt.src + "\n"})
			files["ca.pem"] = ca
			_, diags := load(t, files)
			var found *hcl.Diagnostic
			n := 0
			for _, d := range diags {
				if d.Severity != hcl.DiagError {
					continue
				}
				n++
				if d.Subject != nil && d.Subject.Filename == file && d.Subject.Start.Line == line && d.Subject.Start.Column == col && d.Summary == tt.summary {
					found = d
				}
			}
			if found == nil {
				t.Fatalf("want %q at %s:%d,%d; got:\n%s", tt.summary, file, line, col, diagText(diags))
			}
			if n != 1 {
				t.Errorf("want exactly one error, got %d:\n%s", n, diagText(diags))
			}
			for _, w := range tt.detail {
				if !strings.Contains(found.Detail, w) {
					t.Errorf("detail does not mention %q:\n%s", w, found.Detail)
				}
			}
		})
	}
}

func TestDependsOnInstance(t *testing.T) {
	cfg := mustLoad(t, map[string]string{"main.trust.hcl": `
resource "executable" "w" {
  count   = 2
  command = "w"
}
resource "executable" "x" {
  command    = "x"
  depends_on = [executable.w[1]]
}
`})
	if got := resource(t, cfg, "executable.x").DependsOn; !reflect.DeepEqual(got, []string{"executable.w[0]", "executable.w[1]"}) {
		t.Errorf("depends on %q", got)
	}
	_, diags := load(t, map[string]string{"main.trust.hcl": `
resource "executable" "w" {
  count   = 2
  command = "w"
}
resource "executable" "x" {
  command    = "x"
  depends_on = [executable.w[2]]
}
`})
	if !strings.Contains(diagText(diags), "Reference to a resource instance that does not exist") {
		t.Errorf("depends_on executable.w[2]: %s", diagText(diags))
	}
}
