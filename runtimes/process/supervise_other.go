//go:build !linux

package process

import (
	"context"

	"github.com/trustform/trustform/runtimes"
)

// EnvSupervisor marks a run's supervisor; there is none on this system.
const EnvSupervisor = "TRUSTFORM_SUPERVISOR"

// SupervisorArg would make trustform's binary serve as a supervisor; there
// is none on this system.
const SupervisorArg = "internal-process-supervisor"

// supervisorClient does not exist on this system.
type supervisorClient struct{}

// supProc does not exist on this system either.
type supProc struct {
	done chan struct{}
	exit runtimes.Exit
}

// ServeIfSupervisor never serves on this system.
func ServeIfSupervisor([]string, func(string) string) (int, bool) { return 0, false }

// Prepare has no supervisor to start here.
func (r *Runner) Prepare() {}

// Close has no supervisor to hang up on here.
func (r *Runner) Close() error { return nil }

// startSupervised is not available here: without /proc the process is
// started directly, and its exit is known only while the trustform that
// started it runs.
func (r *Runner) startSupervised(*runtimes.LaunchSpec, string, []string, string) (runtimes.Handle, bool, error) {
	return runtimes.Handle{}, false, nil
}

// LastExit reports how a process started by this Runner ended; this
// system keeps no record once that trustform has gone.
func (r *Runner) LastExit(h runtimes.Handle, _ string) (runtimes.Exit, bool) { return r.Exit(h) }

func (r *Runner) supervisorOf(int) (int, uint64) { return 0, 0 }

func waitRecorded(context.Context, int, uint64, int, uint64) {}
