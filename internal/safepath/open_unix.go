//go:build unix

package safepath

import (
	"errors"
	"os"
	"syscall"
)

const (
	noFollow = syscall.O_NOFOLLOW
	// nonBlock keeps open from hanging on a named pipe with no writer;
	// it is cleared again once the file is known to be regular.
	nonBlock = syscall.O_NONBLOCK
)

func isLoop(err error) bool { return errors.Is(err, syscall.ELOOP) }

func clearNonBlock(f *os.File) error {
	// A regular file ignores O_NONBLOCK on Linux and the BSDs; clearing
	// it keeps the descriptor ordinary for the writes that follow.
	return syscall.SetNonblock(int(f.Fd()), false)
}
