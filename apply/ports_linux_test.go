//go:build linux

package apply

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/trustform/trustform/internal/testutil"
	"github.com/trustform/trustform/runtimes"
	"github.com/trustform/trustform/runtimes/process"
	"github.com/trustform/trustform/state"
)

// listenerScript is a Python server that binds the port given as argv[1]
// and waits; it is what a real API would do.
const listenerScript = `import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
host, port = sys.argv[1].rsplit(":", 1)
s.bind((host, int(port)))
s.listen()
print("listening on", sys.argv[1], flush=True)
time.sleep(600)
`

// A port that another process already holds fails the resource before it
// starts, naming the holder.
func TestApplyRealRefusesPortHeldByAnotherProcess(t *testing.T) {
	sleep := testutil.NeedTool(t, "sleep", "apt-get install -y coreutils")
	addr := listen(t) // held by this test process
	f := newFixture(t)
	s := f.spec("python_app.api")
	s.Argv = []string{sleep, "60"}
	s.ReadyWhen = &state.ReadyWhen{TCP: addr, Timeout: 10 * time.Second}
	store := NewStore(newState(), nil)
	_, err := Apply(context.Background(), f.plan(create("python_app.api", s)), realOpts(process.New(), store, "lin-port-held"))
	want := fmt.Sprintf("%s is already held by pid %d (", addr, os.Getpid())
	if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "not by python_app.api") {
		t.Fatalf("err = %v\nwant it to contain %q", err, want)
	}
	if rec := store.Lookup("python_app.api"); rec != nil {
		t.Errorf("a resource that never started is recorded: %+v", rec)
	}
	if _, err := os.Stat(s.LogPath); !os.IsNotExist(err) {
		t.Errorf("the process was started anyway (log %s exists)", s.LogPath)
	}
}

// ready_when is satisfied only by a listener in the resource's own process
// group: here the resource's child moves to a session of its own before
// listening, so the port answers but not for the resource, and readiness
// times out saying who holds it.
func TestApplyRealReadyWhenIgnoresListenerOutsideGroup(t *testing.T) {
	py := testutil.NeedTool(t, "python3", "apt-get install -y python3")
	sh := testutil.NeedTool(t, "sh", "apt-get install -y dash")
	testutil.NeedTool(t, "setsid", "apt-get install -y util-linux")
	addr := closedPort(t)
	f := newFixture(t)
	if err := os.WriteFile(f.dir+"/listen.py", []byte(listenerScript), 0o644); err != nil {
		t.Fatal(err)
	}
	s := f.spec("executable.api")
	s.Argv = []string{sh, "-c", fmt.Sprintf("setsid %s listen.py %s & exec sleep 60", py, addr)}
	s.ReadyWhen = &state.ReadyWhen{TCP: addr, Timeout: 3 * time.Second}
	r := process.New()
	store := NewStore(newState(), nil)
	t.Cleanup(func() {
		for _, rec := range store.State().Resources {
			r.Stop(context.Background(), rec.Handle, time.Second)
		}
		// The detached listener is not in the group Stop signals.
		killListener(t, addr)
	})
	_, err := Apply(context.Background(), f.plan(create("executable.api", s)), realOpts(r, store, "lin-port-foreign"))
	if err == nil || !regexp.MustCompile(`not ready after 3s: tcp \S+: \S+ answers, but it is held by pid \d+ \(python3\), not by this resource's process group`).MatchString(err.Error()) {
		t.Fatalf("err = %v", err)
	}
}

// A resource that listens itself is ready.
func TestApplyRealReadyWhenOwnListener(t *testing.T) {
	py := testutil.NeedTool(t, "python3", "apt-get install -y python3")
	addr := closedPort(t)
	f := newFixture(t)
	if err := os.WriteFile(f.dir+"/listen.py", []byte(listenerScript), 0o644); err != nil {
		t.Fatal(err)
	}
	s := f.spec("python_app.api")
	s.Argv = []string{py, "listen.py", addr}
	s.ReadyWhen = &state.ReadyWhen{TCP: addr, Timeout: 10 * time.Second}
	r := process.New()
	store := NewStore(newState(), nil)
	t.Cleanup(func() {
		for _, rec := range store.State().Resources {
			r.Stop(context.Background(), rec.Handle, time.Second)
		}
	})
	if _, err := Apply(context.Background(), f.plan(create("python_app.api", s)), realOpts(r, store, "lin-port-own")); err != nil {
		t.Fatal(err)
	}
	held, ours, who, err := r.PortOwner(addr, store.Lookup("python_app.api").Handle)
	if err != nil || !held || !ours || !strings.Contains(who, "python3") {
		t.Errorf("PortOwner = %v %v %q %v", held, ours, who, err)
	}
}

// killListener stops whatever this user runs that holds addr.
func killListener(t *testing.T, addr string) {
	held, _, who, err := process.New().PortOwner(addr, runtimes.Handle{})
	if err != nil || !held {
		return
	}
	var pid int
	if _, err := fmt.Sscanf(who, "pid %d", &pid); err == nil && pid > 0 {
		p, _ := os.FindProcess(pid)
		p.Kill()
	}
}
