package process

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/trustform/trustform/runtimes"
)

// waitFor polls cond until it holds; the bound only keeps a broken test from
// hanging, it is not a timing assertion.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

type fixture struct {
	t   *testing.T
	r   *Runner
	dir string
}

func newFixture(t *testing.T) *fixture {
	return &fixture{t: t, r: New(), dir: t.TempDir()}
}

func (f *fixture) spec(address string, argv ...string) *runtimes.LaunchSpec {
	return &runtimes.LaunchSpec{
		Address:    address,
		Lineage:    "lineage-" + strings.ReplaceAll(f.t.Name(), "/", "-"),
		Argv:       argv,
		WorkingDir: f.dir,
		BaseEnv:    []string{"PATH=" + os.Getenv("PATH")},
		LogPath:    filepath.Join(f.dir, "logs", address+".log"),
	}
}

func (f *fixture) start(spec *runtimes.LaunchSpec) runtimes.Handle {
	f.t.Helper()
	h, err := f.r.Start(context.Background(), spec)
	if err != nil {
		f.t.Fatalf("Start: %v", err)
	}
	f.t.Cleanup(func() { _ = f.r.Stop(context.Background(), h, 0) })
	return h
}

func (f *fixture) status(h runtimes.Handle) runtimes.Status {
	f.t.Helper()
	s, err := f.r.Status(context.Background(), h)
	if err != nil {
		f.t.Fatalf("Status: %v", err)
	}
	return s
}

func (f *fixture) log(spec *runtimes.LaunchSpec) string {
	b, err := os.ReadFile(spec.LogPath)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		f.t.Fatal(err)
	}
	return string(b)
}

// pidAlive reports whether pid exists and is not a zombie.
func pidAlive(t *testing.T, pid int) bool {
	info, err := readProc(pid)
	if errors.Is(err, fs.ErrNotExist) {
		return false
	}
	if err != nil {
		t.Fatal(err)
	}
	return !info.zombie
}

func TestStartLogEnvAndWorkingDir(t *testing.T) {
	f := newFixture(t)
	spec := f.spec("executable.env", "sh", "-c",
		`echo "out A=$A B=$B"; echo "err addr=$TRUSTFORM_ADDRESS lineage=$TRUSTFORM_LINEAGE" >&2; pwd; read x || echo "stdin-eof"`)
	spec.BaseEnv = append(spec.BaseEnv, "A=base", "KEEP=1", "TRUSTFORM_ADDRESS=spoofed")
	spec.Env = map[string]string{"A": "over", "B": "new"}
	h := f.start(spec)
	waitFor(t, "exit", func() bool { return f.status(h) == runtimes.StatusExited })
	// /proc can show the end before the reaping goroutine has recorded it.
	waitFor(t, "reap", func() bool { _, ok := f.r.Exit(h); return ok })
	if e, ok := f.r.Exit(h); !ok || e.Code != 0 {
		t.Fatalf("Exit = %+v, %v; want code 0", e, ok)
	}

	got := f.log(spec)
	for _, want := range []string{
		"out A=over B=new\n",
		"err addr=executable.env lineage=" + spec.Lineage + "\n",
		f.dir + "\n",
		"stdin-eof\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("log lacks %q; log:\n%s", want, got)
		}
	}

	fi, err := os.Stat(spec.LogPath)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm()&^0o644 != 0 {
		t.Errorf("log mode %v, want at most 0644", fi.Mode().Perm())
	}
	di, err := os.Stat(filepath.Dir(spec.LogPath))
	if err != nil {
		t.Fatal(err)
	}
	if di.Mode().Perm()&^0o755 != 0 {
		t.Errorf("log dir mode %v, want at most 0755", di.Mode().Perm())
	}

	// A second run appends rather than truncates.
	spec2 := f.spec("executable.env", "sh", "-c", "echo second")
	h2 := f.start(spec2)
	waitFor(t, "second exit", func() bool { return f.status(h2) == runtimes.StatusExited })
	got = f.log(spec)
	if !strings.Contains(got, "out A=over") || !strings.HasSuffix(got, "second\n") {
		t.Errorf("log not appended:\n%s", got)
	}
}

func TestStartDetachesIntoOwnSession(t *testing.T) {
	f := newFixture(t)
	h := f.start(f.spec("executable.sess", "sleep", "30"))
	info, err := readProc(h.PID)
	if err != nil {
		t.Fatal(err)
	}
	if info.pgid != h.PID {
		t.Errorf("pgid = %d, want own group %d", info.pgid, h.PID)
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", h.PID))
	if err != nil {
		t.Fatal(err)
	}
	fields := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	if sid := fields[6-3]; sid != strconv.Itoa(h.PID) {
		t.Errorf("session = %s, want %d (Setsid)", sid, h.PID)
	}
	if tty := fields[7-3]; tty != "0" {
		t.Errorf("tty_nr = %s, want 0 (no controlling terminal)", tty)
	}
}

func TestFindProgram(t *testing.T) {
	f := newFixture(t)
	bin := filepath.Join(f.dir, "bin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	script := "#!/bin/sh\necho ran $0\n"
	if err := os.WriteFile(filepath.Join(bin, "only-in-spec-path"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(f.dir, "local.sh"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}

	t.Run("PATH of the resulting env", func(t *testing.T) {
		spec := f.spec("executable.p", "only-in-spec-path")
		spec.Env = map[string]string{"PATH": bin + ":/usr/bin:/bin"}
		h := f.start(spec)
		waitFor(t, "exit", func() bool { return f.status(h) == runtimes.StatusExited })
		if got := f.log(spec); !strings.Contains(got, "ran "+filepath.Join(bin, "only-in-spec-path")) {
			t.Errorf("log = %q", got)
		}
	})
	t.Run("relative to working dir", func(t *testing.T) {
		spec := f.spec("executable.r", "./local.sh")
		h := f.start(spec)
		waitFor(t, "exit", func() bool { return f.status(h) == runtimes.StatusExited })
		if got := f.log(spec); !strings.Contains(got, "ran "+filepath.Join(f.dir, "local.sh")) {
			t.Errorf("log = %q", got)
		}
	})
	t.Run("not in trustform's PATH alone", func(t *testing.T) {
		// A bare name in the working directory is not found: relative PATH
		// entries and the current directory are never searched.
		spec := f.spec("executable.n", "local.sh")
		spec.Env = map[string]string{"PATH": ".:" + os.Getenv("PATH")}
		_, err := f.r.Start(context.Background(), spec)
		if err == nil || !strings.Contains(err.Error(), `"local.sh" not found in PATH`) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("not executable", func(t *testing.T) {
		if err := os.WriteFile(filepath.Join(f.dir, "plain"), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := f.r.Start(context.Background(), f.spec("executable.x", "./plain"))
		if err == nil || !strings.Contains(err.Error(), "not executable") {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestStatusAndStop(t *testing.T) {
	f := newFixture(t)
	h := f.start(f.spec("executable.s", "sleep", "300"))
	if s := f.status(h); s != runtimes.StatusRunning {
		t.Fatalf("status = %s, want running", s)
	}
	if err := f.r.Stop(context.Background(), h, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if pidAlive(t, h.PID) {
		t.Fatal("process alive after Stop")
	}
	if s := f.status(h); s != runtimes.StatusExited {
		t.Fatalf("status after stop = %s, want exited", s)
	}
	// Stopping again, or something never started, is not an error.
	if err := f.r.Stop(context.Background(), h, time.Second); err != nil {
		t.Fatalf("second Stop: %v", err)
	}
	if err := f.r.Stop(context.Background(), runtimes.Handle{}, time.Second); err != nil {
		t.Fatalf("Stop(zero): %v", err)
	}
	if s := f.status(runtimes.Handle{}); s != runtimes.StatusMissing {
		t.Fatalf("status(zero) = %s, want missing", s)
	}
}

func TestStatusWithoutReaper(t *testing.T) {
	// Another trustform run (a fresh Runner) has no record of the exit and
	// must learn it from /proc.
	f := newFixture(t)
	h := f.start(f.spec("executable.o", "sh", "-c", "exit 3"))
	waitFor(t, "reap", func() bool { _, ok := f.r.Exit(h); return ok })
	if e, _ := f.r.Exit(h); e.Code != 3 {
		t.Errorf("exit code = %d, want 3", e.Code)
	}
	if s, err := New().Status(context.Background(), h); err != nil || s != runtimes.StatusExited {
		t.Fatalf("fresh runner status = %s, %v; want exited", s, err)
	}
}

func TestStopKillsWholeGroup(t *testing.T) {
	f := newFixture(t)
	spec := f.spec("executable.g", "sh", "-c", `sleep 300 & echo $! > child.pid; wait`)
	h := f.start(spec)
	child := readPidFile(t, filepath.Join(f.dir, "child.pid"))
	if !pidAlive(t, child) {
		t.Fatal("grandchild not running")
	}
	if err := f.r.Stop(context.Background(), h, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if pidAlive(t, h.PID) || pidAlive(t, child) {
		t.Fatalf("alive after Stop: leader %v, grandchild %v", pidAlive(t, h.PID), pidAlive(t, child))
	}
}

func TestStopRemnantsOfExitedLeader(t *testing.T) {
	// The leader exits at once and leaves a background child in its group.
	f := newFixture(t)
	h := f.start(f.spec("executable.rem", "sh", "-c", `sleep 300 & echo $! > child.pid`))
	child := readPidFile(t, filepath.Join(f.dir, "child.pid"))
	waitFor(t, "leader exit", func() bool { return f.status(h) == runtimes.StatusExited })
	if !pidAlive(t, child) {
		t.Fatal("grandchild not running")
	}
	if err := f.r.Stop(context.Background(), h, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if pidAlive(t, child) {
		t.Fatal("remnant of the group alive after Stop")
	}
}

func TestStopEscalatesToKill(t *testing.T) {
	f := newFixture(t)
	// The ignored SIGTERM is inherited by sleep too.
	spec := f.spec("executable.stubborn", "sh", "-c", `trap "" TERM; echo ready; while :; do sleep 1; done`)
	h := f.start(spec)
	waitFor(t, "trap installed", func() bool { return strings.Contains(f.log(spec), "ready") })
	if err := f.r.Stop(context.Background(), h, 100*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if pidAlive(t, h.PID) {
		t.Fatal("SIGTERM-ignoring process alive after Stop")
	}
	waitFor(t, "reap", func() bool { _, ok := f.r.Exit(h); return ok })
	if e, _ := f.r.Exit(h); e.Code != -1 || !strings.Contains(fmt.Sprint(e.Err), "killed") {
		t.Errorf("exit = %+v, want killed by a signal", e)
	}
}

func TestStopRefusesReusedPid(t *testing.T) {
	f := newFixture(t)
	h := f.start(f.spec("executable.reuse", "sleep", "300"))
	other := h
	other.StartTime++ // what state would hold if the pid had been reused
	if s := f.status(other); s != runtimes.StatusMissing {
		t.Errorf("status of mismatched handle = %s, want missing", s)
	}
	if err := f.r.Stop(context.Background(), other, 0); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	// Give a wrongly sent signal time to land before looking.
	time.Sleep(100 * time.Millisecond)
	if s := f.status(h); s != runtimes.StatusRunning {
		t.Fatalf("process with another start time was signalled: status %s", s)
	}
	if _, ok := f.r.Exit(h); ok {
		t.Fatal("process with another start time was signalled: it exited")
	}
}

func TestStopHonoursContext(t *testing.T) {
	f := newFixture(t)
	spec := f.spec("executable.ctx", "sh", "-c", `trap "" TERM; echo ready; while :; do sleep 1; done`)
	h := f.start(spec)
	waitFor(t, "trap installed", func() bool { return strings.Contains(f.log(spec), "ready") })
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := f.r.Stop(ctx, h, time.Hour); !errors.Is(err, context.Canceled) {
		t.Fatalf("Stop with cancelled context = %v, want context.Canceled", err)
	}
}

func TestFindOrphans(t *testing.T) {
	f := newFixture(t)
	spec := f.spec("executable.orphan", "sh", "-c", `sleep 300 & echo $! > child.pid; wait`)
	h := f.start(spec)
	readPidFile(t, filepath.Join(f.dir, "child.pid"))

	other := f.spec("executable.other", "sleep", "300")
	other.Lineage = spec.Lineage + "-other"
	f.start(other)

	got, err := New().FindOrphans(context.Background(), spec.Lineage)
	if err != nil {
		t.Fatal(err)
	}
	want := []runtimes.Orphan{{Address: "executable.orphan", Handle: h, Status: runtimes.StatusRunning}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("FindOrphans = %+v, want %+v", got, want)
	}
	if got, _ := New().FindOrphans(context.Background(), ""); len(got) != 0 {
		t.Fatalf("FindOrphans(\"\") = %+v, want none", got)
	}
}

func readPidFile(t *testing.T, path string) int {
	t.Helper()
	var pid int
	waitFor(t, path, func() bool {
		b, err := os.ReadFile(path)
		if err != nil || !strings.HasSuffix(string(b), "\n") {
			return false
		}
		pid, err = strconv.Atoi(strings.TrimSpace(string(b)))
		return err == nil
	})
	return pid
}

func TestParseStat(t *testing.T) {
	rest := make([]string, 50)
	for i := range rest {
		rest[i] = strconv.Itoa(100 + i)
	}
	rest[0] = "S"  // field 3
	rest[2] = "77" // field 5, pgrp
	rest[19] = "123456789012"
	line := "4242 (evil) (name) S 1 2) " + strings.Join(rest, " ") + "\n"
	info, err := parseStat([]byte(line))
	if err != nil {
		t.Fatal(err)
	}
	if info.pgid != 77 || info.start != 123456789012 || info.zombie {
		t.Fatalf("parseStat = %+v", info)
	}
	rest[0] = "Z"
	info, err = parseStat([]byte("1 (x) " + strings.Join(rest, " ")))
	if err != nil || !info.zombie {
		t.Fatalf("zombie: %+v, %v", info, err)
	}
	for _, bad := range []string{"", "1 (x", "1 (x) S 1 2", "1 (x) " + strings.Replace(strings.Join(rest, " "), "123456789012", "nan", 1)} {
		if _, err := parseStat([]byte(bad)); err == nil {
			t.Errorf("parseStat(%q) succeeded", bad)
		}
	}
}

func TestStartTimeWithOddComm(t *testing.T) {
	// comm is the executable's name and may hold spaces and parentheses.
	f := newFixture(t)
	sleep, err := os.ReadFile("/bin/sleep")
	if err != nil {
		t.Skip("no /bin/sleep to copy")
	}
	if err := os.WriteFile(filepath.Join(f.dir, "a b) (c"), sleep, 0o755); err != nil {
		t.Fatal(err)
	}
	h := f.start(f.spec("executable.comm", "./a b) (c", "300"))
	comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", h.PID))
	if string(comm) != "a b) (c\n" {
		t.Fatalf("comm = %q; test does not exercise parsing", comm)
	}
	if s := f.status(h); s != runtimes.StatusRunning {
		t.Fatalf("status = %s", s)
	}
	if err := f.r.Stop(context.Background(), h, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if pidAlive(t, h.PID) {
		t.Fatal("alive after Stop")
	}
}

func TestBuildEnv(t *testing.T) {
	got := buildEnv(
		[]string{"PATH=/bin", "A=1", "A=dup", "noequals", "B=2", "TRUSTFORM_LINEAGE=old"},
		map[string]string{"B": "over", "Z": "z", "C": "c"},
		markers{address: "executable.x", lineage: "L1", dir: "/p/app", instance: "i1"})
	want := []string{"PATH=/bin", "A=1", "B=over", "TRUSTFORM_LINEAGE=L1", "C=c", "TRUSTFORM_ADDRESS=executable.x", "TRUSTFORM_DIR=/p/app", "TRUSTFORM_INSTANCE=i1", "Z=z"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("buildEnv =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// A program the Runner found once and that then moves to another
// directory of PATH is looked for again, not run from where it was.
func TestFindProgramFollowsAMovedProgram(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	prog := filepath.Join(a, "tf-moving-prog")
	if err := os.WriteFile(prog, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	r := New()
	path := a + string(os.PathListSeparator) + b
	if got, err := r.findProgram("tf-moving-prog", "", path); err != nil || got != prog {
		t.Fatalf("first look: %q %v, want %s", got, err, prog)
	}
	moved := filepath.Join(b, "tf-moving-prog")
	if err := os.Rename(prog, moved); err != nil {
		t.Fatal(err)
	}
	if got, err := r.findProgram("tf-moving-prog", "", path); err != nil || got != moved {
		t.Errorf("after the move: %q %v, want %s", got, err, moved)
	}
	if err := os.Remove(moved); err != nil {
		t.Fatal(err)
	}
	if got, err := r.findProgram("tf-moving-prog", "", path); err == nil {
		t.Errorf("after removal: found %q", got)
	}
}
