package devcert

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	stdpem "encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func selfSigned(t *testing.T, cn string, notAfter time.Time) []byte {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(7),
		Subject:               pkix.Name{CommonName: cn},
		NotBefore:             testNow.Add(-48 * time.Hour),
		NotAfter:              notAfter,
		BasicConstraintsValid: true,
		IsCA:                  true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return stdpem.EncodeToMemory(&stdpem.Block{Type: "CERTIFICATE", Bytes: der})
}

func write(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestDiscover(t *testing.T) {
	home := t.TempDir()
	trust := filepath.Join(home, ".aspnet", "dev-certs", "trust")
	valid := testNow.Add(365 * 24 * time.Hour)
	write(t, filepath.Join(trust, "aspnetcore-localhost-AAAA.pem"), selfSigned(t, "localhost", valid))
	write(t, filepath.Join(trust, "aspnetcore-localhost-BBBB.pem"), selfSigned(t, "old localhost", testNow.Add(-time.Hour)))
	write(t, filepath.Join(trust, "with-key.pem"), append(selfSigned(t, "keyed", valid),
		[]byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")...))
	write(t, filepath.Join(trust, "notes.txt"), []byte("not a pem"))
	write(t, filepath.Join(home, ".local", "share", "mkcert", "rootCA.pem"), selfSigned(t, "mkcert dev@box", valid))

	found, errs := discover("linux", home, map[string]string{}, testNow)
	if len(found) != 2 {
		t.Fatalf("found %v, want the valid ASP.NET certificate and mkcert's root", found)
	}
	if found[0].Kind != KindASPNETCore || found[0].Cert.X509.Subject.CommonName != "localhost" ||
		filepath.Base(found[0].Path) != "aspnetcore-localhost-AAAA.pem" {
		t.Errorf("found[0] = %+v", found[0])
	}
	if found[1].Kind != KindMkcert || found[1].Cert.X509.Subject.CommonName != "mkcert dev@box" {
		t.Errorf("found[1] = %+v", found[1])
	}
	joined := ""
	for _, e := range errs {
		joined += e.Error() + "\n"
	}
	if len(errs) != 2 || !strings.Contains(joined, "expired") || !strings.Contains(joined, "private key in") {
		t.Errorf("errors:\n%s\nwant one for the expired and one for the keyed file", joined)
	}
}

func TestDiscoverNothing(t *testing.T) {
	found, errs := discover("linux", t.TempDir(), nil, testNow)
	if len(found) != 0 || len(errs) != 0 {
		t.Fatalf("found %v errs %v in an empty home", found, errs)
	}
	found, errs = discover("linux", "", nil, testNow)
	if len(found) != 0 || len(errs) != 0 {
		t.Fatalf("no home: found %v errs %v", found, errs)
	}
}

func TestMkcertRoot(t *testing.T) {
	for _, tc := range []struct {
		goos string
		env  map[string]string
		home string
		want string
	}{
		{"linux", map[string]string{"CAROOT": "/ca"}, "/h", "/ca"},
		{"linux", map[string]string{"XDG_DATA_HOME": "/xdg"}, "/h", "/xdg/mkcert"},
		{"linux", nil, "/h", "/h/.local/share/mkcert"},
		{"darwin", nil, "/Users/u", "/Users/u/Library/Application Support/mkcert"},
		{"darwin", map[string]string{"XDG_DATA_HOME": "/xdg"}, "/Users/u", "/xdg/mkcert"},
		{"windows", map[string]string{"LOCALAPPDATA": `/appdata`}, "/h", "/appdata/mkcert"},
		{"windows", map[string]string{"CaRoot": "/ca"}, "/h", "/ca"},
		{"linux", nil, "", ""},
	} {
		got := mkcertRoot(tc.goos, tc.home, tc.env)
		if got != filepath.FromSlash(tc.want) {
			t.Errorf("%s %v home=%q: %q, want %q", tc.goos, tc.env, tc.home, got, tc.want)
		}
	}
}

func TestDiscoverCAROOT(t *testing.T) {
	home, caroot := t.TempDir(), t.TempDir()
	write(t, filepath.Join(caroot, "rootCA.pem"), selfSigned(t, "custom mkcert", testNow.Add(time.Hour)))
	write(t, filepath.Join(home, ".local", "share", "mkcert", "rootCA.pem"), selfSigned(t, "default mkcert", testNow.Add(time.Hour)))
	found, errs := Discover(home, map[string]string{"CAROOT": caroot}, testNow)
	if len(errs) != 0 || len(found) != 1 || found[0].Cert.X509.Subject.CommonName != "custom mkcert" {
		t.Fatalf("found %+v errs %v, want only $CAROOT's root", found, errs)
	}
}
