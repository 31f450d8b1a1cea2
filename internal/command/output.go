package command

import (
	"github.com/trustform/trustform/internal/command/arguments"
	"github.com/trustform/trustform/internal/command/views"

	"github.com/trustform/trustform/internal/keys"
)

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
	c.run = parsed(e, c, arguments.ParseOutput, runOutput)
	return c
}

// runOutput prints outputs recorded by the last apply. Sensitive values
// are masked, except with -raw NAME: asking for one value by name, in the
// form meant for scripts, is how a script deliberately reads a secret (as
// with terraform output -raw).
func runOutput(e *runEnv, a *arguments.Output) int {
	e.view.Configure(a.NoColor)
	st, err := e.loadState()
	if err != nil {
		e.view.Errorf("%v", err)
		return exitError
	}
	outs := st.Outputs
	view := views.NewOutput(a.JSON, a.Raw, e.view)
	if a.Name != "" {
		o, ok := outs[a.Name]
		if !ok {
			e.view.Errorf("output %q not found", a.Name)
			if s := suggest(a.Name, keys.Sorted(outs)); s != "" {
				e.view.Hintf("Did you mean %q?", s)
			} else if len(outs) == 0 {
				e.view.Hintf("the state has no outputs: declare an output block and run apply")
			}
			return exitError
		}
		if !view.One(a.Name, o) {
			return exitError
		}
		return exitOK
	}
	if !view.All(outs) {
		return exitError
	}
	return exitOK
}
