//go:build unix && !linux

package main

import "runtime"

// maxRSSBytes converts ru_maxrss: bytes on macOS, KiB on the BSDs.
func maxRSSBytes(v int64) int64 {
	if runtime.GOOS == "darwin" || runtime.GOOS == "ios" {
		return v
	}
	return v * 1024
}
