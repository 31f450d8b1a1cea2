package process

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/trustform/trustform/internal/testutil"
	"github.com/trustform/trustform/runtimes"
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

// threads is how many OS threads this process has.
func threads(t *testing.T) int {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "Threads:"); ok {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatal("no Threads line in /proc/self/status")
	return 0
}

// Waiting for the processes a Runner started holds no OS thread per
// process (apply waits on each until it ends: 1,000 blocked threads were
// most of its peak RSS), and an exit is still seen at once.
func TestWaitingHoldsNoThreadPerProcess(t *testing.T) {
	sleep := testutil.NeedTool(t, "sleep", "apt-get install -y coreutils")
	testutil.NeedTool(t, "setsid", "apt-get install -y util-linux")
	if _, ok := waitExit(context.Background(), os.Getpid(), 0, 0); !ok {
		t.Skip("no pidfd on this system")
	}
	const n = 60
	for _, supervised := range []bool{false, true} {
		t.Run(fmt.Sprintf("supervised=%v", supervised), func(t *testing.T) {
			r := New()
			r.RecordExits = supervised
			before := threads(t)
			var hs []runtimes.Handle
			for range n {
				h, err := r.Start(context.Background(), supervisedSpec(t, sleep, "60"))
				if err != nil {
					t.Fatal(err)
				}
				hs = append(hs, h)
			}
			t.Cleanup(func() {
				for _, h := range hs {
					r.Stop(context.Background(), h, time.Second)
				}
			})
			if grew := threads(t) - before; grew >= n/2 {
				t.Errorf("%d processes waited on took %d more threads", n, grew)
			}
			if err := syscall.Kill(-hs[0].PID, syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			<-r.Exited(hs[0])
			if e, ok := r.Exit(hs[0]); !ok || e.Code == 0 {
				t.Errorf("exit of the killed process = %+v, %v", e, ok)
			}
		})
	}
}

// readProcFile reads what os.ReadFile reads, files larger than its first
// buffer too, and reports a pid that is gone as fs.ErrNotExist.
func TestReadProcFile(t *testing.T) {
	for _, name := range []string{"stat", "environ", "maps"} {
		path := fmt.Sprintf("/proc/self/%s", name)
		got, err := readProcFile(path)
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		// maps and stat change as the test runs; their size and start do
		// not differ by much, environ not at all.
		if name == "environ" && string(got) != string(want) {
			t.Errorf("%s: read %d bytes, os.ReadFile %d", path, len(got), len(want))
		}
		if len(got) == 0 || (name == "maps" && len(got) < 1024) {
			t.Errorf("%s: read %d bytes", path, len(got))
		}
	}
	if _, err := readProcFile("/proc/0/stat"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a pid that does not exist: %v, want fs.ErrNotExist", err)
	}
}

// A scan for strays takes a process it has seen before (the same pid, still
// listed) as it was then, without reading its stat or environment again;
// reads a new process; and forgets processes that have gone.
func TestStrayScanCachesMarkers(t *testing.T) {
	sleep := testutil.NeedTool(t, "sleep", "apt-get install -y coreutils")
	r := New()
	spec := supervisedSpec(t, sleep, "60")
	h, err := r.Start(context.Background(), spec)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Stop(context.Background(), h, time.Second) })
	found, err := r.scanStrays()
	if err != nil {
		t.Fatal(err)
	}
	if len(found[h.Instance]) != 1 || found[h.Instance][0].pid != h.PID {
		t.Fatalf("first scan: %v for instance %s, want pid %d", found[h.Instance], h.Instance, h.PID)
	}
	// What the cache says wins over /proc: neither the environment nor the
	// stat is read again.
	key := procKey{pid: h.PID, start: h.StartTime}
	env, ok := r.markers.get(key)
	if !ok {
		t.Fatal("the scan cached nothing for the process")
	}
	fake := map[string]string{}
	for k, v := range env {
		fake[k] = v
	}
	fake[EnvInstance] = "cached-instance"
	r.markers.mu.Lock()
	s := r.markers.last[h.PID]
	s.env = fake
	s.info.start = h.StartTime + 7
	r.markers.last[h.PID] = s
	r.markers.mu.Unlock()
	h2, err := r.Start(context.Background(), supervisedSpec(t, sleep, "60"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Stop(context.Background(), h2, time.Second) })
	found, err = r.scanStrays()
	if err != nil {
		t.Fatal(err)
	}
	if len(found["cached-instance"]) != 1 || len(found[h.Instance]) != 0 {
		t.Errorf("second scan read the environment again: %v", found)
	} else if got := found["cached-instance"][0].start; got != h.StartTime+7 {
		t.Errorf("second scan read the stat again: start %d, want the cached %d", got, h.StartTime+7)
	}
	if len(found[h2.Instance]) != 1 {
		t.Errorf("second scan missed a new process: %v", found[h2.Instance])
	}
	if err := r.Stop(context.Background(), h, time.Second); err != nil {
		t.Fatal(err)
	}
	// Gone means reaped: a zombie is still listed, and a scan carries it
	// (whoever acts on it reads it again). On a loaded machine the reaper
	// may come a little after Stop has returned.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if _, err := os.Stat(fmt.Sprintf("/proc/%d", h.PID)); err != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("pid %d still listed 10 s after Stop", h.PID)
		}
	}
	if _, err := r.scanStrays(); err != nil {
		t.Fatal(err)
	}
	if _, ok := r.markers.get(procKey{pid: h.PID, start: h.StartTime + 7}); ok {
		t.Error("a stopped process stays in the cache")
	}
	if _, ok := r.markers.lastScan()[h.PID]; ok {
		t.Error("a stopped process stays in the last scan")
	}
	// A fresh look (FindOrphans) reads every process again.
	if err := ownProcesses(&r.markers, true, func(int, map[string]string, procInfo) {}); err != nil {
		t.Fatal(err)
	}
	if got := r.markers.lastScan()[h2.PID].info.start; got != h2.StartTime {
		t.Errorf("fresh look: start %d for the second process, want %d", got, h2.StartTime)
	}
}
