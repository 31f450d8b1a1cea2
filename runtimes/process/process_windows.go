package process

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/windows"

	"github.com/trustform/trustform/runtimes"
)

const pathSeparators = `/\`

// stillActive is what GetExitCodeProcess reports for a running process.
const stillActive = 259

// Environment names are case-insensitive on Windows.
func envKey(name string) string { return strings.ToUpper(name) }

// detachedAttr starts the child without a console of its own or trustform's
// (so closing the terminal does not end it) and in a new process group.
func detachedAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{
		CreationFlags: windows.CREATE_NEW_PROCESS_GROUP | windows.DETACHED_PROCESS,
		HideWindow:    true,
	}
}

// executable accepts path as given when it exists, else tries the usual
// executable extensions.
func executable(path string) (string, error) {
	if fi, err := os.Stat(path); err == nil && !fi.IsDir() {
		return path, nil
	}
	for _, ext := range []string{".exe", ".com", ".bat", ".cmd"} {
		if fi, err := os.Stat(path + ext); err == nil && !fi.IsDir() {
			return path + ext, nil
		}
	}
	return "", fmt.Errorf("%s: %w", path, os.ErrNotExist)
}

func handleOf(p *os.Process) (runtimes.Handle, error) {
	start, _, err := processInfo(p.Pid)
	if err != nil {
		return runtimes.Handle{}, err
	}
	return runtimes.Handle{PID: p.Pid, StartTime: start}, nil
}

// errGone means no process has the pid.
var errGone = errors.New("no such process")

// processInfo returns the creation time (FILETIME as one number) and whether
// the process still runs.
func processInfo(pid int) (start uint64, running bool, err error) {
	h, err := windows.OpenProcess(windows.PROCESS_QUERY_LIMITED_INFORMATION, false, uint32(pid))
	if err != nil {
		if errors.Is(err, windows.ERROR_INVALID_PARAMETER) {
			return 0, false, errGone
		}
		return 0, false, fmt.Errorf("opening pid %d: %w", pid, err)
	}
	defer windows.CloseHandle(h)
	var creation, exit, kernel, user windows.Filetime
	if err := windows.GetProcessTimes(h, &creation, &exit, &kernel, &user); err != nil {
		return 0, false, fmt.Errorf("reading times of pid %d: %w", pid, err)
	}
	var code uint32
	if err := windows.GetExitCodeProcess(h, &code); err != nil {
		return 0, false, fmt.Errorf("reading exit code of pid %d: %w", pid, err)
	}
	return uint64(creation.HighDateTime)<<32 | uint64(creation.LowDateTime), code == stillActive, nil
}

// Status reports whether the process h names is still running.
func (r *Runner) Status(ctx context.Context, h runtimes.Handle) (runtimes.Status, error) {
	if h.PID <= 0 || h.StartTime == 0 {
		return runtimes.StatusMissing, nil
	}
	if _, ok := r.Exit(h); ok {
		return runtimes.StatusExited, nil
	}
	start, running, err := processInfo(h.PID)
	switch {
	case errors.Is(err, errGone):
		return runtimes.StatusExited, nil
	case err != nil:
		return "", err
	case start != h.StartTime:
		return runtimes.StatusMissing, nil
	case !running:
		return runtimes.StatusExited, nil
	}
	return runtimes.StatusRunning, nil
}

// Stop asks the process tree to close (taskkill /T), waits up to grace, then
// ends the tree by force (taskkill /F /T). Console programs started detached
// have no window to close, so for them the polite step does nothing and the
// grace period only gives them time to finish on their own.
func (r *Runner) Stop(ctx context.Context, h runtimes.Handle, grace time.Duration) error {
	if h.PID <= 0 || h.StartTime == 0 {
		return nil
	}
	alive := func() (bool, error) {
		start, running, err := processInfo(h.PID)
		if errors.Is(err, errGone) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		return start == h.StartTime && running, nil
	}
	if a, err := alive(); err != nil || !a {
		return err
	}
	pid := strconv.Itoa(h.PID)
	_ = exec.CommandContext(ctx, "taskkill", "/T", "/PID", pid).Run()
	deadline := time.Now().Add(grace)
	for time.Now().Before(deadline) {
		if a, err := alive(); err != nil || !a {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	// Check identity once more right before forcing.
	if a, err := alive(); err != nil || !a {
		return err
	}
	if out, err := exec.CommandContext(ctx, "taskkill", "/F", "/T", "/PID", pid).CombinedOutput(); err != nil {
		if a, _ := alive(); !a {
			return nil
		}
		return fmt.Errorf("taskkill /F /T /PID %s: %w: %s", pid, err, strings.TrimSpace(string(out)))
	}
	return nil
}

const (
	noFollow = 0
	nonBlock = 0
)

func isLoop(error) bool { return false }

func clearNonBlock(*os.File) error { return nil }

// scanned is what a scan read of one process; nothing scans here.
type scanned struct{}
