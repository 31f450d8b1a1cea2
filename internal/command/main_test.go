package command

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/trustform/trustform/runtimes/process"
)

// TestMain lets the test binary double as the trustform command, so
// testscript scripts run the real program (Run) without a build step.
// The tests themselves run from the module root: the scripts, fixtures and
// docs they check (testdata/script, fixtures/, website/, README.md) belong
// to the whole repository, not to this package.
func TestMain(m *testing.M) {
	// Tests that call Run in this process start supervisors as this binary.
	if code, ok := process.ServeIfSupervisor(os.Args[1:], os.Getenv); ok {
		os.Exit(code)
	}
	testscript.Main(fromModuleRoot{m}, map[string]func(){
		"trustform": func() {
			os.Exit(Run(os.Args[1:], os.Environ(), os.Stdin, os.Stdout, os.Stderr))
		},
	})
}

// fromModuleRoot runs the tests with the module root as working directory.
// Only the test run moves there; the program started as "trustform" keeps
// the directory it was started in.
type fromModuleRoot struct{ m *testing.M }

func (r fromModuleRoot) Run() int {
	if err := os.Chdir(filepath.Join("..", "..")); err != nil {
		fmt.Fprintln(os.Stderr, "cannot change to the module root:", err)
		return 1
	}
	return r.m.Run()
}

// TestScript runs testdata/script/*.txtar. Each script gets its own HOME
// and development CA directory, and NO_COLOR so output is plain text.
// Run one with: go test -run TestScript/NAME ./internal/command
// Regenerate expected files with: go test -run TestScript ./internal/command -testscript.update
func TestScript(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 filepath.Join("testdata", "script"),
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		Setup: func(env *testscript.Env) error {
			home := filepath.Join(env.WorkDir, ".home")
			if err := os.MkdirAll(home, 0o755); err != nil {
				return err
			}
			env.Setenv("HOME", home)
			env.Setenv("XDG_DATA_HOME", "")
			env.Setenv("TRUSTFORM_DEVCERT_DIR", filepath.Join(env.WorkDir, ".devcert"))
			env.Setenv("NO_COLOR", "1")
			env.Defer(func() { destroyLeftovers(env) })
			return nil
		},
		// A fixtures directory copied into $WORK by "cpfixture NAME".
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"cpfixture": cmdCopyFixture,
			"exitcode":  cmdExitCode,
		},
	})
}

// cmdCopyFixture copies fixtures/NAME into $WORK/NAME, so scripts test the
// same projects users copy from the repository.
func cmdCopyFixture(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: cpfixture NAME")
	}
	wd, err := os.Getwd()
	ts.Check(err)
	src := filepath.Join(wd, "fixtures", args[0])
	dst := ts.MkAbs(args[0])
	err = copyFixtureTree(src, dst)
	ts.Check(err)
}

// copyFixtureTree copies a fixture directory, leaving out any .trustform
// state a local run left behind, so tests start from what users clone.
func copyFixtureTree(src, dst string) error {
	return filepath.Walk(src, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if fi.IsDir() {
			if fi.Name() == ".trustform" {
				return filepath.SkipDir
			}
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, fi.Mode().Perm())
	})
}

// cmdExitCode runs a program and checks its exact exit code, because our
// codes carry meaning (2: changes present, 3: needs formatting) that "! exec"
// cannot tell apart. Its output is kept for stdout/stderr checks.
//
//	exitcode 3 trustform fmt -check
func cmdExitCode(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exitcode N program [args...]")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	err = ts.Exec(args[1], args[2:]...)
	got := 0
	var exitErr *exec.ExitError
	switch {
	case errors.As(err, &exitErr):
		got = exitErr.ExitCode()
	case err != nil:
		ts.Fatalf("%s: %v", args[1], err)
	}
	if got != want {
		ts.Fatalf("%s exited %d, want %d", args[1], got, want)
	}
}

// destroyLeftovers stops whatever a script left running: one that fails
// before its own destroy would otherwise leave its processes on the
// machine, detached, long after the test. It destroys every state in the
// work directory and one level below (scripts that use -chdir=DIR).
func destroyLeftovers(env *testscript.Env) {
	exe, err := os.Executable()
	if err != nil {
		return
	}
	states, _ := filepath.Glob(filepath.Join(env.WorkDir, ".trustform", "state.json"))
	more, _ := filepath.Glob(filepath.Join(env.WorkDir, "*", ".trustform", "state.json"))
	for _, st := range append(states, more...) {
		dir := filepath.Dir(filepath.Dir(st))
		cmd := exec.Command(exe, "-chdir="+dir, "destroy", "-auto-approve")
		cmd.Args[0] = "trustform" // the test binary acts as trustform (TestMain)
		cmd.Env = append(env.Vars, "COMP_LINE=")
		if out, err := cmd.CombinedOutput(); err != nil {
			env.T().Log("cleaning up after the script: trustform destroy in " + dir + ": " + err.Error() + "\n" + string(out))
		}
	}
}
