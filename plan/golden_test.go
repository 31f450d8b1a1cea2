package plan

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"

	"github.com/trustform/trustform/lang"
	"github.com/trustform/trustform/runtimes"
	"github.com/trustform/trustform/state"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// checkGolden compares got with testdata/name, or rewrites it with -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./plan -run %s -update to create it)", err, t.Name())
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs (-want +got); run with -update if the change is intended:\n%s", path, diff)
	}
}

// baseConfig is the two-resource application most scenarios start from.
func baseConfig(t testing.TB, mods ...func(*lang.Config)) *lang.Config {
	web := res("node_app", "web", withCollections("corp"), withDevcert,
		withArgs("--port", "8443"), withEnv("LOG_LEVEL", "info"),
		func(r *lang.Resource) {
			r.ReadyWhen = &lang.ReadyWhen{TCP: "127.0.0.1:8443", Timeout: time.Minute}
			r.DependsOn = []string{"python_app.api"}
		})
	api := res("python_app", "api", withCollections("corp"), withArgs("--port", "9443"))
	api.Attrs.SetStr("script", testDir+"/api/server.py")
	web.Attrs.SetStr("script", testDir+"/web/index.js")
	cfg := testConfig(t, web, api)
	cfg.Outputs = []*lang.Output{{Name: "web_bundle", Value: cty.StringVal(testDir + "/.trustform/resources/node_app.web/cert.pem")}}
	for _, m := range mods {
		m(cfg)
	}
	return cfg
}

func resource(cfg *lang.Config, addr string) *lang.Resource {
	for _, r := range cfg.Resources {
		if r.Address == addr {
			return r
		}
	}
	panic(addr)
}

type scenario struct {
	name string
	in   func(t *testing.T) *Input
}

func goldenScenarios() []scenario {
	host := func(t *testing.T, env map[string]string) Host { return newFakeHost(t).host(env) }
	withCA := func(t *testing.T, in *Input) *Input {
		in.Devcert.CA = loadCert(t, "devcert-ca")
		return in
	}
	// applied is the state after applying the base configuration.
	applied := func(t *testing.T) *state.State {
		p := mustBuild(t, withCA(t, input(baseConfig(t), host(t, nil))))
		st := stateFrom(t, p, 4)
		st.Outputs = map[string]*state.Output{}
		for _, o := range p.Outputs {
			st.Outputs[o.Name] = &state.Output{Value: o.After, Type: o.Type}
		}
		return st
	}
	running := map[string]runtimes.Status{"node_app.web": runtimes.StatusRunning, "python_app.api": runtimes.StatusRunning}
	return []scenario{
		{"create", func(t *testing.T) *Input {
			return withCA(t, input(baseConfig(t), host(t, nil)))
		}},
		{"noop", func(t *testing.T) *Input {
			in := withCA(t, withState(input(baseConfig(t), host(t, nil)), applied(t)))
			in.Refreshed = running
			return in
		}},
		{"replace", func(t *testing.T) *Input {
			cfg := baseConfig(t, func(c *lang.Config) {
				web := resource(c, "node_app.web")
				web.Env["LOG_LEVEL"] = "debug"
				web.Args = []string{"--port", "8443", "--verbose"}
				c.Collections["corp"].Certificates = append(c.Collections["corp"].Certificates, loadCert(t, "user-extra"))
			})
			in := withCA(t, withState(input(cfg, host(t, nil)), applied(t)))
			in.Refreshed = running
			return in
		}},
		{"update", func(t *testing.T) *Input {
			cfg := baseConfig(t, func(c *lang.Config) {
				api := resource(c, "python_app.api")
				api.StopTimeout = 30 * time.Second
				api.ReadyWhen = &lang.ReadyWhen{HTTP: "https://localhost:9443/health", Timeout: 2 * time.Minute}
			})
			in := withCA(t, withState(input(cfg, host(t, nil)), applied(t)))
			in.Refreshed = running
			return in
		}},
		{"delete", func(t *testing.T) *Input {
			cfg := baseConfig(t, func(c *lang.Config) {
				c.Resources = c.Resources[:1]
				c.Outputs = nil
			})
			in := withCA(t, withState(input(cfg, host(t, nil)), applied(t)))
			in.Refreshed = running
			return in
		}},
		{"destroy", func(t *testing.T) *Input {
			in := withCA(t, withState(input(baseConfig(t), host(t, nil)), applied(t)))
			in.Destroy = true
			return in
		}},
		{"drift", func(t *testing.T) *Input {
			in := withCA(t, withState(input(baseConfig(t), host(t, nil)), applied(t)))
			in.Refreshed = map[string]runtimes.Status{"node_app.web": runtimes.StatusExited, "python_app.api": runtimes.StatusRunning}
			return in
		}},
		{"sensitive", func(t *testing.T) *Input {
			r := res("executable", "client", withCollections("corp"),
				withArgs("--token", "hunter2", "--verbose"), withEnv("API_TOKEN", "hunter2", "REGION", "eu"),
				func(r *lang.Resource) {
					r.Attrs.SetStr("command", "/usr/local/bin/client")
					r.SensitiveArgs = []int{1}
					r.SensitiveEnv = []string{"API_TOKEN"}
				})
			cfg := testConfig(t, r)
			cfg.Outputs = []*lang.Output{
				{Name: "token", Sensitive: true, Value: cty.StringVal("hunter2")},
				{Name: "client_pid", Value: cty.UnknownVal(cty.Number)},
			}
			return input(cfg, host(t, nil))
		}},
		{"devcert_pending", func(t *testing.T) *Input {
			cfg := testConfig(t, res("executable", "tool", withDevcert), res("node_app", "web", withCollections("corp"), withDevcert))
			in := input(cfg, host(t, nil))
			in.Devcert.Found = []FoundCert{{Kind: "aspnet", Path: "/home/dev/.aspnet/dev-certs/trust/aspnetcore-localhost.pem", Cert: loadCert(t, "mkcert")}}
			return in
		}},
		{"container", func(t *testing.T) *Input {
			c := res("container", "cache", withCollections("corp"), withScope(runtimes.ScopeOverride),
				withArgs("--tls-ca-cert-file", "/usr/lib/ssl/trustform/cert.pem"),
				func(r *lang.Resource) {
					r.Attrs.SetList("ports", []string{"6380:6380"})
					r.Attrs.SetList("volumes", []string{testDir + "/data:/data:ro"})
				})
			return input(testConfig(t, c), host(t, nil))
		}},
		{"inherited", func(t *testing.T) *Input {
			// The corporate shell: trustform's environment names a bundle
			// in several trust variables; a curl probe in append scope and
			// a strict node client in override get every one decided.
			fh := newFakeHost(t)
			fh.files["/etc/corp/bundle.pem"] = loadCert(t, "user-extra").PEM()
			probe := res("executable", "probe", withCollections("corp"), func(r *lang.Resource) {
				r.Attrs.SetStr("command", "/usr/bin/curl")
			})
			strict := res("node_app", "strict", withCollections("corp"), withScope(runtimes.ScopeOverride),
				withEnv("SSL_CERT_FILE", "/etc/corp/bundle.pem"))
			return input(testConfig(t, probe, strict), fh.host(map[string]string{
				"SSL_CERT_DIR":        "/etc/ssl/certs",
				"CURL_CA_BUNDLE":      "/etc/corp/bundle.pem",
				"NODE_EXTRA_CA_CERTS": "/etc/corp/bundle.pem",
				"AWS_CA_BUNDLE":       "/etc/corp/bundle.pem",
			}))
		}},
		{"override_node_options", func(t *testing.T) *Input {
			r := res("node_app", "web", withCollections("corp"), withScope(runtimes.ScopeOverride))
			return input(testConfig(t, r), host(t, map[string]string{"NODE_OPTIONS": "--max-old-space-size=4096"}))
		}},
	}
}

func TestHumanGolden(t *testing.T) {
	for _, sc := range goldenScenarios() {
		t.Run(sc.name, func(t *testing.T) {
			p := mustBuild(t, sc.in(t))
			var buf bytes.Buffer
			if err := RenderHuman(&buf, p, false); err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(buf.Bytes(), []byte("\x1b[")) {
				t.Error("colour codes without colour")
			}
			if bytes.Contains(buf.Bytes(), []byte("hunter2")) {
				t.Error("a sensitive value was printed")
			}
			checkGolden(t, sc.name+".golden", buf.Bytes())
		})
	}
}

func TestHumanColor(t *testing.T) {
	sc := goldenScenarios()[2] // replace: +, - and ~ all occur
	p := mustBuild(t, sc.in(t))
	var buf bytes.Buffer
	if err := RenderHuman(&buf, p, true); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{ansiGreen + "+" + ansiReset, ansiRed + "-" + ansiReset, ansiYellow + "~" + ansiReset} {
		if !strings.Contains(out, want) {
			t.Errorf("coloured output lacks %q", want)
		}
	}
	var plain bytes.Buffer
	RenderHuman(&plain, p, false)
	stripped := strings.NewReplacer(ansiGreen, "", ansiRed, "", ansiYellow, "", ansiBold, "", ansiReset, "").Replace(out)
	if stripped != plain.String() {
		t.Error("coloured output differs from plain output beyond colour codes")
	}
}

func TestHumanSummaryLine(t *testing.T) {
	for _, sc := range goldenScenarios() {
		p := mustBuild(t, sc.in(t))
		var buf bytes.Buffer
		RenderHuman(&buf, p, false)
		s := p.Summary()
		out := buf.String()
		if !p.HasChanges() {
			if !strings.Contains(out, "No changes. Your processes match the configuration.") {
				t.Errorf("%s: no-change message missing", sc.name)
			}
			continue
		}
		line := "Plan: " + itoa(s.Add) + " to add, " + itoa(s.Change) + " to change, " + itoa(s.Destroy) + " to destroy."
		if !strings.Contains(out, line) {
			t.Errorf("%s: %q missing", sc.name, line)
		}
	}
}

func itoa(i int) string { return strconv.Itoa(i) }
