package process

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trustform/trustform/runtimes"
)

// zombieLeaderGroup starts a group whose leader nobody reaps once it dies,
// as after destroy in a new trustform run when init is slow to reap: the
// leader is the child of a `sleep` (which never waits) and made its own
// session. member is the shell script run in the background in that group.
// It returns the leader's handle and the member's pid.
func zombieLeaderGroup(t *testing.T, f *fixture, name, member string) (runtimes.Handle, int) {
	t.Helper()
	inner := member + ` & echo $! > member.pid; echo $$ > leader.pid; exec sleep 300`
	f.start(f.spec("executable."+name, "sh", "-c", `setsid sh -c '`+inner+`' & exec sleep 300`))
	leader := readPidFile(t, filepath.Join(f.dir, "leader.pid"))
	memberPid := readPidFile(t, filepath.Join(f.dir, "member.pid"))
	info, err := readProc(leader)
	if err != nil {
		t.Fatal(err)
	}
	if info.pgid != leader {
		t.Fatalf("leader %d is in group %d, want its own", leader, info.pgid)
	}
	return runtimes.Handle{PID: leader, StartTime: info.start}, memberPid
}

// With the leader a zombie, kill(-pgid, 0) keeps succeeding; Stop must see
// from the members that the group has ended, and not wait out the grace.
func TestStopZombieLeader(t *testing.T) {
	f := newFixture(t)
	h, member := zombieLeaderGroup(t, f, "zleader", `sleep 300`)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := f.r.Stop(ctx, h, time.Hour); err != nil {
		t.Fatalf("Stop: %v (an hour of grace: the ended group was not seen)", err)
	}
	if pidAlive(t, h.PID) || pidAlive(t, member) {
		t.Fatalf("alive after Stop: leader %v, member %v", pidAlive(t, h.PID), pidAlive(t, member))
	}
	info, err := readProc(h.PID)
	if err != nil || !info.zombie {
		t.Logf("the leader was reaped meanwhile (%v): the zombie path was not exercised", err)
	}
}

// A member that ignores SIGTERM keeps a zombie-led group alive until
// SIGKILL after the grace.
func TestStopZombieLeaderStubbornMember(t *testing.T) {
	f := newFixture(t)
	h, member := zombieLeaderGroup(t, f, "zstubborn",
		`sh -c "trap \"\" TERM; echo ready > ready; while :; do sleep 1; done"`)
	waitFor(t, "trap installed", func() bool {
		b, _ := readFileString(filepath.Join(f.dir, "ready"))
		return strings.Contains(b, "ready")
	})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := f.r.Stop(ctx, h, 200*time.Millisecond); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if pidAlive(t, member) {
		t.Fatal("SIGTERM-ignoring member alive after Stop")
	}
}

// Several zombie-led groups stopped at once, as destroy does: each Stop
// ends, and each group is gone.
func TestStopZombieLeadersConcurrently(t *testing.T) {
	f := newFixture(t)
	const n = 6
	type group struct {
		h      runtimes.Handle
		member int
	}
	var groups []group
	for i := range n {
		sub := newFixture(t)
		sub.r = f.r
		h, m := zombieLeaderGroup(t, sub, "zc"+string(rune('a'+i)), `sleep 300`)
		groups = append(groups, group{h, m})
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	errs := make(chan error, n)
	for _, g := range groups {
		go func() { errs <- f.r.Stop(ctx, g.h, time.Hour) }()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Errorf("Stop: %v", err)
		}
	}
	for _, g := range groups {
		if pidAlive(t, g.h.PID) || pidAlive(t, g.member) {
			t.Errorf("group %d alive after Stop", g.h.PID)
		}
	}
}

func readFileString(path string) (string, error) {
	b, err := os.ReadFile(path)
	return string(b), err
}
