package plan

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

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
	// trust.bundle_path, in argv, env and outputs, names the file in the
	// resource's trust set, not lang's per-resource placeholder.
	bundle := filepath.Join(web.TrustDir, layout.BundleName)
	if !strings.HasPrefix(web.TrustDir, layout.TrustDir(dir)) {
		t.Errorf("web trust dir %s is not a trust set directory", web.TrustDir)
	}
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

// loadHCL writes one configuration file to a temporary directory and
// loads it.
func loadHCL(t *testing.T, dir, src string) *lang.Config {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, "main.trust.hcl"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, diags := lang.Load(dir, lang.Options{Now: testNow, GOOS: "linux", DevcertDir: "/devcert"})
	if diags.HasErrors() {
		t.Fatalf("lang.Load: %s", diags.Error())
	}
	return cfg
}

// TestCountShrinkDestroysOnlyTheLastInstance is Terraform's rule: going
// from count = 3 to count = 2 keeps [0] and [1] as they are.
func TestCountShrinkDestroysOnlyTheLastInstance(t *testing.T) {
	dir := t.TempDir()
	pool := func(n int) string {
		return fmt.Sprintf(`trustform {
  developer_certificate_trust = false
}
resource "executable" "worker" {
  count   = %d
  command = "worker"
  args    = ["--id", tostring(count.index)]
}
resource "executable" "region" {
  for_each = { eu = "1", us = "2" }
  command  = "region"
  args     = [each.key, each.value]
}
output "worker_pids" {
  value = executable.worker[*].pid
}
`, n)
	}
	fh := newFakeHost(t)
	first := mustBuild(t, input(loadHCL(t, dir, pool(3)), fh.host(nil)))
	var addrs []string
	for _, ch := range first.Changes {
		if ch.Action != Create {
			t.Errorf("%s: %s", ch.Address, ch.Action)
		}
		addrs = append(addrs, ch.Address)
	}
	want := []string{`executable.region["eu"]`, `executable.region["us"]`, "executable.worker[0]", "executable.worker[1]", "executable.worker[2]"}
	if !slices.Equal(addrs, want) {
		t.Fatalf("first plan: %q, want %q", addrs, want)
	}
	if o := first.Outputs[0]; !o.Unknown || o.Template == nil || len(o.Template.Refs()) != 3 {
		t.Errorf("first plan's worker_pids: %+v", o)
	}
	// Unchanged, the pids are known from state at plan time.
	same := mustBuild(t, withState(input(loadHCL(t, dir, pool(3)), fh.host(nil)), stateFrom(t, first, 1)))
	if o := same.Outputs[0]; o.Unknown || string(o.After) != "[1003,1004,1005]" {
		t.Errorf("no-op plan's worker_pids: unknown %v after %s", o.Unknown, o.After)
	}
	second := mustBuild(t, withState(input(loadHCL(t, dir, pool(2)), fh.host(nil)), stateFrom(t, first, 1)))
	for _, ch := range second.Changes {
		wantAction := NoOp
		if ch.Address == "executable.worker[2]" {
			wantAction = Delete
		}
		if ch.Action != wantAction {
			t.Errorf("%s: %s %v, want %s", ch.Address, ch.Action, ch.Reasons, wantAction)
		}
	}
	if len(second.Changes) != 5 {
		t.Errorf("second plan has %d changes, want 5", len(second.Changes))
	}

	// -target on the block selects every instance; with a key, one.
	for target, want := range map[string][]string{
		"executable.worker":       {"executable.worker[0]", "executable.worker[1]", "executable.worker[2]"},
		"executable.worker[1]":    {"executable.worker[1]"},
		`executable.region["us"]`: {`executable.region["us"]`},
	} {
		in := input(loadHCL(t, dir, pool(3)), fh.host(nil))
		in.Targets = []string{target}
		p := mustBuild(t, in)
		var got []string
		for _, ch := range p.Changes {
			got = append(got, ch.Address)
		}
		if !slices.Equal(got, want) {
			t.Errorf("-target=%s plans %q, want %q", target, got, want)
		}
	}
	in := input(loadHCL(t, dir, pool(3)), fh.host(nil))
	in.Targets = []string{"executable.worker[7]"}
	if _, diags := Build(in); !diags.HasErrors() {
		t.Errorf("-target=executable.worker[7] was accepted")
	}
}

// Plans hide start_period at its default; the two packages must agree on
// what the default is.
func TestDefaultStartPeriodMatchesLang(t *testing.T) {
	d, err := time.ParseDuration(lang.DefaultStartPeriod)
	if err != nil || d != defaultStartPeriod {
		t.Errorf("lang.DefaultStartPeriod = %q, plan's = %s", lang.DefaultStartPeriod, defaultStartPeriod)
	}
}
