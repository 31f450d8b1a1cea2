//go:build unix && !linux && !darwin

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

// errNoProcInfo is what this platform answers for start times: without one a
// pid cannot be told from a reused one, so nothing is ever signalled.
var errNoProcInfo = errors.New("reading process start times is not supported on this system")

func readProc(pid int) (procInfo, error) {
	if err := unix.Kill(pid, 0); errors.Is(err, unix.ESRCH) {
		return procInfo{}, fmt.Errorf("pid %d: %w", pid, fs.ErrNotExist)
	}
	return procInfo{}, errNoProcInfo
}

func (r *Runner) groupAlive(pgid int, _ time.Time) (bool, error) {
	err := unix.Kill(-pgid, 0)
	return err == nil || errors.Is(err, unix.EPERM), nil
}

func (r *Runner) groupMarked(pgid int) bool { return false }

// foreignPid cannot read other processes' environments here: every
// process is taken as this directory's.
func (r *Runner) foreignPid(int, uint64) bool { return false }

// stopStrays cannot find descendants by their environment here.
func (r *Runner) stopStrays(ctx context.Context, h runtimes.Handle, grace time.Duration) error {
	return nil
}
