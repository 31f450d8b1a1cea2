package process

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/trustform/trustform/internal/layout"
	"github.com/trustform/trustform/internal/testutil"
	"github.com/trustform/trustform/runtimes"
)

func supervisedSpec(t *testing.T, argv ...string) *runtimes.LaunchSpec {
	t.Helper()
	dir := t.TempDir()
	return &runtimes.LaunchSpec{
		Address: "executable.sup", Lineage: "lin-sup-" + filepath.Base(dir), Argv: argv, WorkingDir: dir,
		BaseEnv: []string{"PATH=" + os.Getenv("PATH")}, LogPath: filepath.Join(dir, "logs", "executable.sup.log"),
	}
}

// A supervised process that exits leaves its status and time next to its
// log, where a Runner of a later trustform run (which did not start it)
// reads them.
func TestSupervisedExitIsRecorded(t *testing.T) {
	sh := testutil.NeedTool(t, "sh", "apt-get install -y dash")
	r := New()
	r.RecordExits = true
	spec := supervisedSpec(t, sh, "-c", "echo last words; exit 7")
	before := time.Now()
	h, err := r.Start(context.Background(), spec)
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-r.Exited(h):
	case <-time.After(10 * time.Second):
		t.Fatal("no exit reported")
	}
	if e, ok := r.Exit(h); !ok || e.Code != 7 {
		t.Errorf("Exit = %+v %v, want code 7", e, ok)
	}
	later := New()
	e, ok := later.LastExit(h, spec.LogPath)
	if !ok || e.Code != 7 || e.At.Before(before.Add(-time.Second)) || e.At.After(time.Now().Add(time.Second)) {
		t.Errorf("LastExit from the file = %+v %v, want code 7 at about now", e, ok)
	}
	if st, _ := later.Status(context.Background(), h); st != runtimes.StatusExited {
		t.Errorf("status = %s, want exited", st)
	}
	log, _ := os.ReadFile(spec.LogPath)
	if !strings.Contains(string(log), "last words") {
		t.Errorf("log = %q", log)
	}
	// A record for another pid is not taken for this one.
	if _, ok := later.LastExit(runtimes.Handle{PID: h.PID + 1, StartTime: 1}, spec.LogPath); ok {
		t.Error("LastExit answered for another pid")
	}
}

// The program, not the shell, is the handle: its own session and group,
// its argv, the markers in its environment; FindOrphans reports it and
// not the supervisor. Stop waits until the supervisor has recorded the
// exit, so a caller removing the status file afterwards removes it for
// good.
func TestSupervisedProcessIsTheHandle(t *testing.T) {
	sleep := testutil.NeedTool(t, "sleep", "apt-get install -y coreutils")
	r := New()
	r.RecordExits = true
	spec := supervisedSpec(t, sleep, "60")
	h, err := r.Start(context.Background(), spec)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Stop(context.Background(), h, time.Second) })
	info, err := readProc(h.PID)
	if err != nil || info.pgid != h.PID {
		t.Fatalf("pid %d: pgid %d (%v), want its own group", h.PID, info.pgid, err)
	}
	cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", h.PID))
	if !strings.Contains(string(cmdline), "sleep") {
		t.Errorf("the handle's cmdline is %q, want the program", cmdline)
	}
	if sup, _ := supOf(h.PID); sup == 0 {
		t.Error("no supervisor found as the parent")
	}
	found, err := r.FindOrphans(context.Background(), spec.Lineage)
	if err != nil || len(found) != 1 || found[0].Handle != h {
		t.Errorf("FindOrphans = %+v %v, want only %+v", found, err, h)
	}
	if err := r.Stop(context.Background(), h, time.Second); err != nil {
		t.Fatal(err)
	}
	exitPath := layout.ExitsPath(spec.LogPath)
	if e, ok := readExit(exitPath, h); !ok || e.Code != 143 {
		t.Fatalf("after Stop the exit is not recorded yet: %+v %v", e, ok)
	}
	os.Remove(exitPath)
	time.Sleep(200 * time.Millisecond)
	if _, err := os.Stat(exitPath); err == nil {
		t.Error("the exit records came back after Stop returned")
	}
}

// Exit records of many processes share one file; each is found by pid and
// start time, the last record winning, and a torn or foreign line is
// skipped. An older trustform's file of its own is still read.
func TestExitRecords(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "exits")
	at := time.Unix(1700000000, 5)
	appendExit(path, 10, 111, 0, at)
	appendExit(path, 11, 222, 3, at)
	f, _ := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	f.WriteString("garbage\n12 333")
	f.Close()
	appendExit(path, 10, 999, 7, at) // pid 10 again, a later process
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != LogFileMode {
		t.Errorf("records file: %v %v", fi, err)
	}
	for _, c := range []struct {
		h    runtimes.Handle
		code int
		ok   bool
	}{
		{runtimes.Handle{PID: 10, StartTime: 111}, 0, true},
		{runtimes.Handle{PID: 11, StartTime: 222}, 3, true},
		{runtimes.Handle{PID: 10, StartTime: 999}, 0, false},
		{runtimes.Handle{PID: 12, StartTime: 333}, 0, false},
		{runtimes.Handle{PID: 11, StartTime: 223}, 0, false},
	} {
		e, ok := readExit(path, c.h)
		if ok != c.ok || ok && (e.Code != c.code || !e.At.Equal(at)) {
			t.Errorf("readExit(%+v) = %+v %v, want code %d %v", c.h, e, ok, c.code, c.ok)
		}
	}
	// The line after the torn one is "12 33310 999 7 ...": pid 12 never
	// matches, and the record for 10/999 is lost with it. What a torn
	// write costs is that one line.

	// A record through a planted link is never written.
	target := filepath.Join(dir, "target")
	os.WriteFile(target, nil, 0o600)
	link := filepath.Join(dir, "linked")
	os.Symlink(target, link)
	appendExit(link, 1, 1, 1, at)
	if b, _ := os.ReadFile(target); len(b) != 0 {
		t.Errorf("a record was written through a link: %q", b)
	}

	// Before issue 19 each process had a file "PID CODE" of its own.
	logPath := filepath.Join(dir, "executable.old.log")
	os.WriteFile(layout.ExitPath(logPath), []byte("42 5\n"), 0o600)
	if e, ok := New().LastExit(runtimes.Handle{PID: 42, StartTime: 1}, logPath); !ok || e.Code != 5 {
		t.Errorf("legacy record: %+v %v", e, ok)
	}
}

// The supervisor carries none of trustform's markers in its own
// environment; the program carries all of them.
func TestSupervisorHasNoMarkers(t *testing.T) {
	r := NewForDir("/some/dir")
	h, sup := startSupervisedSleep(t, r)
	senv, _ := readEnviron(sup)
	penv, _ := readEnviron(h.PID)
	for _, k := range []string{EnvAddress, EnvLineage, EnvDir, EnvInstance} {
		if _, ok := senv[k]; ok {
			t.Errorf("the supervisor carries %s", k)
		}
		if penv[k] == "" {
			t.Errorf("the program lacks %s", k)
		}
	}
	if _, ok := penv[EnvSupervisor]; ok {
		t.Errorf("the program carries %s", EnvSupervisor)
	}
}

// The log holds what the program wrote and nothing of the supervisor:
// the shell that used to supervise each process reported a waited job
// that a signal ended ("Terminated") on its stderr, and up showed that as
// the resource's last line at every stop.
func TestSupervisorAddsNothingToTheLog(t *testing.T) {
	sh := testutil.NeedTool(t, "sh", "apt-get install -y dash")
	r := New()
	r.RecordExits = true
	spec := supervisedSpec(t, sh, "-c", "echo started; exec sleep 60")
	h, err := r.Start(context.Background(), spec)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Stop(context.Background(), h, time.Second) })
	deadline := time.Now().Add(10 * time.Second)
	for {
		b, _ := os.ReadFile(spec.LogPath)
		if strings.Contains(string(b), "started") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the program's line never reached the log: %q", b)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := r.Stop(context.Background(), h, time.Second); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(spec.LogPath); string(b) != "started\n" {
		t.Errorf("log after Stop = %q, want only the program's %q", b, "started\n")
	}
}

// One supervisor serves every process of a run, and each process is a
// child of it; a signal's death is recorded as 128+N; once the Runner has
// hung up, the supervisor ends with the last of its processes.
func TestOneSupervisorPerRun(t *testing.T) {
	sleep := testutil.NeedTool(t, "sleep", "apt-get install -y coreutils")
	r := New()
	r.RecordExits = true
	var hs []runtimes.Handle
	var specs []*runtimes.LaunchSpec
	for range 3 {
		spec := supervisedSpec(t, sleep, "60")
		h, err := r.Start(context.Background(), spec)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { r.Stop(context.Background(), h, time.Second) })
		hs, specs = append(hs, h), append(specs, spec)
	}
	sup, supStart := supOf(hs[0].PID)
	if sup == 0 {
		t.Fatal("no supervisor")
	}
	for _, h := range hs[1:] {
		if s, _ := supOf(h.PID); s != sup {
			t.Errorf("pid %d has supervisor %d, want the run's one %d", h.PID, s, sup)
		}
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	for i, h := range hs {
		if err := r.Stop(context.Background(), h, time.Second); err != nil {
			t.Fatal(err)
		}
		e, ok := New().LastExit(h, specs[i].LogPath)
		if !ok || e.Code != 128+15 {
			t.Errorf("recorded exit of %d = %+v %v, want 143 (SIGTERM)", h.PID, e, ok)
		}
		ended := func() bool {
			info, err := readProc(sup)
			return err != nil || info.start != supStart || info.zombie
		}
		if i < len(hs)-1 {
			if ended() {
				t.Errorf("the supervisor ended after %d of %d processes", i+1, len(hs))
			}
			continue
		}
		for deadline := time.Now().Add(10 * time.Second); !ended(); time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatal("the supervisor outlived its last process after the Runner hung up")
			}
		}
	}
}

// A program that exits at once is still reported, with its code, to the
// Runner that started it: its exit may reach trustform right behind the
// answer that started it.
func TestSupervisedImmediateExit(t *testing.T) {
	sh := testutil.NeedTool(t, "sh", "apt-get install -y dash")
	r := New()
	r.RecordExits = true
	t.Cleanup(func() { r.Close() })
	for i := range 20 {
		spec := supervisedSpec(t, sh, "-c", fmt.Sprintf("exit %d", i+1))
		h, err := r.Start(context.Background(), spec)
		if err != nil {
			t.Fatal(err)
		}
		select {
		case <-r.Exited(h):
		case <-time.After(10 * time.Second):
			t.Fatalf("no exit reported for run %d", i)
		}
		if e, ok := r.Exit(h); !ok || e.Code != i+1 {
			t.Errorf("Exit = %+v %v, want code %d", e, ok, i+1)
		}
	}
}

// The run's supervisor is told the program by an absolute path and
// directory: it works in /, and a relative log or program path must still
// mean the one relative to trustform's working directory.
func TestSupervisedRelativePaths(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if err := os.WriteFile("prog", []byte("#!/bin/sh\npwd\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	r := New()
	r.RecordExits = true
	t.Cleanup(func() { r.Close() })
	spec := &runtimes.LaunchSpec{Address: "executable.rel", Lineage: "lin-rel", Argv: []string{"./prog"},
		BaseEnv: []string{"PATH=" + os.Getenv("PATH")}, LogPath: filepath.Join("logs", "rel.log")}
	h, err := r.Start(context.Background(), spec)
	if err != nil {
		t.Fatal(err)
	}
	<-r.Exited(h)
	if e, _ := r.Exit(h); e.Code != 0 {
		t.Fatalf("exit = %+v", e)
	}
	b, err := os.ReadFile(filepath.Join(dir, "logs", "rel.log"))
	if err != nil || strings.TrimSpace(string(b)) != dir {
		t.Errorf("log = %q %v, want the working directory %s", b, err, dir)
	}
}

// supOf returns the supervisor of pid, as a fresh Runner sees it.
func supOf(pid int) (int, uint64) {
	info, err := readProc(pid)
	if err != nil {
		return 0, 0
	}
	return New().supervisorOf(info.ppid)
}

// A supervisor killed mid-run loses the exit codes of its processes, not
// their exits: the Runner still learns when each ends. A process started
// afterwards gets a new supervisor, and its exit is recorded again.
func TestSupervisorKilledMidRun(t *testing.T) {
	sh := testutil.NeedTool(t, "sh", "apt-get install -y dash")
	r := New()
	t.Cleanup(func() { r.Close() })
	h, sup := startSupervisedSleep(t, r)
	if err := syscall.Kill(sup, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	// The connection ends once the kernel has closed the supervisor's end.
	r.supMu.Lock()
	old := r.sup
	r.supMu.Unlock()
	for deadline := time.Now().Add(10 * time.Second); !old.ended(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the Runner never noticed its supervisor was killed")
		}
	}
	if err := syscall.Kill(h.PID, syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-r.Exited(h):
	case <-time.After(10 * time.Second):
		t.Fatal("the end of a process whose supervisor was killed was never noticed")
	}
	if e, ok := r.Exit(h); !ok || e.Code != -1 || e.Err == nil {
		t.Errorf("Exit = %+v %v, want an unknown code with a reason", e, ok)
	}
	spec2 := supervisedSpec(t, sh, "-c", "exit 3")
	h2, err := r.Start(context.Background(), spec2)
	if err != nil {
		t.Fatal(err)
	}
	<-r.Exited(h2)
	if e, ok := New().LastExit(h2, spec2.LogPath); !ok || e.Code != 3 {
		t.Errorf("recorded exit after a new supervisor = %+v %v, want 3", e, ok)
	}
	if r.sup == old {
		t.Error("no new supervisor was started")
	}
}

// Prepare starts the supervisor ahead of the first Start, and that Start
// uses it; without RecordExits it starts nothing.
func TestPrepareStartsTheSupervisor(t *testing.T) {
	sleep := testutil.NeedTool(t, "sleep", "apt-get install -y coreutils")
	plain := New()
	plain.Prepare()
	if plain.sup != nil {
		t.Error("Prepare started a supervisor for a Runner that records no exits")
	}
	r := New()
	r.RecordExits = true
	t.Cleanup(func() { r.Close() })
	r.Prepare()
	r.supMu.Lock()
	c := r.sup
	r.supMu.Unlock()
	if c == nil {
		t.Fatal("Prepare started no supervisor")
	}
	h, err := r.Start(context.Background(), supervisedSpec(t, sleep, "60"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Stop(context.Background(), h, time.Second) })
	if sup, _ := supOf(h.PID); sup != c.cmd.Process.Pid {
		t.Errorf("the process's supervisor is %d, want the prepared one %d", sup, c.cmd.Process.Pid)
	}
}

// startSupervisedSleep starts a sleep through r's supervisor (it sets
// RecordExits) and returns its handle and the supervisor's pid.
func startSupervisedSleep(t *testing.T, r *Runner) (runtimes.Handle, int) {
	t.Helper()
	sleep := testutil.NeedTool(t, "sleep", "apt-get install -y coreutils")
	r.RecordExits = true
	h, err := r.Start(context.Background(), supervisedSpec(t, sleep, "60"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Stop(context.Background(), h, time.Second) })
	sup, _ := supOf(h.PID)
	if sup == 0 {
		t.Fatal("no supervisor")
	}
	return h, sup
}

// A start whose answer cannot reach trustform (it died, say SIGKILLed with
// starts under way) is undone: nobody will record the process, and the
// next apply, which looks for leftovers first, would start the resource a
// second time (TestCrashRecovery saw it once under load).
func TestSupervisorUndoesAStartItCannotAnswer(t *testing.T) {
	sleep := testutil.NeedTool(t, "sleep", "apt-get install -y coreutils")
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	r.Close() // writes now fail with EPIPE, as to a dead trustform
	defer w.Close()
	devnull, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer devnull.Close()
	s := newSupServer(w, devnull)
	dir := t.TempDir()
	s.children.Add(1)
	s.launch(&supRequest{ID: 1, Path: sleep, Argv: []string{"sleep", "60"}, Dir: dir,
		Env: []string{"PATH=" + os.Getenv("PATH")}, Log: filepath.Join(dir, "sleep.log")})
	s.mu.Lock()
	var pid int
	for p := range s.procs {
		pid = p
	}
	s.mu.Unlock()
	if pid == 0 {
		t.Fatal("the start was not made at all; this test wants it made, then undone")
	}
	// Our test process is its parent (no reaper runs here): reap it.
	var ws syscall.WaitStatus
	if _, err := syscall.Wait4(pid, &ws, 0, nil); err != nil {
		t.Fatal(err)
	}
	if !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Errorf("the process ended with %v, want killed by SIGKILL", ws)
	}

	// Once the connection has ended, no start is made.
	s.hungUp.Store(true)
	s.children.Add(1)
	s.launch(&supRequest{ID: 2, Path: sleep, Argv: []string{"sleep", "60"}, Dir: dir,
		Env: []string{"PATH=" + os.Getenv("PATH")}, Log: filepath.Join(dir, "sleep2.log")})
	s.mu.Lock()
	n := len(s.procs)
	s.mu.Unlock()
	if n != 1 {
		t.Errorf("a start after the hang-up was made: %d processes registered, want the first only", n)
	}
	if _, err := os.Stat(filepath.Join(dir, "sleep2.log")); err == nil {
		t.Error("a start after the hang-up opened its log")
	}
}

// readEnviron reads the whole environment a process was started with.
func readEnviron(pid int) (map[string]string, error) {
	b, err := readProcFile(fmt.Sprintf("%s/%d/environ", procRoot, pid))
	if err != nil {
		return nil, err
	}
	env := map[string]string{}
	for _, kv := range bytes.Split(b, []byte{0}) {
		k, v, ok := bytes.Cut(kv, []byte{'='})
		if ok && len(k) > 0 {
			if _, dup := env[string(k)]; !dup {
				env[string(k)] = string(v)
			}
		}
	}
	return env, nil
}

// pidfdsByTask counts, for each thread of process pid, the pidfds in its
// descriptor table.
func pidfdsByTask(t *testing.T, pid int) map[string]int {
	t.Helper()
	tasks, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, task := range tasks {
		dir := fmt.Sprintf("/proc/%d/task/%s/fd", pid, task.Name())
		fds, err := os.ReadDir(dir)
		if err != nil {
			continue // the thread has ended
		}
		counts[task.Name()] = 0
		for _, fd := range fds {
			if l, err := os.Readlink(filepath.Join(dir, fd.Name())); err == nil && l == "anon_inode:[pidfd]" {
				counts[task.Name()]++
			}
		}
	}
	return counts
}

// startSleeps starts n sleeps through r's supervisor and returns their
// handles and log paths.
func startSleeps(t *testing.T, r *Runner, n int) ([]runtimes.Handle, []string) {
	t.Helper()
	sleep := testutil.NeedTool(t, "sleep", "apt-get install -y coreutils")
	r.RecordExits = true
	var hs []runtimes.Handle
	var logs []string
	for range n {
		spec := supervisedSpec(t, sleep, "60")
		h, err := r.Start(context.Background(), spec)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { r.Stop(context.Background(), h, time.Second) })
		hs = append(hs, h)
		logs = append(logs, spec.LogPath)
	}
	return hs, logs
}

// superviseSleeps starts n sleeps through a new Runner's supervisor and
// returns the Runner, their handles and logs, and the supervisor's pid.
func superviseSleeps(t *testing.T, n int) (*Runner, []runtimes.Handle, []string, int) {
	t.Helper()
	r := New()
	t.Cleanup(func() { r.Close() })
	hs, logs := startSleeps(t, r, n)
	sup, _ := supOf(hs[0].PID)
	if sup == 0 {
		t.Fatal("no supervisor")
	}
	return r, hs, logs, sup
}

// stopAndCheckExits stops every process and checks that its supervisor
// recorded its end (SIGTERM: 143) before Stop returned.
func stopAndCheckExits(t *testing.T, r *Runner, hs []runtimes.Handle, logs []string) {
	t.Helper()
	for i, h := range hs {
		if err := r.Stop(context.Background(), h, 5*time.Second); err != nil {
			t.Fatal(err)
		}
		if e, ok := New().LastExit(h, logs[i]); !ok || e.Code != 143 {
			t.Errorf("process %d: recorded exit %+v %v, want code 143", i, e, ok)
		}
	}
}

// The supervisor learns of each end from the child's pidfd, held by one
// thread only: in the table children are forked from, a descriptor per
// child would be copied into every fork (see supServer).
func TestSupervisorWatchesPidfdsInItsOwnTable(t *testing.T) {
	r, hs, logs, sup := superviseSleeps(t, 3)
	counts := waitPidfds(t, sup, len(hs))
	holders := 0
	for task, n := range counts {
		switch n {
		case 0:
		case len(hs):
			holders++
		default:
			t.Errorf("thread %s of the supervisor holds %d pidfds, want %d or none", task, n, len(hs))
		}
	}
	if holders != 1 || len(counts) < 2 {
		t.Errorf("pidfds by thread = %v, want one thread holding %d and the others none", counts, len(hs))
	}
	stopAndCheckExits(t, r, hs, logs)
	if n := sumCounts(waitPidfds(t, sup, 0)); n != 0 {
		t.Errorf("%d pidfds left once every child was reaped", n)
	}
}

// When the supervisor cannot have a pidfd for a child (here: no
// descriptor left under RLIMIT_NOFILE), it closes them all and waits for
// any child instead; no end goes unrecorded, those of the children it
// watched before included.
func TestSupervisorFallsBackWithoutDescriptors(t *testing.T) {
	r, hs, logs, sup := superviseSleeps(t, 2)
	if n := sumCounts(waitPidfds(t, sup, 2)); n != 2 {
		t.Fatalf("the supervisor holds %d pidfds, want 2", n)
	}
	// Room for the starts' own descriptors (log, exec pipe), not for a
	// pidfd per child in the reaper's table, which holds the same ones.
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", sup))
	if err != nil {
		t.Fatal(err)
	}
	limit := uint64(len(fds) + 4)
	if err := unix.Prlimit(sup, unix.RLIMIT_NOFILE, &unix.Rlimit{Cur: limit, Max: limit}, nil); err != nil {
		t.Skipf("cannot lower the supervisor's RLIMIT_NOFILE: %v", err)
	}
	more, moreLogs := startSleeps(t, r, 8)
	hs, logs = append(hs, more...), append(logs, moreLogs...)
	if n := sumCounts(waitPidfds(t, sup, 0)); n != 0 {
		t.Errorf("the supervisor holds %d pidfds after running out of descriptors, want none (it waits for any child)", n)
	}
	stopAndCheckExits(t, r, hs, logs)
}

// waitPidfds waits until the supervisor sup holds want pidfds in all (its
// reaper opens them once told of a start) and returns them by thread.
func waitPidfds(t *testing.T, sup, want int) map[string]int {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		counts := pidfdsByTask(t, sup)
		if sumCounts(counts) == want || time.Now().After(deadline) {
			return counts
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func sumCounts(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}
