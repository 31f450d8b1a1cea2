package lang

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoad checks that no configuration text makes Load panic.
func FuzzLoad(f *testing.F) {
	seeds := []string{
		"",
		"resource \"node_app\" \"a\" {\n  script = \"a.js\"\n}\n",
		"variable \"x\" {\n  type = list(string)\n  default = [\"a\"]\n  sensitive = true\n}\nresource \"executable\" \"e\" {\n  command = \"x\"\n  args = var.x\n}\n",
		"locals {\n  a = local.b\n  b = local.a\n}\n",
		"resource \"node_app\" \"a\" {\n  script = \"a.js\"\n  depends_on = [node_app.a]\n  env = { X = node_app.a.pid }\n}\n",
		"certificate_authority_collection \"c\" {\n  certificates = [\"-----BEGIN CERTIFICATE-----\\nAAAA\\n-----END CERTIFICATE-----\\n\"]\n}\n",
		"resource \"container\" \"c\" {\n  image = \"x\"\n  container_certificate_paths {\n    custom_certificates_destination = \"/a/../b\"\n  }\n  args = [trust.bundle_path]\n}\n",
		"output \"o\" {\n  value = [for k, v in { a = 1 } : \"${k}=${v}\"]\n}\n",
		"resource \"java_app\" \"j\" {\n  jar = null\n  classpath = \"x\"\n}\n",
		"resource \"node_app\" \"a\" {\n  script = \"a.js\"\n  certificate_authority_collections = [null, 1, {name = \"x\", fingerprints = []}]\n  ready_when { http = \"http://[::1]:1/\" }\n}\n",
		"trustform {\n  developer_certificate_trust = var.x\n}\n",
		"resource \"node_app\" {\n}\nvariable {\n}\nlocals \"x\" {\n}\n",
		"resource \"java_app\" \"j\" {\n  jar = \"\"\n  classpath = \"x\"\n  main = \"m\"\n}\n",
		"variable \"v\" {\n  validation {\n    condition = var.v\n    error_message = 1\n  }\n  default = null\n}\n",
	}
	seeds = append(seeds,
		"resource \"executable\" \"w\" {\n  count = 2\n  command = \"w${count.index}\"\n}\noutput \"p\" {\n  value = [for w in executable.w : \"${w.pid}:${w.since}\"]\n}\n",
		"resource \"executable\" \"r\" {\n  for_each = { a = 1, b = [2] }\n  command = each.key\n  args = [tostring(each.value)]\n}\noutput \"o\" {\n  value = executable.r[\"c\"].pid + 1\n}\n",
		"certificate_authority_collection \"c\" {\n  count = -1.5\n  files = [each.key]\n}\nresource \"executable\" \"x\" {\n  command = \"x\"\n  certificate_authority_collections = certificate_authority_collection.c\n  depends_on = [executable.x[0]]\n}\n",
		"resource \"container\" \"c\" {\n  for_each = toset([\"x\", \"y\"])\n  count = 1\n  image = \"i\"\n}\noutput \"o\" {\n  value = { for k, c in container.c : k => upper(c.container_id) }\n}\n",
	)
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "main.trust.hcl"), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		opts := testOptions()
		opts.Vars = []VarFlag{{Name: "x", Value: "[\"a\", 1]"}}
		cfg, diags := Load(dir, opts)
		if cfg == nil && !diags.HasErrors() {
			t.Fatal("nil config without an error")
		}
		for _, d := range diags {
			if d.Severity == 0 {
				t.Fatalf("diagnostic without severity: %v", d)
			}
		}
	})
}
