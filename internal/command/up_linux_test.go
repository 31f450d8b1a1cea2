//go:build linux

package command

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/trustform/trustform/internal/testutil"
)

// upConfig has a resource that ignores SIGTERM with a long stop_timeout,
// so only a second Ctrl-C ends the destroy quickly.
const upConfig = `trustform {
  developer_certificate_trust = false
}

resource "executable" "api" {
  command = "sh"
  args    = ["-c", "echo api ready; exec sleep 6301"]
}

resource "executable" "stubborn" {
  command      = "sh"
  args         = ["-c", "trap 'echo got TERM, ignoring it' TERM; echo stubborn ready; while :; do sleep 6302; done"]
  stop_timeout = "5m"
  depends_on   = [executable.api]
}
`

// withoutEnv drops name from an environment.
func withoutEnv(env []string, name string) []string {
	var out []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, name+"=") {
			out = append(out, kv)
		}
	}
	return out
}

// ourSleeps lists the pids of sleeps with the marker durations above.
func ourSleeps(t *testing.T, markers ...string) []string {
	t.Helper()
	var pids []string
	for _, m := range markers {
		out, _ := exec.Command("pgrep", "-f", "^sleep "+m+"$").Output()
		pids = append(pids, strings.Fields(string(out))...)
	}
	var alive []string
	for _, p := range pids {
		if n, err := strconv.Atoi(p); err == nil && testutil.Alive(n) {
			alive = append(alive, p)
		}
	}
	return alive
}

// TestUpTerminalCtrlC drives trustform up on a real pseudo-terminal:
// prefixes in one colour per resource, lifecycle lines, then Ctrl-C
// stops everything in reverse order; a second Ctrl-C kills the resource
// that ignores SIGTERM at once instead of after its 5m stop_timeout; the
// exit status is 130 and neither process nor trust material nor log is
// left.
func TestUpTerminalCtrlC(t *testing.T) {
	testutil.NeedTool(t, "setsid", "apt-get install -y util-linux")
	testutil.NeedTool(t, "pgrep", "apt-get install -y procps")
	p := newProject(t, upConfig)
	p.Env = withoutEnv(p.Env, "NO_COLOR")

	r := startPTY(t, p, "up")
	r.expect("api ready")
	r.expect("stubborn ready")
	out := r.output()
	// Colour per address: api gets the first colour of the palette,
	// stubborn the second; the text after the bar is the process's own.
	for _, want := range []string{
		"\x1b[36mexecutable.api      |\x1b[0m api ready\n",
		"\x1b[33mexecutable.stubborn |\x1b[0m stubborn ready\n",
		"\x1b[36mexecutable.api      |\x1b[0m started (pid ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("terminal lacks %q:\n%q", want, out)
		}
	}
	if !strings.Contains(out, "Plan: 2 to add, 0 to change, 0 to destroy.") || strings.Contains(out, "will be created") {
		t.Errorf("up should print the plan's summary line only:\n%s", out)
	}
	if got := ourSleeps(t, "6301", "6302"); len(got) != 2 {
		t.Fatalf("want both resources running, found sleeps %v", got)
	}

	r.send("\x03")
	r.expect("interrupt received: stopping everything")
	// stubborn is stopped first (api is its dependency); it ignores TERM.
	r.expect("got TERM, ignoring it")
	r.expect("executable.stubborn: Destroying...")
	r.send("\x03")
	r.expect("second interrupt: killing what still runs")
	code := r.wait()
	out = r.output()
	if code != 130 {
		t.Fatalf("up exited %d after Ctrl-C, want 130:\n%s", code, out)
	}
	if !strings.Contains(out, "Destroy complete! Resources: 2 destroyed.") {
		t.Errorf("the destroy did not complete after the second Ctrl-C:\n%s", out)
	}
	stub := regexp.MustCompile(`(?s)executable\.stubborn: Destruction complete.*executable\.api: Destroying`)
	if !stub.MatchString(out) {
		t.Errorf("not stopped in reverse dependency order:\n%s", out)
	}
	if got := ourSleeps(t, "6301", "6302"); len(got) != 0 {
		t.Errorf("processes left after up: %v", got)
	}
	for _, gone := range []string{".trustform/trust", ".trustform/logs/executable.api.log", ".trustform/logs/executable.stubborn.log"} {
		if _, err := os.Lstat(p.Path(gone)); !os.IsNotExist(err) {
			t.Errorf("%s is left after up (%v)", gone, err)
		}
	}
	if res := p.run("status"); !strings.Contains(res.Stdout, "No resources") {
		t.Errorf("state still lists resources: %v", res)
	}
}

// TestUpTerminalNoColor: on a terminal too, NO_COLOR and -no-color turn
// the prefixes' colours off; one Ctrl-C is enough when every resource ends
// on SIGTERM.
func TestUpTerminalNoColor(t *testing.T) {
	testutil.NeedTool(t, "setsid", "apt-get install -y util-linux")
	for _, c := range []struct {
		name    string
		args    []string
		noColor bool
	}{
		{"NO_COLOR", []string{"up"}, true},
		{"-no-color", []string{"up", "-no-color"}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := newProject(t, `trustform {
  developer_certificate_trust = false
}

resource "executable" "api" {
  command = "sh"
  args    = ["-c", "echo api ready; exec sleep 6303"]
}
`)
			if !c.noColor {
				p.Env = withoutEnv(p.Env, "NO_COLOR")
			}
			r := startPTY(t, p, c.args...)
			r.expect("executable.api | api ready\n")
			r.send("\x03")
			if code := r.wait(); code != 130 {
				t.Fatalf("exit %d, want 130:\n%s", code, r.output())
			}
			if out := r.output(); strings.Contains(out, "\x1b[") {
				t.Errorf("colour with %s:\n%q", c.name, out)
			}
		})
	}
}

// TestUpQuickstart is the quick start under up, through real TLS: the
// Node.js client and the curl probe reach the Python API over HTTPS,
// trusting the development CA, and all three resources' lines show up
// prefixed; after Ctrl-C no process and no trust material is left and the
// exit status is 130.
func TestUpQuickstart(t *testing.T) {
	for _, tool := range [][2]string{{"node", "apt-get install -y nodejs"}, {"python3", "apt-get install -y python3"}, {"curl", "apt-get install -y curl"}, {"setsid", "apt-get install -y util-linux"}} {
		testutil.NeedTool(t, tool[0], tool[1])
	}
	root, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(root, "fixtures", "quickstart")
	config, err := os.ReadFile(filepath.Join(src, "main.trust.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	p := newProject(t, string(config))
	fxCopyTree(t, src, p.Dir)
	port := fxFreePort(t)

	r := startPTY(t, p, "up", "-var", "api_port="+port)
	get := "GET https://localhost:" + port + "/ -> 200 hello from api\n"
	r.expect("python_app.api   | api listening on https://localhost:" + port + "/\n")
	r.expect("node_app.web     | " + get)
	r.expect("executable.probe | " + get)
	r.expect(`python_app.api   | 127.0.0.1 - - [`)
	out := r.output()
	var pids []int
	for _, m := range regexp.MustCompile(`\| started \(pid ([0-9]+)\)`).FindAllStringSubmatch(out, -1) {
		n, _ := strconv.Atoi(m[1])
		pids = append(pids, n)
	}
	if len(pids) != 3 {
		t.Fatalf("want three started lines, got pids %v:\n%s", pids, out)
	}
	trust := p.Path(".trustform/trust")
	if _, err := os.Stat(trust); err != nil {
		t.Fatalf("no trust material while up runs: %v", err)
	}

	r.send("\x03")
	if code := r.wait(); code != 130 {
		t.Fatalf("up exited %d after Ctrl-C, want 130:\n%s", code, r.output())
	}
	if !strings.Contains(r.output(), "Destroy complete! Resources: 3 destroyed.") {
		t.Errorf("no destroy after Ctrl-C:\n%s", r.output())
	}
	fxWantGone(t, pids)
	if _, err := os.Lstat(trust); !os.IsNotExist(err) {
		t.Errorf("trust material left after up: %v", err)
	}
	if res := p.run("status"); !strings.Contains(res.Stdout, "No resources") {
		t.Errorf("state still lists resources: %v", res)
	}
}
