//go:build unix

package process

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Logs are created 0600 and never opened through a link or as a FIFO
// (issue 12, item 9).
func TestOpenLogModeAndLinks(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "a.log")
	f, err := openLog(p)
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o600 {
		t.Fatalf("log mode %v, want 0600", fi.Mode().Perm())
	}
	// A mode the user chose is kept.
	os.Chmod(p, 0o644)
	f, _ = openLog(p)
	f.Close()
	if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o644 {
		t.Fatalf("log mode changed to %v", fi.Mode().Perm())
	}

	victim := filepath.Join(dir, "victim")
	os.WriteFile(victim, []byte("keep\n"), 0o644)
	link := filepath.Join(dir, "b.log")
	os.Symlink(victim, link)
	if _, err := openLog(link); err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Fatalf("openLog through a link: %v", err)
	}

	fifo := filepath.Join(dir, "c.log")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip(err)
	}
	done := make(chan error, 1)
	go func() { _, err := openLog(fifo); done <- err }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Fatalf("openLog of a FIFO: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("openLog of a FIFO hangs")
	}
}
