//go:build linux

package command

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/trustform/trustform/internal/command/views"
	"github.com/trustform/trustform/internal/layout"
	"github.com/trustform/trustform/internal/testutil"
	"github.com/trustform/trustform/state"
)

// slowConfig declares one resource that never becomes ready (nothing
// listens on its ready_when address) and gives up after timeout.
func slowConfig(addr, timeout string) string {
	return fmt.Sprintf(`trustform {
  developer_certificate_trust = false
}

resource "executable" "slow" {
  command = "sleep"
  args    = ["600"]
  ready_when {
    tcp     = %q
    timeout = %q
  }
}
`, addr, timeout)
}

// lockHolder reads the holder from state.lock (zero when absent or empty).
func (p *tfProject) lockHolder() state.LockInfo {
	var info state.LockInfo
	if data, err := os.ReadFile(layout.LockPath(p.Dir)); err == nil {
		json.Unmarshal(data, &info)
	}
	return info
}

// TestConcurrentLock runs a second apply and a destroy while an apply waits
// for a resource that never gets ready: both are refused at once, naming
// the holder's pid and command; with -lock-timeout a third waits for the
// first to finish and then succeeds.
func TestConcurrentLock(t *testing.T) {
	t.Parallel()
	p := newProject(t, slowConfig(closedPort(t), "5s"))
	first := p.start(t.Context(), "apply", "-auto-approve")
	waitUntil(t, 30*time.Second, "the first apply to hold the lock", func() bool {
		return p.lockHolder().PID == first.Cmd.Process.Pid
	})
	lineage := p.mustLineage()
	waitUntil(t, 30*time.Second, "the slow resource to start", func() bool {
		return len(lineageProcs(lineage)["executable.slow"]) == 1
	})

	holder := fmt.Sprintf("pid %d (trustform apply)", first.Cmd.Process.Pid)
	for _, args := range [][]string{{"apply", "-auto-approve"}, {"destroy", "-auto-approve"}} {
		res := p.run(args...)
		t.Logf("%s refused after %s (wall time of the whole run)", args[0], res.Elapsed.Round(time.Millisecond))
		if res.Code != 1 {
			t.Errorf("%s while apply holds the lock: want exit 1, got %v", args[0], res)
		}
		if !strings.Contains(res.Stderr, "state is locked by "+holder) {
			t.Errorf("%s: stderr does not name the holder %q:\n%v", args[0], holder, res)
		}
		select {
		case <-first.Done():
			t.Fatalf("the first apply ended before the refusals were checked: %v", first.Result())
		default:
		}
	}
	if got := lineageProcs(lineage); countProcs(got) != 1 {
		t.Errorf("the refused runs changed what runs: %v", got)
	}

	// The first apply leaves slow tainted (never ready), so a waiting
	// apply would replace it and fail on the same timeout; a waiting
	// destroy succeeds whatever the first apply left.
	waiting := p.start(t.Context(), "destroy", "-auto-approve", "-lock-timeout=10s")
	res := p.waitTimeout(first, time.Minute)
	if res.Code != 1 || !strings.Contains(res.Stderr, "not ready after 5s") {
		t.Fatalf("the first apply should fail on its ready_when timeout: %v", res)
	}
	firstEnd := time.Now()
	res = p.waitTimeout(waiting, time.Minute)
	if res.Code != 0 || !strings.Contains(res.Stdout, "Destroy complete! Resources: 1 destroyed.") {
		t.Fatalf("destroy -lock-timeout=10s should wait for the lock and succeed: %v", res)
	}
	if waiting.Began.Add(res.Elapsed).Before(firstEnd) {
		t.Errorf("destroy -lock-timeout ended before the holder did")
	}
	if strings.Contains(res.Stderr, "took over") {
		t.Errorf("a lock released normally must not be reported as taken over:\n%v", res)
	}
	t.Logf("destroy -lock-timeout=10s waited and succeeded after %s", res.Elapsed.Round(time.Millisecond))
	if left := lineageProcs(lineage); len(left) > 0 {
		t.Errorf("after destroy these still run: %v", left)
	}

	// The same for apply: one holding the lock while it waits for
	// readiness, one waiting for it that then has nothing left to do.
	p.Write("main.trust.hcl", slowConfig(closedPort(t), "3s"))
	first = p.start(t.Context(), "apply", "-auto-approve")
	waitUntil(t, 30*time.Second, "the apply to hold the lock", func() bool {
		return p.lockHolder().PID == first.Cmd.Process.Pid
	})
	waitUntil(t, 30*time.Second, "the slow resource to start", func() bool {
		return len(lineageProcs(lineage)["executable.slow"]) == 1
	})
	p.Write("main.trust.hcl", "trustform {\n  developer_certificate_trust = false\n}\n")
	waiting = p.start(t.Context(), "apply", "-auto-approve", "-lock-timeout=10s")
	if res := p.waitTimeout(first, time.Minute); res.Code != 1 {
		t.Fatalf("the apply should fail on its ready_when timeout: %v", res)
	}
	res = p.waitTimeout(waiting, time.Minute)
	if res.Code != 0 || !strings.Contains(res.Stdout, "Apply complete! Resources: 0 added, 0 changed, 1 destroyed.") {
		t.Fatalf("apply -lock-timeout=10s should wait for the lock and succeed: %v", res)
	}
	t.Logf("apply -lock-timeout=10s waited and succeeded after %s", res.Elapsed.Round(time.Millisecond))
	if left := lineageProcs(lineage); len(left) > 0 {
		t.Errorf("after the second apply these still run: %v", left)
	}
	if _, err := os.Stat(layout.LockPath(p.Dir)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("state.lock is left: %v", err)
	}
}

// TestInterruptApply sends SIGINT (Ctrl-C), and SIGTERM, while apply waits
// on a resource that never gets ready: apply stops starting resources,
// records what it started, releases the lock, says what it started and
// what not, and exits 130 (143); destroy then stops it all.
func TestInterruptApply(t *testing.T) {
	t.Parallel()
	for _, sig := range []os.Signal{os.Interrupt, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			t.Parallel()
			testInterruptApply(t, sig)
		})
	}
}

func testInterruptApply(t *testing.T, sig os.Signal) {
	// With -parallelism=1 the walk goes a, b, c_slow, d, e in address
	// order, and later waits for c_slow: when c_slow hangs, d, e and later
	// are what an interrupt must keep from starting.
	config := fmt.Sprintf(`trustform {
  developer_certificate_trust = false
}

resource "executable" "a" {
  command = "sleep"
  args    = ["600"]
}

resource "executable" "b" {
  command = "sleep"
  args    = ["600"]
}

resource "executable" "c_slow" {
  command = "sleep"
  args    = ["600"]
  ready_when {
    tcp     = %q
    timeout = "60s"
  }
}

resource "executable" "d" {
  command = "sleep"
  args    = ["600"]
}

resource "executable" "e" {
  command = "sleep"
  args    = ["600"]
}

resource "executable" "later" {
  command    = "sleep"
  args       = ["600"]
  depends_on = [executable.c_slow]
}
`, closedPort(t))
	p := newProject(t, config)
	r := p.start(t.Context(), "apply", "-auto-approve", "-parallelism=1")
	lineage := p.mustLineage()
	waitUntil(t, 30*time.Second, "c_slow to start", func() bool {
		return len(lineageProcs(lineage)["executable.c_slow"]) == 1
	})
	// Let it get into its readiness wait.
	time.Sleep(300 * time.Millisecond)
	sent := time.Now()
	if err := r.Cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	res := p.waitTimeout(r, time.Minute)
	t.Logf("apply ended %s after %v", time.Since(sent).Round(time.Millisecond), sig)
	// 128 + the signal, as shells report it: Ctrl-C 130, SIGTERM 143.
	if want := 128 + int(sig.(syscall.Signal)); res.Code != want {
		t.Fatalf("interrupted apply: want exit %d, got %v", want, res)
	}
	if !strings.Contains(res.Stderr, "interrupt received") {
		t.Errorf("interrupted apply does not say it got the signal:\n%v", res)
	}
	const summary = "Interrupted: 3 started and recorded, 3 not started. Run apply to continue or destroy to stop them."
	if !strings.Contains(res.Stderr, summary) || strings.Contains(res.Stderr, "context canceled") || strings.Contains(res.Stderr, "fix the problem") {
		t.Errorf("interrupted apply: want %q and no error about a cancelled context:\n%v", summary, res)
	}
	if _, err := os.Stat(layout.LockPath(p.Dir)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("state.lock is left after the interrupted apply: %v", err)
	}
	if _, err := os.Stat(state.JournalPath(layout.StatePath(p.Dir))); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the journal was not folded into state.json: %v", err)
	}

	procs := lineageProcs(lineage)
	started := []string{"executable.a", "executable.b", "executable.c_slow"}
	for _, addr := range []string{"executable.d", "executable.e", "executable.later"} {
		if len(procs[addr]) > 0 {
			t.Errorf("%s was started after the interrupt: %v", addr, procs[addr])
		}
	}
	rows := p.statusRows()
	recorded := map[string]views.StatusRow{}
	for _, row := range rows {
		recorded[row.Address] = row
	}
	for _, addr := range started {
		row, ok := recorded[addr]
		switch {
		case !ok:
			t.Errorf("%s was started but is not in state", addr)
		case len(procs[addr]) != 1:
			t.Errorf("%s: want one process, got %v", addr, procs[addr])
		case row.Status != "running" || row.PID != procs[addr][0]:
			t.Errorf("%s: state says %s pid %d, but pid %d runs", addr, row.Status, row.PID, procs[addr][0])
		}
	}
	if len(rows) != len(started) {
		t.Errorf("state lists %d resources, want %d: %+v", len(rows), len(started), rows)
	}

	res = p.mustRun(0, "destroy", "-auto-approve")
	if !strings.Contains(res.Stdout, "Destroy complete! Resources: 3 destroyed.") {
		t.Errorf("destroy:\n%v", res)
	}
	if left := lineageProcs(lineage); len(left) > 0 {
		t.Errorf("after destroy these still run: %v", left)
	}
}

// TestConcurrentApplies starts five applies at once on a fresh directory:
// each either gets the lock (the first starts everything, later ones find
// nothing to do) or is refused naming a holder, and in the end every
// resource runs exactly once.
func TestConcurrentApplies(t *testing.T) {
	t.Parallel()
	const n = 8
	p := newProject(t, crashConfig(n))
	var runs []*testutil.Running
	for range 5 {
		runs = append(runs, p.start(t.Context(), "apply", "-auto-approve"))
	}
	applied, refused := 0, 0
	for _, r := range runs {
		res := p.waitTimeout(r, 2*time.Minute)
		switch {
		case res.Code == 0 && strings.Contains(res.Stdout, "Apply complete!"):
			if strings.Contains(res.Stdout, fmt.Sprintf("Resources: %d added", n)) {
				applied++
			}
		case res.Code == 1 && strings.Contains(res.Stderr, "state is locked by pid"):
			refused++
		default:
			t.Errorf("want success or a lock refusal naming the holder, got %v", res)
		}
	}
	t.Logf("%d refused, %d found nothing to do", refused, len(runs)-refused-applied)
	if applied != 1 {
		t.Errorf("%d applies started the resources, want exactly 1", applied)
	}
	p.checkOnePerResource(p.mustLineage(), n)
}

// TestInterruptDestroy sends SIGINT while destroy waits out the grace
// period of a process that ignores SIGTERM: that stop completes (SIGKILL
// after stop_timeout, never a half-stopped resource), the others are not
// touched and stay in state, the lock is released, and a second destroy
// finishes the job.
func TestInterruptDestroy(t *testing.T) {
	t.Parallel()
	p := newProject(t, `trustform {
  developer_certificate_trust = false
}

resource "executable" "a_stubborn" {
  command      = "sh"
  args         = ["-c", "trap '' TERM; exec sleep 600"]
  stop_timeout = "3s"
}

resource "executable" "b" {
  command = "sleep"
  args    = ["600"]
}

resource "executable" "c" {
  command = "sleep"
  args    = ["600"]
}
`)
	p.mustRun(0, "apply", "-auto-approve")
	lineage := p.mustLineage()
	stubborn := lineageProcs(lineage)["executable.a_stubborn"]
	if len(stubborn) != 1 {
		t.Fatalf("a_stubborn: %v", stubborn)
	}
	// Walked in address order one at a time: a_stubborn first.
	r := p.start(t.Context(), "destroy", "-auto-approve", "-parallelism=1")
	waitUntil(t, 30*time.Second, "destroy to begin stopping a_stubborn", func() bool {
		return strings.Contains(r.Stdout.String(), "executable.a_stubborn: Destroying")
	})
	sent := time.Now()
	if err := r.Cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	res := p.waitTimeout(r, time.Minute)
	t.Logf("destroy ended %s after SIGINT", time.Since(sent).Round(time.Millisecond))
	const summary = "Interrupted: 1 stopped and removed from state, 2 not stopped. Run destroy again to stop the rest."
	if res.Code != 130 || !strings.Contains(res.Stderr, summary) {
		t.Fatalf("interrupted destroy: want exit 130 and %q, got %v", summary, res)
	}
	if testutil.Alive(stubborn[0]) {
		t.Errorf("the stop that had begun was abandoned: pid %d still runs", stubborn[0])
	}
	if _, err := os.Stat(layout.LockPath(p.Dir)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("state.lock is left after the interrupted destroy: %v", err)
	}
	procs := lineageProcs(lineage)
	var addrs []string
	for _, row := range p.statusRows() {
		addrs = append(addrs, row.Address)
		if row.Status != "running" || len(procs[row.Address]) != 1 {
			t.Errorf("%s: %s, processes %v", row.Address, row.Status, procs[row.Address])
		}
	}
	if strings.Join(addrs, " ") != "executable.b executable.c" {
		t.Errorf("state after the interrupted destroy lists %v, want b and c", addrs)
	}
	p.checkDestroyed(lineage)
}
