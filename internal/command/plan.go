package command

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"

	"github.com/trustform/trustform/internal/command/arguments"
	"github.com/trustform/trustform/internal/command/views"

	"github.com/trustform/trustform/plan"
)

const planningFlagsHelp = varFlagsHelp + `
  -refresh=false     Do not check what is running before planning.
  -target=ADDR       Plan only ADDR (TYPE.NAME) and what it depends on; with
                     -destroy, ADDR and what depends on it. Repeatable.
  -replace=ADDR      Replace ADDR even though nothing about it changed
                     (restart it). Repeatable.
  -destroy           Plan to stop and remove everything in state.
  -input=false       Do not ask for required variables without a value
                     (asked only on a terminal; -json implies this).
  -no-color          Do not colour the output.
  -lock-timeout=D    Wait up to D (e.g. 30s) for the state lock.`

func newPlanCommand(e *runEnv) *command {
	c := &command{
		synopsis: "Show what apply would do",
		help: `
Usage: trustform [-chdir=DIR] plan [flags]

  Show, for every resource, the command, arguments, environment and trust
  material apply would give it, and what would be created, replaced or
  removed. Changes nothing.

Flags:
  -out=FILE          Save the plan to FILE for "trustform apply FILE".
  -json              Print the plan as JSON on stdout.
  -markdown          Print the plan as Markdown for a pull request comment.
  -detailed-exitcode Exit 0 with no changes, 1 on error, 2 with changes.
` + planningFlagsHelp,
	}
	c.run = parsed(e, c, arguments.ParsePlan, runPlan)
	return c
}

// planGCPercent is the garbage collection target of planning (see
// planningGC).
const planGCPercent = 60

// planningGC sets the collector's pacing for making a plan, in plan, apply,
// check and up alike, unless GOGC is set. A plan's heap is mostly garbage
// from loading and rendering: collecting at 1.5x instead of 2x the live
// heap took the peak RSS of a 1,000-resource plan from 60 MB to 49 MB for
// the same CPU time, and unlike a fixed limit it scales with the plan.
// Since the syntax trees and unreferenced resource values are let go
// early, 1.6x keeps that peak (42-47 MB over 21 runs) for a tenth less CPU
// on collecting; 1.75x saved a little more but peaked at 49-51 MB in some
// runs. Apply, which collected at 2x while planning, peaks lower too.
func (e *runEnv) planningGC() {
	if _, set := lookupEnv(e.environ, "GOGC"); !set {
		debug.SetGCPercent(planGCPercent)
	}
}

// runPlan loads configuration and state, refreshes, builds the plan and
// renders it through the human, JSON or Markdown view.
func runPlan(e *runEnv, a *arguments.Plan) int {
	e.view.Configure(a.NoColor)
	if a.Out != "" {
		// Said before planning, so a long plan is not thrown away for a
		// typo in the path.
		if err := checkPlanOut(e.path(a.Out)); err != nil {
			e.view.Errorf("-out=%s: %v", a.Out, err)
			return exitError
		}
	}
	ctx, stop := signalContext(context.Background(), nil)
	defer stop()
	// Shared: plans run side by side, but never read state while an
	// apply or destroy is changing it (issue 12).
	lock, err := e.lockShared(ctx, a.LockTimeout)
	if err != nil {
		e.view.Errorf("%v", err)
		return exitError
	}
	defer lock.Unlock()
	r := e.makePlan(ctx, &a.Planning)
	view := views.NewPlan(a.JSON, a.Markdown, e.view)
	if r.plan == nil {
		view.Failed(r.diags, r.src)
		if ctx.Err() != nil {
			// Ctrl-C at a variable's prompt: exit as a signal does, as
			// apply does at its question.
			return exitInterrupted
		}
		return exitError
	}
	if err := view.Plan(r.plan, r.diags, r.src); err != nil {
		e.view.Errorf("writing the plan: %v", err)
		return exitError
	}
	if a.Out != "" {
		path := e.path(a.Out)
		if err := plan.WriteFile(path, r.plan); err != nil {
			e.view.Errorf("%v", err)
			return exitError
		}
		view.Saved(a.Out)
	}
	if a.DetailedExitcode && r.plan.HasChanges() {
		return exitChanges
	}
	return exitOK
}

// checkPlanOut says what is wrong with path as the place for a saved plan:
// a directory, or in a directory that does not exist.
func checkPlanOut(path string) error {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return fmt.Errorf("%s is a directory; name a file, such as %s", path, filepath.Join(path, "tf.plan"))
	}
	dir := filepath.Dir(path)
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return fmt.Errorf("the directory %s does not exist; create it or save the plan elsewhere", dir)
	}
	return nil
}
