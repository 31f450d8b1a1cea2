package command

import (
	"github.com/trustform/trustform/internal/command/arguments"
)

func newDestroyCommand(e *runEnv) *command {
	c := &command{
		synopsis: "Stop everything in state and remove its files",
		help: `
Usage: trustform [-chdir=DIR] destroy [flags]

  Stop every process and container recorded in state, in reverse dependency
  order, and remove the trust material and logs trustform created for them.

Flags:
  -auto-approve      Do not ask for confirmation.
  -parallelism=N     Stop at most N resources at once (default 10).
  -lock-timeout=D    Wait up to D (e.g. 30s) for the state lock.
  -no-color          Do not colour the output.
  -target=ADDR       Destroy only ADDR and everything that depends on it.
                     Repeatable.
`,
	}
	c.run = parsed(e, c, arguments.ParseDestroy, runDestroy)
	return c
}

// runDestroy plans the removal of everything in state, confirms, and
// stops it in reverse dependency order.
func runDestroy(e *runEnv, a *arguments.Destroy) int {
	e.view.Configure(a.NoColor)
	return e.runApplyFlow(&applyRun{
		command:     "destroy",
		planning:    arguments.Planning{Refresh: true, Destroy: true, Targets: a.Targets, LockTimeout: a.LockTimeout, NoColor: a.NoColor},
		autoApprove: a.AutoApprove,
		parallelism: a.Parallelism,
	})
}
