package process

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/trustform/trustform/runtimes"
)

// procRoot is where the proc file system is mounted.
const procRoot = "/proc"

// readProc reads /proc/PID/stat. A pid that does not exist gives an error
// matching fs.ErrNotExist.
func readProc(pid int) (procInfo, error) {
	b, err := readProcFile(fmt.Sprintf("%s/%d/stat", procRoot, pid))
	if err != nil {
		if errPidGone(err) {
			return procInfo{}, fmt.Errorf("pid %d: %w", pid, fs.ErrNotExist)
		}
		return procInfo{}, err
	}
	return parseStat(b)
}

// readProcFile reads a file of /proc with plain system calls: open, read,
// close. os.ReadFile also stats the file, asks its flags and tries to add
// it to the poller (which refuses /proc files), about seven calls where
// three do; scans read two files of every process on the machine, and
// destroying 1,000 resources made 700,000 such calls.
func readProcFile(path string) ([]byte, error) {
	return readProcFileInto(path, make([]byte, 0, 1024))
}

// readProcFileInto is readProcFile reading into buf (from its start),
// which it grows as needed: a scan reads every process's environment into
// one buffer instead of a new one each.
func readProcFileInto(path string, buf []byte) ([]byte, error) {
	buf = buf[:0]
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	for err == unix.EINTR {
		fd, err = unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	}
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	defer unix.Close(fd)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := unix.Read(fd, buf[len(buf):cap(buf)])
		switch {
		case err == unix.EINTR:
			continue
		case err != nil:
			return nil, &fs.PathError{Op: "read", Path: path, Err: err}
		case n == 0:
			return buf, nil
		}
		buf = buf[:len(buf)+n]
	}
}

// errPidGone reports an error of reading a /proc file that means the
// process is gone (ESRCH is what a read gives when it vanished after open).
func errPidGone(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ESRCH)
}

// parseStat decodes the fields we need from the content of /proc/PID/stat:
// "pid (comm) state ppid pgrp session ... starttime ...". comm is whatever
// the program named itself and may hold spaces and parentheses, so the
// fields are counted from the last ')'.
func parseStat(b []byte) (procInfo, error) {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return procInfo{}, fmt.Errorf("malformed stat line %q", b)
	}
	f := strings.Fields(string(b[i+1:]))
	// f[0] is field 3 (state); field N is f[N-3].
	const (
		stateField = 3
		ppidField  = 4
		pgrpField  = 5
		startField = 22
	)
	if len(f) <= startField-stateField {
		return procInfo{}, fmt.Errorf("malformed stat line %q: %d fields after comm", b, len(f))
	}
	pgid, err := strconv.Atoi(f[pgrpField-stateField])
	if err != nil {
		return procInfo{}, fmt.Errorf("malformed pgrp in stat line: %w", err)
	}
	start, err := strconv.ParseUint(f[startField-stateField], 10, 64)
	if err != nil {
		return procInfo{}, fmt.Errorf("malformed starttime in stat line: %w", err)
	}
	ppid, _ := strconv.Atoi(f[ppidField-stateField])
	state := f[0]
	return procInfo{pgid: pgid, ppid: ppid, start: start, zombie: state == "Z" || state == "X" || state == "x"}, nil
}

// pids lists the numeric entries of /proc, unsorted.
func pids() ([]int, error) {
	d, err := os.Open(procRoot)
	if err != nil {
		return nil, fmt.Errorf("listing processes: %w", err)
	}
	defer d.Close()
	names, err := d.Readdirnames(-1)
	if err != nil {
		return nil, fmt.Errorf("listing processes: %w", err)
	}
	out := make([]int, 0, len(names))
	for _, n := range names {
		if pid, err := strconv.Atoi(n); err == nil && pid > 0 {
			out = append(out, pid)
		}
	}
	return out, nil
}

// pgidOf is the process group of pid, zombies included, for one system
// call instead of reading and parsing /proc/PID/stat. ok is false when the
// pid has gone.
func pgidOf(pid int) (pgid int, ok bool) {
	pgid, err := unix.Getpgid(pid)
	if err == nil {
		return pgid, true
	}
	if errors.Is(err, unix.ESRCH) {
		return 0, false
	}
	// Refused (a security module may): ask /proc.
	info, err := readProc(pid)
	if err != nil {
		return 0, false
	}
	return info.pgid, true
}

// liveMember reports whether pid is, as of now, a member of pgid that has
// not ended.
func liveMember(pid, pgid int) bool {
	info, err := readProc(pid)
	return err == nil && info.pgid == pgid && !info.zombie
}

// scanGroups looks at every process once and reports, for each group in
// want, whether it has a member that has not ended. Only the members of
// those groups have their /proc/PID/stat read.
func scanGroups(want map[int]bool) (map[int]bool, error) {
	all, err := pids()
	if err != nil {
		return nil, err
	}
	live := make(map[int]bool, len(want))
	for pgid := range want {
		live[pgid] = false
	}
	for _, pid := range all {
		pgid, ok := pgidOf(pid)
		if !ok || !want[pgid] || live[pgid] {
			continue
		}
		if liveMember(pid, pgid) {
			live[pgid] = true
		}
	}
	return live, nil
}

// groupMembers returns the live (non-zombie) members of a process group.
func groupMembers(pgid int) ([]int, error) {
	all, err := pids()
	if err != nil {
		return nil, err
	}
	var out []int
	for _, pid := range all {
		if g, ok := pgidOf(pid); ok && g == pgid && liveMember(pid, pgid) {
			out = append(out, pid)
		}
	}
	return out, nil
}

// groupAlive reports whether the group has a member that has not ended,
// as seen after since. kill(-pgid, 0) is not enough: it succeeds for
// zombies, which on machines whose init does not reap would make every
// stop wait the full grace.
//
// A running leader answers yes, and kill's ESRCH (no member at all, not
// even a zombie) answers no, each for one or two system calls. Otherwise
// every process must be looked at; that scan is shared among the stops
// under way (groupScans) and reads /proc/PID/stat only of the group's
// members.
func (r *Runner) groupAlive(pgid int, since time.Time) (bool, error) {
	// Usually the group is gone by the time a stop asks: one system call
	// says so, before a look at the leader's stat.
	if err := syscall.Kill(-pgid, 0); errors.Is(err, syscall.ESRCH) {
		return false, nil
	}
	if liveMember(pgid, pgid) {
		return true, nil
	}
	return r.groups.alive(pgid, since, time.Now, scanGroups)
}

// groupMarked reports whether a live member of the group carries the
// TRUSTFORM_LINEAGE marker.
func (r *Runner) groupMarked(pgid int) bool {
	m, _ := groupMembers(pgid)
	for _, pid := range m {
		env, _, err := readMarkers(pid, nil)
		if err != nil {
			continue
		}
		if _, ok := env[EnvLineage]; ok && !r.foreign(env) {
			return true
		}
	}
	return false
}

// readMarkers reads the trustform markers (isMarker) of the
// environment a process was started with, into buf. Only they are kept:
// refresh looks at every resource's process, and a map of each one's whole
// environment was most of a no-op plan's garbage.
func readMarkers(pid int, buf []byte) (map[string]string, []byte, error) {
	if buf == nil {
		buf = make([]byte, 0, 8192)
	}
	buf, err := readProcFileInto(fmt.Sprintf("%s/%d/environ", procRoot, pid), buf)
	if err != nil {
		return nil, buf, err
	}
	b := buf
	m := map[string]string{}
	for len(b) > 0 {
		kv := b
		if i := bytes.IndexByte(b, 0); i >= 0 {
			kv, b = b[:i], b[i+1:]
		} else {
			b = nil
		}
		if len(kv) < len(markerPrefix) || string(kv[:len(markerPrefix)]) != markerPrefix {
			continue
		}
		k, v, ok := bytes.Cut(kv, []byte{'='})
		if !ok || !isMarker(string(k)) {
			continue
		}
		if _, dup := m[string(k)]; !dup { // the first one wins, as getenv does
			m[string(k)] = string(v)
		}
	}
	return m, buf, nil
}

// foreignPid reports whether pid's environment names another
// configuration directory than the runner's. An unreadable environment
// (another user's process) does not count as foreign: the start time
// check already keeps strangers safe.
func (r *Runner) foreignPid(pid int, start uint64) bool {
	if r.dir == "" {
		return false
	}
	env, err := r.markersOf(pid, start)
	return err == nil && r.foreign(env)
}

// markersOf returns the trustform markers of the process pid started at
// start, from the marker cache when a look since this Runner was made
// read them (refresh, the orphan sweep and stops all ask about the same
// processes: reading each environment three times was a fifth of
// destroying 1,000 resources).
func (r *Runner) markersOf(pid int, start uint64) (map[string]string, error) {
	k := procKey{pid: pid, start: start}
	if m, ok := r.markers.get(k); ok {
		return m, nil
	}
	// One buffer per concurrent caller, not one per process: refresh asks
	// about every resource's process.
	bp, _ := r.envBufs.Get().(*[]byte)
	if bp == nil {
		bp = new([]byte)
	}
	m, buf, err := readMarkers(pid, *bp)
	*bp = buf
	r.envBufs.Put(bp)
	if err != nil {
		return nil, err
	}
	r.markers.put(k, m)
	return m, nil
}

// ownProcesses calls fn for every process of the current user other than
// trustform itself, with its markers and stat (zombies left out when their
// stat is read). Unless fresh, a process the last scan saw (the same pid,
// still listed) is taken as it was then, without a look at its stat or
// environment: a pid is not reused before its process is reaped, and a
// scan while stopping 5,000 processes read 5,000 stat files to learn what
// it knew. Such a process
// may have ended or changed group since; whoever acts on one reads it
// again. A stray whose pid was freed and reused between two scans is
// missed until the next fresh look (FindOrphans), never mistaken. Each
// new process's markers are read from its environment only the first time
// the cache sees it (see markerCache), unless fresh; the cache then holds
// what this look saw.
func ownProcesses(cache *markerCache, fresh bool, fn func(pid int, env map[string]string, info procInfo)) error {
	all, err := pids()
	if err != nil {
		return err
	}
	var last map[int]scanned
	if !fresh {
		last = cache.lastScan()
	}
	uid := os.Getuid()
	self := os.Getpid()
	seen := make(map[int]scanned, len(all))
	defer cache.keep(seen)
	var buf []byte
	for _, pid := range all {
		if pid == self {
			continue
		}
		s, ok := last[pid]
		if !ok {
			var st unix.Stat_t
			if err := unix.Stat(fmt.Sprintf("%s/%d", procRoot, pid), &st); err != nil || int(st.Uid) != uid {
				continue
			}
			info, err := readProc(pid)
			if err != nil || info.zombie {
				continue
			}
			env, cached := map[string]string(nil), false
			if !fresh {
				env, cached = cache.get(procKey{pid: pid, start: info.start})
			}
			if !cached {
				var err error
				if env, buf, err = readMarkers(pid, buf); err != nil {
					continue
				}
			}
			s = scanned{info: info, env: env}
		}
		seen[pid] = s
		// A run's supervisor is never a resource nor its descendant; it
		// carries no markers, and an older trustform's supervisor shell,
		// which did, is known by its own mark.
		if s.env[EnvLineage] == "" || s.env[EnvSupervisor] != "" {
			continue
		}
		fn(pid, s.env, s.info)
	}
	return nil
}

// markerPrefix starts every trustform variable.
const markerPrefix = "TRUSTFORM_"

// isMarker reports whether k is one of the trustform variables of a
// process's environment, all a scan looks at.
func isMarker(k string) bool {
	switch k {
	case EnvAddress, EnvLineage, EnvDir, EnvInstance, EnvSupervisor:
		return true
	}
	return false
}

// scanStrays maps every instance marker to the live processes of ours
// carrying it.
func (r *Runner) scanStrays() (map[string][]stray, error) {
	found := map[string][]stray{}
	err := ownProcesses(&r.markers, false, func(pid int, env map[string]string, info procInfo) {
		if in := env[EnvInstance]; in != "" && !r.foreign(env) {
			found[in] = append(found[in], stray{pid: pid, start: info.start})
		}
	})
	return found, err
}

// stopStrays stops the processes that carry h's instance marker, started
// no earlier than h (so they can only be its descendants), and are still
// alive once its group is gone: children that called setsid or were
// double-forked out of the group.
func (r *Runner) stopStrays(ctx context.Context, h runtimes.Handle, grace time.Duration) error {
	if h.Instance == "" {
		return nil
	}
	found, err := r.strays.of(h.Instance, time.Now(), r.scanStrays)
	if err != nil {
		return fmt.Errorf("looking for processes started by pid %d: %w", h.PID, err)
	}
	var errs []error
	for _, s := range found {
		if s.pid == h.PID || s.start < h.StartTime {
			continue
		}
		// The scan may be a little old (strayScanReuse): only a process
		// still alive with that start time, outside the group just
		// stopped, is a stray.
		info, err := readProc(s.pid)
		if err != nil || info.zombie || info.start != s.start || info.pgid == h.PID {
			continue
		}
		sh := runtimes.Handle{PID: s.pid, StartTime: s.start}
		// Each one leads its own group when it called setsid; otherwise
		// it is signalled alone.
		if err := r.stopGroup(ctx, sh, grace); err != nil {
			errs = append(errs, fmt.Errorf("stopping pid %d, started by pid %d: %w", s.pid, h.PID, err))
		}
	}
	return errors.Join(errs...)
}

// FindOrphans returns the processes of the current user that were started
// by trustform with this lineage for this runner's directory (a process
// naming another directory belongs to a copy of the project and is never
// reported). For each instance marker the process started first is
// reported: the one trustform started, or, when it has ended, the oldest
// descendant still running, even one that left the group or session.
// Processes started by an older trustform, without an instance marker,
// are reported when they lead their process group, the oldest per
// address. The result is sorted by address, then start time.
//
// An empty lineage (state lost) finds, for a runner made with NewForDir,
// every process naming its directory, whatever its lineage; otherwise
// nothing.
func (r *Runner) FindOrphans(_ context.Context, lineage string) ([]runtimes.Orphan, error) {
	if lineage == "" && r.dir == "" {
		return nil, nil
	}
	best := map[string]runtimes.Orphan{}
	// Read afresh (a cached look may predate an exec), and kept for the
	// stops that usually follow.
	err := ownProcesses(&r.markers, true, func(pid int, env map[string]string, info procInfo) {
		addr := env[EnvAddress]
		if addr == "" || r.foreign(env) {
			return
		}
		if lineage == "" && env[EnvDir] != r.dir || lineage != "" && env[EnvLineage] != lineage {
			return
		}
		key := "instance " + env[EnvInstance]
		if env[EnvInstance] == "" {
			if info.pgid != pid {
				return
			}
			key = "address " + addr
		}
		if prev, ok := best[key]; ok && prev.Handle.StartTime <= info.start {
			return
		}
		best[key] = runtimes.Orphan{Address: addr, Handle: runtimes.Handle{PID: pid, StartTime: info.start, Instance: env[EnvInstance]}, Status: runtimes.StatusRunning}
	})
	if err != nil {
		return nil, err
	}
	out := make([]runtimes.Orphan, 0, len(best))
	for _, o := range best {
		out = append(out, o)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Address != out[j].Address {
			return out[i].Address < out[j].Address
		}
		return out[i].Handle.StartTime < out[j].Handle.StartTime
	})
	return out, nil
}
