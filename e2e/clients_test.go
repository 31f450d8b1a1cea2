//go:build linux

package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// These tests run every client directly, without trustform, with the
// variables SPEC 4.1 says trustform sets per scope. They prove the clients
// and the SPEC's table against the real runtimes, so a failure of the
// trustform tests points at trustform, not at the premise.

// systemBundle is the host's OpenSSL default bundle.
const systemBundle = "/etc/ssl/certs/ca-certificates.crt"

// trustFiles is trust material laid out as trustform does: a bundle, a
// system bundle (system roots + own) and a certs/ directory with OpenSSL
// subject-hash names.
type trustFiles struct {
	Bundle, SystemBundle, Certs string
}

func makeTrustFiles(t *testing.T, pems ...[]byte) trustFiles {
	t.Helper()
	openssl := needTool(t, "openssl", "apt-get install -y openssl")
	dir := t.TempDir()
	tf := trustFiles{
		Bundle:       filepath.Join(dir, "cert.pem"),
		SystemBundle: filepath.Join(dir, "system.pem"),
		Certs:        filepath.Join(dir, "certs"),
	}
	var bundle []byte
	for i, p := range pems {
		writeFile(t, filepath.Join(tf.Certs, string(rune('a'+i))+".pem"), p)
		bundle = append(bundle, p...)
	}
	if out, err := exec.Command(openssl, "rehash", tf.Certs).CombinedOutput(); err != nil {
		t.Fatalf("openssl rehash: %v\n%s", err, out)
	}
	writeFile(t, tf.Bundle, bundle)
	sys, err := os.ReadFile(systemBundle)
	if err != nil {
		t.Skipf("no system bundle %s: %v (install with: apt-get install -y ca-certificates)", systemBundle, err)
	}
	writeFile(t, tf.SystemBundle, append(sys, bundle...))
	return tf
}

// scopeEnv is what SPEC 4.1 sets for a host process of the given runtime.
func (tf trustFiles) scopeEnv(runtime, scope string) []string {
	var env []string
	bundle := tf.Bundle
	if scope == "system" {
		bundle = tf.SystemBundle
	}
	switch scope {
	case "append":
		env = append(env, "SSL_CERT_DIR="+tf.Certs+":/etc/ssl/certs")
	case "override", "system":
		env = append(env, "SSL_CERT_DIR="+tf.Certs, "SSL_CERT_FILE="+bundle)
	}
	switch {
	case runtime == "node" && scope == "append":
		env = append(env, "NODE_EXTRA_CA_CERTS="+bundle)
	case runtime == "node" && (scope == "override" || scope == "system"):
		env = append(env, "NODE_OPTIONS=--use-openssl-ca")
	case runtime == "deno" && scope == "append":
		env = append(env, "DENO_CERT="+bundle)
	case runtime == "deno" && (scope == "override" || scope == "system"):
		env = append(env, "DENO_TLS_CA_STORE=system")
	case runtime == "bun" && scope != "none":
		env = append(env, "NODE_EXTRA_CA_CERTS="+bundle)
	case runtime == "python" && (scope == "override" || scope == "system"):
		env = append(env, "REQUESTS_CA_BUNDLE="+bundle, "CURL_CA_BUNDLE="+bundle, "PIP_CERT="+bundle)
	}
	return env
}

// directClient is one client and the scopes it must succeed in; every
// client must fail with scope none.
type directClient struct {
	name, tool, install string
	argv                func(t *testing.T) []string
	env                 []string
	ok                  []string
	failReasons         []string
}

func directClients() []directClient {
	td := func(t *testing.T, p ...string) string {
		return filepath.Join(append([]string{testdataDir(t)}, p...)...)
	}
	return []directClient{
		{name: "node", tool: "node", install: "apt-get install -y nodejs",
			argv: func(t *testing.T) []string { return []string{"node", td(t, "node", "client.js")} },
			ok:   []string{"append", "override", "system"}, failReasons: nodeCertErrors},
		{name: "python", tool: "python3", install: "apt-get install -y python3 python3-requests",
			argv: func(t *testing.T) []string { return []string{"python3", td(t, "python", "client.py")} },
			env:  []string{"E2E_HTTP=both"},
			ok:   []string{"override", "system"}, failReasons: pythonCertErrors},
		{name: "python-urllib", tool: "python3", install: "apt-get install -y python3",
			argv: func(t *testing.T) []string { return []string{"python3", td(t, "python", "client.py")} },
			ok:   []string{"append", "override", "system"}, failReasons: pythonCertErrors},
		{name: "curl", tool: "curl", install: "apt-get install -y curl",
			argv: func(t *testing.T) []string { return []string{"sh", td(t, "curl", "client.sh")} },
			ok:   []string{"append", "override", "system"}, failReasons: curlCertErrors},
		{name: "go", tool: "go", install: "https://go.dev/doc/install",
			argv: func(t *testing.T) []string { return []string{goClientBinary(t)} },
			ok:   []string{"append", "override", "system"}, failReasons: goCertErrors},
		{name: "ruby", tool: "ruby", install: "apt-get install -y ruby",
			argv: func(t *testing.T) []string { return []string{"ruby", td(t, "ruby", "client.rb")} },
			ok:   []string{"append", "override", "system"}, failReasons: rubyCertErrors},
		{name: "deno", tool: "deno", install: "npm install -g deno",
			argv: func(t *testing.T) []string {
				return []string{"deno", "run", "--allow-net", "--allow-env", td(t, "deno", "client.ts")}
			},
			ok: []string{"append", "override", "system"}, failReasons: denoCertErrors},
		{name: "bun", tool: "bun", install: "npm install -g bun",
			argv: func(t *testing.T) []string { return []string{"bun", td(t, "node", "client.js")} },
			ok:   []string{"append", "override", "system"}, failReasons: bunCertErrors},
	}
}

func TestClientsDirect(t *testing.T) {
	for _, c := range directClients() {
		t.Run(c.name, func(t *testing.T) {
			start(t)
			needTool(t, c.tool, c.install)
			s := startServer(t, "trustform e2e direct "+c.name)
			tf := makeTrustFiles(t, s.CA.PEM)
			runtime := strings.SplitN(c.name, "-", 2)[0]
			for _, scope := range []string{"append", "override", "system", "none"} {
				env := append([]string{"E2E_URLS=" + s.URL}, c.env...)
				env = append(env, tf.scopeEnv(runtime, scope)...)
				before := s.Hits()
				res, out := runDirect(t, t.TempDir(), env, c.argv(t)...)
				hits := s.Hits() - before
				want := contains(c.ok, scope)
				switch {
				case want && !strings.HasPrefix(res, "ok"):
					t.Errorf("scope %s with %q: want success, got RESULT %s\n%s", scope, env, res, out)
				case want && hits != strings.Count(res, "200"):
					t.Errorf("scope %s: RESULT %s but the server answered %d requests", scope, res, hits)
				case want:
				case scope == "none" && hits != 0:
					t.Errorf("scope none: the server answered %d requests", hits)
				case !strings.HasPrefix(res, "fail"):
					t.Errorf("scope %s with %q: want failure, got RESULT %s", scope, env, res)
				case !containsAny(res, c.failReasons):
					t.Errorf("scope %s: failed, but not with a certificate error %q: RESULT %s", scope, c.failReasons, res)
				}
			}
		})
	}
}

// Certificate errors by client: what "this client does not trust the
// server" looks like, so a failure for another reason is not taken for one.
var (
	nodeCertErrors   = []string{"UNABLE_TO_GET_ISSUER_CERT_LOCALLY", "SELF_SIGNED_CERT_IN_CHAIN", "UNABLE_TO_VERIFY_LEAF_SIGNATURE", "unable to get local issuer certificate", "self-signed certificate"}
	pythonCertErrors = []string{"CERTIFICATE_VERIFY_FAILED"}
	curlCertErrors   = []string{"SSL certificate problem", "unable to get local issuer certificate"}
	goCertErrors     = []string{"x509: certificate signed by unknown authority", "failed to verify certificate"}
	rubyCertErrors   = []string{"certificate verify failed"}
	javaCertErrors   = []string{"PKIX path building failed", "unable to find valid certification path"}
	denoCertErrors   = []string{"UnknownIssuer", "invalid peer certificate"}
	bunCertErrors    = []string{"UNABLE_TO_GET_ISSUER_CERT_LOCALLY", "SELF_SIGNED_CERT_IN_CHAIN", "unable to get local issuer certificate", "UNABLE_TO_VERIFY_LEAF_SIGNATURE", "self signed certificate"}
)

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func containsAny(s string, subs []string) bool {
	for _, v := range subs {
		if strings.Contains(s, v) {
			return true
		}
	}
	return false
}

// TestRuntimePremises pins the runtime behaviours SPEC 4.1 is built on, so
// a runtime upgrade that changes them shows up here first.
func TestRuntimePremises(t *testing.T) {
	start(t)
	needTool(t, "node", "apt-get install -y nodejs")
	needTool(t, "python3", "apt-get install -y python3 python3-requests")
	s := startServer(t, "trustform e2e premises")
	tf := makeTrustFiles(t, s.CA.PEM)
	node := []string{"node", filepath.Join(testdataDir(t), "node", "client.js")}
	python := []string{"python3", filepath.Join(testdataDir(t), "python", "client.py")}
	cases := []struct {
		why  string
		argv []string
		env  []string
		ok   bool
	}{
		{"node ignores SSL_CERT_DIR without --use-openssl-ca (hence NODE_EXTRA_CA_CERTS in append)",
			node, []string{"SSL_CERT_DIR=" + tf.Certs}, false},
		{"node ignores SSL_CERT_FILE without --use-openssl-ca",
			node, []string{"SSL_CERT_FILE=" + tf.Bundle}, false},
		{"node --use-openssl-ca reads an SSL_CERT_DIR list",
			node, []string{"SSL_CERT_DIR=/nonexistent:" + tf.Certs, "NODE_OPTIONS=--use-openssl-ca"}, true},
		{"python ssl reads hashed SSL_CERT_DIR",
			python, []string{"SSL_CERT_DIR=" + tf.Certs}, true},
		{"requests ignores SSL_CERT_FILE (hence REQUESTS_CA_BUNDLE)",
			python, []string{"SSL_CERT_FILE=" + tf.Bundle, "E2E_HTTP=requests"}, false},
		{"requests reads REQUESTS_CA_BUNDLE",
			python, []string{"REQUESTS_CA_BUNDLE=" + tf.Bundle, "E2E_HTTP=requests"}, true},
	}
	for _, c := range cases {
		res, out := runDirect(t, t.TempDir(), append(c.env, "E2E_URLS="+s.URL), c.argv...)
		if got := strings.HasPrefix(res, "ok"); got != c.ok {
			t.Errorf("premise broken: %s: RESULT %s\n%s", c.why, res, out)
		}
	}
}
