package command

import (
	"github.com/trustform/trustform/internal/command/arguments"
)

func newLogsCommand(e *runEnv) *command {
	c := &command{
		synopsis: "Print the captured output of resources",
		help: `
Usage: trustform [-chdir=DIR] logs [ADDR...] [flags]

  Print the captured stdout and stderr of the resources ADDR (TYPE.NAME, an
  instance such as executable.worker[0], or a block address for all its
  instances), or of every resource in state when none is given. With more
  than one resource, each line starts with its address.

  Process output carries no times: what was written is shown resource by
  resource; with -f, new lines from all resources are shown as they arrive.

Flags:
  -f                 Keep printing new output until Ctrl-C (or until every
                     resource has stopped).
  -tail=N            Show only the last N lines of each resource.
  -since=DURATION    Show only output written within DURATION (e.g. 10m):
                     exact for containers; a process log written within it
                     is shown whole.
  -no-color          Do not colour the address prefixes.
`,
	}
	c.run = parsed(e, c, arguments.ParseLogs, runLogs)
	return c
}

// runLogs prints the captured output of the chosen resources (all of them
// without an address): the log file of a process, the engine's log of a
// container; -f follows them.
func runLogs(e *runEnv, a *arguments.Logs) int {
	e.view.Configure(a.NoColor)
	st, err := e.loadState()
	if err != nil {
		e.view.Errorf("%v", err)
		return exitError
	}
	chosen, ok := e.selectLogResources(st, a.Addresses)
	if !ok {
		return exitError
	}
	if len(chosen) == 0 {
		e.view.Resultf("No resources. Run \"trustform apply\" to start them.")
		return exitOK
	}
	return e.showLogs(a, chosen)
}
