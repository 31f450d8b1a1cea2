//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly || windows)

package state

import (
	"fmt"
	"os"
	"runtime"
)

const removeWhileLocked = true

// lockFile fails: without an OS lock a dead holder could not be told from
// a live one.
func lockFile(*os.File, bool) (bool, error) {
	return false, fmt.Errorf("locking state is not supported on %s", runtime.GOOS)
}

func unlockFile(*os.File) error { return nil }

func upgradeWithoutWaiting(*os.File) bool { return false }
