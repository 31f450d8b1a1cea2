//go:build !unix

package safepath

import "os"

// Windows opens do not follow symbolic links the way Unix opens do without
// FILE_FLAG_OPEN_REPARSE_POINT; the Lstat walk before each open is the
// check there.
const (
	noFollow = 0
	nonBlock = 0
)

func isLoop(error) bool { return false }

func clearNonBlock(*os.File) error { return nil }
