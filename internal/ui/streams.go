package ui

import (
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"
)

// DefaultWidth is the column diagnostics and details are wrapped to.
const DefaultWidth = 78

// Streams are the two output streams of one command run and whether each
// may be coloured. Results go to Out; everything meant for the person at the
// terminal (diagnostics, progress, hints) goes to Err, so `trustform plan
// -json | jq` stays clean.
type Streams struct {
	Out, Err io.Writer
	// OutColor and ErrColor say whether ANSI colour may be written to each.
	OutColor, ErrColor bool
	// Width is the wrapping column for text such as diagnostic details.
	Width int
}

// NewStreams builds Streams for out and err, colouring each only when it is
// a terminal and the environment does not ask for no colour.
func NewStreams(out, err io.Writer, environ []string) *Streams {
	noColor := NoColorEnv(environ)
	return &Streams{
		Out:      out,
		Err:      err,
		OutColor: !noColor && IsTerminal(out),
		ErrColor: !noColor && IsTerminal(err),
		Width:    DefaultWidth,
	}
}

// DisableColor turns colour off on both streams (the -no-color flag).
func (s *Streams) DisableColor() {
	s.OutColor = false
	s.ErrColor = false
}

// NoColorEnv reports whether environ asks for no colour: NO_COLOR is
// present (any value, even empty: the variable's presence is the user's
// request), or TERM is "dumb", a terminal that cannot show escape codes.
func NoColorEnv(environ []string) bool {
	for _, kv := range environ {
		if kv == "NO_COLOR" || strings.HasPrefix(kv, "NO_COLOR=") || kv == "TERM=dumb" {
			return true
		}
	}
	return false
}

// IsTerminal reports whether w is a file descriptor attached to a terminal.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	return term.IsTerminal(int(f.Fd()))
}

// Errorf writes "trustform: error: MESSAGE" to Err, control characters
// escaped (Escape).
func (s *Streams) Errorf(format string, args ...any) {
	prefix := "trustform: error: "
	if s.ErrColor {
		prefix = "trustform: " + Red + Bold + "error:" + Reset + " "
	}
	fmt.Fprintln(s.Err, prefix+Escape(fmt.Sprintf(format, args...)))
}

// Warnf writes "trustform: warning: MESSAGE" to Err.
func (s *Streams) Warnf(format string, args ...any) {
	prefix := "trustform: warning: "
	if s.ErrColor {
		prefix = "trustform: " + Yellow + Bold + "warning:" + Reset + " "
	}
	fmt.Fprintln(s.Err, prefix+Escape(fmt.Sprintf(format, args...)))
}

// Hintf writes "hint: MESSAGE" to Err: what the user can do next.
func (s *Streams) Hintf(format string, args ...any) {
	fmt.Fprintln(s.Err, "hint: "+Escape(fmt.Sprintf(format, args...)))
}

// Resultf writes a result line to Out.
func (s *Streams) Resultf(format string, args ...any) {
	fmt.Fprintf(s.Out, format+"\n", args...)
}

// Success writes msg to Out, green when Out may be coloured.
func (s *Streams) Success(msg string) {
	if s.OutColor {
		msg = Green + Bold + msg + Reset
	}
	fmt.Fprintln(s.Out, msg)
}

// ANSI escape sequences used by the views. They are written only when the
// stream's colour flag is set.
const (
	Reset     = "\x1b[0m"
	Bold      = "\x1b[1m"
	Underline = "\x1b[4m"
	Red       = "\x1b[31m"
	Green     = "\x1b[32m"
	Yellow    = "\x1b[33m"
)
