//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package state

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// removeWhileLocked: on Unix a file can be unlinked while open, and must be,
// so no waiter can lock the old file after we let go.
const removeWhileLocked = true

// lockFile takes an exclusive flock without waiting. flock belongs to the
// open file description, so two opens in one process also exclude each
// other, and the kernel drops it when the holder dies.
func lockFile(f *os.File, shared bool) (bool, error) {
	how := unix.LOCK_EX
	if shared {
		how = unix.LOCK_SH
	}
	for {
		err := unix.Flock(int(f.Fd()), how|unix.LOCK_NB)
		switch {
		case err == nil:
			return true, nil
		case errors.Is(err, unix.EINTR):
			continue
		case errors.Is(err, unix.EWOULDBLOCK):
			return false, nil
		default:
			return false, err
		}
	}
}

func unlockFile(f *os.File) error {
	return unix.Flock(int(f.Fd()), unix.LOCK_UN)
}

// upgradeWithoutWaiting turns a shared lock into an exclusive one when no
// one else holds it, so a last reader can remove the lock file.
func upgradeWithoutWaiting(f *os.File) bool {
	ok, err := lockFile(f, false)
	return ok && err == nil
}
