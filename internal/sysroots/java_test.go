package sysroots

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/binary"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"software.sslmate.com/src/go-pkcs12"

	"github.com/trustform/trustform/internal/testutil"
)

func testCA(t *testing.T, cn string, notAfter time.Time) *x509.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: cn},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              notAfter,
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// jks writes a version-2 JKS holding trusted certificates and one
// private-key entry, in the layout keytool produces.
func jks(certs []*x509.Certificate) []byte {
	var b bytes.Buffer
	w := func(v any) { binary.Write(&b, binary.BigEndian, v) }
	utf := func(s string) { w(uint16(len(s))); b.WriteString(s) }
	b.Write([]byte{0xfe, 0xed, 0xfe, 0xed})
	w(uint32(2))
	w(uint32(len(certs) + 1))
	for i, c := range certs {
		w(uint32(2))
		utf("alias" + string(rune('a'+i)))
		w(uint64(0))
		utf("X.509")
		w(uint32(len(c.Raw)))
		b.Write(c.Raw)
	}
	w(uint32(1))
	utf("a-key")
	w(uint64(0))
	w(uint32(4))
	b.WriteString("KEY!")
	w(uint32(1))
	utf("X.509")
	w(uint32(len(certs[0].Raw)))
	b.Write(certs[0].Raw)
	b.Write(make([]byte, 20)) // digest, not checked
	return b.Bytes()
}

func TestLoadJavaJKS(t *testing.T) {
	now := time.Now()
	a := testCA(t, "Java Root A", now.Add(24*time.Hour))
	b := testCA(t, "Java Root B", now.Add(24*time.Hour))
	old := testCA(t, "Java Root Expired", now.Add(time.Minute))
	path := filepath.Join(t.TempDir(), "cacerts")
	if err := os.WriteFile(path, jks([]*x509.Certificate{a, b, old}), 0o644); err != nil {
		t.Fatal(err)
	}
	certs, err := LoadJava(path, now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(certs) != 2 || certs[0].X509.Subject.CommonName != "Java Root A" || certs[1].X509.Subject.CommonName != "Java Root B" {
		t.Fatalf("got %d certificates %v, want roots A and B (expired left out, key entry skipped)", len(certs), certs)
	}
}

func TestLoadJavaPKCS12(t *testing.T) {
	a := testCA(t, "Java P12 Root", time.Now().Add(24*time.Hour))
	data, err := pkcs12.Passwordless.EncodeTrustStore([]*x509.Certificate{a}, "")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "cacerts")
	os.WriteFile(path, data, 0o644)
	certs, err := LoadJava(path, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(certs) != 1 || certs[0].X509.Subject.CommonName != "Java P12 Root" {
		t.Fatalf("got %v", certs)
	}
}

func TestLoadJavaTruncated(t *testing.T) {
	a := testCA(t, "Java Root A", time.Now().Add(24*time.Hour))
	data := jks([]*x509.Certificate{a})
	path := filepath.Join(t.TempDir(), "cacerts")
	os.WriteFile(path, data[:40], 0o644)
	if _, err := LoadJava(path, time.Now()); err == nil {
		t.Fatal("a truncated JKS file must be an error")
	}
}

// The real JDK store of this machine, found the way the CLI finds it.
func TestLoadJavaFromThisMachine(t *testing.T) {
	testutil.NeedTool(t, "java", "apt-get install -y default-jre-headless")
	path, err := JavaCacertsPath(map[string]string{}, exec.LookPath)
	if err != nil {
		t.Fatal(err)
	}
	certs, err := LoadJava(path, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(certs) < 50 {
		t.Fatalf("%s gave %d certificates; a JDK store holds well over 50", path, len(certs))
	}
}
