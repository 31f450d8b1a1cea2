//go:build linux

package e2e

import (
	"crypto/x509"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/trustform/trustform/internal/testutil"
)

func TestTestServer(t *testing.T) {
	s := startServer(t, "trustform e2e server")
	roots := x509.NewCertPool()
	roots.AddCert(s.CA.Cert)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: tlsConfig(roots)}}
	res, err := client.Get(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if strings.TrimSpace(string(body)) != greeting {
		t.Errorf("body %q, want %q", body, greeting)
	}
	wantHits(t, s, 1)

	other := startServer(t, "trustform e2e other server")
	if _, err := client.Get(other.URL); err == nil {
		t.Error("a client trusting one CA reached the server of another")
	}
	if !strings.HasPrefix(s.URL, "https://127.0.0.1:") {
		t.Errorf("server URL %s is not on 127.0.0.1", s.URL)
	}
}

// TestTestCAPythonStrict runs the python client as Python 3.13 verifies
// (VERIFY_X509_STRICT), trusting only the test CA.
func TestTestCAPythonStrict(t *testing.T) {
	python := needTool(t, "python3", "apt-get install -y python3")
	s := startServer(t, "trustform e2e python strict")
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "ca.pem"), s.CA.PEM)
	res, out := runDirect(t, dir, []string{
		"E2E_URLS=" + s.URL, "E2E_STRICT=1", "SSL_CERT_FILE=" + filepath.Join(dir, "ca.pem"),
		"SSL_CERT_DIR=" + filepath.Join(dir, "empty"),
	}, python, filepath.Join(testdataDir(t), "python", "client.py"))
	if !strings.HasPrefix(res, "ok") {
		t.Fatalf("strict python client: RESULT %s\n%s", res, out)
	}
	wantHits(t, s, 1)
}

func writeFile(t testing.TB, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// testdataDir is the absolute path of e2e/testdata.
func testdataDir(t testing.TB) string {
	t.Helper()
	d, err := filepath.Abs("testdata")
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestLeftoverDetection proves the nothing-left-behind checks can see a
// process: one carrying a lineage in its environment is found and alive,
// and neither once killed.
func TestLeftoverDetection(t *testing.T) {
	sleep := needTool(t, "sleep", "apt-get install -y coreutils")
	lineage := "e2e-leftover-" + t.Name() + "-" + strconv.Itoa(os.Getpid())
	cmd := exec.Command(sleep, "60")
	cmd.Env = []string{"TRUSTFORM_LINEAGE=" + lineage}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pid := cmd.Process.Pid
	if !testutil.Alive(pid) {
		t.Errorf("testutil.Alive(%d) = false for a running process", pid)
	}
	if got := pidsWithEnvValue(lineage); len(got) != 1 || got[0] != pid {
		t.Errorf("pidsWithEnvValue = %v, want [%d]", got, pid)
	}
	cmd.Process.Kill()
	cmd.Wait()
	if testutil.Alive(pid) {
		t.Errorf("testutil.Alive(%d) = true after kill and wait", pid)
	}
	if got := pidsWithEnvValue(lineage); len(got) != 0 {
		t.Errorf("pidsWithEnvValue after kill = %v", got)
	}
}
