package command

import (
	"context"
	"fmt"
	"os"
	"slices"

	"github.com/trustform/trustform/internal/command/arguments"
	"github.com/trustform/trustform/internal/layout"
	"github.com/trustform/trustform/internal/watch"
	"github.com/trustform/trustform/lang"
	"github.com/trustform/trustform/plan"
	"github.com/trustform/trustform/runtimes"
	"github.com/trustform/trustform/state"
)

// watchLoop is up -watch between apply and destroy: it supervises what
// runs, as plain up does, and on every change to a watched file plans
// again and applies only that plan. Supervision pauses while a plan is
// applied (the apply is what stops and starts the affected resources;
// everything else keeps running untouched) and resumes with the new
// state.
func (f *foreground) watchLoop(ctx context.Context, st *state.State) int {
	e := f.e
	w, err := watch.New(0)
	if err != nil {
		e.view.Errorf("%v", err)
		return exitError
	}
	defer w.Close()
	dcDir, _ := devcertDir(e.environ)
	cfg, diags, _ := e.loadConfig(f.vars())
	if diags.HasErrors() {
		cfg = nil
	}
	entries := watchEntries(e.dir, dcDir, f.vars(), cfg)
	if err := w.Watch(entries); err != nil {
		e.view.Warnf("%v", err)
	}
	fmt.Fprintf(e.view.Out, "~ watch: watching %d files and patterns for changes (Ctrl-C stops everything)\n", len(entries))

	for {
		code, change, ok := f.superviseUntilChange(ctx, st, w)
		if !ok {
			return code
		}
		entries = f.applyChange(ctx, change, dcDir, entries, w)
		if ctx.Err() != nil {
			return exitOK
		}
		if st, err = e.loadState(); err != nil {
			e.view.Errorf("%v", err)
			return exitError
		}
	}
}

// superviseUntilChange supervises st's resources until a watched file
// changes (ok, with the change) or ctx ends (not ok). When every resource
// has ended for good, it keeps waiting for a change: a fix to a crashing
// program is what restarts it.
func (f *foreground) superviseUntilChange(ctx context.Context, st *state.State, w *watch.Watcher) (int, watch.Change, bool) {
	e := f.e
	runners, err := f.supervisionRunners(ctx, st)
	if err != nil {
		e.view.Errorf("%v", err)
		return exitError, watch.Change{}, false
	}
	journal, err := state.OpenJournal(layout.StatePath(e.dir), st)
	if err != nil {
		e.view.Errorf("%v", err)
		return exitError, watch.Change{}, false
	}
	sctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- f.supervise(sctx, st, runners, journal)
	}()
	finish := func() int {
		stop()
		serr := <-done
		code := exitOK
		if err := journal.Close(); err != nil {
			e.view.Errorf("saving state: %v", err)
			code = exitError
		}
		if serr != nil {
			e.view.Errorf("%v", serr)
			code = exitError
		}
		return code
	}
	ended := done
	for {
		select {
		case <-ctx.Done():
			return finish(), watch.Change{}, false
		case c := <-w.Changes():
			if code := finish(); code != exitOK {
				return code, watch.Change{}, false
			}
			return exitOK, c, true
		case err := <-w.Errors():
			e.view.Warnf("watching files: %v", err)
		case serr := <-ended:
			// Every resource has ended for good; Supervise returned.
			done <- serr
			ended = nil
			if ctx.Err() == nil {
				fmt.Fprintln(e.view.Out, "~ watch: every resource has ended; waiting for a change (Ctrl-C to stop)")
			}
		}
	}
}

// supervisionRunners are the runners of st's resources: the process
// runner that started them (it learns of an exit at once) and the engine
// of any container.
func (f *foreground) supervisionRunners(ctx context.Context, st *state.State) (map[runtimes.Kind]runtimes.Runner, error) {
	runners := map[runtimes.Kind]runtimes.Runner{runtimes.KindProcess: f.rs.proc}
	for _, r := range st.Resources {
		if r.Spec != nil && r.Spec.Kind == runtimes.KindContainer && r.Handle.ContainerID != "" {
			cr, err := f.rs.forHandle(ctx, runtimes.KindContainer, r.Handle)
			if err != nil {
				return nil, err
			}
			runners[runtimes.KindContainer] = cr
			break
		}
	}
	return runners, nil
}

// applyChange loads the configuration again, plans with the resources
// whose watch entries cover a changed file forced to be replaced, says
// what the plan does in one line, and applies it. A configuration with
// errors changes nothing: its diagnostics are shown and everything keeps
// running. It returns the entries to watch from now on.
func (f *foreground) applyChange(ctx context.Context, c watch.Change, dcDir string, entries []string, w *watch.Watcher) []string {
	e := f.e
	names := changedNames(e.dir, c.Paths)
	cfg, diags, src := e.loadConfig(f.vars())
	if diags.HasErrors() {
		fmt.Fprintf(e.view.Out, "~ watch: %s changed: the configuration has errors; everything keeps running as it was\n", names)
		e.writeDiagnostics(diags, src)
		// Keep listening to what the broken configuration names too (a
		// file it refers to may be what is missing).
		more := watchEntries(e.dir, dcDir, f.vars(), cfg)
		if err := w.Watch(union(entries, more)); err != nil {
			e.view.Warnf("%v", err)
		}
		return entries
	}
	entries = watchEntries(e.dir, dcDir, f.vars(), cfg)
	if err := w.Watch(entries); err != nil {
		e.view.Warnf("%v", err)
	}
	st, err := e.loadState()
	if err != nil {
		e.view.Errorf("%v", err)
		return entries
	}
	// An editor that truncates a file before writing it, seen between the
	// two, would otherwise destroy everything; ending everything is what
	// Ctrl-C is for.
	if len(cfg.Resources) == 0 && len(st.Resources) > 0 {
		fmt.Fprintf(e.view.Out, "~ watch: %s changed: the configuration now declares no resource; everything keeps running as it was (Ctrl-C stops it)\n", names)
		return entries
	}
	inState := func(addr string) bool { r := st.Lookup(addr); return r != nil && r.Handle != (runtimes.Handle{}) }
	planning := arguments.Planning{Vars: f.vars(), Refresh: true, NoColor: f.args.NoColor, Replace: watchForced(cfg, inState, c.Paths)}
	res := e.makePlan(ctx, &planning)
	if res.plan == nil {
		fmt.Fprintf(e.view.Out, "~ watch: %s changed: it cannot be planned; everything keeps running as it was\n", names)
		e.writeDiagnostics(res.diags, res.src)
		return entries
	}
	fmt.Fprintln(e.view.Out, watchChangeLine(e.dir, c.Paths, res.plan))
	e.writeDiagnostics(res.diags, res.src)
	if !res.plan.HasChanges() {
		return entries
	}
	e.printPlanSummary(res.plan)
	run := &applyRun{
		command:     "apply",
		planning:    planning,
		autoApprove: true,
		parallelism: f.args.Parallelism,
		summaryOnly: true,
		runners:     f.rs,
		made:        res,
		wrapEvents:  f.drainBeforeDone,
	}
	// A resource created again (it had ended) appends to the log it
	// already showed.
	shown := map[string]int64{}
	for _, ch := range res.plan.Changes {
		if ch.Action == plan.Create {
			if fi, err := os.Stat(layout.LogPath(e.dir, ch.Address)); err == nil {
				shown[ch.Address] = fi.Size()
			}
		}
	}
	failed := false
	if code := e.applyLocked(ctx, run, f.interrupted); code != exitOK && ctx.Err() == nil {
		failed = true
		fmt.Fprintln(e.view.Out, "~ watch: applying the change failed (above); what it did not reach keeps running")
	}
	after, err := e.loadState()
	if err != nil {
		e.view.Errorf("%v", err)
		return entries
	}
	// What the plan stopped has written its last lines; show them before
	// its replacement's.
	for _, ch := range res.plan.Changes {
		if ch.Action == plan.Replace || ch.Action == plan.Delete {
			f.unfollow(ch.Address)
		}
	}
	for _, ch := range res.plan.Changes {
		if ch.Action != plan.Replace && ch.Action != plan.Create {
			continue
		}
		r := after.Lookup(ch.Address)
		if r == nil || r.Handle == (runtimes.Handle{}) {
			continue
		}
		f.lw.Add(r.Address)
		if failed && !f.running(ctx, r) {
			// The apply error above showed its last lines already.
			f.lw.Lifecyclef(r.Address, "not running; the next change to a watched file tries again")
			continue
		}
		f.lw.Lifecyclef(r.Address, "%s", startedText(r.Handle))
		// A follower still open (a resource that had ended, created
		// again) reads on; the log is the same file.
		f.followFrom(r, shown[r.Address])
	}
	return entries
}

// unfollow shows the rest of what addr's stopped process wrote (through
// the open descriptor: its log file is gone) and stops following it; a
// replacement writes a new log file.
func (f *foreground) unfollow(addr string) {
	f.mu.Lock()
	fl, stop := f.followers[addr], f.stops[addr]
	delete(f.followers, addr)
	delete(f.stops, addr)
	f.mu.Unlock()
	if fl != nil {
		fl.Drain()
		fl.Flush()
	}
	if stop != nil {
		stop()
	}
}

func union(a, b []string) []string {
	out := slices.Concat(a, b)
	slices.Sort(out)
	return slices.Compact(out)
}

// vars are up's -var and -var-file flags and the values typed at a prompt
// when it started: a new plan uses the same values without asking again.
func (f *foreground) vars() []lang.VarFlag {
	return slices.Concat(f.args.Vars, f.e.answered)
}

// running reports whether what r records still runs; an error counts as
// running, so its output is followed.
func (f *foreground) running(ctx context.Context, r *state.Resource) bool {
	kind := runtimes.KindProcess
	if r.Spec != nil && r.Spec.Kind != "" {
		kind = r.Spec.Kind
	}
	rn, err := f.rs.forHandle(ctx, kind, r.Handle)
	if err != nil {
		return true
	}
	st, err := rn.Status(ctx, r.Handle)
	return err != nil || st == runtimes.StatusRunning
}
