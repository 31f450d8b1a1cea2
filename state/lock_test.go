package state

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// holderEnv makes the test binary, re-executed, hold the lock named by its
// value until stdin closes; holderKeepEnv makes it exit without unlocking.
const (
	holderEnv     = "TRUSTFORM_STATE_TEST_HOLD_LOCK"
	holderKeepEnv = "TRUSTFORM_STATE_TEST_KEEP_LOCK"
)

func TestMain(m *testing.M) {
	if path := os.Getenv(holderEnv); path != "" {
		os.Exit(holdLock(path))
	}
	os.Exit(m.Run())
}

func holdLock(path string) int {
	info := NewLockInfo("trustform apply", time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC), bytes.NewReader(make([]byte, 16)))
	l, err := LockContext(context.Background(), path, info, 0)
	if err != nil {
		fmt.Println("error:", err)
		return 1
	}
	fmt.Println("locked")
	io.Copy(io.Discard, os.Stdin)
	if os.Getenv(holderKeepEnv) == "" {
		if err := l.Unlock(); err != nil {
			fmt.Println("error:", err)
			return 1
		}
	}
	return 0
}

type holder struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
}

// startHolder runs a child process that holds the lock at path.
func startHolder(t *testing.T, path string, keep bool) *holder {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^$")
	// GORACE: a race-enabled child otherwise sleeps a second at exit.
	cmd.Env = append(os.Environ(), holderEnv+"="+path, "GORACE=atexit_sleep_ms=0")
	if keep {
		cmd.Env = append(cmd.Env, holderKeepEnv+"=1")
	}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	h := &holder{cmd: cmd, stdin: stdin}
	t.Cleanup(func() {
		stdin.Close()
		cmd.Process.Kill()
		cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if strings.TrimSpace(line) != "locked" {
		t.Fatalf("holder said %q (%v)", line, err)
	}
	return h
}

func info(cmd string) LockInfo {
	return NewLockInfo(cmd, time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC), bytes.NewReader(bytes.Repeat([]byte{7}, 16)))
}

func lockPath(t *testing.T) string {
	return filepath.Join(t.TempDir(), ".trustform", "state.lock")
}

func TestLockUnlock(t *testing.T) {
	path := lockPath(t)
	l, err := LockContext(context.Background(), path, info("trustform apply"), 0)
	if err != nil {
		t.Fatal(err)
	}
	if l.TakenOver != nil {
		t.Errorf("fresh lock reports a takeover: %+v", l.TakenOver)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var got LockInfo
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatalf("lock file is not JSON: %v\n%s", err, data)
	}
	if got.PID != os.Getpid() || got.Command != "trustform apply" || got.ID == "" || got.Host == "" {
		t.Errorf("lock file holds %+v", got)
	}
	if !strings.Contains(string(data), `"started": "2026-01-01T12:00:00Z"`) {
		t.Errorf("started is not RFC 3339 in %s", data)
	}
	if err := l.Unlock(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Error("Unlock left the lock file")
	}
	if err := l.Unlock(); err != nil {
		t.Errorf("second Unlock: %v", err)
	}
	l2, err := LockContext(context.Background(), path, info("trustform destroy"), 0)
	if err != nil {
		t.Fatalf("relock after Unlock: %v", err)
	}
	if l2.TakenOver != nil {
		t.Error("relock after a clean Unlock reports a takeover")
	}
	l2.Unlock()
}

func TestLockContendedInProcess(t *testing.T) {
	path := lockPath(t)
	first, err := LockContext(context.Background(), path, info("trustform apply"), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Unlock()
	_, err = LockContext(context.Background(), path, info("trustform destroy"), 0)
	var le *LockedError
	if !errors.As(err, &le) {
		t.Fatalf("second Lock = %v, want *LockedError", err)
	}
	if le.Holder.PID != os.Getpid() || le.Holder.Command != "trustform apply" {
		t.Errorf("Holder = %+v", le.Holder)
	}
	want := fmt.Sprintf("state is locked by pid %d (trustform apply) since 2026-01-01T12:00:00Z: wait for it to finish, or use -lock-timeout", os.Getpid())
	if err.Error() != want {
		t.Errorf("message\n%s\nwant\n%s", err, want)
	}
	// The failed attempt must not have disturbed the holder's file.
	data, _ := os.ReadFile(path)
	if !strings.Contains(string(data), "trustform apply") {
		t.Errorf("lock file changed by a failed attempt: %s", data)
	}
}

func TestLockTakesOverStale(t *testing.T) {
	path := lockPath(t)
	dead := LockInfo{ID: "x", PID: 999999, Host: "h", Started: time.Date(2025, 5, 5, 0, 0, 0, 0, time.UTC), Command: "trustform apply"}
	os.MkdirAll(filepath.Dir(path), 0o755)
	data, _ := json.Marshal(dead)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	l, err := LockContext(context.Background(), path, info("trustform apply"), 0)
	if err != nil {
		t.Fatalf("Lock over a stale file: %v", err)
	}
	defer l.Unlock()
	if l.TakenOver == nil || *l.TakenOver != dead {
		t.Errorf("TakenOver = %+v, want %+v", l.TakenOver, dead)
	}
	now, _ := os.ReadFile(path)
	if !strings.Contains(string(now), fmt.Sprintf(`"pid": %d`, os.Getpid())) {
		t.Errorf("lock file not rewritten with our info: %s", now)
	}
}

func TestLockTakesOverUnreadableStale(t *testing.T) {
	path := lockPath(t)
	os.MkdirAll(filepath.Dir(path), 0o755)
	os.WriteFile(path, []byte("{torn"), 0o600)
	l, err := LockContext(context.Background(), path, info("trustform apply"), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Unlock()
	if l.TakenOver == nil || *l.TakenOver != (LockInfo{}) {
		t.Errorf("TakenOver = %+v, want an empty LockInfo", l.TakenOver)
	}
}

func TestLockTimeout(t *testing.T) {
	path := lockPath(t)
	first, err := LockContext(context.Background(), path, info("trustform apply"), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Unlock()
	_, err = LockContext(context.Background(), path, info("trustform destroy"), 250*time.Millisecond)
	var le *LockedError
	if !errors.As(err, &le) {
		t.Fatalf("Lock with timeout = %v, want *LockedError", err)
	}
	if le.Waited != 250*time.Millisecond || !strings.Contains(err.Error(), "after waiting 250ms") {
		t.Errorf("Waited = %v, message %q", le.Waited, err)
	}
}

func TestLockWaitsForRelease(t *testing.T) {
	path := lockPath(t)
	first, err := LockContext(context.Background(), path, info("trustform apply"), 0)
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan error, 1)
	go func() {
		l, err := LockContext(context.Background(), path, info("trustform destroy"), time.Hour)
		if err == nil {
			if l.TakenOver != nil {
				err = fmt.Errorf("takeover reported after a clean unlock: %+v", l.TakenOver)
			}
			l.Unlock()
		}
		got <- err
	}()
	// The waiter cannot have succeeded yet: the lock is held.
	select {
	case err := <-got:
		t.Fatalf("waiter returned while the lock was held: %v", err)
	default:
	}
	if err := first.Unlock(); err != nil {
		t.Fatal(err)
	}
	if err := <-got; err != nil {
		t.Fatal(err)
	}
}

func TestLockContextCancel(t *testing.T) {
	path := lockPath(t)
	first, err := LockContext(context.Background(), path, info("trustform apply"), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Unlock()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = LockContext(ctx, path, info("x"), time.Hour)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("LockContext = %v, want context.Canceled", err)
	}
}

func TestLockCrossProcess(t *testing.T) {
	path := lockPath(t)
	h := startHolder(t, path, false)
	pid := h.cmd.Process.Pid

	_, err := LockContext(context.Background(), path, info("trustform destroy"), 0)
	var le *LockedError
	if !errors.As(err, &le) {
		t.Fatalf("Lock = %v, want *LockedError", err)
	}
	if le.Holder.PID != pid {
		t.Errorf("Holder.PID = %d, want the child's %d", le.Holder.PID, pid)
	}
	if want := fmt.Sprintf("state is locked by pid %d (trustform apply) since 2026-03-04T05:06:07Z", pid); !strings.HasPrefix(err.Error(), want) {
		t.Errorf("message %q, want prefix %q", err, want)
	}

	// The holder finishes cleanly: the lock is free, with no takeover.
	h.stdin.Close()
	if err := h.cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	l, err := LockContext(context.Background(), path, info("trustform destroy"), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Unlock()
	if l.TakenOver != nil {
		t.Errorf("TakenOver = %+v after a clean exit", l.TakenOver)
	}
}

func TestLockCrossProcessDeadHolder(t *testing.T) {
	path := lockPath(t)
	h := startHolder(t, path, true)
	pid := h.cmd.Process.Pid
	// Exiting without Unlock: the OS drops the lock, the file stays.
	h.stdin.Close()
	if err := h.cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("dead holder's file is gone: %v", err)
	}
	l, err := LockContext(context.Background(), path, info("trustform apply"), 0)
	if err != nil {
		t.Fatalf("Lock after the holder died: %v", err)
	}
	defer l.Unlock()
	if l.TakenOver == nil || l.TakenOver.PID != pid || l.TakenOver.Command != "trustform apply" {
		t.Errorf("TakenOver = %+v, want the dead holder (pid %d)", l.TakenOver, pid)
	}
}

func TestLockCrossProcessWaits(t *testing.T) {
	path := lockPath(t)
	h := startHolder(t, path, false)
	got := make(chan error, 1)
	go func() {
		l, err := LockContext(context.Background(), path, info("trustform destroy"), time.Hour)
		if err == nil {
			l.Unlock()
		}
		got <- err
	}()
	h.stdin.Close()
	if err := <-got; err != nil {
		t.Fatalf("waiting Lock = %v", err)
	}
}
