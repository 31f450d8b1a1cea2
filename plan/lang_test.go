package plan

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/trustform/trustform/internal/layout"
	"github.com/trustform/trustform/lang"
	"github.com/trustform/trustform/runtimes"
)

// TestPlanFromHCL loads a real configuration with lang.Load and checks
// that lang's trust.* values and computed attributes agree with the paths
// the planner gives the trust material.
func TestPlanFromHCL(t *testing.T) {
	dir, err := filepath.Abs(filepath.Join("testdata", "config", "app"))
	if err != nil {
		t.Fatal(err)
	}
	cfg, diags := lang.Load(dir, lang.Options{Now: testNow, GOOS: "linux", DevcertDir: "/home/dev/.local/share/trustform/devcert"})
	if diags.HasErrors() {
		t.Fatalf("lang.Load: %s", diags.Error())
	}
	fh := newFakeHost(t)
	in := input(cfg, fh.host(nil))
	p := mustBuild(t, in)

	web := change(t, p, "node_app.web").After
	bundle := layout.BundlePath(dir, "node_app.web")
	if diff := cmp.Diff([]string{"node", filepath.Join(dir, "web", "index.js"), "--ca-file", bundle}, web.Argv); diff != "" {
		t.Errorf("web argv (-want +got):\n%s", diff)
	}
	if web.Env["MY_CLIENT_CA"] != bundle || web.Env["NODE_EXTRA_CA_CERTS"] != bundle || web.Env["API_URL"] != "https://localhost:9443" {
		t.Errorf("web env %v", web.Env)
	}
	if len(web.Certificates) != 2 || web.Certificates[0].Subject != "CN=Corp Root CA,O=Example" {
		t.Errorf("web certificates %+v", web.Certificates)
	}
	if !slices.Equal(web.DependsOn, []string{"python_app.api"}) {
		t.Errorf("web depends_on %v", web.DependsOn)
	}

	api := change(t, p, "python_app.api").After
	if api.Scope != runtimes.ScopeSystem || len(api.Certificates) != 4 {
		t.Errorf("api scope %s with %d certificates, want system with corp and system roots", api.Scope, len(api.Certificates))
	}
	if len(api.SensitiveArgs) != 1 || api.Argv[api.SensitiveArgs[0]] != "hunter2" {
		t.Errorf("api sensitive args %v in %v", api.SensitiveArgs, api.Argv)
	}

	cache := change(t, p, "container.cache").After
	if cache.Container == nil || !slices.Equal(cache.Container.Args, []string{"--tls-ca-cert-file", "/usr/lib/ssl/trustform/cert.pem"}) {
		t.Errorf("container args %+v", cache.Container)
	}
	if cache.Env["SSL_CERT_FILE"] != "/usr/lib/ssl/trustform/cert.pem" {
		t.Errorf("container env %v", cache.Env)
	}

	if len(p.Outputs) != 1 || string(p.Outputs[0].After) != `"`+bundle+`"` {
		t.Errorf("outputs %+v", p.Outputs)
	}
	if len(p.ConfigDigest) != 64 {
		t.Errorf("config digest %q", p.ConfigDigest)
	}

	// Applied, the same configuration plans no change.
	again := mustBuild(t, withState(input(cfg, fh.host(nil)), stateFrom(t, p, 1)))
	for _, ch := range again.Changes {
		if ch.Action != NoOp {
			t.Errorf("%s: %s %v", ch.Address, ch.Action, ch.Reasons)
		}
	}
}
