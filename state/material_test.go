package state

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/trustform/trustform/runtimes"
)

// withMaterial returns sample(addr) trusting the files rel (paths relative
// to its trust directory under root) and certs.
func withMaterial(addr, root string, rel []File, certs []Certificate) *Resource {
	r := sample(addr)
	dir := filepath.Join(root, "trust", addr)
	files := make([]File, len(rel))
	for i, f := range rel {
		f.Path = filepath.Join(dir, filepath.FromSlash(f.Path))
		files[i] = f
	}
	r.Spec.Scope = runtimes.Scope("override")
	r.Spec.TrustDir = dir
	r.Spec.Files = files
	r.Spec.Certificates = certs
	r.CreatedPaths = []string{dir}
	return r
}

// mixedState has three resources sharing a material, one with another
// material and one with none.
func mixedState(root string) *State {
	rel, certs := sharedMaterial(3)
	otherRel, otherCerts := sharedMaterial(2)
	s := New("lin-mixed", "0.3.0")
	for _, a := range []string{"node_app.a", "node_app.b", "python_app.c"} {
		s.Upsert(withMaterial(a, root, rel, certs))
	}
	s.Upsert(withMaterial("container.other", root, otherRel, otherCerts))
	s.Upsert(sample("process.plain"))
	s.Outputs = map[string]*Output{"url": {Value: []byte(`"https://127.0.0.1:8443"`), Type: []byte(`"string"`)}}
	return s
}

// fileMaterials returns the materials table of the state file at path.
func fileMaterials(t *testing.T, path string) map[string]json.RawMessage {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Version   int                        `json:"version"`
		Materials map[string]json.RawMessage `json:"materials"`
	}
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	if f.Version != Version {
		t.Errorf("file version = %d, want %d", f.Version, Version)
	}
	return f.Materials
}

func TestSaveLoadSharedMaterial(t *testing.T) {
	path := statePath(t)
	root := filepath.Dir(path)
	want := mixedState(root)
	if err := want.Save(path); err != nil {
		t.Fatal(err)
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want.Resources, got.Resources); diff != "" {
		t.Errorf("resources after Save and Load (-saved +loaded):\n%s", diff)
	}
	if diff := cmp.Diff(want.Outputs, got.Outputs); diff != "" {
		t.Errorf("outputs (-saved +loaded):\n%s", diff)
	}

	mats := fileMaterials(t, path)
	if len(mats) != 2 {
		t.Errorf("file defines %d materials, want 2 (one shared by three resources, one other)", len(mats))
	}
	for d, m := range mats {
		if bytes.Contains(m, []byte(root)) {
			t.Errorf("material %s holds absolute paths: %s", d, m)
		}
	}
	data, _ := os.ReadFile(path)
	// Subject and issuer, once per material: not once per resource.
	if n := bytes.Count(data, []byte(`"CN=Bench Root CA 0,`)); n != 4 {
		t.Errorf("a certificate trusted by four resources is named %d times, want 4 (subject and issuer in each of 2 materials)", n)
	}

	// One certificates slice per material, shared by its resources.
	a, b, c := got.Lookup("node_app.a").Spec, got.Lookup("node_app.b").Spec, got.Lookup("python_app.c").Spec
	if &a.Certificates[0] != &b.Certificates[0] || &a.Certificates[0] != &c.Certificates[0] {
		t.Error("resources with the same material do not share their certificates")
	}
	if other := got.Lookup("container.other").Spec; &other.Certificates[0] == &a.Certificates[0] {
		t.Error("different materials share certificates")
	}
	if p := got.Lookup("process.plain").Spec; p.Files != nil || p.Certificates != nil {
		t.Errorf("resource without trust material loaded with %d files, %d certificates", len(p.Files), len(p.Certificates))
	}

	// Saving what was loaded changes nothing.
	before, _ := os.ReadFile(path)
	if err := got.Save(path); err != nil {
		t.Fatal(err)
	}
	after, _ := os.ReadFile(path)
	if got.Serial != want.Serial || !bytes.Equal(before, after) {
		t.Errorf("saving the loaded state rewrote the file (serial %d, was %d)", got.Serial, want.Serial)
	}
}

func TestMaterialDigestIgnoresTrustDir(t *testing.T) {
	rel, certs := sharedMaterial(2)
	ix := newMaterialIndex()
	d1, _, ok1, err1 := ix.ref(withMaterial("a.one", "/p", rel, certs).Spec)
	// Another index and copies of everything: no pointer is shared, so the
	// digest comes from the content.
	relCopy := append([]File(nil), rel...)
	certsCopy := append([]Certificate(nil), certs...)
	d2, _, ok2, err2 := newMaterialIndex().ref(withMaterial("b.two", "/elsewhere", relCopy, certsCopy).Spec)
	if err1 != nil || err2 != nil || !ok1 || !ok2 {
		t.Fatalf("ref: %v %v %v %v", ok1, ok2, err1, err2)
	}
	if d1 != d2 {
		t.Errorf("same material in two trust directories has digests %s and %s", d1, d2)
	}
	certsCopy[1].Subject = "CN=Changed"
	d3, _, _, _ := newMaterialIndex().ref(withMaterial("b.two", "/elsewhere", relCopy, certsCopy).Spec)
	relCopy[0].SHA256 = strings.Repeat("0", 64)
	d4, _, _, _ := newMaterialIndex().ref(withMaterial("b.two", "/elsewhere", relCopy, certs).Spec)
	if d3 == d1 || d4 == d1 || d3 == d4 {
		t.Errorf("changed content kept the digest: %s %s %s", d1, d3, d4)
	}
	// The index's shortcut (the same certificates slice) must still see
	// a different file list.
	d5, _, _, _ := ix.ref(withMaterial("c.three", "/p", relCopy, certs).Spec)
	if d5 != d4 {
		t.Errorf("index returned %s for a changed file list, want %s", d5, d4)
	}
}

func TestFilesOutsideTrustDirStayInline(t *testing.T) {
	path := statePath(t)
	rel, certs := sharedMaterial(1)
	r := withMaterial("node_app.out", "/p", rel, certs)
	r.Spec.Files = append(r.Spec.Files, File{Path: "/etc/elsewhere/extra.pem", Mode: 0o644, SHA256: "ab"})
	noDir := withMaterial("node_app.nodir", "/p", rel, certs)
	noDir.Spec.TrustDir = ""
	s := New("lin", "dev")
	s.Upsert(r)
	s.Upsert(noDir)
	s.Upsert(withMaterial("node_app.in", "/p", rel, certs))
	if err := s.Save(path); err != nil {
		t.Fatal(err)
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(s.Resources, got.Resources); diff != "" {
		t.Errorf("(-saved +loaded):\n%s", diff)
	}
	if n := len(fileMaterials(t, path)); n != 1 {
		t.Errorf("%d materials, want 1 (only node_app.in's files are all inside its trust_dir)", n)
	}
	data, _ := os.ReadFile(path)
	if !bytes.Contains(data, []byte(`"/etc/elsewhere/extra.pem"`)) {
		t.Error("the file outside trust_dir is not recorded inline")
	}
}

func TestLoadVersion1(t *testing.T) {
	// testdata/state-v1.json was written by the version 1 encoder (every
	// spec inline, pretty-printed).
	fixture, err := os.ReadFile(filepath.Join("testdata", "state-v1.json"))
	if err != nil {
		t.Fatal(err)
	}
	path := statePath(t)
	os.MkdirAll(filepath.Dir(path), 0o755)
	if err := os.WriteFile(path, fixture, 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != 1 || got.Serial != 4 || got.Lineage != "0f1e2d3c-4b5a-4697-8877-665544332211" {
		t.Errorf("header = version %d serial %d lineage %s", got.Version, got.Serial, got.Lineage)
	}
	if addresses(got) != "node_app.web,python_app.api" {
		t.Fatalf("resources = %s", addresses(got))
	}
	web := got.Lookup("node_app.web")
	if len(web.Spec.Files) != 3 || web.Spec.Files[0].Path != "/srv/demo/.trustform/trust/node_app.web/cert.pem" ||
		web.Spec.Files[2].Link != "corp-root.pem" || len(web.Spec.Certificates) != 1 ||
		web.Spec.Certificates[0].Subject != "CN=Corp Root CA,O=Example" ||
		!web.Spec.Certificates[0].NotAfter.Equal(time.Date(2035, 6, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("node_app.web spec = %+v", web.Spec)
	}
	if web.Handle.PID != 4242 || web.Spec.Env["NODE_EXTRA_CA_CERTS"] == "" {
		t.Errorf("node_app.web = %+v", web)
	}

	// Saving converts to the current format with the same content.
	if err := got.Save(path); err != nil {
		t.Fatal(err)
	}
	// (The fixture's Unix paths are not clean Windows paths: they stay
	// inline there.)
	if n := len(fileMaterials(t, path)); n != 1 && runtime.GOOS != "windows" {
		t.Errorf("%d materials; the two resources' shared material is not stored once", n)
	}
	again, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(got.Resources, again.Resources); diff != "" {
		t.Errorf("version 1 state changed when saved as version %d (-v1 +v%d):\n%s", Version, Version, diff)
	}
	if backup, _ := os.ReadFile(BackupPath(path)); !bytes.Equal(backup, fixture) {
		t.Error("the version 1 file is not kept as the backup")
	}
}

func TestLoadCorruptMaterial(t *testing.T) {
	tests := map[string]string{
		"undefined": `{"version": 2, "lineage": "l", "resources": [{"address": "a.b", "spec": {"trust_dir": "/t", "material": "abc"}}]}`,
		"escapes": `{"version": 2, "lineage": "l", "resources": [{"address": "a.b", "spec": {"trust_dir": "/t", "material": "abc"}}],
			"materials": {"abc": {"files": [{"path": "../../etc/passwd", "mode": 420}]}}}`,
		"absolute": `{"version": 2, "lineage": "l", "resources": [{"address": "a.b", "spec": {"trust_dir": "/t", "material": "abc"}}],
			"materials": {"abc": {"files": [{"path": "/etc/passwd", "mode": 420}]}}}`,
		"no trust_dir": `{"version": 2, "lineage": "l", "resources": [{"address": "a.b", "spec": {"material": "abc"}}],
			"materials": {"abc": {"files": [{"path": "cert.pem", "mode": 420}]}}}`,
		"both": `{"version": 2, "lineage": "l", "resources": [{"address": "a.b", "spec": {"trust_dir": "/t", "material": "abc", "files": [{"path": "/t/x"}]}}],
			"materials": {"abc": {"files": [{"path": "cert.pem", "mode": 420}]}}}`,
	}
	for name, content := range tests {
		t.Run(name, func(t *testing.T) {
			path := statePath(t)
			os.MkdirAll(filepath.Dir(path), 0o755)
			os.WriteFile(path, []byte(content), 0o600)
			_, err := Load(path)
			var ce *CorruptError
			if !errors.As(err, &ce) {
				t.Fatalf("Load = %v, want *CorruptError", err)
			}
			if !strings.Contains(err.Error(), "material") {
				t.Errorf("message %q does not name the material", err)
			}
		})
	}
}

func TestHeaderReadWhenReordered(t *testing.T) {
	// A file edited by hand may have its header after the resources.
	path := statePath(t)
	os.MkdirAll(filepath.Dir(path), 0o755)
	content := `{"resources": [{"address": "a.b"}], "outputs": {}, "serial": 3, "lineage": "l", "version": 2}`
	os.WriteFile(path, []byte(content), 0o600)
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.Serial != 3 || got.Lineage != "l" || addresses(got) != "a.b" {
		t.Errorf("loaded serial %d lineage %q resources %s", got.Serial, got.Lineage, addresses(got))
	}
	os.WriteFile(path, []byte(`{"resources": [], "lineage": "l", "version": 99}`), 0o600)
	var ne *NewerFormatError
	if _, err := Load(path); !errors.As(err, &ne) {
		t.Errorf("Load of a reordered newer file = %v, want *NewerFormatError", err)
	}
}
