package plan

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"github.com/hashicorp/hcl/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/zclconf/go-cty/cty"
	"software.sslmate.com/src/go-pkcs12"

	"github.com/trustform/trustform/internal/pem"
	"github.com/trustform/trustform/lang"
	"github.com/trustform/trustform/runtimes"
	"github.com/trustform/trustform/state"
)

func TestCertificateOrderAndDedup(t *testing.T) {
	fh := newFakeHost(t)
	corp := loadCert(t, "corp-root")
	proxy := loadCert(t, "proxy-ca")
	ca := loadCert(t, "devcert-ca")
	mk := loadCert(t, "mkcert")
	cfg := testConfig(t, res("python_app", "api", withCollections("extra", "corp"), withDevcert))
	// "extra" repeats the proxy CA and the mkcert root: each is kept once,
	// where it first appears.
	cfg.Collections["extra"] = &lang.Collection{Name: "extra", Certificates: []*pem.Certificate{proxy, mk}}
	in := input(cfg, fh.host(nil))
	in.Devcert.CA = ca
	in.Devcert.Found = []FoundCert{{Kind: "mkcert", Path: "/home/dev/.local/share/mkcert/rootCA.pem", Cert: mk}}
	p := mustBuild(t, in)

	after := change(t, p, "python_app.api").After
	want := certShas(proxy, mk, corp, ca, fh.roots[0], fh.roots[1])
	if diff := cmp.Diff(want, shas(after.Certificates)); diff != "" {
		t.Errorf("certificate order (-want +got):\n%s", diff)
	}
	sources := []string{}
	for _, c := range after.Certificates {
		sources = append(sources, c.Source)
	}
	wantSources := []string{"collection.extra", "collection.extra", "collection.corp", "devcert.trustform", "system", "system"}
	if diff := cmp.Diff(wantSources, sources); diff != "" {
		t.Errorf("sources (-want +got):\n%s", diff)
	}
	bundle := p.Blobs[fileByRel(t, after, "python_app.api", "cert.pem").SHA256]
	if !bytes.Equal(bundle, pem.Bundle([]*pem.Certificate{proxy, mk, corp, ca, fh.roots[0], fh.roots[1]})) {
		t.Error("cert.pem is not the bundle of the certificates in order")
	}
	if got := p.Devcert.Used; len(got) != 2 || got[0].Kind != "trustform" || got[1].Kind != "mkcert" {
		t.Errorf("Devcert.Used = %+v, want trustform then mkcert", got)
	}
	if p.Devcert.Create {
		t.Error("Devcert.Create set although the CA exists")
	}
}

func TestSystemRootsReadLazilyOnce(t *testing.T) {
	fh := newFakeHost(t)
	mustBuild(t, input(testConfig(t,
		res("node_app", "web", withCollections("corp")),
		res("python_app", "api", withCollections("corp"), withScope(runtimes.ScopeAppend)),
	), fh.host(nil)))
	if fh.sysCalls != 0 {
		t.Errorf("system roots read %d times without any system scope", fh.sysCalls)
	}
	fh = newFakeHost(t)
	mustBuild(t, input(testConfig(t,
		res("python_app", "a", withCollections("corp")),
		res("python_module", "b", withCollections("corp")),
	), fh.host(nil)))
	if fh.sysCalls != 1 {
		t.Errorf("system roots read %d times, want once per Build", fh.sysCalls)
	}
}

func TestNoTrustWithScopeNoneOrNoCertificates(t *testing.T) {
	tc := func(r *lang.Resource) {
		r.TrustConfiguration = &lang.TrustConfiguration{
			Environment: map[string]string{"MY_CA": "x"},
			Arguments:   []string{"--ca", "x"},
		}
	}
	fh := newFakeHost(t)
	p := mustBuild(t, input(testConfig(t,
		res("node_app", "none", withCollections("corp"), withScope(runtimes.ScopeNone), tc, withEnv("A", "1")),
		res("node_app", "empty", tc, withEnv("A", "1")),
	), fh.host(map[string]string{"SSL_CERT_DIR": "/x"})))
	for _, addr := range []string{"node_app.none", "node_app.empty"} {
		s := change(t, p, addr).After
		if len(s.Files) != 0 || s.TrustDir != "" || len(s.Certificates) != 0 {
			t.Errorf("%s: got trust material %v", addr, s.Files)
		}
		if diff := cmp.Diff(map[string]string{"A": "1"}, s.Env); diff != "" {
			t.Errorf("%s: env (-want +got):\n%s", addr, diff)
		}
		if slices.Contains(s.Argv, "--ca") {
			t.Errorf("%s: certificate_trust_configuration applied: %v", addr, s.Argv)
		}
	}
	if fh.sysCalls != 0 {
		t.Error("system roots read for scope none")
	}
}

func TestTrustFilesLayout(t *testing.T) {
	fh := newFakeHost(t)
	p := mustBuild(t, input(testConfig(t, res("node_app", "web", withCollections("corp"))), fh.host(nil)))
	s := change(t, p, "node_app.web").After
	corp, proxy := loadCert(t, "corp-root"), loadCert(t, "proxy-ca")
	if got, want := filepath.Base(s.TrustDir), "corp-"; !strings.HasPrefix(got, want) || filepath.Dir(s.TrustDir) != filepath.Join(testDir, ".trustform", "trust") {
		t.Errorf("TrustDir = %s, want .trustform/trust/corp-DIGEST", s.TrustDir)
	}
	if s.TrustSet != "corp" {
		t.Errorf("TrustSet = %q, want corp", s.TrustSet)
	}
	links, err := pem.HashLinks([]*pem.Certificate{corp, proxy})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(s.Files), 1+2+len(links); got != want {
		t.Fatalf("%d files, want %d: %+v", got, want, s.Files)
	}
	for _, c := range []*pem.Certificate{corp, proxy} {
		f := fileByRel(t, s, "node_app.web", "certs/"+c.FileName())
		if !bytes.Equal(p.Blobs[f.SHA256], c.PEM()) {
			t.Errorf("%s: content is not the certificate's PEM", f.Path)
		}
	}
	for _, l := range links {
		f := fileByRel(t, s, "node_app.web", "certs/"+l.Name)
		if f.Link != l.Target || f.SHA256 != "" {
			t.Errorf("%s: link %q sha %q, want relative link to %s", f.Path, f.Link, f.SHA256, l.Target)
		}
	}
	for _, f := range s.Files {
		if f.Mode != 0o644 {
			t.Errorf("%s: mode %o", f.Path, f.Mode)
		}
		if f.SHA256 != "" {
			sum := sha256.Sum256(p.Blobs[f.SHA256])
			if hex.EncodeToString(sum[:]) != f.SHA256 {
				t.Errorf("%s: blob does not hash to its key", f.Path)
			}
		}
	}
}

func TestBlobsStoredOnce(t *testing.T) {
	var rs []*lang.Resource
	for i := 0; i < 50; i++ {
		rs = append(rs, res("executable", "e"+strings.Repeat("x", i), withCollections("corp")))
	}
	p := mustBuild(t, input(testConfig(t, rs...), newFakeHost(t).host(nil)))
	// One bundle and one PEM per certificate, whatever the resource count.
	if len(p.Blobs) != 3 {
		t.Errorf("%d blobs, want 3", len(p.Blobs))
	}
}

func TestAppendEnv(t *testing.T) {
	dir := filepath.Join(testDir, ".trustform", "resources")
	tests := []struct {
		name    string
		hostEnv map[string]string
		r       *lang.Resource
		want    map[string]string
	}{{
		name: "system dirs when nothing inherited",
		r:    res("node_app", "web", withCollections("corp")),
		want: map[string]string{
			"SSL_CERT_DIR":        dir + "/node_app.web/certs:/etc/ssl/certs",
			"NODE_EXTRA_CA_CERTS": dir + "/node_app.web/cert.pem",
		},
	}, {
		name:    "trustform's environment inherited",
		hostEnv: map[string]string{"SSL_CERT_DIR": "/opt/certs:/more"},
		r:       res("executable", "e", withCollections("corp")),
		want: map[string]string{"SSL_CERT_DIR": dir + "/executable.e/certs:/opt/certs:/more",
			"GIT_SSL_CAINFO": dir + "/executable.e/cert.pem"},
	}, {
		name:    "resource env wins over trustform's",
		hostEnv: map[string]string{"SSL_CERT_DIR": "/opt/certs"},
		r:       res("executable", "e", withCollections("corp"), withEnv("SSL_CERT_DIR", "/mine", "X", "y")),
		want: map[string]string{"SSL_CERT_DIR": dir + "/executable.e/certs:/mine", "X": "y",
			"GIT_SSL_CAINFO": dir + "/executable.e/cert.pem"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustBuild(t, input(testConfig(t, tt.r), newFakeHost(t).host(tt.hostEnv)))
			if diff := cmp.Diff(tt.want, envAsResource(t, p, tt.r.Address)); diff != "" {
				t.Errorf("env (-want +got):\n%s", diff)
			}
		})
	}
}

func TestOverrideAndSystemEnv(t *testing.T) {
	dir := filepath.Join(testDir, ".trustform", "resources")
	fh := newFakeHost(t)
	p := mustBuild(t, input(testConfig(t,
		res("node_app", "web", withCollections("corp"), withScope(runtimes.ScopeOverride)),
		res("node_app", "dup", withCollections("corp"), withScope(runtimes.ScopeSystem),
			withEnv("NODE_OPTIONS", "--inspect --use-openssl-ca")),
		res("python_app", "api", withCollections("corp")),
	), fh.host(map[string]string{"NODE_OPTIONS": "--max-old-space-size=4096"})))

	want := map[string]string{
		"SSL_CERT_DIR":  dir + "/node_app.web/certs",
		"SSL_CERT_FILE": dir + "/node_app.web/cert.pem",
		"NODE_OPTIONS":  "--max-old-space-size=4096 --use-openssl-ca",
	}
	if diff := cmp.Diff(want, envAsResource(t, p, "node_app.web")); diff != "" {
		t.Errorf("override env (-want +got):\n%s", diff)
	}
	if got := change(t, p, "node_app.dup").After.Env["NODE_OPTIONS"]; got != "--inspect --use-openssl-ca" {
		t.Errorf("NODE_OPTIONS = %q, want the option not repeated", got)
	}
	bundle := dir + "/python_app.api/cert.pem"
	want = map[string]string{
		"SSL_CERT_DIR":       dir + "/python_app.api/certs",
		"SSL_CERT_FILE":      bundle,
		"REQUESTS_CA_BUNDLE": bundle,
		"CURL_CA_BUNDLE":     bundle,
		"PIP_CERT":           bundle,
	}
	if diff := cmp.Diff(want, envAsResource(t, p, "python_app.api")); diff != "" {
		t.Errorf("python system env (-want +got):\n%s", diff)
	}
}

func TestUserBundleMerged(t *testing.T) {
	fh := newFakeHost(t)
	user := loadCert(t, "user-extra")
	fh.files["/etc/corp/extra.pem"] = user.PEM()
	fh.files[testDir+"/mine.pem"] = user.PEM()
	p := mustBuild(t, input(testConfig(t,
		res("node_app", "web", withCollections("corp")),
		res("python_app", "api", withCollections("corp"), withEnv("REQUESTS_CA_BUNDLE", "mine.pem")),
	), fh.host(map[string]string{"NODE_EXTRA_CA_CERTS": "/etc/corp/extra.pem"})))

	s := change(t, p, "node_app.web").After
	merged := filepath.Join(s.TrustDir, "merged-NODE_EXTRA_CA_CERTS.pem")
	if got := s.Env["NODE_EXTRA_CA_CERTS"]; got != merged {
		t.Errorf("NODE_EXTRA_CA_CERTS = %q, want %q", got, merged)
	}
	f := fileByRel(t, s, "node_app.web", "merged-NODE_EXTRA_CA_CERTS.pem")
	want := pem.Bundle([]*pem.Certificate{user, loadCert(t, "corp-root"), loadCert(t, "proxy-ca")})
	if !bytes.Equal(p.Blobs[f.SHA256], want) {
		t.Errorf("merged bundle is not the user's certificates followed by ours:\n%s", p.Blobs[f.SHA256])
	}
	// A relative path the user set is read from the working directory.
	api := change(t, p, "python_app.api").After
	if got := api.Env["REQUESTS_CA_BUNDLE"]; got != filepath.Join(api.TrustDir, "merged-REQUESTS_CA_BUNDLE.pem") {
		t.Errorf("REQUESTS_CA_BUNDLE = %q", got)
	}
	if got := api.Env["CURL_CA_BUNDLE"]; got != filepath.Join(api.TrustDir, "cert.pem") {
		t.Errorf("CURL_CA_BUNDLE = %q, want our bundle (the user did not set it)", got)
	}

	// An unreadable file is an error naming the variable and the file.
	_, diags := Build(input(testConfig(t, res("node_app", "web", withCollections("corp"))),
		fh.host(map[string]string{"NODE_EXTRA_CA_CERTS": "/nope/ca.pem"})))
	if !diags.HasErrors() || !strings.Contains(diags.Error(), "NODE_EXTRA_CA_CERTS") || !strings.Contains(diags.Error(), "/nope/ca.pem") {
		t.Errorf("diags = %v, want an error naming NODE_EXTRA_CA_CERTS and /nope/ca.pem", diags)
	}
}

func TestJavaTrustStore(t *testing.T) {
	fh := newFakeHost(t)
	fh.java = []*pem.Certificate{loadCert(t, "java-root")}
	cfg := testConfig(t,
		res("java_app", "svc", withCollections("corp"), withScope(runtimes.ScopeAppend),
			withEnv("JAVA_TOOL_OPTIONS", "-Xmx512m")),
		res("java_app", "strict", withCollections("corp"), withScope(runtimes.ScopeOverride)),
	)
	p := mustBuild(t, input(cfg, fh.host(nil)))
	s := change(t, p, "java_app.svc").After
	store := filepath.Join(s.TrustDir, "truststore.p12")
	wantOpts := "-Xmx512m -Djavax.net.ssl.trustStore=" + store + " -Djavax.net.ssl.trustStoreType=PKCS12"
	if got := s.Env["JAVA_TOOL_OPTIONS"]; got != wantOpts {
		t.Errorf("JAVA_TOOL_OPTIONS = %q, want %q", got, wantOpts)
	}
	decode := func(s *state.Spec, addr string) []string {
		f := fileByRel(t, s, addr, "truststore.p12")
		certs, err := pkcs12.DecodeTrustStore(p.Blobs[f.SHA256], "")
		if err != nil {
			t.Fatalf("%s: %v", addr, err)
		}
		var out []string
		for _, c := range certs {
			out = append(out, c.Subject.CommonName)
		}
		return out
	}
	if diff := cmp.Diff([]string{"Corp Root CA", "Corp Proxy CA", "JDK Root"}, decode(s, "java_app.svc")); diff != "" {
		t.Errorf("append trust store (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"Corp Root CA", "Corp Proxy CA"}, decode(change(t, p, "java_app.strict").After, "java_app.strict")); diff != "" {
		t.Errorf("override trust store (-want +got):\n%s", diff)
	}
	if fh.javaCalls != 1 {
		t.Errorf("Java roots read %d times, want 1", fh.javaCalls)
	}
	if got := javaOptions("/home/my app/truststore.p12"); !strings.HasPrefix(got, `"-Djavax.net.ssl.trustStore=/home/my app/truststore.p12" `) {
		t.Errorf("path with a space not quoted: %s", got)
	}
	// Plans must be stable: the same input gives the same store bytes.
	p2 := mustBuild(t, input(cfg, fh.host(nil)))
	if fileByRel(t, change(t, p2, "java_app.svc").After, "java_app.svc", "truststore.p12").SHA256 !=
		fileByRel(t, s, "java_app.svc", "truststore.p12").SHA256 {
		t.Error("trust store bytes differ between two identical builds")
	}
}

func TestContainerTrust(t *testing.T) {
	fh := newFakeHost(t)
	p := mustBuild(t, input(testConfig(t,
		res("container", "app", withCollections("corp")),
		res("container", "strict", withCollections("corp"), withScope(runtimes.ScopeOverride)),
		res("container", "sys", withCollections("corp"), withScope(runtimes.ScopeSystem), withArgs("--port", "1")),
	), fh.host(map[string]string{"SSL_CERT_DIR": "/host/only"})))
	app := change(t, p, "container.app").After
	if diff := cmp.Diff(map[string]string{
		"SSL_CERT_DIR": "/usr/lib/ssl/trustform/certs:/etc/ssl/certs:/usr/local/share/ca-certificates:/etc/pki/tls/certs",
	}, app.Env); diff != "" {
		t.Errorf("append env (-want +got):\n%s", diff)
	}
	if len(app.Argv) != 0 || app.Container == nil || app.Container.TrustDir != app.TrustDir ||
		app.Container.Destination != "/usr/lib/ssl/trustform" || len(app.Container.OverwriteBundles) != 0 {
		t.Errorf("append container launch: argv %v, %+v", app.Argv, app.Container)
	}
	strict := change(t, p, "container.strict").After
	if diff := cmp.Diff(map[string]string{
		"SSL_CERT_DIR":  "/usr/lib/ssl/trustform/certs",
		"SSL_CERT_FILE": "/usr/lib/ssl/trustform/cert.pem",
	}, strict.Env); diff != "" {
		t.Errorf("override env (-want +got):\n%s", diff)
	}
	if !slices.Equal(strict.Container.OverwriteBundles, runtimes.DefaultContainerBundlePaths()) || strict.Container.MergeImage {
		t.Errorf("override container: %+v", strict.Container)
	}
	sys := change(t, p, "container.sys").After
	if !sys.Container.MergeImage || len(sys.Certificates) != 2 {
		t.Errorf("system container merges the image bundle, not host roots: merge %v, %d certificates", sys.Container.MergeImage, len(sys.Certificates))
	}
	if fh.sysCalls != 0 {
		t.Error("host system roots read for a container")
	}
	if !slices.Equal(sys.Container.Args, []string{"--port", "1"}) || sys.Container.Image != "redis:7" {
		t.Errorf("container args/image: %+v", sys.Container)
	}
	if a, b := app.Container.Name, ContainerName(testDir, "container.app", "app"); a != b || !strings.HasPrefix(a, "trustform-app-") {
		t.Errorf("container name %q, want %q", a, b)
	}
	if ContainerName("/other/dir", "container.app", "app") == app.Container.Name {
		t.Error("container names collide across configuration directories")
	}
}

func TestTrustConfiguration(t *testing.T) {
	p := mustBuild(t, input(testConfig(t,
		res("node_app", "web", withCollections("corp"), withArgs("--port", "8443"), func(r *lang.Resource) {
			r.TrustConfiguration = &lang.TrustConfiguration{
				Environment: map[string]string{"NODE_EXTRA_CA_CERTS": "/custom.pem", "MY_CA": "/b.pem"},
				Arguments:   []string{"--ca-file", "/b.pem"},
			}
		}),
	), newFakeHost(t).host(nil)))
	s := change(t, p, "node_app.web").After
	if s.Env["NODE_EXTRA_CA_CERTS"] != "/custom.pem" || s.Env["MY_CA"] != "/b.pem" {
		t.Errorf("configuration environment did not override: %v", s.Env)
	}
	want := []string{"node", testDir + "/web.js", "--port", "8443", "--ca-file", "/b.pem"}
	if diff := cmp.Diff(want, s.Argv); diff != "" {
		t.Errorf("argv (-want +got):\n%s", diff)
	}
}

func TestArgv(t *testing.T) {
	tests := []struct {
		r    *lang.Resource
		want []string
	}{
		{res("executable", "e", withArgs("a")), []string{"/usr/bin/env", "a"}},
		{res("node_app", "n", withArgs("a")), []string{"node", testDir + "/n.js", "a"}},
		{res("npm_app", "n", withArgs("a")), []string{"npm", "run", "start", "--", "a"}},
		{res("npm_app", "m"), []string{"npm", "run", "start"}},
		{res("python_app", "p", withArgs("a")), []string{"python3", testDir + "/p.js", "a"}},
		{res("python_module", "m", withArgs("a")), []string{"python3", "-m", "uvicorn", "a"}},
		{res("dotnet_project", "d", withArgs("a")), []string{"dotnet", "run", "--project", testDir + "/api", "--", "a"}},
		{res("dotnet_project", "e"), []string{"dotnet", "run", "--project", testDir + "/api"}},
		{res("java_app", "j", withArgs("a"), func(r *lang.Resource) { r.Attrs.SetList("jvm_args", []string{"-Xmx1g"}) }),
			[]string{"java", "-Xmx1g", "-jar", testDir + "/app.jar", "a"}},
		{res("java_app", "k", func(r *lang.Resource) {
			r.Attrs.SetStr("jar", "")
			r.Attrs.SetStr("classpath", "lib/*")
			r.Attrs.SetStr("main", "com.x.Main")
		}),
			[]string{"java", "-cp", "lib/*", "com.x.Main"}},
		{res("go_app", "g", withArgs("a")), []string{"go", "run", "./cmd/server", "a"}},
		{res("go_app", "b", withArgs("a"), func(r *lang.Resource) { r.Attrs.SetStr("binary", "/bin/srv") }), []string{"/bin/srv", "a"}},
		{res("ruby_app", "r"), []string{"ruby", testDir + "/r.js"}},
		{res("deno_app", "d", withArgs("a"), func(r *lang.Resource) { r.Attrs.SetList("permissions", []string{"--allow-net"}) }),
			[]string{"deno", "run", "--allow-net", testDir + "/d.js", "a"}},
		{res("bun_app", "b", withArgs("a")), []string{"bun", testDir + "/b.js", "a"}},
	}
	for _, tt := range tests {
		p := mustBuild(t, input(testConfig(t, tt.r), newFakeHost(t).host(nil)))
		if diff := cmp.Diff(tt.want, change(t, p, tt.r.Address).After.Argv); diff != "" {
			t.Errorf("%s argv (-want +got):\n%s", tt.r.Address, diff)
		}
	}
}

func TestSensitiveMarkers(t *testing.T) {
	p := mustBuild(t, input(testConfig(t,
		res("node_app", "web", withArgs("--token", "s3cret"), withEnv("TOKEN", "t", "PLAIN", "p"), func(r *lang.Resource) {
			r.SensitiveArgs = []int{1}
			r.SensitiveEnv = []string{"TOKEN"}
		}),
	), newFakeHost(t).host(nil)))
	s := change(t, p, "node_app.web").After
	if !slices.Equal(s.SensitiveArgs, []int{3}) || s.Argv[3] != "s3cret" {
		t.Errorf("SensitiveArgs = %v for argv %v, want the index of s3cret", s.SensitiveArgs, s.Argv)
	}
	if !slices.Equal(s.SensitiveEnv, []string{"TOKEN"}) {
		t.Errorf("SensitiveEnv = %v", s.SensitiveEnv)
	}
}

func TestActions(t *testing.T) {
	fh := newFakeHost(t)
	cfg := testConfig(t,
		res("node_app", "web", withCollections("corp"), withEnv("LOG", "info")),
		res("executable", "worker", withCollections("corp")),
		res("executable", "old"),
	)
	first := mustBuild(t, input(cfg, fh.host(nil)))
	for _, ch := range first.Changes {
		if ch.Action != Create || ch.Before != nil {
			t.Errorf("%s: %s, want create with no before", ch.Address, ch.Action)
		}
	}
	st := stateFrom(t, first, 1)

	// Applying and planning again changes nothing.
	again := mustBuild(t, withState(input(cfg, fh.host(nil)), st))
	for _, ch := range again.Changes {
		if ch.Action != NoOp {
			t.Errorf("%s: %s %v after apply, want no-op", ch.Address, ch.Action, ch.Reasons)
		}
	}
	if again.HasChanges() {
		t.Error("HasChanges after apply")
	}

	cfg2 := testConfig(t,
		res("node_app", "web", withCollections("corp"), withEnv("LOG", "debug")),
		res("executable", "worker", withCollections("corp"), func(r *lang.Resource) { r.StopTimeout = 30 * time.Second }),
		res("executable", "new"),
	)
	in := withState(input(cfg2, fh.host(nil)), st)
	in.Refreshed = map[string]runtimes.Status{
		"node_app.web": runtimes.StatusRunning, "executable.worker": runtimes.StatusRunning,
		"executable.old": runtimes.StatusExited,
	}
	p := mustBuild(t, in)
	want := map[string]Action{"node_app.web": Replace, "executable.worker": Update, "executable.new": Create, "executable.old": Delete}
	for addr, a := range want {
		if got := change(t, p, addr).Action; got != a {
			t.Errorf("%s: %s, want %s", addr, got, a)
		}
	}
	if r := change(t, p, "node_app.web").Reasons; !slices.Equal(r, []string{"env.LOG"}) {
		t.Errorf("replace reasons = %v, want [env.LOG]", r)
	}
	if len(p.Drift) != 1 || p.Drift[0].Address != "executable.old" || p.Drift[0].Status != runtimes.StatusExited {
		t.Errorf("drift = %+v", p.Drift)
	}
	if s := p.Summary(); s != (Summary{Add: 2, Change: 1, Destroy: 2, HasDestroy: true}) {
		t.Errorf("summary = %+v", s)
	}
	if !slices.IsSortedFunc(p.Changes, func(a, b *Change) int { return strings.Compare(a.Address, b.Address) }) {
		t.Error("changes not sorted by address")
	}
}

func TestDriftPlansCreate(t *testing.T) {
	fh := newFakeHost(t)
	cfg := testConfig(t, res("executable", "e", withCollections("corp")))
	st := stateFrom(t, mustBuild(t, input(cfg, fh.host(nil))), 3)
	in := withState(input(cfg, fh.host(nil)), st)
	in.Refreshed = map[string]runtimes.Status{"executable.e": runtimes.StatusMissing}
	p := mustBuild(t, in)
	ch := change(t, p, "executable.e")
	if ch.Action != Create || !slices.Equal(ch.Reasons, []string{"drift"}) || ch.Handle.PID == 0 {
		t.Errorf("drifted resource: %s %v handle %+v, want create [drift] with the dead handle", ch.Action, ch.Reasons, ch.Handle)
	}
	if len(p.Drift) != 1 {
		t.Errorf("drift = %+v", p.Drift)
	}
}

func TestDestroyDeletesEverything(t *testing.T) {
	fh := newFakeHost(t)
	cfg := testConfig(t, res("executable", "a"), res("executable", "b"))
	st := stateFrom(t, mustBuild(t, input(cfg, fh.host(nil))), 1)
	st.Outputs = map[string]*state.Output{"x": {Value: []byte(`"v"`)}}
	in := withState(input(cfg, fh.host(nil)), st)
	in.Destroy = true
	p := mustBuild(t, in)
	if len(p.Changes) != 2 || p.Changes[0].Action != Delete || p.Changes[1].Action != Delete {
		t.Errorf("destroy plan: %+v", p.Changes)
	}
	if len(p.Outputs) != 1 || p.Outputs[0].Action != Delete {
		t.Errorf("outputs: %+v", p.Outputs)
	}
}

func TestTargets(t *testing.T) {
	fh := newFakeHost(t)
	cfg := testConfig(t,
		res("executable", "db"),
		res("executable", "api", func(r *lang.Resource) { r.DependsOn = []string{"executable.db"} }),
		res("executable", "web", func(r *lang.Resource) { r.DependsOn = []string{"executable.api"} }),
		res("executable", "other"),
	)
	in := input(cfg, fh.host(nil))
	in.Targets = []string{"executable.api"}
	p, diags := Build(in)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	var got []string
	for _, ch := range p.Changes {
		got = append(got, ch.Address)
	}
	if diff := cmp.Diff([]string{"executable.api", "executable.db"}, got); diff != "" {
		t.Errorf("targeted addresses (-want +got):\n%s", diff)
	}
	if len(diags) != 1 || diags[0].Summary != "Resource targeting is in effect" || len(p.Warnings) != 1 {
		t.Errorf("want the targeting warning, got %v", diags)
	}

	// Destroying a target also destroys what depends on it.
	st := stateFrom(t, mustBuild(t, input(cfg, fh.host(nil))), 1)
	in = withState(input(cfg, fh.host(nil)), st)
	in.Destroy, in.Targets = true, []string{"executable.api"}
	p = mustBuild(t, in)
	got = nil
	for _, ch := range p.Changes {
		got = append(got, ch.Address)
	}
	if diff := cmp.Diff([]string{"executable.api", "executable.web"}, got); diff != "" {
		t.Errorf("targeted destroy (-want +got):\n%s", diff)
	}

	in = input(cfg, fh.host(nil))
	in.Targets = []string{"executable.nope"}
	if _, diags := Build(in); !diags.HasErrors() || !strings.Contains(diags.Error(), "executable.nope") {
		t.Errorf("unknown target: %v", diags)
	}
}

func TestDevcertPendingResolves(t *testing.T) {
	fh := newFakeHost(t)
	fh.java = []*pem.Certificate{loadCert(t, "java-root")}
	user := loadCert(t, "user-extra")
	fh.files["/etc/extra.pem"] = user.PEM()
	mk := loadCert(t, "mkcert")
	cfg := testConfig(t,
		res("node_app", "web", withCollections("corp"), withDevcert),
		res("executable", "only", withDevcert),
		res("java_app", "j", withCollections("corp"), withDevcert),
		res("executable", "plain", withCollections("corp")),
	)
	// An output naming a pending set's bundle, as lang spells it (the
	// per-resource placeholder the planner relocates into the set).
	cfg.Outputs = []*lang.Output{{Name: "web_bundle", Value: cty.StringVal(testDir + "/.trustform/resources/node_app.web/cert.pem")}}
	env := map[string]string{"NODE_EXTRA_CA_CERTS": "/etc/extra.pem"}
	in := input(cfg, fh.host(env))
	in.Devcert.Found = []FoundCert{{Kind: "mkcert", Path: "/m/rootCA.pem", Cert: mk}}
	p := mustBuild(t, in)
	if !p.Devcert.Create {
		t.Error("Devcert.Create not set")
	}
	for _, addr := range []string{"node_app.web", "executable.only", "java_app.j"} {
		ch := change(t, p, addr)
		if !ch.DevcertPending || ch.Pending == nil {
			t.Errorf("%s: not pending", addr)
		}
		if ch.After.Env["SSL_CERT_DIR"] == "" {
			t.Errorf("%s: trust env missing while the CA is pending", addr)
		}
	}
	if change(t, p, "executable.plain").DevcertPending {
		t.Error("executable.plain pending without developer trust")
	}
	// The output names a directory apply will move: the plan says so.
	if !p.Outputs[0].AfterDevcert {
		t.Errorf("output web_bundle names a pending set's directory but is not marked: %+v", p.Outputs[0])
	}
	var human bytes.Buffer
	if err := RenderHuman(&human, p, false); err != nil {
		t.Fatal(err)
	}
	if want := "+ web_bundle = (known after apply)"; !strings.Contains(human.String(), want) {
		t.Errorf("human plan lacks %q:\n%s", want, human.String())
	}
	// Through a saved plan file, as apply would see it.
	p = roundTrip(t, p)
	if !p.Outputs[0].AfterDevcert {
		t.Error("AfterDevcert lost through the plan file")
	}

	ca := loadCert(t, "devcert-ca")
	if err := p.ResolveDevcert(ca, "/dc/ca.pem"); err != nil {
		t.Fatal(err)
	}
	in.Devcert.CA = ca
	direct := mustBuild(t, in)
	for _, addr := range []string{"node_app.web", "executable.only", "java_app.j"} {
		got, want := change(t, p, addr), change(t, direct, addr)
		if got.DevcertPending || got.Pending != nil {
			t.Errorf("%s: still pending", addr)
		}
		if diff := cmp.Diff(want.After, got.After, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%s: resolved spec differs from a plan made with the CA (-want +got):\n%s", addr, diff)
		}
		for _, f := range got.After.Files {
			if f.SHA256 != "" && !bytes.Equal(p.Blobs[f.SHA256], direct.Blobs[f.SHA256]) {
				t.Errorf("%s: blob of %s missing or different", addr, f.Path)
			}
		}
	}
	if p.Outputs[0].AfterDevcert {
		t.Error("output still marked as waiting for the CA after resolve")
	}
	// The output follows the set to the directory apply writes: the one
	// a plan made with the CA names.
	if got, want := outputAfter(t, p, "web_bundle"), outputAfter(t, direct, "web_bundle"); got != want {
		t.Errorf("output web_bundle after resolve = %s, a plan made with the CA says %s", got, want)
	} else if !strings.Contains(got, change(t, direct, "node_app.web").After.TrustDir+"/") {
		t.Errorf("output web_bundle = %s, not in node_app.web's set directory %s", got, change(t, direct, "node_app.web").After.TrustDir)
	}
	if p.Devcert.Create || len(p.Devcert.Used) == 0 || p.Devcert.Used[0].Kind != "trustform" {
		t.Errorf("devcert after resolve: %+v", p.Devcert)
	}

	// Once applied, the next plan (the CA now exists) changes nothing.
	st := stateFrom(t, p, 1)
	again := mustBuild(t, withState(in, st))
	for _, ch := range again.Changes {
		if ch.Action != NoOp {
			t.Errorf("%s: %s %v, want no-op", ch.Address, ch.Action, ch.Reasons)
		}
	}
	// With the CA gone again (devcert remove), the resources are replaced.
	in.Devcert.CA = nil
	gone := mustBuild(t, withState(in, st))
	if ch := change(t, gone, "executable.only"); ch.Action != Replace || !slices.Contains(ch.Reasons, "trust_set") {
		t.Errorf("CA removed: %s %v, want replace for trust_set", ch.Action, ch.Reasons)
	}
}

func TestConfigDigest(t *testing.T) {
	cfg := testConfig(t, res("executable", "a"))
	a := configDigest(cfg)
	cfg.Files["main.trust.hcl"].Bytes = []byte("# changed\n")
	if b := configDigest(cfg); a == b || len(a) != 64 {
		t.Errorf("digest %q did not change with file bytes (%q)", a, b)
	}
}

func withState(in *Input, st *state.State) *Input {
	cp := *in
	cp.State = st
	return &cp
}

// A value the user wrote in a resource's env survives override and system
// scope (merged), while one inherited from trustform's shell does not turn
// override back into "trust the system store".
func TestOverrideKeepsOwnEnvButNotInherited(t *testing.T) {
	dir := filepath.Join(testDir, ".trustform", "resources")
	fh := newFakeHost(t)
	user := loadCert(t, "user-extra")
	fh.files["/etc/ssl/certs/ca-certificates.crt"] = user.PEM()
	fh.files["/srv/second.pem"] = user.PEM()
	shell := map[string]string{
		"SSL_CERT_DIR":       "/etc/ssl/certs",
		"SSL_CERT_FILE":      "/etc/ssl/certs/ca-certificates.crt",
		"REQUESTS_CA_BUNDLE": "/etc/ssl/certs/ca-certificates.crt",
	}
	p := mustBuild(t, input(testConfig(t,
		res("python_app", "inherits", withCollections("corp"), withScope(runtimes.ScopeOverride)),
		res("python_app", "own", withCollections("corp"), withScope(runtimes.ScopeSystem),
			withEnv("SSL_CERT_DIR", "/srv/second", "SSL_CERT_FILE", "/srv/second.pem")),
	), fh.host(shell)))

	inhEnv := envAsResource(t, p, "python_app.inherits")
	for name, want := range map[string]string{
		"SSL_CERT_DIR":       dir + "/python_app.inherits/certs",
		"SSL_CERT_FILE":      dir + "/python_app.inherits/cert.pem",
		"REQUESTS_CA_BUNDLE": dir + "/python_app.inherits/cert.pem",
	} {
		if got := inhEnv[name]; got != want {
			t.Errorf("override, inherited %s: got %q, want %q (ours only)", name, got, want)
		}
	}

	own := change(t, p, "python_app.own").After
	if got, want := envAsResource(t, p, "python_app.own")["SSL_CERT_DIR"], dir+"/python_app.own/certs:/srv/second"; got != want {
		t.Errorf("system, own SSL_CERT_DIR = %q, want %q", got, want)
	}
	merged := filepath.Join(own.TrustDir, "merged-SSL_CERT_FILE.pem")
	if got := own.Env["SSL_CERT_FILE"]; got != merged {
		t.Fatalf("system, own SSL_CERT_FILE = %q, want the merged bundle %q", got, merged)
	}
	f := fileByRel(t, own, "python_app.own", "merged-SSL_CERT_FILE.pem")
	if !bytes.Contains(p.Blobs[f.SHA256], user.PEM()) || !bytes.Contains(p.Blobs[f.SHA256], loadCert(t, "corp-root").PEM()) {
		t.Errorf("merged SSL_CERT_FILE bundle lacks the user's or our certificate")
	}
}

func TestTaintedResourceIsReplaced(t *testing.T) {
	fh := newFakeHost(t)
	cfg := testConfig(t, res("executable", "a", withCollections("corp")))
	first := mustBuild(t, input(cfg, fh.host(nil)))
	st := stateFrom(t, first, 3)
	st.Resources[0].Tainted = true
	p := mustBuild(t, withState(input(cfg, fh.host(nil)), st))
	ch := change(t, p, "executable.a")
	if ch.Action != Replace || len(ch.Reasons) == 0 || ch.Reasons[0] != "tainted" {
		t.Fatalf("tainted resource planned as %s %v, want replace because tainted", ch.Action, ch.Reasons)
	}
	var b strings.Builder
	if err := RenderHuman(&b, p, false); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "# executable.a is tainted, so must be replaced") {
		t.Errorf("human plan does not say why:\n%s", b.String())
	}
}

// A container's own SSL_CERT_DIR survives override scope (after ours); its
// own SSL_CERT_FILE cannot be merged (it is inside the image), so replacing
// it is warned about instead of done silently.
func TestContainerOverrideKeepsOwnDirsAndWarnsOnFile(t *testing.T) {
	fh := newFakeHost(t)
	_, diags := Build(input(testConfig(t,
		res("container", "strict", withCollections("corp"), withScope(runtimes.ScopeOverride),
			withEnv("SSL_CERT_DIR", "/opt/app/certs", "SSL_CERT_FILE", "/opt/app/ca.pem")),
	), fh.host(nil)))
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	p := mustBuild(t, input(testConfig(t,
		res("container", "strict", withCollections("corp"), withScope(runtimes.ScopeOverride),
			withEnv("SSL_CERT_DIR", "/opt/app/certs", "SSL_CERT_FILE", "/opt/app/ca.pem")),
	), fh.host(nil)))
	env := change(t, p, "container.strict").After.Env
	if got := env["SSL_CERT_DIR"]; got != "/usr/lib/ssl/trustform/certs:/opt/app/certs" {
		t.Errorf("SSL_CERT_DIR = %q, want ours then the user's", got)
	}
	if got := env["SSL_CERT_FILE"]; got != "/usr/lib/ssl/trustform/cert.pem" {
		t.Errorf("SSL_CERT_FILE = %q", got)
	}
	var warned bool
	for _, d := range diags {
		if d.Severity == hcl.DiagWarning && strings.Contains(d.Detail, "SSL_CERT_FILE=/opt/app/ca.pem") {
			warned = true
		}
	}
	if !warned {
		t.Errorf("no warning about the replaced SSL_CERT_FILE: %v", diags)
	}
}

// Node and Deno add NODE_EXTRA_CA_CERTS / DENO_CERT to any store, so
// override scope empties a value inherited from trustform's shell or set in
// the resource's env (issue 13: nothing user-set may widen a scope;
// certificate_trust_configuration.environment is the way to keep one).
func TestOverrideClearsInheritedExtraCerts(t *testing.T) {
	fh := newFakeHost(t)
	fh.files["/etc/ssl/certs/ca-certificates.crt"] = loadCert(t, "user-extra").PEM()
	p := mustBuild(t, input(testConfig(t,
		res("node_app", "strict", withCollections("corp"), withScope(runtimes.ScopeOverride)),
		res("node_app", "own", withCollections("corp"), withScope(runtimes.ScopeOverride),
			withEnv("NODE_EXTRA_CA_CERTS", "/srv/mine.pem")),
		res("deno_app", "d", withCollections("corp"), withScope(runtimes.ScopeOverride)),
		res("node_app", "appended", withCollections("corp")),
	), fh.host(map[string]string{"NODE_EXTRA_CA_CERTS": "/etc/ssl/certs/ca-certificates.crt", "DENO_CERT": "/etc/x.pem"})))
	if v, ok := change(t, p, "node_app.strict").After.Env["NODE_EXTRA_CA_CERTS"]; !ok || v != "" {
		t.Errorf("override: NODE_EXTRA_CA_CERTS = %q (set %v), want it emptied", v, ok)
	}
	if v, ok := change(t, p, "node_app.own").After.Env["NODE_EXTRA_CA_CERTS"]; !ok || v != "" {
		t.Errorf("override with the resource's own value: NODE_EXTRA_CA_CERTS = %q (set %v), want it emptied", v, ok)
	}
	if v, ok := change(t, p, "deno_app.d").After.Env["DENO_CERT"]; !ok || v != "" {
		t.Errorf("override: DENO_CERT = %q (set %v), want it emptied", v, ok)
	}
	if v := change(t, p, "node_app.appended").After.Env["NODE_EXTRA_CA_CERTS"]; !strings.Contains(v, "merged-NODE_EXTRA_CA_CERTS.pem") {
		t.Errorf("append still merges the inherited bundle: %q", v)
	}
}

// Sensitive values reaching the plan through certificate_trust_configuration
// or through the command itself are masked too; a container setting that
// plans cannot mask is refused.
func TestSensitiveFromTrustConfigurationAndCommand(t *testing.T) {
	fh := newFakeHost(t)
	p := mustBuild(t, input(testConfig(t,
		res("executable", "x", withCollections("corp"), withArgs("--a"), func(r *lang.Resource) {
			r.Attrs.SetStr("command", "/opt/secret-tool")
			r.SensitiveAttrs = []string{"command"}
			r.TrustConfiguration = &lang.TrustConfiguration{
				Arguments:            []string{"--ca", "/b", "--token", "tok"},
				Environment:          map[string]string{"API_KEY": "k", "CA": "/b"},
				SensitiveArguments:   []int{3},
				SensitiveEnvironment: []string{"API_KEY"},
			}
		}),
	), fh.host(nil)))
	s := change(t, p, "executable.x").After
	want := []int{0, 5}
	if !slices.Equal(s.SensitiveArgs, want) || s.Argv[5] != "tok" {
		t.Errorf("SensitiveArgs = %v for argv %v, want %v (command and the token)", s.SensitiveArgs, s.Argv, want)
	}
	if !slices.Equal(s.SensitiveEnv, []string{"API_KEY"}) {
		t.Errorf("SensitiveEnv = %v, want API_KEY", s.SensitiveEnv)
	}
	var out strings.Builder
	if err := RenderHuman(&out, p, false); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "secret-tool") || strings.Contains(out.String(), `"tok"`) || strings.Contains(out.String(), `"k"`) {
		t.Errorf("a sensitive value is printed:\n%s", out.String())
	}

	_, diags := Build(input(testConfig(t,
		res("container", "c", withCollections("corp"), func(r *lang.Resource) { r.SensitiveAttrs = []string{"image"} }),
	), fh.host(nil)))
	if !diags.HasErrors() || !strings.Contains(diags.Error(), "Sensitive value in a container setting") {
		t.Errorf("diags = %v, want a refusal", diags)
	}
}

// A record without a handle (apply recorded it, then died before the start
// finished) is planned as gone even when refresh was skipped.
func TestRecordWithoutHandleIsMissingWithoutRefresh(t *testing.T) {
	fh := newFakeHost(t)
	cfg := testConfig(t, res("executable", "a", withCollections("corp")))
	st := stateFrom(t, mustBuild(t, input(cfg, fh.host(nil))), 2)
	st.Resources[0].Handle = runtimes.Handle{}
	in := withState(input(cfg, fh.host(nil)), st)
	in.Refreshed = nil
	ch := change(t, mustBuild(t, in), "executable.a")
	if ch.Action != Create || len(ch.Reasons) == 0 || ch.Reasons[0] != "drift" {
		t.Fatalf("record without a handle planned as %s %v, want create because of drift", ch.Action, ch.Reasons)
	}
}

func TestContainerNameOfInstances(t *testing.T) {
	seen := map[string]string{}
	for addr, prefix := range map[string]string{
		"container.app":              "trustform-app-",
		"container.app[0]":           "trustform-app-0-",
		`container.app["0"]`:         "trustform-app-0-",
		`container.app["eu west/1"]`: "trustform-app-euwest1-",
		`container.app["é"]`:         "trustform-app-",
		`container.app["` + strings.Repeat("k", 40) + `"]`: "trustform-app-" + strings.Repeat("k", 32) + "-",
	} {
		n := ContainerName("/dir", addr, "app")
		if !strings.HasPrefix(n, prefix) || len(n) != len(prefix)+8 {
			t.Errorf("ContainerName(%s) = %q, want %q + 8 hex digits", addr, n, prefix)
		}
		for _, r := range n {
			if !(r == '-' || r == '_' || r == '.' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
				t.Errorf("ContainerName(%s) = %q holds %q", addr, n, r)
			}
		}
		if prev, dup := seen[n]; dup {
			t.Errorf("%s and %s share container name %s", prev, addr, n)
		}
		seen[n] = addr
	}
}

func outputAfter(t *testing.T, p *Plan, name string) string {
	t.Helper()
	for _, o := range p.Outputs {
		if o.Name == name {
			return string(o.After)
		}
	}
	t.Fatalf("no output %q in the plan", name)
	return ""
}
