package process

import (
	"bufio"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
)

// tcpListen is the st column of a listening socket in /proc/net/tcp.
const tcpListen = "0A"

func portOwner(want []net.IP, port, pgid int) (held, ours bool, who string, err error) {
	inodes := map[string]bool{}
	for _, f := range []string{"net/tcp", "net/tcp6"} {
		if err := listenInodes(procRoot+"/"+f, want, port, inodes); err != nil {
			return false, false, "", err
		}
	}
	if len(inodes) == 0 {
		return false, false, "", nil
	}
	all, err := pids()
	if err != nil {
		return true, false, "", err
	}
	// The resource's own group first: a single match ends the search.
	if pgid > 0 {
		for _, pid := range all {
			if g, ok := pgidOf(pid); ok && g == pgid && holdsSocket(pid, inodes) {
				return true, true, describePid(pid), nil
			}
		}
	}
	for _, pid := range all {
		if holdsSocket(pid, inodes) {
			return true, false, describePid(pid), nil
		}
	}
	return true, false, "a process this user cannot see (another user's, or root's)", nil
}

// listenInodes adds the socket inodes of listeners on port (and an address
// matching want) found in one /proc/net/tcp* file.
func listenInodes(path string, want []net.IP, port int, into map[string]bool) error {
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return nil // no IPv6 on this machine
	}
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 10 || fields[3] != tcpListen {
			continue
		}
		ip, p, err := parseProcAddr(fields[1])
		if err != nil || p != port || !addrMatches(ip, want) {
			continue
		}
		if fields[9] != "0" {
			into[fields[9]] = true
		}
	}
	return sc.Err()
}

// parseProcAddr decodes "0100007F:1F90": the address as the kernel's
// 32-bit words printed in host byte order, then the port in hex.
func parseProcAddr(s string) (net.IP, int, error) {
	a, p, ok := strings.Cut(s, ":")
	if !ok || (len(a) != 8 && len(a) != 32) {
		return nil, 0, fmt.Errorf("malformed address %q", s)
	}
	port, err := strconv.ParseUint(p, 16, 16)
	if err != nil {
		return nil, 0, err
	}
	raw, err := hex.DecodeString(a)
	if err != nil {
		return nil, 0, err
	}
	ip := make(net.IP, len(raw))
	for i := 0; i < len(raw); i += 4 {
		binary.NativeEndian.PutUint32(ip[i:], binary.BigEndian.Uint32(raw[i:]))
	}
	if v4 := ip.To4(); v4 != nil && len(ip) == 16 {
		ip = v4 // an IPv4-mapped listener in tcp6
	}
	return ip, int(port), nil
}

// holdsSocket reports whether one of pid's descriptors is one of the
// sockets. Descriptors of other users' processes cannot be read; they
// answer no.
func holdsSocket(pid int, inodes map[string]bool) bool {
	dir := fmt.Sprintf("%s/%d/fd", procRoot, pid)
	d, err := os.Open(dir)
	if err != nil {
		return false
	}
	names, _ := d.Readdirnames(-1)
	d.Close()
	for _, n := range names {
		l, err := os.Readlink(dir + "/" + n)
		if err != nil || !strings.HasPrefix(l, "socket:[") {
			continue
		}
		if inodes[strings.TrimSuffix(strings.TrimPrefix(l, "socket:["), "]")] {
			return true
		}
	}
	return false
}

// describePid is "pid 1234 (python3)".
func describePid(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("%s/%d/comm", procRoot, pid))
	if err != nil {
		return "pid " + strconv.Itoa(pid)
	}
	return fmt.Sprintf("pid %d (%s)", pid, strings.TrimSpace(string(b)))
}
