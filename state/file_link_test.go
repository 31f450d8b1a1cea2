//go:build unix

package state

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/trustform/trustform/internal/safepath"
)

// A state.json that is a link is refused, not replaced, and its backup
// never becomes the link (issue 12, item 9).
func TestSaveRefusesLinkedStateFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), ".trustform")
	os.Mkdir(dir, 0o755)
	path := filepath.Join(dir, "state.json")
	s := New("lin-1", "test")
	if err := s.Save(path); err != nil {
		t.Fatal(err)
	}
	real := filepath.Join(t.TempDir(), "kept-elsewhere.json")
	if err := os.Rename(path, real); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(real, path); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(real)

	s.Upsert(&Resource{Address: "executable.a", Type: "executable", Name: "a"})
	err := s.Save(path)
	var le *safepath.LinkError
	if !errors.As(err, &le) {
		t.Fatalf("Save over a link: %v, want a LinkError", err)
	}
	if fi, err := os.Lstat(path); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("state.json link was replaced: %v %v", fi, err)
	}
	if _, err := os.Lstat(BackupPath(path)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a backup was made: %v", err)
	}
	if after, _ := os.ReadFile(real); string(after) != string(before) {
		t.Fatal("the link's target changed")
	}
	if _, err := Load(path); !errors.As(err, &le) {
		t.Fatalf("Load through a link: %v, want a LinkError", err)
	}
}

func TestLoadRefusesFIFO(t *testing.T) {
	dir := filepath.Join(t.TempDir(), ".trustform")
	os.Mkdir(dir, 0o755)
	path := filepath.Join(dir, "state.json")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Skip(err)
	}
	done := make(chan error, 1)
	go func() { _, err := Load(path); done <- err }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "named pipe") {
			t.Fatalf("Load of a FIFO: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Load of a FIFO hangs")
	}
}
