package benchgen

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/trustform/trustform/lang"
)

func loadOptions(t testing.TB) lang.Options {
	return lang.Options{
		Environ:    []string{"PATH=/usr/bin:/bin"},
		DevcertDir: filepath.Join(t.TempDir(), "devcert"),
		Now:        time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC),
		GOOS:       runtime.GOOS,
	}
}

func TestCACertsDistinctOrderedCAs(t *testing.T) {
	pems, err := CACerts(12)
	if err != nil {
		t.Fatal(err)
	}
	if len(pems) != 12 {
		t.Fatalf("%d certificates, want 12", len(pems))
	}
	subjects := map[string]bool{}
	prev := ""
	for i, p := range pems {
		block, rest := pem.Decode(p)
		if block == nil || block.Type != "CERTIFICATE" || len(rest) != 0 {
			t.Fatalf("certificate %d is not one CERTIFICATE block", i)
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		if !c.IsCA || c.CheckSignatureFrom(c) != nil {
			t.Errorf("certificate %d is not a self-signed CA", i)
		}
		if k, ok := c.PublicKey.(*ecdsa.PublicKey); !ok || k.Curve != elliptic.P256() {
			t.Errorf("certificate %d: key %T, want ECDSA P-256", i, c.PublicKey)
		}
		s := c.Subject.String()
		if subjects[s] {
			t.Errorf("subject %q twice", s)
		}
		subjects[s] = true
		if s <= prev {
			t.Errorf("subjects out of order: %q after %q", s, prev)
		}
		prev = s
	}
}

func TestDependsOnPattern(t *testing.T) {
	for i := range 45 {
		want := -1
		if i == 10 || i == 20 || i == 30 || i == 40 {
			want = i - 10
		}
		if got := DependsOn(i); got != want {
			t.Errorf("DependsOn(%d) = %d, want %d", i, got, want)
		}
	}
}

func TestWriteLoads(t *testing.T) {
	const n, c = 35, 7
	pems, err := CACerts(c)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := Write(dir, Options{Resources: n, Certs: pems, Env: map[string]string{"RUN": "x1"}}); err != nil {
		t.Fatal(err)
	}

	entries, err := os.ReadDir(filepath.Join(dir, CertsDir))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != c {
		t.Errorf("%d files in certs/, want %d", len(entries), c)
	}
	for i := range c {
		got, err := os.ReadFile(filepath.Join(dir, CertFile(i)))
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(pems[i]) {
			t.Errorf("%s does not hold certificate %d", CertFile(i), i)
		}
	}

	cfg, diags := lang.Load(dir, loadOptions(t))
	if diags.HasErrors() {
		t.Fatalf("generated configuration does not load: %v", diags)
	}
	if len(cfg.Resources) != n {
		t.Fatalf("%d resources, want %d", len(cfg.Resources), n)
	}
	coll := cfg.Collections[CollectionName]
	if coll == nil || len(coll.Certificates) != c {
		t.Fatalf("collection %q: %+v", CollectionName, coll)
	}
	if cfg.Settings.DeveloperCertificateTrust {
		t.Error("developer_certificate_trust is on; the benchmark wants it off")
	}
	for i, r := range cfg.Resources {
		if r.Address != Address(i) {
			t.Fatalf("resource %d is %s, want %s (order)", i, r.Address, Address(i))
		}
		if r.Type != "executable" || r.Attrs.Str("command") != "sleep" || strings.Join(r.Args, " ") != "3600" {
			t.Errorf("%s: command %q args %q", r.Address, r.Attrs.Str("command"), r.Args)
		}
		if r.DeveloperCertificateTrust {
			t.Errorf("%s trusts the developer certificate", r.Address)
		}
		if len(r.Collections) != 1 || r.Collections[0] != CollectionName {
			t.Errorf("%s: collections %v", r.Address, r.Collections)
		}
		if r.Env["RUN"] != "x1" {
			t.Errorf("%s: env %v", r.Address, r.Env)
		}
		var want []string
		if d := DependsOn(i); d >= 0 {
			want = []string{Address(d)}
		}
		if strings.Join(r.DependsOn, ",") != strings.Join(want, ",") {
			t.Errorf("%s depends on %v, want %v", r.Address, r.DependsOn, want)
		}
	}
}

func TestWriteNeedsCertificates(t *testing.T) {
	if err := Write(t.TempDir(), Options{Resources: 3}); err == nil {
		t.Fatal("Write without certificates succeeded")
	}
}

func TestWriteNaiveTree(t *testing.T) {
	const n, c = 4, 5
	pems, err := CACerts(c)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	st, err := WriteNaiveTree(dir, n, pems)
	if err != nil {
		t.Fatal(err)
	}
	if st.Files != n*(c+1) || st.Symlinks != n*c || st.Dirs != 2*n {
		t.Errorf("stats %+v, want %d files, %d symlinks, %d dirs", st, n*(c+1), n*c, 2*n)
	}
	var files, links int
	err = filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		switch {
		case d.Type()&os.ModeSymlink != 0:
			links++
			target, err := os.Readlink(path)
			if err != nil {
				return err
			}
			if filepath.IsAbs(target) || strings.Contains(target, "/") {
				t.Errorf("%s -> %s: want a relative link in the same directory", path, target)
			}
			if _, err := os.Stat(path); err != nil {
				t.Errorf("dangling link %s: %v", path, err)
			}
		case d.Type().IsRegular():
			files++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files != st.Files || links != st.Symlinks {
		t.Errorf("walk found %d files and %d links, stats say %+v", files, links, st)
	}
	bundle, err := os.ReadFile(filepath.Join(dir, "resources", Address(n-1), "cert.pem"))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(string(bundle), "BEGIN CERTIFICATE"); got != c {
		t.Errorf("bundle holds %d certificates, want %d", got, c)
	}
}
