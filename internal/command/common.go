package command

import (
	"strings"

	"github.com/hashicorp/cli"
)

// command adapts one of our commands to hashicorp/cli. Each command file
// builds one with its synopsis, help and run function; run parses flags into
// a typed struct and calls the command's run function with it.
type command struct {
	synopsis string
	help     string
	run      func(args []string) int
}

func (c *command) Help() string     { return strings.TrimSpace(c.help) }
func (c *command) Synopsis() string { return c.synopsis }
func (c *command) Run(args []string) int {
	return c.run(args)
}

// commandFactories lists every command. Adding a command is one line here and
// one cmd_NAME.go file.
func commandFactories(e *runEnv) map[string]cli.CommandFactory {
	cmds := map[string]*command{
		"validate":          newValidateCommand(e),
		"fmt":               newFmtCommand(e),
		"graph":             newGraphCommand(e),
		"version":           newVersionCommand(e),
		"plan":              newPlanCommand(e),
		"apply":             newApplyCommand(e),
		"destroy":           newDestroyCommand(e),
		"show":              newShowCommand(e),
		"status":            newStatusCommand(e),
		"logs":              newLogsCommand(e),
		"output":            newOutputCommand(e),
		"devcert":           newDevcertCommand(e),
		"devcert create":    newDevcertCreateCommand(e),
		"devcert show":      newDevcertShowCommand(e),
		"devcert path":      newDevcertPathCommand(e),
		"devcert remove":    newDevcertRemoveCommand(e),
		"export":            newExportCommand(e),
		"certificate":       newCertificateCommand(e),
		"certificate fetch": newCertificateFetchCommand(e),
		"check":             newCheckCommand(e),
		"up":                newUpCommand(e),
	}
	out := make(map[string]cli.CommandFactory, len(cmds))
	for name, c := range cmds {
		out[name] = func() (cli.Command, error) { return c, nil }
	}
	return out
}

// parsed is a command's run function: parse args into the command's
// typed flags, report a mistake with the command's help, else run.
func parsed[T any](e *runEnv, c *command, parse func([]string) (*T, error), run func(*runEnv, *T) int) func([]string) int {
	return func(args []string) int {
		a, err := parse(args)
		if err != nil {
			return e.usageError(c, err)
		}
		return run(e, a)
	}
}

// usageError reports a command-line mistake: the message, then the
// command's usage, on stderr; exit 1.
func (e *runEnv) usageError(c *command, err error) int {
	e.view.UsageError(err, c.Help())
	return exitError
}

// varFlagsHelp is the help text shared by commands that evaluate variables.
const varFlagsHelp = `  -var 'NAME=VALUE'  Set a variable. Repeatable; later values win.
  -var-file=FILE     Read variable values from FILE (a *.trustvars.hcl file).
                     Repeatable.`

// writeJSON prints v as indented JSON on stdout.
func (e *runEnv) writeJSON(v any) int {
	if !e.view.JSON(v) {
		return exitError
	}
	return exitOK
}
