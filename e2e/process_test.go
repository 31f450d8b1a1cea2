//go:build linux

package e2e

import (
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/trustform/trustform/internal/testutil"
)

// One test per host runtime: each resource type is applied once per scope
// against a server only the test CA vouches for.

var allScopes = []string{"default", "append", "override", "system", "none"}

func TestNodeApp(t *testing.T) {
	start(t)
	needTool(t, "node", "apt-get install -y nodejs")
	p := scopeTest{
		typ:     "node_app",
		scopes:  allScopes,
		attrs:   []string{`script = "client.js"`},
		files:   map[string]string{"client.js": "node/client.js"},
		reasons: nodeCertErrors,
	}.run(t)
	// trustform logs prints the same captured output.
	if out := p.logsCommand("node_app.append"); !strings.Contains(out, "RESULT ok") {
		t.Errorf("trustform logs node_app.append: no RESULT ok line:\n%s", out)
	}
}

func TestNpmApp(t *testing.T) {
	start(t)
	needTool(t, "npm", "apt-get install -y npm")
	scopeTest{
		typ:     "npm_app",
		scopes:  []string{"default", "none"},
		files:   map[string]string{"client.js": "node/client.js", "package.json": "npm/package.json"},
		reasons: nodeCertErrors,
	}.run(t)
}

func TestPythonApp(t *testing.T) {
	start(t)
	python := needTool(t, "python3", "apt-get install -y python3 python3-requests")
	if err := exec.Command(python, "-c", "import requests").Run(); err != nil {
		testutil.SkipOrFail(t, "python3 requests", "apt-get install -y python3-requests (or pip install requests)")
	}
	// The default scope is system: both the ssl module (urllib) and
	// requests (certifi unless REQUESTS_CA_BUNDLE) must trust the server.
	scopeTest{
		typ:      "python_app",
		scopes:   []string{"default", "system", "override"},
		attrs:    []string{`script = "client.py"`},
		env:      map[string]string{"E2E_HTTP": "both"},
		files:    map[string]string{"client.py": "python/client.py"},
		requests: 2,
	}.run(t)
}

func TestPythonAppNone(t *testing.T) {
	start(t)
	needTool(t, "python3", "apt-get install -y python3")
	scopeTest{
		typ:     "python_app",
		scopes:  []string{"none"},
		attrs:   []string{`script = "client.py"`},
		files:   map[string]string{"client.py": "python/client.py"},
		reasons: pythonCertErrors,
	}.run(t)
}

func TestPythonModule(t *testing.T) {
	start(t)
	needTool(t, "python3", "apt-get install -y python3")
	scopeTest{
		typ:     "python_module",
		scopes:  []string{"default", "none"},
		attrs:   []string{`module = "client"`},
		files:   map[string]string{"client.py": "python/client.py"},
		reasons: pythonCertErrors,
	}.run(t)
}

func TestExecutableCurl(t *testing.T) {
	start(t)
	needTool(t, "curl", "apt-get install -y curl")
	scopeTest{
		typ:     "executable",
		scopes:  []string{"default", "override", "none"},
		attrs:   []string{`command = "sh"`, `args = ["client.sh"]`},
		files:   map[string]string{"client.sh": "curl/client.sh"},
		reasons: curlCertErrors,
	}.run(t)
}

func TestExecutableGo(t *testing.T) {
	start(t)
	bin := goClientBinary(t)
	scopeTest{
		typ:     "executable",
		scopes:  []string{"default", "override", "system", "none"},
		attrs:   []string{"command = " + strconv.Quote(bin)},
		reasons: goCertErrors,
	}.run(t)
}

func TestGoApp(t *testing.T) {
	start(t)
	bin := goClientBinary(t)
	scopeTest{
		typ:     "go_app",
		scopes:  []string{"default", "override", "none"},
		attrs:   []string{"binary = " + strconv.Quote(bin)},
		reasons: goCertErrors,
	}.run(t)
}

// TestJavaApp needs only a JRE: testdata/java/Client.class is committed
// (built with `javac --release 11 Client.java`; rebuild it after editing
// Client.java). Where javac exists the class is compiled afresh instead.
func TestJavaApp(t *testing.T) {
	start(t)
	needTool(t, "java", "apt-get install -y default-jre-headless")
	scopeTest{
		typ:     "java_app",
		scopes:  []string{"default", "append", "override", "none"},
		attrs:   []string{`classpath = "classes"`, `main = "Client"`},
		reasons: javaCertErrors,
		prepare: javaClasses,
	}.run(t)
}

func TestRubyApp(t *testing.T) {
	start(t)
	needTool(t, "ruby", "apt-get install -y ruby")
	scopeTest{
		typ:     "ruby_app",
		scopes:  []string{"default", "override", "system", "none"},
		attrs:   []string{`script = "client.rb"`},
		files:   map[string]string{"client.rb": "ruby/client.rb"},
		reasons: rubyCertErrors,
	}.run(t)
}

func TestDenoApp(t *testing.T) {
	start(t)
	needTool(t, "deno", "npm install -g deno")
	scopeTest{
		typ:     "deno_app",
		scopes:  []string{"default", "override", "none"},
		attrs:   []string{`script = "client.ts"`, `permissions = ["--allow-net", "--allow-env"]`},
		files:   map[string]string{"client.ts": "deno/client.ts"},
		reasons: denoCertErrors,
	}.run(t)
}

func TestBunApp(t *testing.T) {
	start(t)
	needTool(t, "bun", "npm install -g bun")
	scopeTest{
		typ:     "bun_app",
		scopes:  []string{"default", "override", "none"},
		attrs:   []string{`script = "client.js"`},
		files:   map[string]string{"client.js": "node/client.js"},
		reasons: bunCertErrors,
	}.run(t)
}

// javaClasses puts the Java client into classes/ of the project: compiled
// afresh where javac exists, else the committed class file.
func javaClasses(p *project) {
	p.t.Helper()
	javac, err := exec.LookPath("javac")
	if err != nil {
		p.copyTestdata("java/Client.class", "classes/Client.class")
		return
	}
	out, err := exec.Command(javac, "--release", "11", "-d", filepath.Join(p.Dir, "classes"),
		filepath.Join(testdataDir(p.t), "java", "Client.java")).CombinedOutput()
	if err != nil {
		p.t.Fatalf("javac: %v\n%s", err, out)
	}
}
