package views

import (
	"fmt"
	"io"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/trustform/trustform/internal/ui"
)

// View is one command run's output: the two streams and whether each may
// be coloured. Errorf, Warnf, Hintf, Resultf and Success come from
// ui.Streams.
type View struct {
	*ui.Streams
	// Version is trustform's version, for documents that carry it even
	// when nothing else could be made (plan -json on an error).
	TrustformVersion string
}

// NewView builds the view of one run. Each stream is coloured only when it
// is a terminal and environ holds no NO_COLOR.
func NewView(stdout, stderr io.Writer, environ []string) *View {
	return &View{Streams: ui.NewStreams(stdout, stderr, environ)}
}

// Configure applies the flags every command shares: -no-color.
func (v *View) Configure(noColor bool) {
	if noColor {
		v.DisableColor()
	}
}

// Diagnostics prints configuration diagnostics to stderr, each with its
// file:line:col and source snippet.
func (v *View) Diagnostics(diags hcl.Diagnostics, src *ui.Sources) {
	ui.WriteDiagnostics(v.Err, diags, src, v.ErrColor, v.Width)
}

// JSON prints x as indented JSON on stdout; it reports an encoding failure
// itself and says so with false.
func (v *View) JSON(x any) bool {
	out, err := ui.MarshalIndent(x)
	if err != nil {
		v.Errorf("encoding JSON: %v", err)
		return false
	}
	v.Out.Write(out)
	return true
}

// UsageError reports a command-line mistake: the message, then the
// command's help, on stderr.
func (v *View) UsageError(err error, help string) {
	v.Errorf("%v", err)
	if strings.HasSuffix(err.Error(), "unknown flag -chdir") {
		v.Hintf("-chdir is a global flag: put it before the command, e.g. trustform -chdir=DIR plan")
	}
	fmt.Fprintf(v.Err, "\n%s\n", help)
}
