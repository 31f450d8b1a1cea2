package arguments

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/trustform/trustform/lang"
)

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
			return nil, explainBadValue(fs, err)
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

// explainBadValue replaces the flag package's "parse error" (after
// `invalid value "soon" for flag -lock-timeout:`) with what the flag takes,
// which is what the user needs to write it again.
func explainBadValue(fs *flag.FlagSet, err error) error {
	msg, ok := strings.CutSuffix(err.Error(), ": parse error")
	if !ok {
		return err
	}
	// The name is the last "-NAME" before the suffix: "... for flag -NAME"
	// or, for booleans, "... for -NAME".
	i := strings.LastIndex(msg, " -")
	if i < 0 {
		return err
	}
	f := fs.Lookup(msg[i+2:])
	if f == nil {
		return err
	}
	g, ok := f.Value.(flag.Getter)
	if !ok {
		return err
	}
	var want string
	switch g.Get().(type) {
	case time.Duration:
		want = "give a duration such as 30s, 5m or 1h"
	case int, int64, uint, uint64:
		want = "give a whole number such as 10"
	case bool:
		want = "give true or false, or the flag alone for true"
	case float64:
		want = "give a number such as 1.5"
	default:
		return err
	}
	return fmt.Errorf("%s: %s", msg, want)
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

// errUnexpectedArgs reports positional arguments a command does not take.
func errUnexpectedArgs(pos []string) error {
	return fmt.Errorf("unexpected argument %q", pos[0])
}

// noArgs parses a command that takes flags only.
func noArgs(fs *flag.FlagSet, args []string) error {
	pos, err := parseFlags(fs, args)
	if err == nil && len(pos) > 0 {
		err = errUnexpectedArgs(pos)
	}
	return err
}
