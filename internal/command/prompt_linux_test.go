//go:build linux

package command

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
)

// ptyRun is trustform running with a pseudo-terminal as its standard
// input, output and error, as in a user's shell.
type ptyRun struct {
	t    *testing.T
	tty  *os.File
	cmd  *exec.Cmd
	mu   sync.Mutex
	out  bytes.Buffer
	done chan struct{}
	code int
}

func startPTY(t *testing.T, p *tfProject, args ...string) *ptyRun {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	cmd := p.Command(ctx, args...)
	// A terminal that shows colour, whatever TERM the suite runs under
	// (TERM=dumb turns colour off, and CI systems often set it).
	if cmd.Env == nil {
		cmd.Env = os.Environ()
	}
	cmd.Env = append(cmd.Env, "TERM=xterm")
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 50, Cols: 120})
	if err != nil {
		t.Fatalf("starting trustform on a pseudo-terminal: %v", err)
	}
	r := &ptyRun{t: t, tty: tty, cmd: cmd, done: make(chan struct{})}
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := tty.Read(buf)
			r.mu.Lock()
			r.out.Write(buf[:n])
			r.mu.Unlock()
			if err != nil {
				break
			}
		}
	}()
	go func() {
		err := cmd.Wait()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			r.code = ee.ExitCode()
		} else if err != nil {
			r.code = -1
		}
		close(r.done)
	}()
	t.Cleanup(func() { tty.Close() })
	return r
}

func (r *ptyRun) output() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	// The terminal turns each \n into \r\n.
	return strings.ReplaceAll(r.out.String(), "\r\n", "\n")
}

// expect waits until the output holds want.
func (r *ptyRun) expect(want string) {
	r.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(r.output(), want) {
		if time.Now().After(deadline) {
			r.t.Fatalf("no %q on the terminal after 60s; it shows:\n%s", want, r.output())
		}
		select {
		case <-r.done:
			time.Sleep(200 * time.Millisecond) // let the reader drain
			if !strings.Contains(r.output(), want) {
				r.t.Fatalf("trustform exited %d without showing %q; it showed:\n%s", r.code, want, r.output())
			}
			return
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func (r *ptyRun) send(s string) {
	r.t.Helper()
	if _, err := io.WriteString(r.tty, s); err != nil {
		r.t.Fatal(err)
	}
}

func (r *ptyRun) wait() int {
	r.t.Helper()
	select {
	case <-r.done:
	case <-time.After(90 * time.Second):
		r.cmd.Process.Kill()
		r.t.Fatalf("trustform did not end; terminal:\n%s", r.output())
	}
	time.Sleep(100 * time.Millisecond)
	return r.code
}

const promptConfig = `trustform {
  developer_certificate_trust = false
}

variable "greeting" {
  type        = string
  description = "What the worker says when it starts."
}

variable "workers" {
  type = number
}

resource "executable" "worker" {
  count   = var.workers
  command = "sh"
  args    = ["-c", "echo ${var.greeting}; exec sleep 6200"]
}
`

// TestPromptForRequiredVariables drives plan and apply through a real
// pseudo-terminal: each required variable without a value is asked for
// with its description, as Terraform does; the answers are used (and a
// prompt does not swallow the apply confirmation typed after it);
// -input=false and a non-terminal stdin ask nothing and fail as before.
func TestPromptForRequiredVariables(t *testing.T) {
	t.Parallel()
	p := newProject(t, promptConfig)

	r := startPTY(t, p, "plan")
	r.expect("var.greeting\n  What the worker says when it starts.\n\n  Enter a value: ")
	r.send("hello from the prompt\n")
	// No description: just the name and the question.
	r.expect("var.workers\n  Enter a value: ")
	r.send("2\n")
	r.expect("Plan: 2 to add, 0 to change, 0 to destroy.")
	if code := r.wait(); code != 0 {
		t.Fatalf("plan exited %d:\n%s", code, r.output())
	}
	if out := r.output(); !strings.Contains(out, `"echo hello from the prompt; exec sleep 6200"`) {
		t.Errorf("the plan does not use the typed greeting:\n%s", out)
	}

	// apply: the prompts, then the confirmation, all on the terminal.
	r = startPTY(t, p, "apply", "-var", "workers=1")
	r.expect("var.greeting\n  What the worker says when it starts.\n\n  Enter a value: ")
	r.send("typed\n")
	r.expect("Enter a value: ") // the confirmation
	r.expect("Only 'yes' will be accepted to approve.")
	r.send("yes\n")
	r.expect("Apply complete! Resources: 1 added, 0 changed, 0 destroyed.")
	if code := r.wait(); code != 0 {
		t.Fatalf("apply exited %d:\n%s", code, r.output())
	}
	if strings.Contains(r.output(), "var.workers") {
		t.Errorf("apply asked for a variable given with -var:\n%s", r.output())
	}
	if res := p.run("logs", "executable.worker[0]"); !strings.Contains(res.Stdout, "typed") {
		t.Errorf("the started worker did not get the typed value: %v", res)
	}

	// -input=false on a terminal: no prompt, the usual error.
	r = startPTY(t, p, "plan", "-input=false")
	if code := r.wait(); code != 1 {
		t.Errorf("plan -input=false exited %d, want 1:\n%s", code, r.output())
	}
	if out := r.output(); strings.Contains(out, "Enter a value") || !strings.Contains(out, "No value for required variable") {
		t.Errorf("plan -input=false: want the required-variable error and no prompt:\n%s", out)
	}

	// Not a terminal: no prompt either.
	res := p.run("plan")
	if res.Code != 1 || strings.Contains(res.Stderr+res.Stdout, "Enter a value") || !strings.Contains(res.Stderr, "No value for required variable") {
		t.Errorf("plan without a terminal: want exit 1 with the required-variable error and no prompt: %v", res)
	}

	// Ctrl-D (end of input) at a prompt is an error naming the variable.
	r = startPTY(t, p, "plan")
	r.expect("Enter a value: ")
	r.send("\x04")
	if code := r.wait(); code != 1 {
		t.Errorf("plan after Ctrl-D exited %d, want 1:\n%s", code, r.output())
	}
	if out := r.output(); !strings.Contains(out, "end of input before a value was entered") {
		t.Errorf("Ctrl-D at the prompt: want an error saying so:\n%s", out)
	}

	if res := p.run("destroy", "-auto-approve"); res.Code != 0 {
		t.Fatalf("destroy: %v", res)
	}
}

// Ctrl-C at apply's or destroy's "Enter a value:" ends the question at
// once: nothing changes and the exit status is 130. The question used to
// keep reading the terminal after the interrupt, so trustform hung until
// killed.
func TestCtrlCAtApprovalQuestion(t *testing.T) {
	t.Parallel()
	p := newProject(t, `resource "executable" "idle" {
  command = "sleep"
  args    = ["6201"]

  developer_certificate_trust = false
}
`)
	// Ctrl-C at a variable's prompt: the same status, for plan and apply.
	for _, cmd := range []string{"plan", "apply"} {
		v := newProject(t, promptConfig)
		r := startPTY(t, v, cmd)
		r.expect("Enter a value: ")
		r.send("\x03")
		if code := r.wait(); code != 130 {
			t.Errorf("%s after Ctrl-C at a variable's prompt exited %d, want 130:\n%s", cmd, code, r.output())
		}
	}

	r := startPTY(t, p, "apply")
	r.expect("Only 'yes' will be accepted to approve.")
	r.expect("Enter a value: ")
	r.send("\x03")
	if code := r.wait(); code != 130 {
		t.Fatalf("apply after Ctrl-C at the question exited %d, want 130:\n%s", code, r.output())
	}
	if out := r.output(); !strings.Contains(out, "apply cancelled: interrupted before an answer; nothing was changed") {
		t.Errorf("Ctrl-C at the question: want the cancellation said:\n%s", out)
	}
	if out := r.output(); strings.Contains(out, "waiting for running steps") {
		t.Errorf("Ctrl-C at the question: nothing runs, yet the warning says it waits for running steps:\n%s", out)
	}
	if res := p.run("status"); !strings.Contains(res.Stdout, "No resources") {
		t.Errorf("after a cancelled apply, status = %v", res)
	}

	// "yes": one blank line between the answer and the progress, as in
	// Terraform (the terminal echoes the answer's newline).
	r = startPTY(t, p, "apply")
	r.expect("Enter a value: ")
	r.send("yes\n")
	r.expect("Apply complete!")
	t.Cleanup(func() { p.run("destroy", "-auto-approve") })
	if code := r.wait(); code != 0 {
		t.Fatalf("apply exited %d:\n%s", code, r.output())
	}
	if out := r.output(); !strings.Contains(out, "Enter a value: yes\n\nexecutable.idle: Creating...") {
		t.Errorf("want exactly one blank line after the answer:\n%q", out)
	}
	r = startPTY(t, p, "destroy")
	r.expect("Enter a value: ")
	r.send("\x03")
	if code := r.wait(); code != 130 {
		t.Fatalf("destroy after Ctrl-C at the question exited %d, want 130:\n%s", code, r.output())
	}
	if res := p.run("status"); !strings.Contains(res.Stdout, "executable.idle") || !strings.Contains(res.Stdout, "running") {
		t.Errorf("a cancelled destroy stopped something: status = %v", res)
	}
}
