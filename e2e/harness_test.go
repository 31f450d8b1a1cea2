//go:build linux

package e2e

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/trustform/trustform/internal/testutil"
)

// greeting is what every test server answers and every client checks.
const greeting = "hello from trustform e2e"

// Time limits. They bound a hung run; they are not performance assertions.
const (
	commandTimeout = 3 * time.Minute  // one trustform command
	resultTimeout  = 90 * time.Second // a client printing its RESULT line
)

var (
	// workDir is TestMain's temporary directory for built binaries.
	workDir string
	// trustformBin is the binary TestMain built, or empty with buildErr.
	trustformBin string
	buildErr     error

	// slots caps concurrently running e2e tests: the machine has 2 cores
	// shared with other work, and every test starts interpreters.
	slots = make(chan struct{}, 4)
)

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	flag.Parse() // testing.Short needs parsed flags
	dir, err := os.MkdirTemp("", "trustform-e2e-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	// Before the directory goes: dockerd keeps its data there.
	defer stopDockerd()
	workDir = dir
	if !testing.Short() {
		trustformBin = filepath.Join(dir, "trustform")
		out, err := exec.Command("go", "build", "-o", trustformBin, "github.com/trustform/trustform").CombinedOutput()
		if err != nil {
			trustformBin = ""
			buildErr = fmt.Errorf("go build github.com/trustform/trustform: %v\n%s", err, out)
		}
	}
	return m.Run()
}

// start marks an e2e test: skipped with -short, parallel, and holding one
// of the slots until its cleanups (destroy included) have run.
func start(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("e2e test skipped in -short mode")
	}
	t.Parallel()
	slots <- struct{}{}
	t.Cleanup(func() { <-slots })
}

// needTrustform returns the built binary or fails the test with the reason.
func needTrustform(t *testing.T) string {
	t.Helper()
	if trustformBin == "" {
		t.Fatalf("no trustform binary: %v", buildErr)
	}
	return trustformBin
}

// ---------------------------------------------------------------------------
// Certificate authorities

// startServer starts a server answering the greeting, with a fresh CA
// named caName.
func startServer(t testing.TB, caName string) *testutil.TLSServer {
	t.Helper()
	return testutil.NewCA(t, caName).Serve(t, greeting, false)
}

// ---------------------------------------------------------------------------
// Projects

// project is one configuration directory applied by the real binary.
type project struct {
	*testutil.Project
	t *testing.T
	// containers is set when containers may have been created, so cleanup
	// also checks the engine.
	engine string
}

// scrubbed are variables of the developer's environment that would change
// what a client trusts; trustform must start from a clean slate so tests
// measure only what it sets.
var scrubbed = []string{
	"SSL_CERT_FILE", "SSL_CERT_DIR", "NODE_EXTRA_CA_CERTS", "NODE_OPTIONS",
	"REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "PIP_CERT", "JAVA_TOOL_OPTIONS",
	"DENO_CERT", "DENO_TLS_CA_STORE", "GRPC_DEFAULT_SSL_ROOTS_FILE_PATH",
	"HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "CAROOT",
	"TRUSTFORM_DEVCERT_DIR", "TRUSTFORM_DEVELOPER_CERTIFICATE_TRUST", "TRUSTFORM_LOG",
	"TRUSTFORM_LOG_PATH", "NO_COLOR",
}

// cleanEnv returns the test process's environment without scrubbed
// variables, plus extra (KEY=VALUE).
func cleanEnv(extra ...string) []string {
	return testutil.CleanEnv(scrubbed, extra...)
}

// newProject writes files (name -> content) into a fresh directory. HOME and
// the development CA live in their own temporary directory so that no user
// file is read or touched.
func newProject(t *testing.T, files map[string]string) *project {
	t.Helper()
	root := t.TempDir()
	dir := filepath.Join(root, "project")
	home := filepath.Join(root, "home")
	for _, d := range []string{dir, home} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	p := &project{t: t, Project: &testutil.Project{
		T:     t,
		Dir:   dir,
		Chdir: true,
		Env: cleanEnv(
			"HOME="+home,
			"TRUSTFORM_DEVCERT_DIR="+filepath.Join(root, "devcert"),
			"NO_COLOR=1",
			// npm would otherwise ask the registry for a newer npm.
			"NPM_CONFIG_UPDATE_NOTIFIER=false",
		),
	}}
	for name, content := range files {
		p.Write(name, content)
	}
	return p
}

// copyTestdata copies e2e/testdata/<from> to <to> in the project.
func (p *project) copyTestdata(from, to string) {
	p.t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", from))
	if err != nil {
		p.t.Fatal(err)
	}
	p.Write(to, string(data))
}

// setenv adds KEY=VALUE to the environment of trustform commands.
func (p *project) setenv(kv ...string) { p.Env = append(p.Env, kv...) }

// run runs trustform -chdir=DIR args... and returns its combined output.
func (p *project) run(args ...string) (string, error) {
	p.t.Helper()
	p.Bin = needTrustform(p.t)
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	cmd := p.Command(ctx, args...)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	// Launched processes inherit nothing from us but may keep pipes open
	// if trustform forgot to detach them; do not wait on those forever.
	cmd.WaitDelay = 10 * time.Second
	err := cmd.Run()
	if ctx.Err() != nil {
		err = fmt.Errorf("timed out after %v: %w", commandTimeout, err)
	}
	return out.String(), err
}

// apply runs apply -auto-approve and registers destroy plus the
// nothing-left-behind checks as cleanup, before applying, so that a
// half-finished apply is cleaned up too.
func (p *project) apply() {
	p.t.Helper()
	p.t.Cleanup(p.destroyAndCheck)
	out, err := p.run("apply", "-auto-approve")
	if err != nil {
		p.t.Fatalf("trustform apply: %v\n%s", err, out)
	}
}

// stateFile is the part of .trustform/state.json the checks need. It is
// decoded here rather than with package state so these tests keep proving
// the file format, not the package's own view of it.
type stateFile struct {
	Lineage   string `json:"lineage"`
	Resources []struct {
		Address string `json:"address"`
		Handle  struct {
			PID         int    `json:"pid"`
			ContainerID string `json:"container_id"`
		} `json:"handle"`
	} `json:"resources"`
}

func (p *project) state() (*stateFile, error) {
	data, err := os.ReadFile(filepath.Join(p.Dir, ".trustform", "state.json"))
	if err != nil {
		return nil, err
	}
	var s stateFile
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("state.json: %w", err)
	}
	return &s, nil
}

// pid returns the recorded pid of addr, 0 when unknown.
func (p *project) pid(addr string) int {
	s, err := p.state()
	if err != nil {
		return 0
	}
	for _, r := range s.Resources {
		if r.Address == addr {
			return r.Handle.PID
		}
	}
	return 0
}

// destroyAndCheck runs destroy and checks that it left no process,
// container, trust material or log behind.
func (p *project) destroyAndCheck() {
	t := p.t
	before, stateErr := p.state()
	out, err := p.run("destroy", "-auto-approve")
	if err != nil {
		t.Errorf("trustform destroy: %v\n%s", err, out)
	}
	if stateErr != nil {
		if !errors.Is(stateErr, os.ErrNotExist) {
			t.Errorf("reading state before destroy: %v", stateErr)
		}
		return
	}
	for _, r := range before.Resources {
		if pid := r.Handle.PID; pid > 0 && testutil.Alive(pid) {
			t.Errorf("destroy left %s running (pid %d)", r.Address, pid)
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
	if before.Lineage != "" {
		for _, pid := range pidsWithEnvValue(before.Lineage) {
			t.Errorf("destroy left pid %d whose environment carries lineage %s", pid, before.Lineage)
		}
	}
	// Only state (and its lock file) may outlive destroy; trust material,
	// logs and any store of shared files must be gone.
	var left []string
	filepath.WalkDir(filepath.Join(p.Dir, ".trustform"), func(path string, d os.DirEntry, err error) error {
		rel, _ := filepath.Rel(p.Dir, path)
		switch {
		case err != nil || rel == ".trustform":
		case rel == filepath.Join(".trustform", "state.json"),
			rel == filepath.Join(".trustform", "state.json.backup"),
			rel == filepath.Join(".trustform", "state.lock"):
		default:
			left = append(left, rel)
		}
		return nil
	})
	if len(left) > 0 {
		t.Errorf("destroy left files behind: %v", left)
	}
	if p.engine != "" && before.Lineage != "" {
		cmd := exec.Command(p.engine, "ps", "-a", "-q", "--filter", "label=trustform.lineage="+before.Lineage)
		cmd.Env = p.Env
		got, err := cmd.CombinedOutput()
		if err != nil {
			t.Errorf("%s ps: %v\n%s", p.engine, err, got)
		} else if ids := strings.TrimSpace(string(got)); ids != "" {
			t.Errorf("destroy left containers: %s", ids)
			for _, id := range strings.Fields(ids) {
				exec.Command(p.engine, "rm", "-f", id).Run()
			}
		}
	}
}

// logOf returns the captured output of a process resource.
func (p *project) logOf(addr string) string {
	data, _ := os.ReadFile(filepath.Join(p.Dir, ".trustform", "logs", addr+".log"))
	return string(data)
}

// logsCommand returns `trustform logs ADDR` output (container logs come
// from the engine).
func (p *project) logsCommand(addr string) string {
	out, err := p.run("logs", addr)
	if err != nil {
		return fmt.Sprintf("%s\n(trustform logs: %v)", out, err)
	}
	return out
}

// result waits for the client at addr to print its RESULT line and returns
// what follows "RESULT ". read fetches the output so far, every so often.
func (p *project) result(addr string, read func(string) string, every time.Duration) string {
	p.t.Helper()
	deadline := time.Now().Add(resultTimeout)
	pid := p.pid(addr)
	for {
		text := read(addr)
		for _, line := range strings.Split(text, "\n") {
			if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "RESULT "); ok {
				return rest
			}
		}
		exited := pid > 0 && !testutil.Alive(pid)
		if exited || time.Now().After(deadline) {
			status, _ := p.run("status")
			why := "no RESULT line after " + resultTimeout.String()
			if exited {
				why = fmt.Sprintf("process %d exited without a RESULT line", pid)
			}
			p.t.Fatalf("%s: %s\n--- output:\n%s\n--- trustform status:\n%s", addr, why, read(addr), status)
		}
		time.Sleep(every)
	}
}

// expectOK checks that the process client at addr succeeded.
func (p *project) expectOK(addr string) {
	p.t.Helper()
	p.checkOK(addr, p.result(addr, p.logOf, 100*time.Millisecond))
}

// expectFail checks that the process client at addr failed with one of the
// given certificate errors.
func (p *project) expectFail(addr string, reasons ...string) {
	p.t.Helper()
	p.checkFail(addr, p.result(addr, p.logOf, 100*time.Millisecond), reasons)
}

func (p *project) checkOK(addr, res string) {
	p.t.Helper()
	p.t.Logf("%s: RESULT %s", addr, res)
	if !strings.HasPrefix(res, "ok") {
		p.t.Errorf("%s: want success, got RESULT %s\n--- log:\n%s", addr, res, p.logOf(addr))
	}
}

func (p *project) checkFail(addr, res string, reasons []string) {
	p.t.Helper()
	p.t.Logf("%s: RESULT %s", addr, res)
	if !strings.HasPrefix(res, "fail") {
		p.t.Errorf("%s: want a certificate error, got RESULT %s", addr, res)
		return
	}
	for _, r := range reasons {
		if strings.Contains(res, r) {
			return
		}
	}
	p.t.Errorf("%s: failed, but not with a certificate error (%q): RESULT %s", addr, reasons, res)
}

// wantHits checks how many requests a server answered.
func wantHits(t *testing.T, s *testutil.TLSServer, want int) {
	t.Helper()
	if got := s.Hits(); got != want {
		t.Errorf("server %s answered %d requests, want %d", s.URL, got, want)
	}
}

// ---------------------------------------------------------------------------
// Processes

// pidsWithEnvValue lists live processes whose environment has a variable
// whose value contains v (trustform tags what it launches with its lineage).
func pidsWithEnvValue(v string) []int {
	entries, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		data, err := os.ReadFile(filepath.Join("/proc", e.Name(), "environ"))
		if err != nil {
			continue
		}
		for _, kv := range bytes.Split(data, []byte{0}) {
			if _, val, ok := bytes.Cut(kv, []byte("=")); ok && bytes.Contains(val, []byte(v)) && testutil.Alive(pid) {
				pids = append(pids, pid)
				break
			}
		}
	}
	return pids
}

// ---------------------------------------------------------------------------
// Clients built by the tests

var goClient struct {
	once sync.Once
	path string
	err  error
}

// goClientBinary builds testdata/goclient once, statically (CGO_ENABLED=0)
// so the same binary runs on the host and in a scratch container image.
func goClientBinary(t *testing.T) string {
	t.Helper()
	goClient.once.Do(func() {
		goClient.path = filepath.Join(workDir, "goclient")
		cmd := exec.Command("go", "build", "-o", goClient.path, "./testdata/goclient")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			goClient.err = fmt.Errorf("building testdata/goclient: %v\n%s", err, out)
		}
	})
	if goClient.err != nil {
		t.Fatal(goClient.err)
	}
	return goClient.path
}

// needTool is testutil.NeedTool, kept short at call sites.
func needTool(t *testing.T, name, install string) string {
	t.Helper()
	return testutil.NeedTool(t, name, install)
}

// runDirect runs a client without trustform, with exactly env (plus PATH
// and the interpreter's own variables from cleanEnv), in dir, until it
// prints its RESULT line, then kills its process group. It returns what
// follows "RESULT " and the whole output.
func runDirect(t *testing.T, dir string, env []string, argv ...string) (string, string) {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Env = cleanEnv(append([]string{"HOME=" + t.TempDir(), "NPM_CONFIG_UPDATE_NOTIFIER=false"}, env...)...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var out testutil.LockedBuffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	defer func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-done
	}()
	deadline := time.After(resultTimeout)
	for {
		for _, line := range strings.Split(out.String(), "\n") {
			if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "RESULT "); ok {
				return rest, out.String()
			}
		}
		select {
		case err := <-done:
			done <- err // for the deferred wait
			t.Fatalf("%v exited (%v) without a RESULT line:\n%s", argv, err, out.String())
		case <-deadline:
			t.Fatalf("%v printed no RESULT line after %v:\n%s", argv, resultTimeout, out.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// tlsConfig trusts only roots.
func tlsConfig(roots *x509.CertPool) *tls.Config { return &tls.Config{RootCAs: roots} }

// processEnv returns the environment the running process of addr got, read
// from /proc, so tests see exactly what trustform passed.
func (p *project) processEnv(addr string) map[string]string {
	p.t.Helper()
	pid := p.pid(addr)
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/environ", pid))
	if pid == 0 || err != nil {
		p.t.Fatalf("%s: cannot read the environment of pid %d: %v", addr, pid, err)
	}
	env := map[string]string{}
	for _, kv := range strings.Split(string(data), "\x00") {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	return env
}
