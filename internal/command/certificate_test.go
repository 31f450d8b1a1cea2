package command

import (
	"bytes"
	"crypto/x509"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/trustform/trustform/internal/command/views"
	"github.com/trustform/trustform/internal/testutil"
)

// runFetch runs "trustform -chdir=dir certificate fetch args..." in
// process with only the given environment, so neither the developer's
// proxy nor trust variables leak in.
func runFetch(t *testing.T, dir string, environ []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	environ = append([]string{"NO_COLOR=1", "HOME=" + t.TempDir()}, environ...)
	code = Run(append([]string{"-chdir=" + dir, "certificate", "fetch"}, args...), environ, strings.NewReader(""), &out, &errb)
	return out.String(), errb.String(), code
}

// systemStore writes a CA bundle for SSL_CERT_FILE, which is where
// trustform (as OpenSSL) reads the system store from when it is set.
func systemStore(t *testing.T, cas ...*testutil.CA) string {
	t.Helper()
	var b []byte
	for _, ca := range cas {
		b = append(b, ca.PEM...)
	}
	if len(b) == 0 {
		b = testutil.NewCA(t, "Unrelated Public Root").PEM
	}
	path := filepath.Join(t.TempDir(), "system.pem")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return "SSL_CERT_FILE=" + path
}

func TestCertificateFetchDirect(t *testing.T) {
	srv := testutil.StartTLSServer(t, "Direct Test CA", true)
	dir := t.TempDir()
	out, errOut, code := runFetch(t, dir, []string{systemStore(t)}, srv.URL)
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	fp := views.Fingerprint(srv.CA.Cert)
	for _, want := range []string{
		"Connected to " + srv.Addr + " directly, TLS 1.3.\n",
		"The server presented 2 certificates:\n",
		"  [0] CN=localhost,O=trustform test\n      issuer   CN=Direct Test CA,O=trustform test\n",
		"  [1] CN=Direct Test CA,O=trustform test   <- root (self-signed)\n",
		"      sha256   " + fp + "\n",
		"The system store does not trust this chain: x509: certificate signed by unknown authority",
		"Root: [1] CN=Direct Test CA,O=trustform test, the self-signed top of the chain.\n",
		"Saved the root to certs/direct-test-ca.pem.\n",
		"certificate_authority_collection \"direct_test_ca\" {\n  certificates = [file(\"certs/direct-test-ca.pem\")]\n}\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if !regexp.MustCompile(`expires  \d{4}-\d\d-\d\d \d\d:\d\d UTC \(in \d+ hours\)`).MatchString(out) {
		t.Errorf("no expiry line:\n%s", out)
	}
	got, err := os.ReadFile(filepath.Join(dir, "certs", "direct-test-ca.pem"))
	if err != nil || !bytes.Equal(got, srv.CA.PEM) {
		t.Errorf("saved %q (%v), want the CA", got, err)
	}
	if srv.Hits() != 0 {
		t.Errorf("%d requests reached the server; fetch must send no application data", srv.Hits())
	}

	// Again: the file holds the same root, so it is kept and said so.
	out, _, code = runFetch(t, dir, []string{systemStore(t)}, srv.Addr)
	if code != 0 || !strings.Contains(out, "certs/direct-test-ca.pem already holds this root.") {
		t.Errorf("second fetch: exit %d\n%s", code, out)
	}

	// A file with other content is never overwritten.
	other := filepath.Join(dir, "other.pem")
	os.WriteFile(other, []byte("mine\n"), 0o644)
	_, errOut, code = runFetch(t, dir, []string{systemStore(t)}, srv.URL, "-out=other.pem")
	if got, _ := os.ReadFile(other); code != 1 || string(got) != "mine\n" || !strings.Contains(errOut, "other.pem exists and holds something else; it was left as it is") {
		t.Errorf("exit %d, file %q\n%s", code, got, errOut)
	}

	// -out=DIR saves NAME.pem in it, as cp would; it used to fail with
	// "read DIR: is a directory".
	os.Mkdir(filepath.Join(dir, "roots"), 0o755)
	out, errOut, code = runFetch(t, dir, []string{systemStore(t)}, srv.URL, "-out=roots")
	if got, err := os.ReadFile(filepath.Join(dir, "roots", "direct-test-ca.pem")); code != 0 || err != nil || !bytes.Equal(got, srv.CA.PEM) || !strings.Contains(out, "Saved the root to roots/direct-test-ca.pem.") {
		t.Errorf("-out=roots: exit %d, file %q (%v)\n%s%s", code, got, err, out, errOut)
	}

	// A directory named in -out must exist: a typo creates nothing.
	_, errOut, code = runFetch(t, dir, []string{systemStore(t)}, srv.URL, "-out=nosuch/sub/ca.pem")
	if _, err := os.Stat(filepath.Join(dir, "nosuch")); code != 1 || err == nil ||
		!strings.Contains(errOut, "cannot save to nosuch/sub/ca.pem: the directory nosuch/sub does not exist") {
		t.Errorf("-out=nosuch/sub/ca.pem: exit %d, stat %v\n%s", code, err, errOut)
	}

	// -out=- prints only the PEM on stdout.
	out, errOut, code = runFetch(t, dir, []string{systemStore(t)}, srv.URL, "-out=-")
	if code != 0 || out != string(srv.CA.PEM) || !strings.Contains(errOut, "The server presented 2 certificates") {
		t.Errorf("-out=-: exit %d\nstdout %q\nstderr %s", code, out, errOut)
	}
}

// TestCertificateFetchThroughInspectingProxy: with HTTPS_PROXY set, fetch
// sends CONNECT to a loopback proxy that re-signs TLS with its own CA, and
// saves that CA, not the real server's.
func TestCertificateFetchThroughInspectingProxy(t *testing.T) {
	srv := testutil.StartTLSServer(t, "Real Server CA", true)
	pool := x509.NewCertPool()
	pool.AddCert(srv.CA.Cert)
	proxy := testutil.StartInspectingProxy(t, "Corp Inspection CA", pool, true)
	dir := t.TempDir()
	env := []string{systemStore(t), "HTTPS_PROXY=" + proxy.URL}
	out, errOut, code := runFetch(t, dir, env, srv.URL)
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{
		"Connected to " + srv.Addr + " through the proxy " + proxy.URL + " (from HTTPS_PROXY), TLS 1.3.\n",
		"  [0] CN=127.0.0.1,O=trustform test\n      issuer   CN=Corp Inspection CA,O=trustform test\n",
		"  [1] CN=Corp Inspection CA,O=trustform test   <- root (self-signed)\n",
		"Saved the root to certs/corp-inspection-ca.pem.\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "certs", "corp-inspection-ca.pem")); !bytes.Equal(got, proxy.CA.PEM) {
		t.Error("the saved root is not the proxy's CA")
	}
	if proxy.Connects() != 1 || proxy.Relayed() != 0 || srv.Hits() != 0 {
		t.Errorf("connects %d, relayed %d, hits %d", proxy.Connects(), proxy.Relayed(), srv.Hits())
	}

	// NO_PROXY for the host: straight to the server, whose own CA is the
	// root.
	dir = t.TempDir()
	out, _, code = runFetch(t, dir, append(env, "NO_PROXY=127.0.0.1"), srv.URL)
	if code != 0 || !strings.Contains(out, "directly") || !strings.Contains(out, "Saved the root to certs/real-server-ca.pem.") || proxy.Connects() != 1 {
		t.Errorf("NO_PROXY: exit %d, connects %d\n%s", code, proxy.Connects(), out)
	}
}

// TestCertificateFetchLeafOnly: the server sends only its own
// certificate. The root is the system's certificate of its issuer when
// the system holds it; otherwise fetch names the missing issuer and fails.
func TestCertificateFetchLeafOnly(t *testing.T) {
	srv := testutil.StartTLSServer(t, "Leaf Only CA", false)
	dir := t.TempDir()
	out, _, code := runFetch(t, dir, []string{systemStore(t)}, srv.URL)
	if code != 1 || !strings.Contains(out, "No root to save: the last certificate the server sent was issued by\n  CN=Leaf Only CA,O=trustform test\nwhich the server did not send and the system store does not hold.") {
		t.Errorf("exit %d\n%s", code, out)
	}
	if _, err := os.Stat(filepath.Join(dir, "certs")); err == nil {
		t.Error("a failed fetch created files")
	}
	out, _, code = runFetch(t, dir, []string{systemStore(t, srv.CA)}, srv.URL)
	if code != 0 || !strings.Contains(out, "The server did not send its root. [0] was issued by CN=Leaf Only CA,O=trustform test,\nwhich the system store holds") ||
		!strings.Contains(out, "The system store trusts this chain.") {
		t.Errorf("with the CA in the system store: exit %d\n%s", code, out)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "certs", "leaf-only-ca.pem")); !bytes.Equal(got, srv.CA.PEM) {
		t.Error("the saved root is not the system's CA")
	}
}

func TestCertificateFetchUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		env  []string
		want string
	}{
		{nil, nil, "certificate fetch needs a server"},
		{[]string{"a:1", "b:2"}, nil, "unexpected argument"},
		{[]string{"http://example.com"}, nil, "http:// is not TLS; use https://"},
		{[]string{"example.com", "-timeout=0s"}, nil, "-timeout=0s"},
		{[]string{"example.com"}, []string{"HTTPS_PROXY=socks5://p:1080"}, `HTTPS_PROXY=socks5://p:1080: proxy scheme "socks5" is not supported`},
		{[]string{"127.0.0.1:1"}, nil, "connecting to 127.0.0.1:1"},
	} {
		out, errOut, code := runFetch(t, t.TempDir(), tc.env, tc.args...)
		if code != 1 || out != "" || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, stdout %q, stderr:\n%s", tc.args, code, out, errOut)
		}
	}
}

func TestCertFileName(t *testing.T) {
	for cn, want := range map[string]string{
		"Corp Inspection CA":       "corp-inspection-ca",
		"Zscaler Root CA":          "zscaler-root-ca",
		"  *.example.com  ":        "example-com",
		"2024 Proxy":               "ca-2024-proxy",
		"":                         "ca",
		"Fortinet_CA_SSL (FG100F)": "fortinet-ca-ssl-fg100f",
	} {
		c := &x509.Certificate{}
		c.Subject.CommonName = cn
		if got := certFileName(c); got != want {
			t.Errorf("certFileName(%q) = %q, want %q", cn, got, want)
		}
	}
}
