package arguments

import (
	"errors"
	"fmt"
	"time"
)

// Show are the flags of `trustform show`.
type Show struct {
	// PlanFile is a saved plan to show; empty shows the state.
	PlanFile string
	JSON     bool
	NoColor  bool
}

// ParseShow parses the arguments of `trustform show`.
func ParseShow(args []string) (*Show, error) {
	var a Show
	fs := newFlagSet("show")
	fs.BoolVar(&a.JSON, "json", false, "")
	fs.BoolVar(&a.NoColor, "no-color", false, "")
	pos, err := parseFlags(fs, args)
	if err == nil && len(pos) > 1 {
		err = errUnexpectedArgs(pos[1:])
	}
	if err != nil {
		return nil, err
	}
	if len(pos) == 1 {
		a.PlanFile = pos[0]
	}
	return &a, nil
}

// Status are the flags of `trustform status`.
type Status struct {
	JSON    bool
	NoColor bool
	// DetailedExitCode exits 2 when any resource is not running.
	DetailedExitCode bool
}

// ParseStatus parses the arguments of `trustform status`.
func ParseStatus(args []string) (*Status, error) {
	var a Status
	fs := newFlagSet("status")
	fs.BoolVar(&a.JSON, "json", false, "")
	fs.BoolVar(&a.NoColor, "no-color", false, "")
	fs.BoolVar(&a.DetailedExitCode, "detailed-exitcode", false, "")
	if err := noArgs(fs, args); err != nil {
		return nil, err
	}
	return &a, nil
}

// Logs are the flags of `trustform logs`.
type Logs struct {
	// Addresses are the resources to show (TYPE.NAME, an instance, or a
	// block address for all its instances); empty means every resource.
	Addresses []string
	// Follow keeps printing as the resources write (-f).
	Follow bool
	// Tail is -tail=N: only the last N lines of each resource; -1: all.
	Tail int
	// Since is -since=DURATION: only output written within it; 0: all.
	Since   time.Duration
	NoColor bool
}

// ParseLogs parses the arguments of `trustform logs`.
func ParseLogs(args []string) (*Logs, error) {
	var a Logs
	fs := newFlagSet("logs")
	fs.BoolVar(&a.Follow, "f", false, "")
	fs.BoolVar(&a.Follow, "follow", false, "")
	fs.IntVar(&a.Tail, "tail", -1, "")
	fs.DurationVar(&a.Since, "since", 0, "")
	fs.BoolVar(&a.NoColor, "no-color", false, "")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return nil, err
	}
	if a.Tail < -1 {
		return nil, fmt.Errorf("-tail=%d: give a number of lines (0 or more)", a.Tail)
	}
	if a.Since < 0 {
		return nil, fmt.Errorf("-since=%s: give a positive duration such as 10m", a.Since)
	}
	a.Addresses = pos
	return &a, nil
}

// Output are the flags of `trustform output`.
type Output struct {
	// Name is the output to print; empty prints all.
	Name string
	JSON bool
	// Raw prints a single string output without quotes, for scripts.
	Raw     bool
	NoColor bool
}

// ParseOutput parses the arguments of `trustform output`.
func ParseOutput(args []string) (*Output, error) {
	var a Output
	fs := newFlagSet("output")
	fs.BoolVar(&a.JSON, "json", false, "")
	fs.BoolVar(&a.Raw, "raw", false, "")
	fs.BoolVar(&a.NoColor, "no-color", false, "")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return nil, err
	}
	switch {
	case len(pos) > 1:
		return nil, errUnexpectedArgs(pos[1:])
	case a.JSON && a.Raw:
		return nil, errors.New("-json and -raw cannot be used together")
	case a.Raw && len(pos) == 0:
		return nil, errors.New("-raw needs an output NAME")
	}
	if len(pos) == 1 {
		a.Name = pos[0]
	}
	return &a, nil
}
