// Package testutil holds the helpers the tests of several packages share,
// so that each exists once: Alive (is a process still running, zombies
// counted as gone) and LockedBuffer (a buffer one goroutine writes while
// another reads). The throwaway test CA and TLS servers are in
// internal/testenv, next to the checks for installed tools. Only tests
// import this package.
package testutil
