package arguments

import (
	"errors"
	"time"

	"github.com/trustform/trustform/lang"
)

// Up are the flags of `trustform up`.
type Up struct {
	Vars        []lang.VarFlag
	Parallelism int
	NoColor     bool
	LockTimeout time.Duration
	// Input is -input (default true): ask on a terminal for required
	// variables without a value.
	Input bool
	// Watch is -watch: after applying, plan and apply again whenever a
	// watched file changes.
	Watch bool
}

// ParseUp parses the arguments of `trustform up`.
func ParseUp(args []string) (*Up, error) {
	var a Up
	fs := newFlagSet("up")
	addVarFlags(fs, &a.Vars)
	fs.IntVar(&a.Parallelism, "parallelism", 10, "")
	fs.BoolVar(&a.NoColor, "no-color", false, "")
	fs.DurationVar(&a.LockTimeout, "lock-timeout", 0, "")
	fs.BoolVar(&a.Input, "input", true, "")
	fs.BoolVar(&a.Watch, "watch", false, "")
	if err := noArgs(fs, args); err != nil {
		return nil, err
	}
	if a.Parallelism < 1 {
		return nil, errors.New("-parallelism must be at least 1")
	}
	return &a, nil
}
