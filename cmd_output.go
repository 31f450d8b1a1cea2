package main

import "errors"

// outputArgs are the flags of `trustform output`.
type outputArgs struct {
	// Name is the output to print; empty prints all.
	Name string
	JSON bool
	// Raw prints a single string output without quotes, for scripts.
	Raw     bool
	NoColor bool
}

func newOutputCommand(e *runEnv) *command {
	c := &command{
		synopsis: "Show output values from state",
		help: `
Usage: trustform [-chdir=DIR] output [NAME] [flags]

  Print the outputs recorded by the last apply, or only NAME.

Flags:
  -json      Print as JSON.
  -raw       Print NAME's value as plain text (strings, numbers, bools).
  -no-color  Do not colour the output.
`,
	}
	c.run = func(args []string) int {
		var a outputArgs
		fs := newFlagSet("output")
		fs.BoolVar(&a.JSON, "json", false, "")
		fs.BoolVar(&a.Raw, "raw", false, "")
		fs.BoolVar(&a.NoColor, "no-color", false, "")
		pos, err := parseFlags(fs, args)
		if err == nil {
			switch {
			case len(pos) > 1:
				err = errUnexpectedArgs(pos[1:])
			case a.JSON && a.Raw:
				err = errors.New("-json and -raw cannot be used together")
			case a.Raw && len(pos) == 0:
				err = errors.New("-raw needs an output NAME")
			}
		}
		if err != nil {
			return e.usageError(c, err)
		}
		if len(pos) == 1 {
			a.Name = pos[0]
		}
		return runOutput(e, &a)
	}
	return c
}

// runOutput is where output is wired in: read state.Outputs and print them.
func runOutput(e *runEnv, a *outputArgs) int {
	if a.NoColor {
		e.streams.DisableColor()
	}
	return e.notImplemented("output")
}
