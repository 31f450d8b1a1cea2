package apply

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/trustform/trustform/internal/layout"
	"github.com/trustform/trustform/plan"
	"github.com/trustform/trustform/runtimes"
	"github.com/trustform/trustform/state"
)

// setSpec returns a process spec in the trust set directory name, whose
// bundle holds content: specs made with the same name share one list of
// files, as the planner makes them.
func (f *fixture) setSpec(addr, name, content string, files map[string][]state.File) *state.Spec {
	td := layout.TrustSetDir(f.dir, name)
	if files[name] == nil {
		files[name] = []state.File{
			{Path: filepath.Join(td, "cert.pem"), Mode: 0o644, SHA256: f.blob(content)},
			{Path: filepath.Join(td, "certs", "aaaa.pem"), Mode: 0o644, SHA256: f.blob(content)},
			{Path: filepath.Join(td, "certs", "12345678.0"), Mode: 0o644, Link: "aaaa.pem"},
		}
	}
	return &state.Spec{
		Kind:       runtimes.KindProcess,
		Argv:       []string{"/bin/true", addr},
		WorkingDir: f.dir,
		Env:        map[string]string{"SSL_CERT_FILE": filepath.Join(td, "cert.pem")},
		TrustDir:   td,
		TrustSet:   name,
		Files:      files[name],
	}
}

func entries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	return out
}

// Resources sharing a set share one directory, written once; a directory
// that exists is never rewritten (a running process may read it); a set
// nobody references any more is removed, by apply and by destroy.
func TestTrustSetsWrittenOnceAndSwept(t *testing.T) {
	f := newFixture(t)
	files := map[string][]state.File{}
	a := f.setSpec("executable.a", "corp-000000000001", "CORP v1\n", files)
	b := f.setSpec("executable.b", "corp-000000000001", "CORP v1\n", files)
	c := f.setSpec("executable.c", "other-000000000002", "OTHER\n", files)
	st := newState()
	store := NewStore(st, nil)
	if _, err := Apply(context.Background(), f.plan(create("executable.a", a), create("executable.b", b), create("executable.c", c)), opts(newFakeRunner(), store)); err != nil {
		t.Fatal(err)
	}
	trust := layout.TrustDir(f.dir)
	if got := entries(t, trust); len(got) != 2 {
		t.Fatalf("trust directory holds %v, want the two sets", got)
	}
	if _, err := os.Stat(layout.ResourcesDir(f.dir)); !os.IsNotExist(err) {
		t.Errorf("per-resource directory exists (%v)", err)
	}
	for _, r := range st.Resources {
		for _, p := range r.CreatedPaths {
			if filepath.Dir(p) == trust {
				t.Errorf("%s records the shared set %s as its own", r.Address, p)
			}
		}
	}
	bundle := filepath.Join(a.TrustDir, "cert.pem")
	before, err := os.Stat(bundle)
	if err != nil {
		t.Fatal(err)
	}

	// c moves to a new version of its set while a and b keep running:
	// their directory is left exactly as it was, c's old one goes.
	c2 := f.setSpec("executable.c", "other-000000000003", "OTHER v2\n", files)
	if _, err := Apply(context.Background(), f.plan(change(plan.Replace, "executable.c", c, c2)), opts(newFakeRunner(), store)); err != nil {
		t.Fatal(err)
	}
	after, err := os.Stat(bundle)
	if err != nil || !os.SameFile(before, after) || !after.ModTime().Equal(before.ModTime()) {
		t.Errorf("the set of the running resources was rewritten (%v)", err)
	}
	if got := entries(t, trust); len(got) != 2 || got[0] != "corp-000000000001" || got[1] != "other-000000000003" {
		t.Errorf("after the replace the trust directory holds %v", got)
	}

	// A directory that already exists is taken as it is (it is named by
	// its content), not rebuilt.
	marker := filepath.Join(a.TrustDir, "kept")
	if err := os.WriteFile(marker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	d := f.setSpec("executable.d", "corp-000000000001", "CORP v1\n", files)
	if _, err := Apply(context.Background(), f.plan(create("executable.d", d)), opts(newFakeRunner(), store)); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(marker); err != nil {
		t.Errorf("an existing set directory was rebuilt: %v", err)
	}

	var dels []*plan.Change
	for _, r := range st.Resources {
		dels = append(dels, change(plan.Delete, r.Address, r.Spec, nil))
	}
	if _, err := Apply(context.Background(), f.plan(dels...), opts(newFakeRunner(), store)); err != nil {
		t.Fatal(err)
	}
	// Only the file trustform did not write is left, with its directory.
	if got := entries(t, a.TrustDir); len(got) != 1 || got[0] != "kept" {
		t.Errorf("after destroy the set directory holds %v, want only the user's file", got)
	}
	os.Remove(marker)
	if _, err := Apply(context.Background(), f.plan(), opts(newFakeRunner(), store)); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(trust); !os.IsNotExist(err) {
		t.Errorf("an empty apply after destroy left the trust directory holding %v", entries(t, trust))
	}
}
