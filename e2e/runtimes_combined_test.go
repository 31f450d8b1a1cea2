//go:build linux

package e2e

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"software.sslmate.com/src/go-pkcs12"

	"github.com/trustform/trustform/internal/testutil"
)

// combinedRuntime is one of the later runtime types of SPEC 4 with the
// attribute lines that launch its client and the errors it fails with
// when it does not trust the server.
type combinedRuntime struct {
	typ     string
	attrs   []string
	reasons []string
}

// TestRuntimesCombined applies java_app, go_app, ruby_app, deno_app and
// bun_app from one configuration against one server that only a
// collection vouches for, three times: default scopes (all succeed),
// scope none (all fail with a certificate error) and override (all succeed
// again). Each round edits the configuration and applies it again, so the
// later rounds are replacements of running resources.
func TestRuntimesCombined(t *testing.T) {
	start(t)
	java := needTool(t, "java", "apt-get install -y default-jre-headless")
	keytool := needTool(t, "keytool", "apt-get install -y default-jre-headless")
	needTool(t, "ruby", "apt-get install -y ruby")
	needTool(t, "deno", "npm install -g deno")
	needTool(t, "bun", "npm install -g bun")
	bin := goClientBinary(t)
	runtimes := []combinedRuntime{
		{typ: "java_app", attrs: []string{`classpath = "classes"`, `main = "Client"`}, reasons: javaCertErrors},
		{typ: "go_app", attrs: []string{"binary = " + strconv.Quote(bin)}, reasons: goCertErrors},
		{typ: "ruby_app", attrs: []string{`script = "client.rb"`}, reasons: rubyCertErrors},
		{typ: "deno_app", attrs: []string{`script = "client.ts"`, `permissions = ["--allow-net", "--allow-env"]`}, reasons: denoCertErrors},
		{typ: "bun_app", attrs: []string{`script = "client.js"`}, reasons: bunCertErrors},
	}

	s := startServer(t, "trustform e2e combined")
	// A second CA in the collection, so "every certificate of the
	// collection" is more than the one that happens to sign the server.
	extra := testutil.NewCA(t, "trustform e2e combined extra")
	p := newProject(t, map[string]string{"ca.pem": string(s.CA.PEM), "extra.pem": string(extra.PEM)})
	p.copyTestdata("ruby/client.rb", "client.rb")
	p.copyTestdata("deno/client.ts", "client.ts")
	p.copyTestdata("node/client.js", "client.js")
	javaClasses(p)
	collection := []*testutil.CA{s.CA, extra}

	config := func(scope string) string {
		hcl := `trustform {
  developer_certificate_trust = false
}

certificate_authority_collection "e2e" {
  files = ["ca.pem", "extra.pem"]
}
`
		for _, rt := range runtimes {
			lines := append(append([]string{}, rt.attrs...),
				"env = "+hclMap(map[string]string{"E2E_URLS": s.URL}), trusts("e2e"))
			hcl += resourceBlock(rt.typ, "client", scope, lines...)
		}
		return hcl
	}
	addr := func(rt combinedRuntime) string { return rt.typ + ".client" }
	// The store is in java_app.client's trust set, a directory named by
	// its content: read where the running JVM was told to look.
	javaStore := func() string {
		opts := p.processEnv("java_app.client")["JAVA_TOOL_OPTIONS"]
		_, rest, _ := strings.Cut(opts, "-Djavax.net.ssl.trustStore=")
		store, _, _ := strings.Cut(rest, " ")
		if filepath.Dir(filepath.Dir(store)) != filepath.Join(p.Dir, ".trustform", "trust") || filepath.Base(store) != "truststore.p12" {
			t.Fatalf("java_app.client: JAVA_TOOL_OPTIONS=%q does not name a truststore.p12 in a trust set directory", opts)
		}
		return store
	}

	// Round 1: every type in its default scope.
	p.Write("main.trust.hcl", config("default"))
	p.apply()
	for _, rt := range runtimes {
		p.expectOK(addr(rt))
	}
	wantHits(t, s, len(runtimes))
	store := javaStore()
	// java_app's default scope is system: the store holds the JDK's
	// default roots as well as the collection.
	if n := checkTrustStore(t, keytool, store, collection); n <= len(collection) {
		t.Errorf("java_app default (system) scope: trust store has %d entries, want the collection's %d plus the JDK's default roots", n, len(collection))
	}
	if opts := p.processEnv("java_app.client")["JAVA_TOOL_OPTIONS"]; !strings.Contains(opts, "-Djavax.net.ssl.trustStore="+store) {
		t.Errorf("java_app.client: JAVA_TOOL_OPTIONS=%q does not name %s", opts, store)
	}
	if t.Failed() {
		t.FailNow()
	}

	// Round 2: scope none changes nothing, so nobody trusts the server.
	p.Write("main.trust.hcl", config("none"))
	out := p.reapply()
	if want := fmt.Sprintf("Resources: %d added, 0 changed, %d destroyed.", len(runtimes), len(runtimes)); !strings.Contains(out, want) {
		t.Errorf("apply after switching to scope none: want %q in its output:\n%s", want, out)
	}
	for _, rt := range runtimes {
		p.expectFail(addr(rt), rt.reasons...)
		p.singleResult(addr(rt))
	}
	wantHits(t, s, len(runtimes))
	if _, err := os.Stat(filepath.Join(p.Dir, ".trustform", "trust")); !os.IsNotExist(err) {
		entries, _ := os.ReadDir(filepath.Join(p.Dir, ".trustform", "trust"))
		t.Errorf("scope none: trust sets left in .trustform/trust: %v", entries)
	}
	if opts, ok := p.processEnv("java_app.client")["JAVA_TOOL_OPTIONS"]; ok {
		t.Errorf("java_app.client with scope none got JAVA_TOOL_OPTIONS=%q", opts)
	}
	if t.Failed() {
		t.FailNow()
	}

	// Round 3: override trusts the collection only, and that is enough.
	p.Write("main.trust.hcl", config("override"))
	p.reapply()
	for _, rt := range runtimes {
		p.expectOK(addr(rt))
		p.singleResult(addr(rt))
	}
	wantHits(t, s, 2*len(runtimes))
	store = javaStore()
	if n := checkTrustStore(t, keytool, store, collection); n != len(collection) {
		t.Errorf("java_app override scope: trust store has %d entries, want exactly the collection's %d", n, len(collection))
	}

	// The store Java just used is the one keytool read: a JVM given only
	// that store (no password) reaches the server as well.
	if !t.Failed() {
		checkJavaUsesStore(t, java, p, store, s)
	}
}

// keytoolList is the invocation that reads a passwordless PKCS#12 store:
// -noprompt with no -storepass, stdin closed, so a store that needs a
// password fails instead of waiting for one.
func keytoolList(t *testing.T, keytool, store string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, keytool, "-list", "-storetype", "PKCS12", "-keystore", store, "-noprompt")
	cmd.Env = cleanEnv("LC_ALL=C")
	cmd.Stdin = bytes.NewReader(nil)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

var keytoolCount = regexp.MustCompile(`Your keystore contains (\d+) entr`)

// checkTrustStore lists store with keytool and checks that it reads
// without a password and holds every certificate of cas. It returns the
// number of entries.
func checkTrustStore(t *testing.T, keytool, store string, cas []*testutil.CA) int {
	t.Helper()
	out, err := keytoolList(t, keytool, store)
	if err != nil {
		t.Errorf("keytool -list -noprompt %s without a password: %v\n%s", store, err, out)
		return 0
	}
	for _, bad := range []string{"Enter keystore password", "has NOT been verified", "password was incorrect"} {
		if strings.Contains(out, bad) {
			t.Errorf("keytool -list %s: %q: the store is not passwordless\n%s", store, bad, out)
		}
	}
	m := keytoolCount.FindStringSubmatch(out)
	if m == nil {
		t.Errorf("keytool -list %s: no entry count in its output:\n%s", store, out)
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	for _, ca := range cas {
		if fp := keytoolFingerprint(ca.Cert.Raw); !strings.Contains(out, fp) {
			t.Errorf("trust store %s lacks %q (SHA-256 %s)", store, ca.Name, fp)
		}
	}
	if !strings.Contains(out, "trustedCertEntry") {
		t.Errorf("keytool -list %s: no trustedCertEntry:\n%s", store, out)
	}
	return n
}

// keytoolFingerprint formats a SHA-256 fingerprint as keytool prints it.
func keytoolFingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = fmt.Sprintf("%02X", b)
	}
	return strings.Join(parts, ":")
}

// checkJavaUsesStore runs the Java client directly with the store as its
// only trust store and no password: it must reach s.
func checkJavaUsesStore(t *testing.T, java string, p *project, store string, s *testutil.TLSServer) {
	t.Helper()
	before := s.Hits()
	res, out := runDirect(t, p.Dir, []string{
		"E2E_URLS=" + s.URL,
		"JAVA_TOOL_OPTIONS=-Djavax.net.ssl.trustStore=" + store + " -Djavax.net.ssl.trustStoreType=PKCS12",
	}, java, "-cp", filepath.Join(p.Dir, "classes"), "Client")
	if !strings.HasPrefix(res, "ok") {
		t.Errorf("java with only %s as trust store: RESULT %s\n%s", store, res, out)
	}
	if got := s.Hits() - before; got != 1 {
		t.Errorf("java with the trust store: server answered %d requests, want 1", got)
	}
}

// reapply runs apply -auto-approve again on a project whose cleanup apply
// already registered, and returns its output.
func (p *project) reapply() string {
	p.t.Helper()
	out, err := p.run("apply", "-auto-approve")
	if err != nil {
		p.t.Fatalf("trustform apply: %v\n%s", err, out)
	}
	return out
}

// singleResult checks that the log of addr holds exactly one RESULT line:
// a replaced process starts with a fresh log, so a RESULT cannot be a
// leftover of the process it replaced.
func (p *project) singleResult(addr string) {
	p.t.Helper()
	if n := strings.Count(p.logOf(addr), "RESULT "); n != 1 {
		p.t.Errorf("%s: log holds %d RESULT lines, want 1 (the replaced process's log was kept?):\n%s", addr, n, p.logOf(addr))
	}
}

// TestKeytoolSeesPasswordStores proves checkTrustStore can fail: a store
// encrypted and MACed with a password is listed by the same invocation
// only with a prompt and an integrity warning, which the check rejects.
func TestKeytoolSeesPasswordStores(t *testing.T) {
	start(t)
	keytool := needTool(t, "keytool", "apt-get install -y default-jre-headless")
	ca := testutil.NewCA(t, "trustform e2e keytool")
	for name, enc := range map[string]*pkcs12.Encoder{"modern": pkcs12.Modern, "passwordless": pkcs12.Passwordless} {
		password := "changeit"
		if enc == pkcs12.Passwordless {
			password = ""
		}
		data, err := enc.EncodeTrustStore([]*x509.Certificate{ca.Cert}, password)
		must(t, err)
		store := filepath.Join(t.TempDir(), name+".p12")
		writeFile(t, store, data)
		out, err := keytoolList(t, keytool, store)
		needsPassword := err != nil || strings.Contains(out, "Enter keystore password") || strings.Contains(out, "has NOT been verified")
		if needsPassword != (enc != pkcs12.Passwordless) {
			t.Errorf("%s store: keytool -list -noprompt: needs a password = %v (err %v)\n%s", name, needsPassword, err, out)
		}
	}
}
