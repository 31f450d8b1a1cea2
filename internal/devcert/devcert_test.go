package devcert

import (
	"bytes"
	"crypto/rand"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func create(t *testing.T, dir string, now time.Time) *CA {
	t.Helper()
	ca, err := CreateWith(dir, Options{Now: now, Rand: rand.Reader, Owner: "dev@box"})
	if err != nil {
		t.Fatalf("CreateWith: %v", err)
	}
	return ca
}

func TestDir(t *testing.T) {
	for _, tc := range []struct {
		name    string
		env     map[string]string
		home    string
		want    string
		wantErr bool
	}{
		{"override", map[string]string{EnvDir: "/x/dev/", "XDG_DATA_HOME": "/xdg"}, "/home/u", "/x/dev", false},
		{"xdg", map[string]string{"XDG_DATA_HOME": "/xdg"}, "/home/u", "/xdg/trustform/devcert", false},
		{"relative xdg ignored", map[string]string{"XDG_DATA_HOME": "rel"}, "/home/u", "/home/u/.local/share/trustform/devcert", false},
		{"home", nil, "/home/u", "/home/u/.local/share/trustform/devcert", false},
		{"nothing", map[string]string{}, "", "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Dir(tc.env, tc.home)
			if (err != nil) != tc.wantErr || got != filepath.FromSlash(tc.want) {
				t.Errorf("Dir = %q, %v; want %q (error %v)", got, err, tc.want, tc.wantErr)
			}
		})
	}
}

func mode(t *testing.T, path string) fs.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

func critical(cert *x509.Certificate, oid asn1.ObjectIdentifier) (present, crit bool) {
	for _, e := range cert.Extensions {
		if e.Id.Equal(oid) {
			return true, e.Critical
		}
	}
	return false, false
}

var (
	oidKeyUsage         = asn1.ObjectIdentifier{2, 5, 29, 15}
	oidBasicConstraints = asn1.ObjectIdentifier{2, 5, 29, 19}
	oidSKI              = asn1.ObjectIdentifier{2, 5, 29, 14}
	oidAKI              = asn1.ObjectIdentifier{2, 5, 29, 35}
)

func TestCreate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "devcert")
	ca := create(t, dir, testNow)
	if !ca.Created || !ca.LeafIssued {
		t.Errorf("Created=%v LeafIssued=%v, want both", ca.Created, ca.LeafIssued)
	}
	paths := Paths(dir)
	if ca.Paths != paths {
		t.Errorf("Paths = %+v", ca.Paths)
	}
	if runtime.GOOS != "windows" {
		for path, want := range map[string]fs.FileMode{paths.CACert: 0o644, paths.CAKey: 0o600, paths.LeafCert: 0o644, paths.LeafKey: 0o600} {
			if got := mode(t, path); got != want {
				t.Errorf("%s: mode %v, want %v", filepath.Base(path), got, want)
			}
		}
	}

	c := ca.Cert.X509
	if !c.IsCA || !c.BasicConstraintsValid || c.MaxPathLen != 0 || !c.MaxPathLenZero {
		t.Errorf("CA constraints: IsCA=%v MaxPathLen=%d Zero=%v", c.IsCA, c.MaxPathLen, c.MaxPathLenZero)
	}
	if c.KeyUsage != x509.KeyUsageCertSign|x509.KeyUsageCRLSign {
		t.Errorf("CA key usage = %v", c.KeyUsage)
	}
	for name, oid := range map[string]asn1.ObjectIdentifier{"basicConstraints": oidBasicConstraints, "keyUsage": oidKeyUsage} {
		if p, crit := critical(c, oid); !p || !crit {
			t.Errorf("CA %s present=%v critical=%v, want critical", name, p, crit)
		}
	}
	if len(c.SubjectKeyId) == 0 {
		t.Error("CA has no SKI")
	}
	if c.Subject.CommonName != CAName || !slices.Equal(c.Subject.Organization, []string{CAName}) || !slices.Equal(c.Subject.OrganizationalUnit, []string{"dev@box"}) {
		t.Errorf("CA subject = %v", c.Subject)
	}
	if got := c.NotAfter.Sub(testNow); got < 9*365*24*time.Hour || got > 11*365*24*time.Hour {
		t.Errorf("CA validity %v, want about 10 years", got)
	}

	l := ca.Leaf.X509
	if !bytes.Equal(l.AuthorityKeyId, c.SubjectKeyId) {
		t.Error("leaf AKI does not match CA SKI")
	}
	if p, _ := critical(l, oidAKI); !p {
		t.Error("leaf has no AKI extension")
	}
	if p, _ := critical(l, oidSKI); !p {
		t.Error("leaf has no SKI extension")
	}
	if p, crit := critical(l, oidKeyUsage); !p || !crit || l.KeyUsage != x509.KeyUsageDigitalSignature {
		t.Errorf("leaf key usage %v critical=%v", l.KeyUsage, crit)
	}
	if !slices.Equal(l.ExtKeyUsage, []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}) {
		t.Errorf("leaf EKU = %v", l.ExtKeyUsage)
	}
	if l.IsCA {
		t.Error("leaf is a CA")
	}
	if !slices.Equal(l.DNSNames, []string{"localhost", "host.docker.internal", "host.containers.internal"}) {
		t.Errorf("leaf DNS names = %v", l.DNSNames)
	}
	if len(l.IPAddresses) != 2 || !l.IPAddresses[0].Equal(net.ParseIP("127.0.0.1")) || !l.IPAddresses[1].Equal(net.ParseIP("::1")) {
		t.Errorf("leaf IPs = %v", l.IPAddresses)
	}
	if total := l.NotAfter.Sub(l.NotBefore); total > 825*24*time.Hour || total < 800*24*time.Hour {
		t.Errorf("leaf validity %v, want at most 825 days", total)
	}
	for _, cert := range []*x509.Certificate{c, l} {
		if cert.SerialNumber.Sign() <= 0 || cert.SerialNumber.BitLen() > 128 || cert.SerialNumber.BitLen() < 64 {
			t.Errorf("serial %v is not a random positive 128-bit number", cert.SerialNumber)
		}
	}
	if c.SerialNumber.Cmp(l.SerialNumber) == 0 {
		t.Error("CA and leaf share a serial")
	}

	roots := x509.NewCertPool()
	roots.AddCert(c)
	for _, name := range []string{"localhost", "host.docker.internal", "host.containers.internal", "127.0.0.1", "::1"} {
		if _, err := l.Verify(x509.VerifyOptions{Roots: roots, DNSName: name, CurrentTime: testNow}); err != nil {
			t.Errorf("verify for %s: %v", name, err)
		}
	}

	// The key files are what they claim to be.
	loaded, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if loaded.Cert.SHA256 != ca.Cert.SHA256 || loaded.Leaf == nil || loaded.Leaf.SHA256 != ca.Leaf.SHA256 {
		t.Error("Load does not return what Create wrote")
	}
	if _, err := readKey(paths.LeafKey); err != nil {
		t.Errorf("leaf key: %v", err)
	}
}

func readAll(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, f := range []string{CACertFile, CAKeyFile, LeafCertFile, LeafKeyFile} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		out[f] = b
	}
	return out
}

func TestCreateIsIdempotent(t *testing.T) {
	dir := t.TempDir()
	create(t, dir, testNow)
	before := readAll(t, dir)
	ca := create(t, dir, testNow.Add(24*time.Hour))
	if ca.Created || ca.LeafIssued {
		t.Errorf("second Create: Created=%v LeafIssued=%v, want neither", ca.Created, ca.LeafIssued)
	}
	after := readAll(t, dir)
	for f := range before {
		if !bytes.Equal(before[f], after[f]) {
			t.Errorf("%s changed", f)
		}
	}
}

func TestCreateReissuesLeaf(t *testing.T) {
	for _, tc := range []struct {
		name   string
		break_ func(t *testing.T, dir string)
		now    time.Time
	}{
		{"leaf missing", func(t *testing.T, dir string) { os.Remove(filepath.Join(dir, LeafCertFile)) }, testNow},
		{"leaf key missing", func(t *testing.T, dir string) { os.Remove(filepath.Join(dir, LeafKeyFile)) }, testNow},
		{"leaf corrupt", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, LeafCertFile), []byte("junk"), 0o644)
		}, testNow},
		{"leaf expiring", func(*testing.T, string) {}, testNow.Add(LeafValidity - 10*24*time.Hour)},
		{"leaf from another CA", func(t *testing.T, dir string) {
			other := t.TempDir()
			create(t, other, testNow)
			for _, f := range []string{LeafCertFile, LeafKeyFile} {
				b, _ := os.ReadFile(filepath.Join(other, f))
				os.WriteFile(filepath.Join(dir, f), b, 0o600)
			}
		}, testNow},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			first := create(t, dir, testNow)
			tc.break_(t, dir)
			ca := create(t, dir, tc.now)
			if ca.Created || !ca.LeafIssued {
				t.Fatalf("Created=%v LeafIssued=%v, want only a new leaf", ca.Created, ca.LeafIssued)
			}
			if ca.Cert.SHA256 != first.Cert.SHA256 {
				t.Error("CA was replaced")
			}
			if ca.Leaf.X509.CheckSignatureFrom(ca.Cert.X509) != nil {
				t.Error("new leaf not signed by the CA")
			}
			if !ca.Leaf.X509.NotAfter.After(tc.now.Add(800 * 24 * time.Hour)) {
				t.Error("new leaf not valid from now on")
			}
			if _, err := Load(dir); err != nil {
				t.Error(err)
			}
			if !leafCurrent(ca, tc.now) {
				t.Error("reissued leaf is not current")
			}
		})
	}
}

func TestCreateExpiredCA(t *testing.T) {
	dir := t.TempDir()
	create(t, dir, testNow)
	_, err := CreateWith(dir, Options{Now: testNow.Add(CAValidity + time.Hour)})
	if err == nil || !strings.Contains(err.Error(), "devcert remove") {
		t.Fatalf("err = %v, want expiry error with a hint", err)
	}
}

func TestCreateReplacesLoneKey(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, CAKeyFile), []byte("stale"), 0o600)
	ca := create(t, dir, testNow)
	if !ca.Created {
		t.Fatal("CA not created")
	}
}

func TestLoadMissing(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "none"))
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "devcert create") {
		t.Fatalf("err = %v, want ErrNotExist with a hint", err)
	}
	_, err = LoadCert(filepath.Join(t.TempDir(), "none"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("LoadCert err = %v", err)
	}
}

func TestLoadMismatchedKey(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	create(t, a, testNow)
	create(t, b, testNow)
	key, _ := os.ReadFile(filepath.Join(b, CAKeyFile))
	os.WriteFile(filepath.Join(a, CAKeyFile), key, 0o600)
	if _, err := Load(a); err == nil || !strings.Contains(err.Error(), "does not belong") {
		t.Fatalf("err = %v", err)
	}
	if _, err := CreateWith(a, Options{Now: testNow}); err == nil {
		t.Fatal("Create accepted a mismatched key")
	}
}

func TestLoadCertWithoutKey(t *testing.T) {
	dir := t.TempDir()
	ca := create(t, dir, testNow)
	os.Remove(filepath.Join(dir, CAKeyFile))
	cert, err := LoadCert(dir)
	if err != nil || cert.SHA256 != ca.Cert.SHA256 {
		t.Fatalf("LoadCert: %v", err)
	}
	if _, err := Load(dir); err == nil || !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "key") {
		t.Fatalf("Load without key: %v", err)
	}
}

func TestRemove(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "devcert")
	create(t, dir, testNow)
	notes := filepath.Join(dir, "notes.txt")
	os.WriteFile(notes, []byte("mine"), 0o644)
	if err := Remove(dir); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 || entries[0].Name() != "notes.txt" {
		t.Fatalf("left %v, want only notes.txt", entries)
	}
	os.Remove(notes)
	create(t, dir, testNow)
	if err := Remove(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("empty directory left behind: %v", err)
	}
	if err := Remove(dir); err != nil {
		t.Errorf("Remove of a missing directory: %v", err)
	}
}

func TestCreateDefaultOwner(t *testing.T) {
	ca, err := Create(t.TempDir(), testNow, nil)
	if err != nil {
		t.Fatal(err)
	}
	if ou := ca.Cert.X509.Subject.OrganizationalUnit; len(ou) != 1 || ou[0] == "" {
		t.Errorf("OU = %v, want user@host", ou)
	}
}
