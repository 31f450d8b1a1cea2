package apply

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trustform/trustform/internal/layout"
	"github.com/trustform/trustform/plan"
	"github.com/trustform/trustform/state"
)

func TestTrustMaterialContentsModesLinks(t *testing.T) {
	for _, noStore := range []bool{false, true} {
		name := "store"
		if noStore {
			name = "copies"
		}
		t.Run(name, func(t *testing.T) {
			f := newFixture(t)
			a, b := f.spec("executable.a"), f.spec("executable.b")
			// A private file, to see that modes are applied exactly.
			secret := f.blob("secret\n")
			a.Files = append(a.Files, state.File{Path: filepath.Join(a.TrustDir, "store.p12"), Mode: 0o600, SHA256: secret})
			o := opts(newFakeRunner(), NewStore(newState(), nil))
			o.NoLinkStore = noStore
			if _, err := Apply(context.Background(), f.plan(create("executable.a", a), create("executable.b", b)), o); err != nil {
				t.Fatal(err)
			}
			for _, s := range []*state.Spec{a, b} {
				for _, fl := range s.Files {
					fi, err := os.Lstat(fl.Path)
					if err != nil {
						t.Fatal(err)
					}
					if fl.Link != "" {
						target, err := os.Readlink(fl.Path)
						if err != nil || target != fl.Link {
							t.Errorf("%s: link to %q (%v), want %q", fl.Path, target, err, fl.Link)
						}
						continue
					}
					if got := fi.Mode().Perm(); got != os.FileMode(fl.Mode) {
						t.Errorf("%s: mode %v, want %o", fl.Path, got, fl.Mode)
					}
					got, _ := os.ReadFile(fl.Path)
					if string(got) != string(f.blobs[fl.SHA256]) {
						t.Errorf("%s: content %q", fl.Path, got)
					}
				}
				// The hash link resolves to the certificate.
				if got, err := os.ReadFile(filepath.Join(s.TrustDir, "certs", "12345678.0")); err != nil || string(got) != "CERT shared\n" {
					t.Errorf("hash link reads %q, %v", got, err)
				}
			}
			shared := filepath.Join(a.TrustDir, "certs", "aaaa.pem")
			fi, _ := os.Stat(shared)
			n, ok := linkCount(fi)
			if ok && !noStore && n != 3 {
				t.Errorf("shared certificate has %d links, want 3 (store + 2 resources)", n)
			}
			if ok && noStore && n != 1 {
				t.Errorf("with NoLinkStore the file has %d links", n)
			}
			// Resource directories hold nothing but their files.
			ents, _ := os.ReadDir(layout.ResourcesDir(f.dir))
			if len(ents) != 2 {
				t.Errorf("resources dir holds %v", ents)
			}
		})
	}
}

func TestTrustMaterialReplacedWholesale(t *testing.T) {
	f := newFixture(t)
	store := NewStore(newState(), nil)
	old := f.spec("executable.a")
	o := opts(newFakeRunner(), store)
	if _, err := Apply(context.Background(), f.plan(create("executable.a", old)), o); err != nil {
		t.Fatal(err)
	}
	after := f.spec("executable.a")
	after.Files = after.Files[:1] // certs/ no longer wanted
	after.Files[0].SHA256 = f.blob("NEW BUNDLE\n")
	if _, err := Apply(context.Background(), f.plan(change(plan.Replace, "executable.a", old, after)), o); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(filepath.Join(after.TrustDir, "cert.pem")); string(got) != "NEW BUNDLE\n" {
		t.Errorf("bundle = %q", got)
	}
	if _, err := os.Lstat(filepath.Join(after.TrustDir, "certs")); !os.IsNotExist(err) {
		t.Errorf("old certs/ survived a replace: %v", err)
	}
	// The old bundle and cert are linked by nobody now and were swept.
	ents, _ := os.ReadDir(filepath.Join(layout.StateDir(f.dir), StoreDirName))
	if linkCountSupported && len(ents) != 1 {
		t.Errorf("store holds %d entries, want 1", len(ents))
	}
}

func TestApplyRejectsCorruptBlobBeforeStarting(t *testing.T) {
	f := newFixture(t)
	s := f.spec("executable.a")
	f.blobs[s.Files[0].SHA256] = []byte("tampered")
	r := newFakeRunner()
	_, err := Apply(context.Background(), f.plan(create("executable.a", s)), opts(r, NewStore(newState(), nil)))
	if err == nil || !strings.Contains(err.Error(), "does not match its sha256") {
		t.Fatalf("err = %v", err)
	}
	if len(r.callList()) != 0 {
		t.Error("started despite corrupt plan")
	}
	if _, err := os.Stat(s.TrustDir); !os.IsNotExist(err) {
		t.Error("wrote material from a corrupt plan")
	}
}

func TestApplyRejectsFilesOutsideTrustDir(t *testing.T) {
	f := newFixture(t)
	s := f.spec("executable.a")
	s.Files = append(s.Files, state.File{Path: filepath.Join(f.dir, "evil.pem"), Mode: 0o644, SHA256: s.Files[0].SHA256})
	_, err := Apply(context.Background(), f.plan(create("executable.a", s)), opts(newFakeRunner(), NewStore(newState(), nil)))
	if err == nil || !strings.Contains(err.Error(), "outside the trust directory") {
		t.Fatalf("err = %v", err)
	}
	if _, err := os.Stat(filepath.Join(f.dir, "evil.pem")); !os.IsNotExist(err) {
		t.Error("wrote outside the trust directory")
	}
}

func TestStaleStoreEntryIsRewritten(t *testing.T) {
	f := newFixture(t)
	s := f.spec("executable.a")
	if !linkCountSupported {
		t.Skip("no link store here")
	}
	fl := s.Files[1]
	entry := filepath.Join(layout.StateDir(f.dir), StoreDirName, fl.SHA256+"-644")
	os.MkdirAll(filepath.Dir(entry), 0o755)
	if err := os.WriteFile(entry, []byte("CERT sharEd\n"), 0o644); err != nil { // same size, wrong bytes
		t.Fatal(err)
	}
	if _, err := Apply(context.Background(), f.plan(create("executable.a", s)), opts(newFakeRunner(), NewStore(newState(), nil))); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(fl.Path); string(got) != "CERT shared\n" {
		t.Errorf("content = %q, a corrupted store entry was reused", got)
	}
}

func TestLinksAsFiles(t *testing.T) {
	f := newFixture(t)
	s := f.spec("executable.a")
	o := opts(newFakeRunner(), NewStore(newState(), nil))
	o.LinksAsFiles = true
	if _, err := Apply(context.Background(), f.plan(create("executable.a", s)), o); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(s.TrustDir, "certs", "12345678.0")
	fi, err := os.Lstat(p)
	if err != nil || !fi.Mode().IsRegular() {
		t.Fatalf("%s: %v, %v; want a regular file", p, fi, err)
	}
	if got, _ := os.ReadFile(p); string(got) != "CERT shared\n" {
		t.Errorf("content = %q", got)
	}
	if n, ok := linkCount(fi); ok && n != 3 {
		t.Errorf("%d links; want 3 (store, the .pem, the hash name)", n)
	}
}
