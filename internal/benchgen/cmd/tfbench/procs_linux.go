package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"golang.org/x/sys/unix"
)

// taggedProcesses returns the pids of running processes whose environment
// holds tag (KEY=VALUE): the processes this run started, and only those.
func taggedProcesses(tag string) []int {
	want := []byte(tag)
	matches, _ := filepath.Glob("/proc/[0-9]*/environ")
	var pids []int
	for _, m := range matches {
		data, err := os.ReadFile(m)
		if err != nil {
			continue // gone, or not ours to read
		}
		for _, kv := range bytes.Split(data, []byte{0}) {
			if bytes.Equal(kv, want) {
				if pid, err := strconv.Atoi(filepath.Base(filepath.Dir(m))); err == nil {
					pids = append(pids, pid)
				}
				break
			}
		}
	}
	return pids
}

// processHeadroom says whether n more processes fit under this user's
// process limit and the kernel's pid limit, with room to spare, and why not.
func processHeadroom(n int) (ok bool, why string) {
	running, _ := filepath.Glob("/proc/[0-9]*")
	limit := uint64(1 << 62)
	var rl unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NPROC, &rl); err == nil && rl.Cur != unix.RLIM_INFINITY {
		limit = rl.Cur
	}
	if data, err := os.ReadFile("/proc/sys/kernel/pid_max"); err == nil {
		if v, err := strconv.ParseUint(string(bytes.TrimSpace(data)), 10, 64); err == nil && v < limit {
			limit = v
		}
	}
	// Threads count against both limits; keep a quarter free for everything
	// else on the machine.
	if need := uint64(len(running) + n); need > limit*3/4 {
		return false, fmt.Sprintf("%d processes running plus %d would pass 3/4 of the limit %d (ulimit -u, kernel.pid_max)", len(running), n, limit)
	}
	return true, ""
}

// memAvailable returns MemAvailable from /proc/meminfo in bytes, 0 when unknown.
func memAvailable() int64 { return meminfo("MemAvailable:") }

// memTotal returns MemTotal from /proc/meminfo in bytes, 0 when unknown.
func memTotal() int64 { return meminfo("MemTotal:") }

func meminfo(key string) int64 {
	data, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0
	}
	for _, line := range bytes.Split(data, []byte{'\n'}) {
		if f := bytes.Fields(line); len(f) >= 2 && string(f[0]) == key {
			kb, _ := strconv.ParseInt(string(f[1]), 10, 64)
			return kb * 1024
		}
	}
	return 0
}

// cpuModel returns the first "model name" of /proc/cpuinfo.
func cpuModel() string {
	data, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown"
	}
	for _, line := range bytes.Split(data, []byte{'\n'}) {
		if k, v, ok := bytes.Cut(line, []byte{':'}); ok && string(bytes.TrimSpace(k)) == "model name" {
			return string(bytes.TrimSpace(v))
		}
	}
	return "unknown"
}

// kernelInfo returns the kernel release and the load average now.
func kernelInfo() (release, load string) {
	r, _ := os.ReadFile("/proc/sys/kernel/osrelease")
	l, _ := os.ReadFile("/proc/loadavg")
	lf := bytes.Fields(l)
	if len(lf) > 3 {
		lf = lf[:3]
	}
	return string(bytes.TrimSpace(r)), string(bytes.Join(lf, []byte(" ")))
}
