package testutil

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Project is a configuration directory the tests run the real trustform
// in: the directory, the environment every run gets, and the program.
// The crash and signal tests, the fixture tests and the e2e harness all
// run trustform through it.
type Project struct {
	T   testing.TB
	Dir string
	// Env is the environment of every run (see CleanEnv).
	Env []string
	// Bin is the trustform binary. Empty runs this test binary with
	// argv[0] "trustform", which a testscript TestMain turns into the
	// program, so no build is needed.
	Bin string
	// Chdir passes -chdir=Dir; otherwise runs start in Dir.
	Chdir bool
}

// CleanEnv returns this process's environment without the variables drop
// names (and any TRUSTFORM_* setting), plus extra (KEY=VALUE): trustform
// must start from what the test gives it, not from the developer's shell.
func CleanEnv(drop []string, extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		skip := strings.HasPrefix(name, "TRUSTFORM_")
		for _, d := range drop {
			skip = skip || name == d
		}
		if !skip {
			env = append(env, kv)
		}
	}
	return append(env, extra...)
}

// Path is rel inside the project directory.
func (p *Project) Path(rel string) string { return filepath.Join(p.Dir, rel) }

// Write creates the file name (directories included) in the project.
func (p *Project) Write(name, content string) {
	p.T.Helper()
	path := p.Path(name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		p.T.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		p.T.Fatal(err)
	}
}

// Command returns trustform ARGS ready to run in the project. A process
// trustform forgot to detach may keep its pipes open: Wait gives up on
// them after a few seconds.
func (p *Project) Command(ctx context.Context, args ...string) *exec.Cmd {
	p.T.Helper()
	if p.Chdir {
		args = append([]string{"-chdir=" + p.Dir}, args...)
	}
	var cmd *exec.Cmd
	if p.Bin != "" {
		cmd = exec.CommandContext(ctx, p.Bin, args...)
	} else {
		exe, err := os.Executable()
		if err != nil {
			p.T.Fatal(err)
		}
		cmd = exec.CommandContext(ctx, exe)
		cmd.Args = append([]string{"trustform"}, args...)
	}
	cmd.Dir = p.Dir
	cmd.Env = p.Env
	cmd.WaitDelay = 5 * time.Second
	return cmd
}

// Result is how one run ended.
type Result struct {
	Args           []string
	Stdout, Stderr string
	// Code is the exit status; -1 when the run could not be waited for.
	Code    int
	PID     int
	Elapsed time.Duration
}

func (r *Result) String() string {
	return fmt.Sprintf("trustform %s: exit %d after %s\n--- stdout:\n%s--- stderr:\n%s",
		strings.Join(r.Args, " "), r.Code, r.Elapsed.Round(time.Millisecond), r.Stdout, r.Stderr)
}

// Running is a run started and not waited for.
type Running struct {
	Cmd            *exec.Cmd
	Stdout, Stderr *LockedBuffer
	// Began is when the run was started.
	Began time.Time
	done  chan struct{}
	res   *Result
}

// Start starts trustform ARGS; its output collects in Stdout and Stderr
// while it runs.
func (p *Project) Start(ctx context.Context, args ...string) *Running {
	p.T.Helper()
	r := &Running{Cmd: p.Command(ctx, args...), Stdout: &LockedBuffer{}, Stderr: &LockedBuffer{}, done: make(chan struct{})}
	r.Cmd.Stdout, r.Cmd.Stderr = r.Stdout, r.Stderr
	r.Began = time.Now()
	if err := r.Cmd.Start(); err != nil {
		p.T.Fatalf("starting trustform %v: %v", args, err)
	}
	go func() {
		err := r.Cmd.Wait()
		res := &Result{Args: args, Stdout: r.Stdout.String(), Stderr: r.Stderr.String(), PID: r.Cmd.Process.Pid, Elapsed: time.Since(r.Began)}
		var ee *exec.ExitError
		switch {
		case errors.As(err, &ee):
			res.Code = ee.ExitCode()
		case err != nil:
			res.Code = -1
			res.Stderr += "\n(wait: " + err.Error() + ")"
		}
		r.res = res
		close(r.done)
	}()
	return r
}

// Done is closed when the run has ended.
func (r *Running) Done() <-chan struct{} { return r.done }

// Result is how the run ended, once Done is closed; nil before.
func (r *Running) Result() *Result {
	select {
	case <-r.done:
		return r.res
	default:
		return nil
	}
}

// Wait waits for the run to end. When ctx ends first it kills the run and
// returns what it had with an error.
func (r *Running) Wait(ctx context.Context) (*Result, error) {
	select {
	case <-r.done:
		return r.res, nil
	case <-ctx.Done():
		r.Cmd.Process.Kill()
		<-r.done
		return r.res, fmt.Errorf("trustform %v did not end in time", r.Cmd.Args[1:])
	}
}

// Run runs trustform ARGS to the end, failing the test when it takes
// longer than timeout.
func (p *Project) Run(timeout time.Duration, args ...string) *Result {
	p.T.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	res, err := p.Start(ctx, args...).Wait(ctx)
	if err != nil {
		p.T.Fatalf("%v: %v", err, res)
	}
	return res
}
