package state

import (
	"fmt"
	"strings"

	"github.com/trustform/trustform/runtimes"
)

// CheckEnvName returns why name cannot be an environment variable name, or
// nil. A name holding '=' would set another variable ("PATH=/evil:/bin"
// sets PATH), and NUL or a line break cannot be passed or reviewed.
func CheckEnvName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("an environment variable name cannot be empty")
	case strings.ContainsRune(name, '='):
		return fmt.Errorf("environment variable name %q contains '=', which would set another variable", name)
	case strings.ContainsAny(name, "\x00\n\r"):
		return fmt.Errorf("environment variable name %q contains a NUL or line break", name)
	}
	return nil
}

// Check verifies what the rest of trustform relies on in a spec read from
// a file (state or saved plan): every file has a path and content or a
// link target, env names are names, a container spec has its container
// part.
func (s *Spec) Check() error {
	if s == nil {
		// A record without a spec is read as one whose files and
		// settings are unknown; every reader handles that.
		return nil
	}
	for k := range s.Env {
		if err := CheckEnvName(k); err != nil {
			return err
		}
	}
	for i, f := range s.Files {
		if f.Path == "" || (f.SHA256 == "" && f.Link == "") {
			return fmt.Errorf("file %d has no path, or neither content nor link", i)
		}
	}
	if s.Kind == runtimes.KindContainer && s.Container == nil {
		return fmt.Errorf("a container spec without its container settings")
	}
	for _, i := range s.SensitiveArgs {
		if i < 0 || i >= len(s.Argv) {
			return fmt.Errorf("sensitive argument %d does not exist", i)
		}
	}
	if s.ReadyWhen != nil && s.ReadyWhen.Timeout < 0 || s.StopTimeout < 0 {
		return fmt.Errorf("a negative timeout")
	}
	return nil
}
