package process

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"golang.org/x/sys/unix"

	"github.com/trustform/trustform/runtimes"
)

// szomb is the p_stat value of a zombie in <sys/proc.h>.
const szomb = 5

// readProc asks the kernel for the process's kinfo_proc. Start times are
// microseconds since the epoch.
func readProc(pid int) (procInfo, error) {
	kp, err := unix.SysctlKinfoProc("kern.proc.pid", pid)
	if err != nil || int(kp.Proc.P_pid) != pid {
		// The sysctl gives an empty answer for a missing pid, which x/sys
		// reports as EIO; kill(pid, 0) tells gone from unreadable.
		if kerr := unix.Kill(pid, 0); errors.Is(kerr, unix.ESRCH) {
			return procInfo{}, fmt.Errorf("pid %d: %w", pid, fs.ErrNotExist)
		}
		if err == nil {
			err = fmt.Errorf("kern.proc.pid answered for pid %d", kp.Proc.P_pid)
		}
		return procInfo{}, fmt.Errorf("reading pid %d: %w", pid, err)
	}
	tv := kp.Proc.P_starttime
	return procInfo{
		pgid:   int(kp.Eproc.Pgid),
		start:  uint64(tv.Sec)*1_000_000 + uint64(tv.Usec),
		zombie: kp.Proc.P_stat == szomb,
	}, nil
}

// groupAlive reports whether the group has a member. Zombies count; on macOS
// launchd reaps them promptly.
func (r *Runner) groupAlive(pgid int, _ time.Time) (bool, error) {
	err := unix.Kill(-pgid, 0)
	switch {
	case err == nil, errors.Is(err, unix.EPERM):
		return true, nil
	case errors.Is(err, unix.ESRCH):
		return false, nil
	}
	return false, fmt.Errorf("checking process group %d: %w", pgid, err)
}

// groupMarked cannot read other processes' environments here, so a group
// whose leader is gone is left alone.
func (r *Runner) groupMarked(pgid int) bool { return false }

// foreignPid cannot read other processes' environments here: every
// process is taken as this directory's.
func (r *Runner) foreignPid(int, uint64) bool { return false }

// stopStrays cannot find descendants by their environment here.
func (r *Runner) stopStrays(ctx context.Context, h runtimes.Handle, grace time.Duration) error {
	return nil
}
