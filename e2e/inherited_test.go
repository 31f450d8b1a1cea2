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

// trustform never drops a trust variable the user set (SPEC 4.1): a
// resource whose env (or trustform's own environment) already points at a
// second CA must reach the servers of both CAs.

// twoServers starts two servers with independent CAs and writes, into p,
// ca.pem (the first CA, for the collection), other/ (the second CA with
// OpenSSL subject-hash names) and other.pem (the second CA).
func twoServers(t *testing.T, p *project) (one, two *testutil.TLSServer) {
	t.Helper()
	openssl := needTool(t, "openssl", "apt-get install -y openssl")
	one = startServer(t, "trustform e2e one")
	two = startServer(t, "trustform e2e two")
	p.Write("ca.pem", string(one.CA.PEM))
	p.Write("other.pem", string(two.CA.PEM))
	p.Write("other/two.pem", string(two.CA.PEM))
	if out, err := exec.Command(openssl, "rehash", filepath.Join(p.Dir, "other")).CombinedOutput(); err != nil {
		t.Fatalf("openssl rehash: %v\n%s", err, out)
	}
	return one, two
}

func TestInheritedFromResourceEnv(t *testing.T) {
	start(t)
	needTool(t, "node", "apt-get install -y nodejs")
	needTool(t, "python3", "apt-get install -y python3")
	bin := goClientBinary(t)
	p := newProject(t, map[string]string{})
	one, two := twoServers(t, p)
	p.copyTestdata("node/client.js", "client.js")
	p.copyTestdata("python/client.py", "client.py")
	urls := one.URL + " " + two.URL
	otherDir := filepath.Join(p.Dir, "other")
	otherPEM := filepath.Join(p.Dir, "other.pem")
	p.Write("main.trust.hcl", header(false, map[string]string{"e2e": "ca.pem"})+
		// append: SSL_CERT_DIR is a path list, ours first, then the user's.
		resourceBlock("executable", "go_dir", "",
			"command = "+strconv.Quote(bin),
			"env = "+hclMap(map[string]string{"E2E_URLS": urls, "SSL_CERT_DIR": otherDir}),
			trusts("e2e"))+
		// system (python's default): SSL_CERT_DIR must still keep the user's.
		resourceBlock("python_app", "system_dir", "",
			`script = "client.py"`,
			"env = "+hclMap(map[string]string{"E2E_URLS": urls, "SSL_CERT_DIR": otherDir}),
			trusts("e2e"))+
		// append: NODE_EXTRA_CA_CERTS is a file; trustform writes a bundle
		// holding the user's certificates plus its own.
		resourceBlock("node_app", "extra_ca", "",
			`script = "client.js"`,
			"env = "+hclMap(map[string]string{"E2E_URLS": urls, "NODE_EXTRA_CA_CERTS": otherPEM}),
			trusts("e2e"))+
		// REQUESTS_CA_BUNDLE is a file too (python's system scope sets it).
		resourceBlock("python_app", "requests_bundle", "",
			`script = "client.py"`,
			"env = "+hclMap(map[string]string{"E2E_URLS": urls, "E2E_HTTP": "requests", "REQUESTS_CA_BUNDLE": otherPEM}),
			trusts("e2e"))+
		// NODE_OPTIONS is a space-separated list: --use-openssl-ca is
		// appended to the user's options, which must stay.
		resourceBlock("node_app", "options", "override",
			`script = "client.js"`,
			"env = "+hclMap(map[string]string{"E2E_URLS": one.URL, "NODE_OPTIONS": "--max-http-header-size=12345"}),
			trusts("e2e")))
	p.apply()
	for _, addr := range []string{"executable.go_dir", "python_app.system_dir", "node_app.extra_ca", "python_app.requests_bundle", "node_app.options"} {
		p.expectOK(addr)
	}
	wantHits(t, one, 5)
	wantHits(t, two, 4)
	opts := p.processEnv("node_app.options")["NODE_OPTIONS"]
	for _, want := range []string{"--max-http-header-size=12345", "--use-openssl-ca"} {
		if !strings.Contains(opts, want) {
			t.Errorf("node_app.options: NODE_OPTIONS=%q lacks %s", opts, want)
		}
	}
}

// TestInheritedFromTrustformEnv sets the variables in trustform's own
// environment instead, as a developer's shell would (this machine's own
// NODE_EXTRA_CA_CERTS is a real example).
func TestInheritedFromTrustformEnv(t *testing.T) {
	start(t)
	needTool(t, "node", "apt-get install -y nodejs")
	bin := goClientBinary(t)
	p := newProject(t, map[string]string{})
	one, two := twoServers(t, p)
	p.copyTestdata("node/client.js", "client.js")
	p.setenv("SSL_CERT_DIR="+filepath.Join(p.Dir, "other"), "NODE_EXTRA_CA_CERTS="+filepath.Join(p.Dir, "other.pem"))
	env := "env = " + hclMap(map[string]string{"E2E_URLS": one.URL + " " + two.URL})
	p.Write("main.trust.hcl", header(false, map[string]string{"e2e": "ca.pem"})+
		resourceBlock("executable", "go_dir", "", "command = "+strconv.Quote(bin), env, trusts("e2e"))+
		resourceBlock("node_app", "extra_ca", "", `script = "client.js"`, env, trusts("e2e")))
	p.apply()
	p.expectOK("executable.go_dir")
	p.expectOK("node_app.extra_ca")
	wantHits(t, one, 2)
	wantHits(t, two, 2)
}
