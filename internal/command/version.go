package command

import (
	"fmt"
	"runtime"

	"github.com/trustform/trustform/internal/command/arguments"

	"github.com/trustform/trustform/internal/ui"
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
	c.run = func(args []string) int {
		a, err := arguments.ParseVersion(args)
		if err != nil {
			return e.usageError(c, err)
		}
		return runVersion(e, a)
	}
	return c
}

// versionJSON is the output of `version -json`.
type versionJSON struct {
	Version   string `json:"trustform_version"`
	Platform  string `json:"platform"`
	GoVersion string `json:"go_version"`
}

func runVersion(e *runEnv, a *arguments.Version) int {
	platform := runtime.GOOS + "_" + runtime.GOARCH
	if a.JSON {
		out, err := ui.MarshalIndent(versionJSON{Version, platform, runtime.Version()})
		if err != nil {
			e.view.Errorf("encoding the version: %v", err)
			return exitError
		}
		e.view.Out.Write(out)
		return exitOK
	}
	fmt.Fprintf(e.view.Out, "trustform v%s\non %s\n%s\n", Version, platform, runtime.Version())
	return exitOK
}
