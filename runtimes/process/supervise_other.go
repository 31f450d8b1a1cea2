//go:build !linux

package process

import (
	"os"

	"github.com/trustform/trustform/runtimes"
)

// EnvSupervisor marks a supervisor shell; there is none on this system.
const EnvSupervisor = "TRUSTFORM_SUPERVISOR"

// startSupervised is not available here: without /proc and setsid the
// process is started directly, and its exit is known only while the
// trustform that started it runs.
func (r *Runner) startSupervised(*runtimes.LaunchSpec, string, []string, *os.File, string) (runtimes.Handle, bool, error) {
	return runtimes.Handle{}, false, nil
}

// LastExit reports how a process started by this Runner ended; this
// system keeps no record once that trustform has gone.
func (r *Runner) LastExit(h runtimes.Handle, _ string) (runtimes.Exit, bool) { return r.Exit(h) }

func supervisorOf(int) int { return 0 }

func waitSupervisor(int, uint64) {}
