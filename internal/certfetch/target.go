package certfetch

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// Target is the server to fetch from.
type Target struct {
	Host string
	Port string
}

// Addr is HOST:PORT, bracketed for IPv6.
func (t Target) Addr() string { return net.JoinHostPort(t.Host, t.Port) }

// ParseTarget reads https://HOST[:PORT][/...], HOST:PORT or HOST (port
// 443).
func ParseTarget(s string) (Target, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Target{}, fmt.Errorf("no server given: pass a URL such as https://example.com or HOST:PORT")
	}
	if strings.Contains(s, "://") {
		u, err := url.Parse(s)
		if err != nil {
			return Target{}, fmt.Errorf("%q is not a URL: %v", s, err)
		}
		switch u.Scheme {
		case "https", "wss":
		case "http", "ws":
			return Target{}, fmt.Errorf("%s has no certificate to fetch: %s:// is not TLS; use https://", s, u.Scheme)
		default:
			return Target{}, fmt.Errorf("%s: scheme %q is not supported; give an https:// URL or HOST:PORT", s, u.Scheme)
		}
		if u.Hostname() == "" {
			return Target{}, fmt.Errorf("%s has no host name", s)
		}
		port := u.Port()
		if port == "" {
			port = "443"
		}
		return checkPort(Target{Host: u.Hostname(), Port: port}, s)
	}
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		// A bare host name, or a bare IPv6 address.
		if strings.ContainsAny(s, "/ ") {
			return Target{}, fmt.Errorf("%q is neither a URL nor HOST:PORT", s)
		}
		return Target{Host: strings.Trim(s, "[]"), Port: "443"}, nil
	}
	if host == "" {
		return Target{}, fmt.Errorf("%q has no host name", s)
	}
	return checkPort(Target{Host: host, Port: port}, s)
}

func checkPort(t Target, s string) (Target, error) {
	n, err := strconv.Atoi(t.Port)
	if err != nil || n < 1 || n > 65535 {
		return Target{}, fmt.Errorf("%s: port %q is not a number from 1 to 65535", s, t.Port)
	}
	return t, nil
}
