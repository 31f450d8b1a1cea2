package process

import (
	"net"
	"testing"

	"github.com/trustform/trustform/runtimes"
)

func TestParseProcAddr(t *testing.T) {
	// Little-endian machines print the words of the address byte-swapped.
	cases := []struct {
		in   string
		ip   string
		port int
	}{
		{"0100007F:20FB", "127.0.0.1", 8443},
		{"00000000:0050", "0.0.0.0", 80},
		{"00000000000000000000000001000000:01BB", "::1", 443},
		{"0000000000000000FFFF00000100007F:1F90", "127.0.0.1", 8080},
	}
	for _, c := range cases {
		ip, port, err := parseProcAddr(c.in)
		if err != nil || !ip.Equal(net.ParseIP(c.ip)) || port != c.port {
			t.Errorf("parseProcAddr(%q) = %v %d %v, want %s %d", c.in, ip, port, err, c.ip, c.port)
		}
	}
	if _, _, err := parseProcAddr("zz:1"); err == nil {
		t.Error("malformed address accepted")
	}
}

// A listener of this process on a loopback port is found, with its pid,
// and not as ours when another group is asked about.
func TestPortOwnerFindsListener(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	r := New()
	held, ours, who, err := r.PortOwner(l.Addr().String(), runtimesHandle(1))
	if err != nil || !held || ours || who == "" {
		t.Errorf("PortOwner = %v %v %q %v", held, ours, who, err)
	}
	_, port, _ := net.SplitHostPort(l.Addr().String())
	if held, _, _, _ := r.PortOwner("localhost:"+port, runtimesHandle(0)); !held {
		t.Error("localhost did not match a 127.0.0.1 listener")
	}
	if held, _, _, _ := r.PortOwner("127.0.0.2:"+port, runtimesHandle(0)); held {
		t.Error("127.0.0.2 matched a 127.0.0.1 listener")
	}
}

func runtimesHandle(pid int) runtimes.Handle { return runtimes.Handle{PID: pid} }
