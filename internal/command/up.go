package command

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"sort"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/trustform/trustform/apply"
	"github.com/trustform/trustform/internal/command/arguments"
	"github.com/trustform/trustform/internal/layout"
	"github.com/trustform/trustform/internal/logstream"
	"github.com/trustform/trustform/plan"
	"github.com/trustform/trustform/runtimes"
	"github.com/trustform/trustform/state"
)

func newUpCommand(e *runEnv) *command {
	c := &command{
		synopsis: "Apply, follow every resource's output, destroy on Ctrl-C",
		help: `
Usage: trustform [-chdir=DIR] up [flags]

  The foreground workflow: plan, print the plan's summary line and apply
  without asking, then show the output of every resource, each line
  prefixed with its address, with lifecycle lines ("started (pid 4211)",
  "exited with code 1 after 2.3s") in the same stream. A resource whose
  restart argument is "on-failure" or "always" is started again when it
  ends, after a delay growing from 1s to 30s.

  Ctrl-C stops everything in reverse dependency order and removes its trust
  material, as destroy does, then exits with status 130. A second Ctrl-C
  kills what still runs at once. up also ends, destroying everything, when
  every resource has ended for good.

Flags:
` + varFlagsHelp + `
  -input=false       Do not ask for required variables without a value.
  -parallelism=N     Start and stop at most N resources at once (default 10).
  -no-color          Do not colour the output.
  -lock-timeout=D    Wait up to D (e.g. 30s) for the state lock.
  -watch             Watch the configuration, variable and certificate files
                     and every resource's watch paths; on a change, plan
                     again and apply only that plan, replacing what it
                     affects while the rest keeps running.
`,
	}
	c.run = parsed(e, c, arguments.ParseUp, runUp)
	return c
}

// upSignals turns SIGINT, SIGTERM and SIGHUP into up's two stages: the first
// stops starting anything and ends the foreground (everything is then
// destroyed); the second kills what still runs at once.
type upSignals struct {
	ch          chan os.Signal
	interrupted atomic.Int32
	stop        context.CancelFunc
	kill        chan struct{}
	done        chan struct{}
}

func newUpSignals(e *runEnv, stop context.CancelFunc) *upSignals {
	s := &upSignals{ch: make(chan os.Signal, 2), stop: stop, kill: make(chan struct{}), done: make(chan struct{})}
	// SIGHUP: the terminal up runs in was closed. Dying of it would leave
	// every resource running with nobody following or stopping them.
	signal.Notify(s.ch, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	go func() {
		n := 0
		for {
			select {
			case <-s.done:
				return
			case sig := <-s.ch:
				n++
				if n == 1 {
					code := int32(exitInterrupted)
					if ss, ok := sig.(syscall.Signal); ok {
						code = 128 + int32(ss)
					}
					s.interrupted.Store(code)
					e.view.Warnf("interrupt received: stopping everything (press Ctrl-C again to kill at once)")
					stop()
					continue
				}
				if n == 2 {
					e.view.Warnf("second interrupt: killing what still runs")
					close(s.kill)
				}
			}
		}
	}()
	return s
}

func (s *upSignals) close() {
	signal.Stop(s.ch)
	close(s.done)
}

// runUp applies, follows and supervises every resource until Ctrl-C or
// until every one has ended for good, then destroys everything. Both halves
// are the apply flow (same plan, engine, state journal and lock), run under
// one lock held from start to end.
func runUp(e *runEnv, a *arguments.Up) int {
	if a.NoColor {
		e.view.DisableColor()
	}
	e.limitMemory()
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	sigs := newUpSignals(e, stop)
	defer sigs.close()

	lock := e.lockState(ctx, &applyRun{command: "up", planning: arguments.Planning{LockTimeout: a.LockTimeout}})
	if lock == nil {
		if c := sigs.interrupted.Load(); c != 0 {
			return int(c)
		}
		return exitError
	}
	defer func() {
		if err := lock.Unlock(); err != nil {
			e.view.Warnf("releasing the state lock: %v", err)
		}
	}()

	run := &applyRun{
		command:       "apply",
		planning:      arguments.Planning{Vars: a.Vars, Refresh: true, NoColor: a.NoColor, Input: a.Input},
		autoApprove:   true,
		parallelism:   a.Parallelism,
		summaryOnly:   true,
		destroysAfter: true,
	}
	code := e.applyLocked(ctx, run, sigs.interrupted.Load)
	if !run.planned {
		// Nothing was started (the configuration did not load, say):
		// what an earlier apply started is not up's to stop.
		if c := sigs.interrupted.Load(); c != 0 {
			return int(c)
		}
		return code
	}
	rs := run.runners
	if rs == nil {
		rs = e.newRunnerSet("")
	}

	fg := &foreground{e: e, rs: rs, args: a, interrupted: sigs.interrupted.Load}
	followCtx, stopFollowing := context.WithCancel(context.Background())
	if code == exitOK && ctx.Err() == nil {
		code = fg.run(ctx, followCtx)
	}

	// Everything stops the way destroy stops it; a second Ctrl-C kills
	// what it has not stopped yet, and the destroy goes on from there.
	// The runners are listed now: the destroy may add to the set while
	// the kill runs.
	killers := []runtimes.Runner{rs.proc}
	for _, cr := range rs.engines {
		killers = append(killers, cr)
	}
	killed := make(chan struct{})
	go func() {
		select {
		case <-sigs.kill:
			e.killAll(killers)
		case <-killed:
		}
	}()
	fmt.Fprintln(e.view.Out)
	dcode := e.applyLocked(context.Background(), &applyRun{
		command:     "destroy",
		planning:    arguments.Planning{Refresh: true, Destroy: true, NoColor: a.NoColor},
		autoApprove: true,
		parallelism: a.Parallelism,
		summaryOnly: true,
		runners:     rs,
		wrapEvents:  fg.drainBeforeDone,
	}, func() int32 { return 0 })
	close(killed)
	stopFollowing()
	fg.wait()

	if c := sigs.interrupted.Load(); c != 0 {
		return int(c)
	}
	if code == exitOK {
		code = dcode
	}
	return code
}

// killAll sends SIGKILL (a stop without grace) to everything this
// configuration still runs, found by its markers as orphans are, whatever
// state says at this instant.
func (e *runEnv) killAll(runners []runtimes.Runner) {
	ctx := context.Background()
	lineage := ""
	if st, err := e.loadState(); err == nil {
		lineage = st.Lineage
	}
	var wg sync.WaitGroup
	for _, r := range runners {
		finder, ok := r.(runtimes.OrphanFinder)
		if !ok {
			continue
		}
		found, err := finder.FindOrphans(ctx, lineage)
		if err != nil {
			e.view.Warnf("looking for what to kill: %v", err)
			continue
		}
		for _, o := range found {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := r.Stop(ctx, o.Handle, 0); err != nil {
					e.view.Warnf("killing %s: %v", o.Address, err)
				}
			}()
		}
	}
	wg.Wait()
}

// foreground is up between apply and destroy: it follows every resource's
// output and supervises them.
type foreground struct {
	e  *runEnv
	rs *runnerSet
	lw *logstream.Writer
	// args and interrupted serve -watch, which plans and applies again.
	args        *arguments.Up
	interrupted func() int32

	mu        sync.Mutex
	followers map[string]*logstream.Follower
	stops     map[string]context.CancelFunc
	followWG  sync.WaitGroup
	followCtx context.Context
	// failed holds the resources whose last exit had a non-zero status
	// and that were not restarted (yet).
	failed map[string]bool
}

// anyFailed reports whether some resource ended with a non-zero status
// and was not restarted.
func (f *foreground) anyFailed() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.failed) > 0
}

// setFailed records whether addr's last exit counts as a failure.
func (f *foreground) setFailed(addr string, failed bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !failed {
		delete(f.failed, addr)
		return
	}
	if f.failed == nil {
		f.failed = map[string]bool{}
	}
	f.failed[addr] = true
}

// run follows and supervises until ctx ends (Ctrl-C) or every resource
// has ended for good. Following goes on until followCtx ends, so what
// resources print while they are stopped is shown too.
func (f *foreground) run(ctx, followCtx context.Context) int {
	e := f.e
	f.followCtx = followCtx
	st, err := e.loadState()
	if err != nil {
		e.view.Errorf("%v", err)
		return exitError
	}
	addrs := make([]string, 0, len(st.Resources))
	for _, r := range st.Resources {
		addrs = append(addrs, r.Address)
	}
	sort.Strings(addrs)
	f.lw = logstream.NewWriter(e.view.Out, addrs, e.view.OutColor)
	f.followers = map[string]*logstream.Follower{}
	runners := map[runtimes.Kind]runtimes.Runner{runtimes.KindProcess: f.rs.proc}
	fmt.Fprintln(e.view.Out)
	for _, addr := range addrs {
		r := st.Lookup(addr)
		f.lw.Lifecyclef(addr, "%s", startedText(r.Handle))
		if r.Spec != nil && r.Spec.Kind == runtimes.KindContainer {
			cr, err := f.rs.forHandle(ctx, runtimes.KindContainer, r.Handle)
			if err != nil {
				f.lw.Lifecyclef(addr, "cannot follow its output: %v", err)
				continue
			}
			runners[runtimes.KindContainer] = cr
		}
		f.follow(r)
	}
	if len(addrs) == 0 {
		e.view.Warnf("nothing to run: the configuration has no resources")
		return exitOK
	}

	if f.args != nil && f.args.Watch {
		return f.watchLoop(ctx, st)
	}
	journal, err := state.OpenJournal(layout.StatePath(e.dir), st)
	if err != nil {
		e.view.Errorf("%v", err)
		return exitError
	}
	serr := f.supervise(ctx, st, runners, journal)
	if err := journal.Close(); err != nil {
		e.view.Errorf("saving state: %v", err)
		return exitError
	}
	if serr != nil {
		e.view.Errorf("%v", serr)
		return exitError
	}
	if ctx.Err() == nil {
		fmt.Fprintln(e.view.Out, "\nEvery resource has ended; stopping.")
		if f.anyFailed() {
			return exitError
		}
	}
	return exitOK
}

// startedText is the lifecycle line of a resource that runs.
func startedText(h runtimes.Handle) string {
	if h.ContainerID != "" {
		id := h.ContainerID
		if len(id) > 12 {
			id = id[:12]
		}
		return "started (container " + id + ")"
	}
	return fmt.Sprintf("started (pid %d)", h.PID)
}

// follow starts showing r's output: its log file for a process (which a
// restart appends to), the engine's log for a container (followed anew
// after each restart).
// supervise watches st's resources until ctx ends, restarting them as
// their restart policy says and recording new pids through journal; f
// hears of every exit and restart.
func (f *foreground) supervise(ctx context.Context, st *state.State, runners map[runtimes.Kind]runtimes.Runner, journal *state.Journal) error {
	return apply.Supervise(ctx, st.Resources, apply.SuperviseOptions{
		Runners: runners,
		Store:   journal,
		Lineage: st.Lineage,
		Dir:     f.e.dir,
		BaseEnv: f.e.environ,
		Clock:   apply.Clock{Now: f.e.now},
		Events:  f,
	})
}

func (f *foreground) follow(r *state.Resource) { f.followFrom(r, 0) }

// followFrom is follow, starting a process's log at offset (up -watch
// starts a resource again whose log holds what it already showed).
func (f *foreground) followFrom(r *state.Resource, offset int64) {
	addr := r.Address
	emit := func(line string) { f.lw.Line(addr, line) }
	if r.Handle.ContainerID != "" {
		cr, err := f.rs.container(f.followCtx, r.Handle.Engine)
		if err != nil {
			f.lw.Lifecyclef(addr, "cannot follow its output: %v", err)
			return
		}
		lw := logstream.NewLineWriter(emit)
		f.followWG.Add(1)
		go func() {
			defer f.followWG.Done()
			if err := cr.Logs(f.followCtx, r.Handle, true, lw); err != nil && f.followCtx.Err() == nil {
				f.lw.Lifecyclef(addr, "following its output ended: %v", err)
			}
			lw.Flush()
		}()
		return
	}
	path := layout.LogPath(f.e.dir, addr)
	if r.Spec != nil && r.Spec.LogPath != "" {
		path = r.Spec.LogPath
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.followers[addr] != nil {
		return
	}
	fl, err := logstream.OpenFollower(path, offset, emit)
	if err != nil {
		f.lw.Lifecyclef(addr, "cannot follow its output: %v", err)
		return
	}
	f.followers[addr] = fl
	// Each follower can be stopped alone: up -watch replaces a resource,
	// whose new log is a new file.
	fctx, stop := context.WithCancel(f.followCtx)
	if f.stops == nil {
		f.stops = map[string]context.CancelFunc{}
	}
	f.stops[addr] = stop
	f.followWG.Add(1)
	go func() {
		defer f.followWG.Done()
		defer fl.Close()
		if err := fl.Run(fctx, 0); err != nil {
			f.lw.Lifecyclef(addr, "following its output ended: %v", err)
		}
	}()
}

// wait waits until every follower has shown its last lines.
func (f *foreground) wait() {
	f.followWG.Wait()
}

// drain shows what addr wrote so far, before a lifecycle line about it.
func (f *foreground) drain(addr string) {
	f.mu.Lock()
	fl := f.followers[addr]
	f.mu.Unlock()
	if fl != nil {
		fl.Drain()
	}
}

// Exited implements apply.SuperviseEvents.
func (f *foreground) Exited(addr string, h runtimes.Handle, x runtimes.Exit, known bool, uptime time.Duration) {
	f.drain(addr)
	after := formatUptime(uptime)
	if !known {
		f.lw.Lifecyclef(addr, "exited after %s (exit status unknown)", after)
		return
	}
	f.lw.Lifecyclef(addr, "exited with code %d after %s", x.Code, after)
	f.setFailed(addr, x.Code != 0)
}

// Restarting implements apply.SuperviseEvents.
func (f *foreground) Restarting(addr string, delay time.Duration, x runtimes.Exit, policy string) {
	f.setFailed(addr, false)
	f.lw.Lifecyclef(addr, "restarting in %s (exit code %d, restart = %q)", delay, x.Code, policy)
}

// Restarted implements apply.SuperviseEvents.
func (f *foreground) Restarted(addr string, h runtimes.Handle) {
	f.lw.Lifecyclef(addr, "%s", startedText(h))
	if h.ContainerID != "" {
		f.follow(&state.Resource{Address: addr, Handle: h})
	}
}

// RestartFailed implements apply.SuperviseEvents.
func (f *foreground) RestartFailed(addr string, err error) {
	f.lw.Lifecyclef(addr, "restart failed: %v", err)
}

// formatUptime shows how long a resource ran: tenths of a second, whole
// seconds from a minute on.
func formatUptime(d time.Duration) string {
	if d >= time.Minute {
		return d.Round(time.Second).String()
	}
	return fmt.Sprintf("%.1fs", d.Seconds())
}

// printPlanSummary prints only the plan's last line, as up does before
// applying without asking.
func (e *runEnv) printPlanSummary(p *plan.Plan) {
	if !p.HasChanges() {
		fmt.Fprintln(e.view.Out, "No changes. Your processes match the configuration.")
		return
	}
	s := p.Summary()
	fmt.Fprintf(e.view.Out, "Plan: %d to add, %d to change, %d to destroy.\n", s.Add, s.Change, s.Destroy)
}

// drainBeforeDone shows a resource's last output (what it printed while
// stopping) before destroy reports it stopped.
func (f *foreground) drainBeforeDone(ev apply.Events) apply.Events {
	return drainingEvents{Events: ev, f: f}
}

type drainingEvents struct {
	apply.Events
	f *foreground
}

func (d drainingEvents) ResourceDone(addr string, action plan.Action, elapsed time.Duration, h runtimes.Handle) {
	d.f.drain(addr)
	d.Events.ResourceDone(addr, action, elapsed, h)
}
