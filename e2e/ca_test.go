//go:build linux

package e2e

import (
	"bytes"
	"crypto/x509"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/trustform/trustform/internal/testutil"
)

// The test CA and leaf must be acceptable to the strictest verifier the
// clients use, or a failing client would prove nothing about trustform.

func TestTestCAShape(t *testing.T) {
	ca := newCA(t, "trustform e2e shape")
	_, leafPEM := ca.leaf(t)
	leaf := parsePEM(t, leafPEM)
	if !ca.Cert.IsCA || !ca.Cert.BasicConstraintsValid || ca.Cert.MaxPathLen != 0 || !ca.Cert.MaxPathLenZero {
		t.Errorf("CA basic constraints: IsCA=%v valid=%v maxPathLen=%d zero=%v",
			ca.Cert.IsCA, ca.Cert.BasicConstraintsValid, ca.Cert.MaxPathLen, ca.Cert.MaxPathLenZero)
	}
	if len(ca.Cert.SubjectKeyId) == 0 {
		t.Error("CA has no subject key identifier")
	}
	if !bytes.Equal(leaf.AuthorityKeyId, ca.Cert.SubjectKeyId) {
		t.Errorf("leaf AKI %x != CA SKI %x", leaf.AuthorityKeyId, ca.Cert.SubjectKeyId)
	}
	if leaf.IsCA {
		t.Error("leaf is a CA")
	}
	roots := x509.NewCertPool()
	roots.AddCert(ca.Cert)
	for _, host := range []string{"127.0.0.1", "::1", "localhost"} {
		if _, err := leaf.Verify(x509.VerifyOptions{Roots: roots, DNSName: host}); err != nil {
			t.Errorf("leaf does not verify for %s: %v", host, err)
		}
	}
	other := newCA(t, "trustform e2e other")
	pool := x509.NewCertPool()
	pool.AddCert(other.Cert)
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: pool, DNSName: "127.0.0.1"}); err == nil {
		t.Error("leaf verifies against an unrelated CA")
	}
}

func TestTestCAOpenSSLStrict(t *testing.T) {
	openssl := needTool(t, "openssl", "apt-get install -y openssl")
	ca := newCA(t, "trustform e2e strict")
	_, leafPEM := ca.leaf(t)
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "ca.pem"), ca.PEM)
	writeFile(t, filepath.Join(dir, "leaf.pem"), leafPEM)
	out, err := exec.Command(openssl, "verify", "-x509_strict", "-purpose", "sslserver",
		"-CAfile", filepath.Join(dir, "ca.pem"), filepath.Join(dir, "leaf.pem")).CombinedOutput()
	if err != nil || !strings.Contains(string(out), ": OK") {
		t.Fatalf("openssl verify -x509_strict: %v\n%s", err, out)
	}
}

func TestTestServer(t *testing.T) {
	s := startServer(t, "trustform e2e server")
	roots := x509.NewCertPool()
	roots.AddCert(s.CA.Cert)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: tlsConfig(roots)}}
	res, err := client.Get(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if strings.TrimSpace(string(body)) != greeting {
		t.Errorf("body %q, want %q", body, greeting)
	}
	wantHits(t, s, 1)

	other := startServer(t, "trustform e2e other server")
	if _, err := client.Get(other.URL); err == nil {
		t.Error("a client trusting one CA reached the server of another")
	}
	if !strings.HasPrefix(s.URL, "https://127.0.0.1:") {
		t.Errorf("server URL %s is not on 127.0.0.1", s.URL)
	}
}

// TestTestCAPythonStrict runs the python client as Python 3.13 verifies
// (VERIFY_X509_STRICT), trusting only the test CA.
func TestTestCAPythonStrict(t *testing.T) {
	python := needTool(t, "python3", "apt-get install -y python3")
	s := startServer(t, "trustform e2e python strict")
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "ca.pem"), s.CA.PEM)
	res, out := runDirect(t, dir, []string{
		"E2E_URLS=" + s.URL, "E2E_STRICT=1", "SSL_CERT_FILE=" + filepath.Join(dir, "ca.pem"),
		"SSL_CERT_DIR=" + filepath.Join(dir, "empty"),
	}, python, filepath.Join(testdataDir(t), "python", "client.py"))
	if !strings.HasPrefix(res, "ok") {
		t.Fatalf("strict python client: RESULT %s\n%s", res, out)
	}
	wantHits(t, s, 1)
}

func parsePEM(t *testing.T, data []byte) *x509.Certificate {
	t.Helper()
	block, _ := pemDecode(data)
	c, err := x509.ParseCertificate(block)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func writeFile(t testing.TB, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// testdataDir is the absolute path of e2e/testdata.
func testdataDir(t testing.TB) string {
	t.Helper()
	d, err := filepath.Abs("testdata")
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestLeftoverDetection proves the nothing-left-behind checks can see a
// process: one carrying a lineage in its environment is found and alive,
// and neither once killed.
func TestLeftoverDetection(t *testing.T) {
	sleep := needTool(t, "sleep", "apt-get install -y coreutils")
	lineage := "e2e-leftover-" + t.Name() + "-" + strconv.Itoa(os.Getpid())
	cmd := exec.Command(sleep, "60")
	cmd.Env = []string{"TRUSTFORM_LINEAGE=" + lineage}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pid := cmd.Process.Pid
	if !testutil.Alive(pid) {
		t.Errorf("testutil.Alive(%d) = false for a running process", pid)
	}
	if got := pidsWithEnvValue(lineage); len(got) != 1 || got[0] != pid {
		t.Errorf("pidsWithEnvValue = %v, want [%d]", got, pid)
	}
	cmd.Process.Kill()
	cmd.Wait()
	if testutil.Alive(pid) {
		t.Errorf("testutil.Alive(%d) = true after kill and wait", pid)
	}
	if got := pidsWithEnvValue(lineage); len(got) != 0 {
		t.Errorf("pidsWithEnvValue after kill = %v", got)
	}
}
