//go:build !linux

package process

// awaitExit has no pidfd here: the caller's Wait blocks a thread.
func awaitExit(int) {}
