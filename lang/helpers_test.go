package lang

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	encpem "encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"
)

// testNow is the fixed clock of every test.
var testNow = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// makeCA returns a self-signed CA certificate in PEM, valid around testNow.
func makeCA(t testing.TB, cn string) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: cn},
		NotBefore:             testNow.Add(-24 * time.Hour),
		NotAfter:              testNow.Add(365 * 24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return string(encpem.EncodeToMemory(&encpem.Block{Type: "CERTIFICATE", Bytes: der}))
}

// writeFiles creates files (name -> content) under a new temporary
// directory and returns it.
func writeFiles(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func testOptions() Options {
	return Options{Now: testNow, GOOS: "linux", DevcertDir: "/devcert"}
}

// load loads files with default test options.
func load(t testing.TB, files map[string]string) (*Config, hcl.Diagnostics) {
	t.Helper()
	return Load(writeFiles(t, files), testOptions())
}

// mustLoad fails the test on any error diagnostic.
func mustLoad(t testing.TB, files map[string]string) *Config {
	t.Helper()
	cfg, diags := load(t, files)
	if diags.HasErrors() {
		t.Fatalf("unexpected errors:\n%s", diagText(diags))
	}
	return cfg
}

func diagText(diags hcl.Diagnostics) string {
	var b strings.Builder
	for _, d := range diags {
		b.WriteString(d.Error())
		b.WriteString("\n")
	}
	return b.String()
}

func resource(t testing.TB, cfg *Config, addr string) *Resource {
	t.Helper()
	for _, r := range cfg.Resources {
		if r.Address == addr {
			return r
		}
	}
	t.Fatalf("resource %s not in config; have %d resources", addr, len(cfg.Resources))
	return nil
}
