package process

import (
	"context"
	"os/exec"
	"testing"
	"time"

	"github.com/trustform/trustform/internal/testutil"
)

// waitExit reports a running process as not ended when its time is up,
// an exited one (a zombie not yet reaped, then reaped) as ended, and a pid
// whose start time differs (reused) as ended without waiting on it.
func TestWaitExit(t *testing.T) {
	sleep := testutil.NeedTool(t, "sleep", "apt-get install -y coreutils")
	cmd := exec.Command(sleep, "60")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	pid := cmd.Process.Pid
	info, err := readProc(pid)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if ended, ok := waitExit(ctx, pid, info.start, 0); !ok {
		t.Skip("no pidfd on this system: callers poll")
	} else if ended {
		t.Fatal("a running process is reported ended")
	}
	if ended, ok := waitExit(ctx, pid, info.start+1, time.Hour); !ended || !ok {
		t.Errorf("a pid with another start time: ended %v ok %v, want both true", ended, ok)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if ended, ok := waitExit(cancelled, pid, info.start, time.Hour); ended || !ok {
		t.Errorf("cancelled wait on a running process: ended %v ok %v, want false, true", ended, ok)
	}
	cmd.Process.Kill()
	// Not reaped yet: a zombie has ended.
	if ended, ok := waitExit(ctx, pid, info.start, time.Hour); !ended || !ok {
		t.Errorf("killed process (zombie): ended %v ok %v, want both true", ended, ok)
	}
	cmd.Wait()
	if ended, ok := waitExit(ctx, pid, info.start, time.Hour); !ended || !ok {
		t.Errorf("reaped process: ended %v ok %v, want both true", ended, ok)
	}
}
