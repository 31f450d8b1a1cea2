// Package runtimes holds what trustform knows about each runtime as data:
// which scope it uses by default, which environment variables carry trust in
// each scope and how they merge with values the user set, and the default
// paths inside container images. It also declares the small Runner contract
// that runtimes/process and runtimes/container implement.
//
// Keeping the rules in tables (and not in per-type code paths) is what lets
// the planner, the docs and the tests agree: a new runtime is a new row.
package runtimes
