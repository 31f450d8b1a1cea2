package testutil

import (
	"bytes"
	"crypto/x509"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The test CA and leaf must be acceptable to the strictest verifier the
// clients use, or a failing client would prove nothing about trustform.

func TestTestCAShape(t *testing.T) {
	ca := NewCA(t, "trustform e2e shape")
	leaf := ca.Leaf(t, "localhost")
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
	other := NewCA(t, "trustform e2e other")
	pool := x509.NewCertPool()
	pool.AddCert(other.Cert)
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: pool, DNSName: "127.0.0.1"}); err == nil {
		t.Error("leaf verifies against an unrelated CA")
	}
}

func TestTestCAOpenSSLStrict(t *testing.T) {
	openssl := NeedTool(t, "openssl", "apt-get install -y openssl")
	ca := NewCA(t, "trustform e2e strict")
	leafPEM := ca.LeafPEM(t, "localhost")
	dir := t.TempDir()
	for name, data := range map[string][]byte{"ca.pem": ca.PEM, "leaf.pem": leafPEM} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out, err := exec.Command(openssl, "verify", "-x509_strict", "-purpose", "sslserver",
		"-CAfile", filepath.Join(dir, "ca.pem"), filepath.Join(dir, "leaf.pem")).CombinedOutput()
	if err != nil || !strings.Contains(string(out), ": OK") {
		t.Fatalf("openssl verify -x509_strict: %v\n%s", err, out)
	}
}
