package runtimes

import (
	"bytes"
	"context"
	"strings"
	"time"
)

// Status is what refresh found of a launched resource.
type Status string

// Statuses reported by Runner.Status.
const (
	StatusRunning Status = "running"
	StatusExited  Status = "exited"
	StatusMissing Status = "missing"
)

// LaunchSpec is everything a runner needs to start one resource. It is built
// by apply from a plan; runners never see HCL.
type LaunchSpec struct {
	// Address is TYPE.NAME; runners tag what they start with it
	// (TRUSTFORM_ADDRESS for processes, the trustform.address label for
	// containers) so that it can be found again after a crash.
	Address string
	// Lineage is the state lineage, recorded the same way.
	Lineage string
	// Dir is the configuration directory the state belongs to, recorded
	// the same way (TRUSTFORM_DIR), so that a copy of the project, which
	// shares the lineage, never takes the process for its own.
	Dir string
	// ConfigSHA256 is a digest of the desired spec (container label).
	ConfigSHA256 string

	Argv       []string
	WorkingDir string
	// Env is added on top of BaseEnv (name=value pairs, usually os.Environ()).
	Env     map[string]string
	BaseEnv []string
	// LogPath receives stdout and stderr of a process.
	LogPath string

	// Container settings; nil for processes.
	Container *ContainerLaunch
}

// ContainerLaunch is the container part of a LaunchSpec.
type ContainerLaunch struct {
	Engine      string // docker or podman
	Image       string
	Entrypoint  string
	Args        []string
	Ports       []string
	Network     string
	Volumes     []string
	RuntimeArgs []string
	Name        string
	// TrustDir is the host directory whose content is copied to Destination
	// inside the container after create and before start.
	TrustDir    string
	Destination string
	// OverwriteBundles lists default bundle paths to overwrite with our bundle
	// when they exist in the image (override and system scopes); MergeImage
	// asks for the image's own bundle to be merged in (system scope).
	OverwriteBundles []string
	MergeImage       bool
}

// Handle identifies something a runner started. It is what state records.
type Handle struct {
	PID int `json:"pid,omitempty"`
	// StartTime is the process start time as the OS reports it (Linux: clock
	// ticks since boot from /proc/PID/stat), so a reused pid is never taken
	// for ours.
	StartTime uint64 `json:"start_time,omitempty"`
	// Instance is random per start and inherited by everything the
	// process starts (TRUSTFORM_INSTANCE), so that descendants that left
	// its process group or session are stopped with it.
	Instance    string `json:"instance,omitempty"`
	ContainerID string `json:"container_id,omitempty"`
	Engine      string `json:"engine,omitempty"`
}

// Runner starts, watches and stops one kind of resource.
type Runner interface {
	// Start launches the resource and returns once it has been started (not
	// necessarily ready).
	Start(ctx context.Context, spec *LaunchSpec) (Handle, error)
	// Status tells whether what h names is still running.
	Status(ctx context.Context, h Handle) (Status, error)
	// Stop ends what h names: a polite signal, then force after grace.
	// Stopping something already gone is not an error.
	Stop(ctx context.Context, h Handle, grace time.Duration) error
}

// The optional interfaces below are what apply asks of a runner beyond
// Runner. Apply knows runners only through these, so each runner asserts at
// compile time the ones it implements (var _ runtimes.OrphanFinder = ...):
// a method whose signature drifts then fails the build instead of silently
// turning a feature off.

// Orphan is something a runner started that carries a state's lineage, found
// from its tags whether or not state recorded it.
type Orphan struct {
	// Address is the TYPE.NAME it was started for.
	Address string
	Handle  Handle
	// Status is what the runner saw when it found it; "" when it did not look.
	Status Status
}

// OrphanFinder is implemented by runners that can find what they started
// from its tags (TRUSTFORM_ADDRESS and TRUSTFORM_LINEAGE in a process's
// environment, labels on a container), even when state never recorded it,
// as after a crash between starting something and saving state.
type OrphanFinder interface {
	// FindOrphans lists everything carrying lineage, sorted by address. An
	// empty lineage (state lost) finds only what the runner can tell is this
	// configuration's by other means (the process runner made with
	// NewForDir: its directory), else nothing.
	FindOrphans(ctx context.Context, lineage string) ([]Orphan, error)
}

// Exit is how something a runner started ended.
type Exit struct {
	// Code is the exit status, or -1 when the process was killed by a signal.
	Code int
	// Err is what waiting reported, for a message to the user; nil when the
	// process exited with status 0.
	Err error
	// At is when the runner saw it end.
	At time.Time
}

// ExitReporter is implemented by runners that see how what they started
// ends (the process runner reaps its children), so a failure can name the
// exit status.
type ExitReporter interface {
	// Exit reports how what h names ended, once it has and only when this
	// runner started it.
	Exit(h Handle) (Exit, bool)
}

// LogTailer is implemented by runners that keep a resource's output
// elsewhere than the log file apply can read (containers). Apply shows the
// last lines when a resource fails.
type LogTailer interface {
	// Tail returns up to lines last lines of what h names wrote.
	Tail(ctx context.Context, h Handle, lines int) ([]string, error)
}

// TailLines returns up to n last lines of b, without line endings.
func TailLines(b []byte, n int) []string {
	b = bytes.TrimRight(b, "\r\n")
	if len(b) == 0 {
		return nil
	}
	lines := strings.Split(string(b), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, "\r")
	}
	return lines
}
