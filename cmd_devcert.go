package main

import (
	"path/filepath"

	"github.com/hashicorp/cli"
)

// devcertArgs are the flags shared by the devcert subcommands.
type devcertArgs struct {
	JSON bool
}

// devcertDir is where trustform's development CA lives (SPEC 6.1):
// $TRUSTFORM_DEVCERT_DIR, else $XDG_DATA_HOME/trustform/devcert, else
// ~/.local/share/trustform/devcert.
func devcertDir(environ []string) string {
	if d, _ := lookupEnv(environ, "TRUSTFORM_DEVCERT_DIR"); d != "" {
		return d
	}
	if d, _ := lookupEnv(environ, "XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "trustform", "devcert")
	}
	home, _ := lookupEnv(environ, "HOME")
	return filepath.Join(home, ".local", "share", "trustform", "devcert")
}

func newDevcertCommand(e *runEnv) *command {
	c := &command{
		synopsis: "Manage the local development CA",
		help: `
Usage: trustform devcert <subcommand>

  Manage trustform's development certificate authority and the localhost
  certificate it issues (devcert.localhost.cert_file and key_file). It lives
  in $TRUSTFORM_DEVCERT_DIR, else $XDG_DATA_HOME/trustform/devcert, else
  ~/.local/share/trustform/devcert.
`,
	}
	c.run = func(args []string) int { return cli.RunResultHelp }
	return c
}

func newDevcertSubcommand(e *runEnv, name, synopsis, help string, run func(*runEnv, *devcertArgs) int) *command {
	c := &command{synopsis: synopsis, help: help}
	c.run = func(args []string) int {
		var a devcertArgs
		fs := newFlagSet("devcert " + name)
		fs.BoolVar(&a.JSON, "json", false, "")
		pos, err := parseFlags(fs, args)
		if err == nil && len(pos) > 0 {
			err = errUnexpectedArgs(pos)
		}
		if err != nil {
			return e.usageError(c, err)
		}
		return run(e, &a)
	}
	return c
}

func newDevcertCreateCommand(e *runEnv) *command {
	return newDevcertSubcommand(e, "create", "Create the development CA and localhost certificate", `
Usage: trustform devcert create

  Create the development CA (ca.pem, ca-key.pem) and the localhost server
  certificate if they do not exist. Existing, valid files are kept.
`, runDevcertCreate)
}

func newDevcertShowCommand(e *runEnv) *command {
	return newDevcertSubcommand(e, "show", "Show the development CA and certificate", `
Usage: trustform devcert show [-json]

  Show the development CA and the localhost certificate: subject, SHA-256
  fingerprint, validity, and the files.

Flags:
  -json  Print as JSON.
`, runDevcertShow)
}

func newDevcertPathCommand(e *runEnv) *command {
	return newDevcertSubcommand(e, "path", "Print the development CA directory", `
Usage: trustform devcert path

  Print the directory holding the development CA, whether or not it exists.
`, runDevcertPath)
}

func newDevcertRemoveCommand(e *runEnv) *command {
	return newDevcertSubcommand(e, "remove", "Remove the development CA", `
Usage: trustform devcert remove

  Delete the development CA, its key and the certificates it issued.
  Resources that trust it keep their copy until the next apply.
`, runDevcertRemove)
}

// runDevcertPath prints the directory; it needs nothing else.
func runDevcertPath(e *runEnv, a *devcertArgs) int {
	e.streams.Resultf("%s", devcertDir(e.environ))
	return exitOK
}

// runDevcertCreate is where devcert.Create is wired in.
func runDevcertCreate(e *runEnv, a *devcertArgs) int {
	return e.notImplemented("devcert create")
}

// runDevcertShow is where devcert.Load is wired in.
func runDevcertShow(e *runEnv, a *devcertArgs) int {
	return e.notImplemented("devcert show")
}

// runDevcertRemove is where devcert.Remove is wired in.
func runDevcertRemove(e *runEnv, a *devcertArgs) int {
	return e.notImplemented("devcert remove")
}
