//go:build unix

package process

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/trustform/trustform/runtimes"
)

const pathSeparators = "/"

// pollInterval is how often Stop looks whether the group has gone, once
// firstPoll has doubled up to it. Most processes end within a millisecond
// or two of SIGTERM: waiting a whole interval before the second look made
// every stop take 25 ms, 2.5 s of destroying 1,000 processes ten at a time.
const (
	firstPoll    = time.Millisecond
	pollInterval = 25 * time.Millisecond
)

// killWait bounds how long Stop waits for the kernel to remove a group after
// SIGKILL (processes in uninterruptible sleep die only when they wake).
const killWait = 5 * time.Second

func envKey(name string) string { return name }

// detachedAttr puts the child in a new session: no controlling terminal, and
// a process group of its own (pgid = pid) that Stop can signal as a whole.
// Setsid rather than Setpgid because a mere new group in trustform's session
// would still get SIGHUP when the terminal closes.
func detachedAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setsid: true}
}

func executable(path string) (string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	if fi.IsDir() {
		return "", fmt.Errorf("is a directory")
	}
	if fi.Mode().Perm()&0o111 == 0 {
		return "", fmt.Errorf("not executable (chmod +x %s)", path)
	}
	return path, nil
}

func handleOf(p *os.Process) (runtimes.Handle, error) {
	info, err := readProc(p.Pid)
	if err != nil {
		return runtimes.Handle{}, err
	}
	return runtimes.Handle{PID: p.Pid, StartTime: info.start}, nil
}

// procInfo is what Status and Stop need to know of one pid.
type procInfo struct {
	pgid   int
	ppid   int
	start  uint64
	zombie bool
}

// Status reports whether the process h names is still running; see the
// package documentation for what exited and missing mean.
func (r *Runner) Status(ctx context.Context, h runtimes.Handle) (runtimes.Status, error) {
	if h.PID <= 0 || h.StartTime == 0 {
		return runtimes.StatusMissing, nil
	}
	if _, ok := r.Exit(h); ok {
		return runtimes.StatusExited, nil
	}
	if r.started(h) {
		// Its end is reported to this Runner (by the supervisor, or the
		// reaper) within a millisecond or two of happening; a look at
		// /proc for each of 1,000 resources just started cost more.
		return runtimes.StatusRunning, nil
	}
	info, err := readProc(h.PID)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return runtimes.StatusExited, nil
	case err != nil:
		return "", fmt.Errorf("checking pid %d: %w", h.PID, err)
	case info.start != h.StartTime:
		return runtimes.StatusMissing, nil
	case info.zombie:
		return runtimes.StatusExited, nil
	case r.foreignPid(h.PID, info.start):
		// Started by a copy of this project in another directory: not
		// ours, even though state (copied with it) names it. (A process
		// this Runner started carries its directory; reading the whole
		// environment of each one apply starts was 7% of apply's time.)
		return runtimes.StatusMissing, nil
	}
	return runtimes.StatusRunning, nil
}

// Stop sends SIGTERM to the process group of h, waits up to grace for every
// member to end, then sends SIGKILL. A pid now owned by another process (its
// start time differs) is left alone. When the leader has gone but members of
// its group live on, they are stopped too, provided one of them carries a
// trustform marker in its environment: a group id cannot be reused while the
// group has members, so such a group is what our process left behind.
// When ctx ends while waiting, Stop returns its error without SIGKILL; the
// process has had SIGTERM and may still be ending.
//
// A process whose TRUSTFORM_DIR names another configuration directory (a
// copy of the project) is left alone. Processes that carry h's instance
// marker but left the group (setsid, double fork) and started no earlier
// than h are stopped the same way afterwards.
func (r *Runner) Stop(ctx context.Context, h runtimes.Handle, grace time.Duration) error {
	if h.PID <= 0 || h.StartTime == 0 {
		return nil
	}
	if err := r.stopGroup(ctx, h, grace); err != nil {
		return err
	}
	return r.stopStrays(ctx, h, grace)
}

// stopGroup is Stop without the strays.
func (r *Runner) stopGroup(ctx context.Context, h runtimes.Handle, grace time.Duration) error {
	pgid := h.PID
	info, err := readProc(h.PID)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		alive, err := r.groupAlive(pgid, time.Now())
		if err != nil || !alive {
			return err
		}
		if !r.groupMarked(pgid) {
			return nil
		}
	case err != nil:
		return fmt.Errorf("checking pid %d before stopping it: %w", h.PID, err)
	case info.start != h.StartTime:
		return nil
	case r.foreignPid(h.PID, info.start):
		return nil
	case info.pgid != pgid:
		// Should not happen: a session leader cannot change its group.
		// Signal the one process rather than a group we did not create.
		return stopSingle(ctx, h, grace)
	}

	// The supervisor records the exit before it reaps the leader; wait
	// for that, so that the caller's cleanup comes after.
	sup, supStart := r.supervisorOf(info.ppid)
	defer waitRecorded(ctx, h.PID, h.StartTime, sup, supStart)
	if err := signalGroup(pgid, unix.SIGTERM); err != nil {
		return err
	}
	began := time.Now()
	// First the leader, without polling. Once it has ended, its
	// supervisor reaps it: waiting for that too means the group is then
	// usually empty, which kill(-pgid, 0) answers, where a leader left a
	// zombie would need a look at every process.
	if ended, ok := waitExit(ctx, h.PID, h.StartTime, grace); ok && ended {
		waitRecorded(ctx, h.PID, h.StartTime, sup, supStart)
	}
	gone, err := r.waitGroup(ctx, pgid, max(grace-time.Since(began), 0))
	if err != nil || gone {
		return err
	}
	if err := signalGroup(pgid, unix.SIGKILL); err != nil {
		return err
	}
	gone, err = r.waitGroup(ctx, pgid, killWait)
	if err != nil {
		return err
	}
	if !gone {
		return fmt.Errorf("process group %d still present %s after SIGKILL; look at it with: ps -o pid,stat,cmd -g %d", pgid, killWait, pgid)
	}
	return nil
}

// stopSingle is Stop for a process that is not the leader of its group.
func stopSingle(ctx context.Context, h runtimes.Handle, grace time.Duration) error {
	alive := func() (bool, error) {
		info, err := readProc(h.PID)
		if errors.Is(err, fs.ErrNotExist) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		return info.start == h.StartTime && !info.zombie, nil
	}
	if err := unix.Kill(h.PID, unix.SIGTERM); err != nil && err != unix.ESRCH {
		return fmt.Errorf("sending SIGTERM to pid %d: %w", h.PID, err)
	}
	gone, err := poll(ctx, grace, alive)
	if err != nil || gone {
		return err
	}
	if err := unix.Kill(h.PID, unix.SIGKILL); err != nil && err != unix.ESRCH {
		return fmt.Errorf("sending SIGKILL to pid %d: %w", h.PID, err)
	}
	_, err = poll(ctx, killWait, alive)
	return err
}

func signalGroup(pgid int, sig unix.Signal) error {
	err := unix.Kill(-pgid, sig)
	if err == nil || err == unix.ESRCH {
		return nil
	}
	return fmt.Errorf("sending %s to process group %d: %w", unix.SignalName(sig), pgid, err)
}

// waitGroup waits until no live member of the group is left, for at most
// d. It is called right after a signal: each look must be newer than the
// one before, the first newer than the signal.
func (r *Runner) waitGroup(ctx context.Context, pgid int, d time.Duration) (bool, error) {
	r.groups.watch(pgid)
	defer r.groups.unwatch(pgid)
	since := time.Now()
	return poll(ctx, d, func() (bool, error) {
		asked := time.Now()
		alive, err := r.groupAlive(pgid, since)
		since = asked
		return alive, err
	})
}

// poll calls alive until it reports false (returning true: gone) or d has
// passed (returning false).
func poll(ctx context.Context, d time.Duration, alive func() (bool, error)) (bool, error) {
	deadline := time.Now().Add(d)
	wait := firstPoll
	t := time.NewTimer(wait)
	defer t.Stop()
	for {
		a, err := alive()
		if err != nil {
			return false, err
		}
		if !a {
			return true, nil
		}
		if !time.Now().Before(deadline) {
			return false, nil
		}
		t.Reset(wait)
		select {
		case <-ctx.Done():
			return false, ctx.Err()
		case <-t.C:
		}
		wait = min(2*wait, pollInterval)
	}
}

const (
	noFollow = syscall.O_NOFOLLOW
	// nonBlock keeps open from hanging on a named pipe planted as a log.
	nonBlock = syscall.O_NONBLOCK
)

func isLoop(err error) bool { return errors.Is(err, syscall.ELOOP) }

func clearNonBlock(f *os.File) error { return syscall.SetNonblock(int(f.Fd()), false) }

// scanned is what a scan read of one process.
type scanned struct {
	info procInfo
	env  map[string]string
}

// keep replaces the cache with what a scan saw: processes that have gone
// leave it.
func (c *markerCache) keep(seen map[int]scanned) {
	if c == nil {
		return
	}
	m := make(map[procKey]map[string]string, len(seen))
	for pid, s := range seen {
		m[procKey{pid: pid, start: s.info.start}] = s.env
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m, c.last = m, seen
}
