package command

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/trustform/trustform/internal/testutil"
)

// TestFixtures runs every example project under fixtures/ the way a user
// would, with the real binary: each validates, plans and is formatted; the
// ones whose runtimes are installed are applied, checked through their
// clients' logs, and destroyed.
func TestFixtures(t *testing.T) {
	root, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	bin := fxBuild(t)

	t.Run("validate", func(t *testing.T) { fxValidateAll(t, bin, root) })
	t.Run("quickstart", func(t *testing.T) { fxQuickstart(t, bin, root) })
	t.Run("corporate-proxy", func(t *testing.T) {
		for _, variant := range []string{"clean-environment", "inherited-bundles"} {
			t.Run(variant, func(t *testing.T) { fxCorporateProxy(t, bin, root, variant == "inherited-bundles") })
		}
	})
	t.Run("override-scope", func(t *testing.T) { fxOverrideScope(t, bin, root) })
	t.Run("container", func(t *testing.T) { fxContainer(t, bin, root) })
	t.Run("github-actions", func(t *testing.T) { fxGitHubActions(t, bin, root) })
	t.Run("worker-pool", func(t *testing.T) { fxWorkerPool(t, bin, root) })
}

// fxWantFixtures are the fixtures the validate loop must find, so a renamed
// directory or a broken glob cannot make it pass by checking nothing.
func fxWantFixtures() []string {
	return []string{"container", "corporate-proxy", "override-scope", "quickstart", "worker-pool"}
}

// fxTLSVars are the variables through which a machine's own CA settings
// reach a process.
func fxTLSVars() []string {
	return []string{"SSL_CERT_FILE", "SSL_CERT_DIR", "CURL_CA_BUNDLE", "REQUESTS_CA_BUNDLE",
		"NODE_EXTRA_CA_CERTS", "NODE_OPTIONS", "PIP_CERT"}
}

// fxValidateAll checks every fixtures/*/ directory that holds *.trust.hcl:
// validate succeeds, plan succeeds with changes (-detailed-exitcode 2), the
// Markdown plan renders, the files are formatted, and a README.md says what
// the fixture shows.
func fxValidateAll(t *testing.T, bin, root string) {
	dirs, err := filepath.Glob(filepath.Join(root, "fixtures", "*"))
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	for _, dir := range dirs {
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			continue
		}
		name := filepath.Base(dir)
		t.Run(name+"/readme", func(t *testing.T) { fxCheckReadme(t, dir) })
		hcl, _ := filepath.Glob(filepath.Join(dir, "*.trust.hcl"))
		if len(hcl) == 0 {
			continue
		}
		found = append(found, name)
		t.Run(name, func(t *testing.T) {
			p := fxNewProject(t, bin, filepath.Join(root, "fixtures", name), fxEnv(t, false))
			if out := p.must("validate"); !strings.Contains(out, "Success! The configuration is valid.") {
				t.Errorf("validate: no success message:\n%s", out)
			}
			out := p.must("plan", "-no-color")
			if !regexp.MustCompile(`(?m)^Plan: [1-9][0-9]* to add, 0 to change, 0 to destroy\.$`).MatchString(out) {
				t.Errorf("plan: want resources to add:\n%s", out)
			}
			if _, stderr, code := p.run("plan", "-detailed-exitcode", "-no-color"); code != 2 {
				t.Errorf("plan -detailed-exitcode: exit %d, want 2 (changes present)\n%s", code, stderr)
			}
			md := p.must("plan", "-markdown")
			if !strings.Contains(md, "<details>") {
				t.Errorf("plan -markdown: no <details> section per resource:\n%s", md)
			}
			if _, stderr, code := p.run("fmt", "-check", "-recursive"); code != 0 {
				t.Errorf("fmt -check: exit %d, the fixture needs `trustform fmt`\n%s", code, stderr)
			}
		})
	}
	for _, want := range fxWantFixtures() {
		if !slices.Contains(found, want) {
			t.Errorf("fixture %s with *.trust.hcl not found (found %v)", want, found)
		}
	}
}

// fxCheckReadme wants a README.md whose first paragraph after the title says
// what the fixture shows.
func fxCheckReadme(t *testing.T, dir string) {
	data, err := os.ReadFile(filepath.Join(dir, "README.md"))
	if err != nil {
		t.Fatalf("every fixture needs a README.md saying what it shows: %v", err)
	}
	lines := strings.Split(string(data), "\n")
	if len(lines) < 3 || !strings.HasPrefix(lines[0], "# ") || !strings.HasPrefix(lines[2], "Shows ") {
		t.Errorf("README.md must start with a title and a line \"Shows ...\"; it starts:\n%s",
			strings.Join(lines[:min(len(lines), 3)], "\n"))
	}
}

func fxQuickstart(t *testing.T, bin, root string) {
	for _, tool := range [][2]string{{"node", "apt-get install -y nodejs"}, {"python3", "apt-get install -y python3"}, {"curl", "apt-get install -y curl"}} {
		testutil.NeedTool(t, tool[0], tool[1])
	}
	// The machine's CA variables stay, and curl gets a CURL_CA_BUNDLE like
	// many workstations export: the probe must still trust the API.
	env := fxEnv(t, false)
	if bundle := fxSystemBundle(); bundle != "" {
		env = append(env, "CURL_CA_BUNDLE="+bundle)
	}
	p := fxNewProject(t, bin, filepath.Join(root, "fixtures", "quickstart"), env)
	port := fxFreePort(t)
	p.apply("-var", "api_port="+port)

	want := regexp.MustCompile(`(?m)^GET https://localhost:` + port + `/ -> 200 hello from api$`)
	for _, addr := range []string{"node_app.web", "executable.probe"} {
		p.waitLog(addr, want)
	}
	pids := p.runningPIDs(3)
	p.must("destroy", "-auto-approve", "-no-color")
	fxWantGone(t, pids)
	if out := p.must("status"); !strings.Contains(out, "No resources.") {
		t.Errorf("status after destroy:\n%s", out)
	}
}

func fxCorporateProxy(t *testing.T, bin, root string, inherited bool) {
	for _, tool := range [][2]string{{"node", "apt-get install -y nodejs"}, {"python3", "apt-get install -y python3"}, {"curl", "apt-get install -y curl"}} {
		testutil.NeedTool(t, tool[0], tool[1])
	}
	env := fxEnv(t, true)
	if inherited {
		// A workstation that points every tool at the system bundle: the
		// clients must add the proxy CA to it, not lose it.
		bundle := fxSystemBundle()
		if bundle == "" {
			t.Skip("no system CA bundle on this machine")
		}
		for _, v := range []string{"SSL_CERT_FILE", "CURL_CA_BUNDLE", "REQUESTS_CA_BUNDLE", "NODE_EXTRA_CA_CERTS", "PIP_CERT"} {
			env = append(env, v+"="+bundle)
		}
	}
	ca := testutil.NewCA(t, "trustform fixture TLS inspection CA")
	srv := ca.Serve(t, "hello through the proxy", false)
	caFile := filepath.Join(t.TempDir(), "proxy-ca.PEM")
	fxWrite(t, caFile, ca.PEM)

	p := fxNewProject(t, bin, filepath.Join(root, "fixtures", "corporate-proxy"), env)
	p.apply("-var", "upstream_url="+fxURL(srv), "-var", "proxy_ca_file="+caFile)
	want := regexp.MustCompile(`(?m)^GET ` + regexp.QuoteMeta(fxURL(srv)) + ` -> 200 hello through the proxy$`)
	for _, addr := range []string{"node_app.node", "python_app.python", "executable.curl"} {
		p.waitLog(addr, want)
	}
	// Each client really reached the server (told apart by User-Agent).
	hits := fxHits(srv)
	for _, client := range []string{"node", "python", "curl"} {
		if hits[client] == 0 {
			t.Errorf("the server saw no request from %s (hits %v)", client, hits)
		}
	}
	pids := p.runningPIDs(3)
	p.must("destroy", "-auto-approve", "-no-color")
	fxWantGone(t, pids)
}

func fxOverrideScope(t *testing.T, bin, root string) {
	node := testutil.NeedTool(t, "node", "apt-get install -y nodejs")
	python := testutil.NeedTool(t, "python3", "apt-get install -y python3")

	ours := testutil.NewCA(t, "trustform fixture internal CA")
	public := testutil.NewCA(t, "trustform fixture stand-in public CA")
	internal := ours.Serve(t, "hello from the internal service", false)
	site := public.Serve(t, "hello from a public site", false)
	dir := t.TempDir()
	oursFile, publicFile := filepath.Join(dir, "ours.PEM"), filepath.Join(dir, "public.PEM")
	fxWrite(t, oursFile, ours.PEM)
	fxWrite(t, publicFile, public.PEM)

	// The stand-in public CA is trusted the way a machine trusts public CAs:
	// OpenSSL's SSL_CERT_FILE (Python, and Node with --use-openssl-ca) and
	// an exported NODE_EXTRA_CA_CERTS (Node in any mode).
	env := append(fxEnv(t, true), "SSL_CERT_FILE="+publicFile, "NODE_EXTRA_CA_CERTS="+publicFile)

	// Without trustform both clients accept the public site and reject the
	// internal one, so what the fixture shows is trustform's doing.
	baseline := map[string][]string{
		"python": {python, "-c", `import sys, urllib.request
for u in sys.argv[1:]:
    try:
        urllib.request.urlopen(u, timeout=10).read(); print(u, "ok")
    except Exception as e:
        print(u, "failed", e)`, fxURL(site), fxURL(internal)},
		"node": {node, "-e", `for (const u of process.argv.slice(1)) {
  require("node:https").get(u, (r) => { r.resume(); console.log(u, "ok"); })
    .on("error", (e) => console.log(u, "failed", e.message));
}`, fxURL(site), fxURL(internal)},
	}
	for name, argv := range baseline {
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("baseline %s: %v\n%s", name, err, out)
		}
		if !strings.Contains(string(out), fxURL(site)+" ok") || !strings.Contains(string(out), fxURL(internal)+" failed") {
			t.Fatalf("baseline %s: want the public site accepted and the internal one rejected without trustform:\n%s", name, out)
		}
	}
	siteHits := site.Hits()

	p := fxNewProject(t, bin, filepath.Join(root, "fixtures", "override-scope"), env)
	p.apply("-var", "internal_url="+fxURL(internal), "-var", "public_url="+fxURL(site), "-var", "ca_file="+oursFile)
	accepted := regexp.MustCompile(`(?m)^GET ` + regexp.QuoteMeta(fxURL(internal)) + ` -> 200 hello from the internal service$`)
	rejected := regexp.MustCompile(`(?m)^GET ` + regexp.QuoteMeta(fxURL(site)) + ` failed: .*(CERTIFICATE_VERIFY_FAILED|unable to verify the first certificate|unable to get local issuer certificate|self-signed certificate)`)
	for _, addr := range []string{"node_app.node", "python_app.python"} {
		p.waitLog(addr, accepted)
		p.waitLog(addr, rejected)
	}
	if got := site.Hits(); got != siteHits {
		t.Errorf("the public site answered %d requests under override, want none", got-siteHits)
	}
	pids := p.runningPIDs(2)
	p.must("destroy", "-auto-approve", "-no-color")
	fxWantGone(t, pids)
}

func fxContainer(t *testing.T, bin, root string) {
	testutil.NeedTool(t, "podman", "apt-get install -y podman runc")
	testutil.NeedTool(t, "go", "https://go.dev/doc/install")
	env := fxEnv(t, true)
	if os.Getenv("CONTAINERS_CONF") == "" {
		// The settings .ci/run uses: runc, and limits that fit in a CI container.
		conf := filepath.Join(t.TempDir(), "containers.conf")
		fxWrite(t, conf, []byte("[engine]\nruntime = \"runc\"\n[containers]\ndefault_ulimits = [\"nofile=1024:1024\", \"nproc=1000:1000\"]\n"))
		env = append(env, "CONTAINERS_CONF="+conf)
	}
	podman := func(args ...string) (string, error) {
		cmd := exec.Command("podman", args...)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := podman("info", "--format", "{{.Host.OCIRuntime.Name}}"); err != nil {
		msg := fmt.Sprintf("podman does not work here (%v: %s); install with: apt-get install -y podman runc", err, strings.TrimSpace(out))
		if testutil.Required() {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}

	suffix := make([]byte, 6)
	_, _ = rand.Read(suffix)
	tag := "localhost/trustform-fixture-" + hex.EncodeToString(suffix) + ":1"
	p := fxNewProject(t, bin, filepath.Join(root, "fixtures", "container"), env)
	build := exec.Command("sh", filepath.Join(p.Dir, "build-image.sh"), tag)
	build.Env = env
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build-image.sh: %v\n%s", err, out)
	}
	t.Cleanup(func() {
		if out, err := podman("rmi", "-f", tag); err != nil {
			t.Logf("podman rmi %s: %v\n%s", tag, err, out)
		}
	})

	ca := testutil.NewCA(t, "trustform fixture container CA")
	srv := ca.Serve(t, "hello from the host", false)
	caFile := filepath.Join(t.TempDir(), "corp-ca.PEM")
	fxWrite(t, caFile, ca.PEM)
	p.apply("-var", "image="+tag, "-var", "upstream_url="+fxURL(srv), "-var", "corp_ca_file="+caFile)
	p.waitLog("container.client", regexp.MustCompile(`(?m)^GET `+regexp.QuoteMeta(fxURL(srv))+` -> 200 hello from the host$`))
	p.must("destroy", "-auto-approve", "-no-color")
	if out, err := podman("ps", "-a", "-q", "--filter", "ancestor="+tag); err != nil || strings.TrimSpace(out) != "" {
		t.Errorf("containers of %s left after destroy: %q (%v)", tag, out, err)
	}
}

// fxGitHubActions checks the example workflow without a YAML library: it
// must run the commands its README documents, with the permissions they
// need, in indentation YAML accepts; and those commands must behave as the
// workflow expects on a real fixture.
func fxGitHubActions(t *testing.T, bin, root string) {
	dir := filepath.Join(root, "fixtures", "github-actions")
	data, err := os.ReadFile(filepath.Join(dir, "trustform-plan.yml"))
	if err != nil {
		t.Fatal(err)
	}
	wf := string(data)
	for _, want := range []string{
		"\non:\n", "\n  pull_request:", "\njobs:\n", "\npermissions:\n", "pull-requests: write",
		"plan -markdown -detailed-exitcode", "<!-- trustform-plan -->", "gh api", "concurrency:",
		"case \"$code\" in", "0)", "2)", "GH_TOKEN: ${{ github.token }}",
	} {
		if !strings.Contains(wf, want) {
			t.Errorf("trustform-plan.yml does not contain %q", want)
		}
	}
	for i, line := range strings.Split(wf, "\n") {
		indent := len(line) - len(strings.TrimLeft(line, " "))
		switch {
		case strings.Contains(line, "\t"):
			t.Errorf("trustform-plan.yml:%d: tab character (YAML indents with spaces)", i+1)
		case strings.TrimSpace(line) != "" && indent%2 != 0:
			t.Errorf("trustform-plan.yml:%d: odd indentation %d", i+1, indent)
		case strings.TrimRight(line, " ") != line:
			t.Errorf("trustform-plan.yml:%d: trailing space", i+1)
		}
	}

	fxLintWorkflow(t, filepath.Join(dir, "trustform-plan.yml"))
	fxStickyComment(t, bin, root, data)

	// What the workflow relies on: exit 2 with a Markdown document when
	// there are changes, exit 0 when there are none, exit 1 on an error.
	p := fxNewProject(t, bin, filepath.Join(root, "fixtures", "quickstart"), fxEnv(t, false))
	stdout, stderr, code := p.run("plan", "-markdown", "-detailed-exitcode", "-no-color")
	if code != 2 || !strings.Contains(stdout, "<details>") {
		t.Errorf("plan -markdown -detailed-exitcode with changes: exit %d, want 2 and Markdown\n%s%s", code, stdout, stderr)
	}
	fxWrite(t, filepath.Join(p.Dir, "main.trust.hcl"), []byte("trustform {\n  developer_certificate_trust = false\n}\n"))
	if stdout, stderr, code := p.run("plan", "-markdown", "-detailed-exitcode", "-no-color"); code != 0 {
		t.Errorf("plan -markdown -detailed-exitcode without changes: exit %d, want 0\n%s%s", code, stdout, stderr)
	}
	fxWrite(t, filepath.Join(p.Dir, "main.trust.hcl"), []byte("resource \"node_app\" {\n"))
	if _, _, code := p.run("plan", "-markdown", "-detailed-exitcode", "-no-color"); code != 1 {
		t.Errorf("plan -markdown -detailed-exitcode on a broken configuration: exit %d, want 1", code)
	}
}

// fxBuild builds bin/trustform's equivalent into a temporary directory.
func fxBuild(t *testing.T) string {
	t.Helper()
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("go is not on PATH: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "trustform")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	cmd := exec.Command(gobin, "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// fxEnv is the environment trustform runs with: the test's own, without
// TRUSTFORM_* settings, with a private development CA directory and no
// colour. clean also drops the machine's CA variables.
func fxEnv(t *testing.T, clean bool) []string {
	t.Helper()
	drop := map[string]bool{}
	if clean {
		for _, v := range fxTLSVars() {
			drop[v] = true
		}
	}
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if drop[k] || strings.HasPrefix(k, "TRUSTFORM_") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "TRUSTFORM_DEVCERT_DIR="+filepath.Join(t.TempDir(), "devcert"), "NO_COLOR=1")
}

// fxSystemBundle returns the first system CA bundle file that exists.
func fxSystemBundle() string {
	for _, p := range []string{"/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/cert.PEM"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

// fxProject is a copy of one fixture in a temporary directory.
type fxProject struct {
	*testutil.Project
	t *testing.T
}

func fxNewProject(t *testing.T, bin, src string, env []string) *fxProject {
	t.Helper()
	dir := filepath.Join(t.TempDir(), filepath.Base(src))
	fxCopyTree(t, src, dir)
	return &fxProject{t: t, Project: &testutil.Project{T: t, Bin: bin, Dir: dir, Env: env, Chdir: true}}
}

// run runs trustform -chdir=DIR with args and returns its output and exit code.
func (p *fxProject) run(args ...string) (stdout, stderr string, code int) {
	p.t.Helper()
	res := p.Run(10*time.Minute, args...)
	return res.Stdout, res.Stderr, res.Code
}

// must runs trustform and fails the test unless it exits 0.
func (p *fxProject) must(args ...string) string {
	p.t.Helper()
	stdout, stderr, code := p.run(args...)
	if code != 0 {
		p.t.Fatalf("trustform %s: exit %d\n%s%s", strings.Join(args, " "), code, stdout, stderr)
	}
	return stdout
}

// apply registers a destroy for cleanup, then applies with -auto-approve.
func (p *fxProject) apply(args ...string) {
	p.t.Helper()
	p.t.Cleanup(func() {
		if stdout, stderr, code := p.run("destroy", "-auto-approve", "-no-color"); code != 0 {
			p.t.Errorf("cleanup destroy: exit %d\n%s%s", code, stdout, stderr)
		}
	})
	p.must(append([]string{"apply", "-auto-approve", "-no-color"}, args...)...)
}

// waitLog polls `trustform logs ADDR` until it matches want. The bound only
// keeps a broken client from hanging the test; it is not a timing check.
func (p *fxProject) waitLog(addr string, want *regexp.Regexp) string {
	p.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	var out string
	for {
		var code int
		out, _, code = p.run("logs", addr)
		if code == 0 && want.MatchString(out) {
			return out
		}
		if time.Now().After(deadline) {
			break
		}
		time.Sleep(250 * time.Millisecond)
	}
	status, _, _ := p.run("status")
	p.t.Fatalf("%s: no line matching %q in its log within 30s:\n%s\nstatus:\n%s", addr, want, out, status)
	return ""
}

// runningPIDs reads `status -json` and wants n processes running.
func (p *fxProject) runningPIDs(n int) []int {
	p.t.Helper()
	var doc struct {
		Resources []struct {
			Address string `json:"address"`
			Status  string `json:"status"`
			PID     int    `json:"pid"`
		} `json:"resources"`
	}
	if err := json.Unmarshal([]byte(p.must("status", "-json")), &doc); err != nil {
		p.t.Fatalf("status -json: %v", err)
	}
	var pids []int
	for _, r := range doc.Resources {
		if r.Status != "running" || r.PID == 0 {
			p.t.Errorf("%s: status %s pid %d, want running", r.Address, r.Status, r.PID)
			continue
		}
		pids = append(pids, r.PID)
	}
	if len(doc.Resources) != n {
		p.t.Errorf("status lists %d resources, want %d", len(doc.Resources), n)
	}
	return pids
}

// fxWantGone fails when a process is still alive shortly after destroy
// returned (zombies waiting for their reaper count as gone).
func fxWantGone(t *testing.T, pids []int) {
	t.Helper()
	if runtime.GOOS != "linux" {
		return
	}
	deadline := time.Now().Add(5 * time.Second)
	for _, pid := range pids {
		for testutil.Alive(pid) {
			if time.Now().After(deadline) {
				t.Errorf("pid %d still running after destroy", pid)
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
}

func fxCopyTree(t *testing.T, src, dst string) {
	t.Helper()
	if err := copyFixtureTree(src, dst); err != nil {
		t.Fatal(err)
	}
}

func fxWrite(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// fxFreePort returns a loopback port nothing listens on right now.
func fxFreePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
}

// fxURL is the server's URL as the fixtures' clients print it.
func fxURL(s *testutil.TLSServer) string { return s.URL + "/" }

// fxHits counts the requests s answered by client, told apart by their
// User-Agent.
func fxHits(s *testutil.TLSServer) map[string]int {
	by := map[string]int{}
	for _, ua := range s.UserAgents() {
		client := "node"
		switch {
		case strings.HasPrefix(ua, "curl/"):
			client = "curl"
		case strings.HasPrefix(ua, "Python-urllib/"):
			client = "python"
		case strings.HasPrefix(ua, "Go-http-client/"):
			client = "go"
		}
		by[client]++
	}
	return by
}

// fxWorkerPool applies count = 3 and a for_each over two keys: five
// workers, each reaching the server through the one collection; the
// outputs that refer to pid are stored by apply; shrinking count destroys
// only the last instance.
func fxWorkerPool(t *testing.T, bin, root string) {
	testutil.NeedTool(t, "curl", "apt-get install -y curl")
	ca := testutil.NewCA(t, "trustform fixture internal CA")
	srv := ca.Serve(t, "hello from the job service", false)
	caFile := filepath.Join(t.TempDir(), "internal-ca.PEM")
	fxWrite(t, caFile, ca.PEM)
	vars := []string{"-var", "upstream_url=" + fxURL(srv), "-var", "internal_ca_file=" + caFile}

	p := fxNewProject(t, bin, filepath.Join(root, "fixtures", "worker-pool"), fxEnv(t, true))
	plan := p.must(append([]string{"plan", "-no-color"}, vars...)...)
	for _, want := range []string{"Plan: 5 to add, 0 to change, 0 to destroy.", "worker_pids   = (known after apply)",
		"# executable.worker[2] will be created", `# executable.regional["us"] will be created`} {
		if !strings.Contains(plan, want) {
			t.Errorf("plan does not say %q:\n%s", want, plan)
		}
	}
	p.apply(vars...)
	for _, addr := range []string{"executable.worker[0]", "executable.worker[1]", "executable.worker[2]", `executable.regional["eu"]`, `executable.regional["us"]`} {
		name := strings.NewReplacer("executable.worker[", "worker-", "]", "", `executable.regional["`, "regional-", `"`, "").Replace(addr)
		p.waitLog(addr, regexp.MustCompile(`(?m)^`+regexp.QuoteMeta(name)+`[^\n]*: GET `+regexp.QuoteMeta(fxURL(srv))+` -> 200 hello from the job service$`))
	}
	pids := p.runningPIDs(5)

	var workerPIDs []int
	if err := json.Unmarshal([]byte(p.must("output", "-json", "worker_pids")), &workerPIDs); err != nil {
		t.Fatalf("output worker_pids: %v", err)
	}
	var status struct {
		Resources []struct {
			Address string `json:"address"`
			PID     int    `json:"pid"`
		} `json:"resources"`
	}
	if err := json.Unmarshal([]byte(p.must("status", "-json")), &status); err != nil {
		t.Fatal(err)
	}
	byAddr := map[string]int{}
	for _, r := range status.Resources {
		byAddr[r.Address] = r.PID
	}
	if len(workerPIDs) != 3 {
		t.Fatalf("worker_pids = %v, want 3 pids", workerPIDs)
	}
	for i, pid := range workerPIDs {
		if want := byAddr[fmt.Sprintf("executable.worker[%d]", i)]; pid != want || pid == 0 {
			t.Errorf("worker_pids[%d] = %d, status says %d", i, pid, want)
		}
	}

	// count 3 -> 2: exactly one destroy, of the last instance.
	shrink := append([]string{"plan", "-no-color", "-var", "workers=2"}, vars...)
	out := p.must(shrink...)
	if !strings.Contains(out, "Plan: 0 to add, 0 to change, 1 to destroy.") || !strings.Contains(out, "# executable.worker[2] will be destroyed") {
		t.Errorf("count = 2 plan:\n%s", out)
	}
	if n := strings.Count(out, "will be destroyed"); n != 1 {
		t.Errorf("count = 2 plans %d destroys, want 1:\n%s", n, out)
	}
	p.must(append([]string{"apply", "-auto-approve", "-no-color", "-var", "workers=2"}, vars...)...)
	if err := json.Unmarshal([]byte(p.must("output", "-json", "worker_pids")), &workerPIDs); err != nil || len(workerPIDs) != 2 ||
		workerPIDs[0] != byAddr["executable.worker[0]"] || workerPIDs[1] != byAddr["executable.worker[1]"] {
		t.Errorf("after count = 2, worker_pids = %v (%v), want the first two unchanged", workerPIDs, err)
	}
	p.must("destroy", "-auto-approve", "-no-color")
	fxWantGone(t, pids)
}
