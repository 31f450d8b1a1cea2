//go:build linux

package command

import (
	"strings"
	"testing"
)

// TestLogsColoursOnATerminalOnly: on a terminal each address prefix has
// its colour; -no-color, NO_COLOR and a pipe give none.
func TestLogsColoursOnATerminalOnly(t *testing.T) {
	t.Parallel()
	p := newProject(t, `trustform {
  developer_certificate_trust = false
}

resource "executable" "a" {
  command = "sh"
  args    = ["-c", "echo from a; exec sleep 6500"]
}

resource "executable" "b" {
  command = "sh"
  args    = ["-c", "echo from b; exec sleep 6501"]
}
`)
	if res := p.run("apply", "-auto-approve"); res.Code != 0 {
		t.Fatalf("apply: %v", res)
	}
	var env []string
	for _, kv := range p.Env {
		if !strings.HasPrefix(kv, "NO_COLOR=") {
			env = append(env, kv)
		}
	}
	withNoColor := p.Env
	p.Env = env

	r := startPTY(t, p, "logs")
	r.expect("from b")
	r.wait()
	out := r.output()
	// The first address gets cyan, the second yellow (logstream's
	// palette), each reset before the text.
	for _, want := range []string{"\x1b[36mexecutable.a |\x1b[0m from a", "\x1b[33mexecutable.b |\x1b[0m from b"} {
		if !strings.Contains(out, want) {
			t.Errorf("on a terminal: no %q in:\n%q", want, out)
		}
	}

	r = startPTY(t, p, "logs", "-no-color")
	r.expect("from b")
	r.wait()
	if out := r.output(); strings.Contains(out, "\x1b") || !strings.Contains(out, "executable.a | from a") {
		t.Errorf("-no-color on a terminal:\n%q", out)
	}

	res := p.run("logs")
	if strings.Contains(res.Stdout, "\x1b") || !strings.Contains(res.Stdout, "executable.b | from b") {
		t.Errorf("piped: %v", res)
	}

	p.Env = withNoColor
	r = startPTY(t, p, "logs")
	r.expect("from b")
	r.wait()
	if out := r.output(); strings.Contains(out, "\x1b") {
		t.Errorf("NO_COLOR on a terminal:\n%q", out)
	}
	if res := p.run("destroy", "-auto-approve"); res.Code != 0 {
		t.Fatalf("destroy: %v", res)
	}
}
