package command

import (
	"runtime"

	"github.com/trustform/trustform/internal/command/arguments"
	"github.com/trustform/trustform/internal/command/views"
)

// Version is this build's version, without the leading "v". Other packages
// receive it as a parameter (plan.Input.Version, state's TrustformVersion).
const Version = "0.1.0"

func newVersionCommand(e *runEnv) *command {
	c := &command{
		synopsis: "Show the version, Go version and platform",
		help: `
Usage: trustform version [-json]

  Print trustform's version, the platform and the Go version it was built
  with. Also available as "trustform -version".

Flags:
  -json  Print the version as JSON.
`,
	}
	c.run = parsed(e, c, arguments.ParseVersion, runVersion)
	return c
}

func runVersion(e *runEnv, a *arguments.Version) int {
	info := views.VersionInfo{Version: Version, Platform: runtime.GOOS + "_" + runtime.GOARCH, Go: runtime.Version()}
	if !e.view.Version(info, a.JSON) {
		return exitError
	}
	return exitOK
}
