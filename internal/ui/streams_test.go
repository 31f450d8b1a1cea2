package ui

import (
	"os"
	"strings"
	"testing"
)

func TestNoColorEnvAnyValue(t *testing.T) {
	for _, env := range [][]string{{"NO_COLOR=1"}, {"NO_COLOR="}, {"NO_COLOR"}, {"A=b", "NO_COLOR=false"}, {"TERM=dumb"}} {
		if !NoColorEnv(env) {
			t.Errorf("NoColorEnv(%q) = false", env)
		}
	}
	if NoColorEnv([]string{"NO_COLORS=1", "X_NO_COLOR=1", "TERM=xterm-256color", "TERM=dumber"}) {
		t.Error("similar names must not count")
	}
}

func TestStreamsColourOnlyOnTerminals(t *testing.T) {
	var out, errb strings.Builder
	s := NewStreams(&out, &errb, nil)
	if s.OutColor || s.ErrColor {
		t.Error("buffers are not terminals")
	}
	f, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if IsTerminal(f) {
		t.Error("a regular file is not a terminal")
	}
	s.OutColor, s.ErrColor = true, true
	s.DisableColor()
	if s.OutColor || s.ErrColor {
		t.Error("DisableColor left colour on")
	}
}

func TestMessagesGoToTheRightStream(t *testing.T) {
	var out, errb strings.Builder
	s := NewStreams(&out, &errb, []string{"NO_COLOR=1"})
	s.Errorf("bad %s", "thing")
	s.Hintf("do %s", "this")
	s.Warnf("careful")
	s.Success("Done.")
	if got, want := errb.String(), "trustform: error: bad thing\nhint: do this\ntrustform: warning: careful\n"; got != want {
		t.Errorf("stderr = %q, want %q", got, want)
	}
	if got := out.String(); got != "Done.\n" {
		t.Errorf("stdout = %q", got)
	}
	out.Reset()
	s.OutColor = true
	s.Success("Done.")
	if got := out.String(); got != Green+Bold+"Done."+Reset+"\n" {
		t.Errorf("coloured success = %q", got)
	}
}
