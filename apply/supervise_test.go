package apply

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/trustform/trustform/runtimes"
	"github.com/trustform/trustform/state"
)

func TestBackoffDoublesToCapAndResets(t *testing.T) {
	var b Backoff
	var got []time.Duration
	for range 8 {
		got = append(got, b.Next(time.Second))
	}
	want := []time.Duration{1, 2, 4, 8, 16, 30, 30, 30}
	for i := range want {
		want[i] *= time.Second
	}
	if !cmp.Equal(got, want) {
		t.Fatalf("delays = %v, want %v", got, want)
	}
	if d := b.Next(BackoffReset); d != FirstBackoff {
		t.Fatalf("after %s of uptime the delay is %s, want %s", BackoffReset, d, FirstBackoff)
	}
	if d := b.Next(BackoffReset - time.Millisecond); d != 2*time.Second {
		t.Fatalf("just under the reset uptime the delay doubles: got %s", d)
	}
}

func TestShouldRestart(t *testing.T) {
	for _, c := range []struct {
		policy string
		code   int
		want   bool
	}{
		{"", 1, false}, {RestartNo, 1, false},
		{RestartOnFailure, 0, false}, {RestartOnFailure, 1, true}, {RestartOnFailure, -1, true},
		{RestartAlways, 0, true}, {RestartAlways, 2, true},
	} {
		if got := ShouldRestart(c.policy, runtimes.Exit{Code: c.code}); got != c.want {
			t.Errorf("ShouldRestart(%q, %d) = %v, want %v", c.policy, c.code, got, c.want)
		}
	}
}

// scriptedRunner ends what it started when the test says so, and tells
// Supervise at once (as the process runner does).
type scriptedRunner struct {
	mu      sync.Mutex
	nextPID int
	exited  map[int]chan struct{}
	exits   map[int]runtimes.Exit
	starts  []*runtimes.LaunchSpec
	// startErr, when set, fails the next n starts.
	startErrs int
	started   chan int
}

func newScriptedRunner() *scriptedRunner {
	return &scriptedRunner{nextPID: 100, exited: map[int]chan struct{}{}, exits: map[int]runtimes.Exit{}, started: make(chan int, 100)}
}

func (s *scriptedRunner) Start(ctx context.Context, spec *runtimes.LaunchSpec) (runtimes.Handle, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.starts = append(s.starts, spec)
	if s.startErrs > 0 {
		s.startErrs--
		s.started <- 0
		return runtimes.Handle{}, errors.New("program not found")
	}
	s.nextPID++
	s.exited[s.nextPID] = make(chan struct{})
	s.started <- s.nextPID
	return runtimes.Handle{PID: s.nextPID, StartTime: 1}, nil
}

func (s *scriptedRunner) Status(ctx context.Context, h runtimes.Handle) (runtimes.Status, error) {
	return runtimes.StatusRunning, nil
}

func (s *scriptedRunner) Stop(ctx context.Context, h runtimes.Handle, grace time.Duration) error {
	return nil
}

func (s *scriptedRunner) Exited(h runtimes.Handle) <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.exited[h.PID]
}

func (s *scriptedRunner) Exit(h runtimes.Handle) (runtimes.Exit, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.exits[h.PID]
	return e, ok
}

// end makes pid exit with code at the given time.
func (s *scriptedRunner) end(pid, code int, at time.Time) {
	s.mu.Lock()
	e := runtimes.Exit{Code: code, At: at}
	if code != 0 {
		e.Err = fmt.Errorf("exit status %d", code)
	}
	s.exits[pid] = e
	ch := s.exited[pid]
	s.mu.Unlock()
	close(ch)
}

// recorder collects lifecycle events as lines.
type recorder struct {
	mu    sync.Mutex
	lines []string
	// restarted receives each new pid once state records it.
	restarted chan int
}

func (r *recorder) add(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lines = append(r.lines, fmt.Sprintf(format, args...))
}

func (r *recorder) Exited(addr string, h runtimes.Handle, e runtimes.Exit, known bool, uptime time.Duration) {
	r.add("%s pid %d exited %d after %s", addr, h.PID, e.Code, uptime)
}

func (r *recorder) Restarting(addr string, delay time.Duration, e runtimes.Exit, policy string) {
	r.add("%s restarting in %s (%d, %s)", addr, delay, e.Code, policy)
}

func (r *recorder) Restarted(addr string, h runtimes.Handle) {
	r.add("%s started pid %d", addr, h.PID)
	r.restarted <- h.PID
}

func (r *recorder) RestartFailed(addr string, err error) { r.add("%s restart failed: %v", addr, err) }

func (r *recorder) text() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.lines, "\n")
}

// fakeClock never sleeps: After records the delay and fires at once.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	delays []time.Duration
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.delays = append(c.delays, d)
	c.now = c.now.Add(d)
	ch := make(chan time.Time, 1)
	ch <- c.now
	return ch
}

func (c *fakeClock) advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	return c.now
}

func superviseFixture(policy string) (*scriptedRunner, *Store, *recorder, *fakeClock, *state.Resource) {
	r := newScriptedRunner()
	clock := &fakeClock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	rec := &state.Resource{
		Address: "executable.flaky", Type: "executable", Name: "flaky",
		Spec:   &state.Spec{Kind: runtimes.KindProcess, Argv: []string{"flaky"}, LogPath: "/x/flaky.log", Restart: policy},
		Handle: runtimes.Handle{PID: 100, StartTime: 1},
		Since:  clock.now,
	}
	r.exited[100] = make(chan struct{})
	st := newState()
	st.Resources = []*state.Resource{rec}
	return r, NewStore(st, nil), &recorder{restarted: make(chan int, 100)}, clock, rec
}

func startSupervise(ctx context.Context, r *scriptedRunner, store *Store, ev *recorder, clock *fakeClock, rec *state.Resource) chan error {
	done := make(chan error, 1)
	go func() {
		done <- Supervise(ctx, []*state.Resource{rec}, SuperviseOptions{
			Runners: map[runtimes.Kind]runtimes.Runner{runtimes.KindProcess: r},
			Store:   store,
			Lineage: "lin",
			Dir:     "/x",
			Clock:   Clock{Now: clock.Now, After: clock.After},
			Events:  ev,
		})
	}()
	return done
}

func TestSuperviseRestartsOnFailureWithBackoff(t *testing.T) {
	r, store, ev, clock, rec := superviseFixture(RestartOnFailure)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := startSupervise(ctx, r, store, ev, clock, rec)

	// Runs 2s, fails; restarted after 1s as pid 101, which fails at
	// once and is restarted after 2s as 102, which then runs 61s and
	// fails: the delay is back to 1s.
	r.end(100, 1, clock.advance(2*time.Second))
	if pid := <-ev.restarted; pid != 101 {
		t.Fatalf("restarted as pid %d, want 101", pid)
	}
	if got := store.Lookup("executable.flaky").Handle.PID; got != 101 {
		t.Fatalf("state records pid %d after the restart, want 101", got)
	}
	r.end(101, 1, clock.Now())
	<-ev.restarted
	r.end(102, 3, clock.advance(61*time.Second))
	<-ev.restarted
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	want := strings.Join([]string{
		"executable.flaky pid 100 exited 1 after 2s",
		`executable.flaky restarting in 1s (1, on-failure)`,
		"executable.flaky started pid 101",
		"executable.flaky pid 101 exited 1 after 0s",
		`executable.flaky restarting in 2s (1, on-failure)`,
		"executable.flaky started pid 102",
		"executable.flaky pid 102 exited 3 after 1m1s",
		`executable.flaky restarting in 1s (3, on-failure)`,
		"executable.flaky started pid 103",
	}, "\n")
	if got := ev.text(); got != want {
		t.Fatalf("events:\n%s\nwant:\n%s", got, want)
	}
	if diff := cmp.Diff([]time.Duration{time.Second, 2 * time.Second, time.Second}, clock.delays); diff != "" {
		t.Fatalf("waited (-want +got):\n%s", diff)
	}
	got := store.Lookup("executable.flaky")
	if got.Handle.PID != 103 || !got.Since.Equal(clock.Now()) {
		t.Fatalf("state has pid %d since %s, want 103 since %s", got.Handle.PID, got.Since, clock.Now())
	}
	// The restart is tagged like apply's starts, so a crash leaves orphans
	// the next apply finds.
	last := r.starts[len(r.starts)-1]
	if last.Address != "executable.flaky" || last.Lineage != "lin" || last.Dir != "/x" || last.LogPath != "/x/flaky.log" {
		t.Fatalf("restart launched with %+v", last)
	}
}

func TestSuperviseEndsWhenNothingRestarts(t *testing.T) {
	for _, c := range []struct {
		policy string
		code   int
	}{{RestartNo, 1}, {"", 2}, {RestartOnFailure, 0}} {
		r, store, ev, clock, rec := superviseFixture(c.policy)
		done := startSupervise(context.Background(), r, store, ev, clock, rec)
		r.end(100, c.code, clock.advance(time.Second))
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf("executable.flaky pid 100 exited %d after 1s", c.code); ev.text() != want {
			t.Errorf("restart %q, exit %d: events %q, want %q", c.policy, c.code, ev.text(), want)
		}
		if len(r.starts) != 0 {
			t.Errorf("restart %q, exit %d: started again", c.policy, c.code)
		}
	}
}

func TestSuperviseAlwaysAndFailedStart(t *testing.T) {
	r, store, ev, clock, rec := superviseFixture(RestartAlways)
	r.startErrs = 1
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := startSupervise(ctx, r, store, ev, clock, rec)
	r.end(100, 0, clock.advance(time.Second))
	<-ev.restarted // pid 101, after the failed start
	cancel()
	<-done
	want := strings.Join([]string{
		"executable.flaky pid 100 exited 0 after 1s",
		`executable.flaky restarting in 1s (0, always)`,
		"executable.flaky restart failed: program not found",
		`executable.flaky restarting in 2s (-1, always)`,
		"executable.flaky started pid 101",
	}, "\n")
	if got := ev.text(); got != want {
		t.Fatalf("events:\n%s\nwant:\n%s", got, want)
	}
}

func TestSuperviseStopsWatchingOnCancel(t *testing.T) {
	r, store, ev, clock, rec := superviseFixture(RestartAlways)
	ctx, cancel := context.WithCancel(context.Background())
	done := startSupervise(ctx, r, store, ev, clock, rec)
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if ev.text() != "" || len(r.starts) != 0 {
		t.Fatalf("after cancel: events %q, %d starts", ev.text(), len(r.starts))
	}
}
