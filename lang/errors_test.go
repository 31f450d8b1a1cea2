package lang

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	encpem "encoding/pem"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
)

// marker shows, in test sources, where the expected diagnostic subject
// starts. It is removed before the file is written.
const marker = "@@"

// markedPos strips the marker from files and returns the file name, line
// and column (in characters, as HCL counts) where it was.
func markedPos(t *testing.T, files map[string]string) (map[string]string, string, int, int) {
	t.Helper()
	out := map[string]string{}
	var file string
	var line, col int
	for name, src := range files {
		i := strings.Index(src, marker)
		if i < 0 {
			out[name] = src
			continue
		}
		if file != "" {
			t.Fatalf("more than one marker")
		}
		before := src[:i]
		file = name
		line = strings.Count(before, "\n") + 1
		col = utf8.RuneCountInString(before[strings.LastIndex(before, "\n")+1:]) + 1
		out[name] = before + src[i+len(marker):]
	}
	if file == "" {
		t.Fatalf("test case has no %s marker", marker)
	}
	return out, file, line, col
}

func privateKeyPEM(t *testing.T) string {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return string(encpem.EncodeToMemory(&encpem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

// TestErrorLocations checks that each mistake produces an error whose
// subject starts exactly at the marked token.
func TestErrorLocations(t *testing.T) {
	ca := makeCA(t, "test CA")
	key := privateKeyPEM(t)
	corrupt := "-----BEGIN CERTIFICATE-----\nMIIBnotbase64!!!\n-----END CERTIFICATE-----\n"
	const node = `resource "node_app" "a" {
  script = "a.js"
}
`
	tests := []struct {
		name    string
		files   map[string]string
		opts    func(*Options)
		summary string
		detail  []string
	}{
		{
			name:    "syntax error",
			files:   map[string]string{"main.trust.hcl": "resource \"node_app\" \"a\" {\n  script = @@}\n"},
			summary: "",
		},
		{
			name: "unknown attribute",
			files: map[string]string{"main.trust.hcl": `resource "node_app" "a" {
  script = "a.js"
  @@scrip = "b.js"
}
`},
			summary: "Unsupported argument",
		},
		{
			name: "misspelt attribute suggests",
			files: map[string]string{"main.trust.hcl": `resource "node_app" "a" {
  script = "a.js"
  @@ennv = {}
}
`},
			summary: "Unsupported argument",
			detail:  []string{`Did you mean "env"?`},
		},
		{
			name:    "missing required attribute",
			files:   map[string]string{"main.trust.hcl": "\n@@resource \"node_app\" \"a\" {\n  args = []\n}\n"},
			summary: "Missing required argument",
			detail:  []string{`"script"`},
		},
		{
			name: "watch entry empty",
			files: map[string]string{"main.trust.hcl": `resource "node_app" "a" {
  script = "a.js"
  watch  = @@["a.js", ""]
}
`},
			summary: "Invalid watch path",
		},
		{
			name: "watch pattern malformed",
			files: map[string]string{"main.trust.hcl": `resource "node_app" "a" {
  script = "a.js"
  watch  = @@["web/[a-"]
}
`},
			summary: "Invalid watch pattern",
			detail:  []string{`"web/[a-"`},
		},
		{
			name: "watch inside .trustform",
			files: map[string]string{"main.trust.hcl": `resource "node_app" "a" {
  script = "a.js"
  watch  = @@[".trustform/logs/*.log"]
}
`},
			summary: "Invalid watch path",
			detail:  []string{"in a loop"},
		},
		{
			name: "watch not a list of strings",
			files: map[string]string{"main.trust.hcl": `resource "node_app" "a" {
  script = "a.js"
  watch  = @@{ a = 1 }
}
`},
			summary: "",
		},
		{
			name:    "unknown resource type",
			files:   map[string]string{"main.trust.hcl": "resource @@\"nod_app\" \"a\" {\n}\n"},
			summary: "Unknown resource type",
			detail:  []string{`Did you mean "node_app"?`, "python_module", "container"},
		},
		{
			name: "bad scope value",
			files: map[string]string{"main.trust.hcl": `resource "node_app" "a" {
  script                  = "a.js"
  certificate_trust_scope = @@"apend"
}
`},
			summary: "Invalid certificate_trust_scope",
			detail:  []string{`"append", "override", "system", "none"`, `Did you mean "append"?`},
		},
		{
			name: "undeclared variable",
			files: map[string]string{"main.trust.hcl": `variable "port" {
  default = 1
}
resource "node_app" "a" {
  script = "a.js"
  args   = [tostring(@@var.prot)]
}
`},
			summary: "Reference to undeclared input variable",
			detail:  []string{`Did you mean "port"?`},
		},
		{
			name: "undeclared local",
			files: map[string]string{"main.trust.hcl": `locals {
  port = 1
}
resource "node_app" "a" {
  script = "a.js"
  args   = [tostring(@@local.prt)]
}
`},
			summary: "Reference to undeclared local value",
			detail:  []string{`Did you mean "port"?`},
		},
		{
			name: "undeclared collection",
			files: map[string]string{
				"ca.pem": ca,
				"main.trust.hcl": `certificate_authority_collection "corp" {
  files = ["ca.pem"]
}
resource "node_app" "a" {
  script                            = "a.js"
  certificate_authority_collections = [@@certificate_authority_collection.crop]
}
`},
			summary: "Reference to undeclared certificate_authority_collection",
			detail:  []string{`Did you mean "corp"?`},
		},
		{
			name: "undeclared resource",
			files: map[string]string{"main.trust.hcl": node + `resource "node_app" "b" {
  script = "b.js"
  env    = { LOG = @@node_app.aa.log_path }
}
`},
			summary: "Reference to undeclared resource",
			detail:  []string{`Did you mean "node_app.a"?`},
		},
		{
			name: "undeclared resource in depends_on",
			files: map[string]string{"main.trust.hcl": node + `resource "node_app" "b" {
  script     = "b.js"
  depends_on = [@@node_app.c]
}
`},
			summary: "Reference to undeclared resource",
		},
		{
			name: "depends_on with a string",
			files: map[string]string{"main.trust.hcl": node + `resource "node_app" "b" {
  script     = "b.js"
  depends_on = [@@"node_app.a"]
}
`},
			summary: "Invalid depends_on reference",
		},
		{
			name: "unknown reference root",
			files: map[string]string{"main.trust.hcl": `resource "node_app" "a" {
  script = "a.js"
  args   = [@@devcrt.ca_cert_file]
}
`},
			summary: "Unknown reference",
			detail:  []string{`Did you mean "devcert"?`},
		},
		{
			name: "wrong type",
			files: map[string]string{"main.trust.hcl": `resource "node_app" "a" {
  script = "a.js"
  args   = @@"--verbose"
}
`},
			summary: "Incorrect attribute value type",
			detail:  []string{"list of string required"},
		},
		{
			name: "wrong type in map",
			files: map[string]string{"main.trust.hcl": `resource "node_app" "a" {
  script = "a.js"
  env    = @@["A=1"]
}
`},
			summary: "Incorrect attribute value type",
		},
		{
			name: "duplicate resource address",
			files: map[string]string{
				"a.trust.hcl": node,
				"b.trust.hcl": "\n\n@@resource \"node_app\" \"a\" {\n  script = \"b.js\"\n}\n",
			},
			summary: "Duplicate resource",
			detail:  []string{"a.trust.hcl:1:1"},
		},
		{
			name: "collection with no certificates",
			files: map[string]string{"main.trust.hcl": `@@certificate_authority_collection "empty" {
  certificates = []
}
`},
			summary: "Collection has no certificates",
		},
		{
			name: "missing certificate file",
			files: map[string]string{"main.trust.hcl": `certificate_authority_collection "corp" {
  files = ["ok.pem", @@"certs/missing.pem"]
}
`, "ok.pem": ca},
			summary: "Certificate file not found",
			detail:  []string{"certs/missing.pem"},
		},
		{
			name: "glob matching nothing",
			files: map[string]string{"main.trust.hcl": `certificate_authority_collection "corp" {
  files = [@@"certs/*.pem"]
}
`},
			summary: "Glob matches no files",
		},
		{
			name: "private key in collection file",
			files: map[string]string{"main.trust.hcl": `certificate_authority_collection "corp" {
  files = [@@"certs/bundle.pem"]
}
`, "certs/bundle.pem": ca + "\n" + key},
			summary: "certs/bundle.pem line " + itoa(strings.Count(ca, "\n")+2),
			detail:  []string{"private key"},
		},
		{
			name: "private key via file()",
			files: map[string]string{"main.trust.hcl": `certificate_authority_collection "corp" {
  certificates = [@@file("certs/key.pem")]
}
`, "certs/key.pem": key},
			summary: "certs/key.pem line 1",
		},
		{
			name: "corrupt PEM block",
			files: map[string]string{"main.trust.hcl": `certificate_authority_collection "corp" {
  files = ["good.pem", @@"bad.pem"]
}
`, "good.pem": ca, "bad.pem": "# comment\n\n" + corrupt},
			summary: "bad.pem line 3",
		},
		{
			name: "trust outside a resource",
			files: map[string]string{"main.trust.hcl": `output "x" {
  value = @@trust.bundle_path
}
`},
			summary: "trust is only available inside a resource",
		},
		{
			name: "trust in the scope argument",
			files: map[string]string{"main.trust.hcl": `resource "node_app" "a" {
  script                  = "a.js"
  certificate_trust_scope = @@trust.scope
}
`},
			summary: "trust is not available here",
		},
		{
			name: "container destination with dot-dot",
			files: map[string]string{"main.trust.hcl": `resource "container" "c" {
  image = "redis:7"
  container_certificate_paths {
    custom_certificates_destination = @@"/usr/lib/../ssl"
  }
}
`},
			summary: "Invalid custom_certificates_destination",
		},
		{
			name: "container destination relative",
			files: map[string]string{"main.trust.hcl": `resource "container" "c" {
  image = "redis:7"
  container_certificate_paths {
    custom_certificates_destination = @@"certs"
  }
}
`},
			summary: "Invalid custom_certificates_destination",
		},
		{
			name: "two container_certificate_paths blocks",
			files: map[string]string{"main.trust.hcl": `resource "container" "c" {
  image = "redis:7"
  container_certificate_paths {
  }
  @@container_certificate_paths {
  }
}
`},
			summary: "Duplicate container_certificate_paths block",
		},
		{
			name: "container paths on a process",
			files: map[string]string{"main.trust.hcl": `resource "node_app" "a" {
  script = "a.js"
  @@container_certificate_paths {
  }
}
`},
			summary: "Unsupported block type",
		},
		{
			name: "java_app with jar and classpath",
			files: map[string]string{"main.trust.hcl": `resource "java_app" "j" {
  jar       = "app.jar"
  classpath = @@"lib/*"
}
`},
			summary: "Conflicting arguments",
		},
		{
			name:    "java_app with nothing to run",
			files:   map[string]string{"main.trust.hcl": "@@resource \"java_app\" \"j\" {\n}\n"},
			summary: "Missing required argument",
		},
		{
			name:    "java_app classpath without main",
			files:   map[string]string{"main.trust.hcl": "@@resource \"java_app\" \"j\" {\n  classpath = \"lib/*\"\n}\n"},
			summary: "Missing required argument",
			detail:  []string{"not main"},
		},
		{
			name: "go_app with package and binary",
			files: map[string]string{"main.trust.hcl": `resource "go_app" "g" {
  package = "./cmd/x"
  binary  = @@"bin/x"
}
`},
			summary: "Conflicting arguments",
		},
		{
			name:    "go_app with neither",
			files:   map[string]string{"main.trust.hcl": "@@resource \"go_app\" \"g\" {\n}\n"},
			summary: "Missing required argument",
		},
		{
			name: "ready_when with tcp and http",
			files: map[string]string{"main.trust.hcl": `resource "node_app" "a" {
  script = "a.js"
  ready_when {
    tcp  = "127.0.0.1:1"
    http = @@"http://127.0.0.1:1/"
  }
}
`},
			summary: "Conflicting arguments",
		},
		{
			name: "ready_when with neither",
			files: map[string]string{"main.trust.hcl": `resource "node_app" "a" {
  script = "a.js"
  @@ready_when {
    timeout = "5s"
  }
}
`},
			summary: "Missing required argument",
		},
		{
			name: "ready_when bad tcp",
			files: map[string]string{"main.trust.hcl": `resource "node_app" "a" {
  script = "a.js"
  ready_when {
    tcp = @@"localhost"
  }
}
`},
			summary: "Invalid tcp address",
		},
		{
			name: "bad stop_timeout",
			files: map[string]string{"main.trust.hcl": `resource "node_app" "a" {
  script       = "a.js"
  stop_timeout = @@"ten seconds"
}
`},
			summary: "Invalid stop_timeout",
		},
		{
			name: "bad start_period",
			files: map[string]string{"main.trust.hcl": `resource "node_app" "a" {
  script       = "a.js"
  start_period = @@"-1s"
}
`},
			summary: "Invalid start_period",
		},
		{
			name: "value known only after apply",
			files: map[string]string{"main.trust.hcl": node + `resource "node_app" "b" {
  script = "b.js"
  env    = { A_PID = tostring(@@node_app.a.pid) }
}
`},
			summary: "Value not known until apply",
		},
		{
			name: "unsupported attribute of a resource",
			files: map[string]string{"main.trust.hcl": node + `resource "node_app" "b" {
  script = "b.js"
  env    = { A = node_app.a@@.nope }
}
`},
			summary: "Unsupported attribute",
		},
		{
			name: "sensitive output not marked",
			files: map[string]string{"main.trust.hcl": `variable "token" {
  default   = "s3cret"
  sensitive = true
}
output "t" {
  value = @@"Bearer ${var.token}"
}
`},
			summary: "Output refers to sensitive values",
		},
		{
			name: "variable validation fails",
			files: map[string]string{"main.trust.hcl": `variable "port" {
  type    = number
  default = 70000
  validation {
    condition     = @@var.port < 65536
    error_message = "The port must be below 65536."
  }
}
`},
			summary: "Invalid value for variable",
			detail:  []string{"The port must be below 65536."},
		},
		{
			name:    "required variable without value",
			files:   map[string]string{"main.trust.hcl": "@@variable \"token\" {\n  type = string\n}\n"},
			summary: "No value for required variable",
			detail:  []string{"TRUSTFORM_VAR_token"},
		},
		{
			name: "variable default of the wrong type",
			files: map[string]string{"main.trust.hcl": `variable "ports" {
  type    = list(number)
  default = @@"eighty"
}
`},
			summary: "Invalid value for variable",
		},
		{
			name: "variable file value of the wrong type",
			files: map[string]string{
				"main.trust.hcl":    "variable \"port\" {\n  type = number\n}\n",
				"dev.trustvars.hcl": "port = @@\"eighty\"\n",
			},
			summary: "Invalid value for variable",
		},
		{
			name:    "invalid container_runtime",
			files:   map[string]string{"main.trust.hcl": "trustform {\n  container_runtime = @@\"dokcer\"\n}\n"},
			summary: "Invalid container_runtime",
			detail:  []string{`Did you mean "docker"?`},
		},
		{
			name:    "duplicate trustform block",
			files:   map[string]string{"main.trust.hcl": "trustform {\n}\n@@trustform {\n}\n"},
			summary: "Duplicate trustform block",
		},
		{
			name:    "unknown top-level block",
			files:   map[string]string{"main.trust.hcl": "@@resorce \"node_app\" \"a\" {\n}\n"},
			summary: "Unsupported block type",
			detail:  []string{`Did you mean "resource"?`},
		},
		{
			name: "duplicate variable",
			files: map[string]string{"main.trust.hcl": `variable "a" {
  default = 1
}
@@variable "a" {
  default = 2
}
`},
			summary: "Duplicate variable",
			detail:  []string{"main.trust.hcl:1:1"},
		},
		{
			name: "duplicate local",
			files: map[string]string{"main.trust.hcl": `locals {
  a = 1
}
locals {
  @@a = 2
}
`},
			summary: "Duplicate local value",
		},
		{
			name: "collections list with a string",
			files: map[string]string{"main.trust.hcl": `resource "node_app" "a" {
  script                            = "a.js"
  certificate_authority_collections = @@["corp"]
}
`},
			summary: "Invalid certificate_authority_collections",
		},
		{
			name: "var file assigning undeclared variable is a warning, -var is an error",
			files: map[string]string{
				"main.trust.hcl": "@@variable \"a\" {\n}\n",
			},
			opts:    func(o *Options) { o.Vars = []VarFlag{{Name: "b", Value: "1"}} },
			summary: "No value for required variable",
		},
		{
			name: "function error is located",
			files: map[string]string{"main.trust.hcl": `resource "node_app" "a" {
  script = file("@@nope.js")
}
`},
			summary: "Invalid function argument",
			detail:  []string{"no file exists"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files, file, line, col := markedPos(t, tt.files)
			opts := testOptions()
			if tt.opts != nil {
				tt.opts(&opts)
			}
			_, diags := Load(writeFiles(t, files), opts)
			if !diags.HasErrors() {
				t.Fatalf("no error; diagnostics:\n%s", diagText(diags))
			}
			var found *hcl.Diagnostic
			for _, d := range diags {
				if d.Severity != hcl.DiagError || d.Subject == nil {
					continue
				}
				if d.Subject.Filename == file && d.Subject.Start.Line == line && d.Subject.Start.Column == col &&
					strings.Contains(d.Summary, tt.summary) {
					found = d
					break
				}
			}
			if found == nil {
				t.Fatalf("want an error %q at %s:%d,%d; got:\n%s", tt.summary, file, line, col, diagText(diags))
			}
			if c := found.Context; c != nil {
				if c.Filename != found.Subject.Filename || c.Start.Byte > found.Subject.Start.Byte || c.End.Byte < found.Subject.End.Byte {
					t.Errorf("context %v does not enclose subject %v", c, found.Subject)
				}
			}
			for _, want := range tt.detail {
				if !strings.Contains(found.Summary+" "+found.Detail, want) {
					t.Errorf("diagnostic does not mention %q:\n%s", want, found.Error())
				}
			}
		})
	}
}

func itoa(i int) string {
	var b [20]byte
	n := len(b)
	for {
		n--
		b[n] = byte('0' + i%10)
		i /= 10
		if i == 0 {
			break
		}
	}
	return string(b[n:])
}

func TestEmptyRequiredArgument(t *testing.T) {
	files, file, line, col := markedPos(t, map[string]string{"main.trust.hcl": "resource \"node_app\" \"a\" {\n  script = @@\"\"\n}\n"})
	_, diags := load(t, files)
	if !diags.HasErrors() || diags[0].Summary != "Empty value" || diags[0].Subject.Filename != file ||
		diags[0].Subject.Start.Line != line || diags[0].Subject.Start.Column != col {
		t.Fatalf("got %s", diagText(diags))
	}
}
