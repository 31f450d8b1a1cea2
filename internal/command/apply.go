package command

import (
	"errors"
)

// applyArgs are the flags of `trustform apply`.
type applyArgs struct {
	// PlanFile is the saved plan to apply; empty means plan now.
	PlanFile    string
	AutoApprove bool
	// Parallelism bounds how many resources start at once (default 10).
	Parallelism int
	JSON        bool
	planningArgs
}

func newApplyCommand(e *runEnv) *command {
	c := &command{
		synopsis: "Write trust material and launch the resources",
		help: `
Usage: trustform [-chdir=DIR] apply [FILE] [flags]

  Plan (or read the saved plan FILE), ask for "yes" on a terminal unless
  -auto-approve, then write every resource's trust material and launch the
  resources in dependency order. Returns when all are started and ready.
  Without a terminal, apply refuses to prompt: pass -auto-approve or a saved
  plan.

Flags:
  -auto-approve      Do not ask for confirmation.
  -parallelism=N     Start at most N resources at once (default 10).
  -json              Print progress and the result as JSON lines on stdout.
` + planningFlagsHelp,
	}
	c.run = func(args []string) int {
		a, err := parseApplyArgs(args)
		if err != nil {
			return e.usageError(c, err)
		}
		return runApply(e, a)
	}
	return c
}

func parseApplyArgs(args []string) (*applyArgs, error) {
	var a applyArgs
	fs := newFlagSet("apply")
	fs.BoolVar(&a.AutoApprove, "auto-approve", false, "")
	fs.IntVar(&a.Parallelism, "parallelism", 10, "")
	fs.BoolVar(&a.JSON, "json", false, "")
	addPlanningFlags(fs, &a.planningArgs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return nil, err
	}
	if len(pos) > 1 {
		return nil, errUnexpectedArgs(pos[1:])
	}
	if len(pos) == 1 {
		a.PlanFile = pos[0]
	}
	if a.Parallelism < 1 {
		return nil, errors.New("-parallelism must be at least 1")
	}
	if a.PlanFile != "" && (len(a.Vars) > 0 || len(a.Targets) > 0 || a.Destroy) {
		return nil, errors.New("a saved plan already fixes variables, targets and -destroy; drop those flags or the plan file")
	}
	return &a, nil
}

// runApply plans (or reads a.PlanFile), confirms, and applies.
func runApply(e *runEnv, a *applyArgs) int {
	if a.NoColor {
		e.streams.DisableColor()
	}
	return e.runApplyFlow(&applyRun{
		command:     "apply",
		planFile:    a.PlanFile,
		planning:    a.planningArgs,
		autoApprove: a.AutoApprove,
		parallelism: a.Parallelism,
		json:        a.JSON,
	})
}
