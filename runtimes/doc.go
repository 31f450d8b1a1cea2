// Package runtimes holds what trustform knows about each runtime as data:
// which scope it uses by default, which environment variables carry trust in
// each scope and how they merge with values the user set, and the default
// paths inside container images. It also declares the contract that
// runtimes/process and runtimes/container implement: Runner, and the optional
// OrphanFinder, ExitReporter and LogTailer, with runtimes types only (Handle,
// Status, Orphan, Exit), so that apply drives both runners without importing
// either. Each runner asserts at compile time the interfaces it implements.
//
// Keeping the rules in tables (and not in per-type code paths) is what lets
// the planner, the docs and the tests agree: a new runtime is a new row.
package runtimes
