package command

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/hashicorp/cli"

	"github.com/trustform/trustform/internal/ui"
	"github.com/trustform/trustform/lang"
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
	}
	out := make(map[string]cli.CommandFactory, len(cmds))
	for name, c := range cmds {
		out[name] = func() (cli.Command, error) { return c, nil }
	}
	return out
}

// newFlagSet returns a flag set that reports errors to us instead of
// printing them, so every usage error looks the same.
func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// parseFlags parses args, allowing flags after positional arguments
// ("apply plan.out -auto-approve"), and returns the positional ones. "--"
// ends flag parsing.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if msg, ok := strings.CutPrefix(err.Error(), "flag provided but not defined: "); ok {
				return nil, fmt.Errorf("unknown flag %s", msg)
			}
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		// fs.Parse stops at the first positional argument or after "--";
		// it consumed "--" if rest is shorter than what followed it.
		consumed := len(args) - len(rest)
		if consumed > 0 && args[consumed-1] == "--" {
			return append(positional, rest...), nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// usageError reports a command-line mistake: the message, then the
// command's usage, on stderr; exit 1.
func (e *runEnv) usageError(c *command, err error) int {
	e.streams.Errorf("%v", err)
	if strings.HasSuffix(err.Error(), "unknown flag -chdir") {
		e.streams.Hintf("-chdir is a global flag: put it before the command, e.g. trustform -chdir=DIR plan")
	}
	fmt.Fprintf(e.streams.Err, "\n%s\n", c.Help())
	return exitError
}

// varFlags collects -var and -var-file in command-line order, because later
// values win.
type varFlags struct {
	list *[]lang.VarFlag
	file bool
}

func (v varFlags) String() string { return "" }

func (v varFlags) Set(s string) error {
	if v.file {
		if s == "" {
			return errors.New("-var-file needs a file name")
		}
		*v.list = append(*v.list, lang.VarFlag{File: s})
		return nil
	}
	name, value, ok := strings.Cut(s, "=")
	name = strings.TrimSpace(name)
	if !ok || name == "" {
		return fmt.Errorf("%q is not NAME=VALUE (write -var 'NAME=VALUE')", s)
	}
	*v.list = append(*v.list, lang.VarFlag{Name: name, Value: value})
	return nil
}

// stringList is a repeatable string flag (-target).
type stringList []string

func (l *stringList) String() string { return strings.Join(*l, ",") }
func (l *stringList) Set(s string) error {
	*l = append(*l, s)
	return nil
}

// addVarFlags registers -var and -var-file on fs, appending to vars.
func addVarFlags(fs *flag.FlagSet, vars *[]lang.VarFlag) {
	fs.Var(varFlags{list: vars}, "var", "set a variable: -var 'NAME=VALUE' (repeatable)")
	fs.Var(varFlags{list: vars, file: true}, "var-file", "read variable values from a file (repeatable)")
}

// varFlagsHelp is the help text shared by commands that evaluate variables.
const varFlagsHelp = `  -var 'NAME=VALUE'  Set a variable. Repeatable; later values win.
  -var-file=FILE     Read variable values from FILE (a *.trustvars.hcl file).
                     Repeatable.`

// errUnexpectedArgs reports positional arguments a command does not take.
func errUnexpectedArgs(pos []string) error {
	return fmt.Errorf("unexpected argument %q", pos[0])
}

// writeJSON prints v as indented JSON on stdout.
func (e *runEnv) writeJSON(v any) int {
	out, err := ui.MarshalIndent(v)
	if err != nil {
		e.streams.Errorf("encoding JSON: %v", err)
		return exitError
	}
	e.streams.Out.Write(out)
	return exitOK
}
