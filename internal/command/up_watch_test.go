//go:build linux

package command

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/trustform/trustform/internal/testutil"
)

// watchConfig declares three long-running processes; a's env holds v, b
// trusts the certificates in certs/, and c restarts when src/c.txt
// changes.
func watchConfig(v string) string {
	return `trustform {
  developer_certificate_trust = false
}

resource "executable" "a" {
  command = "sleep"
  args    = ["600"]
  env     = { VERSION = "` + v + `" }
}

resource "executable" "b" {
  command = "sleep"
  args    = ["600"]
  certificate_authority_collections = [certificate_authority_collection.corp]
}

resource "executable" "c" {
  command = "sleep"
  args    = ["600"]
  watch   = ["src/c.txt"]
}

certificate_authority_collection "corp" {
  files = ["certs/*.pem"]
}
`
}

// runningPIDs reads `trustform status -json`: address -> pid of what runs.
func (p *tfProject) runningPIDs() map[string]int {
	p.t.Helper()
	out := map[string]int{}
	for _, r := range p.statusRows() {
		if r.Status == "running" {
			out[r.Address] = r.PID
		}
	}
	return out
}

// pollUntil checks cond every quarter second (each check runs the binary)
// until it holds; d only bounds how long the test waits before failing.
func pollUntil(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// TestUpWatch drives the real binary: under up -watch, editing one
// resource's env replaces only that resource; a configuration error keeps
// everything running and shows where the error is; touching a watch path
// replaces its resource; a new certificate replaces the resource that
// trusts it; Ctrl-C stops everything.
func TestUpWatch(t *testing.T) {
	p := newProject(t, watchConfig("1"))
	if err := os.MkdirAll(p.Path("src"), 0o755); err != nil {
		t.Fatal(err)
	}
	p.Write("src/c.txt", "one")
	if err := os.MkdirAll(p.Path("certs"), 0o755); err != nil {
		t.Fatal(err)
	}
	p.Write("certs/corp.pem", string(testutil.NewCA(t, "corp root").PEM))
	up := p.start(t.Context(), "up", "-watch")
	out := func() string { return up.Stdout.String() + up.Stderr.String() }
	waitOut := func(what string) {
		t.Helper()
		pollUntil(t, 2*time.Minute, "output "+quoteWhat(what), func() bool {
			select {
			case <-up.Done():
				t.Fatalf("up ended early:\n%v", up.Result())
			default:
			}
			return strings.Contains(out(), what)
		})
	}
	waitOut("~ watch: watching")
	before := p.runningPIDs()
	if len(before) != 3 {
		t.Fatalf("want 3 running resources, got %v\n%s", before, out())
	}
	t.Logf("pids before: %v", before)

	// 1. An env change replaces only that resource.
	p.Write("main.trust.hcl", watchConfig("2"))
	waitOut("~ watch: main.trust.hcl changed: replacing executable.a")
	var after map[string]int
	pollUntil(t, 2*time.Minute, "a new pid for executable.a", func() bool {
		after = p.runningPIDs()
		return len(after) == 3 && after["executable.a"] != before["executable.a"]
	})
	t.Logf("pids after the env edit: %v", after)
	for _, addr := range []string{"executable.b", "executable.c"} {
		if after[addr] != before[addr] {
			t.Errorf("%s was restarted by an edit of executable.a's env: pid %d -> %d", addr, before[addr], after[addr])
		}
	}
	if testutil.Alive(before["executable.a"]) {
		t.Errorf("the old executable.a (pid %d) still runs", before["executable.a"])
	}

	// 2. A configuration error keeps everything running and is located.
	p.Write("main.trust.hcl", strings.Replace(watchConfig("2"), `args    = ["600"]`, `args    = ["600"`, 1))
	waitOut("main.trust.hcl:8")
	waitOut("the configuration has errors; everything keeps running")
	if now := p.runningPIDs(); !sameMap(now, after) {
		t.Errorf("an invalid configuration changed what runs: %v -> %v", after, now)
	}

	// An empty configuration (an editor between truncating and writing)
	// does not destroy everything.
	p.Write("main.trust.hcl", "")
	waitOut("the configuration now declares no resource; everything keeps running")
	if now := p.runningPIDs(); !sameMap(now, after) {
		t.Errorf("an empty configuration changed what runs: %v -> %v", after, now)
	}

	// 3. Fixing it back to what runs changes nothing.
	p.Write("main.trust.hcl", watchConfig("2"))
	waitOut("~ watch: main.trust.hcl changed: no changes")

	// 4. A watch path replaces its resource even though its plan is the
	// same.
	p.Write("src/c.txt", "two")
	waitOut("~ watch: src/c.txt changed: replacing executable.c")
	var last map[string]int
	pollUntil(t, 2*time.Minute, "a new pid for executable.c", func() bool {
		last = p.runningPIDs()
		return len(last) == 3 && last["executable.c"] != after["executable.c"]
	})
	t.Logf("pids after touching src/c.txt: %v", last)
	for _, addr := range []string{"executable.a", "executable.b"} {
		if last[addr] != after[addr] {
			t.Errorf("%s was restarted by a change to executable.c's watch path: pid %d -> %d", addr, after[addr], last[addr])
		}
	}

	// 5. A new certificate in a collection b trusts replaces b only: the
	// plan's diff decides.
	p.Write("certs/second.pem", string(testutil.NewCA(t, "second root").PEM))
	waitOut("~ watch: certs/second.pem changed: replacing executable.b")
	var final map[string]int
	pollUntil(t, 2*time.Minute, "a new pid for executable.b", func() bool {
		final = p.runningPIDs()
		return len(final) == 3 && final["executable.b"] != last["executable.b"]
	})
	t.Logf("pids after adding certs/second.pem: %v", final)
	for _, addr := range []string{"executable.a", "executable.c"} {
		if final[addr] != last[addr] {
			t.Errorf("%s was restarted by a certificate only executable.b trusts: pid %d -> %d", addr, last[addr], final[addr])
		}
	}
	last = final

	// 6. Ctrl-C stops everything, as in plain up.
	if err := up.Cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	res := p.waitTimeout(up, 2*time.Minute)
	if res.Code != 130 {
		t.Errorf("up -watch after Ctrl-C: want exit 130, got %v", res)
	}
	for addr, pid := range last {
		if testutil.Alive(pid) {
			t.Errorf("%s (pid %d) still runs after Ctrl-C", addr, pid)
		}
	}
	if _, err := os.Stat(filepath.Join(p.Dir, ".trustform", "logs")); err == nil {
		entries, _ := os.ReadDir(filepath.Join(p.Dir, ".trustform", "logs"))
		if len(entries) > 0 {
			t.Logf("logs left: %d", len(entries))
		}
	}
	t.Logf("up -watch output:\n%s", res.Stdout+res.Stderr)
}

func sameMap(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func quoteWhat(s string) string { return `"` + s + `"` }
