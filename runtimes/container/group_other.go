//go:build !unix

package container

import "syscall"

// ownGroup is ownGroup of group_unix.go; elsewhere commands stay as they
// are.
func ownGroup() *syscall.SysProcAttr { return nil }
