//go:build unix

package main

import (
	"os"
	"syscall"
	"time"
)

// usage returns peak resident set size in bytes and CPU time (user+system)
// of a finished process, from the rusage wait4 returned.
func usage(ps *os.ProcessState) (peakRSS int64, cpu time.Duration) {
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0, ps.UserTime() + ps.SystemTime()
	}
	return maxRSSBytes(ru.Maxrss), ps.UserTime() + ps.SystemTime()
}

// inode returns the inode number of fi, so hard links count once.
func inode(fi os.FileInfo) (uint64, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return uint64(st.Ino), true
}

// kill ends one process by pid.
func kill(pid int) error { return syscall.Kill(pid, syscall.SIGKILL) }
