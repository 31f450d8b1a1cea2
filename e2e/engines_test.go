//go:build linux

package e2e

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/trustform/trustform/internal/testutil"
)

// A real Docker Engine, started once for the tests that need it and
// stopped by TestMain: its own socket, data root and exec root under the
// test binary's directory, so it touches no system docker.
var dockerd struct {
	once sync.Once
	cmd  *exec.Cmd
	dir  string
	host string
	err  error
}

// needDockerd returns the environment (DOCKER_HOST) of a running dockerd,
// starting it on first use. It needs root, dockerd and the docker CLI.
func needDockerd(t *testing.T) []string {
	t.Helper()
	needTool(t, "dockerd", "apt-get install -y docker.io")
	needTool(t, "docker", "apt-get install -y docker.io")
	if os.Geteuid() != 0 {
		testutil.SkipOrFail(t, "dockerd as root (the tests start their own Docker Engine)", "run the e2e tests as root")
	}
	dockerd.once.Do(startDockerd)
	if dockerd.err != nil {
		t.Fatalf("starting dockerd: %v", dockerd.err)
	}
	return []string{"DOCKER_HOST=" + dockerd.host}
}

func startDockerd() {
	dir := filepath.Join(workDir, "dockerd")
	sock := filepath.Join(dir, "docker.sock")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		dockerd.err = err
		return
	}
	log, err := os.Create(filepath.Join(dir, "dockerd.log"))
	if err != nil {
		dockerd.err = err
		return
	}
	cmd := exec.Command("dockerd", "--host", "unix://"+sock,
		"--data-root", filepath.Join(dir, "data"), "--exec-root", filepath.Join(dir, "exec"),
		"--pidfile", filepath.Join(dir, "docker.pid"))
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		log.Close()
		dockerd.err = err
		return
	}
	log.Close()
	dockerd.cmd, dockerd.dir, dockerd.host = cmd, dir, "unix://"+sock
	deadline := time.Now().Add(60 * time.Second)
	for {
		info := exec.Command("docker", "info", "--format", "{{.ServerVersion}}")
		info.Env = append(os.Environ(), "DOCKER_HOST="+dockerd.host)
		out, err := info.CombinedOutput()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			logText, _ := os.ReadFile(filepath.Join(dir, "dockerd.log"))
			dockerd.err = fmt.Errorf("docker info still fails after 60 s: %v: %s\n--- dockerd.log:\n%s", err, out, tail(string(logText), 20))
			return
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// stopDockerd stops the tests' dockerd, if one was started, and unmounts
// what it leaves mounted (network namespaces under its exec root), so the
// directory can be removed.
func stopDockerd() {
	if dockerd.cmd == nil {
		return
	}
	dockerd.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- dockerd.cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		syscall.Kill(-dockerd.cmd.Process.Pid, syscall.SIGKILL)
		<-done
	}
	unmountUnder(dockerd.dir)
	dockerd.cmd = nil
}

// unmountUnder unmounts every mount point below dir, deepest first.
func unmountUnder(dir string) {
	f, err := os.Open("/proc/self/mounts")
	if err != nil {
		return
	}
	defer f.Close()
	var points []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) > 1 && strings.HasPrefix(fields[1], dir+"/") {
			points = append(points, fields[1])
		}
	}
	for i := len(points) - 1; i >= 0; i-- {
		syscall.Unmount(points[i], syscall.MNT_DETACH)
	}
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// podmanService starts podman's Docker-compatible API on a socket of its
// own for one test and returns DOCKER_HOST for it; the service stops at
// cleanup.
func podmanService(t *testing.T, env []string) string {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "podman.sock")
	cmd := exec.Command("podman", "system", "service", "--time=0", "unix://"+sock)
	cmd.Env = append(os.Environ(), env...)
	var out testutil.LockedBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("podman system service: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		if c, err := net.Dial("unix", sock); err == nil {
			c.Close()
			return "unix://" + sock
		}
		select {
		case err := <-done:
			t.Fatalf("podman system service exited: %v\n%s", err, out.String())
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("podman system service did not listen on %s within 30 s:\n%s", sock, out.String())
		}
	}
}

// runTool runs a command with env added to ours and returns its combined
// output, failing the test on error.
func runTool(t *testing.T, env []string, dir string, argv ...string) string {
	t.Helper()
	out, err := tryTool(env, dir, argv...)
	if err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(argv, " "), err, out)
	}
	return out
}

func tryTool(env []string, dir string, argv ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Dir = dir
	cmd.WaitDelay = 10 * time.Second
	out, err := cmd.CombinedOutput()
	return string(out), err
}
