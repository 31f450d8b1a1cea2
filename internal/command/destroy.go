package command

import (
	"errors"
	"flag"
	"time"
)

// destroyArgs are the flags of `trustform destroy`.
type destroyArgs struct {
	AutoApprove bool
	Parallelism int
	LockTimeout time.Duration
	NoColor     bool
}

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
`,
	}
	c.run = func(args []string) int {
		a, err := parseDestroyArgs(args)
		if err != nil {
			return e.usageError(c, err)
		}
		return runDestroy(e, a)
	}
	return c
}

func parseDestroyArgs(args []string) (*destroyArgs, error) {
	var a destroyArgs
	fs := newFlagSet("destroy")
	addDestroyFlags(fs, &a)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return nil, err
	}
	if len(pos) > 0 {
		return nil, errUnexpectedArgs(pos)
	}
	if a.Parallelism < 1 {
		return nil, errors.New("-parallelism must be at least 1")
	}
	return &a, nil
}

func addDestroyFlags(fs *flag.FlagSet, a *destroyArgs) {
	fs.BoolVar(&a.AutoApprove, "auto-approve", false, "")
	fs.IntVar(&a.Parallelism, "parallelism", 10, "")
	fs.DurationVar(&a.LockTimeout, "lock-timeout", 0, "")
	fs.BoolVar(&a.NoColor, "no-color", false, "")
}

// runDestroy plans the removal of everything in state, confirms, and
// stops it in reverse dependency order.
func runDestroy(e *runEnv, a *destroyArgs) int {
	if a.NoColor {
		e.streams.DisableColor()
	}
	return e.runApplyFlow(&applyRun{
		command:     "destroy",
		planning:    planningArgs{Refresh: true, Destroy: true, LockTimeout: a.LockTimeout, NoColor: a.NoColor},
		autoApprove: a.AutoApprove,
		parallelism: a.Parallelism,
	})
}
