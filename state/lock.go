package state

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/trustform/trustform/internal/safepath"
)

// LockInfo says who holds the state lock. It is the JSON content of
// state.lock.
type LockInfo struct {
	// ID is random per lock, so two holders with a reused pid differ.
	ID      string    `json:"id"`
	PID     int       `json:"pid"`
	Host    string    `json:"host"`
	Started time.Time `json:"started"`
	// Command is what the holder runs, e.g. "trustform apply". Do not put
	// secrets (variable values) in it: the file may outlive the run.
	Command string `json:"command"`
}

// NewLockInfo describes this process running command since now, with an ID
// read from rand.
func NewLockInfo(command string, now time.Time, rand io.Reader) LockInfo {
	host, _ := os.Hostname()
	return LockInfo{
		ID:      NewLineage(rand),
		PID:     os.Getpid(),
		Host:    host,
		Started: now.UTC().Truncate(time.Second),
		Command: command,
	}
}

// LockHandle is a held state lock.
type LockHandle struct {
	// Info is what this holder wrote into the lock file.
	Info LockInfo
	// TakenOver, when not nil, describes a previous holder that died
	// without unlocking (its file was left but no process held the OS
	// lock); the caller should warn the user that its run was cut short.
	// Zero fields mean the old file could not be read.
	TakenOver *LockInfo

	mu   sync.Mutex
	path string
	f    *os.File
	// shared marks a reader's lock (LockShared): it wrote nothing.
	shared bool
	// madeDir is true when locking created .trustform: Unlock removes it
	// again if nothing else was put there, so a run that failed before
	// saving anything leaves no trace.
	madeDir bool
}

// LockedError reports that another live process holds the state lock.
type LockedError struct {
	// Path is the lock file.
	Path string
	// Holder is read from the lock file; zero fields mean the holder had
	// not written it yet.
	Holder LockInfo
	// Waited is how long LockContext retried before giving up (0: it did not).
	Waited time.Duration
}

func (e *LockedError) Error() string {
	who := "another trustform run"
	if e.Holder.PID != 0 {
		who = fmt.Sprintf("pid %d", e.Holder.PID)
		if e.Holder.Command != "" {
			who += " (" + e.Holder.Command + ")"
		}
		if !e.Holder.Started.IsZero() {
			who += " since " + e.Holder.Started.Format(time.RFC3339)
		}
	}
	if e.Waited > 0 {
		return fmt.Sprintf("state is locked by %s: still locked after waiting %s; wait for it to finish, or use a longer -lock-timeout", who, e.Waited)
	}
	return fmt.Sprintf("state is locked by %s: wait for it to finish, or use -lock-timeout", who)
}

// lockPoll is how often a waiting LockContext retries.
const lockPoll = 100 * time.Millisecond

// LockContext takes the state lock at path (state.lock), writing info into
// it. If another live process holds it, it returns a *LockedError at once
// when timeout is 0, or retries until timeout has passed or ctx is done
// (Ctrl-C). A lock file whose holder died is taken over and reported in
// TakenOver. PID and Host are filled in when info leaves them zero.
func LockContext(ctx context.Context, path string, info LockInfo, timeout time.Duration) (*LockHandle, error) {
	if info.PID == 0 {
		info.PID = os.Getpid()
	}
	if info.Host == "" {
		info.Host, _ = os.Hostname()
	}
	content, err := json.MarshalIndent(info, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("locking state: %w", err)
	}
	content = append(content, '\n')
	dir := filepath.Dir(path)
	made := false
	if _, err := os.Lstat(dir); errors.Is(err, os.ErrNotExist) {
		made = true
	}
	if err := safepath.MkdirAll(dir, dir, 0o755); err != nil {
		return nil, fmt.Errorf("locking state: %w", err)
	}

	var deadline <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(timeout)
		defer t.Stop()
		deadline = t.C
	}
	for {
		h, holder, err := tryLock(path, info, content, false)
		if errors.Is(err, os.ErrNotExist) {
			// The holder that created .trustform removed it, empty, as it
			// unlocked: make it again, ours to remove now.
			if err := safepath.MkdirAll(dir, dir, 0o755); err != nil {
				return nil, fmt.Errorf("locking state: %w", err)
			}
			made = true
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("locking state with %s: %w", path, err)
		}
		if h != nil {
			h.madeDir = made
			return h, nil
		}
		if holder == nil {
			// The file changed under us (its holder just unlocked):
			// try again at once.
			continue
		}
		if err := waitForHolder(ctx, deadline, path, *holder, timeout); err != nil {
			return nil, err
		}
	}
}

// LockShared takes the state lock at path for reading, waiting up to
// timeout as LockContext does. Any number of readers (plan, status) hold it at
// once, but never while a writer (apply, destroy) does: a reader never
// sees state in the middle of a change, such as a journal an apply is
// still writing. A missing .trustform holds no state to protect:
// LockShared then returns a handle that does nothing, and creates nothing.
func LockShared(ctx context.Context, path string, timeout time.Duration) (*LockHandle, error) {
	dir := filepath.Dir(path)
	if _, err := os.Lstat(dir); errors.Is(err, os.ErrNotExist) {
		return &LockHandle{path: path, shared: true}, nil
	}
	if err := safepath.Dir(dir, dir); err != nil {
		return nil, fmt.Errorf("locking state: %w", err)
	}
	var deadline <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(timeout)
		defer t.Stop()
		deadline = t.C
	}
	for {
		h, holder, err := tryLock(path, LockInfo{}, nil, true)
		if errors.Is(err, os.ErrNotExist) {
			// .trustform went away (a failed first apply removed it).
			return &LockHandle{path: path, shared: true}, nil
		}
		if err != nil {
			return nil, fmt.Errorf("locking state with %s: %w", path, err)
		}
		if h != nil {
			return h, nil
		}
		if holder == nil {
			continue
		}
		if err := waitForHolder(ctx, deadline, path, *holder, timeout); err != nil {
			return nil, err
		}
	}
}

// tryLock makes one attempt. It returns the handle on success; the holder
// when another process holds the lock; neither when the lock file was
// replaced meanwhile and the caller should retry.
func tryLock(path string, info LockInfo, content []byte, shared bool) (*LockHandle, *LockInfo, error) {
	// Never through a link and never anything but a regular file: a
	// planted state.lock link would otherwise have its target truncated
	// (issue 12).
	f, err := safepath.OpenFile(filepath.Dir(path), path, os.O_RDWR|os.O_CREATE, FileMode)
	if err != nil {
		return nil, nil, err
	}
	ok, err := lockFile(f, shared)
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if !ok {
		f.Close()
		holder := readLockInfo(path)
		return nil, &holder, nil
	}
	release := func() {
		unlockFile(f)
		f.Close()
	}
	// A holder unlocks by removing the file; if it did so after we opened
	// it, we locked an orphan and must start again on the new file.
	if fi, err := f.Stat(); err != nil {
		release()
		return nil, nil, err
	} else if cur, err := os.Lstat(path); err != nil || !os.SameFile(fi, cur) {
		release()
		return nil, nil, nil
	}

	h := &LockHandle{Info: info, path: path, f: f, shared: shared}
	if shared {
		return h, nil, nil
	}
	old, err := io.ReadAll(io.NewSectionReader(f, 0, 1<<20))
	if err != nil {
		release()
		return nil, nil, err
	}
	// Unlock empties the file before letting go, so content here means
	// the previous holder died holding it.
	if len(bytes.TrimSpace(old)) > 0 {
		var prev LockInfo
		if json.Unmarshal(old, &prev) != nil {
			prev = LockInfo{}
		}
		h.TakenOver = &prev
	}
	if err := f.Truncate(0); err != nil {
		release()
		return nil, nil, err
	}
	// The holder's description only helps whoever waits: a full disk must
	// not stop a destroy from stopping processes (issue 12), so a failed
	// write leaves the file empty (read as "another trustform run") and
	// the lock, which is the flock, is held all the same.
	if _, err := f.WriteAt(content, 0); err != nil {
		f.Truncate(0)
	} else if err := f.Sync(); err != nil {
		f.Truncate(0)
	}
	return h, nil, nil
}

// readLockInfo reads the holder from the lock file; zero when it cannot be
// read (the holder may be writing it right now).
func readLockInfo(path string) LockInfo {
	var info LockInfo
	f, err := safepath.OpenFile(filepath.Dir(path), path, os.O_RDONLY, 0)
	if err != nil {
		return info
	}
	defer f.Close()
	if data, err := io.ReadAll(io.LimitReader(f, 1<<20)); err == nil {
		json.Unmarshal(data, &info)
	}
	return info
}

// Unlock releases the lock and removes the lock file. Calling it again does
// nothing.
func (h *LockHandle) Unlock() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.f == nil {
		return nil
	}
	f := h.f
	h.f = nil
	if h.shared {
		// The last reader removes the file, if empty: a writer's left
		// content is how the next writer learns a run was cut short.
		if removeWhileLocked && upgradeWithoutWaiting(f) {
			if fi, err := f.Stat(); err == nil && fi.Size() == 0 {
				os.Remove(h.path)
			}
		}
		unlockFile(f)
		return f.Close()
	}
	// Emptied first, so that if removal fails the file left behind does
	// not look like a dead holder's.
	errs := []error{f.Truncate(0)}
	if removeWhileLocked {
		if err := os.Remove(h.path); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	errs = append(errs, unlockFile(f), f.Close())
	if !removeWhileLocked {
		// Another process may have the file open for a moment, which
		// makes removal fail on Windows; an empty lock file is harmless.
		os.Remove(h.path)
	}
	if h.madeDir {
		os.Remove(filepath.Dir(h.path)) // only succeeds when empty
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("unlocking state: %w", err)
	}
	return nil
}

// waitForHolder waits one poll interval for the lock's holder to let go. It
// returns an error when the caller must give up: no waiting was asked for,
// the deadline passed, or ctx ended. The exclusive and shared locks share it
// so both report a busy lock the same way.
func waitForHolder(ctx context.Context, deadline <-chan time.Time, path string, holder LockInfo, timeout time.Duration) error {
	if timeout <= 0 {
		return &LockedError{Path: path, Holder: holder}
	}
	select {
	case <-deadline:
		return &LockedError{Path: path, Holder: holder, Waited: timeout}
	case <-ctx.Done():
		return fmt.Errorf("waiting for the state lock: %w", ctx.Err())
	case <-time.After(lockPoll):
		return nil
	}
}
