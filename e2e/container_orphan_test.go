//go:build linux

package e2e

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/trustform/trustform/internal/testutil"
)

// TestContainerOrphanOfKilledApply kills apply (SIGKILL) while it creates a
// container, between `podman create` and `podman start`, so state never
// records the container. The next destroy, and after a second kill the
// next apply, must find the container by its trustform.lineage label and
// remove it, and leave alone two unrelated containers: one without labels
// and one labelled by trustform for the same address in another state.
//
// A podman shim first on PATH makes `podman start` hang (and touch a mark
// file), so the kill lands in that window every time; every other podman
// command is the real one.
func TestContainerOrphanOfKilledApply(t *testing.T) {
	start(t)
	env := needPodman(t)
	realPodman, err := exec.LookPath("podman")
	must(t, err)
	client, err := os.ReadFile(goClientBinary(t))
	must(t, err)
	image := importImage(t, env, map[string][]byte{"/client": client})
	podman := func(args ...string) (string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
		defer cancel()
		cmd := exec.CommandContext(ctx, realPodman, args...)
		cmd.Env = append(os.Environ(), env...)
		out, err := cmd.CombinedOutput()
		return strings.TrimSpace(string(out)), err
	}

	suffix := make([]byte, 4)
	_, _ = rand.Read(suffix)
	tag := hex.EncodeToString(suffix)
	unlabelled := "tf-e2e-unlabelled-" + tag
	otherState := "tf-e2e-other-state-" + tag
	for _, args := range [][]string{
		{"create", "--name", unlabelled, "--entrypoint", "/client", image, "https://127.0.0.1:9/"},
		{"create", "--name", otherState, "--label", "trustform.address=container.app",
			"--label", "trustform.lineage=another-state-" + tag, "--entrypoint", "/client", image, "https://127.0.0.1:9/"},
	} {
		if out, err := podman(args...); err != nil {
			t.Fatalf("podman %v: %v\n%s", args, err, out)
		}
		name := args[2]
		t.Cleanup(func() { podman("rm", "-f", name) })
	}

	p := newProject(t, nil)
	p.setenv(env...)
	p.engine = "podman"
	p.Write("main.trust.hcl", `trustform {
  developer_certificate_trust = false
  container_runtime           = "podman"
}

resource "container" "app" {
  image      = "`+image+`"
  entrypoint = "/client"
  args       = ["https://127.0.0.1:9/"]
  # The client idles as pid 1, which ignores SIGTERM.
  stop_timeout = "1s"
}
`)
	t.Cleanup(p.destroyAndCheck)

	shim := t.TempDir()
	mark := filepath.Join(shim, "start-reached")
	writeFile(t, filepath.Join(shim, "podman"), []byte(`#!/bin/sh
if [ "$1" = start ]; then
  touch "`+mark+`"
  exec sleep 120
fi
exec `+realPodman+` "$@"
`))
	must(t, os.Chmod(filepath.Join(shim, "podman"), 0o755))

	// killedApply runs apply with the shim and SIGKILLs it (and the hung
	// shim) once `podman start` is reached; it returns the lineage and
	// the id of the container left behind.
	killedApply := func() (string, string) {
		t.Helper()
		os.Remove(mark)
		cmd := exec.Command(needTrustform(t), "-chdir="+p.Dir, "apply", "-auto-approve")
		cmd.Env = append(append([]string{}, p.Env...), "PATH="+shim+string(os.PathListSeparator)+os.Getenv("PATH"))
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		var out testutil.LockedBuffer
		cmd.Stdout, cmd.Stderr = &out, &out
		must(t, cmd.Start())
		deadline := time.Now().Add(commandTimeout)
		for {
			if _, err := os.Stat(mark); err == nil {
				break
			}
			if time.Now().After(deadline) {
				syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
				cmd.Wait()
				t.Fatalf("apply never reached podman start:\n%s", out.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		cmd.Wait()
		st, err := p.state()
		if err != nil {
			t.Fatalf("state after the killed apply: %v\n%s", err, out.String())
		}
		for _, r := range st.Resources {
			if r.Handle.ContainerID != "" {
				t.Fatalf("the killed apply recorded container %s: the kill came too late to leave an orphan", r.Handle.ContainerID)
			}
		}
		ids, err := podman("ps", "-a", "-q", "--no-trunc", "--filter", "label=trustform.lineage="+st.Lineage)
		if err != nil || len(strings.Fields(ids)) != 1 {
			t.Fatalf("containers of lineage %s after the killed apply: %q (%v)", st.Lineage, ids, err)
		}
		return st.Lineage, ids
	}
	gone := func(id string) bool {
		_, err := podman("container", "exists", id)
		return err != nil
	}
	unrelatedIntact := func(when string) {
		t.Helper()
		for _, name := range []string{unlabelled, otherState} {
			if got, err := podman("inspect", "--format", "{{.State.Status}}", name); err != nil || got != "created" {
				t.Errorf("%s touched the unrelated container %s: status %q (%v), want created", when, name, got, err)
			}
		}
	}

	// Killed, then destroy: the orphan is removed.
	lineage, orphan := killedApply()
	out, err := p.run("destroy", "-auto-approve")
	if err != nil {
		t.Fatalf("destroy after the killed apply: %v\n%s", err, out)
	}
	if !strings.Contains(out, "container.app: Stopped a leftover from an interrupted apply [id="+orphan[:12]+"]") {
		t.Errorf("destroy does not report the orphan %s:\n%s", orphan, out)
	}
	if !gone(orphan) {
		t.Errorf("destroy left the orphan container %s", orphan)
	}
	unrelatedIntact("destroy")

	// Killed again, then apply: the orphan is removed and exactly one
	// container, the recorded one, runs.
	lineage2, orphan := killedApply()
	if lineage2 != lineage {
		t.Logf("lineage changed from %s to %s", lineage, lineage2)
	}
	out, err = p.run("apply", "-auto-approve")
	if err != nil {
		t.Fatalf("apply after the killed apply: %v\n%s", err, out)
	}
	if !strings.Contains(out, "container.app: Stopped a leftover from an interrupted apply [id="+orphan[:12]+"]") {
		t.Errorf("apply does not report the orphan %s:\n%s", orphan, out)
	}
	if !gone(orphan) {
		t.Errorf("apply left the orphan container %s", orphan)
	}
	st, err := p.state()
	must(t, err)
	ids, err := podman("ps", "-a", "-q", "--no-trunc", "--filter", "label=trustform.lineage="+st.Lineage)
	if err != nil || len(st.Resources) != 1 || ids != st.Resources[0].Handle.ContainerID {
		t.Errorf("after apply: containers of the lineage %q (%v), state %+v; want exactly the recorded one", ids, err, st.Resources)
	}
	unrelatedIntact("apply")

	// status tells how a container ended, from the engine's record.
	if len(st.Resources) == 1 {
		if out, err := podman("kill", st.Resources[0].Handle.ContainerID); err != nil {
			t.Fatalf("podman kill: %v\n%s", err, out)
		}
		out, err = p.run("status", "-detailed-exitcode")
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 2 || !regexp.MustCompile(`container\.app +exited \(137\)`).MatchString(out) ||
			!regexp.MustCompile(`container\.app exited with status 137 at 20\d\d-`).MatchString(out) {
			t.Errorf("status -detailed-exitcode of a killed container: %v\n%s", err, out)
		}
	}
}
