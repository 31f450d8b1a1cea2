package arguments

import (
	"fmt"

	"github.com/trustform/trustform/lang"
)

// Validate are the flags of `trustform validate`.
type Validate struct {
	JSON    bool
	NoColor bool
	Vars    []lang.VarFlag
}

// ParseValidate parses the arguments of `trustform validate`.
func ParseValidate(args []string) (*Validate, error) {
	var a Validate
	fs := newFlagSet("validate")
	fs.BoolVar(&a.JSON, "json", false, "")
	fs.BoolVar(&a.NoColor, "no-color", false, "")
	addVarFlags(fs, &a.Vars)
	if err := noArgs(fs, args); err != nil {
		return nil, err
	}
	return &a, nil
}

// Fmt are the flags of `trustform fmt`.
type Fmt struct {
	// Check reports unformatted files (exit 3) without writing; implies
	// Write=false.
	Check bool
	// Diff prints a unified diff of each change.
	Diff bool
	// Recursive also formats subdirectories (except hidden ones).
	Recursive bool
	// Write rewrites files in place (default true).
	Write bool
	// List prints the names of files that changed (default true).
	List    bool
	NoColor bool
	// Targets are files, directories, or "-" for stdin; empty means the
	// configuration directory.
	Targets []string
}

// ParseFmt parses the arguments of `trustform fmt`.
func ParseFmt(args []string) (*Fmt, error) {
	var a Fmt
	fs := newFlagSet("fmt")
	fs.BoolVar(&a.Check, "check", false, "")
	fs.BoolVar(&a.Diff, "diff", false, "")
	fs.BoolVar(&a.Recursive, "recursive", false, "")
	fs.BoolVar(&a.Write, "write", true, "")
	fs.BoolVar(&a.List, "list", true, "")
	fs.BoolVar(&a.NoColor, "no-color", false, "")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return nil, err
	}
	a.Targets = pos
	if a.Check {
		a.Write = false
	}
	return &a, nil
}

// Graph are the flags of `trustform graph`.
type Graph struct {
	// Format is "dot" or "mermaid".
	Format  string
	NoColor bool
	Vars    []lang.VarFlag
}

// ParseGraph parses the arguments of `trustform graph`.
func ParseGraph(args []string) (*Graph, error) {
	var a Graph
	fs := newFlagSet("graph")
	fs.StringVar(&a.Format, "format", "dot", "")
	fs.BoolVar(&a.NoColor, "no-color", false, "")
	addVarFlags(fs, &a.Vars)
	if err := noArgs(fs, args); err != nil {
		return nil, err
	}
	if a.Format != "dot" && a.Format != "mermaid" {
		return nil, fmt.Errorf("-format=%s is not supported; use dot or mermaid", a.Format)
	}
	return &a, nil
}

// Version are the flags of `trustform version`.
type Version struct {
	JSON bool
}

// ParseVersion parses the arguments of `trustform version`.
func ParseVersion(args []string) (*Version, error) {
	var a Version
	fs := newFlagSet("version")
	fs.BoolVar(&a.JSON, "json", false, "")
	if err := noArgs(fs, args); err != nil {
		return nil, err
	}
	return &a, nil
}
