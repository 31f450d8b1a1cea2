package command

// This file dispatches: it reads the global -chdir flag, answers version and
// help, suggests the closest command for a typo, sets up logging, and hands
// the rest to hashicorp/cli.

import (
	"crypto/rand"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/agext/levenshtein"
	"github.com/hashicorp/cli"
	"github.com/hashicorp/go-hclog"

	"github.com/trustform/trustform/internal/command/arguments"
	"github.com/trustform/trustform/internal/command/views"
	"github.com/trustform/trustform/lang"
	"github.com/trustform/trustform/runtimes/process"
)

// Exit codes. They are part of the product contract (SPEC section 7).
const (
	exitOK      = 0
	exitError   = 1
	exitChanges = 2 // plan -detailed-exitcode: changes present
	// exitInterrupted is apply's and destroy's exit after Ctrl-C (128 +
	// SIGINT), once state is saved; SIGTERM gives 143.
	exitInterrupted = 130
	exitNeedFormat  = 3 // fmt -check: a file needs formatting
)

// runEnv is what every command gets from the dispatcher: the workspace
// (directory, environment, clock, state), the view that prints, and the
// standard input prompts read.
type runEnv struct {
	*workspace
	view  *views.View
	stdin io.Reader
	// answered holds the variable values typed at a prompt, so that up
	// -watch plans again with them instead of asking on every change.
	answered []lang.VarFlag
	// planPacing sets the collector's pacing for the first plan only
	// (see planningGC).
	planPacing sync.Once
}

// Run is the whole program with its inputs and outputs passed in, so the
// testscript harness can run it in-process. It returns the exit code.
func Run(args, environ []string, stdin io.Reader, stdout, stderr io.Writer) int {
	// The binary doubles as the supervisor of the processes apply starts.
	if code, ok := process.ServeIfSupervisor(args, func(k string) string { v, _ := lookupEnv(environ, k); return v }); ok {
		return code
	}
	view := views.NewView(stdout, stderr, environ)
	view.TrustformVersion = Version

	dir, args, ok := configDir(view, args)
	if !ok {
		return exitError
	}

	logger, closeLog, err := newLogger(environ, stderr)
	if err != nil {
		view.Errorf("%v", err)
		return exitError
	}
	defer closeLog()

	env := &runEnv{
		workspace: &workspace{
			dir:     dir,
			environ: environ,
			log:     logger,
			now:     time.Now,
			rand:    rand.Reader,
			warnf:   view.Warnf,
		},
		view:  view,
		stdin: stdin,
	}
	defer env.closeRunners()
	commands := commandFactories(env)
	if isCompletion(environ) || installsCompletion(args) {
		return runCompletion(env, args, commands)
	}

	args, ok = commandArgs(view, args, commands)
	if !ok {
		return exitError
	}
	for _, a := range args {
		if a == "-v" || a == "-version" || a == "--version" {
			return runVersion(env, &arguments.Version{})
		}
		if !strings.HasPrefix(a, "-") {
			break
		}
	}

	logger.Debug("starting", "version", Version, "args", args, "dir", env.dir)
	c := &cli.CLI{
		Name:        "trustform",
		Args:        args,
		Commands:    commands,
		HelpFunc:    helpText,
		HelpWriter:  stdout,
		ErrorWriter: stderr,
	}
	code, err := c.Run()
	if err != nil {
		view.Errorf("%v", err)
		return exitError
	}
	if code == 127 { // cli's "no such command", e.g. an unknown devcert subcommand
		return exitError
	}
	return code
}

// configDir reads the global -chdir flag from the front of args and
// returns the absolute configuration directory (-chdir, else the working
// directory) and the arguments after it. It reports a mistake itself and
// says so with ok false.
func configDir(view *views.View, args []string) (dir string, rest []string, ok bool) {
	// -chdir must come before the command, as in Terraform; it is ours to
	// parse because hashicorp/cli knows nothing of it.
	chdir := ""
	for len(args) > 0 {
		a := args[0]
		if a == "-chdir" || a == "--chdir" {
			if len(args) < 2 {
				view.Errorf("-chdir needs a directory")
				view.Hintf("write it as -chdir=DIR before the command, e.g. trustform -chdir=app plan")
				return "", nil, false
			}
			chdir, args = args[1], args[2:]
			continue
		}
		if v, ok := strings.CutPrefix(a, "-chdir="); ok {
			chdir, args = v, args[1:]
			continue
		}
		if v, ok := strings.CutPrefix(a, "--chdir="); ok {
			chdir, args = v, args[1:]
			continue
		}
		break
	}
	wd, err := os.Getwd()
	if err != nil {
		view.Errorf("cannot find the working directory: %v", err)
		return "", nil, false
	}
	dir = wd
	if chdir != "" {
		dir = chdir
		if !filepath.IsAbs(dir) {
			dir = filepath.Join(wd, dir)
		}
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			view.Errorf("-chdir=%s: no such directory", chdir)
			return "", nil, false
		}
	}
	return filepath.Clean(dir), args, true
}

// commandArgs checks the command name before hashicorp/cli sees it and
// turns "help CMD" into "CMD -help". It reports a mistake itself and says
// so with ok false.
func commandArgs(view *views.View, args []string, commands map[string]cli.CommandFactory) ([]string, bool) {
	// hashicorp/cli would print the whole help for a typo and exit 127;
	// we name the closest command instead.
	switch first := firstArg(args); {
	case first == "":
		if len(args) == 0 {
			io.WriteString(view.Err, helpText(commands)+"\n")
			return nil, false
		}
		for _, a := range args {
			switch a {
			case "-h", "-help", "--help", "-v", "-version", "--version":
			default:
				view.Errorf("unknown flag %s", a)
				view.Hintf("run \"trustform -help\" for the list of commands and global flags")
				return nil, false
			}
		}
	case first == "help" && len(args) == 1:
		args = []string{"-help"}
	case first == "help":
		// "trustform help plan" is "trustform plan -help".
		args = append(append([]string{}, args[1:]...), "-help")
		if commands[args[0]] == nil {
			view.Errorf("no help for %q: not a command", args[0])
			if s := suggest(args[0], topLevel(commands)); s != "" {
				view.Hintf("Did you mean %q?", s)
			}
			return nil, false
		}
	case commands[first] == nil:
		view.Errorf("unknown command %q", first)
		if s := suggest(first, topLevel(commands)); s != "" {
			view.Hintf("Did you mean %q?", s)
		} else {
			view.Hintf("run \"trustform -help\" for the list of commands")
		}
		return nil, false
	default:
		// "devcert crate": hashicorp/cli would run "devcert" with the
		// typo as an argument, which prints the help without a word
		// about what was wrong.
		subs := subcommands(commands, first)
		if len(subs) == 0 {
			break
		}
		sub := firstArg(args[slices.Index(args, first)+1:])
		if sub == "" || commands[first+" "+sub] != nil {
			break
		}
		view.Errorf("unknown %s subcommand %q", first, sub)
		if s := suggest(sub, subs); s != "" {
			view.Hintf("Did you mean \"trustform %s %s\"?", first, s)
		} else {
			view.Hintf("%s subcommands: %s", first, strings.Join(subs, ", "))
		}
		return nil, false
	}
	return args, true
}

// subcommands lists the subcommand names of parent ("create" for
// "devcert create"), sorted.
func subcommands(commands map[string]cli.CommandFactory, parent string) []string {
	var names []string
	for name := range commands {
		if sub, ok := strings.CutPrefix(name, parent+" "); ok && !strings.Contains(sub, " ") {
			names = append(names, sub)
		}
	}
	sort.Strings(names)
	return names
}

// firstArg returns the first argument that is not a flag: the command name.
func firstArg(args []string) string {
	for _, a := range args {
		if a == "--" {
			return ""
		}
		if !strings.HasPrefix(a, "-") {
			return a
		}
	}
	return ""
}

func topLevel(commands map[string]cli.CommandFactory) []string {
	var names []string
	for name := range commands {
		if !strings.Contains(name, " ") {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}

// suggest returns the candidate closest to name by edit distance, or "" if
// none is close enough to be what the user meant.
func suggest(name string, candidates []string) string {
	best, bestDist := "", 0
	for _, c := range candidates {
		d := levenshtein.Distance(name, c, nil)
		limit := max(2, len(c)/3)
		if strings.HasPrefix(c, name) && len(name) >= 2 {
			d = min(d, 1)
		}
		if d > limit {
			continue
		}
		if best == "" || d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

// helpText is the top-level help: commands in the order a user meets them.
func helpText(commands map[string]cli.CommandFactory) string {
	var b strings.Builder
	b.WriteString("Usage: trustform [-chdir=DIR] <command> [flags]\n\n")
	b.WriteString("trustform runs local processes and containers with the certificate\n")
	b.WriteString("authorities each must trust, declared in *.trust.hcl files.\n\n")
	groups := []struct {
		title string
		names []string
	}{
		{"Main commands", []string{"validate", "plan", "apply", "destroy", "up"}},
		{"Other commands", []string{"certificate", "check", "devcert", "export", "fmt", "graph", "logs", "output", "show", "status", "version"}},
	}
	seen := map[string]bool{}
	for _, g := range groups {
		fmt.Fprintf(&b, "%s:\n", g.title)
		for _, name := range g.names {
			if f, ok := commands[name]; ok {
				seen[name] = true
				if c, err := f(); err == nil {
					fmt.Fprintf(&b, "  %-11s %s\n", name, c.Synopsis())
				}
			}
		}
		b.WriteString("\n")
	}
	// A command added to the map but not to a group is still listed.
	var rest []string
	for _, name := range topLevel(commands) {
		if !seen[name] {
			rest = append(rest, name)
		}
	}
	if len(rest) > 0 {
		b.WriteString("More commands:\n")
		for _, name := range rest {
			if c, err := commands[name](); err == nil {
				fmt.Fprintf(&b, "  %-11s %s\n", name, c.Synopsis())
			}
		}
		b.WriteString("\n")
	}
	b.WriteString("Global flags (before the command):\n")
	b.WriteString("  -chdir=DIR  use DIR as the configuration directory\n")
	b.WriteString("  -help       show this help, or a command's help after the command\n")
	b.WriteString("  -version    show the version")
	return b.String()
}

// newLogger builds the logger TRUSTFORM_LOG asks for, writing to stderr or
// appending to TRUSTFORM_LOG_PATH. Logging is off unless asked for.
func newLogger(environ []string, stderr io.Writer) (hclog.Logger, func(), error) {
	level, _ := lookupEnv(environ, "TRUSTFORM_LOG")
	level = strings.ToLower(strings.TrimSpace(level))
	if level == "" || level == "off" {
		return hclog.NewNullLogger(), func() {}, nil
	}
	opts := &hclog.LoggerOptions{Name: "trustform", Output: stderr}
	switch level {
	case "json":
		opts.Level = hclog.Trace
		opts.JSONFormat = true
	case "trace", "debug", "info", "warn", "error":
		opts.Level = hclog.LevelFromString(level)
	default:
		return nil, nil, fmt.Errorf("TRUSTFORM_LOG=%s is not a log level; use one of trace, debug, info, warn, error, json (or unset it)", level)
	}
	closer := func() {}
	if path, _ := lookupEnv(environ, "TRUSTFORM_LOG_PATH"); path != "" {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return nil, nil, fmt.Errorf("cannot open TRUSTFORM_LOG_PATH: %w", err)
		}
		opts.Output = f
		closer = func() { f.Close() }
	}
	return hclog.New(opts), closer, nil
}
