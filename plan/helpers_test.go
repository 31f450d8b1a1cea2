package plan

import (
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/trustform/trustform/internal/pem"
	"github.com/trustform/trustform/lang"
	"github.com/trustform/trustform/runtimes"
	"github.com/trustform/trustform/state"
)

// Fixed inputs keep goldens byte-stable.
var testNow = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

const testDir = "/home/dev/app"

// loadCert reads one certificate from testdata/certs.
func loadCert(t testing.TB, name string) *pem.Certificate {
	t.Helper()
	path := filepath.Join("testdata", "certs", name+".pem")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	certs, problems := pem.Parse(data, path, pem.Options{Now: testNow})
	for _, p := range problems {
		if p.Severity == pem.Error {
			t.Fatalf("%s: %s", path, p.Summary)
		}
	}
	if len(certs) != 1 {
		t.Fatalf("%s: %d certificates", path, len(certs))
	}
	return certs[0]
}

// fakeHost is a machine for Build: fixed environment, system roots that
// count how often they are read, and an in-memory file system.
type fakeHost struct {
	sysCalls  int
	javaCalls int
	roots     []*pem.Certificate
	java      []*pem.Certificate
	files     map[string][]byte
}

func (f *fakeHost) host(environ map[string]string) Host {
	h := Host{
		GOOS:           "linux",
		Environ:        environ,
		SystemCertDirs: []string{"/etc/ssl/certs"},
		SystemRoots: func() ([]*pem.Certificate, error) {
			f.sysCalls++
			return f.roots, nil
		},
		ReadFile: func(path string) ([]byte, error) {
			if b, ok := f.files[path]; ok {
				return b, nil
			}
			return nil, &fs.PathError{Op: "open", Path: path, Err: fs.ErrNotExist}
		},
	}
	if f.java != nil {
		h.JavaRoots = func() ([]*pem.Certificate, error) {
			f.javaCalls++
			return f.java, nil
		}
	}
	return h
}

func newFakeHost(t testing.TB) *fakeHost {
	return &fakeHost{
		roots: []*pem.Certificate{loadCert(t, "system-1"), loadCert(t, "system-2")},
		files: map[string][]byte{},
	}
}

// res builds a resource the way lang would, defaults filled in.
func res(typ, name string, mods ...func(*lang.Resource)) *lang.Resource {
	rt := runtimes.Lookup(typ)
	if rt == nil {
		panic("unknown type " + typ)
	}
	r := &lang.Resource{
		Type: typ, Name: name, Address: typ + "." + name,
		Runtime:     rt,
		WorkingDir:  testDir,
		StopTimeout: 10 * time.Second,
		Scope:       rt.DefaultScope,
		DeclRange: hcl.Range{Filename: "main.trust.hcl", Start: hcl.Pos{Line: 1, Column: 1, Byte: 0},
			End: hcl.Pos{Line: 1, Column: 10, Byte: 9}},
	}
	switch typ {
	case "executable":
		r.Attrs.SetStr("command", "/usr/bin/env")
	case "node_app", "python_app", "ruby_app", "bun_app", "deno_app":
		r.Attrs.SetStr("script", filepath.Join(testDir, name+".js"))
	case "npm_app":
		r.Attrs.SetStr("script", "start")
	case "python_module":
		r.Attrs.SetStr("module", "uvicorn")
	case "dotnet_project":
		r.Attrs.SetStr("project", filepath.Join(testDir, "api"))
	case "java_app":
		r.Attrs.SetStr("jar", filepath.Join(testDir, "app.jar"))
	case "go_app":
		r.Attrs.SetStr("package", "./cmd/server")
	case "container":
		r.Attrs.SetStr("image", "redis:7")
		r.ContainerPaths = lang.ContainerPaths{
			Destination:    runtimes.DefaultContainerDestination,
			BundlePaths:    runtimes.DefaultContainerBundlePaths(),
			DirectoryPaths: runtimes.DefaultContainerDirectoryPaths(),
		}
	}
	for _, m := range mods {
		m(r)
	}
	return r
}

func withCollections(names ...string) func(*lang.Resource) {
	return func(r *lang.Resource) { r.Collections = names }
}

func withScope(s runtimes.Scope) func(*lang.Resource) {
	return func(r *lang.Resource) { r.Scope, r.ScopeSet = s, true }
}

func withEnv(kv ...string) func(*lang.Resource) {
	return func(r *lang.Resource) {
		if r.Env == nil {
			r.Env = map[string]string{}
		}
		for i := 0; i+1 < len(kv); i += 2 {
			r.Env[kv[i]] = kv[i+1]
		}
	}
}

func withArgs(args ...string) func(*lang.Resource) {
	return func(r *lang.Resource) { r.Args = args }
}

func withDevcert(r *lang.Resource) { r.DeveloperCertificateTrust = true }

// testConfig builds a configuration with collection "corp" (corp root and
// proxy CA) and the given resources.
func testConfig(t testing.TB, rs ...*lang.Resource) *lang.Config {
	sort.Slice(rs, func(i, j int) bool { return rs[i].Address < rs[j].Address })
	return &lang.Config{
		Dir: testDir,
		Files: map[string]*hcl.File{
			"main.trust.hcl": {Bytes: []byte("# test configuration\n")},
		},
		Settings: lang.Settings{ContainerRuntime: "auto"},
		Collections: map[string]*lang.Collection{
			"corp": {Name: "corp", Certificates: []*pem.Certificate{loadCert(t, "corp-root"), loadCert(t, "proxy-ca")}},
		},
		Resources: rs,
	}
}

// input assembles an Input on a fake host.
func input(cfg *lang.Config, h Host) *Input {
	return &Input{
		Config:  cfg,
		Host:    h,
		Devcert: DevcertInput{Dir: "/home/dev/.local/share/trustform/devcert"},
		Now:     testNow,
		Version: "0.1.0-test",
	}
}

func mustBuild(t testing.TB, in *Input) *Plan {
	t.Helper()
	p, diags := Build(in)
	if diags.HasErrors() {
		t.Fatalf("Build: %s", diags.Error())
	}
	return p
}

func change(t testing.TB, p *Plan, addr string) *Change {
	t.Helper()
	for _, ch := range p.Changes {
		if ch.Address == addr {
			return ch
		}
	}
	t.Fatalf("no change for %s", addr)
	return nil
}

// stateFrom records a plan's outcome as apply would: every created or kept
// resource with its After spec, through a JSON round trip like a saved
// state file.
func stateFrom(t testing.TB, p *Plan, serial uint64) *state.State {
	t.Helper()
	st := &state.State{Version: state.Version, Serial: serial, Lineage: "lineage-1"}
	pid := 1000
	for _, ch := range p.Changes {
		if ch.After == nil {
			continue
		}
		pid++
		st.Resources = append(st.Resources, &state.Resource{
			Address: ch.Address, Type: ch.Type, Name: ch.Name, Spec: ch.After,
			Handle: runtimes.Handle{PID: pid},
		})
	}
	return roundTrip(t, st)
}

func roundTrip[T any](t testing.TB, v T) T {
	t.Helper()
	data, err := jsonMarshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out T
	if err := jsonUnmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func fileByRel(t testing.TB, s *state.Spec, addr, rel string) state.File {
	t.Helper()
	want := filepath.Join(s.TrustDir, filepath.FromSlash(rel))
	if filepath.Dir(s.TrustDir) != filepath.Join(testDir, ".trustform", "trust") {
		t.Errorf("%s: trust directory %s is not a trust set directory", addr, s.TrustDir)
	}
	for _, f := range s.Files {
		if f.Path == want {
			return f
		}
	}
	t.Fatalf("no file %s among %d files", want, len(s.Files))
	return state.File{}
}

func shas(certs []state.Certificate) []string {
	var out []string
	for _, c := range certs {
		out = append(out, c.SHA256)
	}
	return out
}

func certShas(certs ...*pem.Certificate) []string {
	var out []string
	for _, c := range certs {
		out = append(out, c.SHA256)
	}
	return out
}

// envAsResource returns the env of addr's After spec with its trust set
// directory written as the resource's own (.trustform/resources/ADDR), so
// tables written per resource still read naturally; it fails when the
// directory is not a trust set's.
func envAsResource(t testing.TB, p *Plan, addr string) map[string]string {
	t.Helper()
	s := change(t, p, addr).After
	if filepath.Dir(s.TrustDir) != filepath.Join(testDir, ".trustform", "trust") {
		t.Fatalf("%s: trust directory %s is not a trust set directory", addr, s.TrustDir)
	}
	own := filepath.Join(testDir, ".trustform", "resources", addr)
	out := make(map[string]string, len(s.Env))
	for k, v := range s.Env {
		out[k] = strings.ReplaceAll(v, s.TrustDir, own)
	}
	return out
}
