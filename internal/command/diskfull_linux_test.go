package command

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/trustform/trustform/internal/testutil"
)

// Issue 12, defect 7: on a full disk destroy refused to stop anything,
// because it could not start its journal. It now stops every process, then
// says what it could not record. The project lives on a 1 MB tmpfs that the
// test fills.
func TestDestroyOnFullDiskStopsProcesses(t *testing.T) {
	p := newProject(t, crashConfig(3))
	if err := syscall.Mount("tmpfs", p.Dir, "tmpfs", 0, "size=1m"); err != nil {
		t.Skipf("needs root to mount a small tmpfs (mount: %v)", err)
	}
	t.Cleanup(func() { syscall.Unmount(p.Dir, syscall.MNT_DETACH) })
	p.Write("main.trust.hcl", crashConfig(3))
	p.mustRun(0, "apply", "-auto-approve")
	rows := p.statusRows()
	if len(rows) != 3 {
		t.Fatalf("status: %+v", rows)
	}

	// Fill the file system to the last block.
	fill, err := os.Create(filepath.Join(p.Dir, "fill"))
	if err != nil {
		t.Fatal(err)
	}
	chunk := make([]byte, 4096)
	for {
		if _, err := fill.Write(chunk); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatal(err)
			}
			break
		}
	}
	fill.Close()

	res := p.run("destroy", "-auto-approve")
	t.Logf("destroy on a full disk: %v", res)
	if res.Code != 1 || !strings.Contains(res.Stderr, "stopping the resources anyway") || !strings.Contains(res.Stderr, "could not be updated") {
		t.Fatalf("destroy on a full disk: %v", res)
	}
	for _, r := range rows {
		if testutil.Alive(r.PID) {
			t.Errorf("%s (pid %d) still runs after destroy on a full disk", r.Address, r.PID)
		}
	}

	// With space again, a second destroy clears the records.
	os.Remove(filepath.Join(p.Dir, "fill"))
	p.mustRun(0, "destroy", "-auto-approve")
	if rows := p.statusRows(); len(rows) != 0 {
		t.Fatalf("state after the second destroy: %+v", rows)
	}
}
