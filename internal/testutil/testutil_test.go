package testutil

import (
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"testing"
)

func TestAlive(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("Alive reads /proc")
	}
	if !Alive(os.Getpid()) {
		t.Fatal("this test's own process is not alive")
	}
	// A child that exited and was reaped is gone; one not yet reaped is a
	// zombie, which counts as gone too.
	cmd := exec.Command("true")
	if err := cmd.Start(); err != nil {
		t.Skip(err)
	}
	pid := cmd.Process.Pid
	for i := 0; i < 1000 && ProcState(pid) != "Z"; i++ {
		runtime.Gosched()
	}
	if ProcState(pid) == "Z" && Alive(pid) {
		t.Error("a zombie counts as alive")
	}
	cmd.Wait()
	if Alive(pid) {
		t.Error("a reaped child counts as alive")
	}
}

func TestLockedBuffer(t *testing.T) {
	var b LockedBuffer
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 100 {
				b.Write([]byte("x"))
				_ = b.String()
			}
		}()
	}
	wg.Wait()
	if got := b.String(); got != strings.Repeat("x", 800) {
		t.Errorf("got %d bytes, want 800", len(got))
	}
}
