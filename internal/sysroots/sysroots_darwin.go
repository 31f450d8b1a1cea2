//go:build darwin

package sysroots

import (
	"errors"
	"fmt"
	"os/exec"
)

// keychains hold the roots Apple ships and the ones an administrator added.
func keychains() []string {
	return []string{
		"/System/Library/Keychains/SystemRootCertificates.keychain",
		"/Library/Keychains/System.keychain",
	}
}

// Dirs returns nil: macOS keeps roots in keychains, not directories.
func Dirs() []string { return nil }

func platformInputs(Options) ([]input, error) {
	var inputs []input
	var errs []error
	for _, kc := range keychains() {
		out, err := exec.Command("/usr/bin/security", "find-certificate", "-a", "-p", kc).Output()
		if err != nil {
			errs = append(errs, fmt.Errorf("security find-certificate %s: %w", kc, err))
			continue
		}
		inputs = append(inputs, input{out, kc})
	}
	if len(inputs) == 0 {
		return nil, errors.Join(errs...)
	}
	return inputs, nil
}
