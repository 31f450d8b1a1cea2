package plan

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/trustform/trustform/internal/pem"
	"github.com/trustform/trustform/lang"
)

// Resources that inherit the same trust variables share one decision
// (envShare); each still gets what deciding for it alone would give, and
// the inputs that make a difference keep resources apart: their own trust
// variables, a working directory a relative bundle path is read from, the
// runtime, and warnings that name the resource.
func TestTrustEnvironmentShared(t *testing.T) {
	fh := newFakeHost(t)
	user, other, inA, inB := loadCert(t, "user-extra"), loadCert(t, "devcert-ca"), loadCert(t, "mkcert"), loadCert(t, "devcert-ca2")
	fh.files["/etc/corp/extra.pem"] = user.PEM()
	fh.files["/etc/corp/other.pem"] = other.PEM()
	fh.files[testDir+"/a/bundle.pem"] = inA.PEM()
	fh.files[testDir+"/b/bundle.pem"] = inB.PEM()
	environ := map[string]string{
		"NODE_EXTRA_CA_CERTS": "/etc/corp/extra.pem",
		"SSL_CERT_FILE":       "/etc/corp/extra.pem",
		// Relative: read from each resource's working directory.
		"REQUESTS_CA_BUNDLE": "bundle.pem",
	}
	inDir := func(d string) func(*lang.Resource) {
		return func(r *lang.Resource) { r.WorkingDir = filepath.Join(testDir, d) }
	}
	build := func() *Plan {
		return mustBuild(t, input(testConfig(t,
			res("node_app", "a1", withCollections("corp"), inDir("a")),
			res("node_app", "a2", withCollections("corp"), inDir("a"), withEnv("PORT", "8081")),
			res("node_app", "a3", withCollections("corp"), inDir("a")),
			res("node_app", "b", withCollections("corp"), inDir("b")),
			res("node_app", "own", withCollections("corp"), inDir("a"), withEnv("SSL_CERT_FILE", "/etc/corp/other.pem")),
			res("python_app", "py", withCollections("corp"), inDir("a"), withScope("append")),
			res("deno_app", "d1", withCollections("corp"), inDir("a"), withEnv("DENO_CERT", "/mine.pem")),
			res("deno_app", "d2", withCollections("corp"), inDir("a"), withEnv("DENO_CERT", "/mine.pem")),
		), fh.host(environ)))
	}
	p := build()
	spec := func(addr string) *Change { return change(t, p, addr) }
	merged := func(addr, name string) []string {
		t.Helper()
		s := spec(addr).After
		if got, want := s.Env[name], filepath.Join(s.TrustDir, mergedPrefix+name+".pem"); got != want {
			t.Fatalf("%s: %s = %q, want %q", addr, name, got, want)
		}
		certs, _ := pem.Parse(p.Blobs[fileByRel(t, s, addr, mergedPrefix+name+".pem").SHA256], name, pem.Options{Now: testNow})
		var out []string
		for _, c := range certs {
			out = append(out, c.X509.Subject.CommonName)
		}
		return out
	}
	ours := []string{"Corp Root CA", "Corp Proxy CA"}
	cn := func(c *pem.Certificate) string { return c.X509.Subject.CommonName }

	// a1, a2 and a3 share: the same set, the same variables (a2 keeps
	// its own PORT), and one list of decisions in memory.
	a1, a2, a3 := spec("node_app.a1"), spec("node_app.a2"), spec("node_app.a3")
	for _, c := range []*Change{a2, a3} {
		if c.After.TrustSet != a1.After.TrustSet {
			t.Errorf("%s: trust set %q, want a1's %q", c.Address, c.After.TrustSet, a1.After.TrustSet)
		}
		want := map[string]string{}
		for k, v := range a1.After.Env {
			want[k] = v
		}
		if c == a2 {
			want["PORT"] = "8081"
		}
		if diff := cmp.Diff(want, c.After.Env); diff != "" {
			t.Errorf("%s env (-a1's +got):\n%s", c.Address, diff)
		}
		if len(c.Inherited) == 0 || &c.Inherited[0] != &a1.Inherited[0] {
			t.Errorf("%s: inherited decisions not shared with a1's", c.Address)
		}
	}
	if strings.Contains(strings.Join(envValues(a1.After.Env), " "), "node_app.a1") {
		t.Errorf("a1's env still names its placeholder directory: %v", a1.After.Env)
	}
	if diff := cmp.Diff(append([]string{cn(user)}, ours...), merged("node_app.a1", "SSL_CERT_FILE")); diff != "" {
		t.Errorf("a1 SSL_CERT_FILE bundle (-want +got):\n%s", diff)
	}

	// The same relative bundle path names another file in b's directory.
	if diff := cmp.Diff(append([]string{cn(inA)}, ours...), merged("python_app.py", "REQUESTS_CA_BUNDLE")); diff != "" {
		t.Errorf("py REQUESTS_CA_BUNDLE (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(append([]string{cn(inB)}, ours...), merged("node_app.b", "REQUESTS_CA_BUNDLE")); diff != "" {
		t.Errorf("b REQUESTS_CA_BUNDLE (-want +got):\n%s", diff)
	}
	if spec("node_app.b").After.TrustSet == a1.After.TrustSet {
		t.Error("b shares a1's set although its REQUESTS_CA_BUNDLE is another file")
	}
	// own sets SSL_CERT_FILE itself: its bundle, merged, is its own.
	if diff := cmp.Diff(append([]string{cn(other)}, ours...), merged("node_app.own", "SSL_CERT_FILE")); diff != "" {
		t.Errorf("own SSL_CERT_FILE (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(append([]string{cn(user)}, ours...), merged("node_app.own", "NODE_EXTRA_CA_CERTS")); diff != "" {
		t.Errorf("own NODE_EXTRA_CA_CERTS (-want +got):\n%s", diff)
	}
	// Another runtime, other rules: python keeps an inherited
	// NODE_EXTRA_CA_CERTS as it is, where node merges it.
	py := spec("python_app.py")
	if v, ok := py.After.Env["NODE_EXTRA_CA_CERTS"]; ok {
		t.Errorf("python_app.py got node's NODE_EXTRA_CA_CERTS rule: %q", v)
	}
	if py.After.TrustSet == a1.After.TrustSet || &py.Inherited[0] == &a1.Inherited[0] {
		t.Error("python_app.py shares node_app.a1's decisions")
	}

	// Each deno resource that sets DENO_CERT is warned about by name.
	var warned []string
	for _, w := range p.Warnings {
		if w.Summary == "Certificate trust replaces an environment variable" {
			warned = append(warned, strings.Fields(w.Detail)[0])
		}
	}
	if diff := cmp.Diff([]string{"deno_app.d1", "deno_app.d2"}, warned); diff != "" {
		t.Errorf("replacement warnings (-want +got):\n%s", diff)
	}

	// Sharing does not make plans depend on the order decisions were
	// cached in: a second build gives the same bytes for every file.
	p2 := build()
	for _, c := range p.Changes {
		c2 := change(t, p2, c.Address)
		if diff := cmp.Diff(c.After.Env, c2.After.Env); diff != "" {
			t.Errorf("%s env differs between builds:\n%s", c.Address, diff)
		}
		for i, f := range c.After.Files {
			if !bytes.Equal(p.Blobs[f.SHA256], p2.Blobs[c2.After.Files[i].SHA256]) {
				t.Errorf("%s: %s differs between builds", c.Address, f.Path)
			}
		}
	}
}

func envValues(env map[string]string) []string {
	var out []string
	for _, v := range env {
		out = append(out, v)
	}
	return out
}
