package main

// statusArgs are the flags of `trustform status`.
type statusArgs struct {
	JSON    bool
	NoColor bool
}

func newStatusCommand(e *runEnv) *command {
	c := &command{
		synopsis: "Show whether each resource is running",
		help: `
Usage: trustform [-chdir=DIR] status [flags]

  For each resource in state: running, exited or missing, its pid or
  container id, and since when.

Flags:
  -json      Print as JSON.
  -no-color  Do not colour the output.
`,
	}
	c.run = func(args []string) int {
		var a statusArgs
		fs := newFlagSet("status")
		fs.BoolVar(&a.JSON, "json", false, "")
		fs.BoolVar(&a.NoColor, "no-color", false, "")
		pos, err := parseFlags(fs, args)
		if err == nil && len(pos) > 0 {
			err = errUnexpectedArgs(pos)
		}
		if err != nil {
			return e.usageError(c, err)
		}
		return runStatus(e, &a)
	}
	return c
}

// runStatus is where status is wired in: read the state, ask each runtime
// whether the handle is alive, and render.
func runStatus(e *runEnv, a *statusArgs) int {
	if a.NoColor {
		e.streams.DisableColor()
	}
	return e.notImplemented("status")
}
