package certfetch

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// Proxy is the proxy a connection goes through, and the variable that
// named it.
type Proxy struct {
	URL *url.URL
	// Var is the environment variable it came from, e.g. HTTPS_PROXY.
	Var string
}

// ProxyFor returns the proxy a corporate client (curl, pip, git) would use
// for an https connection to t, or nil to connect directly: https_proxy,
// else HTTPS_PROXY, else all_proxy / ALL_PROXY, unless no_proxy /
// NO_PROXY matches the host. As in curl, localhost is not exempt unless
// NO_PROXY says so (Go's net/http never proxies loopback addresses).
func ProxyFor(t Target, getenv func(string) string) (*Proxy, error) {
	if noProxy(t, firstEnv(getenv, "no_proxy", "NO_PROXY")) {
		return nil, nil
	}
	for _, name := range []string{"https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"} {
		v := strings.TrimSpace(getenv(name))
		if v == "" {
			continue
		}
		u, err := parseProxy(v)
		if err != nil {
			return nil, fmt.Errorf("%s=%s: %v", name, v, err)
		}
		return &Proxy{URL: u, Var: name}, nil
	}
	return nil, nil
}

func firstEnv(getenv func(string) string, names ...string) string {
	for _, n := range names {
		if v := getenv(n); v != "" {
			return v
		}
	}
	return ""
}

// parseProxy reads http://[user:pass@]host[:port], or host[:port] as
// curl does (port 1080 by default, as curl; most corporate proxies name
// theirs).
func parseProxy(v string) (*url.URL, error) {
	if !strings.Contains(v, "://") {
		v = "http://" + v
	}
	u, err := url.Parse(v)
	if err != nil {
		return nil, fmt.Errorf("not a proxy URL: %v", err)
	}
	if u.Scheme != "http" {
		return nil, fmt.Errorf("proxy scheme %q is not supported: trustform speaks CONNECT to an http:// proxy", u.Scheme)
	}
	if u.Hostname() == "" {
		return nil, fmt.Errorf("the proxy URL has no host")
	}
	if u.Port() == "" {
		u.Host = net.JoinHostPort(u.Hostname(), "1080")
	}
	return u, nil
}

// noProxy reports whether list (NO_PROXY syntax: comma-separated host
// names, domain suffixes with or without a leading dot, IP addresses,
// CIDR ranges, each optionally with :PORT, or "*") exempts t.
func noProxy(t Target, list string) bool {
	host := strings.ToLower(strings.TrimSuffix(t.Host, "."))
	ip := net.ParseIP(host)
	for _, entry := range strings.Split(list, ",") {
		entry = strings.ToLower(strings.TrimSpace(entry))
		if entry == "" {
			continue
		}
		if entry == "*" {
			return true
		}
		if _, cidr, err := net.ParseCIDR(entry); err == nil {
			if ip != nil && cidr.Contains(ip) {
				return true
			}
			continue
		}
		name, port := entry, ""
		if h, p, err := net.SplitHostPort(entry); err == nil {
			name, port = h, p
		}
		if port != "" && port != t.Port {
			continue
		}
		name = strings.Trim(name, "[]")
		if eip := net.ParseIP(name); eip != nil {
			if ip != nil && eip.Equal(ip) {
				return true
			}
			continue
		}
		name = strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(name, "*"), "."), ".")
		if host == name || strings.HasSuffix(host, "."+name) {
			return true
		}
	}
	return false
}
