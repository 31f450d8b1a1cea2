//go:build unix

package state

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/trustform/trustform/internal/safepath"
)

// A state.lock planted as a link must never be opened through: before
// issue 12 locking truncated the link's target, and a dangling link made
// a file outside .trustform.
func TestLockRefusesPlantedLink(t *testing.T) {
	dir := t.TempDir()
	tf := filepath.Join(dir, ".trustform")
	if err := os.Mkdir(tf, 0o755); err != nil {
		t.Fatal(err)
	}
	victim := filepath.Join(dir, "precious.txt")
	if err := os.WriteFile(victim, []byte("do not truncate\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	lock := filepath.Join(tf, "state.lock")
	if err := os.Symlink(victim, lock); err != nil {
		t.Fatal(err)
	}
	_, err := LockContext(context.Background(), lock, info("trustform destroy"), 0)
	var le *safepath.LinkError
	if !errors.As(err, &le) || !strings.Contains(err.Error(), "symbolic link") || !strings.Contains(err.Error(), victim) {
		t.Fatalf("Lock through a link: %v, want a LinkError naming %s", err, victim)
	}
	if b, _ := os.ReadFile(victim); string(b) != "do not truncate\n" {
		t.Fatalf("the link's target was changed to %q", b)
	}

	// Dangling: nothing may be created where it points.
	os.Remove(lock)
	ghost := filepath.Join(dir, "elsewhere", "created")
	os.Mkdir(filepath.Dir(ghost), 0o755)
	if err := os.Symlink(ghost, lock); err != nil {
		t.Fatal(err)
	}
	if _, err := LockContext(context.Background(), lock, info("trustform apply"), 0); err == nil {
		t.Fatal("Lock through a dangling link succeeded")
	}
	if _, err := os.Lstat(ghost); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("Lock created %s through a dangling link (%v)", ghost, err)
	}
}

func TestLockRefusesFIFOAndLinkedDir(t *testing.T) {
	dir := t.TempDir()
	tf := filepath.Join(dir, ".trustform")
	os.Mkdir(tf, 0o755)
	lock := filepath.Join(tf, "state.lock")
	if err := syscall.Mkfifo(lock, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	done := make(chan error, 1)
	go func() { _, err := LockContext(context.Background(), lock, info("trustform apply"), 0); done <- err }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "named pipe") {
			t.Fatalf("Lock on a FIFO: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Lock on a FIFO hangs")
	}

	// .trustform itself a link to a directory elsewhere.
	other := filepath.Join(t.TempDir(), "real")
	os.Mkdir(other, 0o755)
	dir2 := t.TempDir()
	if err := os.Symlink(other, filepath.Join(dir2, ".trustform")); err != nil {
		t.Fatal(err)
	}
	_, err := LockContext(context.Background(), filepath.Join(dir2, ".trustform", "state.lock"), info("trustform apply"), 0)
	if err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Fatalf("Lock in a linked .trustform: %v", err)
	}
	if entries, _ := os.ReadDir(other); len(entries) != 0 {
		t.Fatalf("Lock wrote into the link's target: %v", entries)
	}
}

// A run that fails before saving anything must not leave an empty
// .trustform behind (issue 12, item 9).
func TestUnlockRemovesDirItCreated(t *testing.T) {
	dir := t.TempDir()
	l, err := LockContext(context.Background(), filepath.Join(dir, ".trustform", "state.lock"), info("trustform apply"), 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Unlock(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(filepath.Join(dir, ".trustform")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf(".trustform left behind: %v", err)
	}
	// One that existed, or got content, stays.
	l, _ = LockContext(context.Background(), filepath.Join(dir, ".trustform", "state.lock"), info("trustform apply"), 0)
	os.WriteFile(filepath.Join(dir, ".trustform", "state.json"), []byte("{}"), 0o600)
	l.Unlock()
	if _, err := os.Lstat(filepath.Join(dir, ".trustform", "state.json")); err != nil {
		t.Fatal(err)
	}
}

func TestLockShared(t *testing.T) {
	path := lockPath(t)
	ctx := context.Background()
	// No .trustform: nothing to protect, nothing created.
	r0, err := LockShared(ctx, path, 0)
	if err != nil {
		t.Fatal(err)
	}
	r0.Unlock()
	if _, err := os.Lstat(filepath.Dir(path)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("LockShared created .trustform: %v", err)
	}

	os.MkdirAll(filepath.Dir(path), 0o755)
	r1, err := LockShared(ctx, path, 0)
	if err != nil {
		t.Fatal(err)
	}
	r2, err := LockShared(ctx, path, 0)
	if err != nil {
		t.Fatalf("a second reader: %v", err)
	}
	var le *LockedError
	if _, err := LockContext(context.Background(), path, info("trustform apply"), 0); !errors.As(err, &le) {
		t.Fatalf("a writer while readers hold it: %v", err)
	}
	r1.Unlock()
	r2.Unlock()
	if _, err := os.Lstat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the last reader left the lock file: %v", err)
	}

	// A writer in another process: a reader is refused, naming it, and
	// waits with a timeout.
	h := startHolder(t, path, false)
	_, err = LockShared(ctx, path, 0)
	if !errors.As(err, &le) || le.Holder.Command != "trustform apply" {
		t.Fatalf("a reader while a writer holds it: %v", err)
	}
	go func() { time.Sleep(300 * time.Millisecond); h.stdin.Close() }()
	r3, err := LockShared(ctx, path, 30*time.Second)
	if err != nil {
		t.Fatalf("a waiting reader: %v", err)
	}
	r3.Unlock()
}
