//go:build unix

package apply

import (
	"io/fs"
	"syscall"
)

// linkCountSupported says whether linkCount works here; the hard-link store
// is used only where it does.
const linkCountSupported = true

// linkCount returns how many names the file has.
func linkCount(fi fs.FileInfo) (uint64, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return uint64(st.Nlink), true
}
