package runtimes

import (
	"context"
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

// Orphan is something a runner started, tagged with a state's lineage and
// an address, that the state may not record (apply was killed between
// starting it and saving state).
type Orphan struct {
	Address string
	Handle  Handle
}

// OrphanFinder is implemented by runners that can find what they started
// from its tags (TRUSTFORM_ADDRESS and TRUSTFORM_LINEAGE in a process's
// environment, the trustform.address and trustform.lineage labels on a
// container), even when state never recorded it.
type OrphanFinder interface {
	FindOrphans(ctx context.Context, lineage string) ([]Orphan, error)
}
