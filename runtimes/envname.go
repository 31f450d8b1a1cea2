package runtimes

import (
	"fmt"
	"strings"
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
