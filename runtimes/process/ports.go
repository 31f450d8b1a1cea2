package process

import (
	"errors"
	"net"
	"strconv"

	"github.com/trustform/trustform/runtimes"
)

// ErrPortsUnsupported is returned by PortOwner where this platform gives no
// way to tell which process holds a socket (everywhere but Linux).
var ErrPortsUnsupported = errors.New("telling which process holds a port is supported on Linux only")

// PortOwner reports whether a TCP listener holds addr ("host:port"), whether
// that listener belongs to the process group of h (a zero h: never), and who
// holds it ("pid 1234 (python3)", or a description when the holder cannot
// be seen, such as another user's process). A listener on the wildcard
// address holds every local address of its family and port; "localhost"
// stands for every loopback address. On Linux the listening sockets are
// read from /proc/net/tcp and tcp6 and matched to processes through the
// socket inodes in /proc/PID/fd; elsewhere it returns ErrPortsUnsupported.
func (r *Runner) PortOwner(addr string, h runtimes.Handle) (held, ours bool, who string, err error) {
	host, portStr, err := net.SplitHostPort(addr)
	if err != nil {
		return false, false, "", err
	}
	port, err := strconv.Atoi(portStr)
	if err != nil || port <= 0 || port > 65535 {
		return false, false, "", errors.New("invalid port in " + addr)
	}
	var ips []net.IP
	switch host {
	case "", "localhost":
		if host == "localhost" {
			ips = []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}
		}
	default:
		ip := net.ParseIP(host)
		if ip == nil {
			// A name other than localhost: resolved the way the probe
			// resolves it.
			found, lerr := net.LookupIP(host)
			if lerr != nil {
				return false, false, "", lerr
			}
			ips = found
		} else if !ip.IsUnspecified() {
			ips = []net.IP{ip}
		}
	}
	return portOwner(ips, port, h.PID)
}

// addrMatches reports whether a listener on lip serves a connection to one
// of want (nil: any address).
func addrMatches(lip net.IP, want []net.IP) bool {
	if want == nil || lip.IsUnspecified() {
		return true
	}
	for _, w := range want {
		if lip.Equal(w) {
			return true
		}
	}
	return false
}
