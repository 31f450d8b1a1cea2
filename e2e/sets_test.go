//go:build linux

package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/trustform/trustform/internal/testutil"
)

// fileStamp is what must not change about a trust file a running process
// reads: its inode (no rename over it), size and modification time.
type fileStamp struct {
	ino   uint64
	size  int64
	mtime int64
}

func stampTree(t *testing.T, dir string) map[string]fileStamp {
	t.Helper()
	out := map[string]fileStamp{}
	err := filepath.Walk(dir, func(path string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		st := fi.Sys().(*syscall.Stat_t)
		out[path] = fileStamp{ino: st.Ino, size: fi.Size(), mtime: fi.ModTime().UnixNano()}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// setDirOf returns the trust set directory a running resource's
// SSL_CERT_DIR names (its first element, .../trust/NAME-DIGEST/certs).
func setDirOf(t *testing.T, p *project, addr string) string {
	t.Helper()
	first, _, _ := strings.Cut(p.processEnv(addr)["SSL_CERT_DIR"], ":")
	dir := filepath.Dir(first)
	if filepath.Dir(dir) != filepath.Join(p.Dir, ".trustform", "trust") {
		t.Fatalf("%s: SSL_CERT_DIR=%q is not in a trust set directory", addr, first)
	}
	return dir
}

// TestRunningProcessKeepsItsTrustSet changes the trust set of one resource
// while another keeps running: the running one is not restarted, not a
// file of its set is rewritten, and a TLS client given exactly its
// environment still verifies the server; the changed resource gets a new
// directory and its old one is removed.
func TestRunningProcessKeepsItsTrustSet(t *testing.T) {
	start(t)
	bin := goClientBinary(t)
	s := startServer(t, "trustform e2e sets")
	other := testutil.NewCA(t, "trustform e2e sets other")
	p := newProject(t, map[string]string{"ca.pem": string(s.CA.PEM), "other.pem": string(other.PEM)})
	config := func(bFiles string) string {
		return "trustform {\n  developer_certificate_trust = false\n}\n" +
			"\ncertificate_authority_collection \"shared\" {\n  files = [\"ca.pem\"]\n}\n" +
			"\ncertificate_authority_collection \"b\" {\n  files = " + bFiles + "\n}\n" +
			resourceBlock("executable", "a1", "", `command = "sleep"`, `args = ["600"]`, trusts("shared")) +
			resourceBlock("executable", "a2", "", `command = "sleep"`, `args = ["600"]`, trusts("shared")) +
			resourceBlock("executable", "b", "", `command = "sleep"`, `args = ["600"]`, trusts("b"))
	}
	p.Write("main.trust.hcl", config(`["ca.pem"]`))
	p.apply()

	aDir, bDir := setDirOf(t, p, "executable.a1"), setDirOf(t, p, "executable.b")
	if got := setDirOf(t, p, "executable.a2"); got != aDir {
		t.Fatalf("a1 and a2 trust the same collection but have sets %s and %s", aDir, got)
	}
	if aDir == bDir {
		t.Fatalf("a1 and b share %s although their sources differ", aDir)
	}
	aPID, bPID := p.pid("executable.a1"), p.pid("executable.b")
	before := stampTree(t, aDir)

	// b's collection gains a CA: only b is replaced.
	p.Write("main.trust.hcl", config(`["ca.pem", "other.pem"]`))
	out, err := p.run("apply", "-auto-approve")
	if err != nil {
		t.Fatalf("trustform apply: %v\n%s", err, out)
	}
	if !strings.Contains(out, "Resources: 1 added, 0 changed, 1 destroyed.") {
		t.Errorf("want exactly b replaced:\n%s", out)
	}
	if got := p.pid("executable.a1"); got != aPID || !testutil.Alive(aPID) {
		t.Errorf("a1 was restarted or stopped (pid %d, now %d)", aPID, got)
	}
	if p.pid("executable.b") == bPID {
		t.Errorf("b kept pid %d although its set changed", bPID)
	}
	after := stampTree(t, aDir)
	if len(after) != len(before) {
		t.Errorf("a's set holds %d entries, had %d", len(after), len(before))
	}
	for path, st := range before {
		if after[path] != st {
			t.Errorf("%s changed under the running a1: %+v -> %+v", path, st, after[path])
		}
	}
	newB := setDirOf(t, p, "executable.b")
	if newB == bDir {
		t.Errorf("b's set changed content but kept its directory %s", bDir)
	}
	if _, err := os.Stat(bDir); !os.IsNotExist(err) {
		t.Errorf("b's previous set %s is still there (%v) though nothing uses it", bDir, err)
	}

	// A client with exactly a1's trust environment still verifies.
	aEnv := p.processEnv("executable.a1")
	res, full := runDirect(t, p.Dir, []string{"SSL_CERT_DIR=" + aEnv["SSL_CERT_DIR"], "E2E_URLS=" + s.URL}, bin)
	if !strings.HasPrefix(res, "ok") {
		t.Errorf("a client with a1's SSL_CERT_DIR after b's change: %s\n%s", res, full)
	}
}
