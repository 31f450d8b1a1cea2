package command

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"

	"github.com/trustform/trustform/internal/command/arguments"
	"github.com/trustform/trustform/internal/command/views"

	"github.com/trustform/trustform/lang"
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

// planGCPercent is the garbage collection target of planning once its
// live heap outgrows half of planHeapBudget, and planLargeGCPercent once it
// outgrows the whole budget (see planningGC).
const (
	planGCPercent      = 60
	planLargeGCPercent = 100
)

// planHeapBudget is the memory a plan may use before its collector paces
// by percentage (see planningGC).
const planHeapBudget = 30 << 20

// planLargeSource is the configuration size past which a plan paces by
// planLargeGCPercent from the start (see planningGC). A plan's live heap
// peaks at about 70 times its source: 15 MB for the 220 KB of 1,000
// resources, 44 MB for the 1.1 MB of 5,000.
const planLargeSource = planHeapBudget / 64

// planningGC sets the collector's pacing for making a plan, in plan, apply,
// check and up alike, unless GOGC or GOMEMLIMIT is set.
//
// A plan's heap is mostly garbage from parsing, evaluating and rendering:
// at 1,000 resources it allocates about 50 MB over its life while its live
// heap stays under 15 MB. Collecting at 1.6x the live heap (GOGC=60, what
// kept the peak RSS under 50 MB) started 21 collections from a heap of
// 4 MB upwards, a quarter of the plan's CPU time. So a plan starts with
// the collector off and a soft limit of planHeapBudget instead: it
// collects only when the heap nears the budget, about ten times, and the
// peak RSS stays at about 43 MB. A fixed limit alone would collect without
// end once the live heap nears it (5,000 resources need far more), so
// after every collection the pacer checks the live heap: past half the
// budget it goes back to GOGC=60 and the limit it found, and past the
// whole budget, a configuration far beyond what 50 MB can hold, to Go's
// default GOGC=100, which at 5,000 resources saves a sixth of the CPU
// time for a peak RSS within the spread of GOGC=60's.
//
// A configuration whose source alone says it will outgrow the budget
// (planLargeSource) is paced at GOGC=100 from the start: the way there,
// off and then at GOGC=60, cost a plan of 5,000 resources 4% more CPU
// and 5% more time (0.63-0.67 s against 0.59-0.62 s, alternated runs),
// for the same peak RSS.
//
// GOGC alone keeps Go's own pacing with that target; GOMEMLIMIT alone
// keeps that limit, with GOGC=60.
//
// Only the first plan of a command is paced: the plans up -watch makes
// again keep the pacing the first one left, rather than each starting a
// pacer of its own that would take the budget for the limit it found.
func (e *runEnv) planningGC() {
	e.planPacing.Do(e.paceFirstPlan)
}

func (e *runEnv) paceFirstPlan() {
	_, gogc := lookupEnv(e.environ, "GOGC")
	_, limit := lookupEnv(e.environ, "GOMEMLIMIT")
	switch {
	case gogc:
	case limit:
		debug.SetGCPercent(planGCPercent)
	case lang.SourceSize(e.dir) > planLargeSource:
		debug.SetGCPercent(planLargeGCPercent)
	default:
		paceByBudget(planHeapBudget, planGCPercent, planLargeGCPercent)
	}
}

// paceByBudget turns the collector off under a soft memory limit of
// budget until a collection leaves more than half the budget live, then
// collects at percent with the limit in force before (or none: a limit at
// or below the budget is another plan's budget, which only tests running
// commands side by side in one process can leave behind), and at
// largePercent once a collection leaves more than the budget live.
func paceByBudget(budget int64, percent, largePercent int) {
	prev := debug.SetMemoryLimit(budget)
	if prev <= budget {
		prev = math.MaxInt64
	}
	debug.SetGCPercent(-1)
	p := &budgetPacer{half: uint64(budget / 2), whole: uint64(budget), percent: percent, largePercent: largePercent, limit: prev}
	p.sample = []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	p.arm()
}

// budgetPacer watches the live heap after each collection for
// paceByBudget, through a sentinel object whose cleanup runs once the
// collection that found it unreachable has finished.
type budgetPacer struct {
	half, whole           uint64
	percent, largePercent int
	limit                 int64
	// byPercent is set once the pacer has gone back to percent.
	byPercent bool
	sample    []metrics.Sample
}

func (p *budgetPacer) arm() {
	// The sentinel is larger than 16 bytes: the tiny allocator packs
	// smaller objects together, and their cleanups may never run.
	runtime.AddCleanup(new([32]byte), func(p *budgetPacer) { p.check() }, p)
}

func (p *budgetPacer) check() {
	metrics.Read(p.sample)
	live := uint64(0)
	if s := p.sample[0]; s.Value.Kind() == metrics.KindUint64 {
		live = s.Value.Uint64()
	}
	if !p.byPercent && live > p.half {
		debug.SetGCPercent(p.percent)
		debug.SetMemoryLimit(p.limit)
		p.byPercent = true
	}
	if live > p.whole {
		debug.SetGCPercent(p.largePercent)
		return
	}
	p.arm()
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
