package lang

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/trustform/trustform/internal/layout"
	"github.com/trustform/trustform/runtimes"
)

func TestResourceTypes(t *testing.T) {
	tests := []struct {
		name  string
		src   string
		check func(t *testing.T, dir string, r *Resource)
	}{
		{"executable", `resource "executable" "x" {
  command = "/bin/echo"
  args    = ["hi"]
}`, func(t *testing.T, dir string, r *Resource) {
			if r.Attrs.Str("command") != "/bin/echo" || !reflect.DeepEqual(r.Args, []string{"hi"}) || r.Program() != "" {
				t.Errorf("got command %q args %v program %q", r.Attrs.Str("command"), r.Args, r.Program())
			}
		}},
		{"node_app", `resource "node_app" "x" {
  script = "web/index.js"
  node   = "/opt/node/bin/node"
}`, func(t *testing.T, dir string, r *Resource) {
			if r.Attrs.Str("script") != filepath.Join(dir, "web/index.js") || r.Program() != "/opt/node/bin/node" {
				t.Errorf("script %q program %q", r.Attrs.Str("script"), r.Program())
			}
		}},
		{"npm_app default script", `resource "npm_app" "x" {
}`, func(t *testing.T, dir string, r *Resource) {
			if r.Attrs.Str("script") != "start" || r.Program() != "npm" {
				t.Errorf("script %q program %q", r.Attrs.Str("script"), r.Program())
			}
		}},
		{"python_app", `resource "python_app" "x" {
  script = "/srv/app.py"
}`, func(t *testing.T, dir string, r *Resource) {
			if r.Attrs.Str("script") != "/srv/app.py" || r.Program() != "python3" || r.Scope != runtimes.ScopeSystem || r.ScopeSet {
				t.Errorf("script %q program %q scope %q set %v", r.Attrs.Str("script"), r.Program(), r.Scope, r.ScopeSet)
			}
		}},
		{"python_module", `resource "python_module" "x" {
  module = "http.server"
  python = ".venv/bin/python"
}`, func(t *testing.T, dir string, r *Resource) {
			// The interpreter may be a relative path into a virtualenv; it
			// is left as written (resolved by the launcher in working_dir).
			if r.Attrs.Str("module") != "http.server" || r.Program() != ".venv/bin/python" {
				t.Errorf("module %q program %q", r.Attrs.Str("module"), r.Program())
			}
		}},
		{"dotnet_project", `resource "dotnet_project" "x" {
  project = "src/Api"
  dotnet  = "dotnet"
}`, func(t *testing.T, dir string, r *Resource) {
			if r.Attrs.Str("project") != filepath.Join(dir, "src/Api") || r.Program() != "dotnet" {
				t.Errorf("project %q program %q", r.Attrs.Str("project"), r.Program())
			}
		}},
		{"container", `resource "container" "x" {
  image        = "redis:7"
  entrypoint   = "/bin/sh"
  ports        = ["8443:443"]
  network      = "host"
  volumes      = ["./data:/data:ro"]
  runtime_args = ["--init"]
}`, func(t *testing.T, dir string, r *Resource) {
			want := ContainerPaths{
				Destination:    runtimes.DefaultContainerDestination,
				BundlePaths:    runtimes.DefaultContainerBundlePaths(),
				DirectoryPaths: runtimes.DefaultContainerDirectoryPaths(),
			}
			if r.Attrs.Str("image") != "redis:7" || r.Attrs.Str("entrypoint") != "/bin/sh" || r.Attrs.Str("network") != "host" ||
				!reflect.DeepEqual(r.Attrs.List("ports"), []string{"8443:443"}) || !reflect.DeepEqual(r.Attrs.List("volumes"), []string{"./data:/data:ro"}) ||
				!reflect.DeepEqual(r.Attrs.List("runtime_args"), []string{"--init"}) || !reflect.DeepEqual(r.ContainerPaths, want) {
				t.Errorf("got %+v", r)
			}
		}},
		{"container paths replace defaults", `resource "container" "x" {
  image = "alpine"
  container_certificate_paths {
    custom_certificates_destination  = "/opt/ca"
    default_certificate_bundle_paths = ["/etc/ssl/cert.pem"]
  }
}`, func(t *testing.T, dir string, r *Resource) {
			if r.ContainerPaths.Destination != "/opt/ca" ||
				!reflect.DeepEqual(r.ContainerPaths.BundlePaths, []string{"/etc/ssl/cert.pem"}) ||
				!reflect.DeepEqual(r.ContainerPaths.DirectoryPaths, runtimes.DefaultContainerDirectoryPaths()) {
				t.Errorf("got %+v", r.ContainerPaths)
			}
			if r.Trust.BundlePath != "/opt/ca/cert.pem" || r.Trust.DirectoriesPath != "/opt/ca/certs" {
				t.Errorf("trust %+v", r.Trust)
			}
		}},
		{"java_app jar", `resource "java_app" "x" {
  jar      = "build/app.jar"
  jvm_args = ["-Xmx256m"]
  java     = "/usr/bin/java"
}`, func(t *testing.T, dir string, r *Resource) {
			if r.Attrs.Str("jar") != filepath.Join(dir, "build/app.jar") || !reflect.DeepEqual(r.Attrs.List("jvm_args"), []string{"-Xmx256m"}) || r.Program() != "/usr/bin/java" {
				t.Errorf("got jar %q jvm %v program %q", r.Attrs.Str("jar"), r.Attrs.List("jvm_args"), r.Program())
			}
		}},
		{"java_app classpath", `resource "java_app" "x" {
  classpath = "lib/*"
  main      = "com.example.Main"
}`, func(t *testing.T, dir string, r *Resource) {
			if r.Attrs.Str("classpath") != "lib/*" || r.Attrs.Str("main") != "com.example.Main" || r.Attrs.Str("jar") != "" || r.Program() != "java" {
				t.Errorf("got %+v", r)
			}
		}},
		{"go_app package", `resource "go_app" "x" {
  package = "./cmd/server"
}`, func(t *testing.T, dir string, r *Resource) {
			if r.Attrs.Str("package") != "./cmd/server" || r.Program() != "go" {
				t.Errorf("package %q program %q", r.Attrs.Str("package"), r.Program())
			}
		}},
		{"go_app binary", `resource "go_app" "x" {
  binary = "bin/server"
}`, func(t *testing.T, dir string, r *Resource) {
			if r.Attrs.Str("binary") != filepath.Join(dir, "bin/server") {
				t.Errorf("binary %q", r.Attrs.Str("binary"))
			}
		}},
		{"ruby_app", `resource "ruby_app" "x" {
  script = "app.rb"
  ruby   = "ruby3.3"
}`, func(t *testing.T, dir string, r *Resource) {
			if r.Attrs.Str("script") != filepath.Join(dir, "app.rb") || r.Program() != "ruby3.3" {
				t.Errorf("script %q program %q", r.Attrs.Str("script"), r.Program())
			}
		}},
		{"deno_app", `resource "deno_app" "x" {
  script      = "main.ts"
  permissions = ["--allow-net"]
}`, func(t *testing.T, dir string, r *Resource) {
			if r.Attrs.Str("script") != filepath.Join(dir, "main.ts") || !reflect.DeepEqual(r.Attrs.List("permissions"), []string{"--allow-net"}) || r.Program() != "deno" {
				t.Errorf("got %+v", r)
			}
		}},
		{"bun_app", `resource "bun_app" "x" {
  script = "index.ts"
  bun    = "/opt/bun"
}`, func(t *testing.T, dir string, r *Resource) {
			if r.Attrs.Str("script") != filepath.Join(dir, "index.ts") || r.Program() != "/opt/bun" {
				t.Errorf("got %+v", r)
			}
		}},
		{"common arguments", `resource "node_app" "x" {
  script       = "a.js"
  working_dir  = "web"
  stop_timeout = "1m30s"
  env          = { A = "1", B = "2" }
  ready_when {
    http    = "https://127.0.0.1:8443/health"
    timeout = "5s"
  }
}`, func(t *testing.T, dir string, r *Resource) {
			if r.WorkingDir != filepath.Join(dir, "web") || r.StopTimeout != 90*time.Second ||
				!reflect.DeepEqual(r.Env, map[string]string{"A": "1", "B": "2"}) {
				t.Errorf("got %+v", r)
			}
			if r.ReadyWhen == nil || r.ReadyWhen.HTTP != "https://127.0.0.1:8443/health" || r.ReadyWhen.Timeout != 5*time.Second {
				t.Errorf("ready_when %+v", r.ReadyWhen)
			}
		}},
		{"defaults", `resource "node_app" "x" {
  script = "a.js"
  ready_when {
    tcp = "127.0.0.1:80"
  }
}`, func(t *testing.T, dir string, r *Resource) {
			if r.WorkingDir != dir || r.StopTimeout != 10*time.Second || r.ReadyWhen.Timeout != 60*time.Second || r.ReadyWhen.TCP != "127.0.0.1:80" {
				t.Errorf("got %+v ready %+v", r, r.ReadyWhen)
			}
			if r.Args != nil || r.Env != nil || r.TrustConfiguration != nil {
				t.Errorf("unset arguments not empty: %+v", r)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{"main.trust.hcl": tt.src})
			cfg, diags := Load(dir, testOptions())
			if diags.HasErrors() {
				t.Fatal(diagText(diags))
			}
			if len(cfg.Resources) != 1 {
				t.Fatalf("%d resources", len(cfg.Resources))
			}
			r := cfg.Resources[0]
			if r.Runtime == nil || r.Runtime.Type != r.Type || r.Address != r.Type+"."+r.Name {
				t.Fatalf("bad identity %+v", r)
			}
			tt.check(t, dir, r)
		})
	}
}

func TestTrustValues(t *testing.T) {
	ca := makeCA(t, "corp")
	collection := "certificate_authority_collection \"corp\" {\n  certificates = [file(\"ca.pem\")]\n}\n"
	tests := []struct {
		name    string
		src     string
		environ []string
		goos    string
		addr    string
		scope   runtimes.Scope // Trust.Scope
		devcert bool
		process bool // host paths expected
	}{
		{name: "developer trust by default", src: `resource "node_app" "a" { script = "a.js" }`,
			addr: "node_app.a", scope: runtimes.ScopeAppend, devcert: true, process: true},
		{name: "no certificates means none", src: `resource "node_app" "a" {
  script                      = "a.js"
  developer_certificate_trust = false
}`, addr: "node_app.a", scope: runtimes.ScopeNone},
		{name: "collections without developer trust", src: collection + `resource "python_app" "a" {
  script                            = "a.py"
  developer_certificate_trust       = false
  certificate_authority_collections = [certificate_authority_collection.corp]
}`, addr: "python_app.a", scope: runtimes.ScopeSystem, process: true},
		{name: "scope none", src: `resource "node_app" "a" {
  script                  = "a.js"
  certificate_trust_scope = "none"
}`, addr: "node_app.a", scope: runtimes.ScopeNone, devcert: true},
		{name: "trustform block default false", src: `trustform {
  developer_certificate_trust = false
}
resource "node_app" "a" { script = "a.js" }`, addr: "node_app.a", scope: runtimes.ScopeNone},
		{name: "environment overrides the file", src: `trustform {
  developer_certificate_trust = true
}
resource "node_app" "a" { script = "a.js" }`, environ: []string{EnvDeveloperCertificateTrust + "=0"},
			addr: "node_app.a", scope: runtimes.ScopeNone},
		{name: "resource setting beats environment", src: `resource "node_app" "a" {
  script                      = "a.js"
  developer_certificate_trust = true
}`, environ: []string{EnvDeveloperCertificateTrust + "=false"},
			addr: "node_app.a", scope: runtimes.ScopeAppend, devcert: true, process: true},
		{name: "environment turns it on", src: `trustform {
  developer_certificate_trust = false
}
resource "node_app" "a" { script = "a.js" }`, environ: []string{EnvDeveloperCertificateTrust + "=1"},
			addr: "node_app.a", scope: runtimes.ScopeAppend, devcert: true, process: true},
		{name: "dotnet on windows", src: `resource "dotnet_project" "a" { project = "p" }`, goos: "windows",
			addr: "dotnet_project.a", scope: runtimes.ScopeNone, devcert: true},
		{name: "dotnet on linux", src: `resource "dotnet_project" "a" { project = "p" }`,
			addr: "dotnet_project.a", scope: runtimes.ScopeAppend, devcert: true, process: true},
		{name: "container", src: `resource "container" "a" { image = "x" }`,
			addr: "container.a", scope: runtimes.ScopeAppend, devcert: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{"main.trust.hcl": tt.src, "ca.pem": ca})
			opts := testOptions()
			opts.Environ = tt.environ
			if tt.goos != "" {
				opts.GOOS = tt.goos
			}
			cfg, diags := Load(dir, opts)
			if diags.HasErrors() {
				t.Fatal(diagText(diags))
			}
			r := resource(t, cfg, tt.addr)
			if r.Trust.Scope != tt.scope || r.DeveloperCertificateTrust != tt.devcert {
				t.Fatalf("trust %+v devcert %v, want scope %s devcert %v", r.Trust, r.DeveloperCertificateTrust, tt.scope, tt.devcert)
			}
			switch {
			case tt.scope == runtimes.ScopeNone:
				if r.Trust.BundlePath != "" || r.Trust.DirectoriesPath != "" {
					t.Errorf("paths set for scope none: %+v", r.Trust)
				}
			case tt.process:
				if r.Trust.BundlePath != layout.BundlePath(dir, tt.addr) || r.Trust.DirectoriesPath != layout.CertsDir(dir, tt.addr) {
					t.Errorf("trust %+v", r.Trust)
				}
			default:
				if r.Trust.BundlePath != "/usr/lib/ssl/trustform/cert.pem" || r.Trust.DirectoriesPath != "/usr/lib/ssl/trustform/certs" {
					t.Errorf("trust %+v", r.Trust)
				}
			}
		})
	}
}

func TestTrustReferences(t *testing.T) {
	dir := writeFiles(t, map[string]string{"main.trust.hcl": `resource "node_app" "web" {
  script = "web.js"
  args   = ["--scope", trust.scope]
  certificate_trust_configuration {
    environment = { MY_CA = trust.bundle_path, MY_DIR = trust.directories_path }
    arguments   = ["--ca-file", trust.bundle_path]
  }
}

resource "container" "c" {
  image = "redis:7"
  args  = ["--tls-ca-cert-file", trust.bundle_path, node_app.web.trust_bundle_path]
}

resource "node_app" "off" {
  script                  = "off.js"
  certificate_trust_scope = "none"
  args                    = ["[${trust.bundle_path}]", trust.scope]
}
`})
	cfg, diags := Load(dir, testOptions())
	if diags.HasErrors() {
		t.Fatal(diagText(diags))
	}
	web := resource(t, cfg, "node_app.web")
	bundle := layout.BundlePath(dir, "node_app.web")
	if !reflect.DeepEqual(web.Args, []string{"--scope", "append"}) {
		t.Errorf("args %v", web.Args)
	}
	tc := web.TrustConfiguration
	if tc == nil || !reflect.DeepEqual(tc.Arguments, []string{"--ca-file", bundle}) ||
		!reflect.DeepEqual(tc.Environment, map[string]string{"MY_CA": bundle, "MY_DIR": layout.CertsDir(dir, "node_app.web")}) {
		t.Errorf("trust configuration %+v", tc)
	}
	c := resource(t, cfg, "container.c")
	if want := []string{"--tls-ca-cert-file", "/usr/lib/ssl/trustform/cert.pem", bundle}; !reflect.DeepEqual(c.Args, want) {
		t.Errorf("container args %v, want %v", c.Args, want)
	}
	if !reflect.DeepEqual(c.DependsOn, []string{"node_app.web"}) {
		t.Errorf("container depends on %v", c.DependsOn)
	}
	off := resource(t, cfg, "node_app.off")
	if !reflect.DeepEqual(off.Args, []string{"[]", "none"}) {
		t.Errorf("off args %v", off.Args)
	}
}

func TestReferencesAndBuiltins(t *testing.T) {
	dir := writeFiles(t, map[string]string{"main.trust.hcl": `resource "node_app" "a" {
  script = "a.js"
  env    = { X = "1" }
}

resource "executable" "b" {
  command = "run"
  args = [
    node_app.a.script,
    node_app.a.env.X,
    node_app.a.working_dir,
    node_app.a.node,
    node_app.a.stop_timeout,
    node_app.a.log_path,
    node_app.a.trust_directory_path,
    node_app.a.certificate_trust_scope,
    path.root,
    devcert.localhost.cert_file,
    devcert.localhost.key_file,
    devcert.ca_cert_file,
  ]
}

output "pid" {
  value = node_app.a.pid
}
`})
	cfg, diags := Load(dir, testOptions())
	if diags.HasErrors() {
		t.Fatal(diagText(diags))
	}
	want := []string{
		filepath.Join(dir, "a.js"), "1", dir, "node", "10s",
		layout.LogPath(dir, "node_app.a"), layout.CertsDir(dir, "node_app.a"), "append",
		dir, "/devcert/localhost.pem", "/devcert/localhost-key.pem", "/devcert/ca.pem",
	}
	if got := resource(t, cfg, "executable.b").Args; !reflect.DeepEqual(got, want) {
		t.Errorf("args\n got %q\nwant %q", got, want)
	}
	if len(cfg.Outputs) != 1 || cfg.Outputs[0].Value.IsKnown() || cfg.Outputs[0].Value.Type() != cty.Number {
		t.Errorf("pid output %#v", cfg.Outputs)
	}
}

func TestVariablePrecedence(t *testing.T) {
	src := `variable "a" {
  default = "default"
}
variable "b" {
  default = "default"
}
variable "c" {
  default = "default"
}
variable "d" {
  default = "default"
}
variable "e" {
  default = "default"
}
variable "port" {
  type = number
}
variable "names" {
  type    = list(string)
  default = []
}
variable "obj" {
  type = object({ host = string, port = optional(number, 443) })
  default = { host = "h" }
}
resource "executable" "x" {
  command = "x"
  args    = [var.a, var.b, var.c, var.d, var.e, tostring(var.port), join(",", var.names), "${var.obj.host}:${var.obj.port}"]
}
`
	dir := writeFiles(t, map[string]string{
		"main.trust.hcl":          src,
		"a.trustvars.hcl":         "b = \"auto-a\"\nc = \"auto-a\"\nd = \"auto-a\"\nunknown_var = 1\n",
		"trustform.trustvars.hcl": "c = \"auto-trustform\"\nd = \"auto-trustform\"\n",
		"prod.vars.hcl":           "d = \"var-file\"\ne = \"var-file\"\n",
	})
	opts := testOptions()
	opts.Environ = []string{
		"TRUSTFORM_VAR_a=env", "TRUSTFORM_VAR_b=env", "TRUSTFORM_VAR_port=8080",
		`TRUSTFORM_VAR_names=["x", "y"]`,
	}
	opts.Vars = []VarFlag{{Name: "e", Value: "early"}, {File: "prod.vars.hcl"}, {Name: "e", Value: "cli"}}
	cfg, diags := Load(dir, opts)
	if diags.HasErrors() {
		t.Fatal(diagText(diags))
	}
	want := []string{"env", "auto-a", "auto-trustform", "var-file", "cli", "8080", "x,y", "h:443"}
	if got := resource(t, cfg, "executable.x").Args; !reflect.DeepEqual(got, want) {
		t.Errorf("args %q, want %q", got, want)
	}
	var warned bool
	for _, d := range diags {
		if d.Severity == hcl.DiagWarning && d.Summary == "Value for undeclared variable" && d.Subject != nil &&
			d.Subject.Filename == "a.trustvars.hcl" && d.Subject.Start.Line == 4 {
			warned = true
		}
	}
	if !warned {
		t.Errorf("no warning for unknown_var:\n%s", diagText(diags))
	}
	if v := cfg.Variables["port"]; v == nil || !v.Value.RawEquals(cty.NumberIntVal(8080)) || v.Type != cty.Number {
		t.Errorf("port variable %#v", v)
	}
}

func TestVariableFromCLIErrors(t *testing.T) {
	src := "variable \"port\" {\n  type = number\n}\n"
	for name, vars := range map[string][]VarFlag{
		"undeclared": {{Name: "prot", Value: "1"}, {Name: "port", Value: "1"}},
		"bad number": {{Name: "port", Value: "eighty"}},
	} {
		t.Run(name, func(t *testing.T) {
			opts := testOptions()
			opts.Vars = vars
			_, diags := Load(writeFiles(t, map[string]string{"main.trust.hcl": src}), opts)
			if !diags.HasErrors() {
				t.Fatal("no error")
			}
			text := diagText(diags)
			if name == "undeclared" && !strings.Contains(text, `Did you mean "port"?`) {
				t.Errorf("no suggestion: %s", text)
			}
			if name == "bad number" && !strings.Contains(text, "<value for var.port from -var>") {
				t.Errorf("error not located on the -var value: %s", text)
			}
		})
	}
}

func TestSensitive(t *testing.T) {
	cfg := mustLoad(t, map[string]string{"main.trust.hcl": `variable "token" {
  default   = "s3cret"
  sensitive = true
}
variable "flags" {
  type      = list(string)
  default   = ["-a", "-b"]
  sensitive = true
}
variable "plain" {
  default = "p"
}
locals {
  header = "Authorization: ${var.token}"
}
resource "executable" "x" {
  command = "curl-${var.token}"
  args    = ["-H", local.header, var.plain]
  env     = { TOKEN = var.token, PLAIN = var.plain }
  certificate_trust_configuration {
    arguments   = [var.plain, var.token]
    environment = { T = var.token, P = var.plain }
  }
}
resource "executable" "y" {
  command = "y"
  args    = var.flags
}
resource "executable" "z" {
  command = "z"
  args    = [executable.x.env.TOKEN, executable.x.env.PLAIN]
}
output "token" {
  value     = var.token
  sensitive = true
}
`})
	x := resource(t, cfg, "executable.x")
	if !reflect.DeepEqual(x.Args, []string{"-H", "Authorization: s3cret", "p"}) {
		t.Errorf("args %q", x.Args)
	}
	if !reflect.DeepEqual(x.SensitiveArgs, []int{1}) || !reflect.DeepEqual(x.SensitiveEnv, []string{"TOKEN"}) ||
		!reflect.DeepEqual(x.SensitiveAttrs, []string{"command"}) {
		t.Errorf("sensitive args %v env %v attrs %v", x.SensitiveArgs, x.SensitiveEnv, x.SensitiveAttrs)
	}
	tc := x.TrustConfiguration
	if !reflect.DeepEqual(tc.SensitiveArguments, []int{1}) || !reflect.DeepEqual(tc.SensitiveEnvironment, []string{"T"}) {
		t.Errorf("trust configuration sensitive %v %v", tc.SensitiveArguments, tc.SensitiveEnvironment)
	}
	if y := resource(t, cfg, "executable.y"); !reflect.DeepEqual(y.SensitiveArgs, []int{0, 1}) {
		t.Errorf("whole sensitive list: %v", y.SensitiveArgs)
	}
	// Marks follow references to other resources' arguments.
	if z := resource(t, cfg, "executable.z"); !reflect.DeepEqual(z.SensitiveArgs, []int{0}) {
		t.Errorf("through a resource reference: %v", z.SensitiveArgs)
	}
	if v := cfg.Variables["token"]; !v.Sensitive || v.Value.IsMarked() || v.Value.AsString() != "s3cret" {
		t.Errorf("variable %#v", v)
	}
	if o := cfg.Outputs[0]; !o.Sensitive || o.Value.ContainsMarked() {
		t.Errorf("output %#v", o)
	}
}

func TestSyntaxErrorKeepsFiles(t *testing.T) {
	cfg, diags := load(t, map[string]string{"main.trust.hcl": "resource \"node_app\" \"a\" {\n  args = [\"a\" \"b\"]\n}\n"})
	if !diags.HasErrors() {
		t.Fatal("no error")
	}
	if cfg == nil || cfg.Files["main.trust.hcl"] == nil || len(cfg.Resources) != 0 {
		t.Fatalf("want a config holding only the parsed files, got %+v", cfg)
	}
}

func TestNoConfigurationFiles(t *testing.T) {
	cfg, diags := Load(t.TempDir(), testOptions())
	if cfg != nil || !diags.HasErrors() || diags[0].Summary != "No configuration files" {
		t.Fatalf("cfg %v diags %s", cfg, diagText(diags))
	}
}

func TestOutputsSortedAndDescribed(t *testing.T) {
	cfg := mustLoad(t, map[string]string{"main.trust.hcl": `output "b" {
  value       = path.root
  description = "the root"
}
output "a" {
  value = { n = 1 }
}
`})
	if len(cfg.Outputs) != 2 || cfg.Outputs[0].Name != "a" || cfg.Outputs[1].Description != "the root" ||
		cfg.Outputs[1].Value.AsString() != cfg.Dir {
		t.Fatalf("outputs %+v", cfg.Outputs)
	}
}

// A directory with main.hcl but no *.trust.hcl: the error names the file
// and the rename, and leaves variable files out of it.
func TestNoConfigurationFilesNamesRename(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"main.hcl":                "locals {\n  x = 1\n}\n",
		"network.hcl":             "locals {\n  y = 1\n}\n",
		"trustform.trustvars.hcl": "x = 1\n",
		"notes.txt":               "",
	})
	cfg, diags := Load(dir, testOptions())
	if cfg != nil || !diags.HasErrors() || diags[0].Summary != "No configuration files" {
		t.Fatalf("cfg %v diags %s", cfg, diagText(diags))
	}
	want := "It holds the HCL files main.hcl, network.hcl, but trustform reads only names ending in .trust.hcl (as Terraform reads only *.tf). Rename:\n  mv main.hcl main.trust.hcl\n  mv network.hcl network.trust.hcl"
	if !strings.Contains(diags[0].Detail, want) {
		t.Errorf("detail %q lacks %q", diags[0].Detail, want)
	}
	if strings.Contains(diags[0].Detail, "trustvars") {
		t.Errorf("detail names a variable file: %q", diags[0].Detail)
	}
}

func TestStartPeriodDefaultAndSet(t *testing.T) {
	cfg, diags := load(t, map[string]string{"main.trust.hcl": `
resource "node_app" "a" {
  script = "a.js"
}
resource "node_app" "b" {
  script       = "b.js"
  start_period = "2s"
}
`})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	got := map[string]time.Duration{}
	for _, r := range cfg.Resources {
		got[r.Address] = r.StartPeriod
	}
	if got["node_app.a"] != 500*time.Millisecond || got["node_app.b"] != 2*time.Second {
		t.Errorf("start periods = %v", got)
	}
}
