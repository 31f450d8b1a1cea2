package command

import (
	"github.com/trustform/trustform/internal/command/arguments"
	"github.com/trustform/trustform/internal/command/views"
	"github.com/trustform/trustform/plan"
)

func newShowCommand(e *runEnv) *command {
	c := &command{
		synopsis: "Show the state or a saved plan",
		help: `
Usage: trustform [-chdir=DIR] show [FILE] [flags]

  Show what state records (every resource, its command, environment, trust
  material and pid or container id), or the saved plan FILE.

Flags:
  -json      Print as JSON (a saved plan prints as "plan -json" would).
  -no-color  Do not colour the output.
`,
	}
	c.run = parsed(e, c, arguments.ParseShow, runShow)
	return c
}

// runShow renders the state, or a saved plan, as text or JSON.
func runShow(e *runEnv, a *arguments.Show) int {
	e.view.Configure(a.NoColor)
	if a.PlanFile != "" {
		p, err := plan.ReadFile(e.path(a.PlanFile))
		if err != nil {
			e.view.Errorf("%v", err)
			return exitError
		}
		if err := views.NewShow(a.JSON, e.view).Plan(p); err != nil {
			e.view.Errorf("%v", err)
			return exitError
		}
		return exitOK
	}
	st, err := e.loadState()
	if err != nil {
		e.view.Errorf("%v", err)
		return exitError
	}
	if err := views.NewShow(a.JSON, e.view).State(st, e.dir); err != nil {
		e.view.Errorf("%v", err)
		return exitError
	}
	return exitOK
}
