//go:build linux

package command

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/trustform/trustform/internal/command/views"
	"github.com/trustform/trustform/internal/layout"
	"github.com/trustform/trustform/internal/testutil"
	"github.com/trustform/trustform/state"
)

// These tests run the real program as separate processes (the test binary
// doubles as trustform, see TestMain) against real sleep/sh processes, so
// they see what a user sees after SIGKILL, Ctrl-C or a second terminal: the
// lock file, the state file and the processes themselves. Processes are
// found the way trustform finds its orphans, by the TRUSTFORM_LINEAGE and
// TRUSTFORM_ADDRESS markers in /proc/PID/environ, hence Linux only.

// tfProject is one configuration directory with its own HOME and
// development CA directory, and the trustform runs started in it.
type tfProject struct {
	*testutil.Project
	t *testing.T

	mu      sync.Mutex
	running []*testutil.Running
	lineage string // remembered for cleanup even after destroy
}

// newProject writes config as main.trust.hcl into a fresh directory. Its
// cleanup kills runs still going, destroys, and then kills whatever still
// carries the project's lineage, so a failing test leaves no process.
func newProject(t *testing.T, config string) *tfProject {
	t.Helper()
	testutil.NeedTool(t, "sleep", "apt-get install -y coreutils")
	testutil.NeedTool(t, "sh", "apt-get install -y dash")
	home, devcert := t.TempDir(), t.TempDir()
	p := &tfProject{t: t, Project: &testutil.Project{T: t, Dir: t.TempDir(),
		Env: testutil.CleanEnv([]string{"HOME", "NO_COLOR", "XDG_DATA_HOME", "SSL_CERT_DIR", "SSL_CERT_FILE"},
			"HOME="+home, "TRUSTFORM_DEVCERT_DIR="+devcert, "NO_COLOR=1", "XDG_DATA_HOME="),
	}}
	p.Write("main.trust.hcl", config)
	t.Cleanup(p.cleanup)
	return p
}

// run runs trustform ARGS to completion, with a generous bound.
func (p *tfProject) run(args ...string) *testutil.Result {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	return p.wait(p.start(ctx, args...), ctx)
}

// start starts trustform ARGS without waiting for it; cleanup kills it if
// the test did not wait for it.
func (p *tfProject) start(ctx context.Context, args ...string) *testutil.Running {
	p.t.Helper()
	r := p.Start(ctx, args...)
	p.mu.Lock()
	p.running = append(p.running, r)
	p.mu.Unlock()
	return r
}

// wait waits for r to end, failing the test when ctx ends first.
func (p *tfProject) wait(r *testutil.Running, ctx context.Context) *testutil.Result {
	p.t.Helper()
	res, err := r.Wait(ctx)
	if err != nil {
		p.t.Fatalf("%v: %v", err, res)
	}
	return res
}

// waitTimeout is wait with its own bound.
func (p *tfProject) waitTimeout(r *testutil.Running, d time.Duration) *testutil.Result {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	return p.wait(r, ctx)
}

func (p *tfProject) mustRun(want int, args ...string) *testutil.Result {
	p.t.Helper()
	res := p.run(args...)
	if res.Code != want {
		p.t.Fatalf("trustform %s: want exit %d, got %v", strings.Join(args, " "), want, res)
	}
	return res
}

// stateLineage reads the lineage from .trustform/state.json ("" when
// there is no state yet).
func (p *tfProject) stateLineage() string {
	data, err := os.ReadFile(layout.StatePath(p.Dir))
	if err != nil {
		return ""
	}
	var h struct {
		Lineage string `json:"lineage"`
	}
	if json.Unmarshal(data, &h) != nil {
		return ""
	}
	if h.Lineage != "" {
		p.mu.Lock()
		p.lineage = h.Lineage
		p.mu.Unlock()
	}
	return h.Lineage
}

// mustLineage waits until the state has a lineage and returns it.
func (p *tfProject) mustLineage() string {
	p.t.Helper()
	var l string
	waitUntil(p.t, 30*time.Second, "state.json with a lineage", func() bool {
		l = p.stateLineage()
		return l != ""
	})
	return l
}

// statusRows runs status -json.
func (p *tfProject) statusRows() []views.StatusRow {
	p.t.Helper()
	res := p.mustRun(0, "status", "-json")
	var doc struct {
		Resources []views.StatusRow `json:"resources"`
	}
	if err := json.Unmarshal([]byte(res.Stdout), &doc); err != nil {
		p.t.Fatalf("status -json: %v\n%s", err, res.Stdout)
	}
	return doc.Resources
}

func (p *tfProject) cleanup() {
	p.mu.Lock()
	running := p.running
	p.mu.Unlock()
	for _, r := range running {
		select {
		case <-r.Done():
		default:
			r.Cmd.Process.Kill()
			select {
			case <-r.Done():
			case <-time.After(10 * time.Second):
				p.t.Logf("cleanup: trustform pid %d did not end after SIGKILL", r.Cmd.Process.Pid)
			}
		}
	}
	lineage := p.stateLineage()
	if lineage == "" {
		p.mu.Lock()
		lineage = p.lineage
		p.mu.Unlock()
	}
	if _, err := os.Stat(layout.StatePath(p.Dir)); err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		cmd := p.Command(ctx, "destroy", "-auto-approve", "-lock-timeout=30s")
		if out, err := cmd.CombinedOutput(); err != nil {
			p.t.Logf("cleanup: destroy: %v\n%s", err, out)
		}
		cancel()
	}
	if lineage == "" {
		return
	}
	for addr, pids := range lineageProcs(lineage) {
		p.t.Logf("cleanup: killing %s %v, left after destroy", addr, pids)
		for _, pid := range pids {
			syscall.Kill(-pid, syscall.SIGKILL)
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}

// waitUntil polls cond every 10ms for at most d.
func waitUntil(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// procStat returns the state letter of pid ("" when it is gone).
func procStat(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return ""
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 || i+2 >= len(b) {
		return ""
	}
	return string(b[i+2 : i+3])
}

// procEnv reads the environment pid was started with (nil for zombies and
// processes of other users).
func procEnv(pid int) map[string]string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/environ", pid))
	if err != nil || len(b) == 0 {
		return nil
	}
	env := map[string]string{}
	for _, kv := range bytes.Split(b, []byte{0}) {
		if k, v, ok := bytes.Cut(kv, []byte{'='}); ok {
			env[string(k)] = string(v)
		}
	}
	return env
}

// lineageProcs returns the live processes carrying TRUSTFORM_LINEAGE =
// lineage, by their TRUSTFORM_ADDRESS, pids sorted.
func lineageProcs(lineage string) map[string][]int {
	out := map[string][]int{}
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return out
	}
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		env := procEnv(pid)
		if env == nil || env["TRUSTFORM_LINEAGE"] != lineage {
			continue
		}
		if s := procStat(pid); s == "" || s == "Z" || s == "X" {
			continue
		}
		out[env["TRUSTFORM_ADDRESS"]] = append(out[env["TRUSTFORM_ADDRESS"]], pid)
	}
	for _, pids := range out {
		sort.Ints(pids)
	}
	return out
}

func countProcs(m map[string][]int) int {
	n := 0
	for _, pids := range m {
		n += len(pids)
	}
	return n
}

// closedPort returns a loopback address nothing listens on: a port the
// kernel just handed out and we released.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// startOutsider starts argv the way a user would, outside trustform, and
// kills it at cleanup.
func startOutsider(t *testing.T, env []string, argv ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = env
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	return cmd
}

// crashConfig declares n sleep resources r00..; every third one from r10
// on depends on the one ten before it, so the walk has chains as well as
// independent resources.
func crashConfig(n int) string {
	var b strings.Builder
	b.WriteString("trustform {\n  developer_certificate_trust = false\n}\n")
	for i := range n {
		fmt.Fprintf(&b, "\nresource \"executable\" \"r%02d\" {\n  command = \"sleep\"\n  args    = [\"600\"]\n", i)
		if i >= 10 && i%3 == 0 {
			fmt.Fprintf(&b, "  depends_on = [executable.r%02d]\n", i-10)
		}
		b.WriteString("}\n")
	}
	return b.String()
}

// journalOps counts the lines holding needle in the state journal of the
// run that started after the journal began with oldBegin (the journal a
// killed run left stays until the next run folds it into state.json).
// Reading one small file keeps the polling cheap: scanning /proc for the
// processes themselves costs a read per process on the machine.
func (p *tfProject) journalOps(oldBegin []byte, needle string) int {
	data, err := os.ReadFile(state.JournalPath(layout.StatePath(p.Dir)))
	if err != nil {
		return 0
	}
	first, _, _ := bytes.Cut(data, []byte("\n"))
	if bytes.Equal(first, oldBegin) {
		return 0
	}
	return bytes.Count(data, []byte(needle))
}

// journalBegin is the first line of the current journal (nil when none).
func (p *tfProject) journalBegin() []byte {
	data, err := os.ReadFile(state.JournalPath(layout.StatePath(p.Dir)))
	if err != nil {
		return nil
	}
	first, _, _ := bytes.Cut(data, []byte("\n"))
	return first
}

// killAtStarted starts apply and SIGKILLs it as soon as it has recorded n
// started processes with their pid (n = 0: as soon as the state has its
// lineage). With up to ten starts in flight at that moment, the kill also
// catches processes started but not yet recorded. It returns the count.
func (p *tfProject) killAtStarted(n int) (int, *testutil.Result) {
	p.t.Helper()
	oldBegin := p.journalBegin()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	r := p.start(ctx, "apply", "-auto-approve")
	started := 0
	deadline := time.Now().Add(60 * time.Second)
	for {
		if p.stateLineage() != "" {
			started = p.journalOps(oldBegin, `"pid":`)
			if started >= n {
				break
			}
		}
		select {
		case <-r.Done():
			p.t.Fatalf("apply ended before %d processes started: %v", n, r.Result())
		default:
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("only %d of %d processes started within 60s", started, n)
		}
		time.Sleep(time.Millisecond)
	}
	if err := r.Cmd.Process.Signal(syscall.SIGKILL); err != nil {
		p.t.Fatalf("SIGKILL: %v", err)
	}
	res := p.wait(r, ctx)
	if res.Code != -1 {
		// Exit code -1 is what a signal death looks like; anything else
		// means apply finished before the kill, which proves nothing.
		p.t.Fatalf("apply was not killed by SIGKILL: %v", res)
	}
	p.waitLockFree()
	return started, res
}

// waitLockFree waits until nobody holds the flock on state.lock. A child
// the killed apply was forking (between fork and exec) shares the lock's
// open file description until it execs, which on a loaded machine can
// outlast the parent's death by milliseconds: the next command would then
// find the lock busy, which is true but not what these tests are about.
func (p *tfProject) waitLockFree() {
	p.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		f, err := os.OpenFile(layout.LockPath(p.Dir), os.O_RDONLY, 0)
		if err != nil {
			return
		}
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		}
		f.Close()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("state.lock is still held 30s after the apply holding it was killed")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// recorded counts the resources in state (the journal of a killed run
// replayed) and those recorded with their pid.
func (p *tfProject) recorded() (all, withPID int) {
	p.t.Helper()
	st, err := state.Load(layout.StatePath(p.Dir))
	if err != nil {
		p.t.Fatalf("reading the state a killed run left: %v", err)
	}
	for _, r := range st.Resources {
		if r.Handle.PID != 0 {
			withPID++
		}
	}
	return len(st.Resources), withPID
}

// checkOnePerResource fails unless every address has exactly one live
// process of the lineage, and state records exactly those pids, running.
func (p *tfProject) checkOnePerResource(lineage string, n int) {
	p.t.Helper()
	procs := lineageProcs(lineage)
	var dup, missing []string
	for i := range n {
		addr := fmt.Sprintf("executable.r%02d", i)
		switch len(procs[addr]) {
		case 1:
		case 0:
			missing = append(missing, addr)
		default:
			dup = append(dup, fmt.Sprintf("%s %v", addr, procs[addr]))
		}
	}
	if len(dup) > 0 || len(missing) > 0 || len(procs) != n {
		p.t.Fatalf("want one process for each of %d resources; duplicated: %v; missing: %v; %d addresses in all", n, dup, missing, len(procs))
	}
	rows := p.statusRows()
	if len(rows) != n {
		p.t.Fatalf("status lists %d resources, want %d", len(rows), n)
	}
	for _, r := range rows {
		if r.Status != "running" || len(procs[r.Address]) != 1 || procs[r.Address][0] != r.PID {
			p.t.Errorf("%s: status %s pid %d, but the running process is %v", r.Address, r.Status, r.PID, procs[r.Address])
		}
	}
}

// checkDestroyed destroys and fails unless nothing of the lineage runs and
// nothing of ours is left below .trustform.
func (p *tfProject) checkDestroyed(lineage string) {
	p.t.Helper()
	res := p.mustRun(0, "destroy", "-auto-approve")
	if !strings.Contains(res.Stdout, "Destroy complete!") {
		p.t.Errorf("destroy did not say it completed:\n%v", res)
	}
	if left := lineageProcs(lineage); len(left) > 0 {
		p.t.Errorf("after destroy these still run: %v", left)
	}
	for _, d := range []string{layout.ResourcesDir(p.Dir), layout.LogsDir(p.Dir)} {
		if _, err := os.Stat(d); !errors.Is(err, os.ErrNotExist) {
			ents, _ := os.ReadDir(d)
			p.t.Errorf("%s is still there after destroy (%v, %d entries)", d, err, len(ents))
		}
	}
	if _, err := os.Stat(layout.LockPath(p.Dir)); !errors.Is(err, os.ErrNotExist) {
		p.t.Errorf("state.lock is still there after destroy: %v", err)
	}
}

// TestCrashRecovery kills apply with SIGKILL at several points of starting
// 60 processes and checks that the next apply takes over the dead run's
// lock, stops what the dead run had started but not recorded, and ends
// with exactly one process per resource; destroy then leaves nothing.
func TestCrashRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("starts hundreds of processes")
	}
	const n = 60
	// Each case is a chain of kills: how many starts each successive apply
	// has recorded when it is killed, before a last apply that completes.
	cases := []struct {
		name  string
		kills []int
		// flags are extra flags of the recovering apply.
		flags []string
	}{
		{"before any start", []int{0}, nil},
		{"after 1", []int{1}, nil},
		{"after 17", []int{17}, nil},
		{"twice", []int{12, 20}, nil},
		// Without refresh, records of starts the dead run never finished
		// must still count as missing.
		{"after 17 without refresh", []int{17}, []string{"-refresh=false"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := newProject(t, crashConfig(n))
			lineage := ""
			var lastPID int
			for i, k := range c.kills {
				started, res := p.killAtStarted(k)
				lineage = p.mustLineage()
				lastPID = res.PID
				recorded, withPID := p.recorded()
				t.Logf("apply %d: killed when it had recorded %d starts; %d running, %d recorded in state, %d with their pid",
					i+1, started, countProcs(lineageProcs(lineage)), recorded, withPID)
				if i > 0 && !strings.Contains(res.Stderr, "took over the state lock") {
					t.Errorf("apply %d after a SIGKILLed one did not warn of the lock take-over:\n%v", i+1, res)
				}
			}
			if _, err := os.Stat(layout.LockPath(p.Dir)); err != nil {
				t.Fatalf("the killed apply should have left its lock file: %v", err)
			}
			res := p.mustRun(0, append([]string{"apply", "-auto-approve"}, c.flags...)...)
			if want := fmt.Sprintf("took over the state lock of pid %d", lastPID); !strings.Contains(res.Stderr, want) {
				t.Errorf("apply after SIGKILL: stderr lacks %q:\n%v", want, res)
			}
			if !strings.Contains(res.Stdout, "Apply complete!") {
				t.Errorf("apply did not complete:\n%v", res)
			}
			p.checkOnePerResource(lineage, n)
			// A further apply changes nothing and starts nothing.
			res = p.mustRun(0, "apply", "-auto-approve")
			if !strings.Contains(res.Stdout, "0 added, 0 changed, 0 destroyed") {
				t.Errorf("apply after recovery was not a no-op:\n%v", res)
			}
			p.checkOnePerResource(lineage, n)
			p.checkDestroyed(lineage)
		})
	}
}

// writeTestCA writes a fresh self-signed CA certificate (PEM) to path, so
// resources get trust material to write and destroy to remove.
func writeTestCA(t *testing.T, path string) {
	t.Helper()
	if err := os.WriteFile(path, testutil.NewCA(t, "Crash Test Root").PEM, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestStaleLockTakenOver leaves a lock file naming a process that no longer
// exists: apply takes it over with a warning naming that pid, and an empty
// lock file (a holder whose removal failed) is taken without a word.
func TestStaleLockTakenOver(t *testing.T) {
	t.Parallel()
	p := newProject(t, crashConfig(2))
	dead := exec.Command("sh", "-c", "exit 0")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	// Whether the pid was reused meanwhile does not matter: the lock is
	// the kernel's flock, which died with its holder.
	deadPID := dead.Process.Pid
	info := state.LockInfo{ID: "dead-holder", PID: deadPID, Host: "elsewhere",
		Started: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Command: "trustform apply"}
	data, err := json.Marshal(info)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(layout.StateDir(p.Dir), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(layout.LockPath(p.Dir), data, 0o600); err != nil {
		t.Fatal(err)
	}

	res := p.mustRun(0, "apply", "-auto-approve")
	want := fmt.Sprintf("took over the state lock of pid %d (trustform apply, since 2026-01-02 03:04:05), which no longer runs", deadPID)
	if !strings.Contains(res.Stderr, want) {
		t.Errorf("stderr lacks %q:\n%v", want, res)
	}
	if _, err := os.Stat(layout.LockPath(p.Dir)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("state.lock is left after apply: %v", err)
	}
	lineage := p.mustLineage()
	if got := lineageProcs(lineage); countProcs(got) != 2 {
		t.Errorf("want 2 processes, got %v", got)
	}

	if err := os.WriteFile(layout.LockPath(p.Dir), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	res = p.mustRun(0, "destroy", "-auto-approve")
	if strings.Contains(res.Stderr, "took over") {
		t.Errorf("an empty lock file was reported as a dead holder's:\n%v", res)
	}
	if left := lineageProcs(lineage); len(left) > 0 {
		t.Errorf("after destroy these still run: %v", left)
	}
}

// TestDestroyLeavesForeign checks that destroy removes only what trustform
// created: files a user put among the trust material and logs stay, and
// processes started outside trustform with the same command (one even
// claiming the resource's address, under another lineage) keep running
// through a replace and a destroy.
func TestDestroyLeavesForeign(t *testing.T) {
	t.Parallel()
	config := `trustform {
  developer_certificate_trust = false
}

certificate_authority_collection "corp" {
  files = ["ca.pem"]
}

resource "executable" "app" {
  command = "sleep"
  args    = ["600"]
  env     = { MODE = "%s" }
  certificate_authority_collections = [certificate_authority_collection.corp]
}
`
	p := newProject(t, fmt.Sprintf(config, "one"))
	writeTestCA(t, p.Path("ca.pem"))
	p.mustRun(0, "apply", "-auto-approve")
	lineage := p.mustLineage()
	// The resource's trust set: a replace that keeps its certificates
	// keeps the directory too.
	sets, _ := filepath.Glob(filepath.Join(layout.TrustDir(p.Dir), "corp*"))
	if len(sets) != 1 {
		t.Fatalf("apply wrote trust sets %v, want one corp set", sets)
	}
	resDir := sets[0]
	if _, err := os.Stat(filepath.Join(resDir, "certs")); err != nil {
		t.Fatalf("apply wrote no trust material: %v", err)
	}

	plain := startOutsider(t, os.Environ(), "sleep", "600")
	impostor := exec.Command("sleep", "600")
	impostor.Env = append(os.Environ(), "TRUSTFORM_ADDRESS=executable.app", "TRUSTFORM_LINEAGE=00000000-0000-0000-0000-000000000000")
	impostor.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := impostor.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		impostor.Process.Kill()
		impostor.Wait()
	})

	// A replace stops the old process and looks for orphans: neither may
	// touch the outsiders.
	p.Write("main.trust.hcl", fmt.Sprintf(config, "two"))
	res := p.mustRun(0, "apply", "-auto-approve")
	if !strings.Contains(res.Stdout, "1 added, 0 changed, 1 destroyed") {
		t.Fatalf("changing env should replace the resource:\n%v", res)
	}

	foreign := []string{
		filepath.Join(resDir, "mine.txt"),
		filepath.Join(resDir, "certs", "mine.pem"),
		filepath.Join(layout.LogsDir(p.Dir), "mine.log"),
	}
	for _, f := range foreign {
		if err := os.WriteFile(f, []byte("not trustform's\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p.mustRun(0, "destroy", "-auto-approve")
	if left := lineageProcs(lineage); len(left) > 0 {
		t.Errorf("after destroy these still run: %v", left)
	}
	for _, f := range foreign {
		if data, err := os.ReadFile(f); err != nil || string(data) != "not trustform's\n" {
			t.Errorf("destroy removed or changed %s, which it did not create: %v", f, err)
		}
	}
	var ours []string
	for _, d := range []string{resDir, layout.LogsDir(p.Dir)} {
		filepath.WalkDir(d, func(path string, e os.DirEntry, err error) error {
			if err == nil && !e.IsDir() && !slices.Contains(foreign, path) {
				ours = append(ours, path)
			}
			return nil
		})
	}
	if len(ours) > 0 {
		t.Errorf("destroy left files it created: %v", ours)
	}
	for name, c := range map[string]*exec.Cmd{"plain sleep": plain, "sleep claiming executable.app": impostor} {
		if !testutil.Alive(c.Process.Pid) {
			t.Errorf("destroy killed the %s started outside trustform (pid %d)", name, c.Process.Pid)
		}
	}
}

// TestApplyFailingCommand starts a command that exits at once with an
// error while its ready_when never opens: apply fails with exit 1 as soon
// as the process has exited (not when the timeout passes), shows its last
// log lines, skips what depends on it, and keeps what it started in state.
func TestApplyFailingCommand(t *testing.T) {
	t.Parallel()
	config := fmt.Sprintf(`trustform {
  developer_certificate_trust = false
}

resource "executable" "good" {
  command = "sleep"
  args    = ["600"]
}

resource "executable" "bad" {
  command = "sh"
  args    = ["-c", "echo starting up; echo boom >&2; exit 3"]
  ready_when {
    tcp     = %q
    timeout = "60s"
  }
}

resource "executable" "after_bad" {
  command    = "sleep"
  args       = ["600"]
  depends_on = [executable.bad]
}
`, closedPort(t))
	p := newProject(t, config)
	res := p.run("apply", "-auto-approve")
	t.Logf("apply failed after %s", res.Elapsed.Round(time.Millisecond))
	if res.Code != 1 {
		t.Fatalf("want exit 1, got %v", res)
	}
	for _, want := range []string{"boom", "starting up", "exited before it was ready", "with status 3", "executable.bad.log"} {
		if !strings.Contains(res.Stderr, want) {
			t.Errorf("stderr lacks %q:\n%v", want, res)
		}
	}
	if strings.Contains(res.Stderr+res.Stdout, "not ready after") {
		t.Errorf("apply waited for the timeout instead of noticing the exit:\n%v", res)
	}
	lineage := p.mustLineage()
	procs := lineageProcs(lineage)
	if len(procs["executable.good"]) != 1 || countProcs(procs) != 1 {
		t.Errorf("want only executable.good running, got %v", procs)
	}
	recorded := map[string]views.StatusRow{}
	for _, row := range p.statusRows() {
		recorded[row.Address] = row
	}
	if row, ok := recorded["executable.good"]; !ok || row.Status != "running" {
		t.Errorf("executable.good started but state says %+v", row)
	}
	if _, ok := recorded["executable.after_bad"]; ok {
		t.Errorf("executable.after_bad depends on the failed resource but is in state")
	}
	if row, ok := recorded["executable.bad"]; ok && row.Status == "running" {
		t.Errorf("executable.bad is recorded as running: %+v", row)
	}

	p.checkDestroyed(lineage)
}

// TestCrashThenDestroy runs destroy, not apply, after a SIGKILLed apply:
// what the dead apply started but had not recorded with its handle yet
// carries the lineage and must be stopped, and its log and trust material
// removed, as state recorded them before the start.
func TestCrashThenDestroy(t *testing.T) {
	if testing.Short() {
		t.Skip("starts dozens of processes")
	}
	for _, kill := range []int{1, 17} {
		t.Run(fmt.Sprintf("after %d", kill), func(t *testing.T) {
			p := newProject(t, crashConfig(60))
			started, _ := p.killAtStarted(kill)
			lineage := p.mustLineage()
			recorded, withPID := p.recorded()
			t.Logf("killed when it had recorded %d starts; %d running, %d recorded in state, %d with their pid",
				started, countProcs(lineageProcs(lineage)), recorded, withPID)
			res := p.mustRun(0, "destroy", "-auto-approve")
			if !strings.Contains(res.Stderr, "took over the state lock") {
				t.Errorf("destroy after SIGKILL did not warn of the lock take-over:\n%v", res)
			}
			p.checkDestroyed(lineage)
		})
	}
}

// killDestroyAtLeft starts destroy and SIGKILLs it once it has recorded
// n resources as removed.
func (p *tfProject) killDestroyAtRemoved(n int) {
	p.t.Helper()
	oldBegin := p.journalBegin()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	r := p.start(ctx, "destroy", "-auto-approve")
	waitUntil(p.t, 60*time.Second, fmt.Sprintf("destroy to remove %d", n), func() bool {
		return p.journalOps(oldBegin, `"op":"remove"`) >= n
	})
	r.Cmd.Process.Signal(syscall.SIGKILL)
	if res := p.wait(r, ctx); res.Code != -1 {
		p.t.Fatalf("destroy was not killed by SIGKILL: %v", res)
	}
}

// TestCrashDuringDestroy SIGKILLs destroy half-way: apply then brings
// every resource back exactly once, and a destroy killed again and run
// once more leaves nothing.
func TestCrashDuringDestroy(t *testing.T) {
	if testing.Short() {
		t.Skip("starts dozens of processes")
	}
	const n = 60
	p := newProject(t, crashConfig(n))
	p.mustRun(0, "apply", "-auto-approve")
	lineage := p.mustLineage()
	p.checkOnePerResource(lineage, n)

	p.killDestroyAtRemoved(20)
	recorded, _ := p.recorded()
	t.Logf("destroy killed with %d running, %d recorded", countProcs(lineageProcs(lineage)), recorded)
	res := p.mustRun(0, "apply", "-auto-approve")
	if !strings.Contains(res.Stderr, "took over the state lock") {
		t.Errorf("apply after a killed destroy did not warn of the lock take-over:\n%v", res)
	}
	p.checkOnePerResource(lineage, n)

	p.killDestroyAtRemoved(40)
	recorded, _ = p.recorded()
	t.Logf("destroy killed with %d running, %d recorded", countProcs(lineageProcs(lineage)), recorded)
	p.checkDestroyed(lineage)
}
