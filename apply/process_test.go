//go:build linux

package apply

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/trustform/trustform/internal/testutil"
	"github.com/trustform/trustform/plan"
	"github.com/trustform/trustform/runtimes"
	"github.com/trustform/trustform/runtimes/process"
	"github.com/trustform/trustform/state"
)

// These tests launch real processes through runtimes/process.

func realOpts(r runtimes.Runner, store StateStore, lineage string) Options {
	return Options{
		Runners: map[runtimes.Kind]runtimes.Runner{runtimes.KindProcess: r},
		Store:   store,
		Lineage: lineage,
		BaseEnv: []string{"PATH=" + os.Getenv("PATH")},
	}
}

func TestApplyAndDestroyRealProcesses(t *testing.T) {
	sleep := testutil.NeedTool(t, "sleep", "apt-get install -y coreutils")
	sh := testutil.NeedTool(t, "sh", "apt-get install -y dash")
	f := newFixture(t)
	a := f.spec("executable.a")
	a.Argv = []string{sleep, "60"}
	b := f.spec("executable.b", "executable.a")
	b.Argv = []string{sh, "-c", `echo "hello from $TRUSTFORM_ADDRESS, bundle at $SSL_CERT_FILE"; exec sleep 60`}
	b.StopTimeout = 2 * time.Second

	r := process.New()
	store := NewStore(newState(), nil)
	ctx := context.Background()
	t.Cleanup(func() {
		for _, rec := range store.State().Resources {
			r.Stop(ctx, rec.Handle, time.Second)
		}
	})
	if _, err := Apply(ctx, f.plan(create("executable.a", a), create("executable.b", b)), realOpts(r, store, "lin-real")); err != nil {
		t.Fatal(err)
	}
	var handles []runtimes.Handle
	for _, addr := range []string{"executable.a", "executable.b"} {
		rec := store.Lookup(addr)
		if rec == nil {
			t.Fatalf("%s not recorded", addr)
		}
		if st, err := r.Status(ctx, rec.Handle); err != nil || st != runtimes.StatusRunning {
			t.Fatalf("%s: status %s, %v", addr, st, err)
		}
		handles = append(handles, rec.Handle)
	}
	// The log appears once the shell has run its echo.
	want := "hello from executable.b, bundle at " + b.Env["SSL_CERT_FILE"]
	deadline := time.Now().Add(10 * time.Second)
	for {
		got, _ := os.ReadFile(b.LogPath)
		if strings.Contains(string(got), want) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("log = %q, want %q", got, want)
		}
		time.Sleep(50 * time.Millisecond)
	}

	destroy := f.plan(change(plan.Delete, "executable.a", a, nil), change(plan.Delete, "executable.b", b, nil))
	res, err := Apply(ctx, destroy, realOpts(r, store, "lin-real"))
	if err != nil {
		t.Fatal(err)
	}
	if res.Destroyed != 2 || len(store.State().Resources) != 0 {
		t.Errorf("destroyed %d, state %v", res.Destroyed, store.State().Resources)
	}
	for _, h := range handles {
		if st, _ := r.Status(ctx, h); st == runtimes.StatusRunning {
			t.Errorf("pid %d still running after destroy", h.PID)
		}
	}
	for _, p := range []string{a.TrustDir, b.TrustDir, a.LogPath, b.LogPath} {
		if _, err := os.Lstat(p); !os.IsNotExist(err) {
			t.Errorf("%s left after destroy", p)
		}
	}
}

func TestApplyRealProcessExitingBeforeReady(t *testing.T) {
	sh := testutil.NeedTool(t, "sh", "apt-get install -y dash")
	f := newFixture(t)
	s := f.spec("executable.a")
	s.Argv = []string{sh, "-c", "echo 'listen: address already in use' >&2; exit 3"}
	s.ReadyWhen = &state.ReadyWhen{TCP: closedPort(t), Timeout: 30 * time.Second}
	start := time.Now()
	_, err := Apply(context.Background(), f.plan(create("executable.a", s)), realOpts(process.New(), NewStore(newState(), nil), "lin-exit"))
	var ae *Error
	if !errors.As(err, &ae) || len(ae.Failures) != 1 {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(err.Error(), "listen: address already in use") || !strings.Contains(err.Error(), "exited before it was ready") || !strings.Contains(err.Error(), "with status 3") {
		t.Errorf("error lacks the exit or the log line:\n%v", err)
	}
	if time.Since(start) > 20*time.Second {
		t.Error("apply waited for the readiness timeout although the process had exited")
	}
}

// A killed apply can leave a process running that state never recorded.
// The next apply must end with exactly one process for the address.
func TestApplyRealStopsOrphanOfCrashedApply(t *testing.T) {
	sleep := testutil.NeedTool(t, "sleep", "apt-get install -y coreutils")
	f := newFixture(t)
	s := f.spec("executable.a")
	s.Argv = []string{sleep, "60"}
	ctx := context.Background()
	r := process.New()
	lineage := "lin-orphan-" + strings.ReplaceAll(t.Name(), "/", "-")
	if err := os.MkdirAll(f.dir+"/.trustform/logs", 0o755); err != nil {
		t.Fatal(err)
	}
	orphan, err := r.Start(ctx, &runtimes.LaunchSpec{
		Address: "executable.a", Lineage: lineage, Argv: s.Argv, WorkingDir: f.dir,
		BaseEnv: []string{"PATH=" + os.Getenv("PATH")}, LogPath: s.LogPath,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Stop(ctx, orphan, time.Second) })

	store := NewStore(newState(), nil)
	if _, err := Apply(ctx, f.plan(create("executable.a", s)), realOpts(r, store, lineage)); err != nil {
		t.Fatal(err)
	}
	rec := store.Lookup("executable.a")
	t.Cleanup(func() { r.Stop(ctx, rec.Handle, time.Second) })
	if st, _ := r.Status(ctx, orphan); st == runtimes.StatusRunning {
		t.Error("the orphan still runs")
	}
	found, err := r.FindOrphans(ctx, lineage)
	if err != nil {
		t.Fatal(err)
	}
	if len(found) != 1 || found[0].Handle != rec.Handle {
		t.Errorf("processes for the lineage = %+v; want only the recorded %+v", found, rec.Handle)
	}
}
