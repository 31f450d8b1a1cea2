package lang

import (
	"fmt"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"github.com/trustform/trustform/internal/deferred"
)

// TestOutputTemplates checks that outputs referring to pid, container_id
// and since become templates that, filled with the values apply records,
// give what HCL would have computed.
func TestOutputTemplates(t *testing.T) {
	cfg, diags := load(t, map[string]string{"main.trust.hcl": `
resource "executable" "worker" {
  count   = 3
  command = "w"
}
resource "executable" "region" {
  for_each = toset(["eu", "us"])
  command  = "r"
}
resource "container" "db" {
  image = "db"
}
locals {
  pids = executable.worker[*].pid
}
output "worker_pids" {
  value = executable.worker[*].pid
}
output "via_local" {
  value = local.pids
}
output "for_list" {
  value = [for w in executable.worker : "${w.pid}@${w.since}"]
}
output "by_region" {
  value = { for k, r in executable.region : k => { pid = r.pid, log = r.log_path } }
}
output "db" {
  value = "id=${container.db.container_id}!"
}
output "plus_one" {
  value = executable.worker[0].pid + 1
}
output "known" {
  value = executable.worker[0].log_path
}
`})
	if diags.HasErrors() {
		t.Fatal(diagText(diags))
	}
	var warned bool
	for _, d := range diags {
		if d.Severity == hcl.DiagWarning && d.Summary == "Output value cannot be computed after apply" {
			warned = true
		}
	}
	if !warned {
		t.Errorf("no warning for plus_one:\n%s", diagText(diags))
	}
	lookup := func(ref deferred.Ref) (cty.Value, error) {
		switch ref.Attr {
		case AttrPID:
			return cty.NumberIntVal(int64(100 + len(ref.Address))), nil
		case AttrSince:
			return cty.StringVal("2026-12-04T00:00:00Z"), nil
		case AttrContainerID:
			return cty.StringVal("c0ffee"), nil
		}
		return cty.NilVal, fmt.Errorf("unexpected %v", ref)
	}
	want := map[string]string{
		"worker_pids": `[120,120,120]`,
		"via_local":   `[120,120,120]`,
		"for_list":    `["120@2026-12-04T00:00:00Z","120@2026-12-04T00:00:00Z","120@2026-12-04T00:00:00Z"]`,
		"by_region":   fmt.Sprintf(`{"eu":{"log":%q,"pid":123},"us":{"log":%q,"pid":123}}`, cfg.Dir+`/.trustform/logs/executable.region[eu].log`, cfg.Dir+`/.trustform/logs/executable.region[us].log`),
		"db":          `"id=c0ffee!"`,
	}
	for _, o := range cfg.Outputs {
		switch o.Name {
		case "known":
			if !o.Value.IsWhollyKnown() || o.Template != nil {
				t.Errorf("known: value %#v template %v", o.Value, o.Template)
			}
			continue
		case "plus_one":
			if o.Template != nil {
				t.Errorf("plus_one has a template; it computes with the pid")
			}
			continue
		}
		if o.Template == nil {
			t.Errorf("%s: no template", o.Name)
			continue
		}
		v, err := deferred.Resolve(o.Template, o.Value.Type(), lookup)
		if err != nil {
			t.Errorf("%s: %v", o.Name, err)
			continue
		}
		js, _ := ctyjson.Marshal(v, v.Type())
		if string(js) != want[o.Name] {
			t.Errorf("%s = %s, want %s", o.Name, js, want[o.Name])
		}
	}
}
