package command

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"sync/atomic"
	"syscall"

	"github.com/trustform/trustform/internal/command/arguments"
	"github.com/trustform/trustform/internal/command/views"

	"github.com/trustform/trustform/apply"
	"github.com/trustform/trustform/internal/layout"
	"github.com/trustform/trustform/plan"
	"github.com/trustform/trustform/runtimes"
	"github.com/trustform/trustform/state"
)

// applyRun describes one apply or destroy: where the plan comes from and
// how to talk to the user.
type applyRun struct {
	// command is "apply" or "destroy", for the lock and messages.
	command     string
	planFile    string
	planning    arguments.Planning
	autoApprove bool
	parallelism int
	json        bool
	// summaryOnly prints the plan's summary line instead of the whole
	// plan (up, which applies without asking).
	summaryOnly bool
	// runners, when set, are the runners to use, else applyLocked sets
	// them; up keeps them after apply, since the process runner is told
	// at once when a process it started ends.
	runners *runnerSet
	// planned is set by applyLocked once it has a plan to carry out.
	planned bool
	// wrapEvents, when set, wraps the progress events (up shows a
	// resource's last output before saying it was destroyed).
	wrapEvents func(apply.Events) apply.Events
	// made, when set, is the plan to carry out, already made and shown
	// (up -watch shows it its own way).
	made *planResult
	// destroysAfter: an interrupted apply is followed at once by a destroy
	// of everything (up), so its usual advice ("Run apply to continue or
	// destroy to stop them") would be untrue and is not printed.
	destroysAfter bool
	// asking is set while the approval question waits for an answer: a
	// Ctrl-C then cancels the question, and the warning about waiting for
	// running steps would be untrue.
	asking atomic.Bool
	// view is set by applyLocked from command and json.
	view views.Apply
}

// lockState takes the state lock for the whole command, creating
// .trustform if needed (removed again on unlock if the run left nothing in
// it). It prints what went wrong and returns nil on failure.
func (e *runEnv) lockState(ctx context.Context, r *applyRun) *state.LockHandle {
	lock, err := e.lock(ctx, r.command, r.planning.LockTimeout)
	if err != nil {
		var locked *state.LockedError
		if errors.As(err, &locked) {
			e.view.Errorf("%v", err)
			return nil
		}
		e.view.Errorf("cannot lock the state: %v", err)
		return nil
	}
	if prev := lock.TakenOver; prev != nil {
		if prev.PID == 0 {
			// The dead holder's file could not be read (torn or edited).
			e.view.Warnf("took over a state lock left by a run that no longer runs (its lock file could not be read)")
		} else {
			e.view.Warnf("took over the state lock of pid %d (%s, since %s), which no longer runs",
				prev.PID, prev.Command, prev.Started.Format("2006-01-02 15:04:05"))
		}
	}
	return lock
}

// runApplyFlow is apply and destroy: lock, plan (or read the saved plan),
// show it, confirm, execute, report. Each step prints what went wrong
// itself and says so with ok false.
func (e *runEnv) runApplyFlow(r *applyRun) int {
	e.limitMemory()
	// interrupted is the exit code after a signal: 128 + its number, as
	// shells report it (Ctrl-C: 130). Set before ctx is cancelled.
	var interrupted atomic.Int32
	ctx, stop := signalContext(context.Background(), func(sig os.Signal) {
		code := int32(exitInterrupted)
		if s, ok := sig.(syscall.Signal); ok {
			code = 128 + int32(s)
		}
		interrupted.Store(code)
		if r.asking.Load() {
			return
		}
		e.view.Warnf("interrupt received: no new resource will be started; waiting for running steps, then saving state")
	})
	defer stop()

	lock := e.lockState(ctx, r)
	if lock == nil {
		return exitError
	}
	defer func() {
		if err := lock.Unlock(); err != nil {
			e.view.Warnf("releasing the state lock: %v", err)
		}
	}()
	return e.applyLocked(ctx, r, interrupted.Load)
}

// applyLocked is runApplyFlow once the state lock is held: plan (or read
// the saved plan), show it, confirm, execute, report. interrupted returns
// the exit code a signal asked for (0: none). up calls it twice under one
// lock: to apply, then to destroy.
func (e *runEnv) applyLocked(ctx context.Context, r *applyRun, interrupted func() int32) int {
	if r.view == nil {
		r.view = views.NewApply(r.command, r.json, e.view, e.now)
	}
	p, st, ok := e.planToApply(ctx, r)
	if !ok {
		if code := interrupted(); code != 0 {
			// Ctrl-C at a variable's prompt: exit as a signal does.
			return int(code)
		}
		return exitError
	}
	r.planned = true
	if !p.HasChanges() {
		return e.applyNothing(ctx, r, p, st)
	}
	if !e.approved(ctx, r) {
		if code := interrupted(); code != 0 {
			// Ctrl-C at the question: nothing started, exit as a signal does.
			return int(code)
		}
		return exitError
	}
	if code := interrupted(); code != 0 {
		r.view.NotStarted(countChanges(p))
		return int(code)
	}
	rec, ok := e.openRecord(p, st)
	if !ok {
		return exitError
	}
	if r.runners == nil {
		r.runners = e.newRunnerSet(p.ContainerRuntime)
	}
	runners, err := runnersFor(ctx, r.runners, p)
	if err != nil {
		rec.close()
		e.view.Errorf("%v", err)
		return exitError
	}
	r.view.Starting()
	result, applyErr := apply.Apply(ctx, p, apply.Options{
		Parallelism: r.parallelism,
		Runners:     runners,
		Store:       rec.store,
		Lineage:     rec.lineage,
		Events:      e.applyEvents(r),
		BaseEnv:     e.environ,
		Now:         e.now,
	})
	closeErr := rec.close()
	return e.applyEnd(r, result, rec.state(), applyErr, closeErr, int(interrupted()))
}

// limitMemory sets apply's soft memory limit unless GOMEMLIMIT is set.
// apply holds the plan, the state and every handle while it waits on
// processes, on a laptop full of other work: a soft limit makes the
// collector run before the heap doubles (measured at 1,000 resources x 150
// certificates: 174 MB peak without it, 127 MB with it, same wall time).
func (e *runEnv) limitMemory() {
	if _, set := lookupEnv(e.environ, "GOMEMLIMIT"); !set {
		debug.SetMemoryLimit(applyMemoryLimit)
	}
}

// planToApply reads the saved plan (checking that it still fits the state
// and the directory) or makes a new one and shows it.
func (e *runEnv) planToApply(ctx context.Context, r *applyRun) (*plan.Plan, *state.State, bool) {
	if r.made != nil {
		return r.made.plan, r.made.state, true
	}
	if r.planFile == "" {
		res := e.makePlan(ctx, &r.planning)
		if res.plan == nil {
			e.writeDiagnostics(res.diags, res.src)
			return nil, nil, false
		}
		if r.summaryOnly {
			e.writeDiagnostics(res.diags, res.src)
			e.printPlanSummary(res.plan)
		} else if err := r.view.Plan(res.plan, res.diags, res.src); err != nil {
			e.view.Errorf("writing the plan: %v", err)
			return nil, nil, false
		}
		return res.plan, res.state, true
	}
	p, err := plan.ReadFile(e.path(r.planFile))
	if err != nil {
		e.view.Errorf("%v", err)
		return nil, nil, false
	}
	st, err := e.loadState()
	if err != nil {
		e.view.Errorf("%v", err)
		return nil, nil, false
	}
	if err := plan.CheckApplicable(p, st); err != nil {
		e.view.Errorf("%v", err)
		e.view.Hintf("run \"trustform plan -out=%s\" again and apply the new plan", r.planFile)
		return nil, nil, false
	}
	if p.Dir != e.dir {
		e.view.Errorf("the saved plan %s was made for %s, not %s", r.planFile, p.Dir, e.dir)
		e.view.Hintf("run apply from that directory, or use -chdir=%s", p.Dir)
		return nil, nil, false
	}
	return p, st, true
}

// applyNothing ends a run whose plan changes nothing. A destroy still
// looks for processes: nothing in state does not mean nothing runs (a
// restored older backup, or a lost state, leaves processes known only by
// their markers; issue 12).
func (e *runEnv) applyNothing(ctx context.Context, r *applyRun, p *plan.Plan, st *state.State) int {
	if p.Destroy {
		if err := e.destroyOrphans(ctx, r, p, st); err != nil {
			r.view.Failed(err, nil)
			return exitError
		}
	}
	if e.renamed && st.Lineage != "" {
		// Held under the state lock, as every apply is.
		if err := st.Save(layout.StatePath(e.dir)); err != nil {
			e.view.Warnf("recording this machine's new name in the state: %v", err)
		}
	}
	r.view.Complete(&apply.Result{}, st)
	return exitOK
}

// approved asks the user to confirm, unless -auto-approve or a saved plan
// (approved when it was reviewed) says not to.
func (e *runEnv) approved(ctx context.Context, r *applyRun) bool {
	if r.autoApprove || r.planFile != "" {
		return true
	}
	if !e.stdinIsTerminal() {
		e.view.Errorf("%s needs your approval, but standard input is not a terminal", r.command)
		e.view.Hintf("review the plan above, then run \"trustform %s -auto-approve\", or save a plan with \"trustform plan -out=FILE\" and apply that file", r.command)
		return false
	}
	q, d := "Do you want to perform these actions?", "trustform will perform the actions described above."
	if r.command == "destroy" {
		q, d = "Do you really want to destroy all resources?", "trustform will stop every resource in state and remove what it created for them."
		if len(r.planning.Targets) > 0 {
			q, d = "Do you really want to destroy these resources?", "trustform will stop the resources listed above and remove what it created for them."
		}
	}
	r.asking.Store(true)
	ok, err := e.confirm(ctx, q, d)
	r.asking.Store(false)
	if err != nil && ctx.Err() != nil {
		e.view.Errorf("%s cancelled: interrupted before an answer; nothing was changed", r.command)
		return false
	}
	if err != nil {
		e.view.Errorf("reading the answer: %v", err)
		return false
	}
	if !ok {
		e.view.Errorf("%s cancelled", r.command)
	}
	return ok
}

// applyRecord is where a run records what it does: the state journal, or,
// for a destroy that could not open one, memory.
type applyRecord struct {
	store   apply.StateStore
	lineage string
	// close ends recording: it folds the journal into state.json, or, for
	// a destroy that could not start one, says what state still lists.
	close func() error
	state func() *state.State
}

// openRecord opens the state journal. A first apply gets its lineage now
// and saves it before anything starts: processes are tagged with it, so if
// this apply dies half-way the next one recognises what it had started.
// The directory and host are recorded so that a copy of the project is
// recognised (loadState) and never acts on this one's processes.
func (e *runEnv) openRecord(p *plan.Plan, st *state.State) (*applyRecord, bool) {
	statePath := layout.StatePath(e.dir)
	host, _ := os.Hostname()
	if st.Lineage == "" {
		st = state.New(state.NewLineage(e.rand), Version)
		st.Place(e.dir, host)
		if err := st.Save(statePath); err != nil {
			e.view.Errorf("saving the new state: %v", err)
			return nil, false
		}
	}
	st.Place(e.dir, host)
	journal, err := state.OpenJournal(statePath, st)
	switch {
	case err == nil:
		return &applyRecord{store: journal, lineage: st.Lineage, close: journal.Close, state: journal.State}, true
	case p.Destroy:
		// A destroy that cannot record (a full disk) still stops what
		// runs, then reports what state could not be told (issue 12):
		// refusing would leave everything running exactly when the
		// machine is in trouble.
		e.view.Warnf("cannot record this destroy in state (%v): stopping the resources anyway", err)
		listed := len(st.Resources)
		mem := apply.NewStore(st, nil)
		return &applyRecord{store: mem, lineage: st.Lineage, state: mem.State, close: func() error {
			return fmt.Errorf("%s could not be updated (%v): it still lists the %d resources this destroy handled; once there is space again, run trustform destroy again to clear them (what was stopped is found stopped)", statePath, err, listed)
		}}, true
	default:
		e.view.Errorf("%v", err)
		return nil, false
	}
}

// runnersFor returns the process runner and, when the plan starts or stops
// a container, the container runner.
func runnersFor(ctx context.Context, rs *runnerSet, p *plan.Plan) (map[runtimes.Kind]runtimes.Runner, error) {
	runners := map[runtimes.Kind]runtimes.Runner{runtimes.KindProcess: rs.proc}
	if needsContainers(p) {
		cr, err := rs.container(ctx, "")
		if err != nil {
			return nil, err
		}
		runners[runtimes.KindContainer] = cr
	}
	return runners, nil
}

// applyEvents is how apply reports progress: the view's human or JSON
// events, wrapped when the run asks (up).
func (e *runEnv) applyEvents(r *applyRun) apply.Events {
	if r.wrapEvents != nil {
		return r.wrapEvents(r.view.Events())
	}
	return r.view.Events()
}

// applyEnd reports how apply ended and returns the exit code. interrupted
// is the code a signal asked for (0: none).
func (e *runEnv) applyEnd(r *applyRun, result *apply.Result, final *state.State, applyErr, closeErr error, interrupted int) int {
	// Interrupted: say what was started and what was not, and exit as
	// shells do after a signal (Ctrl-C: 130), once state is saved.
	var ae *apply.Error
	if errors.As(applyErr, &ae) && ae.Interrupted {
		if !r.destroysAfter || len(ae.Failures) > 0 || closeErr != nil {
			r.view.Interrupted(ae, applyErr, closeErr)
		}
		if interrupted == 0 {
			return exitInterrupted
		}
		return interrupted
	}
	if applyErr != nil || closeErr != nil {
		r.view.Failed(applyErr, closeErr)
		return exitError
	}
	r.view.Complete(result, final)
	return exitOK
}

// destroyOrphans stops the processes a destroy with nothing in state still
// finds: those with the state's lineage, or, with no state at all, those
// naming this directory. Nothing is recorded, since state holds none of
// them.
func (e *runEnv) destroyOrphans(ctx context.Context, r *applyRun, p *plan.Plan, st *state.State) error {
	rs := e.newRunnerSet(p.ContainerRuntime)
	_, err := apply.Apply(ctx, p, apply.Options{
		Runners: map[runtimes.Kind]runtimes.Runner{runtimes.KindProcess: rs.proc},
		Store:   apply.NewStore(st, nil),
		Lineage: st.Lineage,
		Events:  e.applyEvents(r),
		BaseEnv: e.environ,
		Now:     e.now,
	})
	return err
}

// applyMemoryLimit is apply's and destroy's soft memory limit (see
// runApplyFlow); the Go runtime exceeds it rather than fail.
const applyMemoryLimit = 120 << 20

// countChanges counts the changes that are not no-ops.
func countChanges(p *plan.Plan) int {
	n := 0
	for _, c := range p.Changes {
		if c.Action != plan.NoOp {
			n++
		}
	}
	return n
}

// needsContainers reports whether any change starts or stops a container.
func needsContainers(p *plan.Plan) bool {
	for _, c := range p.Changes {
		if c.Action == plan.NoOp {
			continue
		}
		for _, s := range []*state.Spec{c.Before, c.After} {
			if s != nil && s.Kind == runtimes.KindContainer {
				return true
			}
		}
	}
	return false
}
