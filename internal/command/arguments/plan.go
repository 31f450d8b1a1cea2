package arguments

import (
	"errors"
	"flag"
	"time"

	"github.com/trustform/trustform/lang"
)

// Planning are the flags that shape a plan, shared by plan and apply.
type Planning struct {
	Vars []lang.VarFlag
	// Refresh is -refresh (default true): check what is running first.
	Refresh bool
	// Targets are -target=ADDR, repeatable.
	Targets []string
	// Replace are -replace=ADDR, repeatable: running resources to replace.
	Replace []string
	// Input is -input (default true): ask on a terminal for required
	// variables without a value.
	Input bool
	// Destroy plans the removal of everything in state.
	Destroy     bool
	NoColor     bool
	LockTimeout time.Duration
}

func addPlanningFlags(fs *flag.FlagSet, a *Planning) {
	addVarFlags(fs, &a.Vars)
	fs.BoolVar(&a.Refresh, "refresh", true, "")
	fs.Var((*stringList)(&a.Targets), "target", "")
	fs.Var((*stringList)(&a.Replace), "replace", "")
	fs.BoolVar(&a.Input, "input", true, "")
	fs.BoolVar(&a.Destroy, "destroy", false, "")
	fs.BoolVar(&a.NoColor, "no-color", false, "")
	fs.DurationVar(&a.LockTimeout, "lock-timeout", 0, "")
}

// Plan are the flags of `trustform plan`.
type Plan struct {
	// Out is -out=FILE: save the plan for apply.
	Out string
	// JSON and Markdown choose the view; at most one is set.
	JSON, Markdown bool
	// DetailedExitcode makes "changes present" exit 2.
	DetailedExitcode bool
	Planning
}

// ParsePlan parses the arguments of `trustform plan`.
func ParsePlan(args []string) (*Plan, error) {
	var a Plan
	fs := newFlagSet("plan")
	fs.StringVar(&a.Out, "out", "", "")
	fs.BoolVar(&a.JSON, "json", false, "")
	fs.BoolVar(&a.Markdown, "markdown", false, "")
	fs.BoolVar(&a.DetailedExitcode, "detailed-exitcode", false, "")
	addPlanningFlags(fs, &a.Planning)
	if err := noArgs(fs, args); err != nil {
		return nil, err
	}
	if a.JSON && a.Markdown {
		return nil, errors.New("-json and -markdown cannot be used together")
	}
	if err := a.Planning.check(); err != nil {
		return nil, err
	}
	if a.JSON {
		// Prompts would interleave with a machine's input; Terraform's
		// -json implies -input=false too.
		a.Input = false
	}
	return &a, nil
}

// Apply are the flags of `trustform apply`.
type Apply struct {
	// PlanFile is the saved plan to apply; empty means plan now.
	PlanFile    string
	AutoApprove bool
	// Parallelism bounds how many resources start at once (default 10).
	Parallelism int
	JSON        bool
	Planning
}

// ParseApply parses the arguments of `trustform apply`.
func ParseApply(args []string) (*Apply, error) {
	var a Apply
	fs := newFlagSet("apply")
	fs.BoolVar(&a.AutoApprove, "auto-approve", false, "")
	fs.IntVar(&a.Parallelism, "parallelism", 10, "")
	fs.BoolVar(&a.JSON, "json", false, "")
	addPlanningFlags(fs, &a.Planning)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return nil, err
	}
	if len(pos) > 1 {
		return nil, errUnexpectedArgs(pos[1:])
	}
	if len(pos) == 1 {
		a.PlanFile = pos[0]
	}
	if a.Parallelism < 1 {
		return nil, errors.New("-parallelism must be at least 1")
	}
	if a.PlanFile != "" && (len(a.Vars) > 0 || len(a.Targets) > 0 || len(a.Replace) > 0 || a.Destroy) {
		return nil, errors.New("a saved plan already fixes variables, targets, replacements and -destroy; drop those flags or the plan file")
	}
	if err := a.Planning.check(); err != nil {
		return nil, err
	}
	if a.JSON {
		// Prompts would interleave with a machine's input; Terraform's
		// -json implies -input=false too.
		a.Input = false
	}
	return &a, nil
}

// Destroy are the flags of `trustform destroy`.
type Destroy struct {
	AutoApprove bool
	Parallelism int
	LockTimeout time.Duration
	NoColor     bool
	// Targets are -target=ADDR, repeatable: destroy only these and what
	// depends on them.
	Targets []string
}

// ParseDestroy parses the arguments of `trustform destroy`.
func ParseDestroy(args []string) (*Destroy, error) {
	var a Destroy
	fs := newFlagSet("destroy")
	fs.BoolVar(&a.AutoApprove, "auto-approve", false, "")
	fs.IntVar(&a.Parallelism, "parallelism", 10, "")
	fs.DurationVar(&a.LockTimeout, "lock-timeout", 0, "")
	fs.BoolVar(&a.NoColor, "no-color", false, "")
	fs.Var((*stringList)(&a.Targets), "target", "")
	if err := noArgs(fs, args); err != nil {
		return nil, err
	}
	if a.Parallelism < 1 {
		return nil, errors.New("-parallelism must be at least 1")
	}
	return &a, nil
}

// check rejects planning flags that mean nothing together.
func (a *Planning) check() error {
	if a.Destroy && len(a.Replace) > 0 {
		// A destroy starts nothing again; Terraform refuses the pair too.
		return errors.New("-replace cannot be used with -destroy: a destroy starts nothing again")
	}
	return nil
}
