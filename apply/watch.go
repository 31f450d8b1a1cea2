package apply

import (
	"context"
	"fmt"
	"time"

	"github.com/trustform/trustform/plan"
	"github.com/trustform/trustform/runtimes"
)

// statusPoll is how often a started resource is asked whether it still
// runs when its runner cannot say at once that it ended (containers: one
// engine call per look).
const statusPoll = 250 * time.Millisecond

// exitNotifier is implemented by runners that learn at once when
// something they started ends (the process runner reaps its children).
type exitNotifier interface {
	// Exited returns a channel closed when h has ended, or nil when the
	// runner did not start h.
	Exited(h runtimes.Handle) <-chan struct{}
}

// watchStart keeps an eye on a resource that has just started (and, with
// ready_when, become ready) until both its start window (start_period,
// counted from launched) has passed and the run has ended. Dependants do
// not wait for it: the step is done for the walk as soon as the resource
// is started or ready, so a chain of N resources costs one window, not N.
// "Creation complete" is reported when the window has passed with the
// resource still running; an exit at any time before the run ends fails it
// with its exit status and last log lines.
func (a *applier) watchStart(ctx context.Context, c *plan.Change, r runtimes.Runner, h runtimes.Handle, began, launched time.Time) {
	a.watchers.Add(1)
	a.windows.Add(1)
	go func() {
		defer a.watchers.Done()
		a.watch(ctx, c, r, h, began, launched)
	}()
}

func (a *applier) watch(ctx context.Context, c *plan.Change, r runtimes.Runner, h runtimes.Handle, began, launched time.Time) {
	spec := c.After
	period := spec.StartPeriod
	window := time.NewTimer(time.Until(launched.Add(period)))
	defer window.Stop()
	var exited <-chan struct{}
	if n, ok := r.(exitNotifier); ok {
		exited = n.Exited(h)
	}
	var poll <-chan time.Time
	if exited == nil {
		t := time.NewTicker(statusPoll)
		defer t.Stop()
		poll = t.C
	}
	// alive asks the runner; an error (the engine did not answer) is not
	// taken for an exit.
	alive := func() bool {
		if exited != nil {
			select {
			case <-exited:
				return false
			default:
				return true
			}
		}
		st, err := r.Status(context.WithoutCancel(ctx), h)
		return err != nil || st == runtimes.StatusRunning
	}
	complete := func() {
		d := a.now().Sub(began)
		a.events.done(c.Address, plan.Create, d, h)
		a.finished(c.Address, h, d)
	}
	died := func() {
		inWindow := time.Since(launched) < period
		after := time.Since(launched).Round(time.Millisecond)
		when := fmt.Sprintf("%s after it started, before apply ended", after)
		if inWindow {
			when = fmt.Sprintf("%s after it started, within its start_period of %s", after, period)
		}
		err := fmt.Errorf("%s %w%s %s", HandleLabel(h), errExited, exitDetail(r, h, runtimes.StatusExited), when)
		a.diedAfterStart(c.Address, err)
		a.fail(c.Address, plan.Create, err, spec.LogPath, a.tail(ctx, r, h, spec.LogPath))
	}
	windowOver, runOver := false, a.runDone
	// The run ends when every started resource's window has passed: until
	// then, a resource whose own window is over is still watched.
	passed := false
	pass := func() {
		if !passed {
			passed = true
			a.windows.Done()
		}
	}
	defer pass()
	for {
		select {
		case <-exited:
			died()
			return
		case <-poll:
			if !alive() {
				died()
				return
			}
		case <-window.C:
			windowOver = true
			if !alive() {
				died()
				return
			}
			complete()
			pass()
			if runOver == nil {
				return
			}
		case <-runOver:
			runOver = nil // closed: never select it again
			if windowOver {
				// The last look, at the end of the run.
				if !alive() {
					died()
				}
				return
			}
		case <-ctx.Done():
			// Interrupted: what runs stays recorded; nobody waits for
			// the rest of its window.
			if !windowOver {
				if !alive() {
					died()
					return
				}
				complete()
			}
			return
		}
	}
}

// diedAfterStart marks a resource whose start step succeeded but which
// ended before the run did: it counts as failed, not added.
func (a *applier) diedAfterStart(addr string, err error) {
	r := a.rep(addr)
	a.mu.Lock()
	r.died = err
	a.mu.Unlock()
}
