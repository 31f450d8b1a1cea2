//go:build !linux

package process

import "net"

// portOwner has no way here to map a socket to a process: macOS would need
// libproc (cgo) and Windows GetExtendedTcpTable. Apply then neither refuses
// a taken port before starting nor checks who answers ready_when.
func portOwner(_ []net.IP, _, _ int) (bool, bool, string, error) {
	return false, false, "", ErrPortsUnsupported
}
