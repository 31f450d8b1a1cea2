package command

import (
	"github.com/trustform/trustform/internal/command/arguments"
)

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
	c.run = parsed(e, c, arguments.ParseApply, runApply)
	return c
}

// runApply plans (or reads a.PlanFile), confirms, and applies.
func runApply(e *runEnv, a *arguments.Apply) int {
	e.view.Configure(a.NoColor)
	return e.runApplyFlow(&applyRun{
		command:     "apply",
		planFile:    a.PlanFile,
		planning:    a.Planning,
		autoApprove: a.AutoApprove,
		parallelism: a.Parallelism,
		json:        a.JSON,
	})
}
