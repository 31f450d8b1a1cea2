//go:build linux

package apply

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/trustform/trustform/internal/testutil"
	"github.com/trustform/trustform/plan"
	"github.com/trustform/trustform/runtimes/process"
	"github.com/trustform/trustform/state"
)

// A process that dies at once (a misspelled script) must fail the apply
// with its exit status and last log lines, not count as created. Before
// start_period, apply looked once, right after starting, and said
// "Creation complete".
func TestApplyRealProcessDyingInStartWindowFails(t *testing.T) {
	sh := testutil.NeedTool(t, "sh", "apt-get install -y dash")
	f := newFixture(t)
	s := f.spec("executable.api")
	// The sleep makes the death land after the look apply used to take.
	s.Argv = []string{sh, "-c", "sleep 0.1; echo \"can't open file 'api/sever.py'\" >&2; exit 2"}
	s.StartPeriod = 2 * time.Second
	r := process.New()
	var out bytes.Buffer
	o := realOpts(r, NewStore(newState(), nil), "lin-window")
	o.Events = TextEvents{W: &out}
	res, err := Apply(context.Background(), f.plan(create("executable.api", s)), o)
	var ae *Error
	if !errors.As(err, &ae) || len(ae.Failures) != 1 {
		t.Fatalf("err = %v\nevents:\n%s", err, out.String())
	}
	msg := err.Error()
	for _, want := range []string{"exited with status 2", "within its start_period of 2s", "can't open file 'api/sever.py'"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}
	if strings.Contains(out.String(), "Creation complete") {
		t.Errorf("events say created:\n%s", out.String())
	}
	if res.Added != 0 || res.Resources[0].Outcome != OutcomeFailed {
		t.Errorf("added %d, outcome %s", res.Added, res.Resources[0].Outcome)
	}
}

// A process that lives through its window but dies before the run ends
// (while a slower resource is still starting) fails the apply too.
func TestApplyRealProcessDyingBeforeRunEndsFails(t *testing.T) {
	sh := testutil.NeedTool(t, "sh", "apt-get install -y dash")
	sleep := testutil.NeedTool(t, "sleep", "apt-get install -y coreutils")
	f := newFixture(t)
	a := f.spec("executable.a")
	a.Argv = []string{sh, "-c", "sleep 0.6; echo bye; exit 0"}
	a.StartPeriod = 100 * time.Millisecond
	b := f.spec("executable.b")
	b.Argv = []string{sleep, "60"}
	b.StartPeriod = 1500 * time.Millisecond
	r := process.New()
	store := NewStore(newState(), nil)
	t.Cleanup(func() {
		for _, rec := range store.State().Resources {
			r.Stop(context.Background(), rec.Handle, time.Second)
		}
	})
	res, err := Apply(context.Background(), f.plan(create("executable.a", a), create("executable.b", b)), realOpts(r, store, "lin-runend"))
	if err == nil || !strings.Contains(err.Error(), "exited with status 0") || !strings.Contains(err.Error(), "before apply ended") {
		t.Fatalf("err = %v", err)
	}
	if res.Added != 1 {
		t.Errorf("added = %d, want 1 (only executable.b)", res.Added)
	}
}

// With ready_when, an answer on the port is not enough when the resource
// itself has died: the port answers (a listener the resource left in a
// session of its own), ours exits, and apply says so.
func TestApplyRealReadyWhenNeedsLiveProcess(t *testing.T) {
	sh := testutil.NeedTool(t, "sh", "apt-get install -y dash")
	py := testutil.NeedTool(t, "python3", "apt-get install -y python3")
	testutil.NeedTool(t, "setsid", "apt-get install -y util-linux")
	addr := closedPort(t)
	f := newFixture(t)
	if err := os.WriteFile(f.dir+"/listen.py", []byte(listenerScript), 0o644); err != nil {
		t.Fatal(err)
	}
	s := f.spec("executable.api")
	s.Argv = []string{sh, "-c", fmt.Sprintf("setsid %s listen.py %s & sleep 1; echo 'bind: address already in use' >&2; exit 1", py, addr)}
	s.ReadyWhen = &state.ReadyWhen{TCP: addr, Timeout: 30 * time.Second}
	t.Cleanup(func() { killListener(t, addr) })
	_, err := Apply(context.Background(), f.plan(create("executable.api", s)), realOpts(process.New(), NewStore(newState(), nil), "lin-ready-dead"))
	if err == nil || !strings.Contains(err.Error(), "exited before it was ready") || !strings.Contains(err.Error(), "address already in use") {
		t.Fatalf("err = %v", err)
	}
}

// The window does not serialise a chain: in a chain of resources, each with
// a start_period far longer than a start, every dependant starts while its
// dependency's window is still open. Serialised windows would put a whole
// window between two starts. The check reads the recorded start times, so a
// busy machine cannot make it fail; only the order of events counts.
func TestApplyRealChainCostsOneWindow(t *testing.T) {
	if testing.Short() {
		t.Skip("waits out a 10 s start_period")
	}
	sleep := testutil.NeedTool(t, "sleep", "apt-get install -y coreutils")
	f := newFixture(t)
	const n = 10
	const window = 10 * time.Second
	var changes []*plan.Change
	for i := range n {
		addr := fmt.Sprintf("executable.p%03d", i)
		var deps []string
		if i > 0 {
			deps = []string{fmt.Sprintf("executable.p%03d", i-1)}
		}
		s := f.spec(addr, deps...)
		s.Argv = []string{sleep, "60"}
		s.StartPeriod = window
		s.StopTimeout = time.Second
		changes = append(changes, create(addr, s))
	}
	r := process.New()
	store := NewStore(newState(), nil)
	t.Cleanup(func() {
		for _, rec := range store.State().Resources {
			r.Stop(context.Background(), rec.Handle, time.Second)
		}
	})
	start := time.Now()
	res, err := Apply(context.Background(), f.plan(changes...), realOpts(r, store, "lin-chain"))
	took := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	if res.Added != n {
		t.Fatalf("added %d", res.Added)
	}
	// Apply returns only once the last window has passed.
	if took < window {
		t.Errorf("took %s: less than one window, so the last start was not watched", took)
	}
	since := map[string]time.Time{}
	for _, rec := range store.State().Resources {
		since[rec.Address] = rec.Since
	}
	for i := 1; i < n; i++ {
		dep, cur := fmt.Sprintf("executable.p%03d", i-1), fmt.Sprintf("executable.p%03d", i)
		if gap := since[cur].Sub(since[dep]); gap >= window {
			t.Errorf("%s started %s after %s: it waited out its dependency's start_period, so windows serialise the chain", cur, gap, dep)
		}
	}
}

// listen holds a loopback port for the test's duration and returns it.
func listen(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l.Addr().String()
}
