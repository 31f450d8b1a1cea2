package export

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
)

// maxName bounds object names: a Service name is a DNS-1035 label (63
// characters), and podman names a played container POD-pod-0-NAME.
const maxName = 40

// dnsName turns a resource name (or an address's key) into a DNS-1035
// label: lower-case letters, digits and '-', starting with a letter.
func dnsName(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		ok := r >= 'a' && r <= 'z' || r >= '0' && r <= '9'
		if !ok {
			if b.Len() > 0 && !dash {
				b.WriteByte('-')
				dash = true
			}
			continue
		}
		b.WriteRune(r)
		dash = false
	}
	out := strings.Trim(b.String(), "-")
	if out == "" || out[0] < 'a' || out[0] > 'z' {
		out = "c-" + out
	}
	if len(out) > maxName {
		out = strings.TrimRight(out[:maxName], "-")
	}
	return strings.TrimRight(out, "-")
}

// assignNames gives every container a distinct DNS name from its address
// ("container.web[0]" becomes "web-0"); names that would collide get a
// digest of the address appended, so the result never depends on order.
func assignNames(cs []*container) {
	count := map[string]int{}
	for _, c := range cs {
		c.name = dnsName(addressName(c.address))
		count[c.name]++
	}
	for _, c := range cs {
		if count[c.name] > 1 {
			sum := sha256.Sum256([]byte(c.address))
			c.name = strings.TrimRight(c.name[:min(len(c.name), maxName-9)], "-") + "-" + hex.EncodeToString(sum[:4])
		}
	}
}

// addressName is an address without its type: container.web["a"] gives
// web["a"].
func addressName(addr string) string {
	if _, rest, ok := strings.Cut(addr, "."); ok {
		return rest
	}
	return addr
}

// labelValue makes an address a valid label value (63 characters of
// [A-Za-z0-9._-], alphanumeric at both ends). The exact address is kept in
// an annotation.
func labelValue(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	out := b.String()
	if len(out) > 63 {
		out = out[:63]
	}
	return strings.Trim(out, "._-")
}

// port is one published port of a container, parsed from docker's
// [[IP:]HOST:]CONTAINER[/PROTOCOL] form.
type port struct {
	ip        string
	host      int32
	container int32
	protocol  string // tcp or udp
}

func parsePort(s string) (port, error) {
	p := port{protocol: "tcp"}
	spec, proto, hasProto := strings.Cut(s, "/")
	if hasProto {
		proto = strings.ToLower(proto)
		if proto != "tcp" && proto != "udp" && proto != "sctp" {
			return p, fmt.Errorf("port %q: protocol %q is not tcp, udp or sctp", s, proto)
		}
		p.protocol = proto
	}
	parts := strings.Split(spec, ":")
	num := func(v string) (int32, error) {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 65535 {
			return 0, fmt.Errorf("port %q: %q is not a port number (ranges are not exported)", s, v)
		}
		return int32(n), nil
	}
	var err error
	switch len(parts) {
	case 1:
		p.container, err = num(parts[0])
		p.host = p.container
	case 2, 3:
		if len(parts) == 3 {
			p.ip = parts[0]
		}
		if p.host, err = num(parts[len(parts)-2]); err == nil {
			p.container, err = num(parts[len(parts)-1])
		}
	default:
		err = fmt.Errorf("port %q is not [[IP:]HOST:]CONTAINER[/PROTOCOL]", s)
	}
	return p, err
}
