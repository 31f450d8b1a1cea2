// Package arguments parses each command's command line into a typed
// struct, in one style: ParseNAME(args) returns the struct, or an error
// worded for the user ("unknown flag -x", "unexpected argument ...").
//
// Parsing knows nothing of the machine: it reads no files, environment or
// state, so every parser is tested by itself. Checks that need the
// configuration directory (does the plan file exist?) belong to the
// command. Flags may follow positional arguments ("apply plan.out
// -auto-approve"); "--" ends flag parsing.
package arguments
