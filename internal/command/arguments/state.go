package arguments

import "errors"

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
	// Address is the resource, TYPE.NAME.
	Address string
	// Follow keeps printing as the process writes (-f).
	Follow bool
}

// ParseLogs parses the arguments of `trustform logs`.
func ParseLogs(args []string) (*Logs, error) {
	var a Logs
	fs := newFlagSet("logs")
	fs.BoolVar(&a.Follow, "f", false, "")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return nil, err
	}
	switch len(pos) {
	case 0:
		return nil, errors.New("logs needs a resource address, e.g. trustform logs node_app.web")
	case 1:
		a.Address = pos[0]
	default:
		return nil, errUnexpectedArgs(pos[1:])
	}
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
