package main

import "errors"

// logsArgs are the flags of `trustform logs`.
type logsArgs struct {
	// Address is the resource, TYPE.NAME.
	Address string
	// Follow keeps printing as the process writes (-f).
	Follow bool
}

func newLogsCommand(e *runEnv) *command {
	c := &command{
		synopsis: "Print a resource's captured output",
		help: `
Usage: trustform [-chdir=DIR] logs ADDR [-f]

  Print the captured stdout and stderr of the resource ADDR (TYPE.NAME),
  for example "trustform logs node_app.web".

Flags:
  -f  Keep printing new output until interrupted.
`,
	}
	c.run = func(args []string) int {
		var a logsArgs
		fs := newFlagSet("logs")
		fs.BoolVar(&a.Follow, "f", false, "")
		pos, err := parseFlags(fs, args)
		if err == nil {
			switch len(pos) {
			case 0:
				err = errors.New("logs needs a resource address, e.g. trustform logs node_app.web")
			case 1:
				a.Address = pos[0]
			default:
				err = errUnexpectedArgs(pos[1:])
			}
		}
		if err != nil {
			return e.usageError(c, err)
		}
		return runLogs(e, &a)
	}
	return c
}

// runLogs is where logs is wired in: find a.Address in state and copy its
// log file (layout.LogPath) to stdout, following it when a.Follow.
func runLogs(e *runEnv, a *logsArgs) int {
	return e.notImplemented("logs")
}
