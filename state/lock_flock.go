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
func lockFile(f *os.File) (bool, error) {
	for {
		err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
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
