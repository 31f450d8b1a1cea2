package process

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trustform/trustform/internal/layout"
	"github.com/trustform/trustform/internal/testutil"
	"github.com/trustform/trustform/runtimes"
)

func supervisedSpec(t *testing.T, argv ...string) *runtimes.LaunchSpec {
	t.Helper()
	dir := t.TempDir()
	return &runtimes.LaunchSpec{
		Address: "executable.sup", Lineage: "lin-sup-" + filepath.Base(dir), Argv: argv, WorkingDir: dir,
		BaseEnv: []string{"PATH=" + os.Getenv("PATH")}, LogPath: filepath.Join(dir, "logs", "executable.sup.log"),
	}
}

// A supervised process that exits leaves its status and time next to its
// log, where a Runner of a later trustform run (which did not start it)
// reads them.
func TestSupervisedExitIsRecorded(t *testing.T) {
	sh := testutil.NeedTool(t, "sh", "apt-get install -y dash")
	testutil.NeedTool(t, "setsid", "apt-get install -y util-linux")
	r := New()
	r.RecordExits = true
	spec := supervisedSpec(t, sh, "-c", "echo last words; exit 7")
	before := time.Now()
	h, err := r.Start(context.Background(), spec)
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-r.Exited(h):
	case <-time.After(10 * time.Second):
		t.Fatal("no exit reported")
	}
	if e, ok := r.Exit(h); !ok || e.Code != 7 {
		t.Errorf("Exit = %+v %v, want code 7", e, ok)
	}
	later := New()
	e, ok := later.LastExit(h, spec.LogPath)
	if !ok || e.Code != 7 || e.At.Before(before.Add(-time.Second)) || e.At.After(time.Now().Add(time.Second)) {
		t.Errorf("LastExit from the file = %+v %v, want code 7 at about now", e, ok)
	}
	if st, _ := later.Status(context.Background(), h); st != runtimes.StatusExited {
		t.Errorf("status = %s, want exited", st)
	}
	log, _ := os.ReadFile(spec.LogPath)
	if !strings.Contains(string(log), "last words") {
		t.Errorf("log = %q", log)
	}
	// A record for another pid is not taken for this one.
	if _, ok := later.LastExit(runtimes.Handle{PID: h.PID + 1, StartTime: 1}, spec.LogPath); ok {
		t.Error("LastExit answered for another pid")
	}
}

// The program, not the shell, is the handle: its own session and group,
// its argv, the markers in its environment; FindOrphans reports it and
// not the supervisor. Stop waits until the supervisor has recorded the
// exit, so a caller removing the status file afterwards removes it for
// good.
func TestSupervisedProcessIsTheHandle(t *testing.T) {
	sleep := testutil.NeedTool(t, "sleep", "apt-get install -y coreutils")
	testutil.NeedTool(t, "setsid", "apt-get install -y util-linux")
	r := New()
	r.RecordExits = true
	spec := supervisedSpec(t, sleep, "60")
	h, err := r.Start(context.Background(), spec)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Stop(context.Background(), h, time.Second) })
	info, err := readProc(h.PID)
	if err != nil || info.pgid != h.PID {
		t.Fatalf("pid %d: pgid %d (%v), want its own group", h.PID, info.pgid, err)
	}
	cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", h.PID))
	if !strings.Contains(string(cmdline), "sleep") {
		t.Errorf("the handle's cmdline is %q, want the program", cmdline)
	}
	if supervisorOf(h.PID) == 0 {
		t.Error("no supervisor found as the parent")
	}
	found, err := r.FindOrphans(context.Background(), spec.Lineage)
	if err != nil || len(found) != 1 || found[0].Handle != h {
		t.Errorf("FindOrphans = %+v %v, want only %+v", found, err, h)
	}
	if err := r.Stop(context.Background(), h, time.Second); err != nil {
		t.Fatal(err)
	}
	exitPath := layout.ExitPath(spec.LogPath)
	if _, err := os.Stat(exitPath); err != nil {
		t.Fatalf("after Stop the status file is not there yet: %v", err)
	}
	os.Remove(exitPath)
	time.Sleep(200 * time.Millisecond)
	if _, err := os.Stat(exitPath); err == nil {
		t.Error("the status file came back after Stop returned")
	}
}

// The supervisor shell carries none of trustform's markers in its own
// environment; the program carries all of them.
func TestSupervisorHasNoMarkers(t *testing.T) {
	sleep := testutil.NeedTool(t, "sleep", "apt-get install -y coreutils")
	testutil.NeedTool(t, "setsid", "apt-get install -y util-linux")
	r := NewForDir("/some/dir")
	r.RecordExits = true
	spec := supervisedSpec(t, sleep, "60")
	h, err := r.Start(context.Background(), spec)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Stop(context.Background(), h, time.Second) })
	sup := supervisorOf(h.PID)
	if sup == 0 {
		t.Fatal("no supervisor")
	}
	senv, _ := readEnviron(sup)
	penv, _ := readEnviron(h.PID)
	for _, k := range []string{EnvAddress, EnvLineage, EnvDir, EnvInstance} {
		if _, ok := senv[k]; ok {
			t.Errorf("the supervisor carries %s", k)
		}
		if penv[k] == "" {
			t.Errorf("the program lacks %s", k)
		}
	}
	if _, ok := penv[EnvSupervisor]; ok {
		t.Errorf("the program carries %s", EnvSupervisor)
	}
}

// The log holds what the program wrote and nothing of the supervisor:
// dash reports a waited job that a signal ended ("Terminated") on its
// stderr, and up showed that as the resource's last line at every stop.
func TestSupervisorAddsNothingToTheLog(t *testing.T) {
	sh := testutil.NeedTool(t, "sh", "apt-get install -y dash")
	testutil.NeedTool(t, "setsid", "apt-get install -y util-linux")
	r := New()
	r.RecordExits = true
	spec := supervisedSpec(t, sh, "-c", "echo started; exec sleep 60")
	h, err := r.Start(context.Background(), spec)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Stop(context.Background(), h, time.Second) })
	deadline := time.Now().Add(10 * time.Second)
	for {
		b, _ := os.ReadFile(spec.LogPath)
		if strings.Contains(string(b), "started") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the program's line never reached the log: %q", b)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := r.Stop(context.Background(), h, time.Second); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(spec.LogPath); string(b) != "started\n" {
		t.Errorf("log after Stop = %q, want only the program's %q", b, "started\n")
	}
}
