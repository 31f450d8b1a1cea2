package command

import (
	"github.com/trustform/trustform/internal/command/arguments"
	"github.com/trustform/trustform/internal/command/views"

	"github.com/hashicorp/hcl/v2"

	"github.com/trustform/trustform/internal/ui"
	"github.com/trustform/trustform/lang"
)

func newValidateCommand(e *runEnv) *command {
	c := &command{
		synopsis: "Check the configuration and its certificates",
		help: `
Usage: trustform [-chdir=DIR] validate [flags]

  Check that the configuration in the directory is valid: syntax, attribute
  names and types, references, the dependency graph and every certificate.
  Reads no state and starts nothing.

  Prints "Success! The configuration is valid." and exits 0, or prints each
  problem with its file:line:col and exits 1. Warnings do not fail.

Flags:
  -json              Print the result as JSON on stdout.
  -no-color          Do not colour the output.
` + varFlagsHelp,
	}
	c.run = parsed(e, c, arguments.ParseValidate, runValidate)
	return c
}

func runValidate(e *runEnv, a *arguments.Validate) int {
	e.view.Configure(a.NoColor)
	// As Terraform's validate: a required variable without a value is
	// not an error here, so a CI step can validate without secrets.
	opts := e.loadOptions(a.Vars)
	opts.AllowUnset = true
	cfg, diags, src := e.loadConfigWith(opts)
	if !diags.HasErrors() {
		diags = append(diags, lang.CheckFiles(cfg)...)
	}
	if !views.NewValidate(a.JSON, e.view).Result(diags, src) || diags.HasErrors() {
		return exitError
	}
	return exitOK
}

// writeDiagnostics prints diagnostics to stderr.
func (e *runEnv) writeDiagnostics(diags hcl.Diagnostics, src *ui.Sources) {
	e.view.Diagnostics(diags, src)
}
