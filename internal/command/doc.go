// Package command is trustform's command-line interface: one file per
// command (plan.go, apply.go, ...), the dispatcher (cli.go, Run) and what the
// commands share (backend.go, common.go, apply_flow.go). Only this package
// prints or decides an exit code; the packages below it return values,
// errors and hcl.Diagnostics.
//
// The tests here run the real program: the test binary doubles as trustform
// (TestMain), testscript runs testdata/script/*.txtar against it, and the
// crash, signal, fixture and website tests drive it as a separate process.
// They read the repository's testdata/, fixtures/ and website/, so they run
// from the module root (see TestMain).
package command
