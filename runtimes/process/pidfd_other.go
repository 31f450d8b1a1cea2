//go:build unix && !linux

package process

import (
	"context"
	"time"
)

// waitExit has no pidfd to wait on here: callers poll.
func waitExit(context.Context, int, uint64, time.Duration) (ended, ok bool) { return false, false }
