package apply

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/trustform/trustform/runtimes"
	"github.com/trustform/trustform/state"
)

// Restart policies (state.Spec.Restart), as the restart argument spells
// them.
const (
	RestartNo        = "no"
	RestartOnFailure = "on-failure"
	RestartAlways    = "always"
)

// Backoff delays of restarts: the first restart waits FirstBackoff, each
// next one twice as long up to MaxBackoff; a resource that ran at least
// BackoffReset before it ended starts again from FirstBackoff.
const (
	FirstBackoff = time.Second
	MaxBackoff   = 30 * time.Second
	BackoffReset = 60 * time.Second
)

// Backoff computes restart delays. The zero value is ready to use.
type Backoff struct {
	last time.Duration
}

// Next returns the delay before the next restart of a resource that ran
// for uptime before it ended.
func (b *Backoff) Next(uptime time.Duration) time.Duration {
	switch {
	case b.last == 0 || uptime >= BackoffReset:
		b.last = FirstBackoff
	default:
		b.last = min(2*b.last, MaxBackoff)
	}
	return b.last
}

// ShouldRestart reports whether policy restarts a resource that ended
// with e.
func ShouldRestart(policy string, e runtimes.Exit) bool {
	switch policy {
	case RestartAlways:
		return true
	case RestartOnFailure:
		return e.Code != 0
	}
	return false
}

// Clock is the time Supervise sees; tests pass one that does not sleep.
type Clock struct {
	Now   func() time.Time
	After func(time.Duration) <-chan time.Time
}

// SuperviseEvents receives what happens to supervised resources. Calls
// for one address come in order; calls for different addresses may be
// concurrent.
type SuperviseEvents interface {
	// Exited is called when a resource has ended, after uptime; known is
	// false when its exit status could not be learnt.
	Exited(addr string, h runtimes.Handle, e runtimes.Exit, known bool, uptime time.Duration)
	// Restarting is called before waiting delay to restart a resource
	// that ended with e under policy.
	Restarting(addr string, delay time.Duration, e runtimes.Exit, policy string)
	// Restarted is called when a resource was started again, and state
	// records its new handle.
	Restarted(addr string, h runtimes.Handle)
	// RestartFailed is called when starting it again failed; another
	// attempt follows after the next backoff delay.
	RestartFailed(addr string, err error)
}

// SuperviseOptions configure Supervise.
type SuperviseOptions struct {
	// Runners by kind, as for Apply. Use the runners that started the
	// resources when possible: the process runner then learns of an exit
	// at once instead of by polling.
	Runners map[runtimes.Kind]runtimes.Runner
	// Store records each restart's new handle; required.
	Store StateStore
	// Lineage and Dir tag restarted processes, as Apply does.
	Lineage string
	Dir     string
	BaseEnv []string
	// Clock defaults to the real one.
	Clock Clock
	// Poll is how often a resource whose runner cannot tell at once that
	// it ended is looked at; 0 means statusPoll.
	Poll   time.Duration
	Events SuperviseEvents
}

// lastExiter is the process runner: how a process ended, also one it did
// not start, from the status its supervisor recorded.
type lastExiter interface {
	LastExit(h runtimes.Handle, logPath string) (runtimes.Exit, bool)
}

// containerExiter is the container runner: the engine's exit code.
type containerExiter interface {
	LastExit(ctx context.Context, h runtimes.Handle) (code int, at time.Time, ok bool, err error)
}

// Supervise watches the resources of a foreground run (`trustform up`)
// until ctx ends or every one of them has ended for good: it reports each
// exit and restarts the resource as its restart policy says, after a
// backoff delay, recording the new handle in state. It returns once every
// watch has ended; what runs when ctx ends is left running (the caller
// destroys it).
func Supervise(ctx context.Context, resources []*state.Resource, opts SuperviseOptions) error {
	if opts.Store == nil {
		return errors.New("supervise: no state store")
	}
	if opts.Clock.Now == nil {
		opts.Clock.Now = time.Now
	}
	if opts.Clock.After == nil {
		opts.Clock.After = time.After
	}
	if opts.Poll <= 0 {
		opts.Poll = statusPoll
	}
	var wg sync.WaitGroup
	for _, rec := range resources {
		if rec.Spec == nil || rec.Handle == (runtimes.Handle{}) {
			continue
		}
		kind := rec.Spec.Kind
		if kind == "" {
			kind = runtimes.KindProcess
		}
		r := opts.Runners[kind]
		if r == nil {
			return fmt.Errorf("supervise: no runner for %s resources is configured", kind)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			superviseOne(ctx, r, rec, &opts)
		}()
	}
	wg.Wait()
	return nil
}

func superviseOne(ctx context.Context, r runtimes.Runner, rec *state.Resource, o *SuperviseOptions) {
	var b Backoff
	for {
		e, known, ok := waitExit(ctx, r, rec, o.Poll)
		if !ok {
			return
		}
		since := rec.Since
		if since.IsZero() {
			since = e.At
		}
		uptime := max(e.At.Sub(since), 0)
		if o.Events != nil {
			o.Events.Exited(rec.Address, rec.Handle, e, known, uptime)
		}
		policy := rec.Spec.Restart
		for ShouldRestart(policy, e) {
			delay := b.Next(uptime)
			if o.Events != nil {
				o.Events.Restarting(rec.Address, delay, e, policy)
			}
			select {
			case <-ctx.Done():
				return
			case <-o.Clock.After(delay):
			}
			next, err := restart(ctx, r, rec, o)
			if err == nil {
				rec = next
				if o.Events != nil {
					o.Events.Restarted(rec.Address, rec.Handle)
				}
				break
			}
			if ctx.Err() != nil {
				return
			}
			if o.Events != nil {
				o.Events.RestartFailed(rec.Address, err)
			}
			// A start that failed counts as a run of no time that failed.
			e, uptime = runtimes.Exit{Code: -1, Err: err, At: o.Clock.Now()}, 0
		}
		if !ShouldRestart(policy, e) {
			return
		}
	}
}

// restart starts the resource rec records again, with the spec state
// holds (its trust material is still in place), and records the new
// handle.
func restart(ctx context.Context, r runtimes.Runner, rec *state.Resource, o *SuperviseOptions) (*state.Resource, error) {
	h, err := r.Start(ctx, launchSpec(rec.Address, o.Lineage, o.Dir, rec.Spec, o.BaseEnv))
	if err != nil {
		return nil, err
	}
	next := *rec
	next.Handle = h
	next.Since = o.Clock.Now()
	next.Tainted = false
	if err := o.Store.Upsert(&next); err != nil {
		// What runs must be in state; since it cannot be, it must not run.
		r.Stop(context.WithoutCancel(ctx), h, stopGrace(rec.Spec))
		return nil, fmt.Errorf("started %s but %w; it was stopped again", HandleLabel(h), err)
	}
	return &next, nil
}

// waitExit waits until what rec names has ended and says how; ok is false
// when ctx ended first.
func waitExit(ctx context.Context, r runtimes.Runner, rec *state.Resource, poll time.Duration) (e runtimes.Exit, known, ok bool) {
	h := rec.Handle
	var exited <-chan struct{}
	if n, isN := r.(exitNotifier); isN {
		exited = n.Exited(h)
	}
	if exited != nil {
		select {
		case <-ctx.Done():
			return runtimes.Exit{}, false, false
		case <-exited:
		}
	} else {
		t := time.NewTicker(poll)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return runtimes.Exit{}, false, false
			case <-t.C:
			}
			st, err := r.Status(ctx, h)
			if err == nil && st != runtimes.StatusRunning {
				break
			}
		}
	}
	if ctx.Err() != nil {
		// Ended because it was being stopped: not an exit of its own.
		return runtimes.Exit{}, false, false
	}
	if x, isX := r.(runtimes.ExitReporter); isX {
		if e, found := x.Exit(h); found {
			return e, true, true
		}
	}
	if x, isX := r.(lastExiter); isX {
		if e, found := x.LastExit(h, rec.Spec.LogPath); found {
			return e, true, true
		}
	}
	if x, isX := r.(containerExiter); isX {
		if code, at, found, err := x.LastExit(context.WithoutCancel(ctx), h); err == nil && found {
			e := runtimes.Exit{Code: code, At: at}
			if code != 0 {
				e.Err = fmt.Errorf("exit status %d", code)
			}
			return e, true, true
		}
	}
	return runtimes.Exit{Code: -1, At: time.Now()}, false, true
}
