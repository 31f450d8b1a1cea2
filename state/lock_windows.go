package state

import (
	"errors"
	"os"

	"golang.org/x/sys/windows"
)

// removeWhileLocked: Windows refuses to delete an open file.
const removeWhileLocked = false

// lockOffsetHigh places the locked byte far past the content: Windows locks
// are mandatory, and locking the content would stop waiters from reading who
// holds the lock.
const lockOffsetHigh = 0x40000000

// lockFile takes an exclusive LockFileEx lock without waiting. It belongs to
// the handle, so two opens in one process exclude each other, and Windows
// drops it when the holder dies.
func lockFile(f *os.File, shared bool) (bool, error) {
	ol := &windows.Overlapped{OffsetHigh: lockOffsetHigh}
	flags := uint32(windows.LOCKFILE_EXCLUSIVE_LOCK | windows.LOCKFILE_FAIL_IMMEDIATELY)
	if shared {
		flags = windows.LOCKFILE_FAIL_IMMEDIATELY
	}
	err := windows.LockFileEx(windows.Handle(f.Fd()), flags, 0, 1, 0, ol)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, windows.ERROR_LOCK_VIOLATION), errors.Is(err, windows.ERROR_IO_PENDING):
		return false, nil
	default:
		return false, err
	}
}

func unlockFile(f *os.File) error {
	ol := &windows.Overlapped{OffsetHigh: lockOffsetHigh}
	return windows.UnlockFileEx(windows.Handle(f.Fd()), 0, 1, 0, ol)
}

// upgradeWithoutWaiting is not possible with LockFileEx: a reader leaves the
// (empty) lock file in place.
func upgradeWithoutWaiting(*os.File) bool { return false }
