//go:build !unix

package main

import (
	"os"
	"time"
)

func usage(ps *os.ProcessState) (int64, time.Duration) {
	return 0, ps.UserTime() + ps.SystemTime()
}

func inode(os.FileInfo) (uint64, bool) { return 0, false }

func kill(pid int) error {
	p, err := os.FindProcess(pid)
	if err != nil {
		return err
	}
	return p.Kill()
}
