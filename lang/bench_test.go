package lang

import (
	"fmt"
	"strings"
	"testing"
)

// bigConfig writes a configuration of n node_app resources sharing one
// collection of certs certificates, each resource depending on the
// previous one and using locals, variables and trust.* like real files.
func bigConfig(b testing.TB, n, certs int) string {
	var bundle strings.Builder
	for i := range certs {
		bundle.WriteString(makeCA(b, fmt.Sprintf("CA %d", i)))
	}
	var src strings.Builder
	src.WriteString(`variable "log_level" {
  default = "info"
}
locals {
  base_port = 8000
}
certificate_authority_collection "corp" {
  files = ["certs/*.pem"]
}
`)
	for i := range n {
		fmt.Fprintf(&src, `resource "node_app" "app%d" {
  script = "apps/app%d/index.js"
  args   = ["--port", tostring(local.base_port + %d), "--ca", trust.bundle_path]
  env    = { LOG_LEVEL = var.log_level, N = "%d" }
  certificate_authority_collections = [certificate_authority_collection.corp]
`, i, i, i, i)
		if i > 0 {
			fmt.Fprintf(&src, "  depends_on = [node_app.app%d]\n", i-1)
		}
		src.WriteString("}\n")
	}
	return writeFiles(b, map[string]string{
		"main.trust.hcl":   src.String(),
		"certs/bundle.pem": bundle.String(),
	})
}

// BenchmarkLoad1000 loads 1,000 resources sharing one 150-certificate
// collection; the whole plan must stay well under 0.3 s.
func BenchmarkLoad1000(b *testing.B) {
	dir := bigConfig(b, 1000, 150)
	opts := testOptions()
	b.ResetTimer()
	for b.Loop() {
		cfg, diags := Load(dir, opts)
		if diags.HasErrors() {
			b.Fatal(diagText(diags))
		}
		if len(cfg.Resources) != 1000 || len(cfg.Collections["corp"].Certificates) != 150 {
			b.Fatalf("%d resources", len(cfg.Resources))
		}
	}
}

func TestBigConfigLoads(t *testing.T) {
	dir := bigConfig(t, 50, 5)
	cfg, diags := Load(dir, testOptions())
	if diags.HasErrors() {
		t.Fatal(diagText(diags))
	}
	last := resource(t, cfg, "node_app.app49")
	if len(last.DependsOn) != 1 || last.DependsOn[0] != "node_app.app48" || last.Args[1] != "8049" {
		t.Fatalf("got %+v", last)
	}
}
