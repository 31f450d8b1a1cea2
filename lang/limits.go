package lang

import (
	"fmt"
	"strconv"
	"strings"
)

// attrPorts is the container row's port mappings argument.
const attrPorts = "ports"

// maxFileName is the longest file name most file systems accept (bytes).
const maxFileName = 255

// truncateMiddle shortens s for a message, keeping both ends.
func truncateMiddle(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n/2] + "..." + s[len(s)-n/2:]
}

// validPort checks a port number: 1 to 65535.
func validPort(s string) error {
	p, err := strconv.Atoi(s)
	if err != nil || p < 1 || p > 65535 {
		return fmt.Errorf("%q is not a port from 1 to 65535", s)
	}
	return nil
}

// checkPortMapping checks a container port mapping as docker and podman
// take it: [[IP:][HOST_PORT]:]CONTAINER_PORT[/PROTOCOL], each port possibly
// a range A-B. Port 99999 passed validate before issue 12 and failed only
// when the engine ran.
func checkPortMapping(m string) error {
	spec, proto, hasProto := strings.Cut(m, "/")
	if hasProto && proto != "tcp" && proto != "udp" && proto != "sctp" {
		return fmt.Errorf("%q: protocol %q is not tcp, udp or sctp", m, proto)
	}
	// An IPv6 address is bracketed: [::1]:8080:80.
	if strings.HasPrefix(spec, "[") {
		end := strings.Index(spec, "]:")
		if end < 0 {
			return fmt.Errorf("%q: unclosed [ in the address", m)
		}
		spec = spec[end+2:]
	}
	parts := strings.Split(spec, ":")
	switch len(parts) {
	case 1, 2:
	case 3:
		parts = parts[1:] // IP:HOST:CONTAINER; the address is the engine's to check
	default:
		return fmt.Errorf("%q is not [[IP:][HOST_PORT]:]CONTAINER_PORT[/PROTOCOL]", m)
	}
	for i, p := range parts {
		if p == "" && i == 0 && len(parts) == 2 {
			continue // IP::CONTAINER: any host port
		}
		lo, hi, isRange := strings.Cut(p, "-")
		ports := []string{lo}
		if isRange {
			ports = append(ports, hi)
		}
		for _, q := range ports {
			if err := validPort(q); err != nil {
				return fmt.Errorf("%q: %v", m, err)
			}
		}
	}
	return nil
}
