package container

import (
	"strconv"
	"time"
)

// LogOptions choose which of a container's output `logs` shows. Unlike a
// process's log file, the engine keeps a time for every line, so Since is
// exact here.
type LogOptions struct {
	// Follow keeps writing until the container stops or ctx ends.
	Follow bool
	// Tail is the number of last lines; -1 means all.
	Tail int
	// Since shows only output written within it; 0 means all.
	Since time.Duration
}

// args are the engine's `logs` flags for o (docker and podman alike).
func (o LogOptions) args() []string {
	var args []string
	if o.Follow {
		args = append(args, "-f")
	}
	if o.Tail >= 0 {
		args = append(args, "--tail", strconv.Itoa(o.Tail))
	}
	if o.Since > 0 {
		// Both engines read a Go duration as "that long ago".
		args = append(args, "--since", o.Since.String())
	}
	return args
}
