package sysroots

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/binary"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
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

// withDigest replaces a JKS file's trailing digest by the one keytool
// writes for password.
func withDigest(data []byte, password string) []byte {
	body := append([]byte{}, data[:len(data)-20]...)
	h := sha1.New()
	for _, r := range password {
		h.Write([]byte{byte(r >> 8), byte(r)})
	}
	h.Write([]byte("Mighty Aphrodite"))
	h.Write(body)
	return h.Sum(body)
}

// A user's store is read as the JVM reads it: JKS with or without the
// password (a wrong one is refused), PKCS#12 with the password it needs.
func TestReadJavaStore(t *testing.T) {
	a := testCA(t, "User Root", time.Now().Add(24*time.Hour))
	store := withDigest(jks([]*x509.Certificate{a}), "s3cret")
	for _, c := range []struct {
		pw    string
		hasPw bool
		ok    bool
	}{{"s3cret", true, true}, {"", false, true}, {"wrong", true, false}} {
		st, err := ReadJavaStore(store, "user.jks", c.pw, c.hasPw)
		if c.ok && (err != nil || st.Format != "JKS" || len(st.Certificates) != 1) {
			t.Errorf("JKS, password %q: %v %+v", c.pw, err, st)
		}
		if !c.ok && (err == nil || !strings.Contains(err.Error(), "password is wrong")) {
			t.Errorf("JKS, wrong password: want a refusal, got %v", err)
		}
	}
	p12, err := pkcs12.Modern.EncodeTrustStore([]*x509.Certificate{a}, "s3cret")
	if err != nil {
		t.Fatal(err)
	}
	if st, err := ReadJavaStore(p12, "user.p12", "s3cret", true); err != nil || st.Format != "PKCS12" || len(st.Certificates) != 1 {
		t.Errorf("PKCS12 with its password: %v %+v", err, st)
	}
	if _, err := ReadJavaStore(p12, "user.p12", "", false); err == nil || !strings.Contains(err.Error(), "set -Djavax.net.ssl.trustStorePassword") {
		t.Errorf("PKCS12 without its password: want a refusal saying how to fix it, got %v", err)
	}
	if _, err := ReadJavaStore([]byte("not a store"), "x", "", false); err == nil {
		t.Error("garbage must be refused")
	}
}
