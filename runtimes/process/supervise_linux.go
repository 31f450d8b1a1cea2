package process

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/trustform/trustform/internal/layout"
	"github.com/trustform/trustform/runtimes"
)

// EnvSupervisor marks the supervisor shell in its environment (the
// program it starts does not inherit it), so FindOrphans never takes the
// supervisor for the resource.
const EnvSupervisor = "TRUSTFORM_SUPERVISOR"

// supervisorScript is run by sh as the parent of a resource's process when
// Runner.RecordExits is set. trustform itself does not outlive apply, and
// a detached process's exit status goes to whoever reaps it (pid 1, which
// may not reap at all), so the shell stays as the parent and writes
// "PID STATUS" next to the log when the process ends; the file's
// modification time is the exit time.
//
// The program gets a session and process group of its own through setsid
// (in place: a background job of a non-interactive shell is not a group
// leader), so signals to its group never reach the shell. The shell tells
// its pid on fd 4, then waits for a line on stdin before reaping anything,
// so trustform can read the start time of even a program that exited at
// once. After the program ends the shell runs builtins only (no fork, so
// it ends at once). The status file is created with noclobber (O_EXCL:
// never through a planted link); Start removed any old one.
//
// Once the program runs, the shell's stderr is /dev/null: dash reports a
// waited job that a signal ended ("Terminated", "Killed") on stderr, which
// is the resource's log, so every stop added a line the program never
// wrote.
//
// The shell's own environment lacks trustform's markers, which it exports
// for the program only (they come as NAME=VALUE arguments up to "--"; none
// is secret): whatever looks for our processes by their markers finds the
// program and never the shell.
const supervisorScript = `exitfile=$1; setsid=$2; shift 2
while [ "$1" != -- ]; do export "$1"; shift; done; shift
unset ` + EnvSupervisor + `
"$setsid" "$@" </dev/null >&3 2>&3 3>&- 4>&- &
c=$!
echo "$c" >&4
exec 4>&-
read -r _ || :
exec 0</dev/null 3>&- 2>/dev/null
wait "$c"
s=$?
set -C
printf '%s %s\n' "$c" "$s" >"$exitfile"
`

// supervisorTools returns sh and setsid, or false when either is missing
// (the process is then started directly, and its exit is known only while
// this trustform runs).
func supervisorTools() (sh, setsid string, ok bool) {
	sh, err1 := exec.LookPath("sh")
	setsid, err2 := exec.LookPath("setsid")
	return sh, setsid, err1 == nil && err2 == nil
}

// supervisorTools looks sh and setsid up once per Runner: looking them up
// in a long PATH at every start cost 30 failed stats each time.
func (r *Runner) supervisorTools() (sh, setsid string, ok bool) {
	r.toolsOnce.Do(func() { r.sh, r.setsid, r.toolsOK = supervisorTools() })
	return r.sh, r.setsid, r.toolsOK
}

// startSupervised starts path under the supervisor shell and returns the
// program's handle; the runner reaps the shell.
func (r *Runner) startSupervised(spec *runtimes.LaunchSpec, path string, env []string, logFile *os.File, instance string) (runtimes.Handle, bool, error) {
	sh, setsid, ok := r.supervisorTools()
	if !ok || spec.LogPath == "" {
		return runtimes.Handle{}, false, nil
	}
	exitPath := layout.ExitPath(spec.LogPath)
	// The shell creates it exclusively; a record of an earlier run (or
	// anything planted there) goes first. Remove unlinks a link itself.
	if err := os.Remove(exitPath); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return runtimes.Handle{}, true, fmt.Errorf("removing the old exit record %s: %w", exitPath, err)
	}
	resR, resW, err := os.Pipe()
	if err != nil {
		return runtimes.Handle{}, true, err
	}
	defer resR.Close()
	inR, inW, err := os.Pipe()
	if err != nil {
		resW.Close()
		return runtimes.Handle{}, true, err
	}
	defer inW.Close()
	args := []string{"sh", "-c", supervisorScript, "trustform-supervisor", exitPath, setsid}
	shEnv := make([]string, 0, len(env)+1)
	for _, kv := range env {
		switch name, _, _ := strings.Cut(kv, "="); name {
		case EnvAddress, EnvLineage, EnvDir, EnvInstance:
			args = append(args, kv)
		default:
			shEnv = append(shEnv, kv)
		}
	}
	args = append(append(args, "--", path), spec.Argv[1:]...)
	cmd := &exec.Cmd{
		Path:        sh,
		Args:        args,
		Dir:         spec.WorkingDir,
		Env:         append(shEnv, EnvSupervisor+"=1"),
		Stdin:       inR,
		Stdout:      logFile,
		Stderr:      logFile,
		ExtraFiles:  []*os.File{logFile, resW},
		SysProcAttr: detachedAttr(),
	}
	err = cmd.Start()
	resW.Close()
	inR.Close()
	if err != nil {
		return runtimes.Handle{}, true, fmt.Errorf("starting %s under the supervisor shell %s: %w", path, sh, err)
	}
	fail := func(err error) (runtimes.Handle, bool, error) {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return runtimes.Handle{}, true, err
	}
	_ = resR.SetReadDeadline(time.Now().Add(30 * time.Second))
	line, err := bufio.NewReader(resR).ReadString('\n')
	pid, perr := strconv.Atoi(strings.TrimSpace(line))
	if err != nil || perr != nil || pid <= 0 {
		return fail(fmt.Errorf("starting %s: the supervisor shell did not report a pid (%q, %v)", path, line, err))
	}
	// $! is known right after the shell forks: wait until the child has
	// become setsid, the leader of its own group, so that signals to the
	// group of the handle never reach the shell.
	var info procInfo
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
		info, err = readProc(pid)
		if err != nil {
			return fail(fmt.Errorf("reading start time of pid %d: %w", pid, err))
		}
		if info.pgid == pid || info.zombie {
			break
		}
		if time.Now().After(deadline) {
			return fail(fmt.Errorf("pid %d did not get a session of its own (is %s the util-linux setsid?)", pid, setsid))
		}
	}
	h := runtimes.Handle{PID: pid, StartTime: info.start, Instance: instance}
	// Now the shell may reap the program.
	_, _ = inW.Write([]byte("\n"))
	inW.Close()
	done := make(chan struct{})
	r.mu.Lock()
	r.done[h] = done
	r.mu.Unlock()
	go func() {
		awaitExit(cmd.Process.Pid)
		werr := cmd.Wait()
		e, ok := readExitFile(exitPath, h)
		if !ok {
			e = runtimes.Exit{Code: -1, Err: fmt.Errorf("its supervisor ended without recording its exit: %v", werr), At: time.Now()}
		}
		r.mu.Lock()
		r.exits[h] = e
		r.mu.Unlock()
		close(done)
	}()
	return h, true, nil
}

// readExitFile reads the status the supervisor recorded for h; the
// file's modification time is when the process ended.
func readExitFile(path string, h runtimes.Handle) (runtimes.Exit, bool) {
	f, err := os.Open(path)
	if err != nil {
		return runtimes.Exit{}, false
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		return runtimes.Exit{}, false
	}
	var pid, code int
	if n, err := fmt.Fscan(f, &pid, &code); n != 2 || err != nil || pid != h.PID {
		return runtimes.Exit{}, false
	}
	e := runtimes.Exit{Code: code, At: fi.ModTime()}
	if code != 0 {
		e.Err = fmt.Errorf("exit status %d", code)
	}
	return e, true
}

// LastExit reports how the process h names ended: from this Runner, when
// it reaped it, else from the status its supervisor recorded next to
// logPath (so also after the trustform that started it has gone). It
// knows nothing of a process started without a supervisor by another run,
// nor of one that still runs.
func (r *Runner) LastExit(h runtimes.Handle, logPath string) (runtimes.Exit, bool) {
	if e, ok := r.Exit(h); ok {
		return e, true
	}
	if logPath == "" || h.PID <= 0 {
		return runtimes.Exit{}, false
	}
	return readExitFile(layout.ExitPath(logPath), h)
}

// supervisorOf returns the pid of h's supervisor shell, 0 when it has
// none (started directly, or the supervisor is gone).
func supervisorOf(pid int) int {
	info, err := readProc(pid)
	if err != nil || info.ppid <= 1 {
		return 0
	}
	env, err := readEnviron(info.ppid)
	if err != nil || env[EnvSupervisor] != "1" {
		return 0
	}
	return info.ppid
}

// supervisorWait bounds how long a stop waits for a supervisor to end.
const supervisorWait = 2 * time.Second

// waitSupervisor waits, briefly, for a supervisor (started at start) to
// record the exit and end, so that what Stop's caller removes next (the
// status file with the log) is not written again behind its back.
func waitSupervisor(pid int, start uint64) {
	if pid <= 0 {
		return
	}
	if _, ok := waitExit(context.Background(), pid, start, supervisorWait); ok {
		return
	}
	deadline := time.Now().Add(supervisorWait)
	for time.Now().Before(deadline) {
		info, err := readProc(pid)
		if errors.Is(err, fs.ErrNotExist) || err != nil || info.zombie {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
}
