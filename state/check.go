package state

import (
	"fmt"

	"github.com/trustform/trustform/runtimes"
)

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
		if err := runtimes.CheckEnvName(k); err != nil {
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
