//go:build linux

package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/trustform/trustform/internal/testutil"
)

// TestApplyProgress applies a python HTTPS server using the development
// certificate and a node client that depends on it, and checks what the
// user sees on apply's stdout (one Creating and one Creation complete line
// per resource, then the summary), that the client reached the server,
// that status shows both running, and that destroy leaves nothing of ours.
func TestApplyProgress(t *testing.T) {
	start(t)
	needTool(t, "node", "apt-get install -y nodejs")
	needTool(t, "python3", "apt-get install -y python3")
	port := freePort(t)
	p := newProject(t, map[string]string{})
	p.copyTestdata("devserver/server.py", "server.py")
	p.copyTestdata("node/client.js", "client.js")
	// The port reaches the configuration as a variable, as a user would
	// pass it; every command (destroy too) sees the same value.
	p.setenv("TRUSTFORM_VAR_api_port=" + strconv.Itoa(port))
	p.Write("main.trust.hcl", header(true, nil)+`
variable "api_port" {
  type = number
}

resource "python_app" "api" {
  script = "server.py"
  args   = [tostring(var.api_port), devcert.localhost.cert_file, devcert.localhost.key_file]
  ready_when {
    tcp = "127.0.0.1:${var.api_port}"
  }
}

resource "node_app" "web" {
  script     = "client.js"
  env        = { E2E_URLS = "https://127.0.0.1:${var.api_port}" }
  depends_on = [python_app.api]
}
`)
	t.Cleanup(p.destroyAndCheck)
	stdout, stderr, err := p.runSplit("apply", "-auto-approve")
	if err != nil {
		t.Fatalf("trustform apply: %v\n--- stdout:\n%s\n--- stderr:\n%s", err, stdout, stderr)
	}
	// Progress lines, each whole, on stdout.
	pids := map[string]int{"python_app.api": p.pid("python_app.api"), "node_app.web": p.pid("node_app.web")}
	for addr, pid := range pids {
		if pid == 0 {
			t.Errorf("state records no pid for %s", addr)
		}
		creating := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(addr) + `: Creating\.\.\.$`)
		complete := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(addr) + `: Creation complete after [0-9.]+(ms|s|m[0-9.]*s?) \[pid=` + strconv.Itoa(pid) + `\]$`)
		if !creating.MatchString(stdout) {
			t.Errorf("apply stdout lacks %q", addr+": Creating...")
		}
		if !complete.MatchString(stdout) {
			t.Errorf("apply stdout lacks %q with the recorded pid %d", addr+": Creation complete after ... [pid=N]", pid)
		}
	}
	const summary = "Apply complete! Resources: 2 added, 0 changed, 0 destroyed."
	if !strings.Contains(stdout, summary) {
		t.Errorf("apply stdout lacks %q", summary)
	}
	// depends_on: the client starts only once the server has started and
	// is ready (its single request below gets an answer). "Creation
	// complete" of the server comes when its start_period has passed,
	// which may be after the client started: the windows overlap.
	serverStart := strings.Index(stdout, "python_app.api: Creating...")
	clientStart := strings.Index(stdout, "node_app.web: Creating...")
	if serverStart < 0 || clientStart < 0 || clientStart < serverStart {
		t.Errorf("apply stdout: node_app.web started before python_app.api")
	}
	if strings.Contains(stderr, "Creating...") || strings.Contains(stderr, "Apply complete!") {
		t.Errorf("progress went to stderr:\n%s", stderr)
	}
	if t.Failed() {
		t.Logf("apply stdout:\n%s\n--- stderr:\n%s", stdout, stderr)
	}

	p.expectOK("node_app.web")
	if log := p.waitLog("python_app.api", `"GET / HTTP/1.1" 200`); !strings.Contains(log, `"GET / HTTP/1.1" 200`) {
		t.Errorf("python_app.api logged no answered request:\n%s", log)
	}

	out, err := p.run("status")
	if err != nil {
		t.Fatalf("trustform status: %v\n%s", err, out)
	}
	for addr, pid := range pids {
		row := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(addr) + `\s+running\s+pid=` + strconv.Itoa(pid) + `\s`)
		if !row.MatchString(out) {
			t.Errorf("trustform status: no running row with pid=%d for %s:\n%s", pid, addr, out)
		}
	}

	// destroy: no process, no trust material, no log of ours.
	p.destroyAndCheck()
	for addr, pid := range pids {
		if testutil.Alive(pid) {
			t.Errorf("%s (pid %d) still runs after destroy", addr, pid)
		}
	}
	for _, dir := range []string{"resources", "logs"} {
		if _, err := os.Stat(filepath.Join(p.Dir, ".trustform", dir)); !os.IsNotExist(err) {
			t.Errorf(".trustform/%s exists after destroy (%v)", dir, err)
		}
	}
	if out, err := p.run("status"); err != nil || strings.Contains(out, "running") {
		t.Errorf("trustform status after destroy: %v\n%s", err, out)
	}
}

// runSplit runs trustform -chdir=DIR args... and returns stdout and stderr
// apart.
func (p *project) runSplit(args ...string) (string, string, error) {
	p.t.Helper()
	bin := needTrustform(p.t)
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, append([]string{"-chdir=" + p.Dir}, args...)...)
	cmd.Env = p.Env
	cmd.Dir = p.Dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	cmd.WaitDelay = 10 * time.Second
	err := cmd.Run()
	if ctx.Err() != nil {
		err = fmt.Errorf("timed out after %v: %w", commandTimeout, err)
	}
	return stdout.String(), stderr.String(), err
}

// waitLog waits up to resultTimeout for the log of addr to contain want and
// returns the log.
func (p *project) waitLog(addr, want string) string {
	deadline := time.Now().Add(resultTimeout)
	for {
		log := p.logOf(addr)
		if strings.Contains(log, want) || time.Now().After(deadline) {
			return log
		}
		time.Sleep(100 * time.Millisecond)
	}
}
