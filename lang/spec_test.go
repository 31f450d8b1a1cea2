package lang

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/trustform/trustform/internal/layout"
	"github.com/trustform/trustform/runtimes"
)

// TestSpecExample loads the example of SPEC section 3 unchanged.
func TestSpecExample(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("testdata", "spec", "main.trust.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	dir := writeFiles(t, map[string]string{
		"main.trust.hcl":      string(src),
		"certs/corp-root.pem": makeCA(t, "Corp Root"),
		"certs/extra/a.pem":   makeCA(t, "Extra A"),
		"certs/extra/b.pem":   makeCA(t, "Extra B"),
	})
	cfg, diags := Load(dir, testOptions())
	if len(diags) != 0 {
		t.Fatal(diagText(diags))
	}
	if got := len(cfg.Collections["corp"].Certificates); got != 3 {
		t.Errorf("corp has %d certificates, want 3", got)
	}
	if cfg.Settings.ContainerRuntime != "auto" || !cfg.Settings.DeveloperCertificateTrust {
		t.Errorf("settings %+v", cfg.Settings)
	}

	api := resource(t, cfg, "python_app.api")
	wantArgs := []string{"--port", "8443", "--cert", "/devcert/localhost.pem", "--key", "/devcert/localhost-key.pem"}
	if !reflect.DeepEqual(api.Args, wantArgs) || api.Attrs.Str("script") != filepath.Join(dir, "api/server.py") ||
		api.WorkingDir != dir || api.ReadyWhen.TCP != "127.0.0.1:8443" || api.ReadyWhen.Timeout != time.Minute ||
		api.Trust.Scope != runtimes.ScopeSystem || api.Program() != "python3" {
		t.Errorf("api %+v", api)
	}

	web := resource(t, cfg, "node_app.web")
	bundle := layout.BundlePath(dir, "node_app.web")
	if !reflect.DeepEqual(web.DependsOn, []string{"python_app.api"}) || !reflect.DeepEqual(web.Collections, []string{"corp"}) ||
		web.TrustConfiguration.Environment["MY_CLIENT_CA"] != bundle || web.Trust.Scope != runtimes.ScopeAppend {
		t.Errorf("web %+v", web)
	}

	cache := resource(t, cfg, "container.cache")
	if !reflect.DeepEqual(cache.Args, []string{"--tls-ca-cert-file", "/usr/lib/ssl/trustform/cert.pem"}) ||
		cache.Trust.Scope != runtimes.ScopeOverride || len(cache.ContainerPaths.BundlePaths) != 1 {
		t.Errorf("cache %+v", cache)
	}

	if len(cfg.Outputs) != 1 || cfg.Outputs[0].Value.AsString() != bundle {
		t.Errorf("outputs %+v", cfg.Outputs)
	}
	if web := resource(t, cfg, "node_app.web"); !reflect.DeepEqual(web.DependsOn, []string{"python_app.api"}) {
		t.Errorf("node_app.web depends on %v", web.DependsOn)
	}
}
