//go:build !darwin && !windows

package sysroots

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

func TestUnixInputs(t *testing.T) {
	dir := t.TempDir()
	first := filepath.Join(dir, "missing.crt")
	second := filepath.Join(dir, "second.crt")
	third := filepath.Join(dir, "third.crt")
	os.WriteFile(second, rootPEM(t, "Second", testNow.Add(time.Hour)), 0o644)
	os.WriteFile(third, rootPEM(t, "Third", testNow.Add(time.Hour)), 0o644)
	override := filepath.Join(dir, "override.pem")
	os.WriteFile(override, rootPEM(t, "Override", testNow.Add(time.Hour)), 0o644)
	bundles := []string{first, second, third}

	in, err := unixInputs("", bundles, nil)
	if err != nil || len(in) != 1 || in[0].source != second {
		t.Fatalf("got %v, %v; want the first existing bundle only", in, err)
	}
	in, err = unixInputs(override, bundles, nil)
	if err != nil || len(in) != 1 || in[0].source != override {
		t.Fatalf("SSL_CERT_FILE not honoured: %v, %v", in, err)
	}
	if _, err := unixInputs(filepath.Join(dir, "nope.pem"), bundles, nil); err == nil {
		t.Fatal("missing SSL_CERT_FILE is not an error")
	}
}

func TestUnixInputsDirectoryFallback(t *testing.T) {
	certs := t.TempDir()
	os.WriteFile(filepath.Join(certs, "a.pem"), rootPEM(t, "A", testNow.Add(time.Hour)), 0o644)
	os.WriteFile(filepath.Join(certs, "b.crt"), rootPEM(t, "B", testNow.Add(time.Hour)), 0o644)
	if err := os.Symlink("a.pem", filepath.Join(certs, "1234abcd.0")); err != nil {
		t.Skip(err)
	}
	os.Mkdir(filepath.Join(certs, "subdir"), 0o755)
	in, err := unixInputs("", []string{filepath.Join(certs, "none.crt")}, []string{certs, filepath.Join(certs, "missing")})
	if err != nil {
		t.Fatal(err)
	}
	got := names(parseInputs(in, testNow))
	slices.Sort(got)
	if !slices.Equal(got, []string{"A", "B"}) {
		t.Fatalf("got %v, want A and B once each", got)
	}
}

func TestLoadFromThisMachine(t *testing.T) {
	if _, err := os.Stat("/etc/ssl/certs/ca-certificates.crt"); err != nil {
		t.Skip("no Debian-style bundle on this machine; install with: apt-get install -y ca-certificates")
	}
	all, err := LoadWith(Options{})
	if err != nil {
		t.Fatal(err)
	}
	valid, err := LoadWith(Options{Now: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if len(valid) < 10 || len(valid) > len(all) {
		t.Fatalf("%d valid of %d roots", len(valid), len(all))
	}
	if !slices.Contains(Dirs(), "/etc/ssl/certs") {
		t.Errorf("Dirs() = %v, want /etc/ssl/certs", Dirs())
	}
	env := map[string]string{"SSL_CERT_FILE": "/nonexistent/bundle.pem"}
	if _, err := LoadWith(Options{Environ: env}); err == nil {
		t.Error("SSL_CERT_FILE ignored")
	}
}
