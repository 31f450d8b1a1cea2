package command

import (
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/hashicorp/cli"
	"github.com/posener/complete"

	"github.com/trustform/trustform/internal/addrs"
	"github.com/trustform/trustform/internal/layout"
	"github.com/trustform/trustform/state"
)

// Shell completion goes through hashicorp/cli's autocomplete (posener/
// complete underneath): "trustform -install-autocomplete" adds
// "complete -C /path/to/trustform trustform" to the shell's rc file, and
// the shell then runs trustform with COMP_LINE set for every Tab. This
// file says what to offer: commands (hashicorp/cli lists them), each
// command's flags (read from its help, so a new flag is offered once it is
// documented), and resource addresses from state for logs, -target and
// -replace.

// Global flag names for installing completion, as Terraform spells them.
const (
	autocompleteInstall   = "install-autocomplete"
	autocompleteUninstall = "uninstall-autocomplete"
)

// isCompletion reports whether the shell is asking for completions.
func isCompletion(environ []string) bool {
	line, _ := lookupEnv(environ, "COMP_LINE")
	return line != ""
}

// completingCLI is the hashicorp/cli configuration that answers
// completion requests and installs or removes completion.
func completingCLI(e *runEnv, args []string, commands map[string]cli.CommandFactory) *cli.CLI {
	wrapped := make(map[string]cli.CommandFactory, len(commands))
	for name, f := range commands {
		wrapped[name] = func() (cli.Command, error) {
			c, err := f()
			if err != nil {
				return nil, err
			}
			cmd, ok := c.(*command)
			if !ok {
				return c, nil
			}
			return &completingCommand{command: cmd, args: argPredictor(e, name), flags: flagPredictors(e, cmd.help)}, nil
		}
	}
	return &cli.CLI{
		Name:                  "trustform",
		Args:                  args,
		Commands:              wrapped,
		HelpFunc:              helpText,
		HelpWriter:            e.view.Out,
		ErrorWriter:           e.view.Err,
		Autocomplete:          true,
		AutocompleteInstall:   autocompleteInstall,
		AutocompleteUninstall: autocompleteUninstall,
		AutocompleteGlobalFlags: complete.Flags{
			"-chdir": complete.PredictDirs("*"),
		},
	}
}

// completingCommand is a command with what to complete for it
// (hashicorp/cli's CommandAutocomplete).
type completingCommand struct {
	*command
	args  complete.Predictor
	flags complete.Flags
}

func (c *completingCommand) AutocompleteArgs() complete.Predictor { return c.args }
func (c *completingCommand) AutocompleteFlags() complete.Flags    { return c.flags }

// helpFlag matches a flag at the start of a help line: "  -target=ADDR ...".
var helpFlag = regexp.MustCompile(`(?m)^\s{2,}(-[a-z][a-z-]*)`)

// flagPredictors offers every flag a command's help lists; -target and
// -replace complete resource addresses, -var-file and -out file names.
func flagPredictors(e *runEnv, help string) complete.Flags {
	flags := complete.Flags{}
	_, after, ok := strings.Cut(help, "\nFlags:")
	if !ok {
		return flags
	}
	for _, m := range helpFlag.FindAllStringSubmatch(after, -1) {
		name := m[1]
		switch name {
		case "-target", "-replace":
			flags[name] = addressPredictor(e)
		case "-var-file":
			flags[name] = complete.PredictFiles("*.trustvars.hcl")
		case "-out":
			flags[name] = complete.PredictFiles("*")
		default:
			flags[name] = complete.PredictNothing
		}
	}
	return flags
}

// argPredictor is what a command's positional arguments complete to.
func argPredictor(e *runEnv, name string) complete.Predictor {
	switch name {
	case "logs", "check":
		return addressPredictor(e)
	case "apply", "show":
		return complete.PredictFiles("*")
	}
	return complete.PredictNothing
}

// addressPredictor completes resource addresses from the state of the
// directory the command line names (-chdir), else the working directory.
// The whole line is read from COMP_LINE: the Args a predictor gets start
// after the command's name, past a -chdir before it.
func addressPredictor(e *runEnv) complete.Predictor {
	return complete.PredictFunc(func(complete.Args) []string {
		line, _ := lookupEnv(e.environ, "COMP_LINE")
		return stateAddresses(chdirOf(e.dir, strings.Fields(line)))
	})
}

// chdirOf returns the directory a completion line's -chdir names,
// relative to dir, or dir.
func chdirOf(dir string, words []string) string {
	for i, w := range words {
		var d string
		switch {
		case (w == "-chdir" || w == "--chdir") && i+1 < len(words):
			d = words[i+1]
		case strings.HasPrefix(w, "-chdir="):
			d = strings.TrimPrefix(w, "-chdir=")
		case strings.HasPrefix(w, "--chdir="):
			d = strings.TrimPrefix(w, "--chdir=")
		default:
			continue
		}
		if filepath.IsAbs(d) {
			return d
		}
		return filepath.Join(dir, d)
	}
	return dir
}

// stateAddresses lists the resource addresses in dir's state, and, for
// blocks with count or for_each, the block address too (logs, -target and
// -replace take it for every instance). Nothing when there is no state:
// completion must never fail loudly or take the lock.
func stateAddresses(dir string) []string {
	st, err := state.Load(layout.StatePath(dir))
	if err != nil {
		return nil
	}
	seen := map[string]bool{}
	for _, r := range st.Resources {
		seen[r.Address] = true
		if a, err := addrs.Parse(r.Address); err == nil && a.Key.Kind != addrs.NoKey {
			seen[a.Block()] = true
		}
	}
	out := make([]string, 0, len(seen))
	for a := range seen {
		out = append(out, a)
	}
	sort.Strings(out)
	return out
}

// installsCompletion reports whether args ask to install or remove shell
// completion (-install-autocomplete, -uninstall-autocomplete).
func installsCompletion(args []string) bool {
	for _, a := range args {
		switch strings.TrimLeft(a, "-") {
		case autocompleteInstall, autocompleteUninstall:
			return strings.HasPrefix(a, "-")
		}
		if !strings.HasPrefix(a, "-") {
			return false
		}
	}
	return false
}

// runCompletion answers the shell or installs completion.
func runCompletion(e *runEnv, args []string, commands map[string]cli.CommandFactory) int {
	code, err := completingCLI(e, args, commands).Run()
	if err != nil {
		// posener/complete's messages are terse (and one is ungrammatical):
		// say what happened and what to do.
		msg := strings.Join(strings.Fields(strings.ReplaceAll(err.Error(), "1 error occurred:", "")), " ")
		msg = strings.TrimPrefix(msg, "* ")
		msg = strings.ReplaceAll(msg, "does not installed in", "completion is not installed in")
		e.view.Errorf("%s", msg)
		switch {
		case strings.Contains(msg, "Did not find any shells"):
			e.view.Hintf("completion goes into ~/.bashrc (or ~/.bash_profile, ~/.profile), ~/.zshrc and ~/.config/fish, whichever exist; create one and try again")
		case strings.Contains(msg, "already installed"):
			e.view.Hintf("nothing to do; to install it again, run trustform -uninstall-autocomplete first")
		}
		return exitError
	}
	if installsCompletion(args) && !isCompletion(e.environ) {
		what := "installed"
		for _, a := range args {
			if strings.TrimLeft(a, "-") == autocompleteUninstall {
				what = "removed"
			}
		}
		e.view.Success("Shell completion for trustform " + what + ". Start a new shell to use it.")
	}
	return code
}
