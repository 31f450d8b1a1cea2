package process

import (
	"context"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// waitExit waits until the process pid, started at start (its /proc start
// time), has ended (exited: a zombie, or reaped), for at most d, without
// polling /proc: a pidfd becomes readable when its process exits. ok is
// false when no pidfd could be had (an old kernel, a seccomp filter); the
// caller then looks the way it always did. A pid that is gone, or now
// names another process, has ended.
//
// Stopping a resource waits for its process and then for its supervisor
// shell to end; polling for each with sleeps of 5 to 25 ms made those
// waits, not the processes, most of destroy's time.
func waitExit(ctx context.Context, pid int, start uint64, d time.Duration) (ended, ok bool) {
	fd, err := unix.PidfdOpen(pid, 0)
	if err == unix.ESRCH {
		return true, true
	}
	if err != nil {
		return false, false
	}
	defer unix.Close(fd)
	// The pidfd refers to whatever had the pid when it was opened: only
	// with the same start time is that the process meant.
	if start != 0 {
		info, err := readProc(pid)
		if err != nil || info.start != start {
			return true, true
		}
	}
	deadline := time.Now().Add(d)
	// Short slices, so that a cancelled ctx is noticed.
	const slice = 50 * time.Millisecond
	for {
		left := time.Until(deadline)
		if left < 0 {
			left = 0
		}
		fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		n, err := unix.Poll(fds, int(min(left, slice).Milliseconds()))
		switch {
		case err == unix.EINTR:
		case err != nil:
			return false, false
		case n > 0:
			return true, true
		}
		if left == 0 || ctx.Err() != nil {
			return false, true
		}
	}
}

// awaitExit returns once the child pid has exited (not yet reaped), having
// blocked its goroutine but no OS thread: the pidfd waits in Go's poller.
// exec.Cmd.Wait blocks a thread in wait4 for as long as the child runs;
// apply waits on every process it started until it ends, and 1,000 such
// threads made most of apply's 117 MB peak RSS (its heap never passed
// 39 MB). When no pollable pidfd can be had it returns at once, and the
// caller's Wait blocks a thread as before.
func awaitExit(pid int) {
	fd, err := unix.PidfdOpen(pid, unix.PIDFD_NONBLOCK)
	if err != nil {
		return
	}
	f := os.NewFile(uintptr(fd), "pidfd")
	defer f.Close()
	rc, err := f.SyscallConn()
	if err != nil {
		return
	}
	_ = rc.Read(func(fd uintptr) bool {
		n, err := unix.Poll([]unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}, 0)
		return n > 0 || (err != nil && err != unix.EINTR)
	})
}
