//go:build unix

package container

import "syscall"

// ownGroup puts an engine command in a process group of its own. Ctrl-C
// on the terminal signals trustform's whole foreground group: an engine
// command in it (the `logs -f` up follows, a `stop` under way) would die
// with it, and the interrupted apply, destroy or up could no longer finish
// stopping and recording what it started. trustform decides itself when to
// cancel a command (its context).
func ownGroup() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }
